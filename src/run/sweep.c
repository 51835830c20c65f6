/* sockleak sweep: the matrix of variants, the kernel's check of each, and the budget split. */
#include "run/sweep.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common.h"
#include "engine/engine.h"
#include "engine/seq.h"
#include "engine/transport.h"
#include "model/attribution.h"
#include "report/attribution.h"
#include "vm/kmod.h"
#include "config.h"

#define DEFAULT_PRESET "kb171996"
#define TOKEN_MAX 1024 /* one entry of a list, one field of a matrix line */
#define LINE_MAX_LEN 4096

static const char *const status_names[] = {
	[VS_PENDING] = "planned",	  [VS_SKIPPED] = "skipped", [VS_DONE] = "done",
	[VS_INTERRUPTED] = "interrupted", [VS_FAILED] = "failed",   [VS_NOT_RUN] = "not-run",
};

const char *sweep_status_name(enum sweep_status s)
{
	return (unsigned)s < ARRAY_SIZE(status_names) ? status_names[s] : "?";
}

static int say(char *why, size_t whylen, const char *fmt, ...) SL_PRINTF(3, 4);

static int say(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (why && whylen) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/*
 * The next entry of a comma-separated list, blanks trimmed, into tok; advances *p. False at the
 * end. An entry too long for tok is cut (and then refused by whoever parses it).
 */
static bool next_token(const char **p, char *tok, size_t size)
{
	const char *s = *p, *e;
	size_t n;

	if (!*s)
		return false;
	n = strcspn(s, ",");
	*p = s[n] ? s + n + 1 : s + n;
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	e = s + n;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	n = (size_t)(e - s) < size - 1 ? (size_t)(e - s) : size - 1;
	memcpy(tok, s, n);
	tok[n] = '\0';
	return true;
}

/* ---- axes ---- */

int sweep_parse_transports(struct sweep_axes *a, const char *list, char *why, size_t whylen)
{
	char tok[TOKEN_MAX];
	enum transport_kind t;
	unsigned i;

	while (next_token(&list, tok, sizeof(tok))) {
		if (transport_parse(tok, &t))
			return say(why, whylen, "unknown transport '%s'; choose from: %s", tok,
				   TRANSPORT_CHOICES);
		for (i = 0; i < a->ntransports && a->transports[i] != t; i++)
			;
		if (i == a->ntransports)
			a->transports[a->ntransports++] = t;
	}
	return 0;
}

/* Whether name is a preset (for some transport). */
static bool is_preset(const char *name)
{
	const char *why;
	unsigned t;

	for (t = 0; t < TR_COUNT; t++)
		if (seq_preset(name, (enum transport_kind)t, &why) || why)
			return true;
	return false;
}

static int add_seq(struct sweep_axes *a, const char *text, char *why, size_t whylen)
{
	unsigned i;

	for (i = 0; i < a->nseqs; i++)
		if (!strcmp(a->seqs[i], text))
			return 0;
	if (a->nseqs == SWEEP_MAX_AXIS)
		return say(why, whylen, "too many sequences; at most %d", SWEEP_MAX_AXIS);
	a->seqs[a->nseqs] = strdup(text);
	if (!a->seqs[a->nseqs])
		return say(why, whylen, "out of memory");
	a->nseqs++;
	return 0;
}

int sweep_parse_presets(struct sweep_axes *a, const char *list, char *why, size_t whylen)
{
	char tok[TOKEN_MAX];
	int err;

	while (next_token(&list, tok, sizeof(tok))) {
		if (!is_preset(tok))
			return say(
				why, whylen,
				"unknown preset '%s'; choose from: kb171996 crr abort halfclose "
				"sendto (--list-presets); a sequence of your own goes in --sequence",
				tok);
		err = add_seq(a, tok, why, whylen);
		if (err)
			return err;
	}
	return 0;
}

/*
 * Whether text compiles for some transport. When it compiles for none, err is the error that got
 * furthest into the text: an option's bad value rather than "does not apply" elsewhere.
 */
static bool compiles_somewhere(const char *text, bool allow_open, struct seq_error *err)
{
	struct seq_error e;
	struct seq *sq = malloc(sizeof(*sq));
	bool any = false;
	unsigned t;

	if (!sq) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		err->choices[0] = '\0';
		return false;
	}
	memset(err, 0, sizeof(*err));
	for (t = 0; t < TR_COUNT && !any; t++) {
		const char *pwhy, *expanded = seq_preset(text, (enum transport_kind)t, &pwhy);

		if (pwhy)
			continue;
		memset(&e, 0, sizeof(e));
		if (!seq_compile(expanded ? expanded : text, (enum transport_kind)t, allow_open, sq,
				 &e))
			any = true;
		else if (!err->msg[0] || e.pos > err->pos)
			*err = e;
	}
	free(sq);
	return any;
}

int sweep_add_sequence(struct sweep_axes *a, const char *text, bool allow_open, char *why,
		       size_t whylen)
{
	struct seq_error err;

	if (!compiles_somewhere(text, allow_open, &err))
		return say(why, whylen, "sequence '%s': %s%s%s", text, err.msg,
			   err.choices[0] ? "; " : "", err.choices);
	return add_seq(a, text, why, whylen);
}

/* "NAME=VALUE" as given, or "NAME" completed with the catalogue's example; canonical case. */
static int option_text(const char *tok, char *out, size_t size, char *why, size_t whylen)
{
	const char *eq = strchr(tok, '=');
	size_t nl = eq ? (size_t)(eq - tok) : strlen(tok);
	unsigned i;

	for (i = 0; i < seq_option_count(); i++) {
		const char *name = seq_option_name(i);

		if (strlen(name) != nl || strncasecmp(name, tok, nl))
			continue;
		if ((size_t)snprintf(out, size, "%s=%s", name,
				     eq ? eq + 1 : seq_option_example(i)) >= size)
			return say(why, whylen, "option '%s' is too long", tok);
		return 0;
	}
	return say(why, whylen, "unknown socket option '%.*s'; see 'sockleak sweep --list-options'",
		   (int)nl, tok);
}

static int add_option(struct sweep_axes *a, const char *opt, char *why, size_t whylen)
{
	unsigned i;

	for (i = 0; i < a->noptions; i++)
		if (!strcmp(a->options[i], opt))
			return 0;
	if (a->noptions == SWEEP_MAX_AXIS)
		return say(why, whylen, "too many options; at most %d", SWEEP_MAX_AXIS);
	snprintf(a->options[a->noptions++], SWEEP_OPT_MAX, "%s", opt);
	return 0;
}

/* An option's value is checked by the sequence compiler, on a transport it applies to. */
static int check_option(const char *opt, char *why, size_t whylen)
{
	char text[TOKEN_MAX];
	struct seq_error err;

	snprintf(text, sizeof(text), "socket,setsockopt:%s,close", opt);
	if (compiles_somewhere(text, false, &err))
		return 0;
	return say(why, whylen, "option '%s': %s%s%s", opt, err.msg, err.choices[0] ? "; " : "",
		   err.choices);
}

int sweep_parse_options(struct sweep_axes *a, const char *list, char *why, size_t whylen)
{
	char tok[TOKEN_MAX], opt[SWEEP_OPT_MAX];
	unsigned i;
	int err;

	a->options_set = true;
	while (next_token(&list, tok, sizeof(tok))) {
		if (!strcmp(tok, "none"))
			continue;
		if (!strcmp(tok, "all")) {
			for (i = 0; i < seq_option_count(); i++) {
				snprintf(opt, sizeof(opt), "%s=%s", seq_option_name(i),
					 seq_option_example(i));
				err = add_option(a, opt, why, whylen);
				if (err)
					return err;
			}
			continue;
		}
		err = option_text(tok, opt, sizeof(opt), why, whylen);
		if (!err)
			err = check_option(opt, why, whylen);
		if (!err)
			err = add_option(a, opt, why, whylen);
		if (err)
			return err;
	}
	return 0;
}

int sweep_parse_closes(struct sweep_axes *a, const char *list, char *why, size_t whylen)
{
	char tok[TOKEN_MAX];
	enum server_close c;
	unsigned i;

	while (next_token(&list, tok, sizeof(tok))) {
		if (server_close_parse(tok, &c))
			return say(why, whylen,
				   "unknown server close mode '%s'; choose from: eof immediate "
				   "never-read rst",
				   tok);
		for (i = 0; i < a->ncloses && a->closes[i] != c; i++)
			;
		if (i == a->ncloses)
			a->closes[a->ncloses++] = c;
	}
	return 0;
}

void sweep_axes_free(struct sweep_axes *a)
{
	unsigned i;

	for (i = 0; i < a->nseqs; i++)
		free(a->seqs[i]);
	a->nseqs = 0;
}

/* ---- variants ---- */

/*
 * The sequence with "setsockopt:opt" after socket and the options the sequence sets right after
 * it, so that the added option is the one in force. NULL when out of memory; *dup when the
 * sequence already sets exactly this.
 */
static char *insert_option(const char *text, const char *opt, bool *dup)
{
	char tok[TOKEN_MAX], want[TOKEN_MAX];
	const char *p = text;
	size_t at = 0, i = 0;
	char *out;

	snprintf(want, sizeof(want), "setsockopt:%s", opt);
	*dup = false;
	while (next_token(&p, tok, sizeof(tok))) {
		if (!strcmp(tok, want))
			*dup = true;
		if (at == i && (i == 0 || !strncmp(tok, "setsockopt", 10)))
			at = i + 1;
		i++;
	}
	/* at tokens come before the insertion: find where the at-th one ends. */
	p = text;
	for (i = 0; i < at; i++)
		next_token(&p, tok, sizeof(tok));
	if (p > text && p[-1] == ',')
		p--;
	out = malloc(strlen(text) + strlen(want) + 2);
	if (!out)
		return NULL;
	memcpy(out, text, (size_t)(p - text));
	sprintf(out + (p - text), ",%s%s", want, p);
	return out;
}

static void skip(struct sweep_variant *v, const char *fmt, ...) SL_PRINTF(2, 3);

static void skip(struct sweep_variant *v, const char *fmt, ...)
{
	va_list ap;

	v->status = VS_SKIPPED;
	va_start(ap, fmt);
	vsnprintf(v->reason, sizeof(v->reason), fmt, ap);
	va_end(ap);
}

/* Decides whether v can run here, from the texts alone: the preset, server close, the option. */
static int prepare(struct sweep *s, struct sweep_variant *v)
{
	const struct transport *tr = transport_get(v->transport);
	const char *pwhy, *text = seq_preset(v->base, v->transport, &pwhy);
	struct seq_error err = { 0 };
	struct seq *sq;
	bool dup = false;

	v->preset = text || pwhy;
	if (pwhy) {
		v->sequence = strdup(v->base);
		skip(v, "preset %s does not apply to %s: %s", v->base, transport_name(tr->kind),
		     pwhy);
		return v->sequence ? 0 : -ENOMEM;
	}
	if (!text)
		text = v->base;
	v->sequence = v->option[0] ? insert_option(text, v->option, &dup) : strdup(text);
	if (!v->sequence)
		return -ENOMEM;
	if (!tr->stream && v->server_close != SC_EOF) {
		skip(v, "server close %s is for stream transports; %s has no connections to close",
		     server_close_name(v->server_close), transport_name(tr->kind));
		return 0;
	}
	if (dup) {
		skip(v, "the sequence already sets %s: the same as without the option", v->option);
		return 0;
	}
	sq = malloc(sizeof(*sq));
	if (!sq)
		return -ENOMEM;
	if (seq_compile(v->sequence, v->transport, s->allow_open, sq, &err))
		skip(v, "%s", err.msg);
	free(sq);
	return 0;
}

int sweep_add(struct sweep *s, enum transport_kind t, const char *base, const char *option,
	      enum server_close sc)
{
	struct sweep_variant *v;
	int n;

	if (s->n == SWEEP_MAX_VARIANTS)
		return -E2BIG;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 32;
		struct sweep_variant *nv = realloc(s->v, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		s->v = nv;
		s->cap = cap;
	}
	v = &s->v[s->n];
	memset(v, 0, sizeof(*v));
	v->transport = t;
	v->server_close = sc;
	v->verdict = VERDICT_CLEAN;
	v->peak = v->residual_per_cycle = NAN;
	v->leaked_sockets_per_cycle = v->leaked_bytes_per_cycle = NAN;
	v->cycles_per_second = NAN;
	snprintf(v->option, sizeof(v->option), "%s", option ? option : "");
	v->base = strdup(base);
	if (!v->base)
		return -ENOMEM;
	s->n++;
	v->index = s->n;
	n = snprintf(v->name, sizeof(v->name), "%s %s", transport_name(t), base);
	if (v->option[0] && n < (int)sizeof(v->name))
		n += snprintf(v->name + n, sizeof(v->name) - n, " +%s", v->option);
	if (sc != SC_EOF && n < (int)sizeof(v->name))
		snprintf(v->name + n, sizeof(v->name) - n, " close=%s", server_close_name(sc));
	return prepare(s, v);
}

int sweep_expand(struct sweep_axes *a, struct sweep *s)
{
	unsigned t, q, c, o;
	char why[64];
	int err;

	if (!a->ntransports) {
		a->transports[a->ntransports++] = TR_TCP;
		a->transports[a->ntransports++] = TR_TCP6;
	}
	if (!a->nseqs) {
		err = add_seq(a, DEFAULT_PRESET, why, sizeof(why));
		if (err)
			return -ENOMEM;
		/* The default sweep: the KB sequence with each option of the catalogue. */
		if (!a->options_set)
			sweep_parse_options(a, "all", why, sizeof(why));
	}
	if (!a->ncloses)
		a->closes[a->ncloses++] = SC_EOF;
	for (t = 0; t < a->ntransports; t++)
		for (q = 0; q < a->nseqs; q++)
			for (c = 0; c < a->ncloses; c++)
				for (o = 0; o <= a->noptions; o++) {
					err = sweep_add(s, a->transports[t], a->seqs[q],
							o ? a->options[o - 1] : NULL, a->closes[c]);
					if (err)
						return err;
				}
	return 0;
}

/* ---- the matrix file ---- */

static int matrix_line(struct sweep *s, char *line, const char *path, unsigned ln, char *why,
		       size_t whylen)
{
	enum transport_kind t = TR_TCP;
	enum server_close sc = SC_EOF;
	const char *base = DEFAULT_PRESET;
	char opt[SWEEP_OPT_MAX] = "", owhy[512];
	struct seq_error err;
	char *save = NULL, *f;
	int e;

	for (f = strtok_r(line, " \t\r\n", &save); f; f = strtok_r(NULL, " \t\r\n", &save)) {
		char *val = strchr(f, '=');

		if (!val)
			return say(why, whylen,
				   "%s:%u: '%s': expected KEY=VALUE (transport, sequence, option, "
				   "server-close)",
				   path, ln, f);
		*val++ = '\0';
		if (!strcmp(f, "transport")) {
			if (transport_parse(val, &t))
				return say(why, whylen,
					   "%s:%u: unknown transport '%s'; choose from: %s", path,
					   ln, val, TRANSPORT_CHOICES);
		} else if (!strcmp(f, "sequence")) {
			if (!is_preset(val) && !compiles_somewhere(val, s->allow_open, &err))
				return say(why, whylen, "%s:%u: sequence '%s': %s", path, ln, val,
					   err.msg);
			base = val;
		} else if (!strcmp(f, "option")) {
			if (strcmp(val, "none") &&
			    (option_text(val, opt, sizeof(opt), owhy, sizeof(owhy)) ||
			     check_option(opt, owhy, sizeof(owhy))))
				return say(why, whylen, "%s:%u: %s", path, ln, owhy);
		} else if (!strcmp(f, "server-close")) {
			if (server_close_parse(val, &sc))
				return say(why, whylen,
					   "%s:%u: unknown server-close '%s'; choose from: eof "
					   "immediate never-read rst",
					   path, ln, val);
		} else {
			return say(why, whylen,
				   "%s:%u: unknown key '%s'; keys: transport, sequence, option, "
				   "server-close",
				   path, ln, f);
		}
	}
	e = sweep_add(s, t, base, opt[0] ? opt : NULL, sc);
	if (e == -E2BIG)
		return say(why, whylen, "%s:%u: too many variants; at most %d", path, ln,
			   SWEEP_MAX_VARIANTS);
	if (e)
		return say(why, whylen, "out of memory");
	return 0;
}

int sweep_matrix_read(struct sweep *s, FILE *f, const char *path, char *why, size_t whylen)
{
	char line[LINE_MAX_LEN];
	unsigned ln = 0;
	size_t before = s->n;
	int err;

	while (fgets(line, sizeof(line), f)) {
		char *hash = strchr(line, '#'), *p = line;

		ln++;
		if (!strchr(line, '\n') && !feof(f))
			return say(why, whylen, "%s:%u: line longer than %d characters", path, ln,
				   LINE_MAX_LEN - 2);
		if (hash)
			*hash = '\0';
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (!*p)
			continue;
		err = matrix_line(s, p, path, ln, why, whylen);
		if (err)
			return err;
	}
	if (ferror(f))
		return say(why, whylen, "%s: read error", path);
	if (s->n == before)
		return say(why, whylen,
			   "%s: no variants (one per line: transport=tcp sequence=abort "
			   "option=TCP_NODELAY=1 server-close=rst)",
			   path);
	return 0;
}

/* ---- the kernel's word ---- */

static void check_one(struct sweep_variant *v, struct seq *sq)
{
	const struct transport *tr = transport_get(v->transport);
	struct seq_error err;
	char op[96];
	unsigned i;
	int fd;

	if (seq_compile(v->sequence, v->transport, true, sq, &err)) {
		skip(v, "%s", err.msg);
		return;
	}
	fd = socket(tr->family, tr->type | SOCK_CLOEXEC, tr->protocol);
	if (fd < 0) {
		skip(v, "this kernel makes no %s socket: %s", transport_name(tr->kind),
		     strerror(errno));
		return;
	}
	for (i = 1; i < sq->nops && sq->ops[i].kind == OP_SETSOCKOPT; i++) {
		const struct seq_op *o = &sq->ops[i];

		if (setsockopt(fd, o->level, o->name, &o->val, o->len)) {
			seq_op_text(v->sequence, o, op, sizeof(op));
			skip(v, "the kernel refuses %s on %s: %s", op, transport_name(tr->kind),
			     strerror(errno));
			break;
		}
	}
	close(fd);
}

void sweep_check_kernel(struct sweep *s)
{
	struct seq *sq = malloc(sizeof(*sq));
	size_t i;

	if (!sq)
		return;
	for (i = 0; i < s->n; i++)
		if (s->v[i].status == VS_PENDING && sweep_on_host(s, &s->v[i]))
			check_one(&s->v[i], sq);
	free(sq);
}

/* The metric the table shows: decisive, with the run's verdict, and one that showed something. */
static const struct metric_result *headline(const struct result *r)
{
	const struct metric_result *unseen = NULL, *decisive = NULL;
	size_t i;

	for (i = 0; i < r->nm; i++) {
		const struct metric_result *m = &r->m[i];

		if (!m->decisive)
			continue;
		if (!decisive)
			decisive = m;
		if (m->verdict != r->verdict)
			continue;
		if (!m->nothing_seen)
			return m;
		if (!unseen)
			unseen = m;
	}
	if (unseen)
		return unseen;
	return decisive ? decisive : r->nm ? &r->m[0] : NULL;
}

void sweep_record(struct sweep_variant *v, const struct series *s, const struct result *r,
		  const struct engine_stats *st, unsigned fail_on)
{
	const struct metric_result *m = headline(r);

	v->verdict = r->verdict;
	v->fails = fail_on & (1u << r->verdict);
	v->cycles = st->cycles;
	v->failed_cycles = st->failed_cycles;
	v->cycles_per_second = st->seconds > 0 ? (double)st->cycles / st->seconds : NAN;
	v->leaked_sockets_per_cycle = r->leaked_sockets_per_cycle;
	v->leaked_bytes_per_cycle = r->leaked_bytes_per_cycle;
	v->churn_seconds = r->churn_seconds;
	v->quiesce_seconds = r->quiesce_seconds;
	v->settled = r->quiesce_stable;
	snprintf(v->why, sizeof(v->why), "%s", r->why);
	v->metric[0] = '\0';
	v->peak = v->residual_per_cycle = NAN;
	if (m && m->col >= 0 && (size_t)m->col < s->ncols) {
		snprintf(v->metric, sizeof(v->metric), "%s", s->cols[m->col].name);
		v->unit = s->cols[m->col].d.unit;
		v->peak = m->peak;
		v->residual_per_cycle = m->residual_per_cycle;
	}
}

static void where_free(struct sweep_variant *v)
{
	size_t i, k;

	for (i = 0; i < v->nwhere; i++)
		for (k = 0; k < v->where[i].nframes; k++)
			free(v->where[i].frames[k]);
	v->nwhere = 0;
}

void sweep_record_where(struct sweep_variant *v, const struct attribution *a)
{
	size_t i, k, skip, n;

	where_free(v);
	v->attr_asked = true;
	v->attr_on = a->on;
	v->attr_lost = a->lost_any;
	v->attr_leak = a->nleak;
	v->attr_backlog = a->nbacklog;
	snprintf(v->attr_why, sizeof(v->attr_why), "%s", a->on ? "" : a->why);
	/* Analysis sorted the stacks: LEAK, then BACKLOG, most kept first. */
	for (i = 0; i < a->nstacks && v->nwhere < SWEEP_WHERE; i++) {
		const struct attr_stack *st = &a->stacks[i];
		struct sweep_where *w = &v->where[v->nwhere];

		if (st->verdict != VERDICT_LEAK && st->verdict != VERDICT_BACKLOG)
			continue;
		memset(w, 0, sizeof(*w));
		snprintf(w->cache, sizeof(w->cache), "%s", st->cache);
		w->verdict = st->verdict;
		w->objs_per_cycle = st->objs_per_cycle;
		w->bytes_per_cycle = st->bytes_per_cycle;
		n = report_attr_frames(st, &skip);
		for (k = 0; k < n && w->nframes < SWEEP_WHERE_FRAMES; k++)
			if ((w->frames[w->nframes] = strdup(st->frames[skip + k])))
				w->nframes++;
		w->more = n - w->nframes;
		v->nwhere++;
	}
}

size_t sweep_count(const struct sweep *s, enum sweep_status st)
{
	size_t i, n = 0;

	for (i = 0; i < s->n; i++)
		n += s->v[i].status == st;
	return n;
}

void sweep_free(struct sweep *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->v[i].base);
		free(s->v[i].sequence);
		where_free(&s->v[i]);
	}
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
	sweep_matrix_free(&s->matrix);
}

/* ---- the matrix and its shards ---- */

int sweep_parse_kernels(struct sweep_matrix *m, const char *list, char *why, size_t whylen)
{
	char tok[TOKEN_MAX], release[72];
	size_t k;
	int err;

	while (next_token(&list, tok, sizeof(tok))) {
		struct sweep_kernel *e = &m->kernels[m->nkernels];

		if (!tok[0])
			return say(why, whylen,
				   "an empty entry; give host or a kernel image's path");
		if (!strcmp(tok, "host")) {
			snprintf(release, sizeof(release), "host");
		} else {
			err = kmod_image_release(tok, release, sizeof(release), NULL, 0);
			if (err == -ENOEXEC)
				return say(
					why, whylen,
					"'%s' is not a kernel image (a bzImage, such as "
					"/boot/vmlinuz-6.1.0-57-amd64); 'host' is this machine's",
					tok);
			if (err)
				return say(why, whylen, "'%s': %s", tok, strerror(-err));
			if ((size_t)snprintf(e->image, sizeof(e->image), "%s", tok) >=
			    sizeof(e->image))
				return say(why, whylen, "'%.64s...': path too long", tok);
		}
		for (k = 0; k < m->nkernels; k++)
			if (!strcmp(m->kernels[k].label, release))
				return say(why, whylen, "%s given twice%s%s", release,
					   strcmp(tok, release) ? " (the release of " : "",
					   strcmp(tok, release) ? tok : "");
		if (m->nkernels == SWEEP_MAX_KERNELS)
			return say(why, whylen, "more than %d kernels", SWEEP_MAX_KERNELS);
		snprintf(e->label, sizeof(e->label), "%s", release);
		if (!strcmp(tok, "host"))
			e->image[0] = '\0';
		m->nkernels++;
	}
	if (!m->nkernels)
		return say(why, whylen, "no kernels; give host and kernel images, comma-separated");
	return 0;
}

unsigned sweep_boots(const struct sweep *s)
{
	bool seen[SWEEP_MAX_KERNELS] = { false };
	unsigned n = 0;
	size_t i;

	for (i = 0; i < s->n; i++) {
		const struct sweep_variant *v = &s->v[i];

		if (v->status == VS_PENDING && !sweep_on_host(s, v) &&
		    v->kernel_at < SWEEP_MAX_KERNELS && !seen[v->kernel_at]) {
			seen[v->kernel_at] = true;
			n++;
		}
	}
	return n;
}

int sweep_parse_indices(const char *list, bool *keep, size_t max, char *why, size_t whylen)
{
	char tok[TOKEN_MAX], *end;
	unsigned long i;

	while (next_token(&list, tok, sizeof(tok))) {
		errno = 0;
		i = strtoul(tok, &end, 10);
		if (end == tok || *end || errno || tok[0] == '-' || i < 1 || i > max)
			return say(why, whylen, "'%s': expected matrix numbers 1 to %zu", tok, max);
		keep[i] = true;
	}
	return 0;
}

/* Keeps the variants for which keep(v) holds, in order; frees the others. */
static void filter(struct sweep *s, bool (*keep)(const struct sweep_variant *, const void *),
		   const void *arg)
{
	size_t i, k = 0;

	for (i = 0; i < s->n; i++) {
		if (keep(&s->v[i], arg)) {
			s->v[k++] = s->v[i];
			continue;
		}
		free(s->v[i].base);
		free(s->v[i].sequence);
	}
	s->n = k;
}

struct keep_arg {
	const bool *keep;
	size_t max;
};

static bool listed(const struct sweep_variant *v, const void *arg)
{
	const struct keep_arg *k = arg;

	return v->index <= k->max && k->keep[v->index];
}

void sweep_keep(struct sweep *s, const bool *keep, size_t max)
{
	struct keep_arg k = { keep, max };

	filter(s, listed, &k);
}

bool sweep_on_host(const struct sweep *s, const struct sweep_variant *v)
{
	return !s->matrix.nkernels || !s->matrix.kernels[v->kernel_at].image[0];
}

void sweep_hash(const char *text, char out[SWEEP_ID_LEN + 1])
{
	uint64_t h = 0xcbf29ce484222325ull;
	const unsigned char *p;

	for (p = (const unsigned char *)text; *p; p++) {
		h ^= *p;
		h *= 0x100000001b3ull;
	}
	snprintf(out, SWEEP_ID_LEN + 1, "%016llx", (unsigned long long)h);
}

void sweep_matrix_free(struct sweep_matrix *m)
{
	size_t i;

	for (i = 0; i < m->nnames; i++)
		free(m->names[i]);
	free(m->names);
	free(m->settings);
	memset(m, 0, sizeof(*m));
}

/* The variants again for each kernel of the axis after the first: the axis is outermost. */
static int per_kernel(struct sweep *s)
{
	size_t base = s->n, i;
	unsigned k;

	if (s->matrix.nkernels < 2)
		return 0;
	if (base * s->matrix.nkernels > SWEEP_MAX_VARIANTS)
		return -E2BIG;
	if (s->cap < base * s->matrix.nkernels) {
		struct sweep_variant *nv = realloc(s->v, base * s->matrix.nkernels * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		s->v = nv;
		s->cap = base * s->matrix.nkernels;
	}
	for (k = 1; k < s->matrix.nkernels; k++) {
		for (i = 0; i < base; i++) {
			struct sweep_variant *v = &s->v[s->n];

			*v = s->v[i];
			v->kernel_at = k;
			v->base = strdup(s->v[i].base);
			v->sequence = s->v[i].sequence ? strdup(s->v[i].sequence) : NULL;
			if (!v->base || (s->v[i].sequence && !v->sequence)) {
				free(v->base);
				free(v->sequence);
				return -ENOMEM;
			}
			s->n++;
		}
	}
	return 0;
}

int sweep_matrix_set(struct sweep *s, const char *settings)
{
	struct sweep_matrix *m = &s->matrix;
	size_t i, len = 0, nbase = s->n;
	char *text = NULL;
	unsigned k;
	FILE *f;
	int err;

	m->names = calloc(nbase + 1, sizeof(*m->names));
	m->settings = strdup(settings ? settings : "");
	if (!m->names || !m->settings)
		return -ENOMEM;
	for (i = 0; i < nbase; i++) {
		m->names[i] = strdup(s->v[i].name);
		if (!m->names[i])
			return -ENOMEM;
		m->nnames = i + 1;
	}
	err = per_kernel(s);
	if (err)
		return err;
	m->size = s->n;
	for (i = 0; i < s->n; i++)
		s->v[i].index = i + 1;
	/* The identity: what the variants are and how they run, never what came of them. */
	f = open_memstream(&text, &len);
	if (!f)
		return -ENOMEM;
	fprintf(f, "sockleak sweep matrix\nsettings %s\n", m->settings);
	for (k = 0; k < m->nkernels; k++)
		fprintf(f, "kernel %s\n", m->kernels[k].label);
	for (i = 0; i < nbase; i++) {
		const struct sweep_variant *v = &s->v[i];

		fprintf(f, "variant %s\t%s\t%s\t%s\n", transport_name(v->transport), v->base,
			v->option, server_close_name(v->server_close));
	}
	if (fclose(f))
		return -ENOMEM;
	sweep_hash(text, m->id);
	free(text);
	return 0;
}

int sweep_parse_shard(const char *text, unsigned *shard, unsigned *shards, char *why, size_t whylen)
{
	static const char expect[] = "expected I/N, the I-th of N shards (such as 1/4)";
	unsigned long i, n;
	char *end;

	errno = 0;
	i = strtoul(text, &end, 10);
	if (end == text || *end != '/' || errno || text[0] == '-' || text[0] == '+')
		return say(why, whylen, "%s", expect);
	text = end + 1;
	n = strtoul(text, &end, 10);
	if (end == text || *end || errno || text[0] == '-' || text[0] == '+')
		return say(why, whylen, "%s", expect);
	if (n < 1 || n > SWEEP_MAX_VARIANTS)
		return say(why, whylen, "%lu shards: give 1 to %d", n, SWEEP_MAX_VARIANTS);
	if (i < 1 || i > n)
		return say(why, whylen, "shard %lu of %lu: shards are numbered 1 to %lu", i, n, n);
	*shard = (unsigned)i;
	*shards = (unsigned)n;
	return 0;
}

unsigned sweep_shard_of(size_t index, unsigned shards)
{
	return shards ? (unsigned)((index - 1) % shards) + 1 : 0;
}

static bool in_shard(const struct sweep_variant *v, const void *arg)
{
	const unsigned *sh = arg;

	return sweep_shard_of(v->index, sh[1]) == sh[0];
}

void sweep_shard(struct sweep *s, unsigned shard, unsigned shards)
{
	unsigned sh[2] = { shard, shards };

	filter(s, in_shard, sh);
	s->matrix.shard = shard;
	s->matrix.shards = shards;
}

/* ---- the budget ---- */

static double clamp(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* What the sweep keeps for itself: writing the reports at the end. */
static double reserve_for(double budget)
{
	return clamp(budget * 0.02, 1, 10);
}

/* The least budget b with (b - reserve(b)) >= need, to the second. */
static double budget_for(double need)
{
	double b = need + 1;

	if (b > 50)
		b = need / 0.98;
	if (b > 500)
		b = need + 10;
	return ceil(b);
}

int sweep_plan(const struct sweep_plan_in *in, struct sweep_plan *out, char *why, size_t whylen)
{
	double fixed_b = in->baseline, fixed_c = in->churn, fixed_q = in->quiesce_max;
	double slot, avail, b, c, q, min_slot, over, d, boots;
	char t1[32], t2[32];

	memset(out, 0, sizeof(*out));
	out->budget = in->budget;
	out->variants = in->variants;
	out->teardown = in->teardown;
	out->overhead = SWEEP_OVERHEAD;
	out->boots = in->variants ? in->boots : 0;
	out->boot = SWEEP_VM_BOOT;
	boots = out->boots * out->boot;
	min_slot = in->teardown + SWEEP_OVERHEAD + (fixed_b >= 0 ? fixed_b : SWEEP_MIN_BASELINE) +
		   (fixed_c > 0 ? fixed_c : SWEEP_MIN_CHURN) +
		   (fixed_q >= 0 ? fixed_q : SWEEP_MIN_QUIESCE);
	out->min_budget = in->variants ? budget_for(in->variants * min_slot + boots) : 0;
	if (!in->variants)
		return 0;
	out->reserve = reserve_for(in->budget);
	slot = (in->budget - out->reserve - boots) / in->variants;
	avail = slot - in->teardown - SWEEP_OVERHEAD;

	b = fixed_b >= 0 ? fixed_b : clamp(0.15 * avail, SWEEP_MIN_BASELINE, SWEEP_MAX_BASELINE);
	q = fixed_q >= 0 ? fixed_q : clamp(0.30 * avail, SWEEP_MIN_QUIESCE, SWEEP_MAX_QUIESCE);
	c = fixed_c > 0 ? fixed_c : SWEEP_MIN_CHURN;
	/* Short of room: quiesce, then the baseline, give way down to their minima. */
	over = b + c + q - avail;
	if (over > 0 && fixed_q < 0) {
		d = q - SWEEP_MIN_QUIESCE < over ? q - SWEEP_MIN_QUIESCE : over;
		q -= d;
		over -= d;
	}
	if (over > 0 && fixed_b < 0)
		b -= b - SWEEP_MIN_BASELINE < over ? b - SWEEP_MIN_BASELINE : over;
	/* Room to spare: churn takes it, or quiesce (up to its maximum) when churn is fixed. */
	if (fixed_c <= 0)
		c = avail - b - q;
	else if (fixed_q < 0 && avail - b - c > q)
		q = clamp(avail - b - c, SWEEP_MIN_QUIESCE, SWEEP_MAX_QUIESCE);
	if (in->budget <= 0 || c < SWEEP_MIN_CHURN - 1e-9 || b + c + q > avail + 1e-9) {
		say(why, whylen,
		    "%u variants do not fit in a budget of %s: each needs at least %.1f s "
		    "(baseline, churn, quiesce, %.0f s teardown, %.1f s set-up)%s; give --budget %s "
		    "or more, or fewer variants (--transports, --presets, --options)%s",
		    in->variants, sweep_fmt_duration(t1, sizeof(t1), in->budget), min_slot,
		    in->teardown, SWEEP_OVERHEAD, boots > 0 ? ", and each VM its boot" : "",
		    sweep_fmt_duration(t2, sizeof(t2), out->min_budget),
		    in->teardown > 0 ? ", or --no-teardown" : "");
		return -ENOSPC;
	}
	out->baseline = b;
	out->churn = c;
	out->quiesce_max = q;
	out->per_variant = b + c + q + in->teardown + SWEEP_OVERHEAD;
	out->total = in->variants * out->per_variant + boots + out->reserve;
	return 0;
}

double sweep_churn_now(const struct sweep_plan *p, double remaining, unsigned left)
{
	double c;

	if (!left)
		return 0;
	if (remaining >= left * p->per_variant)
		return p->churn;
	c = remaining / left - (p->per_variant - p->churn);
	return c >= SWEEP_MIN_CHURN ? c : 0;
}
