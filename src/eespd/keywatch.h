/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * keywatch.h - noticing that a domain's key directory (key_dir) holds a new
 * set, and applying it.
 *
 * The main thread watches every key directory of the published snapshot
 * with inotify (a Secret volume's "..data" swap is a rename in the
 * directory) and, as a fallback for file systems without inotify events,
 * compares each set's version every key_dir_poll seconds.  A new version
 * reloads the configuration (keyops_reload), which reads the set whole:
 * it is applied atomically or not at all.  A set that is refused (torn,
 * malformed, unreadable) leaves the running keys in force; the refusal is
 * logged once per version and shown by status until a later set loads.
 */
#ifndef EESPD_KEYWATCH_H
#define EESPD_KEYWATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct eespd;
struct snap;
struct keywatch;

/* inotify unless disabled (false, or no inotify here: polling only). */
struct keywatch *keywatch_new(bool inotify, unsigned poll_s);
void keywatch_free(struct keywatch *kw);

/* The inotify descriptor to poll for POLLIN, or -1. */
int keywatch_fd(const struct keywatch *kw);

/* Check every key directory of the published snapshot: at once after an
 * inotify event (event true; the events are drained), else when the poll
 * interval has passed.  Reloads on a new version. */
void keywatch_check(struct eespd *e, struct keywatch *kw, bool event, time_t now);

/* Why the newest set of domain idx was refused ("" if it was not). */
const char *keywatch_refusal(const struct keywatch *kw, unsigned idx);

#endif /* EESPD_KEYWATCH_H */
