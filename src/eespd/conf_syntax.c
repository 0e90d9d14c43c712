// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * conf_syntax.c - what most likely causes libconfig's bare "syntax error"
 * (conf_int.h): libconfig names a line and nothing else, and that line is
 * often not where the mistake is (an unclosed string or group fails at the
 * end of the file).  A small scan of the text finds brackets that do not
 * pair, a string that runs across lines (legal, but no setting needs one:
 * a forgotten quote) and strings or comments that are never closed;
 * otherwise the message quotes the line.  Pure: text in, words out.
 */
#include <stdio.h>
#include <string.h>

#include "conf_int.h"

#define MAX_DEPTH 64

struct scan {
	char open[MAX_DEPTH]; /* the open brackets, innermost last */
	int open_line[MAX_DEPTH];
	int depth;
	int string_line;  /* > 0: inside a string opened there */
	int long_string;  /* > 0: the first string that ran past its line opened there */
	int comment_line; /* > 0: inside a C comment opened there */
	int bad_line;	  /* > 0: a closing bracket that pairs with nothing there */
	char bad_close, bad_open;
	int bad_open_line;
	int lines;
};

static char closer_of(char o)
{
	return o == '{' ? '}' : o == '(' ? ')' : ']';
}

/* a closing bracket: pairs with the innermost open one, or is the mistake */
static void close_bracket(struct scan *s, char c, int line)
{
	if (s->depth && closer_of(s->open[s->depth - 1]) == c) {
		s->depth--;
		return;
	}
	s->bad_line = line;
	s->bad_close = c;
	s->bad_open = s->depth ? s->open[s->depth - 1] : 0;
	s->bad_open_line = s->depth ? s->open_line[s->depth - 1] : 0;
}

static void scan_text(const char *t, struct scan *s)
{
	int line = 1;
	memset(s, 0, sizeof(*s));
	for (const char *p = t; *p && !s->bad_line; p++) {
		if (*p == '\n')
			line++;
		if (s->comment_line) {
			if (p[0] == '*' && p[1] == '/')
				s->comment_line = 0, p++;
		} else if (s->string_line) {
			if (*p == '\\' && p[1])
				p++;
			else if (*p == '"')
				s->string_line = 0;
			else if (*p == '\n' && !s->long_string)
				s->long_string = s->string_line;
		} else if (*p == '#' || (p[0] == '/' && p[1] == '/')) {
			while (p[1] && p[1] != '\n')
				p++;
		} else if (p[0] == '/' && p[1] == '*') {
			s->comment_line = line, p++;
		} else if (*p == '"') {
			s->string_line = line;
		} else if (strchr("{([", *p) && s->depth < MAX_DEPTH) {
			s->open[s->depth] = *p;
			s->open_line[s->depth++] = line;
		} else if (strchr("})]", *p)) {
			close_bracket(s, *p, line);
		}
	}
	s->lines = line;
}

/* line n of t (1-based), blanks around it trimmed, into out */
static void quote_line(const char *t, int n, char *out, size_t cap)
{
	for (int i = 1; i < n && t; i++) {
		t = strchr(t, '\n');
		t = t ? t + 1 : NULL;
	}
	if (!t) {
		snprintf(out, cap, "%s", "");
		return;
	}
	size_t len = strcspn(t, "\n");
	while (len && (*t == ' ' || *t == '\t'))
		t++, len--;
	while (len && (t[len - 1] == ' ' || t[len - 1] == '\t' || t[len - 1] == '\r'))
		len--;
	snprintf(out, cap, "%.*s", (int)(len > 80 ? 80 : len), t);
}

static void near_line(const char *text, int line, char *out, size_t cap)
{
	char q[96];
	quote_line(text, line, q, sizeof(q));
	if (q[0])
		snprintf(out, cap,
			 "near \"%s\" (settings are name = value; strings in double quotes, "
			 "groups { ... }, lists ( ... ), arrays [ ... ])",
			 q);
	else
		snprintf(out, cap, "%s", "");
}

void conf_syntax_hint(const char *text, int line, char *out, size_t cap)
{
	struct scan s;
	scan_text(text, &s);
	if (s.bad_line && s.bad_line <= line && s.bad_open)
		snprintf(out, cap, "line %d: '%c' does not close the '%c' of line %d", s.bad_line,
			 s.bad_close, s.bad_open, s.bad_open_line);
	else if (s.bad_line && s.bad_line <= line)
		snprintf(out, cap, "line %d: '%c' closes nothing", s.bad_line, s.bad_close);
	else if (s.long_string && s.long_string <= line)
		/* libconfig takes a string across lines; no setting of eespd's
		 * needs one, but a forgotten quote makes one */
		snprintf(
		    out, cap,
		    "the string opened on line %d runs past the end of its line (a missing \"?)",
		    s.long_string);
	else if (s.string_line)
		snprintf(out, cap, "the string opened on line %d is never closed (a missing \")",
			 s.string_line);
	else if (s.comment_line)
		snprintf(out, cap, "the comment opened on line %d is never closed (a missing */)",
			 s.comment_line);
	else if (s.depth && line >= s.lines)
		snprintf(out, cap, "the '%c' opened on line %d is never closed (a missing '%c')",
			 s.open[s.depth - 1], s.open_line[s.depth - 1],
			 closer_of(s.open[s.depth - 1]));
	else
		near_line(text, line, out, cap);
}
