/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * log.h - leveled logging to stderr (foreground; the journal's priority
 * prefixes under systemd) or syslog.
 *
 * The one piece of process-wide state of the system library, as syslog's
 * own is: every thread logs, and a message carries the program's name
 * (log_open's ident), so eespd and other programs share this code.
 */
#ifndef EESP_SYS_LOG_H
#define EESP_SYS_LOG_H

#include <stdbool.h>

enum { LOG_LVL_ERROR = 0, LOG_LVL_WARNING, LOG_LVL_INFO, LOG_LVL_DEBUG };

/* ident: the program's name ("eespd"); to_stderr: else syslog (daemon
 * facility).  On stderr, when it is the journal's stream (JOURNAL_STREAM
 * names it: a systemd service), each line is "<priority>message" instead
 * of "ident: level: message". */
void log_open(const char *ident, bool to_stderr, int level);
/* Does JOURNAL_STREAM name this process's stderr? */
bool log_stderr_is_journal(void);
/* An error that stops the program, for whoever started it: on stderr as
 * "ident: message" ("<3>message" to the journal), wherever logging goes. */
void log_report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_set_level(int level);
/* "error", "warning" (or "warn"), "info", "debug"; -1 for anything else. */
int log_level_parse(const char *s);
void logmsg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...) logmsg(LOG_LVL_ERROR, __VA_ARGS__)
#define log_warn(...) logmsg(LOG_LVL_WARNING, __VA_ARGS__)
#define log_info(...) logmsg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) logmsg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif /* EESP_SYS_LOG_H */
