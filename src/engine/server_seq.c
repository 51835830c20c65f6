/* The accept side: what sockleak's server does with each connection (--server-sequence). */
#include "engine/server_seq.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "common.h"

static const char *const names[SS_KINDS] = {
	[SS_ACCEPT] = "accept",	    [SS_RECV] = "recv",	  [SS_SEND] = "send",
	[SS_ANSWER] = "answer",	    [SS_DRAIN] = "drain", [SS_HANGUP] = "hangup",
	[SS_SHUTDOWN] = "shutdown", [SS_CLOSE] = "close",
};

#define SS_CHOICES                                                                        \
	"server ops: accept recv:N send:N answer drain hangup shutdown:rd|wr|rdwr close " \
	"close:rst"

static const char *const presets[SC_COUNT] = {
	[SC_EOF] = "accept,answer,drain,close",
	[SC_IMMEDIATE] = "accept,close",
	[SC_NEVER_READ] = "accept,hangup,close",
	[SC_RST] = "accept,answer,drain,close:rst",
};

const char *sseq_preset(enum server_close m)
{
	return (unsigned)m < SC_COUNT ? presets[m] : NULL;
}

static int fail(struct seq_error *err, size_t pos, size_t len, const char *choices, const char *fmt,
		...) __attribute__((format(printf, 5, 6)));

static int fail(struct seq_error *err, size_t pos, size_t len, const char *choices, const char *fmt,
		...)
{
	va_list ap;

	err->pos = (unsigned)pos;
	err->len = len ? (unsigned)len : 1;
	snprintf(err->choices, sizeof(err->choices), "%s", choices);
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int parse_arg(struct sseq *out, unsigned k, const char *arg, size_t an, size_t pos,
		     struct seq_error *err)
{
	char buf[32];
	uint64_t v;

	if (k == SS_SHUTDOWN) {
		if (an == 2 && !strncmp(arg, "rd", 2))
			out->ops[out->nops].len = SHUT_RD;
		else if (an == 2 && !strncmp(arg, "wr", 2))
			out->ops[out->nops].len = SHUT_WR;
		else if (an == 4 && !strncmp(arg, "rdwr", 4))
			out->ops[out->nops].len = SHUT_RDWR;
		else
			return fail(err, pos, an, "shutdown:rd, shutdown:wr or shutdown:rdwr",
				    "bad shutdown direction");
		return 0;
	}
	if (k == SS_CLOSE) {
		if (an != 3 || strncmp(arg, "rst", 3))
			return fail(err, pos, an, "close, or close:rst (SO_LINGER 0: a reset)",
				    "bad close mode");
		out->ops[out->nops].len = 1;
		return 0;
	}
	if (an == 0 || an >= sizeof(buf))
		goto bad;
	memcpy(buf, arg, an);
	buf[an] = '\0';
	if (sl_parse_size(buf, &v) || v < 1 || v > SEQ_MAX_BYTES)
		goto bad;
	out->ops[out->nops].len = (uint32_t)v;
	return 0;
bad:
	return fail(err, pos, an, "a byte count from 1 to 1M, e.g. recv:64 or send:4k",
		    "bad byte count for %s", names[k]);
}

int sseq_compile(const char *text, struct sseq *out, struct seq_error *err)
{
	size_t len = strlen(text), i = 0, b, e, nn;
	const char *tok, *colon;
	bool closed = false;
	unsigned k;

	memset(out, 0, sizeof(*out));
	memset(err, 0, sizeof(*err));
	for (;;) {
		for (b = i; i < len && text[i] != ','; i++)
			;
		for (e = i; b < e && text[b] == ' '; b++)
			;
		while (e > b && text[e - 1] == ' ')
			e--;
		tok = text + b;
		colon = memchr(tok, ':', e - b);
		nn = colon ? (size_t)(colon - tok) : e - b;
		for (k = 0; k < SS_KINDS; k++)
			if (strlen(names[k]) == nn && !strncmp(names[k], tok, nn))
				break;
		if (k == SS_KINDS)
			return fail(err, b, nn, SS_CHOICES,
				    nn ? "unknown server op '%.*s'" : "empty op%.*s", (int)nn, tok);
		if (out->nops == SSEQ_MAX_OPS)
			return fail(err, b, len - b, "at most 16 server ops", "too many ops");
		if ((k == SS_ACCEPT) != (out->nops == 0))
			return fail(err, b, nn, "accept,recv:64,send:1,close",
				    k == SS_ACCEPT ? "a second accept" :
						     "a server sequence starts with accept");
		if (closed)
			return fail(err, b, nn,
				    "close ends the connection; put other ops before it",
				    "'%s' after close", names[k]);
		out->ops[out->nops].kind = (enum sseq_op)k;
		if (k == SS_RECV || k == SS_SEND || k == SS_SHUTDOWN) {
			if (!colon)
				return fail(err, b, nn, SS_CHOICES, "%s needs an argument",
					    names[k]);
			if (parse_arg(out, k, colon + 1, e - b - nn - 1, b + nn + 1, err))
				return -EINVAL;
		} else if (k == SS_CLOSE && colon) {
			if (parse_arg(out, k, colon + 1, e - b - nn - 1, b + nn + 1, err))
				return -EINVAL;
		} else if (colon) {
			return fail(err, b + nn, e - b - nn, SS_CHOICES, "%s takes no argument",
				    names[k]);
		}
		if (k == SS_SEND && out->ops[out->nops].len > out->max_send)
			out->max_send = out->ops[out->nops].len;
		closed = k == SS_CLOSE;
		out->nops++;
		if (i >= len)
			break;
		i++;
	}
	if (!closed) /* the connection closes at the end either way: said, not implied */
		return fail(err, len, 1, "end it with ',close' or ',close:rst'",
			    "the server sequence does not close the connection");
	return 0;
}

int sseq_check(const struct sseq *ss, const struct seq *client, char *why, size_t whylen)
{
	uint32_t sent = 0, want = 0;
	bool answer = false;
	unsigned i;

	for (i = 0; i < ss->nops; i++) {
		answer |= ss->ops[i].kind == SS_ANSWER;
		if (ss->ops[i].kind == SS_SEND)
			sent += ss->ops[i].len;
	}
	for (i = 0; i < client->plan.nsteps; i++)
		want += client->plan.step[i].reply;
	if (answer || sent >= want)
		return 0;
	snprintf(why, whylen,
		 "the client's recv ops wait for %u bytes but the server sequence sends %u: add "
		 "'answer' (the client's requests, answered) or send:N",
		 want, sent);
	return -EINVAL;
}
