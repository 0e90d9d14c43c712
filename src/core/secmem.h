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

#endif /* EESP_SECMEM_H */
