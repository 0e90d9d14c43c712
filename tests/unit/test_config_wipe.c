// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_config_wipe.c - loading a key file leaves no copy of a key on the
 * stack (src/daemon/config.c parses the "sa" lines through stack buffers,
 * which must be wiped on every path).
 *
 * The look is taken while config.c's loader is still running: test_unit is
 * linked with -Wl,--wrap=eesp_keyfile_parse, so the call config.c makes
 * right after taking the "sa" lines lands in __wrap_eesp_keyfile_parse()
 * below, which scans this thread's whole stack, the live frames of the
 * loader above it and the dead ones below, before handing over to the real
 * parser.  The keys the test looks for are static, so that the only stack
 * copies are the loader's.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/daemon/eespd.h"
#include "keys.h"
#include "testhex.h"

#define SA_KEY_HEX "73612d646174612d6b65792d3131313131313131313131313131313131313131"
#define SA_SPI 0x00010203u

int __real_eesp_keyfile_parse(struct eesp_keyset *ks, const char *buf, size_t len,
			      struct eesp_keyfile_error *err);
int __wrap_eesp_keyfile_parse(struct eesp_keyset *ks, const char *buf, size_t len,
			      struct eesp_keyfile_error *err);

static const char g_sa_hex[] = SA_KEY_HEX;
static uint8_t g_sa_key[32];
static bool g_probe;				/* only the test below looks */
static int g_seen_text = -1, g_seen_bytes = -1; /* -1: the parser was not called */
static char g_dir[64];

/* A plain loop, not instrumented: the scan crosses ASan's stack redzones. */
__attribute__((no_sanitize_address)) static bool
range_holds(const unsigned char *lo, const unsigned char *hi, const void *needle, size_t n)
{
	const unsigned char *nd = needle;
	for (const unsigned char *p = lo; p + n <= hi; p++) {
		size_t k = 0;
		while (k < n && p[k] == nd[k])
			k++;
		if (k == n)
			return true;
	}
	return false;
}

/* This thread's stack from 64 KB below the caller's frame to its top. */
__attribute__((noinline)) static bool stack_holds(const void *needle, size_t n)
{
	pthread_attr_t a;
	void *base;
	size_t size;
	cr_assert_eq(pthread_getattr_np(pthread_self(), &a), 0);
	cr_assert_eq(pthread_attr_getstack(&a, &base, &size), 0);
	pthread_attr_destroy(&a);
	const unsigned char *lo = (const unsigned char *)__builtin_frame_address(0) - 65536;
	const unsigned char *hi = (const unsigned char *)base + size;
	if (lo < (const unsigned char *)base)
		lo = base;
	return range_holds(lo, hi, needle, n);
}

int __wrap_eesp_keyfile_parse(struct eesp_keyset *ks, const char *buf, size_t len,
			      struct eesp_keyfile_error *err)
{
	if (g_probe) {
		g_seen_text = stack_holds(g_sa_hex, strlen(g_sa_hex));
		g_seen_bytes = stack_holds(g_sa_key, sizeof(g_sa_key));
	}
	return __real_eesp_keyfile_parse(ks, buf, len, err);
}

static void write_key_file(const char *text)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/k.keys", g_dir);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f, "cannot write %s", path);
	fputs(text, f);
	fclose(f);
	cr_assert_eq(chmod(path, 0600), 0);
}

static void cleanup(void)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/k.keys", g_dir);
	unlink(path);
	rmdir(g_dir);
}

Test(config_wipe, sa_key_not_on_the_stack, .fini = cleanup)
{
	char err[512];
	th_unhex(SA_KEY_HEX, g_sa_key, sizeof(g_sa_key));
	snprintf(g_dir, sizeof(g_dir), "/tmp/eesp-unit-wipe.XXXXXX");
	cr_assert_not_null(mkdtemp(g_dir));
	write_key_file("psp 0 6d61737465722d6b65792d3030303030303030303030303030303030303030ab\n"
		       "sa psp 0x00010203 " SA_KEY_HEX "\n");
	g_probe = true;
	struct cfg *c = cfg_load_string("daemon: { mode = \"psp\"; };\n"
					"psp: { key_file = \"k.keys\"; };\n",
					"wipe.conf", g_dir, geteuid(), err, sizeof(err));
	g_probe = false;
	cr_assert_not_null(c, "cfg_load_string: %s", err);
	const struct sa_key *k = cfg_sa_key(c, true, SA_SPI);
	cr_assert_not_null(k, "the sa psp line was not loaded");
	cr_assert_eq(memcmp(k->key, g_sa_key, sizeof(g_sa_key)), 0);
	cfg_free(c);
	cr_assert_neq(g_seen_text, -1, "config.c did not call eesp_keyfile_parse (wrap missing?)");
	cr_expect_eq(g_seen_text, 0, "the sa key's hex text is on the stack after the sa lines");
	cr_expect_eq(g_seen_bytes, 0, "the sa key's bytes are on the stack after the sa lines");
}
