/* The live view: poolmon/slabtop for socket work, full-screen (ncurses) or one plain snapshot. */
#include "report/live.h"

#include <curses.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "model/amount.h"
#include "report/wrap.h"

struct cache_row {
	const char *name; /* the cache: its column's object */
	size_t len;
	int objs, bytes, total;
	bool merged, sock;
	double key, size;
};

struct view {
	struct series *s;
	const struct probe_set *ps;
	const struct live_opts *o;
	enum live_sort sort;
	size_t ncols;
	double *first, *prev, *cur; /* values at the view's start, last redraw, now */
	double t_first, t_prev, t_cur;
	uint64_t samples;
	unsigned snaps; /* snapshots the view took: growth and rates need two */
	struct cache_row *caches;
	size_t ncaches;
};

/* Where lines go: a FILE, or the screen with a row budget. */
struct sink {
	FILE *f;
	bool curses;
	int row, rows, cols; /* cols: the width lines are folded at, on screen or not */
	int limit; /* the row the sections above the slab table stop at: it keeps some rows */
};

/* The TCP states a snapshot always lists, zeros included, so that scripts can grep them. */
static const char *const key_states[] = {
	"ESTABLISHED", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
	"CLOSE_WAIT",  "LAST_ACK", "TIME_WAIT", "LISTEN",
};

static const char *const sort_names[] = { "growth", "rate", "size" };

int live_parse_sort(const char *s, enum live_sort *out)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sort_names); i++)
		if (!strcmp(s, sort_names[i])) {
			*out = (enum live_sort)i;
			return 0;
		}
	return -EINVAL;
}

static void out(struct sink *k, bool bold, const char *fmt, ...) SL_PRINTF(3, 4);

static void out(struct sink *k, bool bold, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (!k->curses) {
		fprintf(k->f, "%s\n", line);
		return;
	}
	if (k->row >= (k->limit ? k->limit : k->rows))
		return;
	if (bold)
		attron(A_BOLD);
	mvaddnstr(k->row++, 0, line, k->cols);
	if (bold)
		attroff(A_BOLD);
}

#define JOIN '\x1f' /* joins a name to its value in a line that folds: never a break there */
#define INDENT 10 /* where a section's figures start, after its title */

/*
 * Prints a line folded at the sink's width: it breaks only at blanks, continuation lines start
 * under the first figure, and JOIN keeps a figure on the line of its name.
 */
static void out_folded(struct sink *k, const char *text, const char *tail)
{
	char *buf = NULL, *line, *p, *nl;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	if (!f)
		return;
	fputs(text, f);
	fputs(tail, f);
	fputc('\0', f);
	fclose(f);
	f = open_memstream(&line, &size);
	if (f) {
		wrap_text(f, buf, 0, INDENT, k->cols > INDENT ? k->cols : WRAP_DEFAULT);
		fclose(f);
		for (p = line; *p; p++)
			if (*p == JOIN)
				*p = ' ';
		for (p = line; *p; p = nl + 1) {
			nl = strchr(p, '\n');
			if (!nl)
				break;
			*nl = '\0';
			out(k, false, "%s", p);
		}
		free(line);
	}
	free(buf);
}

struct cell {
	char name[64], value[32];
};

/* Name-value cells under a title, in as many columns as fit, down then across (ls -C). */
static void out_cells(struct sink *k, const char *title, const struct cell *cells, size_t n)
{
	size_t nw = 0, vw = 0, i, r, c, ncol, nrow;
	int width = k->cols > INDENT ? k->cols : WRAP_DEFAULT;
	char line[1024];

	for (i = 0; i < n; i++) {
		nw = strlen(cells[i].name) > nw ? strlen(cells[i].name) : nw;
		vw = strlen(cells[i].value) > vw ? strlen(cells[i].value) : vw;
	}
	ncol = (size_t)(width - INDENT + 3) / (nw + 1 + vw + 3);
	ncol = ncol ? ncol : 1;
	nrow = (n + ncol - 1) / ncol;
	for (r = 0; r < nrow; r++) {
		int len = snprintf(line, sizeof(line), "%-*s", INDENT, r ? "" : title);

		for (c = 0; c < ncol && (i = c * nrow + r) < n; c++)
			len += snprintf(line + len, sizeof(line) - (size_t)len, "%s%-*s %*s",
					c ? "   " : "", (int)nw, cells[i].name, (int)vw,
					cells[i].value);
		while (len > 0 && line[len - 1] == ' ')
			line[--len] = '\0';
		out(k, false, "%s", line);
	}
}

static double val(const struct view *v, int c)
{
	return c >= 0 && (size_t)c < v->ncols ? v->cur[c] : NAN;
}

static double growth(const struct view *v, int c)
{
	return c >= 0 && (size_t)c < v->ncols ? v->cur[c] - v->first[c] : NAN;
}

static double rate(const struct view *v, int c)
{
	double dt = v->t_cur - v->t_prev;

	if (c < 0 || (size_t)c >= v->ncols || dt <= 0)
		return 0;
	return (v->cur[c] - v->prev[c]) / dt;
}

/* Rebuilds the slab cache list when columns were added. Called with the series locked. */
static int index_caches(struct view *v)
{
	struct cache_row *c;
	size_t i, n = 0;

	c = realloc(v->caches, v->s->ncols * sizeof(*c) + 1);
	if (!c)
		return -ENOMEM;
	v->caches = c;
	for (i = 0; i < v->s->ncols; i++) {
		const struct metric_desc *d = &v->s->cols[i].d;

		if (d->cls != MC_SLAB_OBJS || !d->object)
			continue;
		c[n].name = d->object;
		c[n].len = strlen(d->object);
		c[n].objs = (int)i;
		c[n].bytes = series_find_object(v->s, MC_SLAB_BYTES, d->object);
		c[n].total = series_find_object(v->s, MC_SLAB_PAGES, d->object);
		c[n].merged = desc_has(d, MT_MERGED);
		c[n].sock = desc_has(d, MT_SOCKET_CACHE);
		n++;
	}
	v->ncaches = n;
	return 0;
}

/* Takes the latest sample; columns born since start their growth from their first value. */
static int snapshot(struct view *v)
{
	struct series *s = v->s;
	size_t j;
	int err = 0;

	series_lock(s);
	if (s->ncols != v->ncols) {
		size_t n = s->ncols;
		double *a = realloc(v->first, n * sizeof(double) + 1);
		double *b = a ? realloc(v->prev, n * sizeof(double) + 1) : NULL;
		double *c = b ? realloc(v->cur, n * sizeof(double) + 1) : NULL;

		if (a)
			v->first = a;
		if (b)
			v->prev = b;
		if (!c) {
			err = -ENOMEM;
			goto out;
		}
		v->cur = c;
		for (j = v->ncols; j < n; j++)
			v->first[j] = v->prev[j] = v->cur[j] = NAN;
		v->ncols = n;
		if ((err = index_caches(v)))
			goto out;
	}
	memcpy(v->prev, v->cur, v->ncols * sizeof(double));
	memcpy(v->cur, s->last, v->ncols * sizeof(double));
	v->t_prev = v->t_cur;
	v->t_cur = s->last_t;
	v->samples = s->samples;
	for (j = 0; j < v->ncols; j++) {
		if (isnan(v->first[j]))
			v->first[j] = v->cur[j];
		if (isnan(v->prev[j]))
			v->prev[j] = v->cur[j];
	}
	if (!v->t_first)
		v->t_first = v->t_cur;
	v->snaps++;
out:
	series_unlock(s);
	return err;
}

static int cmp_cache(const void *a, const void *b)
{
	const struct cache_row *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? 1 : -1;
	/* Ties (nothing grew): the bigger cache first. */
	if (x->size != y->size)
		return x->size < y->size ? 1 : -1;
	return strcmp(x->name, y->name);
}

static void sort_caches(struct view *v)
{
	size_t i;

	for (i = 0; i < v->ncaches; i++) {
		struct cache_row *c = &v->caches[i];
		double k;

		switch (v->sort) {
		case LIVE_SORT_GROWTH:
			k = growth(v, c->bytes);
			break;
		case LIVE_SORT_RATE: /* what the objs/s column shows */
			k = rate(v, c->objs);
			break;
		default:
			k = val(v, c->total);
			break;
		}
		c->key = isnan(k) ? -INFINITY : k;
		c->size = isnan(val(v, c->total)) ? -INFINITY : val(v, c->total);
	}
	qsort(v->caches, v->ncaches, sizeof(*v->caches), cmp_cache);
}

/* Sections. */

static void sec_header(struct view *v, struct sink *k)
{
	double interval = v->o->refresh > 0 ? v->o->refresh : 1;

	out(k, true, "sockleak watch: %s   t=%.1fs  samples %llu  refresh %.2gs  sort: %s%s",
	    v->o->title ? v->o->title : "host", v->t_cur, (unsigned long long)v->samples, interval,
	    sort_names[v->sort], k->curses ? "  (g/r/s sort, q quits)" : "");
}

static bool from(const struct metric_desc *d, const char *source)
{
	return d->source && !strcmp(d->source, source);
}

/* "meminfo  Slab 120.3M (+1.2M)  SUnreclaim ..." for every level column of this probe. */
static void sec_totals(struct view *v, struct sink *k, const char *title, const char *source)
{
	char line[512], a[24], b[24];
	size_t i, len = 0;
	bool any = false;

	len += snprintf(line, sizeof(line), "%-9s", title);
	for (i = 0; i < v->ncols && len < sizeof(line); i++) {
		const struct metric_desc *d = &v->s->cols[i].d;
		double g = growth(v, (int)i);

		if (!from(d, source) || d->kind != MK_LEVEL || !d->object)
			continue;
		any = true;
		if (d->unit == UNIT_BYTES)
			amount(a, sizeof(a), val(v, (int)i), UNIT_BYTES, AMT_SHORT);
		else
			snprintf(a, sizeof(a), "%.0f", val(v, (int)i));
		if (g != 0 && !isnan(g)) {
			if (d->unit == UNIT_BYTES)
				amount(b, sizeof(b), g, UNIT_BYTES, AMT_SHORT | AMT_SIGN);
			else
				snprintf(b, sizeof(b), "%+.0f", g);
			len += snprintf(line + len, sizeof(line) - len, " %s%c%s%c(%s)", d->object,
					JOIN, a, JOIN, b);
		} else {
			len += snprintf(line + len, sizeof(line) - len, " %s%c%s", d->object, JOIN,
					a);
		}
	}
	out_folded(k, line, any ? "" : " (off)");
}

/* One line per protocol, as /proc/net/sockstat shows it, with changes since start. */
static void sec_sockstat(struct view *v, struct sink *k)
{
	char line[512], proto[32] = "", a[24], b[24];
	size_t i, len = 0;
	bool idle = true;

	out(k, true, "sockstat");
	for (i = 0; i <= v->ncols; i++) {
		const struct series_col *c = i < v->ncols ? &v->s->cols[i] : NULL;
		const char *p = NULL, *key = NULL;
		double x, g;

		/* One line per protocol (the object), its figures named as the file names them. */
		if (c && from(&c->d, "sockstat") && c->d.object) {
			p = c->d.object;
			key = strrchr(c->name, '.');
		}
		if (len && (!key || strcmp(p, proto))) {
			/* On screen, a protocol with nothing in use and nothing moving is left out. */
			if (!k->curses || !idle)
				out(k, false, "%s", line);
			len = 0;
		}
		if (!key)
			continue;
		if (!len) {
			snprintf(proto, sizeof(proto), "%s", p);
			len = snprintf(line, sizeof(line), "  %s:", proto);
			idle = true;
		}
		x = val(v, (int)i);
		g = growth(v, (int)i);
		if (x != 0 || (g != 0 && !isnan(g)))
			idle = false;
		if (c->d.unit == UNIT_BYTES) {
			amount(a, sizeof(a), x, UNIT_BYTES, AMT_SHORT);
			amount(b, sizeof(b), g, UNIT_BYTES, AMT_SHORT | AMT_SIGN);
		} else {
			snprintf(a, sizeof(a), "%.0f", x);
			snprintf(b, sizeof(b), "%+.0f", g);
		}
		len += snprintf(line + len, sizeof(line) - len, " %s %s", key + 1, a);
		if (g != 0 && !isnan(g) && len < sizeof(line))
			len += snprintf(line + len, sizeof(line) - len, " (%s)", b);
		if (len >= sizeof(line))
			len = sizeof(line) - 1;
	}
}

/* The socket states of one family (families), TIME_WAIT included; one family's split aside. */
static bool is_state(const struct metric_desc *d, unsigned families)
{
	return (d->cls == MC_STATE || d->cls == MC_TIME_WAIT) && (d->families & families) &&
	       from(d, "sockdiag") && !desc_has(d, MT_SPLIT);
}

/* The whole socket counts of a family (families 0: of every family without a side). */
static bool is_count(const struct metric_desc *d, unsigned families)
{
	if (d->cls != MC_SOCKETS || !from(d, "sockdiag") || desc_has(d, MT_SPLIT))
		return false;
	if (!families)
		return !(d->traits & (MT_CLIENT | MT_SERVER));
	return (d->families & families) && (d->traits & (MT_CLIENT | MT_SERVER));
}

static bool key_state(const char *state)
{
	size_t i;

	for (i = 0; state && i < ARRAY_SIZE(key_states); i++)
		if (!strcmp(state, key_states[i]))
			return true;
	return false;
}

/*
 * One line: the states of a family (by state name) that are not zero, and for TCP the ones that
 * matter whatever they are; then its counts by name, shown whatever they are; all zero says so.
 */
static void sec_counts(struct view *v, struct sink *k, const char *title, unsigned families)
{
	char line[1024];
	size_t i, len;
	bool any = false;

	len = snprintf(line, sizeof(line), "%-9s", title);
	for (i = 0; families && i < v->ncols && len < sizeof(line); i++) {
		const struct metric_desc *d = &v->s->cols[i].d;
		double x = val(v, (int)i), g = growth(v, (int)i);

		if (!is_state(d, families) || isnan(x))
			continue;
		if (x == 0 && g == 0 && !(families == FAM_TCP && key_state(d->object)))
			continue;
		any |= x != 0;
		len += snprintf(line + len, sizeof(line) - len, " %s%c%.0f", d->object, JOIN, x);
		if (g != 0 && len < sizeof(line))
			len += snprintf(line + len, sizeof(line) - len, "%c(%+.0f)", JOIN, g);
	}
	for (i = 0; i < v->ncols && len < sizeof(line); i++) {
		if (!is_count(&v->s->cols[i].d, families))
			continue;
		any = true;
		len += snprintf(line + len, sizeof(line) - len, " %s%c%.0f", v->s->cols[i].name,
				JOIN, val(v, (int)i));
	}
	out_folded(k, line, any ? "" : " (none)");
}

/* Event counters as a table of name-value cells, column by column (as ls -C lists files). */
static void sec_netstat(struct view *v, struct sink *k)
{
	struct cell *cells = calloc(v->ncols + 1, sizeof(*cells));
	size_t i, n = 0;

	if (!cells) {
		out(k, false, "%-9s (out of memory)", "netstat");
		return;
	}
	for (i = 0; i < v->ncols; i++) {
		const struct metric_desc *d = &v->s->cols[i].d;
		double g = growth(v, (int)i);

		/* Live: only counters that moved; a snapshot has no past, so all of them. */
		if (d->kind != MK_COUNTER || !d->object || (k->curses && (g == 0 || isnan(g))))
			continue;
		snprintf(cells[n].name, sizeof(cells[n].name), "%s", d->object);
		snprintf(cells[n].value, sizeof(cells[n].value), k->curses ? "%+.0f" : "%.0f",
			 k->curses ? g : val(v, (int)i));
		n++;
	}
	if (!n)
		out(k, false, "%-9s %s", "netstat", k->curses ? "(no counter moved)" : "(off)");
	else
		out_cells(k, "netstat", cells, n);
	free(cells);
}

static void sec_probes(struct view *v, struct sink *k)
{
	const struct probe_set *ps = v->ps;
	char line[512];
	size_t i, len;

	len = snprintf(line, sizeof(line), "%-9s", "cost us");
	for (i = 0; i < PROBE_COUNT && len < sizeof(line); i++) {
		const struct probe *p = &ps->p[i];

		if (p->on)
			len += snprintf(line + len, sizeof(line) - len, " %s %.0f", p->ops->name,
					val(v, p->cost_col));
	}
	out(k, false, "%s", line);
	for (i = 0; i < PROBE_COUNT; i++)
		if (!ps->p[i].on && ps->p[i].ops && !ps->p[i].unasked)
			out(k, false, "%-9s %s: %s", "off", ps->p[i].ops->name, ps->p[i].why);
}

/* The slab table's columns after the name, in order; those that need two samples say so. */
enum { SC_OBJS, SC_DOBJS, SC_RATE, SC_BYTES, SC_DBYTES, SC_SIZE, SC_COUNT };
static const struct {
	const char *head;
	int width;
	bool past; /* growth or a rate: shown only once the view has two samples */
} slab_cols[SC_COUNT] = {
	[SC_OBJS] = { "objs", 10, false },   [SC_DOBJS] = { "+objs", 9, true },
	[SC_RATE] = { "objs/s", 9, true },   [SC_BYTES] = { "bytes", 9, false },
	[SC_DBYTES] = { "+bytes", 9, true }, [SC_SIZE] = { "size", 9, false },
};
/* On a narrow screen the table keeps its rows and drops columns, these first. */
static const int slab_drop[] = { SC_SIZE, SC_DBYTES, SC_BYTES, SC_RATE, SC_DOBJS };
#define SLAB_NAME_W 28 /* "s* " and 25 characters of the cache's name */

static void sec_slab(struct view *v, struct sink *k, size_t top)
{
	char cell[SC_COUNT][24], line[256];
	bool show[SC_COUNT];
	size_t i, n = v->ncaches, d;
	int c, width = SLAB_NAME_W, len;

	if (!n) {
		out(k, false, "%-9s (slabinfo off)", "slab");
		return;
	}
	sort_caches(v);
	for (c = 0; c < SC_COUNT; c++) {
		show[c] = !slab_cols[c].past || v->snaps >= 2;
		width += show[c] ? 1 + slab_cols[c].width : 0;
	}
	for (d = 0; d < ARRAY_SIZE(slab_drop) && width > k->cols; d++) {
		if (show[slab_drop[d]])
			width -= 1 + slab_cols[slab_drop[d]].width;
		show[slab_drop[d]] = false;
	}
	out(k, true, "slab caches by %s (s: socket cache, *: merged with others)",
	    sort_names[v->sort]);
	len = snprintf(line, sizeof(line), "%-*s", SLAB_NAME_W, "   cache");
	for (c = 0; c < SC_COUNT; c++)
		if (show[c])
			len += snprintf(line + len, sizeof(line) - len, " %*s", slab_cols[c].width,
					slab_cols[c].head);
	out(k, false, "%s", line);
	if (top && top < n)
		n = top;
	if (k->curses && k->rows - k->row < (int)n)
		n = k->rows > k->row ? (size_t)(k->rows - k->row) : 0;
	for (i = 0; i < n; i++) {
		const struct cache_row *r = &v->caches[i];

		snprintf(cell[SC_OBJS], sizeof(cell[0]), "%.0f", val(v, r->objs));
		snprintf(cell[SC_DOBJS], sizeof(cell[0]), "%+.0f", growth(v, r->objs));
		snprintf(cell[SC_RATE], sizeof(cell[0]), "%.1f", rate(v, r->objs));
		amount(cell[SC_BYTES], sizeof(cell[0]), val(v, r->bytes), UNIT_BYTES, AMT_SHORT);
		amount(cell[SC_DBYTES], sizeof(cell[0]), growth(v, r->bytes), UNIT_BYTES,
		       AMT_SHORT | AMT_SIGN);
		amount(cell[SC_SIZE], sizeof(cell[0]), val(v, r->total), UNIT_BYTES, AMT_SHORT);
		len = snprintf(line, sizeof(line), "%c%c %-*.*s", r->sock ? 's' : ' ',
			       r->merged ? '*' : ' ', SLAB_NAME_W - 3, SLAB_NAME_W - 3, r->name);
		for (c = 0; c < SC_COUNT; c++)
			if (show[c])
				len += snprintf(line + len, sizeof(line) - len, " %*s",
						slab_cols[c].width, cell[c]);
		out(k, r->sock && k->curses && growth(v, r->objs) != 0, "%s", line);
	}
	/* Where a socket cache has no line of its own, say which line holds it. */
	if (!k->curses)
		for (i = 0; i < v->ncols; i++) {
			const struct metric_desc *cd = &v->s->cols[i].d;

			if (cd->cls == MC_SLAB_OBJS && cd->holds)
				out(k, false, "  %s holds %s", cd->object, cd->holds);
		}
}

/* Holds the series lock: the sampler may add a column (a new slab cache) while we read names. */
static void draw(struct view *v, struct sink *k, size_t top)
{
	series_lock(v->s);
	/* On screen the slab table keeps a third of the rows (at least 5) for itself. */
	if (k->curses) {
		int keep = k->rows / 3 > 5 ? k->rows / 3 : 5;

		if (keep > (int)v->ncaches + 2)
			keep = (int)v->ncaches + 2;
		k->limit = k->rows - keep > 1 ? k->rows - keep : 1;
	}
	sec_header(v, k);
	sec_totals(v, k, "meminfo", "meminfo");
	sec_totals(v, k, "memcg", "memcg");
	sec_totals(v, k, "proc", "proc");
	sec_sockstat(v, k);
	sec_counts(v, k, "tcp", FAM_TCP);
	sec_counts(v, k, "sockets", 0);
	sec_counts(v, k, "unix", FAM_UNIX);
	sec_netstat(v, k);
	sec_probes(v, k);
	k->limit = 0;
	if (k->curses && k->row > k->rows - 2)
		k->row = k->rows - 2 > 0 ? k->rows - 2 : 0;
	sec_slab(v, k, top);
	series_unlock(v->s);
}

static void view_free(struct view *v)
{
	free(v->first);
	free(v->prev);
	free(v->cur);
	free(v->caches);
}

int live_print(FILE *f, struct series *s, const struct probe_set *ps, const struct live_opts *o)
{
	struct view v = { .s = s, .ps = ps, .o = o, .sort = o->sort };
	struct sink k = { .f = f, .cols = wrap_width(f) };
	int err = snapshot(&v);

	if (!err)
		draw(&v, &k, o->top);
	view_free(&v);
	fflush(f);
	return err;
}

int live_view_run(struct series *s, const struct probe_set *ps, const struct live_opts *o)
{
	struct view v = { .s = s, .ps = ps, .o = o, .sort = o->sort };
	double refresh = o->refresh > 0 ? o->refresh : 1, next;
	int err = 0;

	if (!initscr())
		return -ENOTTY;
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	next = sl_now();
	for (;;) {
		struct sink k = { .curses = true };
		double wait;
		int ch;

		if (sl_now() >= next) {
			if ((err = snapshot(&v)))
				break;
			next += refresh;
			if (next < sl_now())
				next = sl_now() + refresh;
		}
		getmaxyx(stdscr, k.rows, k.cols);
		erase();
		draw(&v, &k, 0);
		refresh();
		if (o->done && o->done(o->arg))
			break;
		wait = next - sl_now();
		timeout(wait > 0 ? (int)(wait * 1000) + 1 : 0);
		ch = getch();
		if (ch == 'q' || ch == 'Q')
			break;
		if (ch == 'g')
			v.sort = LIVE_SORT_GROWTH;
		else if (ch == 'r')
			v.sort = LIVE_SORT_RATE;
		else if (ch == 's')
			v.sort = LIVE_SORT_SIZE;
	}
	endwin();
	view_free(&v);
	return err;
}
