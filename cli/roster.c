// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * roster.c - DIR/nodes, the node ids a domain directory has handed out
 * (onboard.h).  Two members with one node id would reuse nonces (eesp(7)),
 * so ids come from this one file, in increasing order, and the file is on
 * disk with the new id before any bundle carrying it exists:
 *
 *   roster 1
 *   self 1 alpha 198.51.100.10:4500  this node: id, name, where the others reach it
 *   next 3                           the lowest id never handed out
 *   node 2 beta 192.0.2.2/24 198.51.100.20:4500    one line per invitation
 */
#include <stdlib.h>
#include <string.h>

#include "eespctl.h"
#include "onboard.h"
#include "strbuf.h"

#define ROSTER_HEAD                                                                                \
	"# Node roster of this eesp domain directory, written by eespctl: node ids\n"              \
	"# are handed out from here only, never twice.  Keep it with the domain.\n"

static char *roster_text(const struct roster *r, uint64_t next, const char *extra, size_t *len)
{
	struct strbuf b = {0};
	strbuf_printf(&b, "%sroster 1\nself %u %s %s\nnext %llu\n", ROSTER_HEAD, r->self,
		      r->self_name, r->self_ep, (unsigned long long)next);
	if (r->log)
		strbuf_printf(&b, "%s", r->log);
	if (extra)
		strbuf_printf(&b, "%s", extra);
	if (b.oom || !b.p) {
		strbuf_free(&b);
		err("out of memory");
		return NULL;
	}
	*len = b.len;
	return b.p;
}

char *roster_new(uint32_t self, const char *name, const char *ep, size_t *len)
{
	struct roster r = {.self = self};
	snprintf(r.self_name, sizeof(r.self_name), "%s", name);
	snprintf(r.self_ep, sizeof(r.self_ep), "%s", ep);
	return roster_text(&r, (uint64_t)self + 1, NULL, len);
}

void roster_free(struct roster *r)
{
	free(r->log);
	r->log = NULL;
}

static int append_log(struct roster *r, const char *line, size_t n)
{
	char *l = realloc(r->log, r->log_len + n + 2);
	if (!l) {
		err("out of memory");
		return -1;
	}
	memcpy(l + r->log_len, line, n);
	r->log_len += n;
	l[r->log_len++] = '\n';
	l[r->log_len] = 0;
	r->log = l;
	return 0;
}

/* One line of the roster; 0 or -1 (reported). */
static int roster_line(const char *path, unsigned no, const char *line, size_t n, struct roster *r,
		       unsigned *seen)
{
	char w[5][NC_TEXT], buf[512];
	uint64_t v;
	int k;

	if (n >= sizeof(buf))
		goto bad;
	memcpy(buf, line, n);
	buf[n] = 0;
	k = sscanf(buf, "%63s %63s %63s %63s %63s", w[0], w[1], w[2], w[3], w[4]);
	if (k <= 0 || w[0][0] == '#')
		return 0;
	if (!strcmp(w[0], "roster") && k == 2 && !strcmp(w[1], "1")) {
		*seen |= 1;
	} else if (!strcmp(w[0], "self") && k == 4 && !parse_u32(w[1], &r->self) && r->self &&
		   nc_name_ok(w[2])) {
		snprintf(r->self_name, sizeof(r->self_name), "%s", w[2]);
		snprintf(r->self_ep, sizeof(r->self_ep), "%s", w[3]);
		*seen |= 2;
	} else if (!strcmp(w[0], "next") && k == 2 && !parse_u64(w[1], &v) && v &&
		   v <= (uint64_t)UINT32_MAX + 1) {
		r->next = v > UINT32_MAX ? 0 : (uint32_t)v;
		*seen |= 4;
	} else if (!strcmp(w[0], "node") && k == 5 && !parse_u64(w[1], &v)) {
		return append_log(r, line, n);
	} else {
		goto bad;
	}
	return 0;
bad:
	err("%s:%u: not a roster line (roster 1, self ID NAME ENDPOINT, next ID, node ...)", path,
	    no);
	return -1;
}

int roster_parse(const char *path, const char *text, struct roster *r)
{
	unsigned no = 0, seen = 0;
	memset(r, 0, sizeof(*r));
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (roster_line(path, ++no, p, n, r, &seen)) {
			roster_free(r);
			return -1;
		}
		p += n + (nl ? 1 : 0);
	}
	if (seen != 7) {
		err("%s: incomplete roster (needs the lines roster 1, self and next)", path);
		roster_free(r);
		return -1;
	}
	return 0;
}

static bool in_use(uint32_t id, const uint32_t *used, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (used[i] == id)
			return true;
	return false;
}

int roster_next(const struct roster *r, const uint32_t *used, unsigned n_used, uint32_t *id)
{
	uint64_t v = r->next;
	/* next 0 means every id up to 2^32 - 1 was handed out */
	while (v && v <= UINT32_MAX && (v == r->self || in_use((uint32_t)v, used, n_used)))
		v++;
	if (!v || v > UINT32_MAX) {
		err("every node id of this domain has been handed out");
		return -1;
	}
	*id = (uint32_t)v;
	return 0;
}

char *roster_record(const struct roster *r, uint32_t id, const char *name, const char *addr,
		    const char *ep, size_t *len)
{
	char line[4 * NC_TEXT + 32];
	snprintf(line, sizeof(line), "node %u %s %s %s\n", id, name, addr, ep);
	return roster_text(r, (uint64_t)id + 1, line, len);
}
