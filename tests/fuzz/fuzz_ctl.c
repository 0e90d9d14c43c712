/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_ctl.c - libFuzzer harness for the control protocol parser.  An
 * accepted line must format back to a line that parses to the same request.
 */
#include <stdlib.h>
#include <string.h>

#include "ctlproto.h"

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			abort();                                                                   \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct eesp_ctl_req r, back;
	char err[96], out[EESP_CTL_MAX_LINE + 1];
	size_t n;

	/* a tiny error buffer must be safe too */
	(void)eesp_ctl_parse((const char *)data, size, &r, err, 3);
	if (eesp_ctl_parse((const char *)data, size, &r, err, sizeof(err)) != 0) {
		CHECK(memchr(err, 0, sizeof(err)) && err[0]);
		return 0;
	}
	CHECK(size <= EESP_CTL_MAX_LINE);
	n = eesp_ctl_format(&r, out, sizeof(out));
	CHECK(n > 0 && n <= EESP_CTL_MAX_LINE && out[n - 1] == '\n');
	CHECK(eesp_ctl_parse(out, n, &back, err, sizeof(err)) == 0);
	CHECK(back.verb == r.verb && back.json == r.json && back.level == r.level &&
	      back.id == r.id && back.version == r.version);
	/* the sa verbs' fields too (both requests start zeroed: padding too) */
	CHECK(memcmp(&back, &r, sizeof(r)) == 0);
	/* the canonical form of the accepted input (spi-alloc adds its default) */
	if (r.verb != EESP_CTL_SPI_ALLOC) {
		size_t in = size && data[size - 1] == '\n' ? size - 1 : size;

		CHECK(in == n - 1 && memcmp(out, data, in) == 0);
	}
	return 0;
}
