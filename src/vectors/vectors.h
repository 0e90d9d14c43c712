/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vectors.h - the project's own EESP (and PSP) test vectors, generated
 * deterministically: fixed root keys, fixed pseudo-random inputs, fixed pcap
 * timestamps.  tools/genvectors writes them into vectors/; test_vectors.c
 * regenerates them in memory and compares byte for byte.
 */
#ifndef EESP_VECTORS_H
#define EESP_VECTORS_H

#include <stddef.h>
#include <stdint.h>

/* Domain of the EESP vectors (SPI of profiles node/pair/tenant) and the SPI
 * range its spi-profile clients use. */
#define EESP_VEC_DOMAIN 0xC0FFEE01u
#define EESP_VEC_SPI_MIN 0x00001000u
#define EESP_VEC_SPI_MAX 0x00001fffu

/*
 * Produce every file.  emit() is called once per file with a path relative
 * to the vectors directory ("index.txt", "keys/eesp.keys", "<case>.json",
 * "<case>.pcap"); a non-zero return from emit stops generation and is
 * returned.  Returns 0, or an enum eesp_err / emit's result on failure.
 */
int eesp_vectors_generate(int (*emit)(void *arg, const char *name, const uint8_t *data, size_t len),
			  void *arg);

#endif /* EESP_VECTORS_H */
