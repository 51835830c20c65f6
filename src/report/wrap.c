/* Text for people: the width it is wrapped at and the word wrapping of paragraphs and lists. */
#include "report/wrap.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#ifndef _WIN32
#include <sys/ioctl.h>
#endif
#include <unistd.h>

#include "common.h"

static int clamp(long w)
{
	return w < WRAP_MIN ? WRAP_MIN : w > WRAP_MAX ? WRAP_MAX : (int)w;
}

int wrap_parse_width(const char *text, int *w)
{
	long v;

	if (!text || sl_parse_int(text, 1, 100000, &v))
		return -EINVAL;
	*w = clamp(v);
	return 0;
}

#ifdef _WIN32
static int tty_width(int fd)
{
	CONSOLE_SCREEN_BUFFER_INFO ci;
	HANDLE h = (HANDLE)_get_osfhandle(fd);

	if (!isatty(fd) || h == INVALID_HANDLE_VALUE || !GetConsoleScreenBufferInfo(h, &ci))
		return 0;
	return ci.srWindow.Right - ci.srWindow.Left + 1;
}
#else
static int tty_width(int fd)
{
	struct winsize ws;

	if (!isatty(fd) || ioctl(fd, TIOCGWINSZ, &ws) || !ws.ws_col)
		return 0;
	return ws.ws_col;
}
#endif

int wrap_width_or(FILE *f, int fallback)
{
	int w;

	if (!wrap_parse_width(getenv("COLUMNS"), &w))
		return w;
	w = f ? tty_width(fileno(f)) : 0;
	if (w)
		return clamp(w);
	return fallback >= WRAP_MIN && fallback <= WRAP_MAX ? fallback : WRAP_DEFAULT;
}

int wrap_width(FILE *f)
{
	return wrap_width_or(f, 0);
}

void wrap_text(FILE *f, const char *text, int col, int indent, int width)
{
	const char *p = text;
	bool first = true;

	while (*p) {
		int gap = (int)strspn(p, " \n");
		int n;

		/* A line break in the text is one blank: the wrapping decides where lines end. */
		if (memchr(p, '\n', (size_t)gap))
			gap = 1;
		p += strspn(p, " \n");
		if (!*p)
			break;
		n = (int)strcspn(p, " \n");
		if (first && col == indent)
			gap = 0;
		if (!first && col > indent && col + gap + n > width) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
		} else if (gap) {
			fprintf(f, "%*s", gap, "");
			col += gap;
		}
		fprintf(f, "%.*s", n, p);
		col += n;
		p += n;
		first = false;
	}
	fputc('\n', f);
}

static int indent_of(const char *line)
{
	return (int)strspn(line, " ");
}

/* The end of the line at p (its '\n' or NUL). */
static const char *eol(const char *p)
{
	const char *e = strchr(p, '\n');

	return e ? e : p + strlen(p);
}

/*
 * Whether a line indented by at indents the text of the line at head: a word of head starts
 * there ("Exit codes: 0 ...\n            3 ..."). A list under a line does not ("Outcomes:\n  LEAK").
 */
static bool hangs(const char *head, int at)
{
	int n = (int)(eol(head) - head);

	return at > indent_of(head) && at < n && head[at - 1] == ' ' && head[at] != ' ';
}

void wrap_paragraphs(FILE *f, const char *text, int width)
{
	const char *p = text;
	char *buf = malloc(strlen(text) + 1);

	if (!buf) {
		fputs(text, f);
		return;
	}
	while (*p) {
		const char *e = eol(p), *head = p;
		int first = indent_of(p), cont = -1;
		size_t k = 0;

		if (e == p + first) { /* a blank line */
			fputc('\n', f);
			p = *e ? e + 1 : e;
			continue;
		}
		for (;;) {
			memcpy(buf + k, p + indent_of(p), (size_t)(e - p - indent_of(p)));
			k += (size_t)(e - p - indent_of(p));
			p = *e ? e + 1 : e;
			e = eol(p);
			if (!*p || e == p + indent_of(p))
				break;
			if (cont < 0 &&
			    (hangs(head, indent_of(p)) || (indent_of(p) == first && !first)))
				cont = indent_of(p);
			else if (cont < 0 || indent_of(p) != cont)
				break;
			buf[k++] = '\n';
		}
		buf[k] = '\0';
		fprintf(f, "%*s", first, "");
		wrap_text(f, buf, first, cont < 0 ? first : cont, width);
	}
	free(buf);
}
