// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_config_wipe.c - loading a key file leaves no copy of a key on the
 * stack: keyload_file (src/sys/keyload.c) reads the file into locked memory
 * and the core parser (keyfile.c) decodes its hex through stack buffers,
 * which must be wiped on every path.
 *
 * The load runs in a frame of its own; after it returns, this thread's
 * stack is scanned, the dead frames of the loader and the parser below the
 * caller included.  The keys the test looks for are static, so that the
 * only stack copies are the loader's.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keyload.h"
#include "keys.h"
#include "testhex.h"

#define SA_KEY_HEX "73612d646174612d6b65792d3131313131313131313131313131313131313131"
#define SA_SPI 0x00010203u

static const char g_sa_hex[] = SA_KEY_HEX;
static uint8_t g_sa_key[32];
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

/* The load in a frame of its own, so that its dead frames lie below the
 * scan's caller. */
__attribute__((noinline)) static int load(const char *path, struct eesp_keyset **ks, char *err,
					  size_t err_len)
{
	return keyload_file(path, geteuid(), ks, err, err_len);
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
	char err[512], path[128];
	struct eesp_keyset *ks = NULL;
	th_unhex(SA_KEY_HEX, g_sa_key, sizeof(g_sa_key));
	snprintf(g_dir, sizeof(g_dir), "/tmp/eesp-unit-wipe.XXXXXX");
	cr_assert_not_null(mkdtemp(g_dir));
	write_key_file("psp 0 6d61737465722d6b65792d3030303030303030303030303030303030303030ab\n"
		       "sa psp 0x00010203 " SA_KEY_HEX "\n");
	snprintf(path, sizeof(path), "%s/k.keys", g_dir);
	cr_assert_eq(load(path, &ks, err, sizeof(err)), KEYLOAD_OK, "keyload_file: %s", err);
	bool text = stack_holds(g_sa_hex, strlen(g_sa_hex));
	bool bytes = stack_holds(g_sa_key, sizeof(g_sa_key));
	const struct eesp_sa_key *k = eesp_keyset_sa(ks, true, SA_SPI);
	cr_assert_not_null(k, "the sa psp line was not loaded");
	cr_assert_eq(memcmp(k->key, g_sa_key, sizeof(g_sa_key)), 0);
	eesp_keyset_free(ks);
	cr_expect_not(text, "the sa key's hex text is on the stack after the load");
	cr_expect_not(bytes, "the sa key's bytes are on the stack after the load");
}
