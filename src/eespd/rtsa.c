// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rtsa.c - the runtime SA table and how it is laid over a snapshot
 * (rtsa.h).  Main thread only.
 */
#include "rtsa.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "secmem.h"

struct released {
	uint32_t spi;
	uint8_t dom; /* domain index at release time */
};

struct rtsa {
	struct rtsa_sa *sa; /* locked memory, cap entries */
	unsigned n, cap;
	struct released rel[RTSA_RELEASED_MAX]; /* a ring: the oldest is forgotten */
	unsigned n_rel, rel_next;
};

static struct rtsa_sa *sa_alloc(unsigned cap)
{
	int locked;
	return eesp_secure_alloc((size_t)cap * sizeof(struct rtsa_sa), &locked);
}

struct rtsa *rtsa_new(void)
{
	struct rtsa *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->cap = 16;
	t->sa = sa_alloc(t->cap);
	if (!t->sa) {
		free(t);
		return NULL;
	}
	return t;
}

struct rtsa *rtsa_copy(const struct rtsa *o)
{
	struct rtsa *t = malloc(sizeof(*t));
	if (!t)
		return NULL;
	*t = *o;
	t->sa = sa_alloc(o->cap);
	if (!t->sa) {
		free(t);
		return NULL;
	}
	memcpy(t->sa, o->sa, (size_t)o->n * sizeof(*o->sa));
	return t;
}

void rtsa_free(struct rtsa *t)
{
	if (!t)
		return;
	eesp_secure_free(t->sa, (size_t)t->cap * sizeof(*t->sa)); /* wipes */
	free(t);
}

unsigned rtsa_count(const struct rtsa *t)
{
	return t ? t->n : 0;
}

const struct rtsa_sa *rtsa_at(const struct rtsa *t, unsigned i)
{
	return t && i < t->n ? &t->sa[i] : NULL;
}

static void remove_at(struct rtsa *t, unsigned i)
{
	memmove(&t->sa[i], &t->sa[i + 1], (size_t)(t->n - i - 1) * sizeof(t->sa[0]));
	t->n--;
	eesp_wipe(&t->sa[t->n], sizeof(t->sa[0]));
}

static bool grow(struct rtsa *t)
{
	unsigned cap = t->cap * 2 > RTSA_MAX ? RTSA_MAX : t->cap * 2;
	struct rtsa_sa *n = sa_alloc(cap);
	if (!n)
		return false;
	memcpy(n, t->sa, (size_t)t->n * sizeof(*n));
	eesp_secure_free(t->sa, (size_t)t->cap * sizeof(*t->sa));
	t->sa = n;
	t->cap = cap;
	return true;
}

const char *rtsa_dir_name(unsigned dir)
{
	return dir == RTSA_RX ? "rx" : dir == RTSA_TX ? "tx" : "tx-pending";
}

/* the peer's transmit SA goes: it has one at most */
static void drop_tx(struct rtsa *t, const char *peer)
{
	for (unsigned i = 0; i < t->n; i++)
		if (t->sa[i].dir == RTSA_TX && !strcmp(t->sa[i].peer, peer)) {
			remove_at(t, i);
			return;
		}
}

int rtsa_add(struct rtsa *t, const struct rtsa_sa *sa, char *err, size_t el)
{
	unsigned more = 0;
	if (sa->dir == RTSA_TX)
		drop_tx(t, sa->peer); /* replaced */
	for (unsigned i = 0; i < t->n; i++)
		more += t->sa[i].dir != RTSA_TX && !strcmp(t->sa[i].peer, sa->peer);
	if (sa->dir != RTSA_TX && more >= RTSA_MAX_RX_PER_PEER) {
		snprintf(err, el,
			 "peer %s has %u runtime receive or pending SAs already: release one "
			 "(sa-release)",
			 sa->peer, more);
		return -1;
	}
	if (t->n == t->cap && (t->cap >= RTSA_MAX || !grow(t))) {
		snprintf(err, el, "%s",
			 t->cap >= RTSA_MAX ? "too many runtime SAs" : "out of memory");
		return -1;
	}
	t->sa[t->n++] = *sa;
	return 0;
}

int rtsa_activate(struct rtsa *t, const char *peer, uint32_t spi)
{
	for (unsigned i = 0; i < t->n; i++) {
		struct rtsa_sa *s = &t->sa[i];
		if (s->dir != RTSA_TX_PENDING || s->spi != spi || strcmp(s->peer, peer))
			continue;
		s->dir = RTSA_TX;
		s->created = time(NULL);
		struct rtsa_sa keep = *s;
		remove_at(t, i);
		drop_tx(t, peer);
		t->sa[t->n++] = keep; /* there is room: one was removed */
		eesp_wipe(&keep, sizeof(keep));
		return 0;
	}
	return -1;
}

static void remember_released(struct rtsa *t, uint32_t spi, unsigned dom)
{
	t->rel[t->rel_next] = (struct released){spi, (uint8_t)dom};
	t->rel_next = (t->rel_next + 1) % RTSA_RELEASED_MAX;
	if (t->n_rel < RTSA_RELEASED_MAX)
		t->n_rel++;
}

unsigned rtsa_release(struct rtsa *t, const char *peer, uint32_t spi, unsigned dom,
		      struct rtsa_sa *out, unsigned cap)
{
	unsigned n = 0;
	for (unsigned i = 0; i < t->n;) {
		struct rtsa_sa *s = &t->sa[i];
		/* an SPI names one of our receive (or pending) SAs: the transmit
		 * SA's SPI is from the peer's space and goes only with all */
		if (strcmp(s->peer, peer) || (spi && (s->spi != spi || s->dir == RTSA_TX))) {
			i++;
			continue;
		}
		if (s->dir == RTSA_RX)
			remember_released(t, s->spi, dom);
		if (n < cap) {
			out[n] = *s;
			eesp_wipe(out[n].key, sizeof(out[n].key));
			eesp_wipe(out[n].salt, sizeof(out[n].salt));
		}
		n++;
		remove_at(t, i);
	}
	return n;
}

int rtsa_peer_index(const struct snap *s, const char *name)
{
	int found = -1;
	for (unsigned i = 0; i < s->n_peers; i++) {
		if (strcmp(s->peers[i].name, name))
			continue;
		if (found >= 0)
			return -2;
		found = (int)i;
	}
	return found;
}

/* Does the SA's peer still exist, once, in the SA's domain? */
static bool sa_fits(const struct snap *s, const struct rtsa_sa *sa)
{
	int i = rtsa_peer_index(s, sa->peer);
	return i >= 0 && s->peers[i].dom < s->n_doms &&
	       !strcmp(s->dom[s->peers[i].dom].name, sa->domain);
}

unsigned rtsa_prune(struct rtsa *t, const struct snap *s)
{
	unsigned dropped = 0;
	char said[64] = "";
	for (unsigned i = 0; i < t->n;) {
		if (sa_fits(s, &t->sa[i])) {
			i++;
			continue;
		}
		if (strcmp(said, t->sa[i].peer))
			log_info("runtime SAs of peer %s dropped: the configuration has no such "
				 "peer in domain %s (or two of that name)",
				 t->sa[i].peer, t->sa[i].domain);
		snprintf(said, sizeof(said), "%s", t->sa[i].peer);
		remove_at(t, i);
		dropped++;
	}
	return dropped;
}

/* the runtime part of a snapshot (a clone's) back to the configured state */
static void strip(struct snap *s)
{
	for (unsigned d = 0; d < s->n_doms; d++) {
		struct domain *c = &s->dom[d];
		if (c->rt)
			eesp_secure_free(c->rt, c->rt_bytes);
		free(c->released);
		c->rt = NULL;
		c->released = NULL;
		c->n_rt = c->n_released = 0;
		c->rt_bytes = 0;
	}
	for (unsigned i = 0; i < s->n_peers; i++) {
		s->peers[i].n_rx_spi = s->peers[i].n_rx_cfg;
		s->peers[i].rt_tx = -1;
	}
}

/* an SA's entry in its domain's rt[]: transmit SAs and stored receive keys
 * (a pending transmit SA is not used yet) */
static bool needs_key_slot(const struct rtsa_sa *sa)
{
	return sa->dir == RTSA_TX || (sa->dir == RTSA_RX && sa->key_len);
}

static int alloc_slots(const struct rtsa *t, struct snap *s)
{
	unsigned want[EESPD_MAX_DOMAINS] = {0};
	for (unsigned i = 0; i < t->n; i++) {
		int p = rtsa_peer_index(s, t->sa[i].peer);
		if (p >= 0 && needs_key_slot(&t->sa[i]))
			want[s->peers[p].dom]++;
	}
	for (unsigned d = 0; d < s->n_doms; d++) {
		int locked;
		if (!want[d])
			continue;
		s->dom[d].rt_bytes = want[d] * sizeof(struct rt_key);
		s->dom[d].rt = eesp_secure_alloc(s->dom[d].rt_bytes, &locked);
		if (!s->dom[d].rt)
			return -1;
	}
	return 0;
}

static void put_key(struct domain *c, struct peer *pe, const struct rtsa_sa *sa)
{
	struct rt_key *k = &c->rt[c->n_rt];
	memset(k, 0, sizeof(*k));
	k->k.psp = sa->psp;
	k->k.spi = sa->spi;
	k->k.key_len = sa->key_len;
	memcpy(k->k.key, sa->key, sa->key_len);
	memcpy(k->k.salt, sa->salt, sizeof(k->k.salt));
	k->rx = sa->dir == RTSA_RX;
	k->version = sa->version;
	k->phase = sa->phase;
	k->has_epoch = sa->has_epoch;
	k->epoch = sa->epoch;
	if (sa->dir == RTSA_TX)
		pe->rt_tx = (int)c->n_rt;
	c->n_rt++;
}

/* the peers' rx_spi arrays with room for their runtime receive SPIs */
static int widen_rx(const struct rtsa *t, struct snap *s)
{
	for (unsigned i = 0; i < s->n_peers; i++) {
		struct peer *pe = &s->peers[i];
		unsigned extra = 0;
		for (unsigned k = 0; k < t->n; k++)
			extra += t->sa[k].dir == RTSA_RX && !strcmp(t->sa[k].peer, pe->name);
		if (!extra)
			continue;
		uint32_t *rx = calloc(pe->n_rx_cfg + extra, sizeof(*rx));
		if (!rx)
			return -1;
		if (pe->n_rx_cfg)
			memcpy(rx, pe->rx_spi, pe->n_rx_cfg * sizeof(*rx));
		free(pe->rx_spi);
		pe->rx_spi = rx;
	}
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static int apply_released(const struct rtsa *t, struct snap *s)
{
	for (unsigned d = 0; d < s->n_doms; d++) {
		struct domain *c = &s->dom[d];
		for (unsigned i = 0; i < t->n_rel; i++) {
			if (t->rel[i].dom != d)
				continue;
			if (!c->released && !(c->released = calloc(t->n_rel, sizeof(uint32_t))))
				return -1;
			c->released[c->n_released++] = t->rel[i].spi;
		}
		if (c->n_released)
			qsort(c->released, c->n_released, sizeof(uint32_t), cmp_u32);
	}
	return 0;
}

int rtsa_apply(const struct rtsa *t, struct snap *s)
{
	strip(s);
	if (!t)
		return 0;
	if (alloc_slots(t, s) || widen_rx(t, s))
		return -1;
	for (unsigned i = 0; i < t->n; i++) {
		const struct rtsa_sa *sa = &t->sa[i];
		int p = rtsa_peer_index(s, sa->peer);
		if (p < 0)
			continue; /* rtsa_prune() drops these before */
		struct peer *pe = &s->peers[p];
		struct domain *c = &s->dom[pe->dom];
		if (sa->dir == RTSA_RX)
			pe->rx_spi[pe->n_rx_spi++] = sa->spi;
		if (needs_key_slot(sa))
			put_key(c, pe, sa);
	}
	return apply_released(t, s);
}
