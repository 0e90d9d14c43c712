/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_config - libFuzzer harness for the eespd configuration parser
 * (src/eespd/conf*.c through conf_parse with the text in memory, the same
 * code path as the daemon's start and reload minus libconfig's file read).
 *
 * Relative key_file paths and @include resolve in a private temporary
 * directory holding copies of the lab key files (conf/keys/ *.keys under the
 * names the shipped configurations use), so the key loading code runs on
 * real keys.  The harness must not open arbitrary files (a FIFO blocks
 * open(), some devices act on open): inputs using @include are skipped, and
 * so are inputs whose key_file (found by a libconfig pre-parse, the same
 * parser conf.c uses) is absolute, holds "..", or unusual characters.
 * Users and groups resolve to the fuzzer's own ids (no passwd lookup), key
 * files load through keyload_file as in the daemon.  On success the
 * snapshot is cloned and freed to exercise snap_clone and snap_free on
 * every parsed shape.
 */
#include <ctype.h>
#include <libconfig.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "keyload.h"
#include "log.h"
#include "snap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);
const char *__lsan_default_suppressions(void);

/* libconfig 1.5 (Debian 12's libconfig9) leaks its scanner's string buffer
 * (strbuf_append, libconfig_yylex) on some syntax errors: not eespd's memory, and not
 * fixable here (corpus: regress-libconfig-scanner-leak.conf).  Any
 * allocation made inside libconfig.so is left to libconfig; eespd's own
 * allocations are still checked. */
const char *__lsan_default_suppressions(void)
{
	return "leak:strbuf_append\nleak:libconfig_yylex\nleak:libconfig.so\n";
}

static char dir[64];

static void copy_key(const char *from, const char *to)
{
	char path[160], buf[4096];
	FILE *in = fopen(from, "rb"), *out;
	size_t n;

	if (!in)
		return;
	snprintf(path, sizeof(path), "%s/keys/%s", dir, to);
	out = fopen(path, "wb");
	if (out) {
		while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
			fwrite(buf, 1, n, out);
		fclose(out);
		chmod(path, 0600);
	}
	fclose(in);
}

static void cleanup(void)
{
	char path[160];
	static const char *const names[] = {
	    "lab.keys",	   "tunnel.keys",  "cluster.keys", "psp-a.keys", "psp-b.keys",
	    "server.keys", "client1.keys", "client2.keys", "a.keys",	 "b.keys",
	    NULL};
	for (int i = 0; names[i]; i++) {
		snprintf(path, sizeof(path), "%s/keys/%s", dir, names[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/keys", dir);
	rmdir(path);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[160];
	(void)argc;
	(void)argv;
	snprintf(dir, sizeof(dir), "/tmp/fuzz_config.XXXXXX");
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/keys", dir);
	mkdir(path, 0700);
	copy_key("conf/keys/lab.keys", "lab.keys");
	copy_key("conf/keys/lab.keys", "tunnel.keys");
	copy_key("conf/keys/lab.keys", "cluster.keys");
	copy_key("conf/keys/lab.keys", "a.keys");
	copy_key("conf/keys/lab.keys", "b.keys");
	copy_key("conf/keys/psp-a.keys", "psp-a.keys");
	copy_key("conf/keys/psp-b.keys", "psp-b.keys");
	copy_key("conf/keys/psp-a.keys", "server.keys");
	copy_key("conf/keys/psp-a.keys", "client1.keys");
	copy_key("conf/keys/psp-b.keys", "client2.keys");
	atexit(cleanup);
	log_open("fuzz_config", true, LOG_LVL_ERROR - 1); /* quiet */
	return 0;
}

static int fuzz_user_uid(void *arg, const char *name, uid_t *uid)
{
	(void)arg;
	(void)name;
	*uid = geteuid();
	return 0;
}

static int fuzz_group_gid(void *arg, const char *name, gid_t *gid)
{
	(void)arg;
	(void)name;
	*gid = getegid();
	return 0;
}

static int fuzz_load_keys(void *arg, const char *path, uid_t uid, struct eesp_keyset **ks,
			  bool *positioned, char *err, size_t err_len)
{
	(void)arg;
	int rc = keyload_file(path, keyload_reader(uid), ks, err, err_len);
	*positioned = rc == KEYLOAD_E_TEXT;
	return rc == KEYLOAD_OK ? 0 : -1;
}

static const struct conf_env fuzz_env = {
    .user_uid = fuzz_user_uid, .group_gid = fuzz_group_gid, .load_keys = fuzz_load_keys};

/* key_file is the only path the parser opens: allow only relative names of
 * [A-Za-z0-9._/-] without "..", so they resolve inside dir. */
static bool path_ok(const char *p)
{
	if (!p[0] || p[0] == '/' || strstr(p, ".."))
		return false;
	for (; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._/-", *p))
			return false;
	return true;
}

static bool walk(const config_setting_t *s)
{
	const char *n = config_setting_name(s);
	if (n && !strcasecmp(n, "key_file") && config_setting_type(s) == CONFIG_TYPE_STRING &&
	    !path_ok(config_setting_get_string(s)))
		return false;
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		if (e && (config_setting_is_aggregate(e) || config_setting_name(e)) && !walk(e))
			return false;
	}
	return true;
}

/* the same libconfig parse conf.c does, to find every key_file first */
static bool paths_safe(const char *text)
{
	config_t cf;
	bool ok = true;
	config_init(&cf);
	if (config_read_string(&cf, text) == CONFIG_TRUE)
		ok = walk(config_root_setting(&cf));
	config_destroy(&cf);
	return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[1024];
	char *text;
	struct eespd_conf *conf;
	struct snap *snap = NULL;
	struct conf_warnings warn;

	if (size > 64 * 1024)
		return 0;
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	/* an @include could open anything; key_file paths are vetted below */
	if (strcasestr(text, "include") || !paths_safe(text)) {
		free(text);
		return 0;
	}
	err[0] = 0;
	conf = calloc(1, sizeof(*conf));
	if (!conf) {
		free(text);
		return 0;
	}
	warn.n = 0;
	if (conf_parse("fuzz.conf", text, dir, &fuzz_env, conf, &snap, &warn, err, sizeof(err))) {
		if (!err[0] || !memchr(err, 0, sizeof(err)))
			abort(); /* every refusal names the problem */
		if (getenv("FUZZ_CONFIG_VERBOSE"))
			fprintf(stderr, "refused: %s\n", err);
	} else {
		if (getenv("FUZZ_CONFIG_VERBOSE"))
			fprintf(stderr, "accepted\n");
		snap_free(snap_clone(snap));
		snap_free(snap);
	}
	free(conf);
	free(text);
	return 0;
}
