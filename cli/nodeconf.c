// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nodeconf.c - a single-domain eesp node's eespd.conf as a struct
 * (onboard.h): eespd's defaults, the complete file written out, and the
 * file read back with libconfig (for `domain invite`), plus the checked
 * words both share: names, endpoints, interface addresses.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <libconfig.h>
#include <stdlib.h>
#include <string.h>

#include "eespctl.h"
#include "onboard.h"
#include "strbuf.h"

void nc_set_ifname(struct node_conf *c, const char *ifname)
{
	snprintf(c->ifname, sizeof(c->ifname), "%s", ifname);
	snprintf(c->control_socket, sizeof(c->control_socket), "%s/%s.sock", NC_SOCKET_DIR, ifname);
}

void nc_defaults(struct node_conf *c, const char *name, uint32_t id, uint32_t node_id)
{
	memset(c, 0, sizeof(*c));
	nc_set_ifname(c, NC_DEFAULT_IFNAME);
	c->mtu = 1400;
	c->port = EESP_UDP_PORT;
	snprintf(c->user, sizeof(c->user), "%s", NC_DEFAULT_USER);
	/* one state directory serves several daemons: its files are named
	 * by interface (eespd.conf(5)) */
	snprintf(c->state_dir, sizeof(c->state_dir), "%s", NC_STATE_DIR);
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->id = id;
	snprintf(c->key_file, sizeof(c->key_file), "%s", DOMAIN_KEYS);
	c->profile = EESP_PROFILE_NODE;
	c->kdf = EESP_KDF_CMAC_AES256;
	c->suite = EESP_SUITE_AES_GCM_256;
	c->node_id = node_id;
	c->epoch_window = 2;
}

void nc_free(struct node_conf *c)
{
	free(c->peers);
	c->peers = NULL;
	c->n_peers = 0;
}

int nc_add_peer(struct node_conf *c, const struct nc_peer *p)
{
	struct nc_peer *n = realloc(c->peers, (c->n_peers + 1) * sizeof(*n));
	if (!n) {
		err("out of memory");
		return -1;
	}
	c->peers = n;
	c->peers[c->n_peers++] = *p;
	return 0;
}

bool nc_name_ok(const char *s)
{
	size_t n = strlen(s);
	if (!n || n >= NC_TEXT)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '.' && *s != '_' && *s != '-')
			return false;
	return true;
}

static int port_of(const char *what, const char *s, unsigned *port)
{
	uint32_t v;
	if (parse_u32(s, &v) || !v || v > 65535) {
		err("%s: bad port '%s' (1-65535)", what, s);
		return -1;
	}
	*port = v;
	return 0;
}

int nc_endpoint(const char *what, const char *s, unsigned dport, char *out, size_t cap,
		unsigned *port)
{
	char host[64];
	const char *ps = NULL;
	uint8_t a[16];
	bool v6;

	if (s[0] == '[') {
		const char *e = strchr(s, ']');
		if (!e || (size_t)(e - s - 1) >= sizeof(host) || (e[1] && e[1] != ':')) {
			err("%s: '%s' is not [ADDR6]:PORT", what, s);
			return -1;
		}
		snprintf(host, sizeof(host), "%.*s", (int)(e - s - 1), s + 1);
		ps = e[1] ? e + 2 : NULL;
		v6 = true;
	} else {
		const char *colon = strchr(s, ':');
		v6 = colon && strchr(colon + 1, ':');
		if (strlen(s) >= sizeof(host)) {
			err("%s: '%s' is too long", what, s);
			return -1;
		}
		snprintf(host, sizeof(host), "%s", s);
		if (!v6 && colon) {
			host[colon - s] = 0;
			ps = colon + 1;
		}
	}
	if (inet_pton(v6 ? AF_INET6 : AF_INET, host, a) != 1) {
		err("%s: '%s' is not an IPv4 or IPv6 address (ADDR, ADDR:PORT, [ADDR6]:PORT)", what,
		    host);
		return -1;
	}
	*port = dport;
	if (ps && port_of(what, ps, port))
		return -1;
	snprintf(out, cap, v6 ? "[%s]:%u" : "%s:%u", host, *port);
	return 0;
}

int nc_address(const char *what, const char *s, char out[NC_TEXT])
{
	struct prefix p;
	const char *slash = strchr(s, '/');
	if (!slash || strlen(s) >= NC_TEXT || prefix_parse(s, &p)) {
		err("%s: '%s' is not an interface address ADDR/LEN (e.g. 192.0.2.1/24)", what, s);
		return -1;
	}
	snprintf(out, NC_TEXT, "%s", s);
	return 0;
}

void nc_host_prefix(const char *addr, char out[NC_TEXT])
{
	size_t n = strcspn(addr, "/");
	snprintf(out, NC_TEXT, "%.*s/%u", (int)n, addr, strchr(addr, ':') ? 128 : 32);
}

static void fmt_strings(struct strbuf *b, const char (*v)[NC_TEXT], unsigned n)
{
	strbuf_printf(b, "[");
	for (unsigned i = 0; i < n; i++)
		strbuf_printf(b, "%s \"%s\"", i ? "," : "", v[i]);
	strbuf_printf(b, "%s]", n ? " " : " ");
}

static void fmt_peer(struct strbuf *b, const struct nc_peer *p)
{
	strbuf_printf(b, "  { name = \"%s\"; endpoint = \"%s\"; node_id = %u;", p->name,
		      p->endpoint, p->node_id);
	if (p->tenant || p->group)
		strbuf_printf(b, " tenant = %u; group = %u;", p->tenant, p->group);
	strbuf_printf(b, "\n    allowed_ips = ");
	fmt_strings(b, p->allowed, p->n_allowed);
	strbuf_printf(b, "; }");
}

char *nc_format_peer(const struct nc_peer *p, size_t *len)
{
	struct strbuf b = {0};
	fmt_peer(&b, p);
	if (b.oom || !b.p) {
		strbuf_free(&b);
		err("out of memory");
		return NULL;
	}
	*len = b.len;
	return b.p;
}

static void fmt_daemon(struct strbuf *b, const struct node_conf *c)
{
	strbuf_printf(b,
		      "daemon: {\n  mode = \"eesp\";\n  interface = \"%s\";\n  mtu = %u;\n"
		      "  addresses = ",
		      c->ifname, c->mtu);
	fmt_strings(b, c->addrs, c->n_addrs);
	strbuf_printf(b,
		      ";\n  port = %u;\n  source_ports = [ 49152, 65535 ];\n  workers = 1;\n"
		      "  user = \"%s\";\n  control_socket = \"%s\";\n  state_dir = \"%s\";\n"
		      "  log_level = \"info\";\n};\n\n",
		      c->port, c->user, c->control_socket, c->state_dir);
}

static void fmt_domain(struct strbuf *b, const struct node_conf *c)
{
	strbuf_printf(b,
		      "domain: {\n  name = \"%s\";\n  id = 0x%08X;\n  key_file = \"%s\";\n"
		      "  profile = \"%s\";\n  kdf = \"%s\";\n  suite = \"%s\";\n"
		      "  node_id = %u;\n  tenant = %u;\n  group = %u;\n"
		      "  epoch = %u;\n  epoch_period = %u;\n  epoch_window = %u;\n",
		      c->name, c->id, c->key_file, profile_name(c->profile), kdf_name(c->kdf),
		      suite_name(c->suite), c->node_id, c->tenant, c->group, c->epoch,
		      c->epoch_period, c->epoch_window);
	if (c->epoch_packets)
		strbuf_printf(b, "  epoch_packets = %u;\n", c->epoch_packets);
	strbuf_printf(b, "  crypt_offset = %u;\n  max_crypt_offset = %u;\n  policy = ( );\n};\n\n",
		      c->crypt_offset, c->max_crypt_offset);
}

char *nc_format(const struct node_conf *c, const char *header, size_t *len)
{
	struct strbuf b = {0};
	if (header)
		strbuf_printf(&b, "%s\n", header);
	fmt_daemon(&b, c);
	fmt_domain(&b, c);
	/* the list comes last and ends the file: confpeer.c finds it there */
	strbuf_printf(&b, "peers = (\n");
	for (unsigned i = 0; i < c->n_peers; i++) {
		fmt_peer(&b, &c->peers[i]);
		strbuf_printf(&b, "%s\n", i + 1 < c->n_peers ? "," : "");
	}
	strbuf_printf(&b, ");\n");
	if (b.oom || !b.p) {
		strbuf_free(&b);
		err("out of memory");
		return NULL;
	}
	*len = b.len;
	return b.p;
}

/* ------------------------------------------------------------- reading -- */

struct rd {
	const char *path;
	config_t *cfg;
};

static int rd_fail(const struct rd *r, const config_setting_t *s, const char *what)
{
	err("%s:%d: %s", r->path, s ? config_setting_source_line(s) : 0, what);
	return -1;
}

static int rd_str(const struct rd *r, const config_setting_t *g, const char *name, char *out,
		  size_t cap, bool required)
{
	const config_setting_t *s = config_setting_get_member(g, name);
	const char *v;
	char m[128];
	if (!s) {
		snprintf(m, sizeof(m), "'%s' is missing", name);
		return required ? rd_fail(r, g, m) : 0;
	}
	if (!(v = config_setting_get_string(s)) || strlen(v) >= cap) {
		snprintf(m, sizeof(m), "'%s' must be a string of fewer than %zu bytes", name, cap);
		return rd_fail(r, s, m);
	}
	snprintf(out, cap, "%s", v);
	return 0;
}

static int rd_u32(const struct rd *r, const config_setting_t *g, const char *name, uint32_t *out)
{
	const config_setting_t *s = config_setting_get_member(g, name);
	long long v;
	char m[128];
	if (!s)
		return 0;
	v = config_setting_get_int64(s);
	/* hex literals above 0x7fffffff arrive as negative ints (cfgutil.c) */
	if (config_setting_type(s) == CONFIG_TYPE_INT) {
		v = config_setting_get_int(s);
		if (v < 0 && config_setting_get_format(s) == CONFIG_FORMAT_HEX)
			v = (long long)(uint32_t)v;
	}
	if ((config_setting_type(s) != CONFIG_TYPE_INT &&
	     config_setting_type(s) != CONFIG_TYPE_INT64) ||
	    v < 0 || v > UINT32_MAX) {
		snprintf(m, sizeof(m), "'%s' must be an integer from 0 to 4294967295", name);
		return rd_fail(r, s, m);
	}
	*out = (uint32_t)v;
	return 0;
}

static int rd_strings(const struct rd *r, const config_setting_t *g, const char *name,
		      char (*out)[NC_TEXT], unsigned *n)
{
	const config_setting_t *s = config_setting_get_member(g, name);
	*n = 0;
	if (!s)
		return 0;
	for (int i = 0; i < config_setting_length(s); i++) {
		const char *v = config_setting_get_string_elem(s, i);
		if (!v || strlen(v) >= NC_TEXT || *n == NC_MAX_ADDRS)
			return rd_fail(r, s, "a list of at most 8 short strings expected");
		snprintf(out[(*n)++], NC_TEXT, "%s", v);
	}
	return 0;
}

static int rd_word(const struct rd *r, const config_setting_t *g, const char *name,
		   int (*parse)(const char *, unsigned *), unsigned *out)
{
	char w[32] = "";
	if (rd_str(r, g, name, w, sizeof(w), false))
		return -1;
	if (w[0] && parse(w, out))
		return rd_fail(r, config_setting_get_member(g, name), "unknown word");
	return 0;
}

static int rd_daemon(const struct rd *r, struct node_conf *c)
{
	const config_setting_t *d = config_lookup(r->cfg, "daemon");
	char mode[16] = "eesp", ifname[16] = NC_DEFAULT_IFNAME;
	uint32_t mtu = c->mtu, port = c->port;
	if (!d)
		return rd_fail(r, config_root_setting(r->cfg), "no daemon group");
	if (rd_str(r, d, "mode", mode, sizeof(mode), false) ||
	    rd_str(r, d, "interface", ifname, sizeof(ifname), false))
		return -1;
	if (!is_mode(mode, EESP_MODE_EESP))
		return rd_fail(r, d, "psp mode: only eesp nodes can invite (eespctl(8))");
	nc_set_ifname(c, ifname);
	if (rd_u32(r, d, "mtu", &mtu) || rd_u32(r, d, "port", &port) ||
	    rd_strings(r, d, "addresses", c->addrs, &c->n_addrs) ||
	    rd_str(r, d, "user", c->user, sizeof(c->user), false) ||
	    rd_str(r, d, "control_socket", c->control_socket, sizeof(c->control_socket), false) ||
	    rd_str(r, d, "state_dir", c->state_dir, sizeof(c->state_dir), false))
		return -1;
	c->mtu = mtu;
	c->port = port;
	return 0;
}

static int rd_domain(const struct rd *r, struct node_conf *c)
{
	const config_setting_t *d = config_lookup(r->cfg, "domain");
	uint32_t co = 0, mco = 0;
	if (config_lookup(r->cfg, "domains"))
		return rd_fail(r, config_lookup(r->cfg, "domains"),
			       "several domains (domains = ...): invite works on a node of one");
	if (!d)
		return rd_fail(r, config_root_setting(r->cfg), "no domain group");
	if (rd_str(r, d, "name", c->name, sizeof(c->name), false) || rd_u32(r, d, "id", &c->id) ||
	    rd_str(r, d, "key_file", c->key_file, sizeof(c->key_file), true) ||
	    rd_word(r, d, "profile", parse_profile, &c->profile) ||
	    rd_word(r, d, "kdf", parse_kdf, &c->kdf) ||
	    rd_word(r, d, "suite", parse_suite, &c->suite) ||
	    rd_u32(r, d, "node_id", &c->node_id) || rd_u32(r, d, "tenant", &c->tenant) ||
	    rd_u32(r, d, "group", &c->group) || rd_u32(r, d, "epoch", &c->epoch) ||
	    rd_u32(r, d, "epoch_period", &c->epoch_period) ||
	    rd_u32(r, d, "epoch_window", &c->epoch_window) ||
	    rd_u32(r, d, "epoch_packets", &c->epoch_packets) || rd_u32(r, d, "crypt_offset", &co) ||
	    rd_u32(r, d, "max_crypt_offset", &mco))
		return -1;
	if (c->profile == EESP_PROFILE_SPI)
		return rd_fail(r, d,
			       "profile spi: its clients get keys from spi-alloc, not invite");
	if (!c->id || !c->node_id)
		return rd_fail(r, d, "the domain needs an id and this node a node_id");
	c->crypt_offset = co;
	c->max_crypt_offset = mco;
	return 0;
}

static int rd_peer(const struct rd *r, const config_setting_t *e, struct nc_peer *p)
{
	memset(p, 0, sizeof(*p));
	if (rd_str(r, e, "name", p->name, sizeof(p->name), false) ||
	    rd_str(r, e, "endpoint", p->endpoint, sizeof(p->endpoint), true) ||
	    rd_u32(r, e, "node_id", &p->node_id) || rd_u32(r, e, "tenant", &p->tenant) ||
	    rd_u32(r, e, "group", &p->group) ||
	    rd_strings(r, e, "allowed_ips", p->allowed, &p->n_allowed))
		return -1;
	if (config_setting_get_member(e, "domain") || config_setting_get_member(e, "tx_spi"))
		return rd_fail(r, e, "a peer with domain or tx_spi: not a single-domain node peer");
	return 0;
}

static int rd_peers(const struct rd *r, struct node_conf *c)
{
	const config_setting_t *l = config_lookup(r->cfg, "peers");
	struct nc_peer p;
	for (int i = 0; l && i < config_setting_length(l); i++)
		if (rd_peer(r, config_setting_get_elem(l, (unsigned)i), &p) || nc_add_peer(c, &p))
			return -1;
	return 0;
}

int nc_read(const char *path, const char *text, struct node_conf *c)
{
	config_t cfg;
	struct rd r = {.path = path, .cfg = &cfg};
	int rc;

	nc_defaults(c, "default", 0, 0);
	config_init(&cfg);
	if (config_read_string(&cfg, text) != CONFIG_TRUE) {
		err("%s:%d: %s", path, config_error_line(&cfg), config_error_text(&cfg));
		config_destroy(&cfg);
		return -1;
	}
	rc = rd_daemon(&r, c) || rd_domain(&r, c) || rd_peers(&r, c) ? -1 : 0;
	config_destroy(&cfg);
	if (rc)
		nc_free(c);
	return rc;
}
