/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <criterion/criterion.h>
#include <string.h>

#include "strbuf.h"

Test(strbuf, grows_across_allocations)
{
	struct strbuf b = {0};
	for (int i = 0; i < 2000; i++)
		strbuf_printf(&b, "%04d,", i);
	cr_assert(!b.oom);
	cr_assert_eq(b.len, 2000 * 5);
	cr_assert_eq(strlen(b.p), b.len);
	cr_assert(strncmp(b.p, "0000,0001,", 10) == 0);
	cr_assert(strcmp(b.p + b.len - 5, "1999,") == 0);
	strbuf_free(&b);
	cr_assert_null(b.p);
	cr_assert_eq(b.len, 0);
}

Test(strbuf, hex_and_json)
{
	struct strbuf b = {0};
	const uint8_t d[] = {0x00, 0x9a, 0xff};
	strbuf_hex(&b, d, sizeof(d));
	strbuf_printf(&b, " ");
	strbuf_json(&b, "a\"b\\c\n\x7f");
	cr_assert_str_eq(b.p, "009aff \"a\\\"b\\\\c\\u000a\\u007f\"");
	strbuf_free(&b);
}
