/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * keys.c - keysets: parsing the key file, rings of generations, rotation.
 */
#include "keys.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "keyfile.h"
#include "secmem.h"

struct eesp_keyset *eesp_keyset_new(void)
{
	int locked;
	return eesp_secure_alloc(sizeof(struct eesp_keyset), &locked);
}

void eesp_keyset_free(struct eesp_keyset *ks)
{
	eesp_secure_free(ks, sizeof(*ks));
}

const struct eesp_ring *eesp_keyset_ring(const struct eesp_keyset *ks, enum eesp_level level,
					 uint32_t id)
{
	const struct eesp_ring *r = NULL;
	unsigned n = 0;

	if (!ks)
		return NULL;
	switch (level) {
	case EESP_LEVEL_DOMAIN:
		r = &ks->domain;
		break;
	case EESP_LEVEL_TENANT:
		for (n = 0; n < ks->n_tenants && n < EESP_MAX_TENANTS; n++)
			if (ks->tenant[n].id == id) {
				r = &ks->tenant[n];
				break;
			}
		break;
	case EESP_LEVEL_GROUP:
		for (n = 0; n < ks->n_groups && n < EESP_MAX_GROUPS; n++)
			if (ks->group[n].id == id) {
				r = &ks->group[n];
				break;
			}
		break;
	default:
		return NULL;
	}
	if (!r)
		return NULL;
	for (n = 0; n < EESP_GENS; n++)
		if (r->gen[n].present)
			return r;
	return NULL;
}

const struct eesp_root_gen *eesp_ring_by_phase(const struct eesp_ring *ring, unsigned phase)
{
	if (!ring)
		return NULL;
	for (unsigned i = 0; i < EESP_GENS; i++)
		if (ring->gen[i].present && ring->gen[i].generation % EESP_PHASES == phase)
			return &ring->gen[i];
	return NULL;
}

const struct eesp_root_gen *eesp_ring_current(const struct eesp_ring *ring)
{
	if (!ring || !ring->gen[EESP_GEN_CURRENT].present)
		return NULL;
	return &ring->gen[EESP_GEN_CURRENT];
}

int eesp_ring_rotate(struct eesp_ring *ring)
{
	if (!ring)
		return EESP_E_INVALID;
	if (!ring->gen[EESP_GEN_NEXT].present)
		return EESP_E_NO_KEY;
	eesp_wipe(&ring->gen[EESP_GEN_PREVIOUS], sizeof(ring->gen[0]));
	ring->gen[EESP_GEN_PREVIOUS] = ring->gen[EESP_GEN_CURRENT];
	ring->gen[EESP_GEN_CURRENT] = ring->gen[EESP_GEN_NEXT];
	eesp_wipe(&ring->gen[EESP_GEN_NEXT], sizeof(ring->gen[0]));
	return EESP_E_OK;
}

void eesp_ring_retire_previous(struct eesp_ring *ring)
{
	if (ring)
		eesp_wipe(&ring->gen[EESP_GEN_PREVIOUS], sizeof(ring->gen[0]));
}

int eesp_ring_next_generation(const struct eesp_ring *ring, uint32_t *gen)
{
	bool any = false;
	uint32_t hi = 0;

	if (!ring || !gen)
		return EESP_E_INVALID;
	for (unsigned i = 0; i < EESP_GENS; i++)
		if (ring->gen[i].present && (!any || ring->gen[i].generation > hi)) {
			hi = ring->gen[i].generation;
			any = true;
		}
	if (any && hi == EESP_GEN_LAST)
		return EESP_E_NOSPACE;
	*gen = any ? hi + 1 : 0;
	return EESP_E_OK;
}

int eesp_ring_set_next(struct eesp_ring *ring, uint32_t generation,
		       const uint8_t key[EESP_ROOT_KEY_LEN])
{
	const struct eesp_root_gen *cur;

	if (!ring || !key)
		return EESP_E_INVALID;
	cur = eesp_ring_current(ring);
	if (!cur || ring->gen[EESP_GEN_NEXT].present || generation <= cur->generation)
		return EESP_E_INVALID;
	if (ring->gen[EESP_GEN_PREVIOUS].present &&
	    ring->gen[EESP_GEN_PREVIOUS].generation % EESP_PHASES == generation % EESP_PHASES)
		return EESP_E_INVALID;
	if (cur->generation % EESP_PHASES == generation % EESP_PHASES)
		return EESP_E_INVALID;
	ring->gen[EESP_GEN_NEXT].present = true;
	ring->gen[EESP_GEN_NEXT].generation = generation;
	memcpy(ring->gen[EESP_GEN_NEXT].key, key, EESP_ROOT_KEY_LEN);
	return EESP_E_OK;
}

const struct eesp_sa_key *eesp_keyset_sa(const struct eesp_keyset *ks, bool psp, uint32_t spi)
{
	if (!ks)
		return NULL;
	for (unsigned i = 0; i < ks->n_sa && i < EESP_MAX_SA; i++)
		if (ks->sa[i].psp == psp && ks->sa[i].spi == spi)
			return &ks->sa[i];
	return NULL;
}

void eesp_key_fingerprint(const uint8_t *key, size_t len, char out[17])
{
	static const char d[] = "0123456789abcdef";
	uint8_t h[32];
	unsigned hl = 0;

	if (EVP_Digest(key, len, h, &hl, EVP_sha256(), NULL) != 1 || hl != 32) {
		memcpy(out, "????????????????", 17);
		return;
	}
	for (int i = 0; i < 8; i++) {
		out[2 * i] = d[h[i] >> 4];
		out[2 * i + 1] = d[h[i] & 15];
	}
	out[16] = 0;
}

/* ------------------------------------------------------------ parsing -- */

/* Per-ring parse state: which slot holds a "next"-marked generation, and the
 * line each slot came from (for error messages). */
struct ring_marks {
	bool touched;
	bool next[EESP_GENS];
	unsigned line[EESP_GENS];
};

struct parse_state {
	struct ring_marks domain, tenant[EESP_MAX_TENANTS], group[EESP_MAX_GROUPS];
};

static int perr(struct eesp_keyfile_error *kerr, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int perr(struct eesp_keyfile_error *kerr, unsigned line, const char *fmt, ...)
{
	va_list ap;
	if (kerr) {
		kerr->line = line;
		va_start(ap, fmt);
		vsnprintf(kerr->msg, sizeof(kerr->msg), fmt, ap);
		va_end(ap);
	}
	return EESP_E_INVALID;
}

static const char *level_word(unsigned level)
{
	return eesp_name_of(eesp_level_names, level);
}

static int add_root(struct eesp_keyset *ks, struct parse_state *st,
		    const struct eesp_keyfile_entry *e, unsigned line,
		    struct eesp_keyfile_error *kerr)
{
	struct eesp_ring *r = NULL;
	struct ring_marks *m = NULL;
	unsigned i, slot = EESP_GENS;

	if (e->level == EESP_LEVEL_DOMAIN) {
		r = &ks->domain;
		m = &st->domain;
	} else {
		bool t = e->level == EESP_LEVEL_TENANT;
		unsigned *n = t ? &ks->n_tenants : &ks->n_groups;
		struct eesp_ring *rings = t ? ks->tenant : ks->group;
		struct ring_marks *marks = t ? st->tenant : st->group;
		unsigned max = t ? EESP_MAX_TENANTS : EESP_MAX_GROUPS;
		for (i = 0; i < *n && i < max; i++)
			if (rings[i].id == e->id) {
				r = &rings[i];
				m = &marks[i];
				break;
			}
		if (!r) {
			if (*n >= max)
				return perr(kerr, line, "too many %ss (at most %u)",
					    level_word(e->level), max);
			r = &rings[*n];
			m = &marks[*n];
			memset(r, 0, sizeof(*r));
			r->id = e->id;
			(*n)++;
		}
	}
	if (!m->touched) {
		/* keys already in the keyset: a next generation stays next */
		m->touched = true;
		m->next[EESP_GEN_NEXT] = r->gen[EESP_GEN_NEXT].present;
	}
	for (i = 0; i < EESP_GENS; i++) {
		const struct eesp_root_gen *g = &r->gen[i];
		if (!g->present) {
			if (slot == EESP_GENS)
				slot = i;
			continue;
		}
		if (g->generation == e->generation)
			return perr(kerr, line, "%s %u: generation %u given twice",
				    level_word(e->level), e->id, e->generation);
		if (g->generation % EESP_PHASES == e->generation % EESP_PHASES)
			return perr(
			    kerr, line,
			    "%s %u: generation %u has the same phase (%u) as generation %u; "
			    "live generations need distinct phases (generation mod 4)",
			    level_word(e->level), e->id, e->generation, e->generation % EESP_PHASES,
			    g->generation);
	}
	if (slot == EESP_GENS)
		return perr(kerr, line, "%s %u: more than three generations", level_word(e->level),
			    e->id);
	r->gen[slot].present = true;
	r->gen[slot].generation = e->generation;
	memcpy(r->gen[slot].key, e->key, EESP_ROOT_KEY_LEN);
	m->next[slot] = e->next;
	m->line[slot] = line;
	return EESP_E_OK;
}

/*
 * Generations never wrap (EESP_GEN_LAST): a ring whose lowest and highest
 * generations are within three steps of each other only modulo 2^32 (one of
 * 4294967294/4294967295 with one of 0/1) was continued across the wrap;
 * ordering it as numbers would silently make the older key current.
 */
static int check_no_wrap(const struct eesp_ring *r, const struct ring_marks *m, unsigned level,
			 struct eesp_keyfile_error *kerr)
{
	unsigned lo = EESP_GENS, hi = EESP_GENS;

	for (unsigned i = 0; i < EESP_GENS; i++) {
		if (!r->gen[i].present)
			continue;
		if (lo == EESP_GENS || r->gen[i].generation < r->gen[lo].generation)
			lo = i;
		if (hi == EESP_GENS || r->gen[i].generation > r->gen[hi].generation)
			hi = i;
	}
	if (lo == hi || (uint32_t)(r->gen[lo].generation - r->gen[hi].generation) >= EESP_GENS)
		return EESP_E_OK;
	return perr(kerr, m->line[lo],
		    "%s %u: generation %u after %u: generations never wrap (%u is the last)",
		    level_word(level), r->id, r->gen[lo].generation, r->gen[hi].generation,
		    EESP_GEN_LAST);
}

/* Put the generations of a ring into previous/current/next order. */
static int order_ring(struct eesp_ring *r, struct ring_marks *m, unsigned level,
		      struct eesp_keyfile_error *kerr)
{
	struct eesp_root_gen g[EESP_GENS];
	bool nx[EESP_GENS];
	unsigned ln[EESP_GENS], n = 0, marked = 0, i, j;

	if (check_no_wrap(r, m, level, kerr))
		return EESP_E_INVALID;
	for (i = 0; i < EESP_GENS; i++) {
		if (!r->gen[i].present)
			continue;
		g[n] = r->gen[i];
		nx[n] = m->next[i];
		ln[n] = m->line[i];
		marked += nx[n];
		n++;
	}
	/* insertion sort, ascending generation */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && g[j - 1].generation > g[j].generation; j--) {
			struct eesp_root_gen tg = g[j];
			bool tn = nx[j];
			unsigned tl = ln[j];
			g[j] = g[j - 1];
			nx[j] = nx[j - 1];
			ln[j] = ln[j - 1];
			g[j - 1] = tg;
			nx[j - 1] = tn;
			ln[j - 1] = tl;
		}
	if (marked > 1)
		return perr(kerr, 0, "%s %u: more than one generation marked next",
			    level_word(level), r->id);
	if (marked) {
		for (i = 0; i + 1 < n; i++)
			if (nx[i])
				return perr(kerr, ln[i],
					    "%s %u: generation %u is marked next but is not the "
					    "highest",
					    level_word(level), r->id, g[i].generation);
		if (n == 1)
			return perr(kerr, ln[0],
				    "%s %u: generation %u is marked next but there is no "
				    "current generation",
				    level_word(level), r->id, g[0].generation);
	}
	eesp_wipe(r->gen, sizeof(r->gen));
	if (n == 3 || marked) {
		r->gen[EESP_GEN_NEXT] = g[n - 1];
		r->gen[EESP_GEN_CURRENT] = g[n - 2];
		if (n == 3)
			r->gen[EESP_GEN_PREVIOUS] = g[0];
	} else if (n == 2) {
		r->gen[EESP_GEN_CURRENT] = g[1];
		r->gen[EESP_GEN_PREVIOUS] = g[0];
	} else if (n == 1) {
		r->gen[EESP_GEN_CURRENT] = g[0];
	}
	eesp_wipe(g, sizeof(g));
	return EESP_E_OK;
}

static bool keyset_has_roots(const struct eesp_keyset *ks)
{
	return eesp_keyset_ring(ks, EESP_LEVEL_DOMAIN, 0) || ks->n_tenants || ks->n_groups;
}

int eesp_keyfile_parse(struct eesp_keyset *ks, const char *buf, size_t len,
		       struct eesp_keyfile_error *kerr)
{
	struct parse_state st;
	struct eesp_keyfile_entry e;
	bool scoped = false;
	uint32_t scope = 0;
	unsigned line = 0;
	size_t off = 0;
	int rc = EESP_E_OK;
	char msg[sizeof(kerr->msg)];

	if (kerr) {
		kerr->line = 0;
		kerr->msg[0] = 0;
	}
	if (!ks || (!buf && len))
		return perr(kerr, 0, "invalid arguments");
	memset(&st, 0, sizeof(st));
	while (off < len && !rc) {
		const char *p = buf + off, *nl = memchr(p, '\n', len - off);
		size_t l = nl ? (size_t)(nl - p) : len - off;
		off += l + (nl ? 1 : 0);
		line++;
		if (memchr(p, 0, l)) {
			rc = perr(kerr, line, "NUL byte in the key file");
			break;
		}
		if (eesp_keyfile_line(p, l, &e, msg, sizeof(msg))) {
			rc = perr(kerr, line, "%s", msg);
			break;
		}
		switch (e.kind) {
		case EESP_KF_EMPTY:
			break;
		case EESP_KF_DOMAIN:
			scoped = true;
			scope = e.spi;
			/* the keyset's domain is the one its root keys belong to */
			if (!ks->has_domain_spi || !keyset_has_roots(ks)) {
				ks->has_domain_spi = true;
				ks->domain_spi = e.spi;
			}
			break;
		case EESP_KF_ROOT:
			if (scoped && scope != ks->domain_spi) {
				rc =
				    perr(kerr, line,
					 "root keys of a second domain (0x%08x; this keyset is for "
					 "domain 0x%08x)",
					 scope, ks->domain_spi);
				break;
			}
			rc = add_root(ks, &st, &e, line, kerr);
			break;
		case EESP_KF_PSP:
			if (ks->has_psp[e.psp_index]) {
				rc = perr(kerr, line, "psp master key %u given twice", e.psp_index);
				break;
			}
			ks->has_psp[e.psp_index] = true;
			memcpy(ks->psp_master[e.psp_index], e.key, PSP_MASTER_KEY_LEN);
			break;
		case EESP_KF_SA_EESP:
		case EESP_KF_SA_PSP: {
			bool psp = e.kind == EESP_KF_SA_PSP;
			struct eesp_sa_key *s;
			if (eesp_keyset_sa(ks, psp, e.spi)) {
				rc = perr(kerr, line, "sa %s 0x%08x given twice",
					  eesp_name_of(eesp_mode_names,
						       psp ? EESP_MODE_PSP : EESP_MODE_EESP),
					  e.spi);
				break;
			}
			if (ks->n_sa >= EESP_MAX_SA) {
				rc =
				    perr(kerr, line, "too many sa lines (at most %u)", EESP_MAX_SA);
				break;
			}
			s = &ks->sa[ks->n_sa++];
			memset(s, 0, sizeof(*s));
			s->psp = psp;
			s->spi = e.spi;
			s->key_len = (uint8_t)e.key_len;
			memcpy(s->key, e.key, e.key_len);
			memcpy(s->salt, e.salt, EESP_SALT_LEN);
			break;
		}
		}
	}
	eesp_wipe(&e, sizeof(e));
	if (rc)
		goto out;
	if (st.domain.touched &&
	    (rc = order_ring(&ks->domain, &st.domain, EESP_LEVEL_DOMAIN, kerr)))
		goto out;
	for (unsigned i = 0; i < ks->n_tenants && i < EESP_MAX_TENANTS; i++)
		if (st.tenant[i].touched &&
		    (rc = order_ring(&ks->tenant[i], &st.tenant[i], EESP_LEVEL_TENANT, kerr)))
			goto out;
	for (unsigned i = 0; i < ks->n_groups && i < EESP_MAX_GROUPS; i++)
		if (st.group[i].touched &&
		    (rc = order_ring(&ks->group[i], &st.group[i], EESP_LEVEL_GROUP, kerr)))
			goto out;
out:
	eesp_wipe(&st, sizeof(st));
	return rc;
}
