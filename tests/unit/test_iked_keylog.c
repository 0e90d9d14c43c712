/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_iked_keylog.c - eesp-iked's IKEv2 key log (src/iked/keylog.h): the
 * record is Wireshark's ikev2_decryption_table row plus our SK_d comment,
 * byte for byte; the file is created 0600, appended to, and refused when
 * it is a symbolic link, another user's, or readable by others;
 * daemon.key_log in the configuration.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "ike_proto.h"
#include "keylog.h"
#include "psk.h"

static const uint8_t SPI_I[8] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};
static const uint8_t SPI_R[8] = {0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8};

static void keys_fill(struct ike_keys *k, const struct ike_suite *s)
{
	memset(k, 0, sizeof(*k));
	k->prf = s->prf;
	k->prf_len = 32;
	k->ek_len = s->encr_bits / 8 + 4;
	for (size_t i = 0; i < k->ek_len; i++) {
		k->ei[i] = (uint8_t)(0xa0 + i);
		k->er[i] = (uint8_t)(0x10 + i);
	}
	for (size_t i = 0; i < k->prf_len; i++)
		k->d[i] = (uint8_t)(0x40 + i);
}

static const struct ike_suite S256 = {.encr = IKE_ENCR_AES_GCM_16,
				      .encr_bits = 256,
				      .prf = IKE_PRF_HMAC_SHA2_256,
				      .ke = IKE_KE_X25519};

Test(iked_keylog, record_is_wiresharks_row_and_our_sk_d)
{
	struct ike_keys k;
	char out[KEYLOG_LINE_MAX];
	keys_fill(&k, &S256);
	size_t n = keylog_format(out, sizeof(out), SPI_I, SPI_R, &S256, &k);
	const char *want =
	    "0102030405060708,f1f2f3f4f5f6f7f8,"
	    "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3,"
	    "101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f30313233,"
	    "\"AES-GCM-256 with 16 octet ICV [RFC5282]\",,,\"NONE [RFC4306]\"\n"
	    "# eesp-iked SK_d 0102030405060708 f1f2f3f4f5f6f7f8 5 "
	    "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f\n";
	cr_assert_str_eq(out, want);
	cr_assert_eq(n, strlen(want));
}

Test(iked_keylog, names_and_refusals)
{
	struct ike_keys k;
	char out[KEYLOG_LINE_MAX];
	struct ike_suite s = S256;
	cr_assert_str_eq(keylog_encr_name(IKE_ENCR_AES_GCM_16, 128),
			 "AES-GCM-128 with 16 octet ICV [RFC5282]");
	cr_assert_str_eq(keylog_encr_name(IKE_ENCR_AES_GCM_16, 192),
			 "AES-GCM-192 with 16 octet ICV [RFC5282]");
	cr_assert_str_eq(keylog_encr_name(IKE_ENCR_CHACHA20_POLY1305, 256), "");
	keys_fill(&k, &s);
	cr_assert_eq(keylog_format(out, 100, SPI_I, SPI_R, &s, &k), 0, "too small a buffer");
	cr_assert_str_eq(out, "", "nothing half written");
	s.encr = IKE_ENCR_CHACHA20_POLY1305;
	cr_assert_eq(keylog_format(out, sizeof(out), SPI_I, SPI_R, &s, &k), 0,
		     "no Wireshark name, no record");
	s = S256;
	k.ak_len = 32;
	cr_assert_eq(keylog_format(out, sizeof(out), SPI_I, SPI_R, &s, &k), 0,
		     "an integrity key we cannot name");
}

static char dir[] = "/tmp/test_keylog_XXXXXX";

static void path_in(char *p, size_t cap, const char *name)
{
	snprintf(p, cap, "%s/%s", dir, name);
}

Test(iked_keylog, file_created_0600_then_appended)
{
	char p[256], err[512], buf[4096];
	struct stat st;
	struct ike_keys k;
	cr_assert_not_null(mkdtemp(dir));
	path_in(p, sizeof(p), "keys.log");
	keys_fill(&k, &S256);
	umask(0);
	int fd = keylog_open(p, err, sizeof(err));
	cr_assert_geq(fd, 0, "%s", err);
	cr_assert_eq(fstat(fd, &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0600, "mode %o", st.st_mode & 07777);
	cr_assert_eq(keylog_write(fd, SPI_I, SPI_R, &S256, &k), 0);
	close(fd);
	fd = keylog_open(p, err, sizeof(err));
	cr_assert_geq(fd, 0, "an existing file of ours: %s", err);
	cr_assert_eq(keylog_write(fd, SPI_I, SPI_R, &S256, &k), 0);
	close(fd);
	fd = open(p, O_RDONLY);
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	cr_assert_gt(n, 0);
	buf[n] = 0;
	int lines = 0;
	for (char *c = buf; *c; c++)
		lines += *c == '\n';
	cr_assert_eq(lines, 4, "two records appended, not truncated: %s", buf);
	unlink(p);
	rmdir(dir);
}

static void refused_file(const char *name, const char *want)
{
	char p[256], err[512];
	path_in(p, sizeof(p), name);
	cr_assert_eq(keylog_open(p, err, sizeof(err)), -1, "%s accepted", name);
	cr_assert(strstr(err, want), "wanted '%s', got '%s'", want, err);
}

Test(iked_keylog, refuses_link_others_readable_and_foreign)
{
	char p[256], q[256];
	cr_assert_not_null(mkdtemp(dir));
	path_in(p, sizeof(p), "target");
	int fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600);
	cr_assert_geq(fd, 0);
	close(fd);
	path_in(q, sizeof(q), "link");
	cr_assert_eq(symlink(p, q), 0);
	refused_file("link", "symbolic link");
	path_in(q, sizeof(q), "hard");
	cr_assert_eq(link(p, q), 0);
	refused_file("hard", "one link");
	unlink(q);
	cr_assert_eq(chmod(p, 0640), 0);
	refused_file("target", "mode 0640");
	if (geteuid() == 0) {
		cr_assert_eq(chmod(p, 0600), 0);
		cr_assert_eq(chown(p, 65534, 65534), 0);
		refused_file("target", "owned by uid 65534");
	}
	path_in(q, sizeof(q), "nodir/x");
	refused_file("nodir/x", "No such file");
	unlink(p);
	path_in(q, sizeof(q), "link");
	unlink(q);
	rmdir(dir);
}

static int user_ids(void *arg, const char *name, uid_t *uid, gid_t *gid)
{
	(void)arg;
	(void)name;
	*uid = 1000;
	*gid = 1000;
	return 0;
}

static int load_psk(void *arg, const char *path, uid_t uid, struct iked_psk *psk, char *err,
		    size_t el)
{
	(void)arg;
	(void)uid;
	(void)path;
	return psk_parse("0123456789abcdef", 16, psk, err, el);
}

Test(iked_keylog, configuration)
{
	static const struct iked_conf_env env = {.user_ids = user_ids, .load_psk = load_psk};
	struct iked_conf c;
	char err[512];
	const char *tail = "ike: { local_id = \"gw1.example\"; };\n";
	char text[512];
	snprintf(text, sizeof(text), "daemon: { };\n%s", tail);
	cr_assert_eq(iked_conf_parse("/etc/x/eesp-iked.conf", text, &env, &c, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_str_eq(c.key_log, "", "off by default");
	iked_conf_free(&c);
	snprintf(text, sizeof(text), "daemon: { key_log = \"k/ike.keys\"; };\n%s", tail);
	cr_assert_eq(iked_conf_parse("/etc/x/eesp-iked.conf", text, &env, &c, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_str_eq(c.key_log, "/etc/x/k/ike.keys", "relative to the configuration");
	iked_conf_free(&c);
	snprintf(text, sizeof(text), "daemon: {\n key_log = 5; };\n%s", tail);
	cr_assert_neq(iked_conf_parse("/etc/x/eesp-iked.conf", text, &env, &c, err, sizeof(err)),
		      0);
	cr_assert(strstr(err, "eesp-iked.conf:2:") && strstr(err, "key_log"), "%s", err);
}
