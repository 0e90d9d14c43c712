// SPDX-License-Identifier: GPL-2.0-or-later
/* log.c - leveled logging to stderr (-f) or syslog. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>

#include "eespd.h"

static bool log_stderr = true;
static _Atomic int log_lvl = LOG_LVL_INFO;

void log_open(bool to_stderr, int level)
{
	log_stderr = to_stderr;
	log_lvl = level;
	if (!to_stderr)
		openlog("eespd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_set_level(int level)
{
	log_lvl = level;
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

	if (level > log_lvl)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (log_stderr)
		fprintf(stderr, "eespd: %s: %s\n", tags[level], buf);
	else
		syslog(prio[level], "%s", buf);
}
