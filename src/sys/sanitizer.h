/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sanitizer.h - EESP_SANITIZER is 1 in builds with a sanitizer (make
 * check-asan), whose runtime makes system calls the programs do not (so no
 * seccomp filter there) and turns mlock() into a no-op.
 */
#ifndef EESP_SYS_SANITIZER_H
#define EESP_SYS_SANITIZER_H

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define EESP_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) ||                         \
    __has_feature(memory_sanitizer)
#define EESP_SANITIZER 1
#endif
#endif
#ifndef EESP_SANITIZER
#define EESP_SANITIZER 0
#endif

#endif /* EESP_SYS_SANITIZER_H */
