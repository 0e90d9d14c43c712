/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_config - libFuzzer harness for the eespd configuration parser
 * (src/daemon/config.c through cfg_load_string, the same code path as
 * cfg_load minus the file read).
 *
 * Relative key_file paths and @include resolve in a private temporary
 * directory holding copies of the lab key files (conf/keys/ *.keys under the
 * names the shipped configurations use), so the key loading code runs on
 * real keys.  The harness must not open arbitrary files (a FIFO blocks
 * open(), some devices act on open): inputs using @include are skipped, and
 * so are inputs whose key_file (found by a libconfig pre-parse, the same
 * parser config.c uses) is absolute, holds "..", or unusual characters.
 * On success the snapshot is cloned and freed to exercise cfg_clone and
 * cfg_free on every parsed shape.
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

#include "eespd.h"

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
	log_open(true, LOG_LVL_ERROR - 1); /* quiet: nothing at or below -1 */
	return 0;
}

/* key_file is the only path config.c opens: allow only relative names of
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

/* the same libconfig parse config.c does, to find every key_file first */
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
	struct cfg *c, *k;

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
	c = cfg_load_string(text, "fuzz.conf", dir, geteuid(), err, sizeof(err));
	if (!c) {
		if (!err[0] || !memchr(err, 0, sizeof(err)))
			abort(); /* every refusal names the problem */
		if (getenv("FUZZ_CONFIG_VERBOSE"))
			fprintf(stderr, "refused: %s\n", err);
	} else {
		if (getenv("FUZZ_CONFIG_VERBOSE"))
			fprintf(stderr, "accepted\n");
		k = cfg_clone(c);
		cfg_free(k);
		cfg_free(c);
	}
	free(text);
	return 0;
}
