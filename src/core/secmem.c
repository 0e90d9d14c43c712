/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * secmem.c - locked, wiped memory for key material.
 *
 * Live allocations are kept in a small table so that they can be locked
 * again after a fork() (the child of daemon(3) inherits the pages but not
 * their locks).  A process holds a handful of them (key sets, data-key
 * tables, crypto caches); an allocation beyond the table still works but
 * is not re-locked (eesp_secure_relock() reports it as a failure).
 */
#include "secmem.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include <openssl/crypto.h>

#define SECMEM_TRACKED 256

static struct {
	void *p;
	size_t n;
} g_live[SECMEM_TRACKED];
static unsigned g_untracked; /* live allocations not in g_live */
static pthread_mutex_t g_live_lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic(eesp_secure_lock_hook) g_lock_hook;

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

static void lock_failed(int err)
{
	eesp_secure_lock_hook fn = atomic_load(&g_lock_hook);
	if (fn)
		fn(err);
}

static void track(void *p, size_t n)
{
	pthread_mutex_lock(&g_live_lock);
	unsigned i = 0;
	while (i < SECMEM_TRACKED && g_live[i].p)
		i++;
	if (i < SECMEM_TRACKED) {
		g_live[i].p = p;
		g_live[i].n = n;
	} else {
		g_untracked++;
	}
	pthread_mutex_unlock(&g_live_lock);
}

static void untrack(void *p)
{
	pthread_mutex_lock(&g_live_lock);
	unsigned i = 0;
	while (i < SECMEM_TRACKED && g_live[i].p != p)
		i++;
	if (i < SECMEM_TRACKED)
		g_live[i].p = NULL;
	else if (g_untracked)
		g_untracked--;
	pthread_mutex_unlock(&g_live_lock);
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
	} else {
		lock_failed(errno);
	}
	track(p, n);
	return p;
}

void eesp_secure_free(void *p, size_t len)
{
	size_t n;

	if (!p)
		return;
	n = page_round(len);
	OPENSSL_cleanse(p, n);
	untrack(p);
	(void)munlock(p, n);
	(void)munmap(p, n);
}

void eesp_wipe(void *p, size_t len)
{
	if (p && len)
		OPENSSL_cleanse(p, len);
}

void eesp_secure_set_lock_hook(eesp_secure_lock_hook fn)
{
	atomic_store(&g_lock_hook, fn);
}

unsigned eesp_secure_relock(void)
{
	unsigned bad;
	pthread_mutex_lock(&g_live_lock);
	bad = g_untracked;
	for (unsigned i = 0; i < SECMEM_TRACKED; i++) {
		if (!g_live[i].p || mlock(g_live[i].p, g_live[i].n) == 0)
			continue;
		bad++;
		lock_failed(errno);
	}
	if (g_untracked) /* not in the table: cannot be locked again */
		lock_failed(ENOMEM);
	pthread_mutex_unlock(&g_live_lock);
	return bad;
}
