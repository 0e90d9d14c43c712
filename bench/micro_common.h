/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * micro_common.h - what the micro-benchmark families of bench_micro share
 * (micro.c describes them): sizes, the clock, the domain every family seals under.
 */
#ifndef EESP_BENCH_MICRO_COMMON_H
#define EESP_BENCH_MICRO_COMMON_H

#include <stdint.h>
#include <time.h>

#include "keys.h"
#include "packet.h"

#define PKT 1400
#define AAD 32
#define REPS 9
#define AEAD_REPS 41 /* short blocks, many of them: the fastest is undisturbed */
#define DKCACHE 256  /* data-key cache entries per eesp_crypto, as eespd's workers use */

/* inline: the flood and RSS families read it every few packets */
static inline double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* ---------------------------------------------------- micro_common.c -- */

/* The least disturbed repetition: the VM's noise only ever adds time. */
double fastest(double *v, int n);
__attribute__((noreturn)) void die(const char *what, int err);
long rss_kib(void);

/* The domain of every family: node profile, one domain root (generation 1). */
extern struct eesp_domain dom;
void setup_domain(void);
void teardown_domain(void);
/* Header parameters under dom: node profile, CMAC, AES-GCM-128, phase 1. */
void params(struct eesp_hdr_params *p, uint32_t node, uint16_t session, uint64_t sn);
/* An IPv4/UDP packet of len bytes (198.51.100.1 -> .2) with a valid header checksum. */
void inner_packet(uint8_t *b, size_t len);

/* ------------------------------------- the families, called by main -- */

void bench_aead(void);	 /* micro_aead.c */
void bench_kdf(void);	 /* micro_kdf.c */
void bench_packet(void); /* micro_packet.c */
void bench_cached(void); /* micro_packet.c */
void bench_forged(void); /* micro_forged.c */
void bench_rss(void);	 /* micro_rss.c */

#endif /* EESP_BENCH_MICRO_COMMON_H */
