/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_spialloc.c - spi-alloc's counter (core/spialloc.h): every SPI of a
 * whole small range handed out exactly once, configured SPIs skipped,
 * exhaustion reported (and changing nothing), the state's text form read
 * back exactly, corrupt text refused, and no SPI ever handed out twice
 * across simulated restarts with a changing range and configuration. */
#include <criterion/criterion.h>
#include <string.h>

#include "spialloc.h"

#define LO 0x1000u
#define HI 0x103fu /* 64 SPIs */

static const struct eesp_spi_range small = {LO, HI};

/* seen[spi - LO] for the small range */
static void mark_seen(bool *seen, uint32_t spi)
{
	cr_assert(spi >= LO && spi <= HI, "SPI 0x%08x outside [0x%x, 0x%x]", spi, LO, HI);
	cr_assert_not(seen[spi - LO], "SPI 0x%08x handed out twice", spi);
	seen[spi - LO] = true;
}

static bool configured(const struct eesp_spi_range *c, size_t n, uint32_t spi)
{
	for (size_t i = 0; i < n; i++)
		if (spi >= c[i].lo && spi <= c[i].hi)
			return true;
	return false;
}

Test(spialloc, whole_small_range_once_then_exhausted)
{
	struct eesp_spialloc_state st, before;
	bool seen[64] = {false};
	uint32_t spi = 0;
	memset(&st, 0, sizeof(st));
	for (unsigned i = 0; i < 64; i++) {
		cr_assert_eq(eesp_spialloc_take(&st, EESP_SPIALLOC_EESP, small, NULL, 0, &spi),
			     EESP_SPIALLOC_OK, "allocation %u of 64", i + 1);
		mark_seen(seen, spi);
	}
	for (unsigned i = 0; i < 64; i++)
		cr_assert(seen[i], "SPI 0x%08x never handed out", LO + i);
	cr_assert_eq(st.slot[EESP_SPIALLOC_EESP].count, 64);
	before = st;
	spi = 0xdeadbeef;
	cr_assert_eq(eesp_spialloc_take(&st, EESP_SPIALLOC_EESP, small, NULL, 0, &spi),
		     EESP_SPIALLOC_EXHAUSTED);
	cr_assert_eq(spi, 0xdeadbeef, "exhaustion must not hand out an SPI");
	cr_assert_eq(memcmp(&st, &before, sizeof(st)), 0, "exhaustion changed the state");
}

Test(spialloc, skips_configured)
{
	/* overlapping, adjacent, unsorted, partly and wholly outside the range */
	const struct eesp_spi_range cfg[] = {
	    {0x1010, 0x1012}, {0x0f00, 0x1001}, {0x1011, 0x1014}, {0x1015, 0x1015},
	    {0x1030, 0x1030}, {0x103f, 0x2000}, {0x5000, 0x6000}, {0x1020, 0x1020},
	};
	const size_t n = sizeof(cfg) / sizeof(cfg[0]);
	struct eesp_spialloc_state st;
	bool seen[64] = {false};
	unsigned got = 0, want = 0;
	uint32_t spi;
	memset(&st, 0, sizeof(st));
	while (eesp_spialloc_take(&st, EESP_SPIALLOC_EESP, small, cfg, n, &spi) ==
	       EESP_SPIALLOC_OK) {
		cr_assert_not(configured(cfg, n, spi), "configured SPI 0x%08x handed out", spi);
		mark_seen(seen, spi);
		got++;
	}
	/* every free SPI of the range was handed out: nothing is lost either */
	for (uint32_t s = LO; s <= HI; s++) {
		if (!configured(cfg, n, s)) {
			want++;
			cr_assert(seen[s - LO], "free SPI 0x%08x never handed out", s);
		}
	}
	cr_assert_eq(got, want);
	cr_assert_eq(want, 64 - 2 - 6 - 1 - 1 - 1, "test ranges miscounted");
}

Test(spialloc, exhaustion_cases)
{
	struct eesp_spialloc_state st;
	uint32_t spi;
	const struct eesp_spi_range all = {0x0, 0xffffffff};
	memset(&st, 0, sizeof(st));
	/* everything configured: exhausted at once, state untouched */
	cr_assert_eq(eesp_spialloc_take(&st, EESP_SPIALLOC_EESP, small, &all, 1, &spi),
		     EESP_SPIALLOC_EXHAUSTED);
	cr_assert_not(st.slot[EESP_SPIALLOC_EESP].used);
	/* the top SPI of the 32-bit space: one allocation, no wrap to 0 */
	const struct eesp_spi_range top = {0xffffffff, 0xffffffff};
	cr_assert_eq(eesp_spialloc_take(&st, EESP_SPIALLOC_EESP, top, NULL, 0, &spi),
		     EESP_SPIALLOC_OK);
	cr_assert_eq(spi, 0xffffffff);
	cr_assert_eq(eesp_spialloc_take(&st, EESP_SPIALLOC_EESP, top, NULL, 0, &spi),
		     EESP_SPIALLOC_EXHAUSTED);
	/* the mark is above a range moved down: exhausted, never a reissue */
	cr_assert_eq(eesp_spialloc_take(&st, EESP_SPIALLOC_EESP, small, NULL, 0, &spi),
		     EESP_SPIALLOC_EXHAUSTED);
	/* a PSP master's range almost all configured: found without a slow walk */
	memset(&st, 0, sizeof(st));
	const struct eesp_spi_range most = {0x00000001, 0x7ffffffe};
	struct eesp_spi_range p0 = eesp_spialloc_psp_range(0);
	cr_assert_eq(eesp_spialloc_take(&st, EESP_SPIALLOC_PSP0, p0, &most, 1, &spi),
		     EESP_SPIALLOC_OK);
	cr_assert_eq(spi, 0x7fffffff);
	cr_assert_eq(eesp_spialloc_take(&st, EESP_SPIALLOC_PSP0, p0, &most, 1, &spi),
		     EESP_SPIALLOC_EXHAUSTED);
}

Test(spialloc, psp_ranges_and_invalid_calls)
{
	struct eesp_spialloc_state st;
	uint32_t spi;
	struct eesp_spi_range p0 = eesp_spialloc_psp_range(0), p1 = eesp_spialloc_psp_range(1);
	cr_assert_eq(p0.lo, 0x00000001);
	cr_assert_eq(p0.hi, 0x7fffffff);
	cr_assert_eq(p1.lo, 0x80000001);
	cr_assert_eq(p1.hi, 0xffffffff);
	memset(&st, 0, sizeof(st));
	const struct eesp_spi_range cfg[] = {{0x80000001, 0x80000002}};
	cr_assert_eq(eesp_spialloc_take(&st, EESP_SPIALLOC_PSP1, p1, cfg, 1, &spi),
		     EESP_SPIALLOC_OK);
	cr_assert_eq(spi, 0x80000003);
	cr_assert_eq(eesp_spialloc_take(&st, EESP_SPIALLOC_PSP0, p0, cfg, 1, &spi),
		     EESP_SPIALLOC_OK);
	cr_assert_eq(spi, 0x00000001, "the masters count separately");
	/* a range outside its slot, SPI 0, lo > hi, a bad slot */
	const struct eesp_spi_range zero = {0, 5}, inv = {9, 8};
	cr_assert_eq(eesp_spialloc_take(&st, EESP_SPIALLOC_PSP0, p1, NULL, 0, &spi),
		     EESP_SPIALLOC_INVALID);
	cr_assert_eq(eesp_spialloc_take(&st, EESP_SPIALLOC_PSP1, p0, NULL, 0, &spi),
		     EESP_SPIALLOC_INVALID);
	cr_assert_eq(eesp_spialloc_take(&st, EESP_SPIALLOC_EESP, zero, NULL, 0, &spi),
		     EESP_SPIALLOC_INVALID);
	cr_assert_eq(eesp_spialloc_take(&st, EESP_SPIALLOC_EESP, inv, NULL, 0, &spi),
		     EESP_SPIALLOC_INVALID);
	cr_assert_eq(eesp_spialloc_take(&st, EESP_SPIALLOC__SLOTS, small, NULL, 0, &spi),
		     EESP_SPIALLOC_INVALID);
}

static void round_trip(const struct eesp_spialloc_state *st, struct eesp_spialloc_state *out)
{
	char buf[EESP_SPIALLOC_TEXT_MAX];
	unsigned line = 99;
	const char *why = "unset";
	size_t len = eesp_spialloc_format(st, buf, sizeof(buf));
	cr_assert_gt(len, 0);
	cr_assert_eq(eesp_spialloc_parse(buf, len, out, &line, &why), 0, "line %u: %s\n%s", line,
		     why, buf);
}

Test(spialloc, state_round_trip)
{
	struct eesp_spialloc_state st, back;
	uint32_t spi, a, b;
	char buf[EESP_SPIALLOC_TEXT_MAX];
	memset(&st, 0, sizeof(st));
	round_trip(&st, &back);
	cr_assert_eq(memcmp(&st, &back, sizeof(st)), 0, "empty state");
	for (int i = 0; i < 5; i++)
		eesp_spialloc_take(&st, EESP_SPIALLOC_EESP, small, NULL, 0, &spi);
	eesp_spialloc_take(&st, EESP_SPIALLOC_PSP1, eesp_spialloc_psp_range(1), NULL, 0, &spi);
	round_trip(&st, &back);
	cr_assert_eq(memcmp(&st, &back, sizeof(st)), 0, "state changed by format + parse");
	cr_assert_not(back.slot[EESP_SPIALLOC_PSP0].used);
	cr_assert_eq(back.slot[EESP_SPIALLOC_EESP].last, LO + 4);
	cr_assert_eq(back.slot[EESP_SPIALLOC_EESP].count, 5);
	cr_assert_eq(back.slot[EESP_SPIALLOC_PSP1].last, 0x80000001);
	/* the next SPI is the same from the original and from the copy read back */
	cr_assert_eq(eesp_spialloc_take(&st, EESP_SPIALLOC_EESP, small, NULL, 0, &a), 0);
	cr_assert_eq(eesp_spialloc_take(&back, EESP_SPIALLOC_EESP, small, NULL, 0, &b), 0);
	cr_assert_eq(a, b);
	/* too small a buffer is refused, not truncated */
	cr_assert_eq(eesp_spialloc_format(&st, buf, 40), 0);
	/* the largest state fits the documented maximum */
	for (unsigned s = 0; s < EESP_SPIALLOC__SLOTS; s++)
		st.slot[s] =
		    (struct eesp_spialloc_mark){true, s == 2 ? 0xffffffff : 0x7fffffff, UINT64_MAX};
	round_trip(&st, &back);
	cr_assert_eq(memcmp(&st, &back, sizeof(st)), 0);
}

static void refused(const char *text, unsigned want_line)
{
	struct eesp_spialloc_state st;
	unsigned line = 99;
	const char *why = NULL;
	cr_assert_eq(eesp_spialloc_parse(text, strlen(text), &st, &line, &why), -1,
		     "accepted: \"%s\"", text);
	cr_assert_not_null(why);
	cr_assert_eq(line, want_line, "\"%s\": line %u (%s), want %u", text, line, why, want_line);
	for (unsigned s = 0; s < EESP_SPIALLOC__SLOTS; s++)
		cr_assert_not(st.slot[s].used, "refused text left a mark");
}

Test(spialloc, corrupt_text_refused)
{
	refused("eesp 0x00001003 4", 1);		   /* torn: no newline */
	refused("# c\neesp 0x00001003 4\npsp0 0x0000", 3); /* torn mid-record */
	refused("eesp 0x00001003 4\neesp 0x00001004 5\n", 2);
	refused("esp 0x00001003 4\n", 1);
	refused("eesp 4099 4\n", 1);	     /* not hex */
	refused("eesp 0x1003 4\n", 1);	     /* not 8 digits */
	refused("eesp 0x0000100g 4\n", 1);   /* bad digit */
	refused("eesp 0x00000000 4\n", 1);   /* SPI 0 */
	refused("psp0 0x80000001 1\n", 1);   /* master 1's SPI in master 0's slot */
	refused("psp1 0x00000005 1\n", 1);   /* and the other way */
	refused("psp1 0x80000000 1\n", 1);   /* low 31 bits zero */
	refused("eesp 0x00001003 0\n", 1);   /* count 0 */
	refused("eesp 0x00001003 -4\n", 1);  /* negative */
	refused("eesp 0x00001003 4 x\n", 1); /* extra field */
	refused("eesp 0x00001003\n", 1);     /* missing count */
	refused("\neesp 0x00001003 99999999999999999999999\n", 2); /* overflow */
	struct eesp_spialloc_state st;
	unsigned line;
	const char *why;
	cr_assert_eq(eesp_spialloc_parse("eesp 0x1\0", 9, &st, &line, &why), -1, "NUL byte");
	/* comments, blank lines and empty text are fine */
	cr_assert_eq(eesp_spialloc_parse("", 0, &st, &line, &why), 0);
	const char *ok = "\n# x\n  \npsp0 0x0000000A 3\n";
	cr_assert_eq(eesp_spialloc_parse(ok, strlen(ok), &st, &line, &why), 0);
	cr_assert_eq(st.slot[EESP_SPIALLOC_PSP0].last, 10);
}

/* xorshift: a fixed pseudo-random schedule, so a failure reproduces */
static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

Test(spialloc, never_twice_across_restarts_and_changes)
{
	/* 200 "restarts" (state written and read back), each with a fresh random
	 * range inside [0x100, 0x4ff] and a random set of configured SPIs;
	 * every SPI handed out over the whole run is distinct and was not
	 * configured when it was handed out. */
	static bool seen[0x500];
	struct eesp_spialloc_state st;
	uint32_t seed = 0x5eed1234, spi;
	unsigned handed = 0, exhausted = 0;
	memset(&st, 0, sizeof(st));
	for (int run = 0; run < 200; run++) {
		struct eesp_spialloc_state back;
		struct eesp_spi_range cfg[6], r;
		uint32_t a = 0x100 + rnd(&seed) % 0x400, b = 0x100 + rnd(&seed) % 0x400;
		r.lo = a < b ? a : b;
		r.hi = a < b ? b : a;
		for (int k = 0; k < 6; k++) {
			cfg[k].lo = 0x100 + rnd(&seed) % 0x400;
			cfg[k].hi = cfg[k].lo + rnd(&seed) % 8;
		}
		for (int k = 0; k < 4; k++) {
			enum eesp_spialloc_result res =
			    eesp_spialloc_take(&st, EESP_SPIALLOC_EESP, r, cfg, 6, &spi);
			if (res == EESP_SPIALLOC_EXHAUSTED) {
				exhausted++;
				break;
			}
			cr_assert_eq(res, EESP_SPIALLOC_OK);
			cr_assert(spi >= r.lo && spi <= r.hi);
			cr_assert_not(configured(cfg, 6, spi), "configured 0x%08x handed out", spi);
			cr_assert_not(seen[spi], "0x%08x handed out twice (run %d)", spi, run);
			seen[spi] = true;
			handed++;
		}
		round_trip(&st, &back);
		st = back;
	}
	cr_assert_gt(handed, 50, "schedule too short to mean anything (%u)", handed);
	cr_assert_gt(exhausted, 0, "schedule never reached a range's end");
	cr_assert_eq(st.slot[EESP_SPIALLOC_EESP].count, handed);
}
