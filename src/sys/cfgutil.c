// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cfgutil.c - libconfig settings with file:line errors; see cfgutil.h.
 */
#include "cfgutil.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *cfg_file_of(const struct cfg_ctx *x, const config_setting_t *s)
{
	return s && config_setting_source_file(s) ? config_setting_source_file(s) : x->file;
}

unsigned cfg_line_of(const config_setting_t *s)
{
	return s ? config_setting_source_line(s) : 0;
}

int cfg_fail(struct cfg_ctx *x, const config_setting_t *s, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	unsigned line = cfg_line_of(s);
	if (line)
		snprintf(x->err, x->err_len, "%s:%u: %s", cfg_file_of(x, s), line, msg);
	else
		snprintf(x->err, x->err_len, "%s: %s", cfg_file_of(x, s), msg);
	return -1;
}

/* libconfig 1.5 reads a decimal integer into 32 signed bits: one above
 * 2147483647 arrives negative, like a negative one (and one above
 * 4294967295 wrapped, which cannot be seen here).  A refusal says so. */
static const char *wrap_hint(const config_setting_t *s, long long v, char *buf, size_t cap)
{
	if (v >= 0 || config_setting_type(s) != CONFIG_TYPE_INT)
		return "";
	snprintf(buf, cap,
		 " (negative, or a decimal above 2147483647 read as negative: write such a value "
		 "in hex, 0x%08x)",
		 (uint32_t)v);
	return buf;
}

int cfg_u64(struct cfg_ctx *x, const config_setting_t *parent, const char *name, bool required,
	    uint64_t min, uint64_t max, uint64_t *out)
{
	config_setting_t *s = config_setting_get_member(parent, name);
	long long v;
	if (!s) {
		if (required)
			return cfg_fail(x, parent, "missing setting '%s'", name);
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
		return cfg_fail(x, s, "'%s' must be an integer", name);
	}
	if (v < 0 || (uint64_t)v < min || (uint64_t)v > max) {
		char hint[128];
		return cfg_fail(x, s, "'%s' = %lld out of range [%llu, %llu]%s", name, v,
				(unsigned long long)min, (unsigned long long)max,
				wrap_hint(s, v, hint, sizeof(hint)));
	}
	*out = (uint64_t)v;
	return 0;
}

int cfg_u32(struct cfg_ctx *x, const config_setting_t *parent, const char *name, bool required,
	    uint32_t min, uint32_t max, uint32_t dflt, uint32_t *out)
{
	uint64_t v = 0;
	int r = cfg_u64(x, parent, name, required, min, max, &v);
	if (r < 0)
		return -1;
	*out = r == 0 ? (uint32_t)v : dflt;
	return 0;
}

int cfg_bool(struct cfg_ctx *x, const config_setting_t *parent, const char *name, bool dflt,
	     bool *out)
{
	config_setting_t *s = config_setting_get_member(parent, name);
	*out = dflt;
	if (!s)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return cfg_fail(x, s, "%s must be true or false", name);
	*out = config_setting_get_bool(s);
	return 0;
}

int cfg_str(struct cfg_ctx *x, const config_setting_t *parent, const char *name, bool required,
	    const char *dflt, char *out, size_t cap)
{
	config_setting_t *s = config_setting_get_member(parent, name);
	const char *v;
	if (!s) {
		if (required)
			return cfg_fail(x, parent, "missing setting '%s'", name);
		if (strlen(dflt) >= cap)
			return cfg_fail(x, parent, "default of '%s' too long", name);
		memmove(out, dflt, strlen(dflt) + 1); /* dflt may be out itself */
		return 0;
	}
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return cfg_fail(x, s, "'%s' must be a string", name);
	v = config_setting_get_string(s);
	if (strlen(v) >= cap)
		return cfg_fail(x, s, "'%s' is too long (max %zu)", name, cap - 1);
	strcpy(out, v);
	return 0;
}

/* Unknown settings are errors: a typo must not silently fall back to a default. */
int cfg_check_members(struct cfg_ctx *x, const config_setting_t *g, const char *const *ok)
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
			return cfg_fail(x, e, "unknown setting '%s'%s%s", name, gn ? " in " : "",
					gn ? gn : "");
		}
	}
	return 0;
}

int cfg_word(struct cfg_ctx *x, const config_setting_t *parent, const char *name,
	     const struct eesp_name *table, unsigned dflt, unsigned *out)
{
	char w[64], list[128];
	config_setting_t *s = config_setting_get_member(parent, name);
	int r = cfg_str(x, parent, name, false, "", w, sizeof(w));
	if (r < 0)
		return -1;
	if (!s) {
		*out = dflt;
		return 1;
	}
	if (eesp_value_of(table, w, out))
		return cfg_fail(x, s, "%s must be %s, not \"%s\"", name,
				eesp_names_list(table, list, sizeof(list)), w);
	return 0;
}

void cfg_resolve_path(const char *dir, const char *in, char *out, size_t cap)
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

static int prefix_list_fill(struct cfg_ctx *x, const config_setting_t *parent, const char *name,
			    bool required, struct prefix **out, unsigned *n)
{
	config_setting_t *s = config_setting_get_member(parent, name);
	int len;
	*out = NULL;
	*n = 0;
	if (!s) {
		if (required)
			return cfg_fail(x, parent, "missing setting '%s'", name);
		return 0;
	}
	if (!config_setting_is_aggregate(s))
		return cfg_fail(x, s, "'%s' must be a list of prefixes", name);
	len = config_setting_length(s);
	if (len == 0)
		return 0;
	*out = calloc((size_t)len, sizeof(**out));
	if (!*out)
		return cfg_fail(x, s, "out of memory");
	for (int i = 0; i < len; i++) {
		config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *v = config_setting_get_string(e);
		if (!v)
			return cfg_fail(x, e, "'%s' element %d must be a string", name, i);
		if (prefix_parse(v, &(*out)[i]))
			return cfg_fail(x, e, "'%s': bad prefix \"%s\"", name, v);
	}
	*n = (unsigned)len;
	return 0;
}

int cfg_prefix_list(struct cfg_ctx *x, const config_setting_t *parent, const char *name,
		    bool required, struct prefix **out, unsigned *n)
{
	if (prefix_list_fill(x, parent, name, required, out, n) == 0)
		return 0;
	free(*out); /* a refused list leaves nothing for the caller to free */
	*out = NULL;
	*n = 0;
	return -1;
}

/* list of integers or strings "N" / "LO-HI" */
static int ranges_fill(struct cfg_ctx *x, const config_setting_t *s, const char *name,
		       struct cfg_range **out, unsigned *n)
{
	int len = config_setting_length(s);
	if (!config_setting_is_aggregate(s))
		return cfg_fail(x, s, "'%s' must be a list", name);
	*out = calloc((size_t)len + 1, sizeof(**out));
	if (!*out)
		return cfg_fail(x, s, "out of memory");
	for (int i = 0; i < len; i++) {
		config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		struct cfg_range *r = &(*out)[i];
		if (config_setting_type(e) == CONFIG_TYPE_INT ||
		    config_setting_type(e) == CONFIG_TYPE_INT64) {
			long long v = config_setting_type(e) == CONFIG_TYPE_INT
					  ? config_setting_get_int(e)
					  : config_setting_get_int64(e);
			/* as cfg_u64: only hex literals above 0x7fffffff arrive
			 * negative; a negative decimal is no node id or SPI */
			if (v < 0 && config_setting_type(e) == CONFIG_TYPE_INT &&
			    config_setting_get_format(e) == CONFIG_FORMAT_HEX)
				v = (long long)(uint32_t)v;
			if (v < 0 || v > UINT32_MAX) {
				char hint[128];
				return cfg_fail(x, e, "'%s': value out of range%s", name,
						wrap_hint(e, v, hint, sizeof(hint)));
			}
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
				return cfg_fail(x, e, "'%s': bad range \"%s\" (N or LO-HI)", name,
						v);
			r->lo = (uint32_t)lo;
			r->hi = (uint32_t)hi;
		} else {
			return cfg_fail(x, e, "'%s' elements must be integers or \"LO-HI\" strings",
					name);
		}
	}
	*n = (unsigned)len;
	return 0;
}

int cfg_ranges(struct cfg_ctx *x, const config_setting_t *s, const char *name,
	       struct cfg_range **out, unsigned *n)
{
	*out = NULL;
	*n = 0;
	if (ranges_fill(x, s, name, out, n) == 0)
		return 0;
	free(*out);
	*out = NULL;
	*n = 0;
	return -1;
}
