// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * micro_common.c - what every benchmark family uses (micro_common.h): the
 * fastest repetition, the receiver's RSS, and one domain with one root key
 * to seal under.
 */
#include "micro_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/rand.h>

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
