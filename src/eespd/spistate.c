// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * spistate.c - spi-alloc's allocator state in "<state_dir>/<interface>.spi"
 * and the SPIs a snapshot configures; the rules are in spistate.h.
 * Used by the main thread only (control requests), so no locking.
 */
#include "spistate.h"

#include <net/if.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "names.h"
#include "snap.h"
#include "statefile.h"

struct spistate {
	int dirfd;   /* the state directory (the daemon's, opened after the drop) */
	bool loaded; /* st holds the file's contents */
	struct eesp_spialloc_state st;
	char state_dir[1024]; /* for messages */
	char name[IFNAMSIZ + 8];
};

struct spistate *spistate_new(int dirfd, const char *state_dir, const char *ifname)
{
	struct spistate *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->dirfd = dirfd;
	snprintf(s->state_dir, sizeof(s->state_dir), "%s", state_dir);
	snprintf(s->name, sizeof(s->name), "%s.spi", ifname);
	return s;
}

void spistate_free(struct spistate *s)
{
	free(s);
}

/* Read the file once; a missing one is the empty state, anything else that
 * is not a valid state file is an error (the caller retries next time). */
static int load(struct spistate *g, char *err, size_t el)
{
	char buf[2 * EESP_SPIALLOC_TEXT_MAX], e[512];
	const char *name = g->name;
	unsigned line;
	const char *why;
	struct stat st;

	if (g->loaded)
		return 0;
	ssize_t n = statefile_read(g->dirfd, name, buf, sizeof(buf), e, sizeof(e));
	if (n < 0) {
		snprintf(err, el, "spi-alloc: state file %s/%s (no SPI handed out)", g->state_dir,
			 e);
		return -1;
	}
	/* statefile_read gives 0 for a missing file and for an empty one: only
	 * a file that does not exist starts the allocator afresh */
	if (n == 0 && fstatat(g->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		snprintf(err, el,
			 "spi-alloc: state file %s/%s is empty (damaged?); restore it, or remove "
			 "it only if no client uses an SPI it handed out",
			 g->state_dir, name);
		return -1;
	}
	if ((size_t)n >= sizeof(buf) - 1) {
		snprintf(err, el, "spi-alloc: state file %s/%s is too large to be ours",
			 g->state_dir, name);
		return -1;
	}
	if (eesp_spialloc_parse(buf, (size_t)n, &g->st, &line, &why)) {
		snprintf(err, el,
			 "spi-alloc: state file %s/%s:%u: %s; restore it (a fresh file would hand "
			 "out SPIs again)",
			 g->state_dir, name, line, why);
		return -1;
	}
	g->loaded = true;
	return 0;
}

static void add(struct eesp_spi_range *r, size_t *n, uint32_t lo, uint32_t hi)
{
	if (lo || hi)
		r[(*n)++] = (struct eesp_spi_range){lo, hi};
}

/*
 * Every SPI the snapshot names: someone may hold its key, so handing it
 * out would give a second client that key.
 *  - peers' tx_spi and rx_spi (any domain);
 *  - the SPIs of "sa" lines (a profile spi server uses such a line instead
 *    of its root key, so an allocated client would not even be accepted);
 *  - receive policy ranges (spis) in PSP mode and profile spi: they admit
 *    senders that are not peers, whose keys were handed out before (by
 *    eespctl derive, say); an allocated SPI is admitted through its peer's
 *    rx_spi instead (eespd.conf(5), profile spi);
 *  - the other trust domains' ids and spi ranges (received packets with
 *    those SPIs belong to that domain).
 * NULL on out of memory (*n = 0 is a valid empty answer).
 */
static struct eesp_spi_range *configured_spis(const struct snap *c, unsigned self, size_t *n)
{
	size_t cap = 1;
	*n = 0;
	for (unsigned i = 0; i < c->n_peers; i++)
		cap += 1 + c->peers[i].n_rx_spi;
	for (unsigned d = 0; d < c->n_doms; d++) {
		cap += (c->dom[d].keys ? c->dom[d].keys->n_sa : 0) + 2;
		for (unsigned i = 0; i < c->dom[d].n_policy; i++)
			cap += c->dom[d].policy[i].n_nodes;
	}
	struct eesp_spi_range *r = calloc(cap, sizeof(*r));
	if (!r)
		return NULL;
	for (unsigned i = 0; i < c->n_peers; i++) {
		const struct peer *p = &c->peers[i];
		add(r, n, p->tx_spi, p->tx_spi);
		for (unsigned k = 0; k < p->n_rx_spi; k++)
			add(r, n, p->rx_spi[k], p->rx_spi[k]);
	}
	for (unsigned d = 0; d < c->n_doms; d++) {
		const struct domain *dc = &c->dom[d];
		bool spis = c->mode == EESP_MODE_PSP || dc->profile == EESP_PROFILE_SPI;
		for (unsigned i = 0; dc->keys && i < dc->keys->n_sa; i++)
			add(r, n, dc->keys->sa[i].spi, dc->keys->sa[i].spi);
		if (d != self && dc->profile != EESP_PROFILE_SPI)
			add(r, n, dc->dom.spi, dc->dom.spi);
		if (d != self && dc->profile == EESP_PROFILE_SPI && dc->dom.spi_min)
			add(r, n, dc->dom.spi_min, dc->dom.spi_max);
		for (unsigned i = 0; spis && i < dc->n_policy; i++)
			for (unsigned k = 0; k < dc->policy[i].n_nodes; k++)
				add(r, n, dc->policy[i].nodes[k].lo, dc->policy[i].nodes[k].hi);
	}
	return r;
}

static void exhausted(const struct domain *c, enum eesp_spialloc_slot slot,
		      struct eesp_spi_range range, const struct eesp_spialloc_state *st, char *err,
		      size_t el)
{
	unsigned long long count = st->slot[slot].used ? st->slot[slot].count : 0;
	if (slot == EESP_SPIALLOC_EESP)
		snprintf(err, el,
			 "spi-alloc: SPI range 0x%08x - 0x%08x exhausted (%llu allocated); widen "
			 "spi_min/spi_max",
			 range.lo, range.hi, count);
	else
		snprintf(err, el,
			 "spi-alloc: SPI range 0x%08x - 0x%08x of master %u exhausted (%llu "
			 "allocated); rotate the master (eespctl rotate DIR psp) to allocate "
			 "under master %u",
			 range.lo, range.hi, c->psp_spi_master, count, !c->psp_spi_master);
}

int spistate_take(struct spistate *g, const struct snap *c, unsigned self,
		  enum eesp_spialloc_slot slot, struct eesp_spi_range range, uint32_t *spi,
		  char *err, size_t el)
{
	char text[EESP_SPIALLOC_TEXT_MAX];
	struct eesp_spialloc_state next;
	size_t n, len;

	if (load(g, err, el))
		return -1;
	struct eesp_spi_range *cfgd = configured_spis(c, self, &n);
	if (!cfgd) {
		snprintf(err, el, "spi-alloc: out of memory");
		return -1;
	}
	next = g->st;
	enum eesp_spialloc_result r = eesp_spialloc_take(&next, slot, range, cfgd, n, spi);
	free(cfgd);
	if (r == EESP_SPIALLOC_EXHAUSTED) {
		exhausted(&c->dom[self], slot, range, &g->st, err, el);
		return -1;
	}
	if (r != EESP_SPIALLOC_OK) {
		snprintf(err, el, "spi-alloc: bad SPI range 0x%08x - 0x%08x", range.lo, range.hi);
		return -1;
	}
	/* durable before the SPI leaves: a crash after the reply must not
	 * hand it out again */
	len = eesp_spialloc_format(&next, text, sizeof(text));
	if (!len || statefile_write(g->dirfd, g->name, text, len)) {
		snprintf(err, el,
			 "spi-alloc: cannot write state file %s/%s: %s (no SPI handed out)",
			 g->state_dir, g->name, len ? strerror(errno) : "state too large");
		return -1;
	}
	g->st = next;
	log_info("spi-alloc: SPI 0x%08x handed out (%s, %llu so far)", *spi,
		 eesp_spialloc_slot_name(slot), (unsigned long long)next.slot[slot].count);
	return 0;
}
