// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * replaystate.c - the per-domain replay floor saved across restarts; the
 * rules are in replaystate.h.  File format (state_dir/<interface>.replay):
 *
 *   eesp-replay 1
 *   clean 0|1
 *   saved <unix seconds>
 *   domain <name> <highest accepted SN clock part>
 */
#include "replaystate.h"

#include <errno.h>
#include <net/if.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "replaytab.h"
#include "snap.h"
#include "statefile.h"
#include "strbuf.h"

#define SAVE_SLACK_S 2 /* a crash: the save interval (1 s) plus one */

static void file_name(const char *ifname, char *out, size_t cap)
{
	snprintf(out, cap, "%s.replay", ifname);
}

static bool any_replay(const struct snap *c)
{
	for (unsigned i = 0; i < c->n_doms; i++)
		if (c->dom[i].replay)
			return true;
	return false;
}

/* The saved clock of domain name, or 0 when the file does not list it. */
struct saved {
	bool clean;
	uint64_t at;
	unsigned n;
	char name[EESPD_MAX_DOMAINS][64];
	uint64_t hi[EESPD_MAX_DOMAINS];
};

static int parse_saved(char *text, struct saved *sv)
{
	char *save = NULL, *line = strtok_r(text, "\n", &save);
	int version = 0;
	memset(sv, 0, sizeof(*sv));
	for (; line; line = strtok_r(NULL, "\n", &save)) {
		char name[64];
		unsigned long long v;
		int clean;
		if (sscanf(line, "eesp-replay %d", &version) == 1)
			continue;
		if (sscanf(line, "clean %d", &clean) == 1 && (clean == 0 || clean == 1)) {
			sv->clean = clean;
			continue;
		}
		if (sscanf(line, "saved %llu", &v) == 1) {
			sv->at = v;
			continue;
		}
		if (sscanf(line, "domain %63s %llu", name, &v) == 2 && sv->n < EESPD_MAX_DOMAINS) {
			snprintf(sv->name[sv->n], sizeof(sv->name[0]), "%s", name);
			sv->hi[sv->n++] = v;
			continue;
		}
		return -1;
	}
	return version == 1 && sv->at ? 0 : -1;
}

int replay_state_load(int dirfd, const char *ifname, const struct snap *c, struct replay_tables *t,
		      uint64_t now, char *err, size_t err_len)
{
	char fn[IFNAMSIZ + 16], buf[4096], why[256];
	struct saved sv;
	ssize_t n;

	if (!any_replay(c))
		return 0;
	file_name(ifname, fn, sizeof(fn));
	n = statefile_read(dirfd, fn, buf, sizeof(buf), why, sizeof(why));
	if (n < 0) {
		snprintf(err, err_len, "replay state: %s", why);
		return -1;
	}
	if (n > 0 && parse_saved(buf, &sv)) {
		snprintf(
		    err, err_len,
		    "replay state: %s: malformed; remove it to start without the restart floor "
		    "(packets accepted before the last stop may then be accepted once more)",
		    fn);
		return -1;
	}
	for (unsigned i = 0; i < c->n_doms; i++) {
		const struct domain *d = &c->dom[i];
		uint64_t floor = now > d->clock_skew ? now - d->clock_skew : 0, h = 0;
		bool found = false;
		if (!d->replay)
			continue;
		for (unsigned k = 0; n > 0 && k < sv.n; k++)
			if (!strcmp(sv.name[k], d->name)) {
				h = sv.hi[k];
				found = true;
			}
		if (found && !sv.clean && h < sv.at + SAVE_SLACK_S)
			h = sv.at + SAVE_SLACK_S;
		if (h > floor)
			floor = h;
		replay_refuse_up_to(t, d->idx, floor);
		log_info("domain %s: replay floor: SNs with a clock part up to %" PRIu64
			 " (%s) are "
			 "refused",
			 d->name, floor,
			 !found	    ? "no saved state: now - clock_skew"
			 : sv.clean ? "saved at a clean stop"
				    : "saved before a crash, plus the save interval");
	}
	return 0;
}

int replay_state_save(int dirfd, const char *ifname, const struct snap *c, struct replay_tables *t,
		      uint64_t now, bool clean)
{
	char fn[IFNAMSIZ + 16];
	struct strbuf b = {0};
	int rc;

	if (!any_replay(c))
		return 0;
	file_name(ifname, fn, sizeof(fn));
	strbuf_printf(&b, "eesp-replay 1\nclean %d\nsaved %" PRIu64 "\n", clean ? 1 : 0, now);
	for (unsigned i = 0; i < c->n_doms; i++)
		if (c->dom[i].replay)
			strbuf_printf(&b, "domain %s %" PRIu64 "\n", c->dom[i].name,
				      replay_accepted_clock(t, c->dom[i].idx));
	if (b.oom) {
		strbuf_free(&b);
		errno = ENOMEM;
		return -1;
	}
	rc = statefile_write(dirfd, fn, b.p, b.len);
	strbuf_free(&b);
	return rc;
}
