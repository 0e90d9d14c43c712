/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * packet-eesp.c - Wireshark 4.0 plugin: EESP v0 with the eesp stateless
 * context option, and Google PSP, both over UDP.
 *
 * The wire format and every KDF input come from ../src/core/eesp_proto.h,
 * the same header the daemon uses; only the primitives differ (libgcrypt
 * here, OpenSSL in the core).  Keys come from a key file preference
 * (eesp.keyfile, the format of src/core/keys.h) and from the UAT table
 * eesp_keys; each UAT row is turned into a key-file line and parsed by the
 * same parser, so both paths accept exactly the same things.
 */

#include <wireshark.h>
#include <epan/packet.h>
#include <epan/prefs.h>
#include <epan/uat.h>
#include <epan/expert.h>
#include <epan/ipproto.h>
#include <wsutil/report_message.h>
#include <wsutil/wsgcrypt.h>

#include <stdio.h>

#include "../src/core/eesp_proto.h"
#include "../src/core/keyfile.h"

#define EESP_PLUGIN_VERSION "0.1.0"

WS_DLL_PUBLIC_DEF const gchar plugin_version[] = EESP_PLUGIN_VERSION;
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;
WS_DLL_PUBLIC void plugin_register(void);

/* ------------------------------------------------------------ registry -- */

static int proto_eesp = -1;
static int proto_psp = -1;

static dissector_handle_t eesp_handle;
static dissector_handle_t psp_handle;
static dissector_handle_t ip_handle;
static dissector_handle_t eesp_port_handle; /* protocol-less wrapper on the EESP port */
static dissector_handle_t prev_port_handle; /* what was there (udpencap on 4500) */
static guint pref_eesp_port = EESP_UDP_PORT;
static guint cur_eesp_port;
static dissector_table_t ip_proto_table;

/* EESP header fields */
static int hf_eesp_first_bit = -1;
static int hf_eesp_version = -1;
static int hf_eesp_reserved = -1;
static int hf_eesp_optlen = -1;
static int hf_eesp_session_id = -1;
static int hf_eesp_spi = -1;
static int hf_eesp_options = -1;
static int hf_eesp_option = -1;
static int hf_eesp_option_type = -1;
static int hf_eesp_option_len = -1;
static int hf_eesp_option_data = -1;
static int hf_eesp_pad = -1;
static int hf_eesp_co = -1;
static int hf_eesp_co_payload_offset = -1;
static int hf_eesp_co_crypt_offset = -1;
static int hf_eesp_co_reserved = -1;
static int hf_eesp_sctx_profile = -1;
static int hf_eesp_sctx_kdf = -1;
static int hf_eesp_sctx_suite = -1;
static int hf_eesp_sctx_flags = -1;
static int hf_eesp_sctx_flags_tenant = -1;
static int hf_eesp_sctx_flags_group = -1;
static int hf_eesp_sctx_flags_reserved = -1;
static int hf_eesp_sctx_phase = -1;
static int hf_eesp_sctx_phase_domain = -1;
static int hf_eesp_sctx_phase_tenant = -1;
static int hf_eesp_sctx_phase_group = -1;
static int hf_eesp_sctx_phase_reserved = -1;
static int hf_eesp_sctx_epoch = -1;
static int hf_eesp_sctx_tenant_id = -1;
static int hf_eesp_sctx_group_id = -1;
static int hf_eesp_sctx_node_id = -1;
static int hf_eesp_sctx_peer_node_id = -1;
static int hf_eesp_sn = -1;
static int hf_eesp_pih = -1;
static int hf_eesp_pih_zero = -1;
static int hf_eesp_pih_reserved = -1;
static int hf_eesp_pih_next_header = -1;
static int hf_eesp_pih_pad_length = -1;
static int hf_eesp_exposed = -1;
static int hf_eesp_payload = -1;
static int hf_eesp_icv = -1;
static int hf_eesp_padding = -1;
static int hf_eesp_decrypted = -1;
static int hf_eesp_data_key = -1;
static int hf_eesp_salt = -1;
static int hf_eesp_key_source = -1;
static int hf_eesp_key_info = -1;

/* PSP header fields */
static int hf_psp_nexthdr = -1;
static int hf_psp_hdrextlen = -1;
static int hf_psp_reserved = -1;
static int hf_psp_cryptoffset = -1;
static int hf_psp_s = -1;
static int hf_psp_d = -1;
static int hf_psp_version = -1;
static int hf_psp_v = -1;
static int hf_psp_one = -1;
static int hf_psp_spi = -1;
static int hf_psp_spi_keyselector = -1;
static int hf_psp_iv = -1;
static int hf_psp_vc = -1;
static int hf_psp_ext = -1;
static int hf_psp_exposed = -1;
static int hf_psp_payload = -1;
static int hf_psp_icv = -1;
static int hf_psp_decrypted = -1;
static int hf_psp_data_key = -1;
static int hf_psp_key_source = -1;

/* GSO trains (eesp_proto.h): one item per train, an index per datagram */
static int hf_eesp_train = -1;
static int hf_eesp_train_count = -1;
static int hf_eesp_train_size = -1;
static int hf_eesp_train_last = -1;
static int hf_eesp_train_index = -1;
static int hf_psp_train = -1;
static int hf_psp_train_count = -1;
static int hf_psp_train_size = -1;
static int hf_psp_train_last = -1;
static int hf_psp_train_index = -1;

static gint ett_eesp = -1;
static gint ett_eesp_options = -1;
static gint ett_eesp_option = -1;
static gint ett_eesp_flags = -1;
static gint ett_eesp_phase = -1;
static gint ett_eesp_co = -1;
static gint ett_eesp_pih = -1;
static gint ett_eesp_decrypted = -1;
static gint ett_psp = -1;
static gint ett_psp_decrypted = -1;
static gint ett_eesp_train = -1;
static gint ett_psp_train = -1;

static expert_field ei_eesp_no_key = EI_INIT;
static expert_field ei_eesp_unknown_generation = EI_INIT;
static expert_field ei_eesp_auth_failed = EI_INIT;
static expert_field ei_eesp_malformed = EI_INIT;
static expert_field ei_eesp_decrypted = EI_INIT;
static expert_field ei_psp_no_key = EI_INIT;
static expert_field ei_psp_auth_failed = EI_INIT;
static expert_field ei_psp_malformed = EI_INIT;
static expert_field ei_psp_decrypted = EI_INIT;

static const value_string eesp_option_vals[] = {
    {EESP_OPT_PAD1, "Pad1"},
    {EESP_OPT_PADN, "PadN"},
    {EESP_OPT_CRYPT_OFFSET, "Crypt Offset"},
    {EESP_OPT_SCTX, "Stateless Context"},
    {0, NULL},
};

static const value_string eesp_profile_vals[] = {
    {EESP_PROFILE_SPI, "spi"},
    {EESP_PROFILE_NODE, "node"},
    {EESP_PROFILE_PAIR, "pair"},
    {EESP_PROFILE_TENANT, "tenant"},
    {0, NULL},
};

static const value_string eesp_kdf_vals[] = {
    {EESP_KDF_CMAC_AES256, "SP 800-108 counter, AES-256-CMAC"},
    {EESP_KDF_HMAC_SHA256, "SP 800-108 counter, HMAC-SHA256"},
    {0, NULL},
};

static const value_string eesp_suite_vals[] = {
    {EESP_SUITE_AES_GCM_128, "AES-GCM-128"},
    {EESP_SUITE_AES_GCM_256, "AES-GCM-256"},
    {0, NULL},
};

static const value_string psp_version_vals[] = {
    {0, "AES-GCM-128"}, {1, "AES-GCM-256"}, {2, "AES-GMAC-128"}, {3, "AES-GMAC-256"}, {0, NULL},
};

/* ------------------------------------------------------------- keys -- */

enum ekey_kind { EKEY_ROOT, EKEY_PSP_MASTER, EKEY_SA_EESP, EKEY_SA_PSP };

typedef struct {
	enum ekey_kind kind;
	gboolean any_domain; /* root key given before any "domain" line */
	guint32 domain;	     /* domain id (= SPI of profiles node/pair/tenant) */
	guint level;	     /* EESP_LEVEL_* (roots); 0/1 for PSP masters */
	guint32 id;	     /* tenant / group id */
	guint32 generation;
	guint32 spi; /* SA keys */
	guint8 key[32];
	guint key_len;
	guint8 salt[EESP_SALT_LEN];
	const char *source; /* "keyfile" or "UAT" (static strings) */
} ekey_t;

static GArray *ekeys; /* of ekey_t, rebuilt by eesp_keys_reload() */
static gboolean ekeys_dirty = TRUE;

static const char *pref_keyfile = "";

/* UAT table eesp_keys, like ESP's esp_sa. */
typedef struct {
	char *spi;
	char *level;
	char *id;
	char *generation;
	char *key;
} uat_eesp_key_t;

static uat_eesp_key_t *uat_eesp_keys;
static guint num_uat_eesp_keys;

/* Key-file lines are parsed by the core's parser (keyfile.h), the one eespd uses. */
struct kf_scope {
	gboolean any_domain;
	guint32 domain;
};

/* Parse one line; *have is set when e was filled.  Returns FALSE with err. */
static gboolean kf_line(const char *line, struct kf_scope *scope, ekey_t *e, gboolean *have,
			char *err, size_t errlen)
{
	struct eesp_keyfile_entry k;
	gboolean ok = eesp_keyfile_line(line, strlen(line), &k, err, errlen) == 0;

	*have = FALSE;
	memset(e, 0, sizeof(*e));
	if (ok) {
		switch (k.kind) {
		case EESP_KF_EMPTY:
			break;
		case EESP_KF_DOMAIN:
			scope->any_domain = FALSE;
			scope->domain = k.spi;
			break;
		case EESP_KF_ROOT:
			e->kind = EKEY_ROOT;
			e->any_domain = scope->any_domain;
			e->domain = scope->domain;
			e->level = k.level;
			e->id = k.id;
			e->generation = k.generation;
			*have = TRUE;
			break;
		case EESP_KF_PSP:
			e->kind = EKEY_PSP_MASTER;
			e->level = k.psp_index;
			*have = TRUE;
			break;
		case EESP_KF_SA_EESP:
		case EESP_KF_SA_PSP:
			e->kind = k.kind == EESP_KF_SA_EESP ? EKEY_SA_EESP : EKEY_SA_PSP;
			e->spi = k.spi;
			memcpy(e->salt, k.salt, sizeof(e->salt));
			*have = TRUE;
			break;
		}
		if (*have) {
			memcpy(e->key, k.key, k.key_len);
			e->key_len = (guint)k.key_len;
		}
	}
	memset(&k, 0, sizeof(k));
	return ok;
}

/* Parse a whole buffer into ekeys (if add).  Returns FALSE with line/err. */
static gboolean kf_buffer(const char *buf, const char *source, gboolean add, guint *bad_line,
			  char *err, size_t errlen)
{
	struct kf_scope scope = {TRUE, 0};
	gchar **lines = g_strsplit(buf, "\n", -1);
	gboolean ok = TRUE;
	for (guint i = 0; lines[i]; i++) {
		ekey_t e;
		gboolean have;
		if (!kf_line(lines[i], &scope, &e, &have, err, errlen)) {
			*bad_line = i + 1;
			ok = FALSE;
			break;
		}
		if (have && add) {
			e.source = source;
			g_array_append_val(ekeys, e);
		}
		memset(&e, 0, sizeof(e));
	}
	g_strfreev(lines);
	return ok;
}

/* A UAT row as key-file text (so UAT and key file share one parser). */
static gchar *uat_row_text(const uat_eesp_key_t *r, char *err, size_t errlen)
{
	const char *spi = r->spi ? r->spi : "";
	const char *level = r->level ? r->level : "";
	const char *id = r->id && *r->id ? r->id : "0";
	const char *gen = r->generation && *r->generation ? r->generation : "0";
	const char *key = r->key ? r->key : "";
	gboolean any = !*spi || !strcmp(spi, "*");

	if (!strcmp(level, "domain") || !strcmp(level, "tenant") || !strcmp(level, "group")) {
		if (any)
			return g_strdup_printf("%s %s %s %s\n", level, id, gen, key);
		return g_strdup_printf("domain %s\n%s %s %s %s\n", spi, level, id, gen, key);
	}
	if (!strcmp(level, "psp"))
		return g_strdup_printf("psp %s %s\n", id, key);
	if (!strcmp(level, "sa-psp"))
		return g_strdup_printf("sa psp %s %s\n", spi, key);
	if (!strcmp(level, "sa-eesp")) {
		size_t n = strlen(key);
		if (n != 40 && n != 72) {
			g_snprintf(err, errlen,
				   "sa-eesp key must be data key || salt (40 or 72 hex digits)");
			return NULL;
		}
		return g_strdup_printf("sa eesp %s %.*s %s\n", spi, (int)(n - 8), key, key + n - 8);
	}
	g_snprintf(err, errlen, "level must be domain, tenant, group, psp, sa-eesp or sa-psp");
	return NULL;
}

static void ekeys_wipe(void)
{
	if (!ekeys)
		return;
	if (ekeys->len)
		memset(ekeys->data, 0, ekeys->len * sizeof(ekey_t));
	g_array_set_size(ekeys, 0);
}

static void eesp_load_keyfile(const char *path)
{
	char err[160];
	guint line = 0;
	gchar *buf = NULL;
	gsize len = 0;
	GError *gerr = NULL;

	if (!g_file_get_contents(path, &buf, &len, &gerr)) {
		report_failure("EESP: cannot read key file \"%s\": %s", path,
			       gerr ? gerr->message : "?");
		if (gerr)
			g_error_free(gerr);
		return;
	}
	if (!kf_buffer(buf, "keyfile", TRUE, &line, err, sizeof(err)))
		report_failure("EESP: key file \"%s\" line %u: %s (keys after it ignored)", path,
			       line, err);
	memset(buf, 0, len);
	g_free(buf);
}

static gint cmp_str(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A directory (e.g. a domain directory): every regular file in it, sorted. */
static void eesp_load_keydir(const char *path)
{
	GDir *d = g_dir_open(path, 0, NULL);
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	const char *n;
	if (!d) {
		report_failure("EESP: cannot open key directory \"%s\"", path);
		g_ptr_array_free(names, TRUE);
		return;
	}
	while ((n = g_dir_read_name(d)) != NULL) {
		gchar *full = g_build_filename(path, n, NULL);
		if (n[0] != '.' && !g_str_has_suffix(n, "~") &&
		    g_file_test(full, G_FILE_TEST_IS_REGULAR))
			g_ptr_array_add(names, full);
		else
			g_free(full);
	}
	g_dir_close(d);
	g_ptr_array_sort(names, cmp_str);
	for (guint i = 0; i < names->len; i++)
		eesp_load_keyfile((const char *)g_ptr_array_index(names, i));
	g_ptr_array_free(names, TRUE);
}

static void eesp_keys_reload(void)
{
	char err[160];
	guint line = 0;

	if (!ekeys)
		ekeys = g_array_new(FALSE, TRUE, sizeof(ekey_t));
	ekeys_wipe();

	if (pref_keyfile && *pref_keyfile) {
		if (g_file_test(pref_keyfile, G_FILE_TEST_IS_DIR))
			eesp_load_keydir(pref_keyfile);
		else
			eesp_load_keyfile(pref_keyfile);
	}
	for (guint i = 0; i < num_uat_eesp_keys; i++) {
		gchar *txt = uat_row_text(&uat_eesp_keys[i], err, sizeof(err));
		if (!txt || !kf_buffer(txt, "UAT", TRUE, &line, err, sizeof(err)))
			report_failure("EESP: key table row %u: %s", i + 1, err);
		if (txt) {
			memset(txt, 0, strlen(txt));
			g_free(txt);
		}
	}
	ekeys_dirty = FALSE;
}

static void eesp_init(void)
{
	if (ekeys_dirty || !ekeys)
		eesp_keys_reload();
}

static void eesp_cleanup(void)
{
	ekeys_wipe();
	ekeys_dirty = TRUE;
}

static void eesp_update_port(void)
{
	dissector_table_t udp = find_dissector_table("udp.port");
	if (cur_eesp_port) {
		if (prev_port_handle)
			dissector_add_uint("udp.port", cur_eesp_port, prev_port_handle);
		else
			dissector_delete_uint("udp.port", cur_eesp_port, eesp_port_handle);
	}
	cur_eesp_port = pref_eesp_port;
	prev_port_handle = NULL;
	if (cur_eesp_port) {
		prev_port_handle = udp ? dissector_get_uint_handle(udp, cur_eesp_port) : NULL;
		if (prev_port_handle == eesp_port_handle || prev_port_handle == eesp_handle)
			prev_port_handle = NULL;
		dissector_add_uint("udp.port", cur_eesp_port, eesp_port_handle);
	}
}

static void eesp_prefs_apply(void)
{
	ekeys_dirty = TRUE;
	if (eesp_port_handle)
		eesp_update_port();
}

UAT_CSTRING_CB_DEF(uat_eesp_keys, spi, uat_eesp_key_t)
UAT_CSTRING_CB_DEF(uat_eesp_keys, level, uat_eesp_key_t)
UAT_CSTRING_CB_DEF(uat_eesp_keys, id, uat_eesp_key_t)
UAT_CSTRING_CB_DEF(uat_eesp_keys, generation, uat_eesp_key_t)
UAT_CSTRING_CB_DEF(uat_eesp_keys, key, uat_eesp_key_t)

static void *uat_eesp_keys_copy_cb(void *dst_, const void *src_, size_t len _U_)
{
	uat_eesp_key_t *d = (uat_eesp_key_t *)dst_;
	const uat_eesp_key_t *s = (const uat_eesp_key_t *)src_;
	d->spi = g_strdup(s->spi);
	d->level = g_strdup(s->level);
	d->id = g_strdup(s->id);
	d->generation = g_strdup(s->generation);
	d->key = g_strdup(s->key);
	return d;
}

static gboolean uat_eesp_keys_update_cb(void *r_, char **err)
{
	uat_eesp_key_t *r = (uat_eesp_key_t *)r_;
	char msg[160];
	guint line = 0;
	gchar *txt = uat_row_text(r, msg, sizeof(msg));
	gboolean ok = txt && kf_buffer(txt, "UAT", FALSE, &line, msg, sizeof(msg));
	if (txt) {
		memset(txt, 0, strlen(txt));
		g_free(txt);
	}
	if (!ok)
		*err = g_strdup(msg);
	return ok;
}

static void uat_eesp_keys_free_cb(void *r_)
{
	uat_eesp_key_t *r = (uat_eesp_key_t *)r_;
	g_free(r->spi);
	g_free(r->level);
	g_free(r->id);
	g_free(r->generation);
	if (r->key)
		memset(r->key, 0, strlen(r->key));
	g_free(r->key);
}

static void uat_eesp_keys_post_update_cb(void)
{
	ekeys_dirty = TRUE;
}

/* ----------------------------------------------------------- crypto -- */

static gboolean mac_once(int algo, const guint8 *key, size_t key_len, const guint8 *msg,
			 size_t msg_len, guint8 *out, size_t out_len)
{
	gcry_mac_hd_t h;
	size_t n = out_len;
	gboolean ok;
	if (gcry_mac_open(&h, algo, 0, NULL))
		return FALSE;
	ok = !gcry_mac_setkey(h, key, key_len) && !gcry_mac_write(h, msg, msg_len) &&
	     !gcry_mac_read(h, out, &n) && n == out_len;
	gcry_mac_close(h);
	return ok;
}

/*
 * SP 800-108 counter mode, r = 32: K(i) = PRF(key, [i]_32 || fixed).  The
 * caller builds `fixed` (label || 0x00 || context || [L]_32).
 */
static gboolean kbkdf(enum eesp_kdf prf, const guint8 *key, size_t key_len, const guint8 *fixed,
		      size_t fixed_len, guint8 *out, size_t out_len)
{
	int algo = prf == EESP_KDF_HMAC_SHA256 ? GCRY_MAC_HMAC_SHA256 : GCRY_MAC_CMAC_AES;
	size_t blk = prf == EESP_KDF_HMAC_SHA256 ? 32 : 16;
	guint8 msg[4 + 64], k[32];
	size_t done = 0;
	if (fixed_len > sizeof(msg) - 4)
		return FALSE;
	memcpy(msg + 4, fixed, fixed_len);
	for (guint32 i = 1; done < out_len; i++) {
		size_t take = MIN(blk, out_len - done);
		eesp_put32(msg, i);
		if (!mac_once(algo, key, key_len, msg, 4 + fixed_len, k, blk))
			return FALSE;
		memcpy(out + done, k, take);
		done += take;
	}
	memset(k, 0, sizeof(k));
	return TRUE;
}

/* psp.md §2 */
static gboolean psp_derive(const guint8 master[PSP_MASTER_KEY_LEN], guint32 spi, guint version,
			   guint8 *out)
{
	guint8 fixed[PSP_KDF_LABEL_LEN + 4 + 4];
	size_t key_len = version == PSP_VER_AES_GCM_256 ? 32 : 16;
	psp_kdf_label(fixed, version);
	eesp_put32(fixed + 4, spi);
	eesp_put32(fixed + 8, (guint32)(key_len * 8));
	return kbkdf(EESP_KDF_CMAC_AES256, master, PSP_MASTER_KEY_LEN, fixed, sizeof(fixed), out,
		     key_len);
}

/* Master key: the HMAC-SHA256 chain of eesp_proto.h. */
static gboolean eesp_master(const guint8 *domain_root, const guint8 *tenant_root, guint32 tenant_id,
			    const guint8 *group_root, guint32 group_id,
			    guint8 master[EESP_MASTER_KEY_LEN])
{
	guint8 msg[EESP_MASTER_MSG_MAX], m[EESP_MASTER_KEY_LEN];
	size_t n = eesp_master_msg(msg, EESP_LEVEL_DOMAIN, 0, NULL);
	gboolean ok =
	    mac_once(GCRY_MAC_HMAC_SHA256, domain_root, EESP_ROOT_KEY_LEN, msg, n, m, sizeof(m));
	if (ok && tenant_root) {
		n = eesp_master_msg(msg, EESP_LEVEL_TENANT, tenant_id, m);
		ok = mac_once(GCRY_MAC_HMAC_SHA256, tenant_root, EESP_ROOT_KEY_LEN, msg, n, m,
			      sizeof(m));
	}
	if (ok && group_root) {
		n = eesp_master_msg(msg, EESP_LEVEL_GROUP, group_id, m);
		ok = mac_once(GCRY_MAC_HMAC_SHA256, group_root, EESP_ROOT_KEY_LEN, msg, n, m,
			      sizeof(m));
	}
	memcpy(master, m, sizeof(m));
	memset(m, 0, sizeof(m));
	memset(msg, 0, sizeof(msg));
	return ok;
}

/* Data key || salt (eesp_proto.h). */
static gboolean eesp_data_key(const guint8 master[EESP_MASTER_KEY_LEN], guint kdf, guint suite,
			      guint32 spi, guint16 session_id, const guint8 *sctx, size_t sctx_len,
			      guint8 *key_out, guint8 salt_out[EESP_SALT_LEN])
{
	guint8 fixed[EESP_DATA_LABEL_LEN + 1 + EESP_KDF_CONTEXT_MAX + 4];
	guint8 out[EESP_MAX_DATA_KEY_LEN + EESP_SALT_LEN];
	size_t key_len = eesp_suite_key_len(suite), off = 0;
	gboolean ok;
	memcpy(fixed, EESP_DATA_LABEL, EESP_DATA_LABEL_LEN);
	off = EESP_DATA_LABEL_LEN;
	fixed[off++] = 0;
	off += eesp_kdf_context(fixed + off, spi, session_id, sctx, sctx_len);
	eesp_put32(fixed + off, (guint32)(8 * (key_len + EESP_SALT_LEN)));
	off += 4;
	ok = kbkdf((enum eesp_kdf)kdf, master, EESP_MASTER_KEY_LEN, fixed, off, out,
		   key_len + EESP_SALT_LEN);
	memcpy(key_out, out, key_len);
	memcpy(salt_out, out + key_len, EESP_SALT_LEN);
	memset(out, 0, sizeof(out));
	return ok;
}

/* AES-GCM open; pt gets ct_len bytes.  TRUE iff the tag verifies. */
static gboolean gcm_open(const guint8 *key, size_t key_len, const guint8 nonce[12],
			 const guint8 *aad, size_t aad_len, const guint8 *ct, size_t ct_len,
			 const guint8 tag[16], guint8 *pt)
{
	gcry_cipher_hd_t h;
	gboolean ok;
	int algo = key_len == 32 ? GCRY_CIPHER_AES256 : GCRY_CIPHER_AES128;
	if (gcry_cipher_open(&h, algo, GCRY_CIPHER_MODE_GCM, 0))
		return FALSE;
	ok = !gcry_cipher_setkey(h, key, key_len) && !gcry_cipher_setiv(h, nonce, 12) &&
	     !gcry_cipher_authenticate(h, aad, aad_len) &&
	     (ct_len == 0 || !gcry_cipher_decrypt(h, pt, ct_len, ct, ct_len)) &&
	     !gcry_cipher_checktag(h, tag, 16);
	gcry_cipher_close(h);
	if (!ok && ct_len)
		memset(pt, 0, ct_len);
	return ok;
}

/* --------------------------------------------------------- helpers -- */

/* Hand a decrypted inner packet to the right dissector. */
static void dissect_inner(tvbuff_t *inner, packet_info *pinfo, proto_tree *tree, guint nh,
			  gboolean by_version)
{
	if (by_version) {
		call_dissector(ip_handle, inner, pinfo, tree);
		return;
	}
	if (!ip_proto_table || !dissector_try_uint(ip_proto_table, nh, inner, pinfo, tree))
		call_data_dissector(inner, pinfo, tree);
}

/* ------------------------------------------------------------- EESP -- */

enum try_result { TRY_NONE, TRY_NO_KEY, TRY_UNKNOWN_GEN, TRY_AUTH_FAILED, TRY_OK };

struct eesp_pkt {
	guint32 spi;
	guint16 session_id;
	struct eesp_sctx sctx;
	const guint8 *sctx_data;
	size_t sctx_len;
	guint64 sn;
	const guint8 *aad;
	size_t aad_len;
	const guint8 *ct;
	size_t ct_len;
	const guint8 *tag;
	/* result */
	guint8 key[32];
	size_t key_len;
	guint8 salt[EESP_SALT_LEN];
	const char *source;
	gchar *info;   /* which roots were used (pinfo->pool) */
	gchar *reason; /* why no key (pinfo->pool) */
};

static gboolean eesp_try_key(struct eesp_pkt *p, const guint8 *key, size_t key_len,
			     const guint8 salt[EESP_SALT_LEN], guint8 *pt)
{
	guint8 nonce[EESP_NONCE_LEN];
	eesp_nonce(nonce, salt, p->sn);
	if (!gcm_open(key, key_len, nonce, p->aad, p->aad_len, p->ct, p->ct_len, p->tag, pt))
		return FALSE;
	memcpy(p->key, key, key_len);
	p->key_len = key_len;
	memcpy(p->salt, salt, EESP_SALT_LEN);
	return TRUE;
}

/* Candidate roots of one level in one domain scope, matching phase (and id). */
static guint eesp_roots(const ekey_t *dom, guint level, guint32 id, guint phase, const ekey_t **out,
			guint cap, gboolean *any_gen)
{
	guint n = 0;
	*any_gen = FALSE;
	for (guint i = 0; i < ekeys->len; i++) {
		const ekey_t *k = &g_array_index(ekeys, ekey_t, i);
		if (k->kind != EKEY_ROOT || k->level != level)
			continue;
		/* domain roots: this scope only; tenant/group roots: this scope or
		 * given without a domain (apply to every domain) */
		if (level == EESP_LEVEL_DOMAIN
			? (k->any_domain != dom->any_domain ||
			   (!dom->any_domain && k->domain != dom->domain))
			: (!k->any_domain && (dom->any_domain || k->domain != dom->domain)))
			continue;
		if (level != EESP_LEVEL_DOMAIN && k->id != id)
			continue;
		*any_gen = TRUE;
		if (k->generation % EESP_PHASES == phase && n < cap)
			out[n++] = k;
	}
	return n;
}

static enum try_result eesp_decrypt(packet_info *pinfo, struct eesp_pkt *p, guint8 *pt)
{
	enum try_result res = TRY_NONE;
	size_t key_len = eesp_suite_key_len(p->sctx.suite);
	gboolean have_t = p->sctx.flags & EESP_SCTX_FLAG_T;
	gboolean have_g = p->sctx.flags & EESP_SCTX_FLAG_G;
	guint attempts = 0;

#define NOTE(r, ...)                                                                               \
	do {                                                                                       \
		if ((r) >= res) {                                                                  \
			res = (r);                                                                 \
			p->reason = wmem_strdup_printf(pinfo->pool, __VA_ARGS__);                  \
		}                                                                                  \
	} while (0)

	/* 1. Out-of-band data keys (profile spi: what the client holds). */
	for (guint i = 0; i < ekeys->len; i++) {
		const ekey_t *k = &g_array_index(ekeys, ekey_t, i);
		if (k->kind != EKEY_SA_EESP || k->spi != p->spi || k->key_len != key_len)
			continue;
		if (eesp_try_key(p, k->key, k->key_len, k->salt, pt)) {
			p->source = k->source;
			p->info = wmem_strdup_printf(pinfo->pool, "sa eesp 0x%08x", p->spi);
			return TRY_OK;
		}
		NOTE(TRY_AUTH_FAILED,
		     "authentication failed with the out-of-band key of SPI 0x%08x", p->spi);
	}

	/* 2. Root keys.  Each distinct domain scope is tried; for profiles
	 * node/pair/tenant the domain id is the SPI, for profile spi any domain
	 * may own the SPI (ranges are not in the key file), so all are tried. */
	for (guint i = 0; i < ekeys->len && attempts < 32; i++) {
		const ekey_t *dom = &g_array_index(ekeys, ekey_t, i);
		const ekey_t *rd[4], *rt[4], *rg[4];
		guint nd, nt = 1, ng = 1;
		gboolean any_gen, seen = FALSE;

		if (dom->kind != EKEY_ROOT || dom->level != EESP_LEVEL_DOMAIN)
			continue;
		if (!dom->any_domain && p->sctx.profile != EESP_PROFILE_SPI &&
		    dom->domain != p->spi)
			continue;
		/* only the first domain root of each scope drives the loop */
		for (guint j = 0; j < i && !seen; j++) {
			const ekey_t *o = &g_array_index(ekeys, ekey_t, j);
			seen = o->kind == EKEY_ROOT && o->level == EESP_LEVEL_DOMAIN &&
			       o->any_domain == dom->any_domain &&
			       (dom->any_domain || o->domain == dom->domain);
		}
		if (seen)
			continue;

		nd = eesp_roots(dom, EESP_LEVEL_DOMAIN, 0, p->sctx.phase[0], rd, 4, &any_gen);
		if (!nd) {
			NOTE(TRY_UNKNOWN_GEN, "no domain root key generation with phase %u",
			     p->sctx.phase[0]);
			continue;
		}
		if (have_t) {
			nt = eesp_roots(dom, EESP_LEVEL_TENANT, p->sctx.tenant_id, p->sctx.phase[1],
					rt, 4, &any_gen);
			if (!nt) {
				if (any_gen)
					NOTE(TRY_UNKNOWN_GEN,
					     "no root key generation with phase %u for tenant %u",
					     p->sctx.phase[1], p->sctx.tenant_id);
				else
					NOTE(TRY_NO_KEY, "no root key for tenant %u",
					     p->sctx.tenant_id);
				continue;
			}
		}
		if (have_g) {
			ng = eesp_roots(dom, EESP_LEVEL_GROUP, p->sctx.group_id, p->sctx.phase[2],
					rg, 4, &any_gen);
			if (!ng) {
				if (any_gen)
					NOTE(TRY_UNKNOWN_GEN,
					     "no root key generation with phase %u for group %u",
					     p->sctx.phase[2], p->sctx.group_id);
				else
					NOTE(TRY_NO_KEY, "no root key for group %u",
					     p->sctx.group_id);
				continue;
			}
		}
		for (guint a = 0; a < nd; a++)
			for (guint b = 0; b < nt; b++)
				for (guint c = 0; c < ng; c++) {
					guint8 master[EESP_MASTER_KEY_LEN], key[32], salt[4];
					gboolean ok;
					attempts++;
					ok = eesp_master(rd[a]->key, have_t ? rt[b]->key : NULL,
							 p->sctx.tenant_id,
							 have_g ? rg[c]->key : NULL,
							 p->sctx.group_id, master) &&
					     eesp_data_key(master, p->sctx.kdf, p->sctx.suite,
							   p->spi, p->session_id, p->sctx_data,
							   p->sctx_len, key, salt) &&
					     eesp_try_key(p, key, key_len, salt, pt);
					memset(master, 0, sizeof(master));
					memset(key, 0, sizeof(key));
					if (ok) {
						GString *s = g_string_new(NULL);
						if (rd[a]->any_domain)
							g_string_append_printf(s, "domain (any)");
						else
							g_string_append_printf(s, "domain 0x%08x",
									       rd[a]->domain);
						g_string_append_printf(s, " gen %u",
								       rd[a]->generation);
						if (have_t)
							g_string_append_printf(
							    s, ", tenant %u gen %u", rt[b]->id,
							    rt[b]->generation);
						if (have_g)
							g_string_append_printf(
							    s, ", group %u gen %u", rg[c]->id,
							    rg[c]->generation);
						p->info = wmem_strdup(pinfo->pool, s->str);
						g_string_free(s, TRUE);
						p->source = rd[a]->source;
						return TRY_OK;
					}
					NOTE(TRY_AUTH_FAILED,
					     "authentication failed (wrong root key, or corrupted "
					     "packet)");
				}
	}
	if (res == TRY_NONE) {
		if (p->sctx.profile == EESP_PROFILE_SPI)
			NOTE(TRY_NO_KEY, "no root key and no out-of-band key for SPI 0x%08x",
			     p->spi);
		else
			NOTE(TRY_NO_KEY, "no root key for domain 0x%08x", p->spi);
	}
#undef NOTE
	return res;
}

static void eesp_add_sctx(tvbuff_t *tvb, proto_tree *t, guint off, guint len,
			  const struct eesp_sctx *c, gboolean valid)
{
	static int *const flags[] = {&hf_eesp_sctx_flags_tenant, &hf_eesp_sctx_flags_group,
				     &hf_eesp_sctx_flags_reserved, NULL};
	static int *const phases[] = {&hf_eesp_sctx_phase_domain, &hf_eesp_sctx_phase_tenant,
				      &hf_eesp_sctx_phase_group, &hf_eesp_sctx_phase_reserved,
				      NULL};
	guint o = off + EESP_SCTX_FIXED_LEN;
	if (len < 1)
		return;
	proto_tree_add_item(t, hf_eesp_sctx_profile, tvb, off, 1, ENC_BIG_ENDIAN);
	if (len < 2)
		return;
	proto_tree_add_item(t, hf_eesp_sctx_kdf, tvb, off + 1, 1, ENC_BIG_ENDIAN);
	proto_tree_add_item(t, hf_eesp_sctx_suite, tvb, off + 1, 1, ENC_BIG_ENDIAN);
	if (len < 3)
		return;
	proto_tree_add_bitmask(t, tvb, off + 2, hf_eesp_sctx_flags, ett_eesp_flags, flags,
			       ENC_BIG_ENDIAN);
	if (len < 4)
		return;
	proto_tree_add_bitmask(t, tvb, off + 3, hf_eesp_sctx_phase, ett_eesp_phase, phases,
			       ENC_BIG_ENDIAN);
	if (len < 8)
		return;
	proto_tree_add_item(t, hf_eesp_sctx_epoch, tvb, off + 4, 4, ENC_BIG_ENDIAN);
	if (!valid)
		return;
	if (c->flags & EESP_SCTX_FLAG_T) {
		proto_tree_add_item(t, hf_eesp_sctx_tenant_id, tvb, o, 4, ENC_BIG_ENDIAN);
		o += 4;
	}
	if (c->flags & EESP_SCTX_FLAG_G) {
		proto_tree_add_item(t, hf_eesp_sctx_group_id, tvb, o, 4, ENC_BIG_ENDIAN);
		o += 4;
	}
	if (eesp_profile_has_node(c->profile)) {
		proto_tree_add_item(t, hf_eesp_sctx_node_id, tvb, o, 4, ENC_BIG_ENDIAN);
		o += 4;
	}
	if (c->profile == EESP_PROFILE_PAIR)
		proto_tree_add_item(t, hf_eesp_sctx_peer_node_id, tvb, o, 4, ENC_BIG_ENDIAN);
}

static const char *sctx_verdict_str(enum eesp_sctx_verdict v)
{
	switch (v) {
	case EESP_SCTX_OK:
		return "ok";
	case EESP_SCTX_BAD_LEN:
		return "option length does not match profile and level flags";
	case EESP_SCTX_BAD_PROFILE:
		return "unknown profile";
	case EESP_SCTX_BAD_KDF:
		return "unknown KDF";
	case EESP_SCTX_BAD_SUITE:
		return "unknown AEAD suite";
	case EESP_SCTX_BAD_FLAGS:
		return "reserved bits set, tenant profile without T, or phase of an absent level";
	}
	return "?";
}

/* Length of the IPv4/IPv6 packet at off (within avail bytes), 0 if it is
 * none: the rule of src/core/packet.c ip_len_of. */
static guint eesp_ip_len(tvbuff_t *tvb, guint off, guint avail)
{
	guint v = avail ? tvb_get_guint8(tvb, off) >> 4 : 0, ihl, tl;

	if (v == 4 && avail >= 20) {
		ihl = (tvb_get_guint8(tvb, off) & 0x0f) * 4u;
		tl = tvb_get_ntohs(tvb, off + 2);
		return ihl >= 20 && tl >= ihl && tl <= avail ? tl : 0;
	}
	if (v == 6 && avail >= 40) {
		tl = 40u + tvb_get_ntohs(tvb, off + 4);
		return tl <= avail ? tl : 0;
	}
	return 0;
}

/*
 * The full-format payload of a decrypted packet, checked as eespd checks it
 * (src/core/packet.c, eesp.7 RECEIVE PROCESSING 22-23): NULL if the Payload
 * Info Header and the padding are valid (*inner_len set), else the message
 * of the expert info, starting with the drop reason eespd counts.
 */
static const char *eesp_check_full_payload(tvbuff_t *dtvb, guint dlen, guint *inner_len,
					   packet_info *pinfo)
{
	guint nh, pad, payload, v, il;

	if (tvb_get_ntohs(dtvb, 0))
		return "bad_payload_info: the 0x0 nibble and the 12 reserved bits must be 0";
	nh = tvb_get_guint8(dtvb, 2);
	pad = tvb_get_guint8(dtvb, 3);
	if (nh != EESP_PIH_NH_IPV4 && nh != EESP_PIH_NH_IPV6)
		return wmem_strdup_printf(pinfo->pool,
					  "bad_payload_info: Next Header %u is not 4 or 41", nh);
	if (pad > dlen - EESP_PIH_LEN)
		return wmem_strdup_printf(pinfo->pool,
					  "bad_payload_info: Pad Length %u exceeds the %u bytes "
					  "after the header",
					  pad, dlen - EESP_PIH_LEN);
	payload = dlen - EESP_PIH_LEN - pad;
	v = payload ? tvb_get_guint8(dtvb, EESP_PIH_LEN) >> 4 : 0;
	if (payload && v != (nh == EESP_PIH_NH_IPV4 ? 4u : 6u))
		return wmem_strdup_printf(pinfo->pool,
					  "bad_payload_info: Next Header %u, but the inner packet "
					  "starts with version %u",
					  nh, v);
	il = eesp_ip_len(dtvb, EESP_PIH_LEN, payload);
	if (!il || il != payload)
		return wmem_strdup_printf(pinfo->pool,
					  "bad_inner: no IPv4/IPv6 packet that ends where the %u "
					  "bytes of padding start (%u bytes after the header)",
					  pad, payload);
	*inner_len = il;
	return NULL;
}

static void eesp_add_pih(tvbuff_t *tvb, proto_tree *t, guint off)
{
	proto_item *pi = proto_tree_add_item(t, hf_eesp_pih, tvb, off, EESP_PIH_LEN, ENC_NA);
	proto_tree *pt = proto_item_add_subtree(pi, ett_eesp_pih);
	proto_tree_add_item(pt, hf_eesp_pih_zero, tvb, off, 4, ENC_BIG_ENDIAN);
	proto_tree_add_item(pt, hf_eesp_pih_reserved, tvb, off, 4, ENC_BIG_ENDIAN);
	proto_tree_add_item(pt, hf_eesp_pih_next_header, tvb, off + 2, 1, ENC_BIG_ENDIAN);
	proto_tree_add_item(pt, hf_eesp_pih_pad_length, tvb, off + 3, 1, ENC_BIG_ENDIAN);
}

/*
 * One EESP datagram.  In a GSO train (n > 1) tvb is the subset of datagram
 * idx (1-based) of n, and its tree item says so.
 */
static int dissect_eesp_pdu(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, guint idx, guint n)
{
	guint len = tvb_reported_length(tvb);
	proto_item *ti, *vi, *ri, *opts_item = NULL, *sn_item, *tail_item = NULL;
	proto_tree *et, *ot;
	guint8 b0, optlen;
	guint opt_end, off, hdr_len, ct_off;
	gboolean bad = FALSE, sctx_found = FALSE, has_co = FALSE;
	guint sctx_off = 0, sctx_len = 0, po = 0, co = 0;
	struct eesp_sctx sctx;
	struct eesp_pkt p;
	guint16 session_id;
	guint32 spi;
	guint64 sn;

	col_set_str(pinfo->cinfo, COL_PROTOCOL, "EESP");
	col_clear(pinfo->cinfo, COL_INFO);
	ti = proto_tree_add_item(tree, proto_eesp, tvb, 0, -1, ENC_NA);
	et = proto_item_add_subtree(ti, ett_eesp);
	if (n > 1) {
		proto_item *xi;
		proto_item_append_text(ti, " (GSO train datagram %u of %u)", idx, n);
		xi = proto_tree_add_uint(et, hf_eesp_train_index, tvb, 0, 0, idx);
		proto_item_set_generated(xi);
	}
	memset(&sctx, 0, sizeof(sctx));

	if (len < EESP_BASE_LEN) {
		expert_add_info_format(pinfo, ti, &ei_eesp_malformed,
				       "Truncated: %u bytes, base header needs 8", len);
		col_set_str(pinfo->cinfo, COL_INFO, "EESP (truncated)");
		return tvb_captured_length(tvb);
	}
	b0 = tvb_get_guint8(tvb, 0);
	proto_tree_add_item(et, hf_eesp_first_bit, tvb, 0, 1, ENC_BIG_ENDIAN);
	vi = proto_tree_add_item(et, hf_eesp_version, tvb, 0, 1, ENC_BIG_ENDIAN);
	ri = proto_tree_add_item(et, hf_eesp_reserved, tvb, 0, 1, ENC_BIG_ENDIAN);
	optlen = tvb_get_guint8(tvb, 1);
	proto_tree_add_item(et, hf_eesp_optlen, tvb, 1, 1, ENC_BIG_ENDIAN);
	proto_tree_add_item(et, hf_eesp_session_id, tvb, 2, 2, ENC_BIG_ENDIAN);
	proto_tree_add_item(et, hf_eesp_spi, tvb, 4, 4, ENC_BIG_ENDIAN);
	session_id = tvb_get_ntohs(tvb, 2);
	spi = tvb_get_ntohl(tvb, 4);
	col_add_fstr(pinfo->cinfo, COL_INFO, "EESP SPI=0x%08x Session=%u", spi, session_id);
	proto_item_append_text(ti, ", SPI: 0x%08x, Session ID: %u", spi, session_id);

	if (!(b0 & EESP_FIRST_BIT)) {
		expert_add_info_format(pinfo, ti, &ei_eesp_malformed,
				       "First bit is 0: this is ESP, not EESP");
		return tvb_captured_length(tvb);
	}
	if (((b0 >> EESP_VERSION_SHIFT) & EESP_VERSION_MASK) != EESP_VERSION) {
		expert_add_info_format(pinfo, vi, &ei_eesp_malformed,
				       "Unsupported EESP version %u (only 0 is defined)",
				       (b0 >> EESP_VERSION_SHIFT) & EESP_VERSION_MASK);
		return tvb_captured_length(tvb);
	}
	if (b0 & EESP_RESERVED_MASK) {
		expert_add_info_format(pinfo, ri, &ei_eesp_malformed,
				       "Reserved bits are not 0 (receivers drop this packet)");
		bad = TRUE;
	}

	opt_end = EESP_BASE_LEN + optlen;
	if (optlen) {
		opts_item = proto_tree_add_item(et, hf_eesp_options, tvb, EESP_BASE_LEN,
						MIN(optlen, len - EESP_BASE_LEN), ENC_NA);
	}
	if (opt_end > len) {
		expert_add_info_format(pinfo, opts_item ? opts_item : ti, &ei_eesp_malformed,
				       "Opt Len %u runs past the end of the packet", optlen);
		return tvb_captured_length(tvb);
	}
	ot = opts_item ? proto_item_add_subtree(opts_item, ett_eesp_options) : NULL;
	off = EESP_BASE_LEN;
	while (off < opt_end) {
		guint8 type = tvb_get_guint8(tvb, off), olen;
		proto_item *oi;
		proto_tree *oit;
		if (type == EESP_OPT_PAD1) {
			oi = proto_tree_add_item(ot, hf_eesp_option, tvb, off, 1, ENC_NA);
			proto_item_set_text(oi, "Option: Pad1");
			oit = proto_item_add_subtree(oi, ett_eesp_option);
			proto_tree_add_item(oit, hf_eesp_option_type, tvb, off, 1, ENC_BIG_ENDIAN);
			proto_tree_add_item(oit, hf_eesp_pad, tvb, off, 1, ENC_NA);
			off++;
			continue;
		}
		if (off + 2 > opt_end ||
		    off + 2 + (olen = tvb_get_guint8(tvb, off + 1)) > opt_end) {
			oi = proto_tree_add_item(ot, hf_eesp_option, tvb, off, opt_end - off,
						 ENC_NA);
			expert_add_info_format(pinfo, oi, &ei_eesp_malformed,
					       "Option overruns the options area");
			bad = TRUE;
			break;
		}
		oi = proto_tree_add_item(ot, hf_eesp_option, tvb, off, 2 + olen, ENC_NA);
		proto_item_set_text(oi, "Option: %s",
				    val_to_str_const(type, eesp_option_vals, "Unknown"));
		oit = proto_item_add_subtree(oi, ett_eesp_option);
		proto_tree_add_item(oit, hf_eesp_option_type, tvb, off, 1, ENC_BIG_ENDIAN);
		proto_tree_add_item(oit, hf_eesp_option_len, tvb, off + 1, 1, ENC_BIG_ENDIAN);
		switch (type) {
		case EESP_OPT_PADN:
			if (olen)
				proto_tree_add_item(oit, hf_eesp_pad, tvb, off + 2, olen, ENC_NA);
			break;
		case EESP_OPT_CRYPT_OFFSET:
			if (olen != EESP_OPT_CRYPT_OFFSET_DATA_LEN) {
				expert_add_info_format(pinfo, oi, &ei_eesp_malformed,
						       "Crypt Offset option data must be 2 bytes");
				bad = TRUE;
			} else if (has_co) {
				expert_add_info_format(pinfo, oi, &ei_eesp_malformed,
						       "Duplicate Crypt Offset option");
				bad = TRUE;
			} else {
				static int *const cof[] = {&hf_eesp_co_payload_offset,
							   &hf_eesp_co_crypt_offset,
							   &hf_eesp_co_reserved, NULL};
				guint16 v = tvb_get_ntohs(tvb, off + 2);
				proto_tree_add_bitmask(oit, tvb, off + 2, hf_eesp_co, ett_eesp_co,
						       cof, ENC_BIG_ENDIAN);
				has_co = TRUE;
				po = eesp_co_payload_offset(v);
				co = eesp_co_crypt_offset(v);
				proto_item_append_text(oi, " (payload offset %u, crypt offset %u)",
						       po * 4, co * 4);
			}
			break;
		case EESP_OPT_SCTX: {
			enum eesp_sctx_verdict v;
			struct eesp_sctx c;
			const guint8 *d = tvb_get_ptr(tvb, off + 2, olen);
			v = eesp_sctx_decode(d, olen, &c);
			eesp_add_sctx(tvb, oit, off + 2, olen, &c, v == EESP_SCTX_OK);
			if (sctx_found) {
				expert_add_info_format(pinfo, oi, &ei_eesp_malformed,
						       "Duplicate Stateless Context option");
				bad = TRUE;
			} else if (v != EESP_SCTX_OK) {
				expert_add_info_format(pinfo, oi, &ei_eesp_malformed,
						       "Bad Stateless Context option: %s",
						       sctx_verdict_str(v));
				bad = TRUE;
			} else {
				sctx_found = TRUE;
				sctx = c;
				sctx_off = off + 2;
				sctx_len = olen;
				proto_item_append_text(
				    oi, " (profile %s, epoch %u)",
				    val_to_str_const(c.profile, eesp_profile_vals, "?"), c.epoch);
			}
			break;
		}
		default:
			if (olen)
				proto_tree_add_item(oit, hf_eesp_option_data, tvb, off + 2, olen,
						    ENC_NA);
			break;
		}
		off += 2 + olen;
	}

	/* Peer header */
	if (opt_end + EESP_PEER_LEN > len) {
		expert_add_info_format(pinfo, ti, &ei_eesp_malformed,
				       "Truncated: no room for the 8-byte peer header (SN)");
		return tvb_captured_length(tvb);
	}
	sn_item = proto_tree_add_item(et, hf_eesp_sn, tvb, opt_end, 8, ENC_BIG_ENDIAN);
	sn = tvb_get_ntoh64(tvb, opt_end);
	col_append_fstr(pinfo->cinfo, COL_INFO, " SN=%" G_GUINT64_FORMAT, sn);
	if (sn == 0) {
		expert_add_info_format(pinfo, sn_item, &ei_eesp_malformed,
				       "Sequence number 0 is invalid (seq_zero)");
		bad = TRUE;
	} else if (sn > EESP_SN_MAX) {
		expert_add_info_format(pinfo, sn_item, &ei_eesp_malformed,
				       "seq_max: sequence number 2^64-1 is never sent");
		bad = TRUE;
	}
	hdr_len = opt_end + EESP_PEER_LEN;
	ct_off = hdr_len;
	if (has_co) {
		if (po * 4 != hdr_len) {
			expert_add_info_format(pinfo, ti, &ei_eesp_malformed,
					       "Payload Offset %u bytes does not match the Payload "
					       "Info Header position %u",
					       po * 4, hdr_len);
			bad = TRUE;
		}
		ct_off = hdr_len + co * 4;
	}
	if (ct_off + EESP_ICV_LEN > len ||
	    (has_co && hdr_len + EESP_PIH_LEN + EESP_ICV_LEN > len)) {
		expert_add_info_format(
		    pinfo, ti, &ei_eesp_malformed,
		    "Truncated: crypt offset or ICV beyond the end of the packet");
		return tvb_captured_length(tvb);
	}
	if (has_co && co >= 1) {
		eesp_add_pih(tvb, et, hdr_len);
		if (ct_off > hdr_len + EESP_PIH_LEN)
			proto_tree_add_item(et, hf_eesp_exposed, tvb, hdr_len + EESP_PIH_LEN,
					    ct_off - hdr_len - EESP_PIH_LEN, ENC_NA);
	}
	if (ct_off < len - EESP_ICV_LEN)
		tail_item = proto_tree_add_item(et, hf_eesp_payload, tvb, ct_off,
						len - EESP_ICV_LEN - ct_off, ENC_NA);
	proto_tree_add_item(et, hf_eesp_icv, tvb, len - EESP_ICV_LEN, EESP_ICV_LEN, ENC_NA);

	if (!sctx_found) {
		expert_add_info_format(
		    pinfo, ti, &ei_eesp_malformed,
		    "No Stateless Context option (type 0xE0): cannot derive a key");
		return tvb_captured_length(tvb);
	}
	col_append_fstr(pinfo->cinfo, COL_INFO, " profile=%s epoch=%u",
			val_to_str_const(sctx.profile, eesp_profile_vals, "?"), sctx.epoch);
	if (bad)
		return tvb_captured_length(tvb);
	if (tvb_captured_length(tvb) < len) {
		expert_add_info_format(pinfo, ti, &ei_eesp_malformed,
				       "Packet not fully captured: cannot decrypt");
		return tvb_captured_length(tvb);
	}

	/* Decrypt */
	memset(&p, 0, sizeof(p));
	p.spi = spi;
	p.session_id = session_id;
	p.sctx = sctx;
	p.sctx_data = tvb_get_ptr(tvb, sctx_off, sctx_len);
	p.sctx_len = sctx_len;
	p.sn = sn;
	p.aad = tvb_get_ptr(tvb, 0, ct_off);
	p.aad_len = ct_off;
	p.ct_len = len - EESP_ICV_LEN - ct_off;
	p.ct = tvb_get_ptr(tvb, ct_off, p.ct_len);
	p.tag = tvb_get_ptr(tvb, len - EESP_ICV_LEN, EESP_ICV_LEN);
	{
		guint clear_len = ct_off - hdr_len;
		guint dlen = clear_len + (guint)p.ct_len;
		guint8 *dbuf = (guint8 *)wmem_alloc0(pinfo->pool, MAX(dlen, 1));
		enum try_result r = eesp_decrypt(pinfo, &p, dbuf + clear_len);
		proto_item *di;
		tvbuff_t *dtvb;
		proto_tree *dt;

		if (r != TRY_OK) {
			expert_field *ei = r == TRY_AUTH_FAILED	  ? &ei_eesp_auth_failed
					   : r == TRY_UNKNOWN_GEN ? &ei_eesp_unknown_generation
								  : &ei_eesp_no_key;
			di = proto_tree_add_boolean(et, hf_eesp_decrypted, tvb, 0, 0, FALSE);
			proto_item_set_generated(di);
			expert_add_info_format(pinfo, tail_item ? tail_item : ti, ei, "%s",
					       p.reason ? p.reason : "no key");
			col_append_str(pinfo->cinfo, COL_INFO,
				       r == TRY_AUTH_FAILED ? " [auth failed]" : " [no key]");
			return tvb_captured_length(tvb);
		}
		di = proto_tree_add_boolean(et, hf_eesp_decrypted, tvb, 0, 0, TRUE);
		proto_item_set_generated(di);
		di = proto_tree_add_bytes_with_length(et, hf_eesp_data_key, tvb, 0, 0, p.key,
						      (gint)p.key_len);
		proto_item_set_generated(di);
		di = proto_tree_add_bytes_with_length(et, hf_eesp_salt, tvb, 0, 0, p.salt,
						      EESP_SALT_LEN);
		proto_item_set_generated(di);
		di = proto_tree_add_string(et, hf_eesp_key_source, tvb, 0, 0, p.source);
		proto_item_set_generated(di);
		if (p.info) {
			di = proto_tree_add_string(et, hf_eesp_key_info, tvb, 0, 0, p.info);
			proto_item_set_generated(di);
		}
		expert_add_info_format(pinfo, ti, &ei_eesp_decrypted, "Decrypted with %s (%s)",
				       p.info ? p.info : "?", p.source);

		if (clear_len)
			tvb_memcpy(tvb, dbuf, hdr_len, clear_len);
		dtvb = tvb_new_child_real_data(tvb, dbuf, dlen, dlen);
		add_new_data_source(pinfo, dtvb, "Decrypted EESP");
		di = proto_tree_add_item(et, proto_eesp, dtvb, 0, -1, ENC_NA);
		proto_item_set_text(di, "Decrypted EESP payload (%u bytes)", dlen);
		dt = proto_item_add_subtree(di, ett_eesp_decrypted);

		if (has_co) {
			guint8 nh, padlen;
			guint inner_len = 0;
			const char *why;
			if (dlen < EESP_PIH_LEN) {
				expert_add_info_format(pinfo, di, &ei_eesp_malformed,
						       "No room for the Payload Info Header");
				return tvb_captured_length(tvb);
			}
			if (co == 0)
				eesp_add_pih(dtvb, dt, 0);
			nh = tvb_get_guint8(dtvb, 2);
			padlen = tvb_get_guint8(dtvb, 3);
			why = eesp_check_full_payload(dtvb, dlen, &inner_len, pinfo);
			if (why) {
				/* eespd drops it: show the payload as data, say why */
				expert_add_info_format(pinfo, di, &ei_eesp_malformed, "%s", why);
				col_append_fstr(pinfo->cinfo, COL_INFO, " [%.*s]",
						(int)strcspn(why, ":"), why);
				call_data_dissector(tvb_new_subset_remaining(dtvb, EESP_PIH_LEN),
						    pinfo, tree);
				return tvb_captured_length(tvb);
			}
			if (padlen)
				proto_tree_add_item(dt, hf_eesp_padding, dtvb,
						    EESP_PIH_LEN + inner_len, padlen, ENC_NA);
			dissect_inner(tvb_new_subset_length(dtvb, EESP_PIH_LEN, inner_len), pinfo,
				      tree, nh, FALSE);
		} else {
			guint inner_len = eesp_ip_len(dtvb, 0, dlen);
			if (!inner_len || dlen - inner_len > 255) {
				expert_add_info_format(pinfo, di, &ei_eesp_malformed,
						       "bad_inner: decrypted payload is not an "
						       "IPv4/IPv6 packet of consistent length");
				call_data_dissector(dtvb, pinfo, tree);
				return tvb_captured_length(tvb);
			}
			if (dlen > inner_len)
				proto_tree_add_item(dt, hf_eesp_padding, dtvb, inner_len,
						    dlen - inner_len, ENC_NA);
			dissect_inner(tvb_new_subset_length(dtvb, 0, inner_len), pinfo, tree, 0,
				      TRUE);
		}
	}
	return tvb_captured_length(tvb);
}

static int dissect_psp_pdu(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, guint idx, guint n);

/*
 * A UDP payload holding a GSO train: eespd lays the datagrams of one flow end
 * to end and sends them with UDP_SEGMENT, and a capture on a veth, on a
 * sender whose NIC segments or after UDP GRO shows the unsegmented train.
 * The stride comes from the rule of eesp_proto.h (eesp_train_stride, shared
 * with eespctl decrypt); each datagram is dissected (and decrypted) as a PDU
 * of its own in the same frame.  A payload not fully captured is taken as
 * one datagram.
 */
static int dissect_train(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, gboolean psp)
{
	guint len = tvb_reported_length(tvb), s = len, n, last;
	proto_item *ti, *xi;
	proto_tree *tt;

	if (len && tvb_captured_length(tvb) == len) {
		const guint8 *p = tvb_get_ptr(tvb, 0, len);
		size_t min = psp ? psp_train_min_dgram(p, len) : eesp_train_min_dgram(p, len);
		s = (guint)eesp_train_stride(p, len, min);
	}
	if (!s || s >= len)
		return psp ? dissect_psp_pdu(tvb, pinfo, tree, 1, 1)
			   : dissect_eesp_pdu(tvb, pinfo, tree, 1, 1);
	n = (len + s - 1) / s;
	last = len - (n - 1) * s;

	col_set_str(pinfo->cinfo, COL_PROTOCOL, psp ? "PSP" : "EESP");
	col_add_fstr(pinfo->cinfo, COL_INFO, "GSO train: %u datagrams of %u bytes", n, s);
	ti = proto_tree_add_none_format(tree, psp ? hf_psp_train : hf_eesp_train, tvb, 0, -1,
					"GSO train: %u datagrams of %u bytes", n, s);
	if (last < s)
		proto_item_append_text(ti, ", the last %u", last);
	tt = proto_item_add_subtree(ti, psp ? ett_psp_train : ett_eesp_train);
	xi = proto_tree_add_uint(tt, psp ? hf_psp_train_count : hf_eesp_train_count, tvb, 0, 0, n);
	proto_item_set_generated(xi);
	xi = proto_tree_add_uint(tt, psp ? hf_psp_train_size : hf_eesp_train_size, tvb, 0, 0, s);
	proto_item_set_generated(xi);
	xi = proto_tree_add_uint(tt, psp ? hf_psp_train_last : hf_eesp_train_last, tvb, 0, 0, last);
	proto_item_set_generated(xi);

	for (guint i = 0; i < n; i++) {
		tvbuff_t *sub = tvb_new_subset_length(tvb, i * s, i + 1 < n ? s : last);
		/* each datagram (and what is inside it) appends to the Info column */
		col_append_str(pinfo->cinfo, COL_INFO, i ? " | " : ": ");
		col_set_fence(pinfo->cinfo, COL_INFO);
		if (psp)
			dissect_psp_pdu(sub, pinfo, tree, i + 1, n);
		else
			dissect_eesp_pdu(sub, pinfo, tree, i + 1, n);
	}
	return tvb_captured_length(tvb);
}

/* Does this UDP payload look like EESP with our stateless context option? */
static gboolean eesp_looks_valid(tvbuff_t *tvb)
{
	guint len = tvb_reported_length(tvb), optlen, off, end;
	if (len < EESP_BASE_LEN + 2 + EESP_SCTX_FIXED_LEN + EESP_PEER_LEN + EESP_ICV_LEN ||
	    tvb_captured_length(tvb) < EESP_BASE_LEN)
		return FALSE;
	/* 1 | version 0 | reserved 0 */
	if (tvb_get_guint8(tvb, 0) != EESP_FIRST_BIT)
		return FALSE;
	optlen = tvb_get_guint8(tvb, 1);
	end = EESP_BASE_LEN + optlen;
	if (optlen < 2 + EESP_SCTX_FIXED_LEN || end + EESP_PEER_LEN + EESP_ICV_LEN > len ||
	    tvb_captured_length(tvb) < end)
		return FALSE;
	for (off = EESP_BASE_LEN; off < end;) {
		guint8 t = tvb_get_guint8(tvb, off), l;
		struct eesp_sctx c;
		if (t == EESP_OPT_PAD1) {
			off++;
			continue;
		}
		if (off + 2 > end)
			return FALSE;
		l = tvb_get_guint8(tvb, off + 1);
		if (off + 2 + l > end)
			return FALSE;
		if (t == EESP_OPT_SCTX)
			return eesp_sctx_decode(tvb_get_ptr(tvb, off + 2, l), l, &c) ==
			       EESP_SCTX_OK;
		off += 2 + l;
	}
	return FALSE;
}

/* Decode As / explicit: always EESP (malformed if it is not). */
static int dissect_eesp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
	return dissect_train(tvb, pinfo, tree, FALSE);
}

/*
 * Registered (without a protocol, so it adds no layer of its own) on the EESP
 * UDP port, 4500 by default, which EESP shares with IKE and ESP (draft -04
 * section 6): EESP goes to eesp, the rest (keepalive, non-ESP marker, ESP)
 * to the dissector that had the port before, Wireshark's udpencap.
 */
static int dissect_eesp_port(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
	guint8 head[4] = {0};
	guint cap = tvb_captured_length(tvb);
	tvb_memcpy(tvb, head, 0, MIN(cap, 4));
	if (eesp_udp_classify(head, MIN(cap, tvb_reported_length(tvb))) == EESP_UDP_EESP)
		return call_dissector_with_data(eesp_handle, tvb, pinfo, tree, data);
	if (prev_port_handle)
		return call_dissector_with_data(prev_port_handle, tvb, pinfo, tree, data);
	return 0;
}

static gboolean dissect_eesp_heur(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
				  void *data _U_)
{
	if (!eesp_looks_valid(tvb))
		return FALSE;
	dissect_train(tvb, pinfo, tree, FALSE);
	return TRUE;
}

/* -------------------------------------------------------------- PSP -- */

/* One PSP datagram; idx and n as for dissect_eesp_pdu(). */
static int dissect_psp_pdu(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, guint idx, guint n)
{
	static int *const b2[] = {&hf_psp_reserved, &hf_psp_cryptoffset, NULL};
	guint len = tvb_reported_length(tvb);
	proto_item *ti, *si, *hi, *tail_item = NULL, *di;
	proto_tree *pt;
	guint8 nh, hel, b3, version, co;
	guint hdr_len, ct_off, key_len;
	guint32 spi;
	gboolean bad = FALSE;

	if (len < 4)
		return 0;
	col_set_str(pinfo->cinfo, COL_PROTOCOL, "PSP");
	col_clear(pinfo->cinfo, COL_INFO);
	ti = proto_tree_add_item(tree, proto_psp, tvb, 0, -1, ENC_NA);
	pt = proto_item_add_subtree(ti, ett_psp);
	if (n > 1) {
		proto_item *xi;
		proto_item_append_text(ti, " (GSO train datagram %u of %u)", idx, n);
		xi = proto_tree_add_uint(pt, hf_psp_train_index, tvb, 0, 0, idx);
		proto_item_set_generated(xi);
	}
	if (len < PSP_HDR_LEN + PSP_ICV_LEN) {
		expert_add_info_format(pinfo, ti, &ei_psp_malformed,
				       "Truncated: %u bytes, header and ICV need 32", len);
		col_set_str(pinfo->cinfo, COL_INFO, "PSP (truncated)");
		return tvb_captured_length(tvb);
	}
	nh = tvb_get_guint8(tvb, 0);
	hel = tvb_get_guint8(tvb, 1);
	co = tvb_get_guint8(tvb, 2) & PSP_CRYPT_OFFSET_MASK;
	b3 = tvb_get_guint8(tvb, 3);
	version = (b3 >> PSP_VER_SHIFT) & PSP_VER_MASK;
	spi = tvb_get_ntohl(tvb, 4);

	proto_tree_add_item(pt, hf_psp_nexthdr, tvb, 0, 1, ENC_BIG_ENDIAN);
	hi = proto_tree_add_item(pt, hf_psp_hdrextlen, tvb, 1, 1, ENC_BIG_ENDIAN);
	proto_tree_add_bitmask_list(pt, tvb, 2, 1, b2, ENC_BIG_ENDIAN);
	proto_tree_add_item(pt, hf_psp_s, tvb, 3, 1, ENC_BIG_ENDIAN);
	proto_tree_add_item(pt, hf_psp_d, tvb, 3, 1, ENC_BIG_ENDIAN);
	proto_tree_add_item(pt, hf_psp_version, tvb, 3, 1, ENC_BIG_ENDIAN);
	proto_tree_add_item(pt, hf_psp_v, tvb, 3, 1, ENC_BIG_ENDIAN);
	di = proto_tree_add_item(pt, hf_psp_one, tvb, 3, 1, ENC_BIG_ENDIAN);
	if (!(b3 & PSP_ALWAYS_1)) {
		expert_add_info_format(pinfo, di, &ei_psp_malformed, "The always-1 bit is 0");
		bad = TRUE;
	}
	si = proto_tree_add_item(pt, hf_psp_spi, tvb, 4, 4, ENC_BIG_ENDIAN);
	proto_tree_add_item(pt, hf_psp_spi_keyselector, tvb, 4, 4, ENC_BIG_ENDIAN);
	proto_tree_add_item(pt, hf_psp_iv, tvb, 8, 8, ENC_BIG_ENDIAN);
	col_add_fstr(pinfo->cinfo, COL_INFO, "PSP SPI=0x%08x IV=%" G_GUINT64_FORMAT, spi,
		     tvb_get_ntoh64(tvb, 8));
	proto_item_append_text(ti, ", SPI: 0x%08x, %s", spi,
			       val_to_str_const(version, psp_version_vals, "reserved version"));
	if (!(spi & ~PSP_SPI_KEY_SELECTOR)) {
		expert_add_info_format(pinfo, si, &ei_psp_malformed,
				       "SPI low 31 bits are 0 (reserved)");
		bad = TRUE;
	}
	hdr_len = 8 + 8 * (guint)hel;
	if (hel < PSP_HDR_EXT_LEN_MIN || ((b3 & PSP_FLAG_V) && hel < PSP_HDR_EXT_LEN_WITH_VC)) {
		expert_add_info_format(pinfo, hi, &ei_psp_malformed,
				       "Hdr Ext Len %u is too small%s", hel,
				       (b3 & PSP_FLAG_V) ? " for a header with a VC" : "");
		return tvb_captured_length(tvb);
	}
	ct_off = PSP_HDR_LEN + co * PSP_CRYPT_OFFSET_UNITS;
	if (hdr_len + PSP_ICV_LEN > len || ct_off + PSP_ICV_LEN > len) {
		expert_add_info_format(pinfo, ti, &ei_psp_malformed,
				       "Truncated: header, crypt offset or ICV beyond the end");
		return tvb_captured_length(tvb);
	}
	if (b3 & PSP_FLAG_V)
		proto_tree_add_item(pt, hf_psp_vc, tvb, PSP_HDR_LEN, PSP_VC_LEN, ENC_BIG_ENDIAN);
	{
		guint ext_start = PSP_HDR_LEN + ((b3 & PSP_FLAG_V) ? PSP_VC_LEN : 0);
		if (hdr_len > ext_start)
			proto_tree_add_item(pt, hf_psp_ext, tvb, ext_start, hdr_len - ext_start,
					    ENC_NA);
	}
	if (ct_off > hdr_len)
		proto_tree_add_item(pt, hf_psp_exposed, tvb, hdr_len, ct_off - hdr_len, ENC_NA);
	if (ct_off < len - PSP_ICV_LEN)
		tail_item = proto_tree_add_item(pt, hf_psp_payload, tvb, ct_off,
						len - PSP_ICV_LEN - ct_off, ENC_NA);
	proto_tree_add_item(pt, hf_psp_icv, tvb, len - PSP_ICV_LEN, PSP_ICV_LEN, ENC_NA);

	if (version > PSP_VER_AES_GCM_256) {
		expert_add_info_format(pinfo, ti, &ei_psp_malformed,
				       version <= 3 ? "PSP version %u (AES-GMAC) is not decrypted"
						    : "Reserved PSP version %u",
				       version);
		return tvb_captured_length(tvb);
	}
	if (bad)
		return tvb_captured_length(tvb);
	if (tvb_captured_length(tvb) < len) {
		expert_add_info_format(pinfo, ti, &ei_psp_malformed,
				       "Packet not fully captured: cannot decrypt");
		return tvb_captured_length(tvb);
	}

	key_len = version == PSP_VER_AES_GCM_256 ? 32 : 16;
	{
		const guint8 *aad = tvb_get_ptr(tvb, 0, ct_off);
		guint ct_len = len - PSP_ICV_LEN - ct_off;
		const guint8 *ct = tvb_get_ptr(tvb, ct_off, ct_len);
		const guint8 *tag = tvb_get_ptr(tvb, len - PSP_ICV_LEN, PSP_ICV_LEN);
		const guint8 *nonce = tvb_get_ptr(tvb, 4, 12); /* SPI || IV */
		guint clear_len = ct_off - PSP_HDR_LEN;
		guint dlen = clear_len + ct_len;
		guint8 *dbuf = (guint8 *)wmem_alloc0(pinfo->pool, MAX(dlen, 1));
		guint8 key[32];
		const char *source = NULL, *how = NULL;
		gboolean tried = FALSE, ok = FALSE;
		tvbuff_t *dtvb;
		proto_tree *dt;

		for (guint i = 0; i < ekeys->len && !ok; i++) {
			const ekey_t *k = &g_array_index(ekeys, ekey_t, i);
			if (k->kind != EKEY_SA_PSP || k->spi != spi || k->key_len != key_len)
				continue;
			tried = TRUE;
			if (gcm_open(k->key, key_len, nonce, aad, ct_off, ct, ct_len, tag,
				     dbuf + clear_len)) {
				memcpy(key, k->key, key_len);
				source = k->source;
				how = "out-of-band SA key";
				ok = TRUE;
			}
		}
		for (guint i = 0; i < ekeys->len && !ok; i++) {
			const ekey_t *k = &g_array_index(ekeys, ekey_t, i);
			if (k->kind != EKEY_PSP_MASTER ||
			    k->level != ((spi & PSP_SPI_KEY_SELECTOR) ? 1u : 0u))
				continue;
			tried = TRUE;
			if (psp_derive(k->key, spi, version, key) &&
			    gcm_open(key, key_len, nonce, aad, ct_off, ct, ct_len, tag,
				     dbuf + clear_len)) {
				source = k->source;
				how =
				    (spi & PSP_SPI_KEY_SELECTOR) ? "master key 1" : "master key 0";
				ok = TRUE;
			}
		}
		if (!ok) {
			di = proto_tree_add_boolean(pt, hf_psp_decrypted, tvb, 0, 0, FALSE);
			proto_item_set_generated(di);
			if (tried)
				expert_add_info_format(
				    pinfo, tail_item ? tail_item : ti, &ei_psp_auth_failed,
				    "Authentication failed (wrong key or corrupted "
				    "packet)");
			else
				expert_add_info_format(
				    pinfo, tail_item ? tail_item : ti, &ei_psp_no_key,
				    "No master key %u and no SA key for SPI 0x%08x",
				    (spi & PSP_SPI_KEY_SELECTOR) ? 1 : 0, spi);
			col_append_str(pinfo->cinfo, COL_INFO,
				       tried ? " [auth failed]" : " [no key]");
			memset(key, 0, sizeof(key));
			return tvb_captured_length(tvb);
		}
		di = proto_tree_add_boolean(pt, hf_psp_decrypted, tvb, 0, 0, TRUE);
		proto_item_set_generated(di);
		di = proto_tree_add_bytes_with_length(pt, hf_psp_data_key, tvb, 0, 0, key, key_len);
		proto_item_set_generated(di);
		di = proto_tree_add_string(pt, hf_psp_key_source, tvb, 0, 0, source);
		proto_item_set_generated(di);
		expert_add_info_format(pinfo, ti, &ei_psp_decrypted, "Decrypted with %s (%s)", how,
				       source);
		memset(key, 0, sizeof(key));

		if (clear_len)
			tvb_memcpy(tvb, dbuf, PSP_HDR_LEN, clear_len);
		dtvb = tvb_new_child_real_data(tvb, dbuf, dlen, dlen);
		add_new_data_source(pinfo, dtvb, "Decrypted PSP");
		di = proto_tree_add_item(pt, proto_psp, dtvb, 0, -1, ENC_NA);
		proto_item_set_text(di, "Decrypted PSP payload (%u bytes)", dlen);
		dt = proto_item_add_subtree(di, ett_psp_decrypted);
		(void)dt;
		/* inner payload starts after the header (VC and extensions) */
		dissect_inner(tvb_new_subset_remaining(dtvb, hdr_len - PSP_HDR_LEN), pinfo, tree,
			      nh, FALSE);
	}
	return tvb_captured_length(tvb);
}

/* UDP port 1000: PSP, a GSO train of PSP datagrams split first */
static int dissect_psp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
	if (tvb_reported_length(tvb) < 4)
		return 0;
	return dissect_train(tvb, pinfo, tree, TRUE);
}

/* ----------------------------------------------------- registration -- */

static void proto_register_eesp(void)
{
	static hf_register_info hf[] = {
	    {&hf_eesp_first_bit,
	     {"ESP compatibility bit", "eesp.first_bit", FT_UINT8, BASE_DEC, NULL, 0x80,
	      "Always 1 in EESP (0 = ESP)", HFILL}},
	    {&hf_eesp_version,
	     {"Version", "eesp.version", FT_UINT8, BASE_DEC, NULL, 0x78, NULL, HFILL}},
	    {&hf_eesp_reserved,
	     {"Reserved", "eesp.reserved", FT_UINT8, BASE_HEX, NULL, 0x07, "Must be 0", HFILL}},
	    {&hf_eesp_optlen,
	     {"Opt Len", "eesp.optlen", FT_UINT8, BASE_DEC, NULL, 0,
	      "Length of the options in bytes", HFILL}},
	    {&hf_eesp_session_id,
	     {"Session ID", "eesp.session_id", FT_UINT16, BASE_DEC, NULL, 0,
	      "Sub SA ID (one per sender worker)", HFILL}},
	    {&hf_eesp_spi,
	     {"SPI", "eesp.spi", FT_UINT32, BASE_HEX, NULL, 0,
	      "Trust domain id (profiles node/pair/tenant) or SA id (profile spi)", HFILL}},
	    {&hf_eesp_options,
	     {"Options", "eesp.options", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL}},
	    {&hf_eesp_option, {"Option", "eesp.option", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL}},
	    {&hf_eesp_option_type,
	     {"Type", "eesp.option.type", FT_UINT8, BASE_DEC, VALS(eesp_option_vals), 0, NULL,
	      HFILL}},
	    {&hf_eesp_option_len,
	     {"Opt Data Len", "eesp.option.len", FT_UINT8, BASE_DEC, NULL, 0, NULL, HFILL}},
	    {&hf_eesp_option_data,
	     {"Option data", "eesp.option.data", FT_BYTES, BASE_NONE, NULL, 0,
	      "Unknown option (skipped, still authenticated)", HFILL}},
	    {&hf_eesp_pad, {"Padding", "eesp.pad", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL}},
	    {&hf_eesp_co,
	     {"Crypt Offset", "eesp.crypt_offset", FT_UINT16, BASE_HEX, NULL, 0, NULL, HFILL}},
	    {&hf_eesp_co_payload_offset,
	     {"Payload Offset (4-byte units)", "eesp.crypt_offset.payload_offset", FT_UINT16,
	      BASE_DEC, NULL, 0xfc00, NULL, HFILL}},
	    {&hf_eesp_co_crypt_offset,
	     {"Crypt Offset (4-byte units)", "eesp.crypt_offset.crypt_offset", FT_UINT16, BASE_DEC,
	      NULL, 0x03f0, NULL, HFILL}},
	    {&hf_eesp_co_reserved,
	     {"Reserved", "eesp.crypt_offset.reserved", FT_UINT16, BASE_HEX, NULL, 0x000f, NULL,
	      HFILL}},
	    {&hf_eesp_sctx_profile,
	     {"Profile", "eesp.sctx.profile", FT_UINT8, BASE_DEC, VALS(eesp_profile_vals), 0, NULL,
	      HFILL}},
	    {&hf_eesp_sctx_kdf,
	     {"KDF", "eesp.sctx.kdf", FT_UINT8, BASE_DEC, VALS(eesp_kdf_vals), 0xf0, NULL, HFILL}},
	    {&hf_eesp_sctx_suite,
	     {"Suite", "eesp.sctx.suite", FT_UINT8, BASE_DEC, VALS(eesp_suite_vals), 0x0f, NULL,
	      HFILL}},
	    {&hf_eesp_sctx_flags,
	     {"Levels", "eesp.sctx.flags", FT_UINT8, BASE_HEX, NULL, 0, NULL, HFILL}},
	    {&hf_eesp_sctx_flags_tenant,
	     {"Tenant level (T)", "eesp.sctx.flags.tenant", FT_BOOLEAN, 8, NULL, EESP_SCTX_FLAG_T,
	      NULL, HFILL}},
	    {&hf_eesp_sctx_flags_group,
	     {"Group level (G)", "eesp.sctx.flags.group", FT_BOOLEAN, 8, NULL, EESP_SCTX_FLAG_G,
	      NULL, HFILL}},
	    {&hf_eesp_sctx_flags_reserved,
	     {"Reserved", "eesp.sctx.flags.reserved", FT_UINT8, BASE_HEX, NULL,
	      EESP_SCTX_FLAGS_RESERVED, NULL, HFILL}},
	    {&hf_eesp_sctx_phase,
	     {"Phases", "eesp.sctx.phase", FT_UINT8, BASE_HEX, NULL, 0,
	      "Root-key generation mod 4 per level", HFILL}},
	    {&hf_eesp_sctx_phase_domain,
	     {"Domain phase", "eesp.sctx.phase.domain", FT_UINT8, BASE_DEC, NULL, 0xc0, NULL,
	      HFILL}},
	    {&hf_eesp_sctx_phase_tenant,
	     {"Tenant phase", "eesp.sctx.phase.tenant", FT_UINT8, BASE_DEC, NULL, 0x30, NULL,
	      HFILL}},
	    {&hf_eesp_sctx_phase_group,
	     {"Group phase", "eesp.sctx.phase.group", FT_UINT8, BASE_DEC, NULL, 0x0c, NULL, HFILL}},
	    {&hf_eesp_sctx_phase_reserved,
	     {"Reserved", "eesp.sctx.phase.reserved", FT_UINT8, BASE_HEX, NULL, 0x03, NULL, HFILL}},
	    {&hf_eesp_sctx_epoch,
	     {"Epoch", "eesp.sctx.epoch", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL}},
	    {&hf_eesp_sctx_tenant_id,
	     {"Tenant ID", "eesp.sctx.tenant_id", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL}},
	    {&hf_eesp_sctx_group_id,
	     {"Group ID", "eesp.sctx.group_id", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL}},
	    {&hf_eesp_sctx_node_id,
	     {"Node ID", "eesp.sctx.node_id", FT_UINT32, BASE_DEC, NULL, 0, "The sender", HFILL}},
	    {&hf_eesp_sctx_peer_node_id,
	     {"Peer Node ID", "eesp.sctx.peer_node_id", FT_UINT32, BASE_DEC, NULL, 0,
	      "The intended receiver (profile pair)", HFILL}},
	    {&hf_eesp_sn,
	     {"Sequence Number", "eesp.sn", FT_UINT64, BASE_DEC, NULL, 0,
	      "Peer header; also the implicit IV", HFILL}},
	    {&hf_eesp_pih,
	     {"Payload Info Header", "eesp.pih", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL}},
	    {&hf_eesp_pih_zero,
	     {"Zero nibble", "eesp.pih.zero", FT_UINT32, BASE_HEX, NULL, 0xf0000000, NULL, HFILL}},
	    {&hf_eesp_pih_reserved,
	     {"Reserved", "eesp.pih.reserved", FT_UINT32, BASE_HEX, NULL, 0x0fff0000, NULL, HFILL}},
	    {&hf_eesp_pih_next_header,
	     {"Next Header", "eesp.pih.next_header", FT_UINT8, BASE_DEC | BASE_EXT_STRING,
	      &ipproto_val_ext, 0, NULL, HFILL}},
	    {&hf_eesp_pih_pad_length,
	     {"Pad Length", "eesp.pih.pad_length", FT_UINT8, BASE_DEC, NULL, 0, NULL, HFILL}},
	    {&hf_eesp_exposed,
	     {"Exposed inner bytes", "eesp.exposed", FT_BYTES, BASE_NONE, NULL, 0,
	      "Left in clear by the crypt offset (authenticated)", HFILL}},
	    {&hf_eesp_payload,
	     {"Encrypted payload", "eesp.payload", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL}},
	    {&hf_eesp_icv, {"ICV", "eesp.icv", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL}},
	    {&hf_eesp_padding,
	     {"Padding", "eesp.padding", FT_BYTES, BASE_NONE, NULL, 0,
	      "Bytes after the inner packet", HFILL}},
	    {&hf_eesp_decrypted,
	     {"Decrypted", "eesp.decrypted", FT_BOOLEAN, BASE_NONE, NULL, 0, NULL, HFILL}},
	    {&hf_eesp_data_key,
	     {"Data key", "eesp.data_key", FT_BYTES, BASE_NONE, NULL, 0,
	      "Derived per packet context", HFILL}},
	    {&hf_eesp_salt,
	     {"Salt", "eesp.salt", FT_BYTES, BASE_NONE, NULL, 0, "Nonce = salt || SN", HFILL}},
	    {&hf_eesp_key_source,
	     {"Key source", "eesp.key_source", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL}},
	    {&hf_eesp_key_info,
	     {"Root keys used", "eesp.key_info", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL}},
	    {&hf_eesp_train,
	     {"GSO train", "eesp.train", FT_NONE, BASE_NONE, NULL, 0,
	      "EESP datagrams laid end to end in one UDP payload (UDP GSO/GRO)", HFILL}},
	    {&hf_eesp_train_count,
	     {"Datagrams", "eesp.train.count", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL}},
	    {&hf_eesp_train_size,
	     {"Datagram size", "eesp.train.size", FT_UINT32, BASE_DEC, NULL, 0,
	      "Length of every datagram but the last (the GSO segment size)", HFILL}},
	    {&hf_eesp_train_last,
	     {"Last datagram size", "eesp.train.last", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL}},
	    {&hf_eesp_train_index,
	     {"Datagram of the GSO train", "eesp.train.index", FT_UINT32, BASE_DEC, NULL, 0, NULL,
	      HFILL}},
	};
	static hf_register_info hf_psp[] = {
	    {&hf_psp_nexthdr,
	     {"Next Header", "psp.nexthdr", FT_UINT8, BASE_DEC | BASE_EXT_STRING, &ipproto_val_ext,
	      0, NULL, HFILL}},
	    {&hf_psp_hdrextlen,
	     {"Hdr Ext Len", "psp.hdrextlen", FT_UINT8, BASE_DEC, NULL, 0,
	      "8-octet units after the first 8", HFILL}},
	    {&hf_psp_reserved,
	     {"Reserved", "psp.reserved", FT_UINT8, BASE_HEX, NULL, 0xc0, NULL, HFILL}},
	    {&hf_psp_cryptoffset,
	     {"Crypt Offset (4-byte units)", "psp.cryptoffset", FT_UINT8, BASE_DEC, NULL,
	      PSP_CRYPT_OFFSET_MASK, "From the end of the IV", HFILL}},
	    {&hf_psp_s, {"Sample (S)", "psp.s", FT_BOOLEAN, 8, NULL, PSP_FLAG_S, NULL, HFILL}},
	    {&hf_psp_d,
	     {"Drop after sampling (D)", "psp.d", FT_BOOLEAN, 8, NULL, PSP_FLAG_D, NULL, HFILL}},
	    {&hf_psp_version,
	     {"Version", "psp.version", FT_UINT8, BASE_DEC, VALS(psp_version_vals), 0x3c, NULL,
	      HFILL}},
	    {&hf_psp_v, {"VC present (V)", "psp.v", FT_BOOLEAN, 8, NULL, PSP_FLAG_V, NULL, HFILL}},
	    {&hf_psp_one,
	     {"Always 1", "psp.one", FT_UINT8, BASE_DEC, NULL, PSP_ALWAYS_1, NULL, HFILL}},
	    {&hf_psp_spi, {"SPI", "psp.spi", FT_UINT32, BASE_HEX, NULL, 0, NULL, HFILL}},
	    {&hf_psp_spi_keyselector,
	     {"Master key selector", "psp.spi.keyselector", FT_BOOLEAN, 32, NULL,
	      PSP_SPI_KEY_SELECTOR, "SPI bit 31: master key 1 if set", HFILL}},
	    {&hf_psp_iv, {"IV", "psp.iv", FT_UINT64, BASE_HEX, NULL, 0, NULL, HFILL}},
	    {&hf_psp_vc,
	     {"Virtualization Cookie", "psp.vc", FT_UINT64, BASE_HEX, NULL, 0, NULL, HFILL}},
	    {&hf_psp_ext,
	     {"Header extension", "psp.ext", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL}},
	    {&hf_psp_exposed,
	     {"Exposed bytes", "psp.exposed", FT_BYTES, BASE_NONE, NULL, 0,
	      "Left in clear by the crypt offset (authenticated)", HFILL}},
	    {&hf_psp_payload,
	     {"Encrypted payload", "psp.payload", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL}},
	    {&hf_psp_icv, {"ICV", "psp.icv", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL}},
	    {&hf_psp_decrypted,
	     {"Decrypted", "psp.decrypted", FT_BOOLEAN, BASE_NONE, NULL, 0, NULL, HFILL}},
	    {&hf_psp_data_key,
	     {"Data key", "psp.data_key", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL}},
	    {&hf_psp_key_source,
	     {"Key source", "psp.key_source", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL}},
	    {&hf_psp_train,
	     {"GSO train", "psp.train", FT_NONE, BASE_NONE, NULL, 0,
	      "PSP datagrams laid end to end in one UDP payload (UDP GSO/GRO)", HFILL}},
	    {&hf_psp_train_count,
	     {"Datagrams", "psp.train.count", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL}},
	    {&hf_psp_train_size,
	     {"Datagram size", "psp.train.size", FT_UINT32, BASE_DEC, NULL, 0,
	      "Length of every datagram but the last (the GSO segment size)", HFILL}},
	    {&hf_psp_train_last,
	     {"Last datagram size", "psp.train.last", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL}},
	    {&hf_psp_train_index,
	     {"Datagram of the GSO train", "psp.train.index", FT_UINT32, BASE_DEC, NULL, 0, NULL,
	      HFILL}},
	};
	static gint *ett[] = {&ett_eesp,	  &ett_eesp_options,   &ett_eesp_option,
			      &ett_eesp_flags,	  &ett_eesp_phase,     &ett_eesp_co,
			      &ett_eesp_pih,	  &ett_eesp_decrypted, &ett_psp,
			      &ett_psp_decrypted, &ett_eesp_train,     &ett_psp_train};
	static ei_register_info ei[] = {
	    {&ei_eesp_no_key,
	     {"eesp.expert.no_key", PI_DECRYPTION, PI_WARN, "No key for this packet", EXPFILL}},
	    {&ei_eesp_unknown_generation,
	     {"eesp.expert.unknown_generation", PI_DECRYPTION, PI_WARN,
	      "No root key generation matches the phase in the header", EXPFILL}},
	    {&ei_eesp_auth_failed,
	     {"eesp.expert.auth_failed", PI_DECRYPTION, PI_ERROR, "Authentication failed",
	      EXPFILL}},
	    {&ei_eesp_malformed,
	     {"eesp.expert.malformed", PI_MALFORMED, PI_ERROR, "Malformed EESP packet", EXPFILL}},
	    {&ei_eesp_decrypted,
	     {"eesp.expert.decrypted", PI_DECRYPTION, PI_CHAT, "Decrypted", EXPFILL}},
	};
	static ei_register_info ei_psp[] = {
	    {&ei_psp_no_key,
	     {"psp.expert.no_key", PI_DECRYPTION, PI_WARN, "No key for this SPI", EXPFILL}},
	    {&ei_psp_auth_failed,
	     {"psp.expert.auth_failed", PI_DECRYPTION, PI_ERROR, "Authentication failed", EXPFILL}},
	    {&ei_psp_malformed,
	     {"psp.expert.malformed", PI_MALFORMED, PI_ERROR, "Malformed PSP packet", EXPFILL}},
	    {&ei_psp_decrypted,
	     {"psp.expert.decrypted", PI_DECRYPTION, PI_CHAT, "Decrypted", EXPFILL}},
	};
	static uat_field_t key_fields[] = {
	    UAT_FLD_CSTRING(uat_eesp_keys, spi, "SPI / domain",
			    "Domain id (root keys; empty or * = any domain) or SA SPI "
			    "(sa-eesp, sa-psp); 0x.. or decimal"),
	    UAT_FLD_CSTRING(uat_eesp_keys, level, "Level",
			    "domain, tenant, group, psp (master key), sa-eesp or sa-psp "
			    "(out-of-band data key)"),
	    UAT_FLD_CSTRING(uat_eesp_keys, id, "ID",
			    "Tenant or group id (0 for domain); 0 or 1 for psp"),
	    UAT_FLD_CSTRING(uat_eesp_keys, generation, "Generation",
			    "Root key generation (phase = generation mod 4)"),
	    UAT_FLD_CSTRING(uat_eesp_keys, key, "Key",
			    "Hex: 64 digits for root/master keys; sa-psp 32/64; sa-eesp "
			    "key||salt 40/72"),
	    UAT_END_FIELDS};
	module_t *m;
	uat_t *u;
	expert_module_t *em;

	proto_eesp = proto_register_protocol("Enhanced Encapsulating Security Payload (eesp)",
					     "EESP", "eesp");
	proto_psp = proto_register_protocol("PSP Security Protocol", "PSP", "psp");
	proto_register_field_array(proto_eesp, hf, array_length(hf));
	proto_register_field_array(proto_psp, hf_psp, array_length(hf_psp));
	proto_register_subtree_array(ett, array_length(ett));
	em = expert_register_protocol(proto_eesp);
	expert_register_field_array(em, ei, array_length(ei));
	em = expert_register_protocol(proto_psp);
	expert_register_field_array(em, ei_psp, array_length(ei_psp));

	eesp_handle = register_dissector("eesp", dissect_eesp, proto_eesp);
	psp_handle = register_dissector("psp", dissect_psp, proto_psp);

	m = prefs_register_protocol(proto_eesp, eesp_prefs_apply);
	prefs_register_uint_preference(
	    m, "udp_port", "EESP UDP port",
	    "UDP port of EESP, shared with IKE and ESP (default 4500; 0 = none). "
	    "Elsewhere EESP is found by the heuristic eesp_udp (on ports no other "
	    "dissector claims) or with Decode As.",
	    10, &pref_eesp_port);
	prefs_register_filename_preference(
	    m, "keyfile", "Key file",
	    "eesp key file (domain/tenant/group root keys, psp master keys, sa lines; "
	    "see eespctl(8)). Also used for PSP.",
	    &pref_keyfile, FALSE);
	u = uat_new("EESP/PSP keys", sizeof(uat_eesp_key_t), "eesp_keys", TRUE, &uat_eesp_keys,
		    &num_uat_eesp_keys, UAT_AFFECTS_DISSECTION, NULL, uat_eesp_keys_copy_cb,
		    uat_eesp_keys_update_cb, uat_eesp_keys_free_cb, uat_eesp_keys_post_update_cb,
		    NULL, key_fields);
	prefs_register_uat_preference(m, "keys", "Key table",
				      "Root keys, PSP master keys and out-of-band data keys", u);
	prefs_register_protocol(proto_psp, eesp_prefs_apply);

	register_init_routine(eesp_init);
	register_cleanup_routine(eesp_cleanup);
}

static void proto_reg_handoff_eesp(void)
{
	ip_handle = find_dissector_add_dependency("ip", proto_eesp);
	ip_proto_table = find_dissector_table("ip.proto");
	eesp_port_handle = create_dissector_handle_with_name_and_description(
	    dissect_eesp_port, -1, "eesp_port", "EESP/IKE/ESP");
	eesp_update_port();
	dissector_add_for_decode_as("udp.port", eesp_handle);
	dissector_add_uint_with_preference("udp.port", PSP_UDP_PORT, psp_handle);
	heur_dissector_add("udp", dissect_eesp_heur, "EESP over UDP (any port)", "eesp_udp",
			   proto_eesp, HEURISTIC_ENABLE);
}

void plugin_register(void)
{
	static proto_plugin plug;
	plug.register_protoinfo = proto_register_eesp;
	plug.register_handoff = proto_reg_handoff_eesp;
	proto_register_plugin(&plug);
}
