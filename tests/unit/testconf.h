/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * testconf.h - eespd configurations in memory for the unit tests: a
 * struct conf_env whose users, groups and key files are tables (key text
 * parsed by the core's eesp_keyfile_parse, as keyload.c does after reading
 * a file), configuration skeletons whose parts sit on known lines, and
 * parse helpers that assert.
 *
 * Every text is named "fuzz.conf" in messages and its relative paths
 * resolve under "mem", so a key_file "dom.keys" is looked up as
 * "mem/dom.keys" in the key table.
 */
#ifndef EESP_TESTCONF_H
#define EESP_TESTCONF_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "keys.h"
#include "snap.h"

#define TC_FILE "fuzz.conf"
#define TC_DIR "mem"

/* 32 and 16 bytes of one repeated byte, in hex */
#define TC_HEX16(b) b b b b b b b b b b b b b b b b
#define TC_HEX32(b) TC_HEX16(b) TC_HEX16(b)

/* domain 0xC0FFEE01: generations 1 (previous), 2 (current), 3 (next) */
#define TC_DOM_KEYS                                                                                \
	"domain 0xC0FFEE01\n"                                                                      \
	"domain 0 1 " TC_HEX32("11") "\n"                                                          \
				     "domain 0 2 " TC_HEX32("12") "\n"                             \
								  "domain 0 3 " TC_HEX32(          \
								      "13") " next\n"
/* the same domain with tenants 7 (generations 0, 1) and 8, group 5 */
#define TC_TENANT_KEYS                                                                             \
	TC_DOM_KEYS "tenant 7 0 " TC_HEX32(                                                        \
	    "21") "\n"                                                                             \
		  "tenant 7 1 " TC_HEX32("22") "\n"                                                \
					       "tenant 8 0 " TC_HEX32("23") "\n"                   \
									    "group 5 0 " TC_HEX32( \
										"31") "\n"
#define TC_PSP_KEYS                                                                                \
	"psp 0 " TC_HEX32("81") "\n"                                                               \
				"psp 1 " TC_HEX32("82") "\n"                                       \
							"sa psp 0x1001 " TC_HEX32(                 \
							    "83") "\n"                             \
								  "sa psp 0x1002 " TC_HEX16(       \
								      "84") "\n"

struct tc_keytext {
	const char *name; /* under TC_DIR */
	const char *text;
};

static const struct tc_keytext tc_key_table[] = {
    {"dom.keys", TC_DOM_KEYS},
    {"tenant.keys", TC_TENANT_KEYS},
    {"a.keys", "domain 0 1 " TC_HEX32("41") "\n"},
    {"b.keys", "domain 0 1 " TC_HEX32("51") "\n"},
    {"spi-server.keys", "domain 0 0 " TC_HEX32("61") "\n"},
    {"spi-client.keys",
     "sa eesp 0x1010 " TC_HEX32("71") " 01020304\n"
				      "sa eesp 0x1011 " TC_HEX32("72") " 05060708\n"
								       "sa eesp 0x1012 " TC_HEX16(
									   "73") " 0a0b0c0d\n"},
    {"psp.keys", TC_PSP_KEYS},
    {"psp-sa-only.keys", "sa psp 0x1001 " TC_HEX32("83") "\n"},
    {"bad.keys", "domain 0 1 " TC_HEX32("11") "\ndomain 0 x zz\n"},
    {"empty.keys", "# no keys\n"},
};

/* What the environment answers; tests change it before parsing. */
struct tc_world {
	bool no_eesp_user;	/* the default user "eesp" does not exist */
	const char *extra_name; /* one more key file (found first) */
	const char *extra_text; /* its text */
	uid_t loaded_for;	/* the uid the last key file was loaded for */
	unsigned loads;		/* key files loaded */
};
static struct tc_world tc_world;

static inline int tc_user_uid(void *arg, const char *name, uid_t *uid)
{
	static const struct {
		const char *name;
		uid_t uid;
	} users[] = {{"eesp", 990}, {"root", 0}, {"svc", 991}};
	(void)arg;
	for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++)
		if (!strcmp(name, users[i].name) &&
		    !(tc_world.no_eesp_user && users[i].uid == 990)) {
			*uid = users[i].uid;
			return 0;
		}
	return -1;
}

static inline int tc_group_gid(void *arg, const char *name, gid_t *gid)
{
	(void)arg;
	if (!strcmp(name, "eespadm"))
		*gid = 1990;
	else if (!strcmp(name, "eesp"))
		*gid = 1991;
	else
		return -1;
	return 0;
}

static inline const char *tc_key_text(const char *path)
{
	size_t dl = strlen(TC_DIR "/");
	if (strncmp(path, TC_DIR "/", dl))
		return NULL;
	if (tc_world.extra_name && !strcmp(path + dl, tc_world.extra_name))
		return tc_world.extra_text;
	for (size_t i = 0; i < sizeof(tc_key_table) / sizeof(tc_key_table[0]); i++)
		if (!strcmp(path + dl, tc_key_table[i].name))
			return tc_key_table[i].text;
	return NULL;
}

/* As confenv.c with keyload.c, but from the table: a missing name is a
 * file error (no position), a parse error names the key file's line. */
static inline int tc_load_keys(void *arg, const char *path, uid_t uid, struct eesp_keyset **ks,
			       bool *positioned, char *err, size_t err_len)
{
	const char *text = tc_key_text(path);
	struct eesp_keyfile_error ke = {0};
	(void)arg;
	*positioned = false;
	if (!text) {
		snprintf(err, err_len, "key file %s: No such file or directory", path);
		return -1;
	}
	*ks = eesp_keyset_new();
	cr_assert_not_null(*ks);
	if (eesp_keyfile_parse(*ks, text, strlen(text), &ke)) {
		eesp_keyset_free(*ks);
		*ks = NULL;
		*positioned = true;
		snprintf(err, err_len, "%s:%u: %s", path, ke.line, ke.msg);
		return -1;
	}
	tc_world.loaded_for = uid;
	tc_world.loads++;
	return 0;
}

static const struct conf_env tc_env = {
    .user_uid = tc_user_uid, .group_gid = tc_group_gid, .load_keys = tc_load_keys};

/*
 * Skeletons: the daemon group's extra settings on line 2, the domain (or
 * psp) group's on line 5, the first peer's on line 8, the rest of the file
 * on line 10.  Each part's fixed head is on the line before it.
 */
#define TC_L_DAEMON 2
#define TC_L_SECTION 5
#define TC_L_PEER 8
#define TC_L_TAIL 10
#define TC_CONF(dhead, d, shead, s, phead, p, t)                                                   \
	"daemon: { " dhead "\n" d "\n};\n" shead "\n" s "\n};\n" phead "\n" p "\n} );\n" t "\n"

#define TC_EESP_DOMAIN "domain: { id = 0xC0FFEE01; node_id = 1; key_file = \"dom.keys\";"
#define TC_EESP_PEER                                                                               \
	"peers = ( { name = \"b\"; endpoint = \"198.51.100.2:4500\"; node_id = 2; "                \
	"allowed_ips = [ \"192.0.2.2/32\", \"2001:db8:1::2/128\" ];"
#define TC_EESP(d, s, p, t) TC_CONF("user = \"eesp\";", d, TC_EESP_DOMAIN, s, TC_EESP_PEER, p, t)

#define TC_PSP_PEER                                                                                \
	"peers = ( { name = \"b\"; endpoint = \"198.51.100.2\"; tx_spi = 0x1001; "                 \
	"rx_spi = [ 0x2001 ]; allowed_ips = [ \"192.0.2.2/32\" ];"
#define TC_PSP(d, s, p, t)                                                                         \
	TC_CONF("mode = \"psp\"; user = \"eesp\";", d, "psp: { key_file = \"psp.keys\";", s,       \
		TC_PSP_PEER, p, t)

/* profile spi: the key holder (server) and a client */
#define TC_SPI_SERVER(d, s, p, t)                                                                  \
	TC_CONF("user = \"eesp\";", d,                                                             \
		"domain: { profile = \"spi\"; key_file = \"spi-server.keys\"; spi_min = 0x1000; "  \
		"spi_max = 0x1fff;",                                                               \
		s,                                                                                 \
		"peers = ( { name = \"c\"; endpoint = \"198.51.100.3:4500\"; tx_spi = 0x1021; "    \
		"rx_spi = [ 0x1020 ]; allowed_ips = [ \"192.0.2.3/32\" ];",                        \
		p, t)
#define TC_SPI_CLIENT(d, s, p, t)                                                                  \
	TC_CONF("user = \"eesp\";", d,                                                             \
		"domain: { profile = \"spi\"; key_file = \"spi-client.keys\";", s,                 \
		"peers = ( { name = \"s\"; endpoint = \"198.51.100.4:4500\"; tx_spi = 0x1010; "    \
		"rx_spi = [ 0x1011 ]; allowed_ips = [ \"0.0.0.0/0\" ];",                           \
		p, t)

/* two domains (a proxy): a's extra settings on line 5, b's on line 7, the
 * peer's (domain a) on line 10, the rest on line 12 */
#define TC_L_DOM_A 5
#define TC_L_DOM_B 7
#define TC_L_DOMS_PEER 10
#define TC_L_DOMS_TAIL 12
#define TC_DOMS(d, a, b, p, t)                                                                     \
	"daemon: { user = \"eesp\";\n" d "\n};\n"                                                  \
	"domains = ( { name = \"a\"; id = 0xA0000001; node_id = 2; key_file = \"a.keys\";\n" a     \
	"\n}, { name = \"b\"; id = 0xB0000002; node_id = 2; key_file = \"b.keys\";\n" b "\n} );\n" \
	"peers = ( { name = \"n1\"; domain = \"a\"; endpoint = \"198.51.100.1:4500\"; "            \
	"node_id = 1; allowed_ips = [ \"192.0.2.1/32\" ];\n" p "\n} );\n" t "\n"

static inline void tc_reset(void)
{
	memset(&tc_world, 0, sizeof(tc_world));
	tc_world.loaded_for = (uid_t)-1;
}

/* A fresh world in which dom.keys holds dom_keys (NULL: the table's). */
static inline void tc_reset_keys(const char *dom_keys)
{
	tc_reset();
	tc_world.extra_name = dom_keys ? "dom.keys" : NULL;
	tc_world.extra_text = dom_keys;
}

/* Parse text; asserts success.  warn may be NULL. */
static inline struct snap *tc_parse_ok(const char *text, struct eespd_conf *c,
				       struct conf_warnings *warn)
{
	struct snap *s = NULL;
	char err[1024] = "";
	int rc = conf_parse(TC_FILE, text, TC_DIR, &tc_env, c, &s, warn, err, sizeof(err));
	cr_assert_eq(rc, 0, "refused: %s\n--- text:\n%s", err, text);
	cr_assert_not_null(s);
	return s;
}

/* Parse text expecting a refusal; the message in err. */
static inline bool tc_parse_refused(const char *text, char *err, size_t err_len)
{
	struct eespd_conf c;
	struct snap *s = (struct snap *)1;
	err[0] = 0;
	int rc = conf_parse(TC_FILE, text, TC_DIR, &tc_env, &c, &s, NULL, err, err_len);
	if (rc == 0)
		snap_free(s);
	return rc != 0 && s == NULL;
}

/* "file:line: " (line 0: "file: ") */
static inline void tc_position(const char *file, unsigned line, char *out, size_t cap)
{
	if (line)
		snprintf(out, cap, "%s:%u: ", file, line);
	else
		snprintf(out, cap, "%s: ", file);
}

/* One refusal: the text, the line the message names (0: none) in file
 * (NULL: TC_FILE), a part of the message naming the setting, and whether
 * the default user "eesp" is missing. */
struct refusal {
	const char *text;
	unsigned line;
	const char *want;
	const char *file;
	bool no_eesp_user;
};

/* Every row refused at its position with its message (all rows are
 * checked; each failure names its row). */
static inline void check_refusals(const struct refusal *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char err[1024], pos[160];
		tc_reset();
		tc_world.no_eesp_user = r[i].no_eesp_user;
		bool refused = tc_parse_refused(r[i].text, err, sizeof(err));
		tc_position(r[i].file ? r[i].file : TC_FILE, r[i].line, pos, sizeof(pos));
		cr_expect(refused, "row %zu accepted, want \"%s%s\"\n--- text:\n%s", i, pos,
			  r[i].want, r[i].text);
		if (!refused)
			continue;
		cr_expect(!strncmp(err, pos, strlen(pos)), "row %zu: want \"%s...\", got \"%s\"", i,
			  pos, err);
		cr_expect(strstr(err, r[i].want) != NULL, "row %zu: want \"%s\" in \"%s\"", i,
			  r[i].want, err);
	}
}

/* A test of its own for each table of refusals. */
#define REFUSAL_TEST(suite, name, rows)                                                            \
	Test(suite, name)                                                                          \
	{                                                                                          \
		check_refusals(rows, sizeof(rows) / sizeof(rows[0]));                              \
	}

#endif
