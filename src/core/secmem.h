/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * secmem.h - memory for keys: locked (mlock) so it never reaches swap,
 * wiped (OPENSSL_cleanse) before it is released.
 */
#ifndef EESP_SECMEM_H
#define EESP_SECMEM_H

#include <stddef.h>

/* Zeroed, page-aligned, mlock()ed when the process may (best effort; the
 * result says whether the lock held). NULL on allocation failure. */
void *eesp_secure_alloc(size_t len, int *locked);
void eesp_secure_free(void *p, size_t len);
void eesp_wipe(void *p, size_t len);

/* Called (from the allocating thread) each time mlock() of a secure
 * allocation fails, with errno; NULL removes it.  A daemon uses it to warn
 * that keys may reach swap. */
typedef void (*eesp_secure_lock_hook)(int err);
void eesp_secure_set_lock_hook(eesp_secure_lock_hook fn);
/* mlock() every live secure allocation again: memory locks are not
 * inherited by a fork() child (daemon(3)).  Returns how many could not be
 * locked (each also reported through the hook). */
unsigned eesp_secure_relock(void);

#endif /* EESP_SECMEM_H */
