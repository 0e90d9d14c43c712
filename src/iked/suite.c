// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * suite.c - IKE suites and their names (suite.h).
 */
#include "suite.h"

#include <stdio.h>
#include <string.h>

#include "ike_proto.h"

static const struct {
	const char *word, *longname;
	uint16_t id, keybits;
} encr_names[] = {
    {"aes128gcm16", "AES_GCM_16-128", IKE_ENCR_AES_GCM_16, 128},
    {"aes256gcm16", "AES_GCM_16-256", IKE_ENCR_AES_GCM_16, 256},
};

static const struct {
	const char *word, *longname;
	uint16_t id;
} prf_names[] = {
    {"prfsha256", "PRF_HMAC_SHA2_256", IKE_PRF_HMAC_SHA2_256},
};

static const struct {
	const char *word, *longname;
	uint16_t id;
} group_names[] = {
    {"x25519", "CURVE_25519", IKE_KE_X25519},
    {"curve25519", "CURVE_25519", IKE_KE_X25519},
    {"ecp256", "ECP_256", IKE_KE_ECP256},
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* the next '-'-separated word of *p into w[cap]; false at the end */
static bool next_word(const char **p, char *w, size_t cap)
{
	const char *s = *p, *e = strchr(s, '-');
	size_t n = e ? (size_t)(e - s) : strlen(s);
	if (!*s)
		return false;
	snprintf(w, cap, "%.*s", (int)(n < cap ? n : cap - 1), s);
	*p = e ? e + 1 : s + n;
	return true;
}

int iked_suite_parse(const char *text, struct ike_suite *s, char *bad, size_t cap)
{
	char w[3][32];
	const char *p = text;
	unsigned n = 0;
	memset(s, 0, sizeof(*s));
	while (n < 3 && next_word(&p, w[n], sizeof(w[n])))
		n++;
	if (n != 3 || *p) {
		snprintf(bad, cap, "%s (want ENCR-PRF-GROUP, e.g. aes256gcm16-prfsha256-x25519)",
			 text);
		return -1;
	}
	for (size_t i = 0; i < N_OF(encr_names); i++)
		if (!strcmp(w[0], encr_names[i].word)) {
			s->encr = encr_names[i].id;
			s->encr_bits = encr_names[i].keybits;
		}
	for (size_t i = 0; i < N_OF(prf_names); i++)
		if (!strcmp(w[1], prf_names[i].word))
			s->prf = prf_names[i].id;
	for (size_t i = 0; i < N_OF(group_names); i++)
		if (!strcmp(w[2], group_names[i].word))
			s->ke = group_names[i].id;
	if (!s->encr)
		snprintf(bad, cap, "encryption '%s' (aes128gcm16 or aes256gcm16)", w[0]);
	else if (!s->prf)
		snprintf(bad, cap, "PRF '%s' (prfsha256)", w[1]);
	else if (!s->ke)
		snprintf(bad, cap, "key exchange '%s' (x25519 or ecp256)", w[2]);
	else
		return 0;
	return -1;
}

static const char *encr_word(const struct ike_suite *s, bool lng)
{
	for (size_t i = 0; i < N_OF(encr_names); i++)
		if (s->encr == encr_names[i].id && s->encr_bits == encr_names[i].keybits)
			return lng ? encr_names[i].longname : encr_names[i].word;
	return "?";
}

static const char *prf_word(const struct ike_suite *s, bool lng)
{
	for (size_t i = 0; i < N_OF(prf_names); i++)
		if (s->prf == prf_names[i].id)
			return lng ? prf_names[i].longname : prf_names[i].word;
	return "?";
}

static const char *group_word(uint16_t g, bool lng)
{
	for (size_t i = 0; i < N_OF(group_names); i++)
		if (g == group_names[i].id)
			return lng ? group_names[i].longname : group_names[i].word;
	return NULL;
}

const char *iked_group_name(uint16_t group, char *buf, size_t cap)
{
	const char *w = group_word(group, false);
	if (w)
		return w;
	snprintf(buf, cap, "group%u", group);
	return buf;
}

void iked_suite_format(const struct ike_suite *s, char *out, size_t cap)
{
	const char *g = group_word(s->ke, false);
	snprintf(out, cap, "%s-%s-%s", encr_word(s, false), prf_word(s, false), g ? g : "?");
}

void iked_suite_format_long(const struct ike_suite *s, char *out, size_t cap)
{
	const char *g = group_word(s->ke, true);
	snprintf(out, cap, "%s/%s/%s", encr_word(s, true), prf_word(s, true), g ? g : "?");
}

bool iked_suite_equal(const struct ike_suite *a, const struct ike_suite *b)
{
	return a->encr == b->encr && a->encr_bits == b->encr_bits && a->prf == b->prf &&
	       a->ke == b->ke;
}

void iked_suite_proposal(const struct ike_suite *s, uint8_t num, const uint8_t *spi,
			 uint8_t spi_len, struct ike_proposal *out)
{
	ike_proposal_init(out, num, IKE_PROTO_IKE, spi, spi_len);
	ike_proposal_add(out, IKE_TT_ENCR, s->encr, s->encr_bits);
	ike_proposal_add(out, IKE_TT_PRF, s->prf, 0);
	ike_proposal_add(out, IKE_TT_KE, s->ke, 0);
}

unsigned iked_suite_defaults(struct ike_suite *out, unsigned cap)
{
	static const char *const dflt[] = {"aes256gcm16-prfsha256-x25519",
					   "aes128gcm16-prfsha256-ecp256"};
	char bad[64];
	unsigned n = 0;
	for (size_t i = 0; i < N_OF(dflt) && n < cap; i++)
		if (!iked_suite_parse(dflt[i], &out[n], bad, sizeof(bad)))
			n++;
	return n;
}
