/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * eesp-keys.c - the keys of the plugin: the key file preference
 * (eesp.keyfile: a file or a directory in the format of src/core/keys.h),
 * the key table (UAT eesp_keys, like ESP's esp_sa), loading them, and
 * looking keys up for eesp-decrypt.c.
 *
 * Every key-file line is parsed by the core's parser (keyfile.h), the one
 * eespd uses, and each UAT row is first turned into key-file lines, so the
 * file, the table and the daemon accept exactly the same things.
 */

#include "packet-eesp.h"

#include <epan/uat.h>
#include <wsutil/report_message.h>

#include "../src/core/keyfile.h"

static GArray *ekeys; /* of ekey_t, rebuilt by keys_reload() */
static gboolean ekeys_dirty = TRUE;

static const char *pref_keyfile = "";

/* ---------------------------------------------------- key-file lines -- */

/* Where the root keys of the lines being read belong. */
struct kf_scope {
	gboolean any_domain; /* no "domain" line yet: every domain */
	guint32 domain;
};

/* A parsed line as a key of the table (kind EESP_KF_ROOT, _PSP, _SA_*). */
static void kf_entry_to_key(const struct eesp_keyfile_entry *k, const struct kf_scope *scope,
			    ekey_t *e)
{
	switch (k->kind) {
	case EESP_KF_ROOT:
		e->kind = EKEY_ROOT;
		e->any_domain = scope->any_domain;
		e->domain = scope->domain;
		e->level = k->level;
		e->id = k->id;
		e->generation = k->generation;
		break;
	case EESP_KF_PSP:
		e->kind = EKEY_PSP_MASTER;
		e->level = k->psp_index;
		break;
	default: /* EESP_KF_SA_EESP, EESP_KF_SA_PSP */
		e->kind = k->kind == EESP_KF_SA_EESP ? EKEY_SA_EESP : EKEY_SA_PSP;
		e->spi = k->spi;
		memcpy(e->salt, k->salt, sizeof(e->salt));
		break;
	}
	memcpy(e->key, k->key, k->key_len);
	e->key_len = (guint)k->key_len;
}

/* Parse one line; *have is set when e was filled.  Returns FALSE with err. */
static gboolean kf_line(const char *line, struct kf_scope *scope, ekey_t *e, gboolean *have,
			char *err, size_t errlen)
{
	struct eesp_keyfile_entry k;
	gboolean ok = eesp_keyfile_line(line, strlen(line), &k, err, errlen) == 0;

	*have = FALSE;
	memset(e, 0, sizeof(*e));
	if (ok && k.kind == EESP_KF_DOMAIN) {
		scope->any_domain = FALSE;
		scope->domain = k.spi;
	} else if (ok && k.kind != EESP_KF_EMPTY) {
		kf_entry_to_key(&k, scope, e);
		*have = TRUE;
	}
	memset(&k, 0, sizeof(k)); /* key bytes */
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

/* ------------------------------------------------------ the key table -- */

typedef struct {
	char *spi;
	char *level;
	char *id;
	char *generation;
	char *key;
} uat_eesp_key_t;

static uat_eesp_key_t *uat_eesp_keys;
static guint num_uat_eesp_keys;

/*
 * The words of the Level column: the key levels of names.h, the PSP master
 * key (the word of mode psp) and the out-of-band data key of each mode ("sa-"
 * and the mode's word).  Built from names.h by row_kinds_build().
 */
enum row_kind { ROW_PSP = EESP_LEVELS, ROW_SA_EESP, ROW_SA_PSP }; /* after the levels */
static char sa_word[2][16];					  /* by enum eesp_mode */
static struct eesp_name row_kinds[G_N_ELEMENTS(eesp_level_names) + 3];

static void row_kinds_build(void)
{
	guint n = 0;

	for (const struct eesp_name *l = eesp_level_names; l->word; l++)
		row_kinds[n++] = *l;
	for (guint m = EESP_MODE_EESP; m <= EESP_MODE_PSP; m++)
		g_snprintf(sa_word[m], sizeof(sa_word[m]), "sa-%s", eesp_mode_word(m));
	row_kinds[n++] = (struct eesp_name){ROW_PSP, eesp_mode_word(EESP_MODE_PSP)};
	row_kinds[n++] = (struct eesp_name){ROW_SA_EESP, sa_word[EESP_MODE_EESP]};
	row_kinds[n++] = (struct eesp_name){ROW_SA_PSP, sa_word[EESP_MODE_PSP]};
	row_kinds[n] = (struct eesp_name){0, NULL};
}

/* An sa-eesp row: the Key column holds data key || salt. */
static gchar *sa_eesp_text(const char *spi, const char *key, char *err, size_t errlen)
{
	size_t n = strlen(key);

	if (n != 40 && n != 72) {
		g_snprintf(err, errlen, "%s key must be data key || salt (40 or 72 hex digits)",
			   sa_word[EESP_MODE_EESP]);
		return NULL;
	}
	return g_strdup_printf("sa %s %s %.*s %s\n", eesp_mode_word(EESP_MODE_EESP), spi,
			       (int)(n - 8), key, key + n - 8);
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
	char words[96];
	unsigned kind;

	if (eesp_value_of(row_kinds, level, &kind)) {
		g_snprintf(err, errlen, "level must be %s",
			   eesp_names_list(row_kinds, words, sizeof(words)));
		return NULL;
	}
	switch (kind) {
	case ROW_PSP:
		return g_strdup_printf("%s %s %s\n", eesp_mode_word(EESP_MODE_PSP), id, key);
	case ROW_SA_PSP:
		return g_strdup_printf("sa %s %s %s\n", eesp_mode_word(EESP_MODE_PSP), spi, key);
	case ROW_SA_EESP:
		return sa_eesp_text(spi, key, err, errlen);
	default: /* a root key: scoped to the domain in the SPI column unless any */
		if (any)
			return g_strdup_printf("%s %s %s %s\n", level, id, gen, key);
		return g_strdup_printf("%s %s\n%s %s %s %s\n", eesp_level_word(EESP_LEVEL_DOMAIN),
				       spi, level, id, gen, key);
	}
}

static void wipe_free_str(gchar *s)
{
	if (s) {
		memset(s, 0, strlen(s));
		g_free(s);
	}
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

/* A row is checked by the parser that will load it: a bad row is refused
 * with the reason the key file would give. */
static gboolean uat_eesp_keys_update_cb(void *r_, char **err)
{
	char msg[160];
	guint line = 0;
	gchar *txt = uat_row_text((uat_eesp_key_t *)r_, msg, sizeof(msg));
	gboolean ok = txt && kf_buffer(txt, "UAT", FALSE, &line, msg, sizeof(msg));

	wipe_free_str(txt);
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
	wipe_free_str(r->key);
}

static void uat_eesp_keys_post_update_cb(void)
{
	ekeys_dirty = TRUE;
}

/* ------------------------------------------------------------ loading -- */

static void ekeys_wipe(void)
{
	if (!ekeys)
		return;
	if (ekeys->len)
		memset(ekeys->data, 0, ekeys->len * sizeof(ekey_t));
	g_array_set_size(ekeys, 0);
}

static void load_keyfile(const char *path)
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

/* A directory (e.g. a domain directory): every regular file in it, sorted,
 * skipping hidden files and editor backups (~). */
static void load_keydir(const char *path)
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
		load_keyfile((const char *)g_ptr_array_index(names, i));
	g_ptr_array_free(names, TRUE);
}

static void load_uat_rows(void)
{
	char err[160];
	guint line = 0;

	for (guint i = 0; i < num_uat_eesp_keys; i++) {
		gchar *txt = uat_row_text(&uat_eesp_keys[i], err, sizeof(err));
		if (!txt || !kf_buffer(txt, "UAT", TRUE, &line, err, sizeof(err)))
			report_failure("EESP: key table row %u: %s", i + 1, err);
		wipe_free_str(txt);
	}
}

/* The key file (or directory) first, then the table rows. */
static void keys_reload(void)
{
	if (!ekeys)
		ekeys = g_array_new(FALSE, TRUE, sizeof(ekey_t));
	ekeys_wipe();
	if (pref_keyfile && *pref_keyfile) {
		if (g_file_test(pref_keyfile, G_FILE_TEST_IS_DIR))
			load_keydir(pref_keyfile);
		else
			load_keyfile(pref_keyfile);
	}
	load_uat_rows();
	ekeys_dirty = FALSE;
}

/* Before each (re)dissection: the preferences may have changed. */
static void keys_init(void)
{
	if (ekeys_dirty || !ekeys)
		keys_reload();
}

/* After the capture file is closed: no key stays in memory. */
static void keys_cleanup(void)
{
	ekeys_wipe();
	ekeys_dirty = TRUE;
}

void eesp_keys_mark_dirty(void)
{
	ekeys_dirty = TRUE;
}

/* ------------------------------------------------------- registration -- */

/* Help texts naming the words of names.h (filled by keys_help_build). */
static char help_keyfile[192], help_spi[128], help_level[128], help_id[96], help_key[96];

static void keys_help_build(void)
{
	const char *dom = eesp_level_word(EESP_LEVEL_DOMAIN);
	const char *ten = eesp_level_word(EESP_LEVEL_TENANT);
	const char *grp = eesp_level_word(EESP_LEVEL_GROUP);
	const char *psp = eesp_mode_word(EESP_MODE_PSP);
	const char *sa_e = sa_word[EESP_MODE_EESP], *sa_p = sa_word[EESP_MODE_PSP];

	g_snprintf(help_keyfile, sizeof(help_keyfile),
		   "eesp key file (%s/%s/%s root keys, %s master keys, sa lines; see "
		   "eespctl(8)). Also used for PSP.",
		   dom, ten, grp, psp);
	g_snprintf(help_spi, sizeof(help_spi),
		   "Domain id (root keys; empty or * = any domain) or SA SPI (%s, %s); 0x.. or "
		   "decimal",
		   sa_e, sa_p);
	g_snprintf(help_level, sizeof(help_level),
		   "%s, %s, %s, %s (master key), %s or %s (out-of-band data key)", dom, ten, grp,
		   psp, sa_e, sa_p);
	g_snprintf(help_id, sizeof(help_id), "The %s or %s id (0 for %s); 0 or 1 for %s", ten, grp,
		   dom, psp);
	g_snprintf(help_key, sizeof(help_key),
		   "Hex: 64 digits for root/master keys; %s 32/64; %s key||salt 40/72", sa_p, sa_e);
}

void eesp_keys_register(module_t *m)
{
	static uat_field_t key_fields[] = {
	    UAT_FLD_CSTRING(uat_eesp_keys, spi, "SPI / domain", help_spi),
	    UAT_FLD_CSTRING(uat_eesp_keys, level, "Level", help_level),
	    UAT_FLD_CSTRING(uat_eesp_keys, id, "ID", help_id),
	    UAT_FLD_CSTRING(uat_eesp_keys, generation, "Generation",
			    "Root key generation (phase = generation mod 4)"),
	    UAT_FLD_CSTRING(uat_eesp_keys, key, "Key", help_key),
	    UAT_END_FIELDS};
	uat_t *u;

	row_kinds_build();
	keys_help_build();
	prefs_register_filename_preference(m, "keyfile", "Key file", help_keyfile, &pref_keyfile,
					   FALSE);
	/* "eesp_keys": the file in the profile and the name of -o uat:eesp_keys:... */
	u = uat_new("EESP/PSP keys", sizeof(uat_eesp_key_t), "eesp_keys", TRUE, &uat_eesp_keys,
		    &num_uat_eesp_keys, UAT_AFFECTS_DISSECTION, NULL, uat_eesp_keys_copy_cb,
		    uat_eesp_keys_update_cb, uat_eesp_keys_free_cb, uat_eesp_keys_post_update_cb,
		    NULL, key_fields);
	prefs_register_uat_preference(m, "keys", "Key table",
				      "Root keys, PSP master keys and out-of-band data keys", u);
	register_init_routine(keys_init);
	register_cleanup_routine(keys_cleanup);
}

const char EESP_SOURCE_KD[] = "IKE key download";

void eesp_keys_add_downloaded(guint32 spi, const guint8 *key, guint key_len)
{
	ekey_t e;
	if (key_len != 16 && key_len != 32)
		return;
	if (!ekeys)
		ekeys = g_array_new(FALSE, TRUE, sizeof(ekey_t));
	for (guint i = 0; i < ekeys->len; i++) {
		const ekey_t *k = &g_array_index(ekeys, ekey_t, i);
		if (k->kind == EKEY_SA_PSP && k->spi == spi && k->key_len == key_len &&
		    !memcmp(k->key, key, key_len))
			return; /* a frame dissected again */
	}
	memset(&e, 0, sizeof(e));
	e.kind = EKEY_SA_PSP;
	e.spi = spi;
	memcpy(e.key, key, key_len);
	e.key_len = key_len;
	e.source = EESP_SOURCE_KD;
	g_array_append_val(ekeys, e);
	memset(&e, 0, sizeof(e));
}

/* ------------------------------------------------------------- lookup -- */

guint eesp_keys_count(void)
{
	return ekeys ? ekeys->len : 0;
}

const ekey_t *eesp_keys_at(guint i)
{
	return &g_array_index(ekeys, ekey_t, i);
}

/* Roots a and b were given for the same domain (or both for any domain). */
static gboolean same_domain_scope(const ekey_t *a, const ekey_t *b)
{
	return a->any_domain == b->any_domain && (a->any_domain || a->domain == b->domain);
}

gboolean eesp_keys_first_of_scope(guint i)
{
	const ekey_t *dom = eesp_keys_at(i);

	for (guint j = 0; j < i; j++) {
		const ekey_t *o = eesp_keys_at(j);
		if (o->kind == EKEY_ROOT && o->level == EESP_LEVEL_DOMAIN &&
		    same_domain_scope(o, dom))
			return FALSE;
	}
	return TRUE;
}

/* Domain roots: the scope of dom only.  Tenant and group roots: the scope of
 * dom, or given without a domain (they apply to every domain). */
static gboolean root_in_scope(const ekey_t *k, const ekey_t *dom, guint level)
{
	if (level == EESP_LEVEL_DOMAIN)
		return same_domain_scope(k, dom);
	return k->any_domain || (!dom->any_domain && k->domain == dom->domain);
}

guint eesp_keys_roots(const ekey_t *dom, guint level, guint32 id, guint phase, const ekey_t **out,
		      guint cap, gboolean *any_gen)
{
	guint n = 0;

	*any_gen = FALSE;
	for (guint i = 0; i < eesp_keys_count(); i++) {
		const ekey_t *k = eesp_keys_at(i);
		if (k->kind != EKEY_ROOT || k->level != level || !root_in_scope(k, dom, level))
			continue;
		if (level != EESP_LEVEL_DOMAIN && k->id != id)
			continue;
		*any_gen = TRUE;
		if (k->generation % EESP_PHASES == phase && n < cap)
			out[n++] = k;
	}
	return n;
}
