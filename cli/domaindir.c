// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * domaindir.c - the files of a trust domain directory (domain.c describes
 * the layout): the settings of its eespd.conf skeleton as eespctl reads them
 * (domain_conf_read, with libconfig), the path of its key file, and a keyset
 * written back as key-file text (keyset_format).  The key file itself is
 * parsed by the core (eesp_keyfile_parse).
 */
#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "eespctl.h"
#include "keys.h"
#include "strbuf.h"

int domain_key_path(const char *dir, char *out, size_t cap)
{
	struct domain_conf c;
	if (domain_conf_read(dir, &c))
		return -1;
	if (c.key_file[0] == '/')
		snprintf(out, cap, "%s", c.key_file);
	else
		snprintf(out, cap, "%s/%s", dir, c.key_file);
	return 0;
}

static bool lookup_u32(const config_t *cfg, const char *path, uint32_t *v)
{
	long long x;
	if (config_lookup_int64(cfg, path, &x) != CONFIG_TRUE || x < 0 || x > UINT32_MAX)
		return false;
	*v = (uint32_t)x;
	return true;
}

int domain_conf_read(const char *dir, struct domain_conf *c)
{
	char path[PATH_MAX];
	config_t cfg;
	const char *s;
	struct stat st;

	memset(c, 0, sizeof(*c));
	c->mode = EESP_MODE_EESP;
	strcpy(c->key_file, DOMAIN_KEYS);
	c->profile = EESP_PROFILE_NODE;
	c->kdf = EESP_KDF_CMAC_AES256;
	c->suite = EESP_SUITE_AES_GCM_256;
	c->node_id = 1;
	c->spi_max = UINT32_MAX;

	if (stat(dir, &st)) {
		err("%s: not a domain directory (%s)", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		err("%s: not a domain directory (not a directory)", dir);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, DOMAIN_CONF);
	if (access(path, F_OK)) {
		/* no skeleton: a bare directory of key files */
		snprintf(path, sizeof(path), "%s/%s", dir, DOMAIN_KEYS);
		if (access(path, F_OK)) {
			snprintf(path, sizeof(path), "%s/%s", dir, DOMAIN_PSP_KEYS);
			if (!access(path, F_OK)) {
				c->mode = EESP_MODE_PSP;
				strcpy(c->key_file, DOMAIN_PSP_KEYS);
				return 0;
			}
			err("%s: not a domain directory (no %s or %s)", dir, DOMAIN_CONF,
			    DOMAIN_KEYS);
			return -1;
		}
		return 0;
	}
	config_init(&cfg);
	if (config_read_file(&cfg, path) != CONFIG_TRUE) {
		err("%s:%d: %s", path, config_error_line(&cfg), config_error_text(&cfg));
		config_destroy(&cfg);
		return -1;
	}
	if (config_lookup_string(&cfg, "daemon.mode", &s) == CONFIG_TRUE && parse_mode(s, &c->mode))
		goto bad;
	/* the key file is in the group of the mode: domain or psp */
	const char *sect = c->mode == EESP_MODE_PSP ? "psp" : "domain";
	char k[64];
	snprintf(k, sizeof(k), "%s.key_file", sect);
	if (config_lookup_string(&cfg, k, &s) == CONFIG_TRUE)
		snprintf(c->key_file, sizeof(c->key_file), "%s", s);
	else if (c->mode == EESP_MODE_PSP)
		strcpy(c->key_file, DOMAIN_PSP_KEYS);
	c->has_id = lookup_u32(&cfg, "domain.id", &c->id);
	if (config_lookup_string(&cfg, "domain.profile", &s) == CONFIG_TRUE &&
	    parse_profile(s, &c->profile))
		goto bad;
	if (config_lookup_string(&cfg, "domain.kdf", &s) == CONFIG_TRUE && parse_kdf(s, &c->kdf))
		goto bad;
	if (config_lookup_string(&cfg, "domain.suite", &s) == CONFIG_TRUE &&
	    parse_suite(s, &c->suite))
		goto bad;
	lookup_u32(&cfg, "domain.node_id", &c->node_id);
	lookup_u32(&cfg, "domain.tenant", &c->tenant);
	lookup_u32(&cfg, "domain.group", &c->group);
	lookup_u32(&cfg, "domain.epoch", &c->epoch);
	lookup_u32(&cfg, "domain.spi_min", &c->spi_min);
	lookup_u32(&cfg, "domain.spi_max", &c->spi_max);
	uint32_t co = 0;
	if (lookup_u32(&cfg, "domain.crypt_offset", &co))
		c->crypt_offset = co;
	if (lookup_u32(&cfg, "domain.max_crypt_offset", &co)) {
		if (co > 63)
			goto bad; /* eespd refuses it too */
		c->max_crypt_offset = co;
	}
	if (lookup_u32(&cfg, "psp.spi_master", &co))
		c->spi_master = co & 1;
	config_destroy(&cfg);
	return 0;
bad:
	err("%s: bad domain settings", path);
	config_destroy(&cfg);
	return -1;
}

static void format_ring(struct strbuf *b, const struct eesp_ring *r, enum eesp_level level)
{
	char hex[2 * EESP_ROOT_KEY_LEN + 1];
	for (int i = 0; i < EESP_GENS; i++) {
		if (!r->gen[i].present)
			continue;
		hex_encode(r->gen[i].key, EESP_ROOT_KEY_LEN, hex);
		/* the parser makes the highest generation current and reads the
		 * trailing "next" marker; previous is the one below current */
		strbuf_printf(b, "%s %u %u %s%s%s\t# %s, phase %u\n", level_name(level), r->id,
			      r->gen[i].generation, hex, i == EESP_GEN_NEXT ? " " : "",
			      i == EESP_GEN_NEXT ? slot_name(EESP_GEN_NEXT) : "", slot_name(i),
			      r->gen[i].generation % EESP_PHASES);
		OPENSSL_cleanse(hex, sizeof(hex));
	}
}

char *keyset_format(const struct eesp_keyset *ks, bool has_id, uint32_t id, const char *comment,
		    size_t *len)
{
	struct strbuf b = {0};
	char hex[2 * PSP_MASTER_KEY_LEN + 1];
	strbuf_printf(&b, "# %s\n# Format: src/core/keys.h; written by eespctl. Keep mode 0600.\n",
		      comment);
	if (!has_id && ks->has_domain_spi) {
		has_id = true;
		id = ks->domain_spi;
	}
	if (has_id)
		strbuf_printf(&b, "%s 0x%08x\n", level_name(EESP_LEVEL_DOMAIN), id);
	format_ring(&b, &ks->domain, EESP_LEVEL_DOMAIN);
	for (unsigned i = 0; i < ks->n_tenants; i++)
		format_ring(&b, &ks->tenant[i], EESP_LEVEL_TENANT);
	for (unsigned i = 0; i < ks->n_groups; i++)
		format_ring(&b, &ks->group[i], EESP_LEVEL_GROUP);
	for (int i = 0; i < 2; i++) {
		if (!ks->has_psp[i])
			continue;
		hex_encode(ks->psp_master[i], PSP_MASTER_KEY_LEN, hex);
		strbuf_printf(&b, "%s %d %s\n", mode_name(EESP_MODE_PSP), i, hex);
		OPENSSL_cleanse(hex, sizeof(hex));
	}
	for (unsigned i = 0; i < ks->n_sa; i++) { /* out-of-band data keys */
		const struct eesp_sa_key *sa = &ks->sa[i];
		char salt[2 * EESP_SALT_LEN + 1];
		hex_encode(sa->key, sa->key_len, hex);
		hex_encode(sa->salt, EESP_SALT_LEN, salt);
		char line[SA_LINE_MAX];
		strbuf_printf(
		    &b, "%s\n",
		    sa_line(line, sa->psp ? EESP_MODE_PSP : EESP_MODE_EESP, sa->spi, hex, salt));
		OPENSSL_cleanse(line, sizeof(line));
		OPENSSL_cleanse(hex, sizeof(hex));
		OPENSSL_cleanse(salt, sizeof(salt));
	}
	if (b.oom || !b.p) {
		strbuf_free(&b);
		err("out of memory");
		return NULL;
	}
	*len = b.len;
	return b.p;
}

const char *sa_line(char buf[SA_LINE_MAX], enum eesp_mode mode, uint32_t spi, const char *key_hex,
		    const char *salt_hex)
{
	if (mode == EESP_MODE_PSP)
		snprintf(buf, SA_LINE_MAX, "sa %s 0x%08x %s", mode_name(mode), spi, key_hex);
	else
		snprintf(buf, SA_LINE_MAX, "sa %s 0x%08x %s %s", mode_name(mode), spi, key_hex,
			 salt_hex);
	return buf;
}
