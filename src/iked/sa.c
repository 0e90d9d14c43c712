// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sa.c - IKE SAs and their table (sa.h): open addressing by our SPI with
 * linear probing and backward-shift deletion (no tombstones, so a long
 * run of setups and deletions never degrades the lookups).
 */
#include "sa.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kd.h"
#include "secmem.h"

static const char *const state_names[] = {
    [SA_INIT_I] = "init-sent",	      [SA_AUTH_I] = "auth-sent", [SA_INIT_R] = "half-open",
    [SA_ESTABLISHED] = "established", [SA_REKEYED] = "rekeyed",	 [SA_DELETING] = "deleting",
    [SA_CLOSED] = "closed",	      [SA_DEAD] = "dead",
};

const char *sa_state_name(enum sa_state s)
{
	return (unsigned)s < sizeof(state_names) / sizeof(state_names[0]) ? state_names[s] : "?";
}

static const char *const xkind_names[] = {
    [X_NONE] = "none",
    [X_INIT] = "IKE_SA_INIT",
    [X_AUTH] = "IKE_AUTH",
    [X_DPD] = "liveness check",
    [X_DELETE] = "Delete",
    [X_AUTH_FAILED] = "AUTHENTICATION_FAILED notice",
    [X_REKEY_IKE] = "IKE SA rekey",
    [X_CHILD] = "CREATE_CHILD_SA",
};

const char *xkind_name(enum xkind k)
{
	return (unsigned)k < sizeof(xkind_names) / sizeof(xkind_names[0]) ? xkind_names[k] : "?";
}

static uint64_t spi_hash(const uint8_t spi[IKE_SPI_LEN])
{
	uint64_t h;
	memcpy(&h, spi, sizeof(h));
	/* our SPIs are random, but a mixer costs nothing and keeps a bad RNG
	 * seed from clustering them */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

int sa_table_init(struct sa_table *t, unsigned max_sas)
{
	unsigned cap = 16;
	memset(t, 0, sizeof(*t));
	while (cap < 2 * max_sas && cap < (1u << 24))
		cap <<= 1;
	t->slot = calloc(cap, sizeof(*t->slot));
	if (!t->slot)
		return -1;
	t->cap = cap;
	t->next_serial = 1;
	return 0;
}

const uint8_t *sa_local_spi(const struct ike_sa *sa)
{
	return sa->initiator ? sa->spi_i : sa->spi_r;
}

static unsigned slot_of(const struct sa_table *t, const uint8_t spi[IKE_SPI_LEN])
{
	unsigned i = (unsigned)spi_hash(spi) & (t->cap - 1);
	while (t->slot[i] && memcmp(sa_local_spi(t->slot[i]), spi, IKE_SPI_LEN))
		i = (i + 1) & (t->cap - 1);
	return i;
}

struct ike_sa *sa_find(const struct sa_table *t, const uint8_t spi[IKE_SPI_LEN])
{
	return t->slot[slot_of(t, spi)];
}

bool sa_spi_free(const struct sa_table *t, const uint8_t spi[IKE_SPI_LEN])
{
	static const uint8_t zero[IKE_SPI_LEN];
	return memcmp(spi, zero, IKE_SPI_LEN) && !sa_find(t, spi);
}

struct ike_sa *sa_new(struct sa_table *t, const uint8_t spi[IKE_SPI_LEN], bool initiator)
{
	struct ike_sa *sa;
	if (!sa_spi_free(t, spi) || 2 * (t->n + 1) > t->cap)
		return NULL;
	sa = calloc(1, sizeof(*sa));
	if (!sa)
		return NULL;
	sa->initiator = initiator;
	memcpy(initiator ? sa->spi_i : sa->spi_r, spi, IKE_SPI_LEN);
	sa->serial = t->next_serial++;
	sa->state = initiator ? SA_INIT_I : SA_INIT_R;
	if (sa->state == SA_INIT_R)
		t->half_open++;
	t->slot[slot_of(t, spi)] = sa;
	t->n++;
	return sa;
}

/* backward-shift deletion: later members of the probe run move up */
static void slot_remove(struct sa_table *t, unsigned i)
{
	unsigned j = i;
	t->slot[i] = NULL;
	for (;;) {
		j = (j + 1) & (t->cap - 1);
		if (!t->slot[j])
			return;
		unsigned home = (unsigned)spi_hash(sa_local_spi(t->slot[j])) & (t->cap - 1);
		/* move j to i when its home is not in (i, j] cyclically */
		bool between = i <= j ? (home > i && home <= j) : (home > i || home <= j);
		if (!between) {
			t->slot[i] = t->slot[j];
			t->slot[j] = NULL;
			i = j;
		}
	}
}

void sa_request_clear(struct ike_sa *sa)
{
	free(sa->req.msg);
	memset(&sa->req, 0, sizeof(sa->req));
	sa->req_busy = false;
}

void sa_response_clear(struct ike_sa *sa)
{
	free(sa->resp.msg);
	free(sa->resp.req);
	memset(&sa->resp, 0, sizeof(sa->resp));
}

void sa_free(struct sa_table *t, struct ike_sa *sa)
{
	unsigned i = slot_of(t, sa_local_spi(sa));
	if (t->slot[i] == sa) {
		slot_remove(t, i);
		t->n--;
		if (sa->state == SA_INIT_R)
			t->half_open--;
	}
	ike_dh_free(&sa->dh);
	ike_dh_free(&sa->rekey.dh);
	if (sa->ciphers) {
		ike_sk_cipher_free(&sa->tx);
		ike_sk_cipher_free(&sa->rx);
	}
	ike_keys_free(sa->keys);
	if (sa->children) /* no eespd call here: kd_close() releases, this only frees */
		kd_child_free(sa->children);
	free(sa->init_i);
	free(sa->init_r);
	sa_request_clear(sa);
	sa_response_clear(sa);
	eesp_wipe(sa, sizeof(*sa)); /* nonces, cookie */
	free(sa);
}

void sa_table_free(struct sa_table *t)
{
	for (unsigned i = 0; t->slot && i < t->cap; i++) {
		struct ike_sa *sa = t->slot[i];
		if (sa) {
			t->slot[i] = NULL;
			sa->state = SA_DEAD; /* not in the table any more */
			sa_free(t, sa);
		}
	}
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

void sa_set_state(struct sa_table *t, struct ike_sa *sa, enum sa_state s)
{
	if (sa->state == SA_INIT_R && s != SA_INIT_R)
		t->half_open--;
	else if (sa->state != SA_INIT_R && s == SA_INIT_R)
		t->half_open++;
	sa->state = s;
}

struct ike_sa *sa_next(const struct sa_table *t, unsigned *i)
{
	while (*i < t->cap) {
		struct ike_sa *sa = t->slot[(*i)++];
		if (sa)
			return sa;
	}
	return NULL;
}

struct ike_sa *sa_find_responder(const struct sa_table *t, const uint8_t spi_i[IKE_SPI_LEN],
				 const struct sockaddr_storage *from)
{
	struct ike_sa *sa;
	for (unsigned i = 0; (sa = sa_next(t, &i));)
		if (!sa->initiator && !memcmp(sa->spi_i, spi_i, IKE_SPI_LEN) &&
		    iked_addr_equal(&sa->remote.ss, from))
			return sa;
	return NULL;
}

unsigned sa_count_peer(const struct sa_table *t, unsigned peer_idx, bool live_only)
{
	struct ike_sa *sa;
	unsigned n = 0;
	for (unsigned i = 0; (sa = sa_next(t, &i));)
		if (sa->peer && sa->peer_idx == peer_idx && sa->state != SA_DEAD &&
		    (!live_only || sa->state != SA_CLOSED))
			n++;
	return n;
}

unsigned sa_half_open_peer(const struct sa_table *t, unsigned peer_idx)
{
	struct ike_sa *sa;
	unsigned n = 0;
	for (unsigned i = 0; (sa = sa_next(t, &i));)
		if (sa->peer && sa->peer_idx == peer_idx && sa->state == SA_INIT_R)
			n++;
	return n;
}

bool iked_addr_equal(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
		return x->sin6_port == y->sin6_port &&
		       !memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr));
	}
	return false;
}

void iked_addr_format(const struct sockaddr_storage *a, char *out, size_t cap)
{
	char ip[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a;
		inet_ntop(AF_INET, &x->sin_addr, ip, sizeof(ip));
		port = ntohs(x->sin_port);
	} else if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a;
		inet_ntop(AF_INET6, &x->sin6_addr, ip, sizeof(ip));
		port = ntohs(x->sin6_port);
	}
	snprintf(out, cap, "%s[%u]", ip, port);
}
