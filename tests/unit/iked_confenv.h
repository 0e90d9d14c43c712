/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * iked_confenv.h - the configuration environment of eesp-iked's unit tests
 * (struct iked_conf_env): the users "eesp-iked" (the default) and "test"
 * are uid 1000 and no other exists, and a PSK "file" holds its own text,
 * psk_file = ".../text:SECRET"; any other path does not exist.
 */
#ifndef TEST_IKED_CONFENV_H
#define TEST_IKED_CONFENV_H

#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "psk.h"

static int te_user_ids(void *arg, const char *name, uid_t *uid, gid_t *gid)
{
	(void)arg;
	if (strcmp(name, "eesp-iked") && strcmp(name, "test"))
		return -1;
	*uid = 1000;
	*gid = 1000;
	return 0;
}

static int te_load_psk(void *arg, const char *path, uid_t uid, struct iked_psk *psk, char *err,
		       size_t el)
{
	const char *t = strstr(path, "text:");
	(void)arg;
	(void)uid;
	if (!t) {
		snprintf(err, el, "psk file %s: No such file or directory", path);
		return -1;
	}
	return psk_parse(t + 5, strlen(t + 5), psk, err, el);
}

static const struct iked_conf_env iked_test_env = {.user_ids = te_user_ids,
						   .load_psk = te_load_psk};

#endif /* TEST_IKED_CONFENV_H */
