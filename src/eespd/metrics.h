/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * metrics.h - the body of the `metrics` control verb: every counter of
 * every worker, the traffic of each trust domain and the key generations
 * in force with their age, in the Prometheus text exposition format
 * (version 0.0.4: HELP and TYPE lines, one family after the other).
 *
 * Names: a counter of counters.h that is not a drop is eesp_<name>_total;
 * the drops are eesp_rx_dropped_total and eesp_tx_dropped_total with a
 * reason label (the names of errors.h and counters.h), and the failures
 * that are no packet's fault eesp_internal_errors_total.  Every sample
 * carries interface="<ifname>", so that two daemons of one host can share
 * a node_exporter textfile directory.
 */
#ifndef EESPD_METRICS_H
#define EESPD_METRICS_H

#include <time.h>

#include "eespd.h"
#include "strbuf.h"

enum metrics_kind {
	METRICS_COUNTER,  /* eesp_<name>_total{worker} */
	METRICS_RX_DROP,  /* eesp_rx_dropped_total{reason,worker} */
	METRICS_TX_DROP,  /* eesp_tx_dropped_total{reason,worker} */
	METRICS_INTERNAL, /* eesp_internal_errors_total{reason,worker} */
};

/* The family counter i (1..CNT__COUNT-1) goes to. */
enum metrics_kind metrics_kind_of(unsigned i);
/* HELP text of a METRICS_COUNTER counter, NULL for the others. */
const char *metrics_help_of(unsigned i);
/* A label value, quoted and escaped (backslash, double quote, newline). */
void metrics_label(struct strbuf *b, const char *v);

/* The whole exposition of a running eespd with snapshot s at time now. */
void metrics_write(struct strbuf *b, const struct eespd *e, const struct snap *s, time_t now);

#endif /* EESPD_METRICS_H */
