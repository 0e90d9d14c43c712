// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bundle_parse.c - reading a join bundle (format in bundle.c): the version
 * line, the MAC over everything before the last line, then every line
 * strictly (a word eespctl does not know, a setting given twice or missing,
 * a bad value: refused, as path:line: problem).  Nothing is written before
 * the whole bundle has been read and verified.
 */
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "eespctl.h"
#include "onboard.h"
#include "strbuf.h"

#define MAC_HEX 64

struct bp {
	const char *path;
	unsigned line;
	struct node_conf *c;
	struct strbuf keys; /* the key lines, as a key file */
	unsigned seen;	    /* bit per single-valued setting */
	bool pre;	    /* first pass: only the keys and the domain id */
};

static int bad(const struct bp *b, const char *what)
{
	err("%s:%u: %s", b->path, b->line, what);
	return -1;
}

/* The single-valued settings, in the order of the bit in bp.seen. */
static const char *const single[] = {
    "domain", "profile",      "kdf",	      "suite",	       "tenant",       "group",
    "epoch",  "epoch_period", "epoch_window", "epoch_packets", "crypt_offset", "max_crypt_offset",
    "node",   "interface",    "mtu",	      "port"};
#define REQUIRED_MASK ((1u << (sizeof(single) / sizeof(single[0]))) - 1)

static uint32_t *num_field(struct node_conf *c, unsigned i)
{
	uint32_t *const f[] = {&c->tenant,	 &c->group,	   &c->epoch,
			       &c->epoch_period, &c->epoch_window, &c->epoch_packets};
	return i >= 4 && i < 10 ? f[i - 4] : NULL;
}

static int setting(struct bp *b, unsigned i, char w[][NC_TEXT], int n)
{
	struct node_conf *c = b->c;
	uint32_t v;
	if (b->seen & (1u << i))
		return bad(b, "setting given twice");
	b->seen |= 1u << i;
	if (n != (i == 0 || i == 12 ? 3 : 2))
		return bad(b, "wrong number of fields");
	switch (i) {
	case 0:
		if (!nc_name_ok(w[1]) || parse_u32(w[2], &c->id) || !c->id)
			return bad(b, "domain NAME ID expected");
		snprintf(c->name, sizeof(c->name), "%s", w[1]);
		return 0;
	case 1:
		return parse_profile(w[1], &c->profile) || c->profile == EESP_PROFILE_SPI
			   ? bad(b, "bad profile")
			   : 0;
	case 2:
		return parse_kdf(w[1], &c->kdf) ? bad(b, "bad kdf") : 0;
	case 3:
		return parse_suite(w[1], &c->suite) ? bad(b, "bad suite") : 0;
	case 12:
		if (parse_u32(w[1], &c->node_id) || !c->node_id || !nc_name_ok(w[2]))
			return bad(b, "node ID NAME expected");
		snprintf(c->self_name, sizeof(c->self_name), "%s", w[2]);
		return 0;
	case 13:
		if (strlen(w[1]) >= sizeof(c->ifname) || !nc_name_ok(w[1]))
			return bad(b, "bad interface name");
		nc_set_ifname(c, w[1]);
		return 0;
	}
	if (parse_u32(w[1], &v))
		return bad(b, "a number expected");
	if (num_field(c, i))
		*num_field(c, i) = v;
	else if (i == 10 || i == 11)
		*(i == 10 ? &c->crypt_offset : &c->max_crypt_offset) = v;
	else if (i == 14)
		c->mtu = v;
	else
		c->port = v;
	if ((i == 10 || i == 11) && v > 63)
		return bad(b, "crypt offsets are 0 to 63");
	if ((i == 14 && (v < 576 || v > 65000)) || (i == 15 && (!v || v > 65535)))
		return bad(b, "value out of range");
	return 0;
}

/* "peer ID NAME ENDPOINT PREFIX[,PREFIX...] TENANT GROUP" */
static int peer_line(struct bp *b, char w[][NC_TEXT], int n)
{
	struct nc_peer p = {0};
	unsigned port;
	char list[NC_TEXT], *save = NULL;
	if (n != 7 || parse_u32(w[1], &p.node_id) || !p.node_id || !nc_name_ok(w[2]) ||
	    parse_u32(w[5], &p.tenant) || parse_u32(w[6], &p.group))
		return bad(b, "peer ID NAME ENDPOINT PREFIXES TENANT GROUP expected");
	snprintf(p.name, sizeof(p.name), "%s", w[2]);
	if (nc_endpoint("peer endpoint", w[3], EESP_UDP_PORT, p.endpoint, sizeof(p.endpoint),
			&port))
		return bad(b, "bad peer endpoint");
	snprintf(list, sizeof(list), "%s", w[4]);
	for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		struct prefix pf;
		if (p.n_allowed == NC_MAX_ADDRS || strlen(t) >= NC_TEXT || prefix_parse(t, &pf))
			return bad(b, "bad peer prefix list");
		snprintf(p.allowed[p.n_allowed++], NC_TEXT, "%s", t);
	}
	return nc_add_peer(b->c, &p);
}

static int one_line(struct bp *b, char *line)
{
	char w[8][NC_TEXT];
	int n = sscanf(line, "%63s %63s %63s %63s %63s %63s %63s %63s", w[0], w[1], w[2], w[3],
		       w[4], w[5], w[6], w[7]);
	if (n <= 0 || w[0][0] == '#')
		return 0;
	if (b->pre) {
		/* checked with the whole key file by the core's parser */
		if (!strcmp(w[0], "key"))
			strbuf_printf(&b->keys, "%s\n", line + strspn(line, " \t") + 4);
		else if (!strcmp(w[0], "domain") && n == 3)
			(void)parse_u32(w[2], &b->c->id);
		return 0;
	}
	if (!strcmp(w[0], "key"))
		return 0;
	if (!strcmp(w[0], "address")) {
		if (n != 2 || b->c->n_addrs == NC_MAX_ADDRS ||
		    nc_address("address", w[1], b->c->addrs[b->c->n_addrs]))
			return bad(b, "address ADDR/LEN expected (at most 8)");
		b->c->n_addrs++;
		return 0;
	}
	if (!strcmp(w[0], "peer"))
		return peer_line(b, w, n);
	for (unsigned i = 0; i < sizeof(single) / sizeof(single[0]); i++)
		if (!strcmp(w[0], single[i]))
			return setting(b, i, w, n);
	return bad(b, "unknown line (is the bundle from a newer eespctl?)");
}

/* The MAC line must be the last one: its start, or NULL. */
static const char *mac_line(const char *text, size_t len)
{
	const char *p;
	if (!len || text[len - 1] != '\n')
		return NULL;
	for (p = text + len - 1; p > text && p[-1] != '\n'; p--)
		;
	if ((size_t)(text + len - p) != 4 + MAC_HEX + 1 || strncmp(p, "mac ", 4))
		return NULL;
	return p;
}

/* The key lines of the bundle, before anything else is trusted. */
static struct eesp_keyset *keys_of(struct bp *b)
{
	struct eesp_keyfile_error ke = {0};
	struct eesp_keyset *ks = eesp_keyset_new();
	if (!ks || b->keys.oom || !b->keys.p) {
		eesp_keyset_free(ks);
		err("%s: no key lines", b->path);
		return NULL;
	}
	if (eesp_keyfile_parse(ks, b->keys.p, b->keys.len, &ke) ||
	    !eesp_ring_current(&ks->domain)) {
		err("%s: the keys do not parse (%s)", b->path,
		    ke.msg[0] ? ke.msg : "no domain root");
		eesp_keyset_free(ks);
		return NULL;
	}
	return ks;
}

/* Every line but the version and the MAC; 0 or -1 (reported). */
static int all_lines(struct bp *b, const char *text, size_t body)
{
	char line[512];
	b->line = 1;
	for (const char *p = strchr(text, '\n') + 1; p < text + body;) {
		const char *nl = memchr(p, '\n', (size_t)(text + body - p));
		size_t n = (size_t)(nl - p);
		b->line++;
		if (n >= sizeof(line))
			return bad(b, "line too long");
		memcpy(line, p, n);
		line[n] = 0;
		int rc = one_line(b, line);
		OPENSSL_cleanse(line, sizeof(line));
		if (rc)
			return -1;
		p = nl + 1;
	}
	if (!b->pre && ((b->seen & REQUIRED_MASK) != REQUIRED_MASK || !b->c->n_addrs))
		return bad(b, "incomplete bundle: a setting is missing");
	return 0;
}

static int verify(struct bp *b, const char *text, size_t body, const struct eesp_keyset *ks)
{
	uint8_t want[MAC_HEX / 2], got[MAC_HEX / 2];
	if (hex_decode(text + body + 4, MAC_HEX, want, sizeof(want)) ||
	    bundle_mac(ks, b->c->id, text, body, got) || CRYPTO_memcmp(want, got, sizeof(got))) {
		err("%s: the MAC does not verify: the bundle was changed or damaged after eespctl "
		    "wrote it; ask for a new one",
		    b->path);
		return -1;
	}
	return 0;
}

int bundle_parse(const char *path, const char *text, size_t len, struct node_conf *c,
		 struct eesp_keyset **ks)
{
	struct bp b = {.path = path, .c = c};
	const char *mac = mac_line(text, len);
	char first[32];
	int rc = -1;

	*ks = NULL;
	nc_defaults(c, "default", 0, 0);
	if (strlen(text) != len || sscanf(text, "%31s", first) != 1 ||
	    strcmp(first, BUNDLE_MAGIC)) {
		err("%s:1: not an eesp join bundle (it starts with \"%s 1\")", path, BUNDLE_MAGIC);
		return -1;
	}
	if (strncmp(text, BUNDLE_MAGIC " 1\n", sizeof(BUNDLE_MAGIC " 1\n") - 1)) {
		err("%s:1: bundle version not supported (this eespctl reads version %d)", path,
		    BUNDLE_VERSION);
		return -1;
	}
	if (!mac) {
		err("%s: truncated or damaged: the last line is not the mac line", path);
		return -1;
	}
	size_t body = (size_t)(mac - text);
	/* the MAC is keyed with the bundle's own domain root: read the key
	 * lines first, verify, and only then parse the rest strictly */
	b.pre = true;
	if (!all_lines(&b, text, body) && (*ks = keys_of(&b)) && !verify(&b, text, body, *ks)) {
		b.pre = false;
		rc = all_lines(&b, text, body);
	}
	if (b.keys.p)
		OPENSSL_cleanse(b.keys.p, b.keys.len);
	strbuf_free(&b.keys);
	if (rc) {
		eesp_keyset_free(*ks);
		*ks = NULL;
		nc_free(c);
	}
	return rc;
}
