/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * keys.h - the key hierarchy: domains, levels, three live generations.
 *
 * A domain has one domain root key ring, and optionally one ring per tenant
 * and per task group.  A ring holds up to three live generations (previous,
 * current, next), each identified on the wire by its phase (generation mod
 * 4).  Key material lives in locked, wiped memory (secmem.h).
 *
 * Key file format (shared with eespctl, eespd and the Wireshark plugin), one
 * entry per line, '#' comments and blank lines ignored, fields separated by
 * blanks:
 *
 *   domain <spi>                       scope: following root keys belong to the
 *                                      domain whose id (SPI) is <spi> (0x.. or
 *                                      decimal).  Optional for eespd (one domain
 *                                      per file); the plugin reads many domains.
 *   <level> <id> <generation> <hex64> [next]
 *                                      a root key; level domain|tenant|group,
 *                                      id 0 for domain, generation an unsigned
 *                                      32-bit integer, phase = generation % 4;
 *                                      "next" marks a generation distributed
 *                                      ahead of use (receive only)
 *   psp <0|1> <hex64>                  PSP master key 0 or 1 (SPI bit 31 selects)
 *   sa eesp <spi> <hexkey> <hexsalt>   out-of-band EESP data key (spi profile;
 *                                      key 32 or 64 hex digits, salt 8)
 *   sa psp <spi> <hexkey>              out-of-band PSP data key (32 or 64 hex)
 *
 * The single-line parser lives in keyfile.h (header-only, no OpenSSL) so the
 * Wireshark plugin parses exactly what eespd parses.
 *
 * eesp_keyfile_parse() parses a buffer (no I/O) and reports the line and the
 * problem of the first error.
 */
#ifndef EESP_KEYS_H
#define EESP_KEYS_H

#include "eesp_proto.h"
#include "errors.h"
#include "names.h"

#define EESP_GENS 3 /* live generations per ring */
/* [ours] Generations never wrap: 2^32-1 is the last generation of a ring.
 * No generation is added after it (eesp_ring_next_generation), and a key
 * file whose generations could only be ordered across the wrap (say
 * 4294967295 and 0) is refused; a ring that has reached it is replaced. */
#define EESP_GEN_LAST UINT32_MAX
#define EESP_MAX_SA 64
#define EESP_MAX_TENANTS 64
#define EESP_MAX_GROUPS 64

/* enum eesp_gen_slot (previous, current, next) is in names.h, with its words */

struct eesp_root_gen {
	bool present;
	uint32_t generation;
	uint8_t key[EESP_ROOT_KEY_LEN];
};

struct eesp_ring {
	uint32_t id; /* tenant/group id; 0 for the domain */
	struct eesp_root_gen gen[EESP_GENS];
};

struct eesp_keyset {
	struct eesp_ring domain;
	unsigned n_tenants, n_groups;
	struct eesp_ring tenant[EESP_MAX_TENANTS];
	struct eesp_ring group[EESP_MAX_GROUPS];
	bool has_psp[2];
	uint8_t psp_master[2][PSP_MASTER_KEY_LEN];
	/* added: the "domain <spi>" scope of the root keys, and "sa" lines */
	bool has_domain_spi;
	uint32_t domain_spi;
	unsigned n_sa;
	struct eesp_sa_key {
		bool psp; /* sa psp (else sa eesp) */
		uint32_t spi;
		uint8_t key_len; /* 16 or 32 */
		uint8_t key[EESP_MAX_DATA_KEY_LEN];
		uint8_t salt[EESP_SALT_LEN];
	} sa[EESP_MAX_SA];
};

/* Allocate a zeroed keyset in locked memory; free wipes it. */
struct eesp_keyset *eesp_keyset_new(void);
void eesp_keyset_free(struct eesp_keyset *ks);

struct eesp_keyfile_error {
	unsigned line; /* 1-based; 0 when not tied to a line */
	char msg[128];
};

/*
 * Parse a key file held in buf into ks (adding to what is there).
 * Generation order per ring, after the whole buffer is read:
 *   - a generation marked "next" (it must be the highest) goes to next, the
 *     highest of the others is current, the one below it previous;
 *   - with no mark: one generation is current; two are previous, current;
 *     three are previous, current, next (ascending).
 * Generations are ordered as numbers: they never wrap (EESP_GEN_LAST).
 * Errors (with the line): more than three generations in a ring, the same
 * generation twice, two live generations with the same phase (gen % 4),
 * generations that would follow each other only across the wrap (one of
 * 4294967294/4294967295 with one of 0/1 within three steps modulo 2^32),
 * "next" on anything but the highest or without a current one, root keys of
 * two different domains, more than EESP_MAX_TENANTS/GROUPS/SA, a PSP master
 * or an sa SPI given twice, and every syntax error of keyfile.h.
 */
int eesp_keyfile_parse(struct eesp_keyset *ks, const char *buf, size_t len,
		       struct eesp_keyfile_error *err);

/* Ring lookup; NULL if this keyset does not hold it. */
const struct eesp_ring *eesp_keyset_ring(const struct eesp_keyset *ks, enum eesp_level level,
					 uint32_t id);

/* The root key of `ring` whose phase matches; NULL if no live generation has it. */
const struct eesp_root_gen *eesp_ring_by_phase(const struct eesp_ring *ring, unsigned phase);

/* The current generation (used to send); NULL if the ring is empty. */
const struct eesp_root_gen *eesp_ring_current(const struct eesp_ring *ring);

/*
 * Rotation: next -> current -> previous.  With a new key, it becomes next
 * (generation current + 2 once rotated); retire drops the previous one.
 */
int eesp_ring_rotate(struct eesp_ring *ring);
void eesp_ring_retire_previous(struct eesp_ring *ring);

/*
 * The generation a new key of this ring gets: the highest live generation
 * + 1, or 0 for an empty ring.  EESP_E_NOSPACE if the highest is
 * EESP_GEN_LAST: generations never wrap.
 */
int eesp_ring_next_generation(const struct eesp_ring *ring, uint32_t *gen);

/* Add a generation as next (after current, unique phase, next slot free). */
int eesp_ring_set_next(struct eesp_ring *ring, uint32_t generation,
		       const uint8_t key[EESP_ROOT_KEY_LEN]);

/* An out-of-band data key of the keyset ("sa" lines); NULL if absent. */
const struct eesp_sa_key *eesp_keyset_sa(const struct eesp_keyset *ks, bool psp, uint32_t spi);

/* Short fingerprint of a key for display: first 8 bytes of SHA-256, hex. */
void eesp_key_fingerprint(const uint8_t *key, size_t len, char out[17]);

#endif /* EESP_KEYS_H */
