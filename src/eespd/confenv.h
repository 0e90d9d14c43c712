/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * confenv.h - the configuration parser's view of the real system (conf.h
 * struct conf_env): users and groups from the passwd and group databases,
 * key files from disk with the ownership rules of keyload.h.
 */
#ifndef EESPD_CONFENV_H
#define EESPD_CONFENV_H

#include "conf.h"

void eespd_conf_env(struct conf_env *env);

/* Parse the configuration file at path against the real system and log
 * the parser's warnings.  As conf_parse(). */
int eespd_conf_load(const char *path, struct eespd_conf *conf, struct snap **snap, char *err,
		    size_t err_len);

#endif /* EESPD_CONFENV_H */
