/* Text for a terminal: control characters and stray bytes written as visible escapes. */
#include "escape.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

struct sink {
	char *out;
	size_t size, len;
};

static void put(struct sink *k, const char *s, size_t n)
{
	if (k->len < k->size)
		memcpy(k->out + k->len, s, k->len + n <= k->size ? n : k->size - k->len);
	k->len += n;
}

/* c as \xHH, or as \u00HH for a C1 control (a code point, not a byte). */
static void put_hex(struct sink *k, bool code_point, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	char buf[6] = { '\\', code_point ? 'u' : 'x', '0', '0', hex[c >> 4], hex[c & 15] };

	if (code_point)
		put(k, buf, 6);
	else
		put(k, (const char[]){ '\\', 'x', buf[4], buf[5] }, 4);
}

/* The bytes collected so far are not UTF-8: each as \xHH. */
static void flush_bad(struct esc_state *st, struct sink *k)
{
	unsigned i;

	for (i = 0; i < st->npend; i++)
		put_hex(k, false, st->pend[i]);
	st->npend = st->want = 0;
}

/* A whole sequence: as it is, unless it is a C1 control (U+0080-U+009F: C2 80-9F). */
static void flush_good(struct esc_state *st, struct sink *k)
{
	if (st->npend == 2 && st->pend[0] == 0xc2 && st->pend[1] < 0xa0)
		put_hex(k, true, st->pend[1]);
	else
		put(k, (const char *)st->pend, st->npend);
	st->npend = st->want = 0;
}

static void byte(struct esc_state *st, struct sink *k, unsigned char c)
{
	if (st->want) {
		if ((c & 0xc0) == 0x80) {
			st->pend[st->npend++] = c;
			if (st->npend == st->want)
				flush_good(st, k);
			return;
		}
		flush_bad(st, k); /* cut short: then c starts afresh */
	}
	if (c < 0x80) {
		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
			put_hex(k, false, c);
		else
			put(k, (const char *)&c, 1);
		return;
	}
	st->pend[0] = c;
	st->npend = 1;
	st->want = c >= 0xc2 && c <= 0xdf ? 2 :
		   c >= 0xe0 && c <= 0xef ? 3 :
		   c >= 0xf0 && c <= 0xf4 ? 4 :
					    0;
	if (!st->want)
		flush_bad(st, k); /* a continuation byte alone, or never a lead */
}

size_t esc_text(struct esc_state *st, const char *in, size_t n, char *out, size_t size, int final)
{
	struct sink k = { out, size ? size - 1 : 0, 0 };
	size_t i;

	for (i = 0; i < n; i++)
		byte(st, &k, (unsigned char)in[i]);
	if (final && st->npend)
		flush_bad(st, &k);
	if (size)
		out[k.len < k.size ? k.len : k.size] = '\0';
	return k.len;
}

struct stream {
	FILE *f;
	struct esc_state st;
};

static ssize_t stream_write(void *cookie, const char *buf, size_t n)
{
	struct stream *s = cookie;
	char out[4096];
	size_t done = 0, chunk, len;

	/* Each byte grows to at most 6 ("\u009b" for two): pieces that fit out. */
	while (done < n) {
		chunk = n - done < sizeof(out) / 6 ? n - done : sizeof(out) / 6;
		len = esc_text(&s->st, buf + done, chunk, out, sizeof(out), 0);
		if (fwrite(out, 1, len, s->f) != len)
			return -1;
		done += chunk;
	}
	return (ssize_t)n;
}

static int stream_close(void *cookie)
{
	struct stream *s = cookie;
	char out[32];
	size_t len = esc_text(&s->st, "", 0, out, sizeof(out), 1);
	int err = fwrite(out, 1, len, s->f) != len || fflush(s->f) ? -1 : 0;

	free(s);
	return err;
}

#ifdef _WIN32
/* Windows has no fopencookie: the text goes to a temporary file, escaped into f at its fclose
 * (the compat layer's fclose calls win_fclose_hook first). */
static struct {
	FILE *t, *f;
} esc_files[8];

static int esc_win_close(FILE *t)
{
	char buf[4096];
	struct stream *s;
	size_t i, n;

	for (i = 0; i < ARRAY_SIZE(esc_files) && esc_files[i].t != t; i++)
		;
	if (i == ARRAY_SIZE(esc_files) || !(s = calloc(1, sizeof(*s))))
		return 0;
	s->f = esc_files[i].f;
	esc_files[i].t = NULL;
	fflush(t);
	rewind(t);
	while ((n = fread(buf, 1, sizeof(buf), t)) > 0)
		if (stream_write(s, buf, n) < 0)
			break;
	return stream_close(s);
}

FILE *esc_stream(FILE *f)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(esc_files); i++) {
		if (esc_files[i].t)
			continue;
		esc_files[i].t = tmpfile();
		esc_files[i].f = f;
		win_fclose_hook = esc_win_close;
		return esc_files[i].t;
	}
	return NULL;
}
#else
FILE *esc_stream(FILE *f)
{
	cookie_io_functions_t io = { .write = stream_write, .close = stream_close };
	struct stream *s = calloc(1, sizeof(*s));
	FILE *e;

	if (!s)
		return NULL;
	s->f = f;
	e = fopencookie(s, "w", io);
	if (!e)
		free(s);
	return e;
}
#endif
