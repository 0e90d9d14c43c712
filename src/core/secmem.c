/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * secmem.c - locked, wiped memory for key material.
 */
#include "secmem.h"

#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include <openssl/crypto.h>

static size_t page_round(size_t len)
{
	long ps = sysconf(_SC_PAGESIZE);
	size_t p = ps > 0 ? (size_t)ps : 4096;
	if (len == 0)
		len = 1;
	if (len > SIZE_MAX - p)
		return 0;
	return (len + p - 1) / p * p;
}

void *eesp_secure_alloc(size_t len, int *locked)
{
	size_t n = page_round(len);
	void *p;

	if (locked)
		*locked = 0;
	if (n == 0)
		return NULL;
	/* anonymous mappings are zero-filled */
	p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
#ifdef MADV_DONTDUMP
	(void)madvise(p, n, MADV_DONTDUMP);
#endif
	if (mlock(p, n) == 0) {
		if (locked)
			*locked = 1;
	}
	return p;
}

void eesp_secure_free(void *p, size_t len)
{
	size_t n;

	if (!p)
		return;
	n = page_round(len);
	OPENSSL_cleanse(p, n);
	(void)munlock(p, n);
	(void)munmap(p, n);
}

void eesp_wipe(void *p, size_t len)
{
	if (p && len)
		OPENSSL_cleanse(p, len);
}
