// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench/micro.c - micro-benchmarks of the eesp core (issue 7), built against
 * build/libeespcore.a by `make build/bench_micro`, run by bench/bench.sh.
 * This file has main and the psp-derive command; micro_common.c what the
 * families share; one file per family: micro_aead.c, micro_kdf.c,
 * micro_packet.c (seal/open, cached lookup), micro_forged.c (flood against
 * the derivation budget), micro_rss.c (memory with many senders).
 *
 *   bench_micro              run everything, print "name value unit  # note"
 *   bench_micro psp-derive MASTERHEX SPI VERSION
 *                            print the PSP data key (hex) for a sender, so
 *                            bench.sh can configure eespd in PSP mode.
 *
 * Measures: AEAD seal/open of a 1400-byte packet through the core
 * (eesp_aead_*) against raw OpenSSL EVP AES-128-GCM with the same key,
 * nonces, AAD and sizes; whole-packet eesp_seal / eesp_parse+eesp_open;
 * uncached eesp_derive_data_key (CMAC and HMAC PRF); a cached data-key
 * lookup through struct eesp_crypto (eesp_data_key_for); a flood of forged
 * packets against the derivation budget (bench_forged); receiver RSS
 * (/proc/self/statm) after opening packets from 1 k, 100 k and 1 M distinct
 * sender node ids through one eesp_crypto.  Timings are the fastest of REPS
 * repetitions (interleaved where two things are compared); nothing here is asserted (make check never runs it).
 */
#include "micro_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "kdf.h"

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int psp_derive_cmd(int argc, char **argv)
{
	uint8_t master[PSP_MASTER_KEY_LEN], out[32];
	if (argc != 5 || strlen(argv[2]) != 2 * PSP_MASTER_KEY_LEN) {
		fprintf(stderr, "usage: bench_micro psp-derive MASTERHEX(64) SPI VERSION\n");
		return 2;
	}
	for (int i = 0; i < PSP_MASTER_KEY_LEN; i++) {
		int h = hexval(argv[2][2 * i]), l = hexval(argv[2][2 * i + 1]);
		if (h < 0 || l < 0) {
			fprintf(stderr, "bench_micro: bad hex\n");
			return 2;
		}
		master[i] = (uint8_t)(h << 4 | l);
	}
	uint32_t spi = (uint32_t)strtoul(argv[3], NULL, 0);
	unsigned ver = (unsigned)strtoul(argv[4], NULL, 0);
	struct eesp_kdf_ctx *k = eesp_kdf_ctx_new();
	int err = k ? psp_derive_key(k, master, spi, ver, out) : EESP_E_CRYPTO;
	eesp_kdf_ctx_free(k);
	if (err) {
		fprintf(stderr, "bench_micro: psp_derive_key: %s\n", eesp_err_name(err));
		return 1;
	}
	for (int i = 0; i < (ver ? 32 : 16); i++)
		printf("%02x", out[i]);
	printf("\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "psp-derive"))
		return psp_derive_cmd(argc, argv);
	if (argc > 1) {
		fprintf(stderr, "usage: bench_micro [psp-derive MASTERHEX SPI VERSION]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("# bench_micro: eesp core vs raw OpenSSL EVP (%s)\n",
	       OpenSSL_version(OPENSSL_VERSION));
	setup_domain();
	bench_aead();
	bench_kdf();
	bench_packet();
	bench_cached();
	bench_forged();
	bench_rss();
	teardown_domain();
	return 0;
}
