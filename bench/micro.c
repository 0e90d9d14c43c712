// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench/micro.c - micro-benchmarks of the eesp core (issue 7), built against
 * build/libeespcore.a by `make build/bench_micro`, run by bench/bench.sh.
 * This file has main, the psp-derive command and what the families share
 * (micro.h); one file per family: micro_aead.c, micro_kdf.c,
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
#include "micro.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "kdf.h"

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

double fastest(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_d);
	return v[0];
}

void die(const char *what, int err)
{
	fprintf(stderr, "bench_micro: %s failed: %d (%s)\n", what, err, eesp_err_name(err));
	exit(1);
}

long rss_kib(void)
{
	long size = 0, res = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld %ld", &size, &res) != 2)
		res = -1;
	fclose(f);
	return res < 0 ? -1 : res * (sysconf(_SC_PAGESIZE) / 1024);
}

static struct eesp_keyset *ks;
struct eesp_domain dom;

void setup_domain(void)
{
	uint8_t root[EESP_ROOT_KEY_LEN];
	char line[160];
	struct eesp_keyfile_error ke;
	int err, n = snprintf(line, sizeof(line), "%s 0 1 ",
			      eesp_name_of(eesp_level_names, EESP_LEVEL_DOMAIN));

	RAND_bytes(root, sizeof(root));
	for (size_t i = 0; i < sizeof(root); i++)
		n += snprintf(line + n, sizeof(line) - (size_t)n, "%02x", root[i]);
	snprintf(line + n, sizeof(line) - (size_t)n, "\n");
	ks = eesp_keyset_new();
	if (!ks)
		die("eesp_keyset_new", EESP_E_CRYPTO);
	if ((err = eesp_keyfile_parse(ks, line, strlen(line), &ke))) {
		fprintf(stderr, "bench_micro: key line rejected: %s\n", ke.msg);
		die("eesp_keyfile_parse", err);
	}
	dom.spi = 0xC0FFEE01;
	dom.spi_min = dom.spi_max = 0;
	dom.keys = ks;
	dom.epoch_window = 2;
	dom.self_node_id = 1;
	dom.max_crypt_offset = 0;
}

void teardown_domain(void)
{
	eesp_keyset_free(ks);
	ks = NULL;
}

void params(struct eesp_hdr_params *p, uint32_t node, uint16_t session, uint64_t sn)
{
	memset(p, 0, sizeof(*p));
	p->session_id = session;
	p->spi = dom.spi;
	p->sctx.profile = EESP_PROFILE_NODE;
	p->sctx.kdf = EESP_KDF_CMAC_AES256;
	p->sctx.suite = EESP_SUITE_AES_GCM_128;
	p->sctx.phase[0] = 1; /* generation 1 */
	p->sctx.node_id = node;
	p->sn = sn;
}

void inner_packet(uint8_t *b, size_t len)
{
	uint32_t sum = 0;
	memset(b, 0x5a, len);
	memset(b, 0, 28);
	b[0] = 0x45;
	eesp_put16(b + 2, (uint16_t)len);
	b[8] = 64;
	b[9] = 17;
	b[12] = 198, b[13] = 51, b[14] = 100, b[15] = 1;
	b[16] = 198, b[17] = 51, b[18] = 100, b[19] = 2;
	for (int i = 0; i < 20; i += 2)
		sum += eesp_get16(b + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	eesp_put16(b + 10, (uint16_t)~sum);
	eesp_put16(b + 20, 5001);
	eesp_put16(b + 22, 5201);
	eesp_put16(b + 24, (uint16_t)(len - 20));
}

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
