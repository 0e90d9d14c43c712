// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * spialloc.c - spi-alloc's SPI counter and its text form; the rules are in
 * spialloc.h.
 */
#include "spialloc.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PSP_SELECTOR 0x80000000u

static const char *const slot_names[EESP_SPIALLOC__SLOTS] = {"eesp", "psp0", "psp1"};

const char *eesp_spialloc_slot_name(enum eesp_spialloc_slot slot)
{
	return (unsigned)slot < EESP_SPIALLOC__SLOTS ? slot_names[slot] : "?";
}

struct eesp_spi_range eesp_spialloc_psp_range(unsigned master)
{
	uint32_t sel = master ? PSP_SELECTOR : 0;
	return (struct eesp_spi_range){.lo = sel | 1, .hi = sel | ~PSP_SELECTOR};
}

/* Is spi a possible SPI of slot (PSP: the master's half, low 31 bits not 0)? */
static bool in_slot(enum eesp_spialloc_slot slot, uint32_t spi)
{
	if (slot == EESP_SPIALLOC_EESP)
		return spi != 0;
	struct eesp_spi_range r = eesp_spialloc_psp_range(slot == EESP_SPIALLOC_PSP1);
	return spi >= r.lo && spi <= r.hi;
}

/*
 * The smallest candidate >= cand (and <= hi) in no configured range.
 * Each pass moves cand past every range that holds it; cand only grows, so
 * a range that moved it never holds it again: at most n moves, and the loop
 * ends after at most n + 1 passes.  false: every SPI up to hi is taken.
 */
static bool skip_configured(uint32_t *cand, uint32_t hi, const struct eesp_spi_range *cfg, size_t n)
{
	bool moved = true;
	while (moved) {
		moved = false;
		for (size_t i = 0; i < n; i++) {
			if (cfg[i].lo > *cand || cfg[i].hi < *cand)
				continue;
			if (cfg[i].hi >= hi)
				return false;
			*cand = cfg[i].hi + 1;
			moved = true;
		}
	}
	return true;
}

enum eesp_spialloc_result eesp_spialloc_take(struct eesp_spialloc_state *st,
					     enum eesp_spialloc_slot slot,
					     struct eesp_spi_range range,
					     const struct eesp_spi_range *configured, size_t n,
					     uint32_t *spi)
{
	if (!st || !spi || (unsigned)slot >= EESP_SPIALLOC__SLOTS || range.lo > range.hi ||
	    !in_slot(slot, range.lo) || !in_slot(slot, range.hi) || (n && !configured))
		return EESP_SPIALLOC_INVALID;
	struct eesp_spialloc_mark *m = &st->slot[slot];
	uint32_t cand = range.lo;
	if (m->used) {
		if (m->last >= range.hi)
			return EESP_SPIALLOC_EXHAUSTED;
		if (m->last >= cand)
			cand = m->last + 1; /* no overflow: last < range.hi */
	}
	if (!skip_configured(&cand, range.hi, configured, n))
		return EESP_SPIALLOC_EXHAUSTED;
	m->used = true;
	m->last = cand;
	if (m->count < UINT64_MAX)
		m->count++;
	*spi = cand;
	return EESP_SPIALLOC_OK;
}

size_t eesp_spialloc_format(const struct eesp_spialloc_state *st, char *buf, size_t cap)
{
	size_t len = 0;
	int r = snprintf(buf, cap,
			 "# eespd spi-alloc state (eespd(8)): per range, the last SPI handed out\n"
			 "# and how many.  Never lower a value or remove this file: the SPIs\n"
			 "# below it would be handed out again, to a second client.\n");
	if (r < 0 || (size_t)r >= cap)
		return 0;
	len = (size_t)r;
	for (unsigned s = 0; s < EESP_SPIALLOC__SLOTS; s++) {
		const struct eesp_spialloc_mark *m = &st->slot[s];
		if (!m->used)
			continue;
		r = snprintf(buf + len, cap - len, "%s 0x%08" PRIx32 " %" PRIu64 "\n",
			     slot_names[s], m->last, m->count);
		if (r < 0 || (size_t)r >= cap - len)
			return 0;
		len += (size_t)r;
	}
	return len;
}

static int slot_by_name(const char *name)
{
	for (unsigned s = 0; s < EESP_SPIALLOC__SLOTS; s++)
		if (!strcmp(name, slot_names[s]))
			return (int)s;
	return -1;
}

/* One record "NAME 0xHEX COUNT" (a NUL-terminated line); NULL or why. */
static const char *parse_record(char *l, struct eesp_spialloc_state *st)
{
	char name[8], spi_s[16], cnt_s[24], extra[2];
	char *end;
	if (sscanf(l, "%7s %15s %23s %1s", name, spi_s, cnt_s, extra) != 3)
		return "expected 'SLOT 0xSPI COUNT'";
	int s = slot_by_name(name);
	if (s < 0)
		return "unknown range name (eesp, psp0 or psp1)";
	if (st->slot[s].used)
		return "range given twice";
	if (strncmp(spi_s, "0x", 2) || strlen(spi_s) != 10 ||
	    strspn(spi_s + 2, "0123456789abcdefABCDEF") != 8)
		return "SPI must be 0x and 8 hex digits";
	uint32_t spi = (uint32_t)strtoul(spi_s + 2, NULL, 16);
	if (!in_slot((enum eesp_spialloc_slot)s, spi))
		return "SPI outside its range (psp0: 0x00000001-0x7fffffff, psp1: "
		       "0x80000001-0xffffffff, eesp: not 0)";
	if (cnt_s[0] < '0' || cnt_s[0] > '9')
		return "count must be a decimal number";
	errno = 0;
	unsigned long long cnt = strtoull(cnt_s, &end, 10);
	if (errno || *end || cnt == 0)
		return "count must be a decimal number of at least 1";
	st->slot[s] = (struct eesp_spialloc_mark){.used = true, .last = spi, .count = cnt};
	return NULL;
}

int eesp_spialloc_parse(const char *text, size_t len, struct eesp_spialloc_state *st,
			unsigned *line, const char **why)
{
	const char *p = text, *end = text + len;
	unsigned ln = 0;
	memset(st, 0, sizeof(*st));
	*line = 0;
	*why = NULL;
	if (memchr(text, 0, len)) {
		*why = "contains a NUL byte";
		goto bad;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		char l[128];
		size_t n;
		ln++;
		if (!nl) {
			*why = "last line has no newline (torn or edited file)";
			goto bad_line;
		}
		n = (size_t)(nl - p);
		if (n >= sizeof(l)) {
			*why = "line too long";
			goto bad_line;
		}
		memcpy(l, p, n);
		l[n] = 0;
		p = nl + 1;
		if (l[strspn(l, " \t")] == '#' || l[strspn(l, " \t")] == 0)
			continue;
		*why = parse_record(l, st);
		if (*why)
			goto bad_line;
	}
	return 0;
bad_line:
	*line = ln;
bad:
	memset(st, 0, sizeof(*st));
	return -1;
}
