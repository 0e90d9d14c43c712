// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * join.c - `eespctl join BUNDLE [DIR]`: a join bundle from `domain invite`
 * (bundle.c) becomes this host's key file and complete eespd.conf in DIR
 * (default /etc/eespd, where eespd looks), owned as eespd needs them
 * (confdir.c).  The bundle is verified and parsed whole before anything is
 * written, and existing files are kept unless --force is given.
 */
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eespctl.h"
#include "onboard.h"

struct join_opts {
	const char *bundle, *dir, *user;
	bool force;
};

static void join_usage(FILE *f)
{
	fprintf(f,
		"Usage: %s join BUNDLE [DIR] [--user NAME] [--force]\n\n"
		"Turns a join bundle made by `%s domain invite` into this host's key file\n"
		"DIR/%s (the daemon user's, mode 0600) and eespd.conf DIR/%s (root's, 0644);\n"
		"DIR defaults to %s, where eespd looks.  The bundle must be intact (its\n"
		"MAC verifies) and private (mode 0600).  Existing files are not replaced\n"
		"unless --force is given.  --user names the daemon user (default %s, which\n"
		"is created when missing, as root).  Then start eespd.\n\n"
		"Example:\n  %s join beta.join && eespd\n",
		PROG, PROG, DOMAIN_KEYS, DOMAIN_CONF, NC_DEFAULT_DIR, NC_DEFAULT_USER, PROG);
}

static int join_parse(int argc, char *argv[], struct join_opts *o)
{
	static const struct option opts[] = {{"user", required_argument, NULL, 'u'},
					     {"force", no_argument, NULL, 'f'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	int c;

	memset(o, 0, sizeof(*o));
	optind = 1;
	while ((c = getopt_long(argc, argv, "fh", opts, NULL)) != -1) {
		if (c == 'h') {
			join_usage(stdout);
			return 1;
		}
		if (c == 'u' && nc_name_ok(optarg)) {
			o->user = optarg;
		} else if (c == 'f') {
			o->force = true;
		} else {
			if (c == 'u')
				err("--user: letters, digits, '.', '_' and '-' only");
			join_usage(stderr);
			return -1;
		}
	}
	if (optind != argc - 1 && optind != argc - 2) {
		join_usage(stderr);
		return -1;
	}
	o->bundle = argv[optind];
	o->dir = optind == argc - 2 ? argv[optind + 1] : NC_DEFAULT_DIR;
	return 0;
}

static int write_files(const struct join_opts *o, int dfd, const struct owners *own,
		       struct node_conf *c, const struct eesp_keyset *ks)
{
	const char *hint = "(--force replaces it)";
	char comment[512], head[512], *text;
	size_t len;
	int rc;

	snprintf(comment, sizeof(comment), "Root keys of domain \"%s\", node %u (%s), from %s",
		 c->name, c->node_id, c->self_name, o->bundle);
	if (!(text = keyset_format(ks, true, c->id, comment, &len)))
		return -1;
	rc = confdir_write(dfd, o->dir, DOMAIN_KEYS, text, len, CONFDIR_KEY, own, o->force, hint);
	free_secret(text, len);
	if (rc)
		return -1;
	snprintf(c->user, sizeof(c->user), "%s", own->user);
	snprintf(c->key_file, sizeof(c->key_file), "%s", DOMAIN_KEYS);
	snprintf(head, sizeof(head),
		 "# eespd.conf of node %u (%s) of domain \"%s\", written by `eespctl join`\n"
		 "# from a bundle of `eespctl domain invite`.  Complete: `eespd` runs it.\n"
		 "# See eespd.conf(5); relative paths are relative to this file's directory.\n",
		 c->node_id, c->self_name, c->name);
	if (!(text = nc_format(c, head, &len)))
		return -1;
	rc = confdir_write(dfd, o->dir, DOMAIN_CONF, text, len, CONFDIR_CONF, own, o->force, hint);
	free(text);
	return rc;
}

int join_main(int argc, char *argv[])
{
	struct join_opts o;
	struct node_conf c;
	struct eesp_keyset *ks = NULL;
	struct owners own;
	char *buf = NULL, fp[17];
	size_t len = 0;
	int rc = join_parse(argc, argv, &o), dfd = -1;

	if (rc)
		return rc > 0 ? 0 : EXIT_USAGE;
	if (read_secret_file(o.bundle, &buf, &len))
		return 1;
	rc = bundle_parse(o.bundle, buf, len, &c, &ks);
	free_secret(buf, len);
	if (rc)
		return 1;
	rc = 1;
	if (owners_get(o.user ? o.user : NC_DEFAULT_USER, !o.user, &own) ||
	    (dfd = confdir_open(o.dir, &own, true)) < 0)
		goto out;
	if (!o.force && (confdir_has(dfd, DOMAIN_CONF) || confdir_has(dfd, DOMAIN_KEYS))) {
		err("%s already holds %s: refusing to overwrite it (--force replaces it)", o.dir,
		    confdir_has(dfd, DOMAIN_CONF) ? DOMAIN_CONF : DOMAIN_KEYS);
		goto out;
	}
	if (write_files(&o, dfd, &own, &c, ks))
		goto out;
	bundle_fingerprint(ks, fp);
	printf("joined domain \"%s\" (0x%08x) as node %u (%s), %u peer%s: %s/%s, %s/%s\n"
	       "domain key fingerprint %s; start it: eespd%s%s%s\n",
	       c.name, c.id, c.node_id, c.self_name, c.n_peers, c.n_peers == 1 ? "" : "s", o.dir,
	       DOMAIN_CONF, o.dir, DOMAIN_KEYS, fp, strcmp(o.dir, NC_DEFAULT_DIR) ? " -c " : "",
	       strcmp(o.dir, NC_DEFAULT_DIR) ? o.dir : "",
	       strcmp(o.dir, NC_DEFAULT_DIR) ? "/" DOMAIN_CONF : "");
	rc = 0;
out:
	if (dfd >= 0)
		close(dfd);
	eesp_keyset_free(ks);
	nc_free(&c);
	return rc;
}
