// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * spistate.c - spi-alloc's allocator state in "<state_dir>/<interface>.spi"
 * and the SPIs a snapshot configures; the rules are in spistate.h.
 * Used by the main thread only (control requests), so no locking.
 */
#include "spistate.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "eespd.h"
#include "statefile.h"

static struct {
	int dirfd;   /* the state directory, -1 until the first spi-alloc */
	bool loaded; /* st holds the file's contents */
	struct eesp_spialloc_state st;
} g_spi = {.dirfd = -1};

static void file_name(const struct cfg *c, char *name, size_t cap)
{
	snprintf(name, cap, "%s.spi", c->ifname);
}

/* Read the file once; a missing one is the empty state, anything else that
 * is not a valid state file is an error (the caller retries next time). */
static int load(const struct cfg *c, const char *name, char *err, size_t el)
{
	char buf[2 * EESP_SPIALLOC_TEXT_MAX], e[512];
	unsigned line;
	const char *why;
	struct stat st;

	if (g_spi.dirfd < 0) {
		g_spi.dirfd = statefile_dir_open(c->state_dir, e, sizeof(e));
		if (g_spi.dirfd < 0) {
			snprintf(err, el, "spi-alloc: state_dir %s", e);
			return -1;
		}
	}
	if (g_spi.loaded)
		return 0;
	ssize_t n = statefile_read(g_spi.dirfd, name, buf, sizeof(buf), e, sizeof(e));
	if (n < 0) {
		snprintf(err, el, "spi-alloc: state file %s/%s (no SPI handed out)", c->state_dir,
			 e);
		return -1;
	}
	/* statefile_read gives 0 for a missing file and for an empty one: only
	 * a file that does not exist starts the allocator afresh */
	if (n == 0 && fstatat(g_spi.dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		snprintf(err, el,
			 "spi-alloc: state file %s/%s is empty (damaged?); restore it, or remove "
			 "it only if no client uses an SPI it handed out",
			 c->state_dir, name);
		return -1;
	}
	if ((size_t)n >= sizeof(buf) - 1) {
		snprintf(err, el, "spi-alloc: state file %s/%s is too large to be ours",
			 c->state_dir, name);
		return -1;
	}
	if (eesp_spialloc_parse(buf, (size_t)n, &g_spi.st, &line, &why)) {
		snprintf(err, el,
			 "spi-alloc: state file %s/%s:%u: %s; restore it (a fresh file would hand "
			 "out SPIs again)",
			 c->state_dir, name, line, why);
		return -1;
	}
	g_spi.loaded = true;
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
static struct eesp_spi_range *configured_spis(const struct cfg *c, size_t *n)
{
	size_t cap = 1;
	*n = 0;
	for (unsigned i = 0; i < c->n_peers; i++)
		cap += 1 + c->peers[i].n_rx_spi;
	for (unsigned d = 0; d < c->n_doms; d++) {
		cap += c->doms[d]->n_sa + 2;
		for (unsigned i = 0; i < c->doms[d]->n_policy; i++)
			cap += c->doms[d]->policy[i].n_nodes;
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
		const struct cfg *dc = c->doms[d];
		bool spis = dc->mode == MODE_PSP || dc->profile == EESP_PROFILE_SPI;
		for (unsigned i = 0; i < dc->n_sa; i++)
			add(r, n, dc->sa[i].spi, dc->sa[i].spi);
		if (dc != c && dc->profile != EESP_PROFILE_SPI)
			add(r, n, dc->dom.spi, dc->dom.spi);
		if (dc != c && dc->profile == EESP_PROFILE_SPI && dc->dom.spi_min)
			add(r, n, dc->dom.spi_min, dc->dom.spi_max);
		for (unsigned i = 0; spis && i < dc->n_policy; i++)
			for (unsigned k = 0; k < dc->policy[i].n_nodes; k++)
				add(r, n, dc->policy[i].nodes[k].lo, dc->policy[i].nodes[k].hi);
	}
	return r;
}

static void exhausted(const struct cfg *c, enum eesp_spialloc_slot slot,
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

int spistate_take(const struct cfg *c, enum eesp_spialloc_slot slot, struct eesp_spi_range range,
		  uint32_t *spi, char *err, size_t el)
{
	char name[IFNAMSIZ + 8], text[EESP_SPIALLOC_TEXT_MAX];
	struct eesp_spialloc_state next;
	size_t n, len;

	file_name(c, name, sizeof(name));
	if (load(c, name, err, el))
		return -1;
	struct eesp_spi_range *cfgd = configured_spis(c, &n);
	if (!cfgd) {
		snprintf(err, el, "spi-alloc: out of memory");
		return -1;
	}
	next = g_spi.st;
	enum eesp_spialloc_result r = eesp_spialloc_take(&next, slot, range, cfgd, n, spi);
	free(cfgd);
	if (r == EESP_SPIALLOC_EXHAUSTED) {
		exhausted(c, slot, range, &g_spi.st, err, el);
		return -1;
	}
	if (r != EESP_SPIALLOC_OK) {
		snprintf(err, el, "spi-alloc: bad SPI range 0x%08x - 0x%08x", range.lo, range.hi);
		return -1;
	}
	/* durable before the SPI leaves: a crash after the reply must not
	 * hand it out again */
	len = eesp_spialloc_format(&next, text, sizeof(text));
	if (!len || statefile_write(g_spi.dirfd, name, text, len)) {
		snprintf(err, el,
			 "spi-alloc: cannot write state file %s/%s: %s (no SPI handed out)",
			 c->state_dir, name, len ? strerror(errno) : "state too large");
		return -1;
	}
	g_spi.st = next;
	log_info("spi-alloc: SPI 0x%08x handed out (%s, %llu so far)", *spi,
		 eesp_spialloc_slot_name(slot), (unsigned long long)next.slot[slot].count);
	return 0;
}
