/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cfgutil.h - reading settings from a libconfig tree, every error as
 * "file:line: problem" naming the setting.
 *
 * The helpers return 0 when the setting was read, 1 when it is absent and
 * not required (the default is then stored where there is one), and -1 with
 * the message in ctx->err.
 */
#ifndef EESP_SYS_CFGUTIL_H
#define EESP_SYS_CFGUTIL_H

#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "names.h"
#include "prefix.h"

struct cfg_ctx {
	const char *file; /* names the text in messages */
	char *err;
	size_t err_len;
};

/* "file:line: <fmt>" (the line of s; just "file: " without one) into
 * x->err; returns -1. */
int cfg_fail(struct cfg_ctx *x, const config_setting_t *s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The file and line a setting came from (an @include'd file names itself). */
const char *cfg_file_of(const struct cfg_ctx *x, const config_setting_t *s);
unsigned cfg_line_of(const config_setting_t *s);

int cfg_u64(struct cfg_ctx *x, const config_setting_t *parent, const char *name, bool required,
	    uint64_t min, uint64_t max, uint64_t *out);
int cfg_u32(struct cfg_ctx *x, const config_setting_t *parent, const char *name, bool required,
	    uint32_t min, uint32_t max, uint32_t dflt, uint32_t *out);
int cfg_bool(struct cfg_ctx *x, const config_setting_t *parent, const char *name, bool dflt,
	     bool *out);
int cfg_str(struct cfg_ctx *x, const config_setting_t *parent, const char *name, bool required,
	    const char *dflt, char *out, size_t cap);
/* A word of a names.h table ("profile = \"node\";"); the error lists the
 * table's words. */
int cfg_word(struct cfg_ctx *x, const config_setting_t *parent, const char *name,
	     const struct eesp_name *table, unsigned dflt, unsigned *out);

/* Unknown settings are errors: a typo must not silently fall back to a default. */
int cfg_check_members(struct cfg_ctx *x, const config_setting_t *g, const char *const *ok);

/* A list of prefix strings (calloc()ed; free it); absent and not required: none.
 * On error nothing is left allocated (*out NULL). */
int cfg_prefix_list(struct cfg_ctx *x, const config_setting_t *parent, const char *name,
		    bool required, struct prefix **out, unsigned *n);

struct cfg_range {
	uint32_t lo, hi;
};
/* A list of integers or "N" / "LO-HI" strings (calloc()ed; free it); on
 * error nothing is left allocated. */
int cfg_ranges(struct cfg_ctx *x, const config_setting_t *s, const char *name,
	       struct cfg_range **out, unsigned *n);

/* in relative to dir (absolute paths as they are); "" if it does not fit. */
void cfg_resolve_path(const char *dir, const char *in, char *out, size_t cap);

#endif /* EESP_SYS_CFGUTIL_H */
