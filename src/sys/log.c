// SPDX-License-Identifier: GPL-2.0-or-later
/* log.c - leveled logging to stderr (-f) or syslog; see log.h. */
#include "log.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

static const int g_prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};

static struct {
	bool to_stderr;
	bool journal; /* stderr is the journal's stream: "<prio>message" lines */
	_Atomic int level;
	char ident[32];
} g_log = {.to_stderr = true, .level = LOG_LVL_INFO, .ident = "eesp"};

bool log_stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	uintmax_t dev, ino;
	struct stat st;
	char end;
	/* systemd sets "<device>:<inode>" of the stream it connected to
	 * stderr; a redirected stderr (2>file) no longer matches */
	if (!js || sscanf(js, "%ju:%ju%c", &dev, &ino, &end) != 2 || fstat(STDERR_FILENO, &st))
		return false;
	return (uintmax_t)st.st_dev == dev && (uintmax_t)st.st_ino == ino;
}

void log_open(const char *ident, bool to_stderr, int level)
{
	snprintf(g_log.ident, sizeof(g_log.ident), "%s", ident);
	g_log.to_stderr = to_stderr;
	g_log.journal = to_stderr && log_stderr_is_journal();
	g_log.level = level;
	if (!to_stderr)
		openlog(g_log.ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_report(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (g_log.journal)
		fprintf(stderr, "<%d>%s\n", LOG_ERR, buf);
	else
		fprintf(stderr, "%s: %s\n", g_log.ident, buf);
}

void log_set_level(int level)
{
	g_log.level = level;
}

int log_level_parse(const char *s)
{
	static const char *names[] = {"error", "warning", "info", "debug"};
	for (int i = 0; i < 4; i++)
		if (!strcasecmp(s, names[i]))
			return i;
	if (!strcasecmp(s, "warn"))
		return LOG_LVL_WARNING;
	return -1;
}

void logmsg(int level, const char *fmt, ...)
{
	static const char *tags[] = {"error", "warning", "info", "debug"};
	char buf[1024];
	va_list ap;

	if (level > g_log.level)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* the journal takes the priority from a "<N>" prefix and adds the
	 * program's name and pid itself (sd-daemon(3)) */
	if (g_log.journal)
		fprintf(stderr, "<%d>%s\n", g_prio[level], buf);
	else if (g_log.to_stderr)
		fprintf(stderr, "%s: %s: %s\n", g_log.ident, tags[level], buf);
	else
		syslog(g_prio[level], "%s", buf);
}
