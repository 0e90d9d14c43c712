// SPDX-License-Identifier: GPL-2.0-or-later
/* test_metrics.c - the Prometheus exposition's families (metrics.h): every
 * counter of counters.h is in exactly one family, a drop never passes for a
 * plain counter, every plain counter has its HELP text, names and label
 * values are valid exposition text. */
#include <criterion/criterion.h>
#include <string.h>

#include "counters.h"
#include "metrics.h"

static bool valid_name(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

Test(metrics, every_counter_in_one_family)
{
	unsigned n[4] = {0};
	for (unsigned i = 1; i < CNT__COUNT; i++) {
		enum metrics_kind k = metrics_kind_of(i);
		cr_assert(k <= METRICS_INTERNAL, "counter %s: kind %d", counter_name(i), k);
		n[k]++;
		cr_assert(valid_name(counter_name(i)), "counter name '%s' is no metric name",
			  counter_name(i));
		if (counter_is_drop(i))
			cr_assert_neq(k, METRICS_COUNTER, "drop %s exported as a plain counter",
				      counter_name(i));
		else
			cr_assert_eq(k, METRICS_COUNTER, "counter %s exported as a drop",
				     counter_name(i));
		if (k == METRICS_COUNTER) {
			const char *h = metrics_help_of(i);
			cr_assert(h && *h && !strchr(h, '\n'), "counter %s: no HELP text",
				  counter_name(i));
		} else {
			cr_assert_null(metrics_help_of(i));
		}
	}
	cr_assert_eq(n[0] + n[1] + n[2] + n[3], CNT__COUNT - 1);
	/* the send side's own reasons, and the failures no packet causes */
	cr_assert_eq(metrics_kind_of(CNT_SEND_ERR), METRICS_TX_DROP);
	cr_assert_eq(metrics_kind_of(EESP_E_NO_ROUTE), METRICS_TX_DROP);
	cr_assert_eq(metrics_kind_of(EESP_E_AUTH), METRICS_RX_DROP);
	cr_assert_eq(metrics_kind_of(CNT_KEEPALIVE), METRICS_RX_DROP);
	cr_assert_eq(metrics_kind_of(EESP_E_CRYPTO), METRICS_INTERNAL);
	cr_assert_eq(metrics_kind_of(CNT_RX_PACKETS), METRICS_COUNTER);
}

Test(metrics, label_values_escaped)
{
	struct strbuf b = {0};
	metrics_label(&b, "a\"b\\c\nd");
	cr_assert(!b.oom);
	cr_assert_str_eq(b.p, "\"a\\\"b\\\\c\\nd\"");
	strbuf_free(&b);
}
