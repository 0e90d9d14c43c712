// SPDX-License-Identifier: GPL-2.0-or-later
/* log.c - leveled logging to stderr (-f) or syslog; see log.h. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <strings.h>
#include <syslog.h>

static struct {
	bool to_stderr;
	_Atomic int level;
	char ident[32];
} g_log = {.to_stderr = true, .level = LOG_LVL_INFO, .ident = "eesp"};

void log_open(const char *ident, bool to_stderr, int level)
{
	snprintf(g_log.ident, sizeof(g_log.ident), "%s", ident);
	g_log.to_stderr = to_stderr;
	g_log.level = level;
	if (!to_stderr)
		openlog(g_log.ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
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
	static const int prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};
	char buf[1024];
	va_list ap;

	if (level > g_log.level)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (g_log.to_stderr)
		fprintf(stderr, "%s: %s: %s\n", g_log.ident, tags[level], buf);
	else
		syslog(prio[level], "%s", buf);
}
