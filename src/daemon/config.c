// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * config.c - libconfig file -> immutable snapshot (struct cfg).
 *
 * Every error names the file, the line and the problem.  Key files are read
 * here too: refused unless mode 0600 or stricter and owned by root or the
 * daemon user; their contents go to locked, wiped memory (core secmem).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libconfig.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "eespd.h"
#include "ivgen.h"
#include "memlock.h"
#include "replay.h"
#include "secmem.h"

#define KEYFILE_MAX (1 << 20)

struct ctx {
	const char *file;
	char *err;
	size_t err_len;
};

__attribute__((format(printf, 3, 4))) static int fail(struct ctx *x, const config_setting_t *s,
						      const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	const char *f =
	    s && config_setting_source_file(s) ? config_setting_source_file(s) : x->file;
	unsigned line = s ? config_setting_source_line(s) : 0;
	if (line)
		snprintf(x->err, x->err_len, "%s:%u: %s", f, line, msg);
	else
		snprintf(x->err, x->err_len, "%s: %s", f, msg);
	return -1;
}

/* ------------------------------------------------------------ prefixes -- */

int prefix_parse(const char *s, struct prefix *p)
{
	char buf[128];
	char *slash;
	long len = -1;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash) {
		char *end;
		*slash = 0;
		errno = 0;
		len = strtol(slash + 1, &end, 10);
		if (errno || *end || end == slash + 1)
			return -1;
	}
	memset(p, 0, sizeof(*p));
	if (inet_pton(AF_INET, buf, p->addr) == 1) {
		p->family = AF_INET;
		if (len < 0)
			len = 32;
		if (len > 32)
			return -1;
	} else if (inet_pton(AF_INET6, buf, p->addr) == 1) {
		p->family = AF_INET6;
		if (len < 0)
			len = 128;
		if (len > 128)
			return -1;
	} else {
		return -1;
	}
	p->len = (uint8_t)len;
	return 0;
}

bool prefix_contains(const struct prefix *p, int family, const uint8_t *addr)
{
	unsigned full, rem;
	if (p->family != family)
		return false;
	full = p->len / 8;
	rem = p->len % 8;
	if (memcmp(p->addr, addr, full))
		return false;
	if (rem) {
		uint8_t mask = (uint8_t)(0xff << (8 - rem));
		if ((p->addr[full] & mask) != (addr[full] & mask))
			return false;
	}
	return true;
}

void prefix_format(const struct prefix *p, char *out, size_t cap)
{
	char a[INET6_ADDRSTRLEN];
	inet_ntop(p->family, p->addr, a, sizeof(a));
	snprintf(out, cap, "%s/%u", a, p->len);
}

/* -------------------------------------------------------------- values -- */

static int get_u64(struct ctx *x, const config_setting_t *parent, const char *name, bool required,
		   uint64_t min, uint64_t max, uint64_t *out)
{
	config_setting_t *s = config_setting_get_member(parent, name);
	long long v;
	if (!s) {
		if (required)
			return fail(x, parent, "missing setting '%s'", name);
		return 1;
	}
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
		/* hex literals above 0x7fffffff arrive as negative ints */
		v = config_setting_get_int(s);
		if (v < 0 && config_setting_get_format(s) == CONFIG_FORMAT_HEX)
			v = (long long)(uint32_t)v;
		break;
	case CONFIG_TYPE_INT64:
		v = config_setting_get_int64(s);
		break;
	default:
		return fail(x, s, "'%s' must be an integer", name);
	}
	if (v < 0 || (uint64_t)v < min || (uint64_t)v > max)
		return fail(x, s, "'%s' = %lld out of range [%llu, %llu]", name, v,
			    (unsigned long long)min, (unsigned long long)max);
	*out = (uint64_t)v;
	return 0;
}

static int get_u32(struct ctx *x, const config_setting_t *parent, const char *name, bool required,
		   uint32_t min, uint32_t max, uint32_t dflt, uint32_t *out)
{
	uint64_t v = 0;
	int r = get_u64(x, parent, name, required, min, max, &v);
	if (r < 0)
		return -1;
	*out = r == 0 ? (uint32_t)v : dflt;
	return 0;
}

static int get_bool(struct ctx *x, const config_setting_t *parent, const char *name, bool dflt,
		    bool *out)
{
	config_setting_t *s = config_setting_get_member(parent, name);
	*out = dflt;
	if (!s)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return fail(x, s, "%s must be true or false", name);
	*out = config_setting_get_bool(s);
	return 0;
}

static int get_str(struct ctx *x, const config_setting_t *parent, const char *name, bool required,
		   const char *dflt, char *out, size_t cap)
{
	config_setting_t *s = config_setting_get_member(parent, name);
	const char *v;
	if (!s) {
		if (required)
			return fail(x, parent, "missing setting '%s'", name);
		if (strlen(dflt) >= cap)
			return fail(x, parent, "default of '%s' too long", name);
		memmove(out, dflt, strlen(dflt) + 1); /* dflt may be out itself */
		return 0;
	}
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return fail(x, s, "'%s' must be a string", name);
	v = config_setting_get_string(s);
	if (strlen(v) >= cap)
		return fail(x, s, "'%s' is too long (max %zu)", name, cap - 1);
	strcpy(out, v);
	return 0;
}

/* Unknown settings are errors: a typo must not silently fall back to a default. */
static int check_members(struct ctx *x, const config_setting_t *g, const char *const *ok)
{
	int n = config_setting_length(g);
	for (int i = 0; i < n; i++) {
		config_setting_t *e = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(e);
		bool found = false;
		if (!name)
			continue;
		for (const char *const *k = ok; *k; k++)
			if (!strcmp(*k, name))
				found = true;
		if (!found) {
			const char *gn = config_setting_name(g);
			return fail(x, e, "unknown setting '%s'%s%s", name, gn ? " in " : "",
				    gn ? gn : "");
		}
	}
	return 0;
}

static const char *const keys_top[] = {"daemon", "domain", "domains", "psp", "peers", NULL};
static const char *const keys_daemon[] = {
    "mode",	     "interface",   "mtu",  "addresses",      "port",	   "source_ports",
    "workers",	     "offload",	    "user", "control_socket", "state_dir", "log_level",
    "control_group", "iv_block",    "gro",  "udp_gso",	      "udp_gro",   "admin_group",
    "seccomp",	     "lock_memory", NULL};
static const char *const keys_domain[] = {"name",	  "id",
					  "key_file",	  "profile",
					  "kdf",	  "suite",
					  "node_id",	  "tenant",
					  "group",	  "epoch",
					  "epoch_period", "epoch_window",
					  "crypt_offset", "max_crypt_offset",
					  "spi_min",	  "spi_max",
					  "sa_phase",	  "policy",
					  "forward_to",	  "epoch_packets",
					  "replay",	  "replay_buckets",
					  "clock_skew",	  NULL};
static const char *const keys_psp[] = {"key_file",   "version", "crypt_offset",
				       "spi_master", "policy",	NULL};
static const char *const keys_peer[] = {"name",	       "endpoint", "node_id", "tx_spi", "rx_spi",
					"allowed_ips", "domain",   "tenant",  "group",	NULL};
static const char *const keys_policy[] = {"nodes", "spis", "prefixes", "tenant", "group", NULL};

static void resolve_path(const char *dir, const char *in, char *out, size_t cap)
{
	size_t dl = (in[0] == '/' || !dir[0]) ? 0 : strlen(dir), il = strlen(in);
	if (dl + 1 + il + 1 > cap) {
		out[0] = 0; /* too long: fails later with "No such file" */
		return;
	}
	if (dl) {
		memcpy(out, dir, dl);
		out[dl] = '/';
		memcpy(out + dl + 1, in, il + 1);
	} else {
		memcpy(out, in, il + 1);
	}
}

static int parse_prefix_list(struct ctx *x, const config_setting_t *parent, const char *name,
			     bool required, struct prefix **out, unsigned *n)
{
	config_setting_t *s = config_setting_get_member(parent, name);
	int len;
	*out = NULL;
	*n = 0;
	if (!s) {
		if (required)
			return fail(x, parent, "missing setting '%s'", name);
		return 0;
	}
	if (!config_setting_is_aggregate(s))
		return fail(x, s, "'%s' must be a list of prefixes", name);
	len = config_setting_length(s);
	if (len == 0)
		return 0;
	*out = calloc((size_t)len, sizeof(**out));
	if (!*out)
		return fail(x, s, "out of memory");
	for (int i = 0; i < len; i++) {
		config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *v = config_setting_get_string(e);
		if (!v)
			return fail(x, e, "'%s' element %d must be a string", name, i);
		if (prefix_parse(v, &(*out)[i]))
			return fail(x, e, "'%s': bad prefix \"%s\"", name, v);
	}
	*n = (unsigned)len;
	return 0;
}

/* list of integers or strings "N" / "LO-HI" */
static int parse_ranges(struct ctx *x, const config_setting_t *s, const char *name,
			struct node_range **out, unsigned *n)
{
	int len = config_setting_length(s);
	if (!config_setting_is_aggregate(s))
		return fail(x, s, "'%s' must be a list", name);
	*out = calloc((size_t)len + 1, sizeof(**out));
	if (!*out)
		return fail(x, s, "out of memory");
	for (int i = 0; i < len; i++) {
		config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		struct node_range *r = &(*out)[i];
		if (config_setting_type(e) == CONFIG_TYPE_INT ||
		    config_setting_type(e) == CONFIG_TYPE_INT64) {
			long long v = config_setting_type(e) == CONFIG_TYPE_INT
					  ? (long long)(uint32_t)config_setting_get_int(e)
					  : config_setting_get_int64(e);
			if (v < 0 || v > UINT32_MAX)
				return fail(x, e, "'%s': value out of range", name);
			r->lo = r->hi = (uint32_t)v;
		} else if (config_setting_type(e) == CONFIG_TYPE_STRING) {
			const char *v = config_setting_get_string(e);
			char *end;
			unsigned long long lo, hi;
			errno = 0;
			lo = strtoull(v, &end, 0);
			hi = lo;
			if (*end == '-')
				hi = strtoull(end + 1, &end, 0);
			if (errno || *end || end == v || lo > hi || hi > UINT32_MAX)
				return fail(x, e, "'%s': bad range \"%s\" (N or LO-HI)", name, v);
			r->lo = (uint32_t)lo;
			r->hi = (uint32_t)hi;
		} else {
			return fail(x, e, "'%s' elements must be integers or \"LO-HI\" strings",
				    name);
		}
	}
	*n = (unsigned)len;
	return 0;
}

static int parse_endpoint(const char *s, uint16_t dport, struct peer *p)
{
	char host[INET6_ADDRSTRLEN + 8];
	const char *port = NULL;
	unsigned long pv = dport;
	memset(&p->ep, 0, sizeof(p->ep));
	memset(&p->ep6, 0, sizeof(p->ep6));
	if (s[0] == '[') {
		const char *e = strchr(s, ']');
		if (!e || (size_t)(e - s - 1) >= sizeof(host))
			return -1;
		memcpy(host, s + 1, (size_t)(e - s - 1));
		host[e - s - 1] = 0;
		if (e[1] == ':')
			port = e + 2;
		else if (e[1])
			return -1;
	} else {
		const char *c = strchr(s, ':');
		if (c && strchr(c + 1, ':'))
			c = NULL; /* bare IPv6 */
		size_t hl = c ? (size_t)(c - s) : strlen(s);
		if (hl >= sizeof(host))
			return -1;
		memcpy(host, s, hl);
		host[hl] = 0;
		if (c)
			port = c + 1;
	}
	if (port) {
		char *end;
		errno = 0;
		pv = strtoul(port, &end, 10);
		if (errno || *end || end == port || pv == 0 || pv > 65535)
			return -1;
	}
	p->ep6.sin6_family = AF_INET6;
	p->ep6.sin6_port = htons((uint16_t)pv);
	struct sockaddr_in *v4 = (struct sockaddr_in *)&p->ep;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&p->ep;
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)pv);
		p->ep_len = sizeof(*v4);
		p->ep6.sin6_addr.s6_addr[10] = 0xff;
		p->ep6.sin6_addr.s6_addr[11] = 0xff;
		memcpy(&p->ep6.sin6_addr.s6_addr[12], &v4->sin_addr, 4);
		snprintf(p->ep_str, sizeof(p->ep_str), "%s:%lu", host, pv);
	} else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)pv);
		p->ep_len = sizeof(*v6);
		p->ep6 = *v6;
		snprintf(p->ep_str, sizeof(p->ep_str), "[%s]:%lu", host, pv);
	} else {
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ key file -- */

static int hexdec(const char *h, uint8_t *out, size_t n)
{
	unsigned v = 0;
	int rc = 0;
	if (strlen(h) != 2 * n)
		return -1;
	for (size_t i = 0; i < n && !rc; i++) {
		if (sscanf(h + 2 * i, "%2x", &v) != 1 ||
		    !strchr("0123456789abcdefABCDEF", h[2 * i]) ||
		    !strchr("0123456789abcdefABCDEF", h[2 * i + 1]))
			rc = -1;
		else
			out[i] = (uint8_t)v;
	}
	eesp_wipe(&v, sizeof(v));
	if (rc)
		eesp_wipe(out, n); /* no half-decoded key is left behind */
	return rc;
}

/* One "sa" line (l bytes at q, no newline) into k.  Its copies of the key
 * and salt text on the stack are wiped on every path. */
static int parse_sa_line(const char *q, size_t l, struct sa_key *k, const char **why)
{
	char tmp[512], kind[16], spi_s[32], key_s[160], salt_s[32], extra[8];
	char *e;
	unsigned long long spi;
	int nf, rc = -1;
	if (l >= sizeof(tmp)) {
		*why = "line too long";
		return -1;
	}
	memcpy(tmp, q, l);
	tmp[l] = 0;
	char *hash = strchr(tmp, '#');
	if (hash)
		*hash = 0;
	nf = sscanf(tmp, "sa %15s %31s %159s %31s %7s", kind, spi_s, key_s, salt_s, extra);
	errno = 0;
	spi = nf >= 2 ? strtoull(spi_s, &e, 0) : 0;
	if (nf < 3 || errno || *e || spi == 0 || spi > UINT32_MAX) {
		*why = "sa: expected 'sa psp <spi> <hexkey>' or 'sa eesp <spi> <hexkey> <hexsalt>' "
		       "with a non-zero 32-bit SPI";
		goto out;
	}
	k->spi = (uint32_t)spi;
	k->key_len = strlen(key_s) / 2;
	if (!strcmp(kind, "psp")) {
		k->psp = true;
		if (nf != 3 || (k->key_len != 16 && k->key_len != 32) ||
		    hexdec(key_s, k->key, k->key_len)) {
			*why = "sa psp: key must be 32 or 64 hex digits";
			goto out;
		}
	} else if (!strcmp(kind, "eesp")) {
		if (nf != 4 || (k->key_len != 16 && k->key_len != 32) ||
		    hexdec(key_s, k->key, k->key_len) || hexdec(salt_s, k->salt, 4)) {
			*why = "sa eesp: key must be 32 or 64 hex digits, salt 8";
			goto out;
		}
	} else {
		*why = "sa: kind must be 'psp' or 'eesp'";
		goto out;
	}
	rc = 0;
out:
	eesp_wipe(tmp, sizeof(tmp));
	eesp_wipe(key_s, sizeof(key_s));
	eesp_wipe(salt_s, sizeof(salt_s));
	eesp_wipe(extra, sizeof(extra));
	if (rc)
		eesp_wipe(k, sizeof(*k));
	return rc;
}

/*
 * "sa" lines are parsed here (the keyset has no room for them) and blanked
 * before the rest goes to eesp_keyfile_parse(), keeping line numbers.
 */
static int take_sa_lines(char *buf, size_t len, struct sa_key *sa, unsigned cap, unsigned *n,
			 unsigned *bad_line, const char **why)
{
	unsigned line = 1;
	char *p = buf, *end = buf + len;
	*n = 0;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *le = nl ? nl : end;
		char *q = p;
		while (q < le && (*q == ' ' || *q == '\t'))
			q++;
		if (le - q > 3 && !strncmp(q, "sa", 2) && (q[2] == ' ' || q[2] == '\t')) {
			if (*n >= cap) {
				*bad_line = line;
				*why = "too many sa lines";
				return -1;
			}
			if (parse_sa_line(q, (size_t)(le - q), &sa[*n], why)) {
				*bad_line = line;
				return -1;
			}
			(*n)++;
			memset(p, ' ', (size_t)(le - p));
		}
		p = nl ? nl + 1 : end;
		line++;
	}
	return 0;
}

/*
 * The uid that will read the key files on every later reload: the daemon
 * user once root has dropped its privileges, else whoever runs eespd.
 */
static uid_t keyfile_reader(uid_t daemon_uid)
{
	return geteuid() == 0 ? daemon_uid : geteuid();
}

static int load_keyfile(struct ctx *x, const config_setting_t *where, const char *path,
			uid_t daemon_uid, struct cfg *c)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int lockd;
	unsigned bad_line = 0;
	const char *why = NULL;
	struct eesp_keyfile_error ke;
	uid_t reader = keyfile_reader(daemon_uid);

	if (fd < 0) {
		/* a reload that cannot read a key file fails: keeping the old
		 * keys would silently undo a revocation made in the file */
		if (errno == ELOOP)
			return fail(x, where, "key file %s: a symlink (symlinks are refused)",
				    path);
		return fail(x, where, "key file %s: %s%s", path, strerror(errno),
			    errno == EACCES ? " (it must belong to the daemon user)" : "");
	}
	if (fstat(fd, &st)) {
		close(fd);
		return fail(x, where, "key file %s: %s", path, strerror(errno));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return fail(x, where, "key file %s: not a regular file", path);
	}
	if (st.st_mode & 077) {
		close(fd);
		return fail(x, where,
			    "key file %s: mode %04o is too open (must be 0600 or stricter: no "
			    "group/other access)",
			    path, (unsigned)(st.st_mode & 07777));
	}
	if (st.st_uid != reader) {
		/* mode 0600: only its owner can read it after the privilege
		 * drop, and every reload must re-read it (or fail) */
		close(fd);
		return fail(
		    x, where,
		    "key file %s: owned by uid %u, but eespd reads it as uid %u (the "
		    "daemon user) on every reload: chown it to that user (before eesp 0.2 a "
		    "root-owned key file was accepted and a reload silently kept the old "
		    "keys)",
		    path, (unsigned)st.st_uid, (unsigned)reader);
	}
	if (st.st_size > KEYFILE_MAX) {
		close(fd);
		return fail(x, where, "key file %s: too large", path);
	}
	buf = eesp_secure_alloc((size_t)st.st_size + 1, &lockd);
	if (!buf) {
		close(fd);
		return fail(x, where, "out of memory");
	}
	while (len < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + len, (size_t)st.st_size - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(fd);

	c->sa = eesp_secure_alloc(64 * sizeof(*c->sa), &lockd);
	c->keys = eesp_keyset_new();
	if (!c->sa || !c->keys) {
		eesp_secure_free(buf, (size_t)st.st_size + 1);
		return fail(x, where, "out of memory");
	}
	if (take_sa_lines(buf, len, c->sa, 64, &c->n_sa, &bad_line, &why)) {
		eesp_secure_free(buf, (size_t)st.st_size + 1);
		snprintf(x->err, x->err_len, "%s:%u: %s", path, bad_line, why);
		return -1;
	}
	memset(&ke, 0, sizeof(ke));
	if (eesp_keyfile_parse(c->keys, buf, len, &ke)) {
		eesp_secure_free(buf, (size_t)st.st_size + 1);
		if (ke.line)
			snprintf(x->err, x->err_len, "%s:%u: %s", path, ke.line, ke.msg);
		else
			snprintf(x->err, x->err_len, "%s: %s", path, ke.msg);
		return -1;
	}
	eesp_secure_free(buf, (size_t)st.st_size + 1);
	return 0;
}

/* ------------------------------------------------------------- derived -- */

void cfg_finish_keys(struct cfg *c)
{
	for (unsigned i = 1; !c->is_sub && i < c->n_doms; i++)
		cfg_finish_keys(c->doms[i]);
	c->dom.keys = c->keys;
	c->phase[0] = c->phase[1] = c->phase[2] = 0;
	if (c->mode != MODE_EESP || !c->keys)
		return;
	const struct eesp_root_gen *g = eesp_ring_current(&c->keys->domain);
	if (g)
		c->phase[0] = (uint8_t)(g->generation % 4);
	if (c->tenant) {
		const struct eesp_ring *r = eesp_keyset_ring(c->keys, EESP_LEVEL_TENANT, c->tenant);
		g = r ? eesp_ring_current(r) : NULL;
		if (g)
			c->phase[1] = (uint8_t)(g->generation % 4);
	}
	if (c->group) {
		const struct eesp_ring *r = eesp_keyset_ring(c->keys, EESP_LEVEL_GROUP, c->group);
		g = r ? eesp_ring_current(r) : NULL;
		if (g)
			c->phase[2] = (uint8_t)(g->generation % 4);
	}
}

static int route_cmp(const void *a, const void *b)
{
	const struct route *x = a, *y = b;
	return (int)y->p.len - (int)x->p.len;
}

/* -------------------------------------------------------------- loader -- */

/* daemon.admin_group: the group whose members may use the admin control
 * verbs besides root (issue 14, finding 9); it must exist */
static int parse_admin_group(struct ctx *x, config_setting_t *d, struct cfg *c)
{
	c->admin_gid = (gid_t)-1;
	if (get_str(x, d, "admin_group", false, "", c->admin_group, sizeof(c->admin_group)))
		return -1;
	if (!c->admin_group[0])
		return 0;
	struct group *gr = getgrnam(c->admin_group);
	if (!gr)
		return fail(x, config_setting_get_member(d, "admin_group"),
			    "admin_group '%s' does not exist (create it with groupadd --system %s, "
			    "or leave admin_group out: admin verbs for root only)",
			    c->admin_group, c->admin_group);
	c->admin_gid = gr->gr_gid;
	return 0;
}

/* daemon.seccomp and daemon.lock_memory (sandbox.h, memlock.h) */
static int parse_hardening(struct ctx *x, const config_setting_t *d, struct cfg *c)
{
	static const char *const lock_modes[] = {
	    [MEMLOCK_AUTO] = "auto", [MEMLOCK_ALL] = "all", [MEMLOCK_KEYS] = "keys"};
	char mode[16];
	if (get_bool(x, d, "seccomp", true, &c->seccomp) ||
	    get_str(x, d, "lock_memory", false, "auto", mode, sizeof(mode)))
		return -1;
	for (int i = 0; i < 3; i++)
		if (!strcmp(mode, lock_modes[i])) {
			c->lock_memory = i;
			return 0;
		}
	return fail(x, config_setting_get_member(d, "lock_memory"),
		    "lock_memory must be \"auto\", \"all\" or \"keys\", not \"%s\"", mode);
}

static int parse_daemon(struct ctx *x, config_t *cf, struct cfg *c)
{
	config_setting_t *d = config_lookup(cf, "daemon");
	char tmp[256];
	uint32_t v;
	if (!d || !config_setting_is_group(d))
		return fail(x, d, "missing group 'daemon'");
	if (check_members(x, config_root_setting(cf), keys_top) || check_members(x, d, keys_daemon))
		return -1;
	if (get_str(x, d, "mode", false, "eesp", tmp, sizeof(tmp)))
		return -1;
	if (!strcmp(tmp, "eesp"))
		c->mode = MODE_EESP;
	else if (!strcmp(tmp, "psp"))
		c->mode = MODE_PSP;
	else
		return fail(x, config_setting_get_member(d, "mode"),
			    "mode must be \"eesp\" or \"psp\", not \"%s\"", tmp);
	if (get_str(x, d, "interface", false, c->mode == MODE_PSP ? "psp0" : "eesp0", c->ifname,
		    sizeof(c->ifname)))
		return -1;
	if (get_u32(x, d, "mtu", false, 576, 65000, 1400, &v))
		return -1;
	c->mtu = v;
	if (parse_prefix_list(x, d, "addresses", false, &c->addrs, &c->n_addrs))
		return -1;
	if (get_u32(x, d, "port", false, 1, 65535,
		    c->mode == MODE_PSP ? PSP_UDP_PORT : EESP_UDP_PORT, &v))
		return -1;
	c->port = (uint16_t)v;
	c->sport_min = 49152;
	c->sport_max = 65535;
	config_setting_t *sp = config_setting_get_member(d, "source_ports");
	if (sp) {
		if (!config_setting_is_array(sp) || config_setting_length(sp) != 2)
			return fail(x, sp, "source_ports must be [ min, max ]");
		int a = config_setting_get_int_elem(sp, 0), b = config_setting_get_int_elem(sp, 1);
		if (a < 1 || b > 65535 || a > b)
			return fail(x, sp, "source_ports [%d, %d]: need 1 <= min <= max <= 65535",
				    a, b);
		c->sport_min = (uint16_t)a;
		c->sport_max = (uint16_t)b;
	}
	if (get_u32(x, d, "workers", false, 1, EESPD_MAX_WORKERS, 1, &v))
		return -1;
	c->workers = v;
	if (get_bool(x, d, "offload", true, &c->offload) || get_bool(x, d, "gro", true, &c->gro) ||
	    get_bool(x, d, "udp_gso", true, &c->udp_gso) ||
	    get_bool(x, d, "udp_gro", true, &c->udp_gro))
		return -1;
	if (get_str(x, d, "user", false, "eesp", c->user, sizeof(c->user)))
		return -1;
	snprintf(tmp, sizeof(tmp), "/run/eespd/%s.sock", c->ifname);
	if (get_str(x, d, "control_socket", false, tmp, tmp, sizeof(tmp)))
		return -1;
	resolve_path(c->dir, tmp, c->ctl_path, sizeof(c->ctl_path));
	if (strlen(c->ctl_path) >= 100)
		return fail(x, config_setting_get_member(d, "control_socket"),
			    "control_socket path too long for a UNIX socket");
	if (get_str(x, d, "state_dir", false, "/var/lib/eespd", tmp, sizeof(tmp)))
		return -1;
	resolve_path(c->dir, tmp, c->state_dir, sizeof(c->state_dir));
	if (get_str(x, d, "control_group", false, "", c->ctl_group, sizeof(c->ctl_group)))
		return -1;
	if (parse_admin_group(x, d, c))
		return -1;
	c->iv_block = EESP_IVGEN_BLOCK;
	if (get_u64(x, d, "iv_block", false, 16, 1ull << 40, &c->iv_block) < 0)
		return -1;
	if (get_str(x, d, "log_level", false, "info", tmp, sizeof(tmp)))
		return -1;
	c->log_level = log_level_parse(tmp);
	if (c->log_level < 0)
		return fail(x, config_setting_get_member(d, "log_level"),
			    "log_level must be error, warning, info or debug");
	return parse_hardening(x, d, c);
}

/* Does the key file hold a tenant root other than the domain's own? */
static bool holds_other_tenants(const struct cfg *c)
{
	for (unsigned i = 0; c->keys && i < c->keys->n_tenants; i++)
		if (c->keys->tenant[i].id != c->tenant)
			return true;
	return false;
}

/* A peer or policy entry's tenant/group: unless this node holds those
 * roots, no packet of that boundary can be opened here (counted no_key),
 * so the entry never matches: say so (a fleet-wide policy may list tenants
 * a node is not part of, so this is not an error). */
static void warn_boundary_keys(const struct ctx *x, const config_setting_t *e, const struct cfg *c,
			       uint32_t tenant, uint32_t group)
{
	const char *f = config_setting_source_file(e) ? config_setting_source_file(e) : x->file;
	if (tenant && !eesp_keyset_ring(c->keys, EESP_LEVEL_TENANT, tenant))
		log_info("%s:%u: tenant %u: this node holds no root key of tenant %u; the entry "
			 "cannot match",
			 f, config_setting_source_line(e), tenant, tenant);
	if (group && !eesp_keyset_ring(c->keys, EESP_LEVEL_GROUP, group))
		log_info("%s:%u: group %u: this node holds no root key of group %u; the entry "
			 "cannot match",
			 f, config_setting_source_line(e), group, group);
}

static int parse_policy(struct ctx *x, config_setting_t *pl, struct cfg *c)
{
	int n;
	if (!pl)
		return 0;
	if (!config_setting_is_list(pl))
		return fail(x, pl,
			    "policy must be a list ( { nodes = [...]; prefixes = [...]; } )");
	n = config_setting_length(pl);
	c->policy = calloc((size_t)n + 1, sizeof(*c->policy));
	if (!c->policy)
		return fail(x, pl, "out of memory");
	for (int i = 0; i < n; i++) {
		config_setting_t *e = config_setting_get_elem(pl, (unsigned)i);
		struct policy *p = &c->policy[i];
		c->n_policy++; /* counted first: cfg_free frees a half-parsed entry */
		if (!config_setting_is_group(e))
			return fail(x, e, "each policy entry must be a group { ... }");
		if (check_members(x, e, keys_policy))
			return -1;
		config_setting_t *nodes = config_setting_get_member(e, "nodes");
		if (!nodes)
			nodes = config_setting_get_member(e, "spis");
		if (!nodes)
			return fail(x, e, "policy entry needs 'nodes' (eesp) or 'spis'");
		if (parse_ranges(x, nodes, config_setting_name(nodes), &p->nodes, &p->n_nodes))
			return -1;
		if (parse_prefix_list(x, e, "prefixes", true, &p->prefixes, &p->n_prefixes))
			return -1;
		if (c->mode == MODE_PSP) {
			if (config_setting_get_member(e, "tenant") ||
			    config_setting_get_member(e, "group"))
				return fail(x, e,
					    "psp policy: tenant and group apply to eesp only");
			continue;
		}
		if (get_u32(x, e, "tenant", false, 0, UINT32_MAX, c->tenant, &p->tenant) ||
		    get_u32(x, e, "group", false, 0, UINT32_MAX, c->group, &p->group))
			return -1;
		warn_boundary_keys(x, e, c, p->tenant, p->group);
		if (!config_setting_get_member(e, "tenant") && holds_other_tenants(c))
			log_warn("%s:%u: policy entry without 'tenant' accepts only packets sealed "
				 "under the domain's own tenant level (tenant = %u); the key file "
				 "holds other tenants' roots: give each entry its 'tenant' (before "
				 "eesp 0.2 such an entry accepted every tenant)",
				 config_setting_source_file(e) ? config_setting_source_file(e)
							       : x->file,
				 config_setting_source_line(e), c->tenant);
	}
	return 0;
}

static int parse_domain(struct ctx *x, config_t *cf, config_setting_t *d, struct cfg *c, uid_t uid)
{
	char tmp[256];
	uint32_t v;
	if (!d || !config_setting_is_group(d))
		return fail(x, d, "each domain must be a group { ... }");
	if (check_members(x, d, keys_domain))
		return -1;
	if (get_str(x, d, "name", false, "default", c->dom_name, sizeof(c->dom_name)))
		return -1;
	if (!c->dom_name[0] ||
	    strspn(c->dom_name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				"0123456789._-") != strlen(c->dom_name))
		return fail(x, config_setting_get_member(d, "name"),
			    "domain name \"%s\": use letters, digits, '.', '_' and '-' only",
			    c->dom_name);
	if (get_str(x, d, "profile", false, "node", tmp, sizeof(tmp)))
		return -1;
	if (!strcmp(tmp, "spi"))
		c->profile = EESP_PROFILE_SPI;
	else if (!strcmp(tmp, "node"))
		c->profile = EESP_PROFILE_NODE;
	else if (!strcmp(tmp, "pair"))
		c->profile = EESP_PROFILE_PAIR;
	else if (!strcmp(tmp, "tenant"))
		c->profile = EESP_PROFILE_TENANT;
	else
		return fail(x, config_setting_get_member(d, "profile"),
			    "profile must be spi, node, pair or tenant, not \"%s\"", tmp);
	if (get_u32(x, d, "id", c->profile != EESP_PROFILE_SPI, 0, UINT32_MAX, 0, &c->dom.spi))
		return -1;
	if (get_str(x, d, "kdf", false, "cmac", tmp, sizeof(tmp)))
		return -1;
	if (!strcmp(tmp, "cmac"))
		c->kdf = EESP_KDF_CMAC_AES256;
	else if (!strcmp(tmp, "hmac"))
		c->kdf = EESP_KDF_HMAC_SHA256;
	else
		return fail(x, config_setting_get_member(d, "kdf"), "kdf must be cmac or hmac");
	if (get_str(x, d, "suite", false, "aes-gcm-256", tmp, sizeof(tmp)))
		return -1;
	if (!strcmp(tmp, "aes-gcm-128"))
		c->suite = EESP_SUITE_AES_GCM_128;
	else if (!strcmp(tmp, "aes-gcm-256"))
		c->suite = EESP_SUITE_AES_GCM_256;
	else
		return fail(x, config_setting_get_member(d, "suite"),
			    "suite must be aes-gcm-128 or aes-gcm-256");
	if (get_u32(x, d, "node_id", eesp_profile_has_node(c->profile), 0, UINT32_MAX, 0,
		    &c->node_id))
		return -1;
	if (get_u32(x, d, "tenant", c->profile == EESP_PROFILE_TENANT, 0, UINT32_MAX, 0,
		    &c->tenant))
		return -1;
	if (c->profile == EESP_PROFILE_TENANT && !c->tenant)
		return fail(x, config_setting_get_member(d, "tenant"),
			    "profile tenant needs a non-zero tenant");
	if (get_u32(x, d, "group", false, 0, UINT32_MAX, 0, &c->group))
		return -1;
	if (get_u32(x, d, "epoch", false, 0, UINT32_MAX, 0, &c->epoch_base))
		return -1;
	if (get_u32(x, d, "epoch_period", false, 0, UINT32_MAX, 0, &c->epoch_period))
		return -1;
	if (get_u32(x, d, "epoch_window", false, 0, UINT32_MAX, 2, &c->dom.epoch_window))
		return -1;
	if (get_u32(x, d, "epoch_packets", false, 0, UINT32_MAX, 0, &c->epoch_packets))
		return -1;
	if (c->epoch_packets && !c->dom.epoch_window)
		return fail(x, config_setting_get_member(d, "epoch_packets"),
			    "epoch_packets needs epoch_window >= 1 (receivers follow the "
			    "sender's epoch within the window)");
	if (get_bool(x, d, "replay", true, &c->replay))
		return -1;
	if (get_u32(x, d, "clock_skew", false, 1, 86400, 60, &c->clock_skew))
		return -1;
	if (get_u32(x, d, "replay_buckets", false, 1, 1u << EESP_REPLAY_MAX_BUCKET_BITS, 4096, &v))
		return -1;
	if (v & (v - 1))
		return fail(x, config_setting_get_member(d, "replay_buckets"),
			    "replay_buckets must be a power of two");
	for (c->replay_bits = 0; (1u << c->replay_bits) < v; c->replay_bits++)
		;
	if (get_u32(x, d, "crypt_offset", false, 0, 63, 0, &v))
		return -1;
	c->crypt_offset = (uint8_t)v;
	if (get_u32(x, d, "max_crypt_offset", false, 0, 63, 0, &v))
		return -1;
	c->dom.max_crypt_offset = v;
	if (get_u32(x, d, "spi_min", false, 1, UINT32_MAX, 0, &c->dom.spi_min))
		return -1;
	if (get_u32(x, d, "spi_max", false, 1, UINT32_MAX, 0, &c->dom.spi_max))
		return -1;
	if (get_u32(x, d, "sa_phase", false, 0, 3, 0, &v))
		return -1;
	c->sa_phase = (uint8_t)v;
	c->dom.self_node_id = c->node_id;
	c->sctx_flags = (c->tenant ? EESP_SCTX_FLAG_T : 0) | (c->group ? EESP_SCTX_FLAG_G : 0);

	if (get_str(x, d, "key_file", true, "", tmp, sizeof(tmp)))
		return -1;
	resolve_path(c->dir, tmp, c->key_path, sizeof(c->key_path));
	if (load_keyfile(x, config_setting_get_member(d, "key_file"), c->key_path, uid, c))
		return -1;
	if (c->profile == EESP_PROFILE_SPI) {
		bool any_sa = false;
		for (unsigned i = 0; i < c->n_sa; i++)
			any_sa |= !c->sa[i].psp;
		if (!eesp_ring_current(&c->keys->domain) && !any_sa)
			return fail(x, config_setting_get_member(d, "key_file"),
				    "key file %s holds neither a domain root key (server) nor "
				    "'sa eesp' data keys (client)",
				    c->key_path);
		if (c->workers != 1)
			return fail(x, config_lookup(cf, "daemon.workers"),
				    "profile spi needs workers = 1 (the out-of-band data keys are "
				    "bound to Session ID 1)");
		if (c->epoch_period || c->epoch_packets)
			return fail(x,
				    config_setting_get_member(d, c->epoch_period ? "epoch_period"
										 : "epoch_packets"),
				    "profile spi needs a fixed epoch (epoch_period = 0): the "
				    "out-of-band data keys are bound to it");
		if (eesp_ring_current(&c->keys->domain) &&
		    (!c->dom.spi_min || !c->dom.spi_max || c->dom.spi_min > c->dom.spi_max))
			return fail(x, d,
				    "profile spi with a domain root key (server) needs "
				    "spi_min <= spi_max");
	} else if (!eesp_ring_current(&c->keys->domain)) {
		return fail(x, config_setting_get_member(d, "key_file"),
			    "key file %s holds no domain root key", c->key_path);
	}
	if (c->tenant && !eesp_keyset_ring(c->keys, EESP_LEVEL_TENANT, c->tenant))
		return fail(x, config_setting_get_member(d, "tenant"),
			    "key file %s holds no root key of tenant %u", c->key_path, c->tenant);
	if (c->group && !eesp_keyset_ring(c->keys, EESP_LEVEL_GROUP, c->group))
		return fail(x, config_setting_get_member(d, "group"),
			    "key file %s holds no root key of group %u", c->key_path, c->group);
	return parse_policy(x, config_setting_get_member(d, "policy"), c);
}

/* A sub-snapshot for domain i > 0: the daemon fields of c, nothing else. */
static struct cfg *sub_new(const struct cfg *c, unsigned i)
{
	struct cfg *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	memcpy(s->path, c->path, sizeof(s->path));
	memcpy(s->dir, c->dir, sizeof(s->dir));
	s->mode = c->mode;
	memcpy(s->ifname, c->ifname, sizeof(s->ifname));
	s->mtu = c->mtu;
	s->port = c->port;
	s->sport_min = c->sport_min;
	s->sport_max = c->sport_max;
	s->workers = c->workers;
	s->offload = c->offload;
	s->gro = c->gro;
	s->udp_gso = c->udp_gso;
	s->udp_gro = c->udp_gro;
	s->log_level = c->log_level;
	s->is_sub = true;
	s->dom_idx = i;
	return s;
}

/* "domain: { ... }" (one domain) or "domains = ( { ... }, ... )". */
static int parse_domains(struct ctx *x, config_t *cf, struct cfg *c, uid_t uid)
{
	config_setting_t *one = config_lookup(cf, "domain");
	config_setting_t *list = config_lookup(cf, "domains");
	int n;
	if (one && list)
		return fail(x, list, "give either 'domain' or 'domains', not both");
	if (!one && !list)
		return fail(x, NULL, "mode eesp needs a 'domain' group (or a 'domains' list)");
	if (one)
		return parse_domain(x, cf, one, c, uid);
	if (!config_setting_is_list(list))
		return fail(x, list, "domains must be a list ( { ... }, { ... } )");
	n = config_setting_length(list);
	if (n < 1 || n > EESPD_MAX_DOMAINS)
		return fail(x, list, "domains: 1 to %d domains", EESPD_MAX_DOMAINS);
	for (int i = 0; i < n; i++) {
		config_setting_t *d = config_setting_get_elem(list, (unsigned)i);
		struct cfg *t = c;
		if (i > 0) {
			t = sub_new(c, (unsigned)i);
			if (!t)
				return fail(x, d, "out of memory");
			c->doms[i] = t;
			c->n_doms = (unsigned)i + 1;
		}
		if (parse_domain(x, cf, d, t, uid))
			return -1;
		for (int k = 0; k < i; k++)
			if (!strcmp(c->doms[k]->dom_name, t->dom_name))
				return fail(x, d, "domain name \"%s\" given twice", t->dom_name);
			else if (t->profile != EESP_PROFILE_SPI &&
				 c->doms[k]->profile != EESP_PROFILE_SPI &&
				 c->doms[k]->dom.spi == t->dom.spi)
				return fail(x, d, "domain %s: id 0x%08x is also domain %s's",
					    t->dom_name, t->dom.spi, c->doms[k]->dom_name);
	}
	/* forward_to names the domains a proxy re-seals received traffic for */
	for (int i = 0; i < n; i++) {
		config_setting_t *d = config_setting_get_elem(list, (unsigned)i);
		config_setting_t *f = config_setting_get_member(d, "forward_to");
		if (!f)
			continue;
		if (!config_setting_is_array(f))
			return fail(x, f, "forward_to must be a list of domain names [ \"b\" ]");
		for (int k = 0; k < config_setting_length(f); k++) {
			const char *nm = config_setting_get_string_elem(f, (unsigned)k);
			unsigned j;
			if (!nm)
				return fail(x, f, "forward_to: domain names are strings");
			for (j = 0; j < c->n_doms; j++)
				if (!strcmp(c->doms[j]->dom_name, nm))
					break;
			if (j == c->n_doms)
				return fail(x, f, "forward_to: no domain named \"%s\"", nm);
			if (j == (unsigned)i)
				return fail(x, f, "forward_to: a domain cannot forward to itself");
			c->doms[i]->forward_mask |= 1u << j;
		}
	}
	return 0;
}

static int parse_psp(struct ctx *x, config_t *cf, struct cfg *c, uid_t uid)
{
	config_setting_t *d = config_lookup(cf, "psp");
	char tmp[256];
	uint32_t v;
	if (!d || !config_setting_is_group(d))
		return fail(x, NULL, "mode psp needs a 'psp' group");
	if (check_members(x, d, keys_psp))
		return -1;
	if (get_u32(x, d, "version", false, 0, 1, 1, &c->psp_version))
		return -1;
	if (get_u32(x, d, "crypt_offset", false, 0, 63, 0, &v))
		return -1;
	c->psp_crypt_offset = (uint8_t)v;
	if (get_u32(x, d, "spi_master", false, 0, 1, 0, &c->psp_spi_master))
		return -1;
	if (get_str(x, d, "key_file", true, "", tmp, sizeof(tmp)))
		return -1;
	resolve_path(c->dir, tmp, c->key_path, sizeof(c->key_path));
	if (load_keyfile(x, config_setting_get_member(d, "key_file"), c->key_path, uid, c))
		return -1;
	if (!c->keys->has_psp[0] && !c->keys->has_psp[1])
		return fail(x, config_setting_get_member(d, "key_file"),
			    "key file %s holds no psp master key (psp 0|1 <hex>)", c->key_path);
	return parse_policy(x, config_setting_get_member(d, "policy"), c);
}

/*
 * Two members with one node id share data keys and nonces (eesp.7 IV
 * UNIQUENESS): a peer with this node's own id, or two peers of a domain
 * with one node id in one key boundary, is a configuration error.
 */
static int peer_node_taken(struct ctx *x, const config_setting_t *e, const struct cfg *c,
			   unsigned i, const struct cfg *pd)
{
	const struct peer *p = &c->peers[i];
	if (!eesp_profile_has_node(pd->profile))
		return 0;
	if (p->node_id == pd->node_id)
		return fail(
		    x, config_setting_get_member(e, "node_id"),
		    "peer %s: node_id %u is this node's own (domain %s): two members with one "
		    "node id reuse nonces",
		    p->name, p->node_id, pd->dom_name);
	for (unsigned k = 0; k < i; k++) {
		const struct peer *q = &c->peers[k];
		if (q->dom == p->dom && q->node_id == p->node_id && q->tenant == p->tenant &&
		    q->group == p->group)
			return fail(x, config_setting_get_member(e, "node_id"),
				    "peer %s: node_id %u is also peer %s's: two members with one "
				    "node id reuse nonces",
				    p->name, p->node_id, q->name);
	}
	return 0;
}

static int parse_peers(struct ctx *x, config_t *cf, struct cfg *c)
{
	config_setting_t *pl = config_lookup(cf, "peers");
	int n;
	unsigned nr = 0;
	if (!pl)
		return 0;
	if (!config_setting_is_list(pl))
		return fail(x, pl, "peers must be a list ( { ... }, ... )");
	n = config_setting_length(pl);
	c->peers = calloc((size_t)n + 1, sizeof(*c->peers));
	if (!c->peers)
		return fail(x, pl, "out of memory");
	for (int i = 0; i < n; i++) {
		config_setting_t *e = config_setting_get_elem(pl, (unsigned)i);
		struct peer *p = &c->peers[i];
		char ep[128];
		c->n_peers++;
		p->tx_key = -1;
		if (!config_setting_is_group(e))
			return fail(x, e, "each peer must be a group { ... }");
		if (check_members(x, e, keys_peer))
			return -1;
		snprintf(ep, sizeof(ep), "peer%d", i + 1);
		if (get_str(x, e, "name", false, ep, p->name, sizeof(p->name)))
			return -1;
		if (get_str(x, e, "endpoint", true, "", ep, sizeof(ep)))
			return -1;
		if (parse_endpoint(ep, c->port, p))
			return fail(x, config_setting_get_member(e, "endpoint"),
				    "peer %s: bad endpoint \"%s\" (ADDR:PORT or [ADDR6]:PORT)",
				    p->name, ep);
		if (get_u32(x, e, "node_id", false, 0, UINT32_MAX, 0, &p->node_id))
			return -1;
		if (config_setting_get_member(e, "domain")) {
			char dn[64];
			if (get_str(x, e, "domain", true, "", dn, sizeof(dn)))
				return -1;
			for (p->dom = 0; p->dom < c->n_doms; p->dom++)
				if (!strcmp(c->doms[p->dom]->dom_name, dn))
					break;
			if (p->dom == c->n_doms)
				return fail(x, config_setting_get_member(e, "domain"),
					    "peer %s: no domain named \"%s\"", p->name, dn);
		} else if (c->n_doms > 1) {
			return fail(x, e,
				    "peer %s: name its domain (domain = \"...\"): there are %u",
				    p->name, c->n_doms);
		}
		const struct cfg *pd = c->doms[p->dom];
		if (get_u32(x, e, "tx_spi", false, 1, UINT32_MAX, 0, &p->tx_spi))
			return -1;
		config_setting_t *rs = config_setting_get_member(e, "rx_spi");
		if (rs) {
			struct node_range *r = NULL;
			unsigned nn = 0;
			if (config_setting_is_scalar(rs)) {
				uint32_t one;
				if (get_u32(x, e, "rx_spi", true, 1, UINT32_MAX, 0, &one))
					return -1;
				p->rx_spi = calloc(1, sizeof(uint32_t));
				if (!p->rx_spi)
					return fail(x, rs, "out of memory");
				p->rx_spi[0] = one;
				p->n_rx_spi = 1;
			} else {
				if (parse_ranges(x, rs, "rx_spi", &r, &nn))
					return -1;
				p->rx_spi = calloc(nn + 1, sizeof(uint32_t));
				if (!p->rx_spi) {
					free(r);
					return fail(x, rs, "out of memory");
				}
				for (unsigned k = 0; k < nn; k++)
					p->rx_spi[k] = r[k].lo;
				p->n_rx_spi = nn;
				free(r);
			}
		}
		if (parse_prefix_list(x, e, "allowed_ips", true, &p->allowed, &p->n_allowed))
			return -1;
		nr += p->n_allowed;
		if (pd->mode == MODE_EESP) {
			if (get_u32(x, e, "tenant", false, 0, UINT32_MAX, pd->tenant, &p->tenant) ||
			    get_u32(x, e, "group", false, 0, UINT32_MAX, pd->group, &p->group))
				return -1;
			warn_boundary_keys(x, e, pd, p->tenant, p->group);
			if (eesp_profile_has_node(pd->profile) && !p->node_id)
				return fail(x, e, "peer %s: node_id missing (profile %s)", p->name,
					    pd->profile == EESP_PROFILE_PAIR ? "pair"
									     : "node/tenant");
			if (peer_node_taken(x, e, c, (unsigned)i, pd))
				return -1;
			if (pd->profile == EESP_PROFILE_SPI && !p->tx_spi)
				return fail(x, e, "peer %s: tx_spi missing (profile spi)", p->name);
		} else {
			if (!p->tx_spi)
				return fail(x, e, "peer %s: tx_spi missing (psp mode)", p->name);
		}
		if (p->tx_spi && (pd->mode == MODE_PSP || pd->profile == EESP_PROFILE_SPI)) {
			bool want_psp = pd->mode == MODE_PSP;
			for (unsigned k = 0; k < pd->n_sa; k++)
				if (pd->sa[k].spi == p->tx_spi && pd->sa[k].psp == want_psp)
					p->tx_key = (int)k;
			bool server = !want_psp && eesp_ring_current(&pd->keys->domain) &&
				      p->tx_spi >= pd->dom.spi_min && p->tx_spi <= pd->dom.spi_max;
			if (p->tx_key < 0 && server)
				goto peer_done; /* sends with the key derived from our root */
			if (p->tx_key < 0)
				return fail(x, config_setting_get_member(e, "tx_spi"),
					    "peer %s: key file %s has no 'sa %s 0x%08x ...' line",
					    p->name, pd->key_path, want_psp ? "psp" : "eesp",
					    p->tx_spi);
			size_t want =
			    want_psp ? (pd->psp_version ? 32 : 16) : eesp_suite_key_len(pd->suite);
			if (pd->sa[p->tx_key].key_len != want)
				return fail(
				    x, config_setting_get_member(e, "tx_spi"),
				    "peer %s: data key of SPI 0x%08x is %zu bytes, %s needs %zu",
				    p->name, p->tx_spi, pd->sa[p->tx_key].key_len,
				    want_psp ? "psp version" : "the suite", want);
		}
	peer_done:;
	}
	c->routes = calloc(nr + 1, sizeof(*c->routes));
	if (!c->routes)
		return fail(x, pl, "out of memory");
	for (unsigned i = 0; i < c->n_peers; i++)
		for (unsigned k = 0; k < c->peers[i].n_allowed; k++) {
			c->routes[c->n_routes].p = c->peers[i].allowed[k];
			c->routes[c->n_routes].peer = i;
			c->n_routes++;
		}
	qsort(c->routes, c->n_routes, sizeof(*c->routes), route_cmp);
	for (unsigned i = 1; i < c->n_doms; i++) {
		c->doms[i]->peers = c->peers; /* shared; policy checks filter by dom */
		c->doms[i]->n_peers = c->n_peers;
	}
	return 0;
}

/* daemon.user must exist (issue 14, finding 10): a missing one used to
 * become "nobody", a uid other services share. */
static int lookup_user(struct ctx *x, config_t *cf, const struct cfg *c, uid_t *uid)
{
	gid_t gid;
	char name[64];
	if (!privs_lookup(c->user, uid, &gid, name, sizeof(name)))
		return 0;
	config_setting_t *d = config_lookup(cf, "daemon");
	config_setting_t *s = d ? config_setting_get_member(d, "user") : NULL;
	return fail(x, s ? s : d,
		    "user '%s'%s does not exist: create it with useradd --system "
		    "--no-create-home --shell /usr/sbin/nologin %s (or set user to an existing "
		    "account of its own)",
		    c->user, s ? "" : " (the default of daemon.user)", c->user);
}

/* Shared by cfg_load (text from path) and cfg_load_string (text given):
 * text == NULL reads path with libconfig; otherwise path only names the
 * source in messages and dir is where relative paths and @include resolve. */
static struct cfg *cfg_load_common(const char *path, const char *text, const char *dir,
				   uid_t daemon_uid, char *err, size_t err_len)
{
	config_t cf;
	struct cfg *c = calloc(1, sizeof(*c));
	struct ctx x = {path, err, err_len};
	char *slash;
	int ok;

	if (!c) {
		snprintf(err, err_len, "out of memory");
		return NULL;
	}
	c->doms[0] = c;
	c->n_doms = 1;
	snprintf(c->path, sizeof(c->path), "%s", path);
	if (dir) {
		snprintf(c->dir, sizeof(c->dir), "%s", dir);
	} else {
		snprintf(c->dir, sizeof(c->dir), "%s", path);
		slash = strrchr(c->dir, '/');
		if (slash)
			*slash = 0;
		else
			strcpy(c->dir, ".");
	}

	config_init(&cf);
	config_set_include_dir(&cf, c->dir);
	ok = text ? config_read_string(&cf, text) : config_read_file(&cf, path);
	if (ok != CONFIG_TRUE) {
		if (config_error_type(&cf) == CONFIG_ERR_FILE_IO)
			snprintf(err, err_len, "%s: cannot read: %s", path, strerror(errno));
		else
			snprintf(err, err_len, "%s:%d: %s",
				 config_error_file(&cf) ? config_error_file(&cf) : path,
				 config_error_line(&cf), config_error_text(&cf));
		goto bad;
	}
	if (parse_daemon(&x, &cf, c))
		goto bad;
	/* key files may be owned by the daemon user, which must exist */
	if (daemon_uid == (uid_t)-1 && lookup_user(&x, &cf, c, &daemon_uid))
		goto bad;
	if (c->mode == MODE_EESP) {
		if (parse_domains(&x, &cf, c, daemon_uid))
			goto bad;
	} else {
		if (parse_psp(&x, &cf, c, daemon_uid))
			goto bad;
	}
	if (parse_peers(&x, &cf, c))
		goto bad;
	cfg_finish_keys(c);
	c->serial = cfg_next_serial();
	c->loaded_at = time(NULL);
	config_destroy(&cf);
	return c;
bad:
	config_destroy(&cf);
	cfg_free(c);
	return NULL;
}

struct cfg *cfg_load(const char *path, uid_t daemon_uid, char *err, size_t err_len)
{
	return cfg_load_common(path, NULL, NULL, daemon_uid, err, err_len);
}

struct cfg *cfg_load_string(const char *text, const char *name, const char *dir, uid_t daemon_uid,
			    char *err, size_t err_len)
{
	return cfg_load_common(name, text, dir, daemon_uid, err, err_len);
}

void cfg_free(struct cfg *c)
{
	if (!c)
		return;
	if (!c->is_sub)
		for (unsigned i = 1; i < c->n_doms; i++)
			cfg_free(c->doms[i]);
	free(c->addrs);
	if (c->keys)
		eesp_keyset_free(c->keys);
	if (c->sa)
		eesp_secure_free(c->sa, 64 * sizeof(*c->sa));
	for (unsigned i = 0; !c->is_sub && i < c->n_peers; i++) {
		free(c->peers[i].allowed);
		free(c->peers[i].rx_spi);
	}
	if (!c->is_sub) {
		free(c->peers);
		free(c->routes);
	}
	for (unsigned i = 0; i < c->n_policy; i++) {
		free(c->policy[i].nodes);
		free(c->policy[i].prefixes);
	}
	free(c->policy);
	free(c);
}

static void *dup_mem(const void *p, size_t n)
{
	void *q;
	if (!p || !n)
		return NULL;
	q = malloc(n);
	if (q)
		memcpy(q, p, n);
	return q;
}

struct cfg *cfg_clone(const struct cfg *o)
{
	int lockd;
	struct cfg *c = malloc(sizeof(*c));
	if (!c)
		return NULL;
	*c = *o;
	if (o->is_sub) {
		/* peers/routes belong to doms[0]; the caller points them there */
		c->peers = NULL;
		c->n_peers = 0;
		c->routes = NULL;
		c->n_routes = 0;
	} else {
		c->doms[0] = c;
		for (unsigned i = 1; i < o->n_doms; i++)
			c->doms[i] = NULL;
	}
	c->addrs = dup_mem(o->addrs, o->n_addrs * sizeof(*o->addrs));
	c->keys = eesp_keyset_new();
	c->sa = eesp_secure_alloc(64 * sizeof(*c->sa), &lockd);
	if (!o->is_sub) { /* a sub's peers/routes are doms[0]'s: not copied */
		c->peers = dup_mem(o->peers, o->n_peers * sizeof(*o->peers));
		c->routes = dup_mem(o->routes, o->n_routes * sizeof(*o->routes));
	}
	c->policy = dup_mem(o->policy, o->n_policy * sizeof(*o->policy));
	if (c->keys && o->keys)
		memcpy(c->keys, o->keys, sizeof(*c->keys));
	if (c->sa && o->sa)
		memcpy(c->sa, o->sa, o->n_sa * sizeof(*c->sa));
	for (unsigned i = 0; c->peers && i < o->n_peers; i++) {
		c->peers[i].allowed =
		    dup_mem(o->peers[i].allowed, o->peers[i].n_allowed * sizeof(struct prefix));
		c->peers[i].rx_spi = dup_mem(o->peers[i].rx_spi, o->peers[i].n_rx_spi * 4);
	}
	for (unsigned i = 0; c->policy && i < o->n_policy; i++) {
		c->policy[i].nodes =
		    dup_mem(o->policy[i].nodes, o->policy[i].n_nodes * sizeof(struct node_range));
		c->policy[i].prefixes =
		    dup_mem(o->policy[i].prefixes, o->policy[i].n_prefixes * sizeof(struct prefix));
	}
	c->dom.keys = c->keys;
	for (unsigned i = 1; !o->is_sub && i < o->n_doms; i++) {
		c->doms[i] = cfg_clone(o->doms[i]);
		if (!c->doms[i]) {
			c->n_doms = i;
			cfg_free(c);
			return NULL;
		}
		c->doms[i]->peers = c->peers;
		c->doms[i]->n_peers = c->n_peers;
	}
	return c;
}

uint64_t cfg_next_serial(void)
{
	static _Atomic uint64_t serial;
	return atomic_fetch_add(&serial, 1) + 1;
}

/* ------------------------------------------------------------- lookups -- */

const struct peer *route_lookup(const struct cfg *c, int family, const uint8_t *dst)
{
	for (unsigned i = 0; i < c->n_routes; i++)
		if (prefix_contains(&c->routes[i].p, family, dst))
			return &c->peers[c->routes[i].peer];
	return NULL;
}

static bool in_ranges(const struct node_range *r, unsigned n, uint32_t v)
{
	for (unsigned i = 0; i < n; i++)
		if (v >= r[i].lo && v <= r[i].hi)
			return true;
	return false;
}

static bool in_prefixes(const struct prefix *p, unsigned n, int family, const uint8_t *a)
{
	for (unsigned i = 0; i < n; i++)
		if (prefix_contains(&p[i], family, a))
			return true;
	return false;
}

static bool boundary_is(const struct key_boundary *b, uint32_t tenant, uint32_t group)
{
	uint8_t flags = (tenant ? EESP_SCTX_FLAG_T : 0) | (group ? EESP_SCTX_FLAG_G : 0);
	return b->flags == flags && b->tenant == tenant && b->group == group;
}

bool policy_node_known(const struct cfg *c, uint32_t node, const struct key_boundary *b)
{
	for (unsigned i = 0; i < c->n_peers; i++) {
		const struct peer *p = &c->peers[i];
		if (p->dom == c->dom_idx && p->node_id == node &&
		    boundary_is(b, p->tenant, p->group))
			return true;
	}
	for (unsigned i = 0; i < c->n_policy; i++) {
		const struct policy *p = &c->policy[i];
		if (boundary_is(b, p->tenant, p->group) && in_ranges(p->nodes, p->n_nodes, node))
			return true;
	}
	return false;
}

bool policy_allows_node(const struct cfg *c, uint32_t node, const struct key_boundary *b,
			int family, const uint8_t *src)
{
	for (unsigned i = 0; i < c->n_peers; i++) {
		const struct peer *p = &c->peers[i];
		if (p->dom == c->dom_idx && p->node_id == node &&
		    boundary_is(b, p->tenant, p->group) &&
		    in_prefixes(p->allowed, p->n_allowed, family, src))
			return true;
	}
	for (unsigned i = 0; i < c->n_policy; i++) {
		const struct policy *p = &c->policy[i];
		if (boundary_is(b, p->tenant, p->group) && in_ranges(p->nodes, p->n_nodes, node) &&
		    in_prefixes(p->prefixes, p->n_prefixes, family, src))
			return true;
	}
	return false;
}

bool policy_spi_known(const struct cfg *c, uint32_t spi)
{
	for (unsigned i = 0; i < c->n_peers; i++) {
		const struct peer *p = &c->peers[i];
		for (unsigned k = 0; p->dom == c->dom_idx && k < p->n_rx_spi; k++)
			if (p->rx_spi[k] == spi)
				return true;
	}
	for (unsigned i = 0; i < c->n_policy; i++)
		if (in_ranges(c->policy[i].nodes, c->policy[i].n_nodes, spi))
			return true;
	return false;
}

bool policy_allows_spi(const struct cfg *c, uint32_t spi, int family, const uint8_t *src)
{
	for (unsigned i = 0; i < c->n_peers; i++) {
		const struct peer *p = &c->peers[i];
		if (p->dom != c->dom_idx)
			continue;
		for (unsigned k = 0; k < p->n_rx_spi; k++)
			if (p->rx_spi[k] == spi &&
			    in_prefixes(p->allowed, p->n_allowed, family, src))
				return true;
	}
	for (unsigned i = 0; i < c->n_policy; i++)
		if (in_ranges(c->policy[i].nodes, c->policy[i].n_nodes, spi) &&
		    in_prefixes(c->policy[i].prefixes, c->policy[i].n_prefixes, family, src))
			return true;
	return false;
}

const struct sa_key *cfg_sa_key(const struct cfg *c, bool psp, uint32_t spi)
{
	for (unsigned i = 0; i < c->n_sa; i++)
		if (c->sa[i].spi == spi && c->sa[i].psp == psp)
			return &c->sa[i];
	return NULL;
}

uint32_t cfg_epoch_at(const struct cfg *c, uint64_t unix_s)
{
	if (!c->epoch_period)
		return c->epoch_base;
	return c->epoch_base + (uint32_t)(unix_s / c->epoch_period);
}

uint32_t cfg_epoch_now(const struct cfg *c)
{
	return cfg_epoch_at(c, (uint64_t)time(NULL));
}

const struct cfg *cfg_domain_for_spi(const struct cfg *c, uint32_t spi)
{
	for (unsigned i = 0; i < c->n_doms; i++) {
		const struct cfg *d = c->doms[i];
		if (d->profile != EESP_PROFILE_SPI) {
			if (d->dom.spi == spi)
				return d;
		} else if (cfg_sa_key(d, false, spi) ||
			   (d->dom.spi_min && spi >= d->dom.spi_min && spi <= d->dom.spi_max)) {
			return d;
		}
	}
	return c;
}

unsigned cfg_max_crypt_offset(const struct cfg *c)
{
	unsigned m = 0;
	for (unsigned i = 0; i < c->n_doms; i++)
		if (c->doms[i]->dom.max_crypt_offset > m)
			m = c->doms[i]->dom.max_crypt_offset;
	return m;
}
