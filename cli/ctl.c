// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ctl.c - eespctl's side of the control socket: which socket (-s, the
 * EESPCTL_SOCKET environment variable, an interface name, the default) and
 * one request formatted by eesp_ctl_format() (src/core/ctlproto.h), sent
 * by the system library's client (src/sys/ctlclient.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ctlclient.h"
#include "ctlproto.h"
#include "eespctl.h"

const char *ctl_socket_path(const char *arg, char *buf, size_t cap)
{
	if (!arg || !*arg) {
		const char *env = getenv("EESPCTL_SOCKET");
		return env && *env ? env : EESPCTL_DEFAULT_SOCKET;
	}
	if (strchr(arg, '/'))
		return arg;
	/* an interface name, as in `wg show wg0` */
	snprintf(buf, cap, "%s/%s.sock", EESPCTL_SOCKET_DIR, arg);
	return buf;
}

int ctl_request(const char *sock, const struct eesp_ctl_req *req, char **body, char *errbuf,
		size_t errlen)
{
	return ctl_request_timeout(sock, req, 10000, body, errbuf, errlen);
}

int ctl_request_timeout(const char *sock, const struct eesp_ctl_req *req, int timeout_ms,
			char **body, char *errbuf, size_t errlen)
{
	char line[EESP_CTL_MAX_LINE + 2];
	size_t n = eesp_ctl_format(req, line, sizeof(line));
	int rc;

	*body = NULL;
	if (!n || n > EESP_CTL_MAX_LINE) {
		OPENSSL_cleanse(line, sizeof(line));
		snprintf(errbuf, errlen, "cannot format request");
		return -1;
	}
	rc = ctl_call_timeout(sock, line, n, timeout_ms, body, errbuf, errlen);
	OPENSSL_cleanse(line, sizeof(line)); /* sa-tx-set carries a key */
	return rc;
}
