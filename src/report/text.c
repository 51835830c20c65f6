/* The text report: what a kernel engineer reads first, the verdict, then the evidence for it. */
#include "report/text.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "model/amount.h"
#include "report/attribution.h"
#include "report/failures.h"
#include "report/server.h"
#include "report/wrap.h"

/*
 * The layout of the report being written: its width, and the metric-name column's, which gives
 * way on narrow terminals (down to 22: names cut shorter stop saying which metric they are) and
 * grows on wide ones. Set on entry to report_text and report_text_confirm: reports are written
 * by one thread.
 */
static int width = WRAP_DEFAULT;
static int name_w = 30;
#define NAME_W name_w
#define POOL_W (name_w - 8 < 16 ? 16 : name_w - 8) /* a cache's name, in the pool-tag table */

static void layout(int w)
{
	width = w > 0 ? w : WRAP_DEFAULT;
	name_w = width - 70 < 22 ? 22 : width - 70 > 40 ? 40 : width - 70;
}

/* A rate per cycle: five decimals while small, so 0.00100 reads beside an injected 1/1000. */
static const char *fmt_rate(char *buf, size_t len, double v, enum unit u)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else if (u == UNIT_BYTES && fabs(v) >= 1024)
		amount(buf, len, v, u, AMT_TABLE);
	else if (u == UNIT_BYTES)
		snprintf(buf, len, "%.2f B", v);
	else if (v != 0 && fabs(v) < 0.001)
		snprintf(buf, len, "%.3g", v); /* 1 in 100000 reads 1e-05, not 0.00001 */
	else if (fabs(v) < 10)
		snprintf(buf, len, "%.5f", v);
	else
		snprintf(buf, len, "%.1f", v);
	return buf;
}

/* A number in prose: "133,789", "0.5"; an estimate (round) to three significant digits. */
static const char *num(char *buf, size_t len, double v, bool round3)
{
	return amount(buf, len, v, UNIT_COUNT, AMT_PLAIN | (round3 ? AMT_ROUND : 0));
}

/* Names longer than the column keep their head and tail: both tell which metric it is. */
static const char *fit_name(char *buf, size_t len, const char *name, size_t w)
{
	size_t n = strlen(name);

	if (n <= w || w < 8 || len <= w) {
		snprintf(buf, len, "%s", name);
		return buf;
	}
	memcpy(buf, name, w / 2 - 1);
	buf[w / 2 - 1] = '~';
	memcpy(buf + w / 2, name + n - (w - w / 2), w - w / 2);
	buf[w] = '\0';
	return buf;
}

/* Prints text wrapped at the report's width, every line after the first indented by indent. */
static void wrap(FILE *f, const char *text, size_t first_col, size_t indent)
{
	wrap_text(f, text, (int)first_col, (int)indent, width);
}

/* The metric that made the overall verdict (the analysis says which). */
static const struct metric_result *top(const struct result *r)
{
	size_t i;

	for (i = 0; r->verdict_col >= 0 && i < r->nm; i++)
		if (r->m[i].col == r->verdict_col)
			return &r->m[i];
	return NULL;
}

/* The BOUNDED decisive metric that rose most against its noise, TIME_WAIT's aside. */
static const struct metric_result *other_bounded(const struct result *r)
{
	size_t i;

	for (i = 0; i < r->nm; i++)
		if (r->m[i].verdict == VERDICT_BOUNDED && r->m[i].decisive &&
		    r->m[i].role != ROLE_TW && !r->m[i].tw_explained)
			return &r->m[i];
	return NULL;
}

static void verdict_line(FILE *f, const struct series *s, const struct result *r)
{
	const struct metric_result *m = top(r), *d;
	enum unit u = m ? s->cols[m->col].d.unit : UNIT_COUNT;
	char a[48], b[48], c[48], line[512], why[240];
	int n = 0;

	switch (r->verdict) {
	case VERDICT_LEAK:
		n = snprintf(line, sizeof(line), "LEAK:");
		if (!isnan(r->leaked_sockets_per_cycle) && r->leaked_sockets_per_cycle > 0)
			n += snprintf(
				line + n, sizeof(line) - n, " %s sockets/cycle",
				fmt_rate(a, sizeof(a), r->leaked_sockets_per_cycle, UNIT_COUNT));
		if (r->injected_per_cycle > 0)
			n += snprintf(line + n, sizeof(line) - n, " (injected %s)",
				      fmt_rate(a, sizeof(a), r->injected_per_cycle, UNIT_COUNT));
		if (r->leak_caches)
			n += snprintf(line + n, sizeof(line) - n, "%s %s/cycle in %zu slab cache%s",
				      n > 5 ? "," : "",
				      fmt_rate(b, sizeof(b), r->leaked_bytes_per_cycle, UNIT_BYTES),
				      r->leak_caches, r->leak_caches > 1 ? "s" : "");
		if (r->leak_caches && r->leaked_sockets_per_cycle > 0)
			n += snprintf(
				line + n, sizeof(line) - n, " (%s per leaked client socket)",
				amount(c, sizeof(c),
				       r->leaked_bytes_per_cycle / r->leaked_sockets_per_cycle,
				       UNIT_BYTES, AMT_TABLE));
		if (n <= 5 && m)
			snprintf(line + n, sizeof(line) - n, " %s kept %s (%s/cycle)",
				 s->cols[m->col].name,
				 amount(a, sizeof(a), m->residual, u, AMT_PLAIN | AMT_SIGN),
				 fmt_rate(b, sizeof(b), m->residual_per_cycle, u));
		break;
	case VERDICT_BACKLOG:
		/* The reason of the metric that made it: a steady rise, or clean-up that lagged. */
		snprintf(line, sizeof(line), "BACKLOG: %s %s", m ? s->cols[m->col].name : "?",
			 reason_backlog(why, sizeof(why), &r->reason, u));
		break;
	case VERDICT_BOUNDED:
		n = snprintf(line, sizeof(line), "BOUNDED: growth stayed bounded");
		if (r->tw_peak > 0)
			n += snprintf(line + n, sizeof(line) - n,
				      "; TIME_WAIT peaked at %s sockets%s",
				      num(a, sizeof(a), r->tw_peak, false),
				      r->tw_capped ? " (capped)" : "");
		if ((m = other_bounded(r))) {
			u = s->cols[m->col].d.unit;
			snprintf(line + n, sizeof(line) - n, "; largest other %s %s",
				 s->cols[m->col].name,
				 amount(a, sizeof(a), m->peak, u, AMT_PLAIN | AMT_SIGN));
		}
		break;
	case VERDICT_INCONCLUSIVE:
		if (r->no_length)
			snprintf(line, sizeof(line),
				 "INCONCLUSIVE: no run length would decide: %s %s",
				 m ? s->cols[m->col].name : "?", m ? m->why : "");
		else
			snprintf(line, sizeof(line),
				 "INCONCLUSIVE: noise too large for %s cycles; a run of ~%s cycles "
				 "would decide (%s)",
				 num(a, sizeof(a), (double)r->cycles, false),
				 num(b, sizeof(b), r->cycles_to_decide, true),
				 m ? s->cols[m->col].name : "?");
		break;
	default:
		snprintf(line, sizeof(line),
			 "CLEAN: no significant growth in %zu decisive metrics over %s cycles",
			 r->ndecisive, num(a, sizeof(a), (double)r->cycles, false));
		break;
	}
	/* What host drift explained is said with the verdict: it did not decide. */
	if (r->drift_col >= 0 && (size_t)r->drift_col < s->ncols &&
	    (d = result_metric(r, r->drift_col))) {
		n = (int)strlen(line);
		snprintf(line + n, sizeof(line) - n, "; %s",
			 reason_drift(why, sizeof(why), s->cols[d->col].name, d->drift,
				      s->cols[d->col].d.unit, r->ndrift - 1));
	}
	/* Ground truth not found is the first thing a user checking the tool must see. */
	if (r->verdict != VERDICT_LEAK && r->injected_per_cycle > 0) {
		n = (int)strlen(line);
		snprintf(line + n, sizeof(line) - n, " (injected %s sockets/cycle, estimated %s)",
			 fmt_rate(a, sizeof(a), r->injected_per_cycle, UNIT_COUNT),
			 fmt_rate(b, sizeof(b), r->leaked_sockets_per_cycle, UNIT_COUNT));
	}
	wrap(f, line, 0, 2);
}

static void summary(FILE *f, const struct result *r, const struct run_config *cfg)
{
	char line[600], a[48], b[48];
	int n;

	fprintf(f, "  ");
	wrap(f, r->why, 2, 2);
	if (cfg && cfg->sequence) {
		n = snprintf(line, sizeof(line), "sequence: %s", cfg->sequence);
		if (cfg->preset)
			n += snprintf(line + n, sizeof(line) - n, " (preset %s)", cfg->preset);
		n += snprintf(line + n, sizeof(line) - n, " over %s, %u client thread%s%s",
			      transport_name(cfg->transport), cfg->threads,
			      cfg->threads == 1 ? "" : "s",
			      cfg->target ? ", against the user's server" : "");
		/* What the server did with each connection, when it was not the default. */
		if (cfg->server_sequence)
			snprintf(line + n, sizeof(line) - n, "; server per connection: %s",
				 cfg->server_sequence);
		else if (!cfg->target && cfg->server_close != SC_EOF)
			snprintf(line + n, sizeof(line) - n, "; server close: %s",
				 server_close_name(cfg->server_close));
		fprintf(f, "  ");
		wrap(f, line, 2, 4);
	}
	fprintf(f, "  %s cycles in %.1f s of churn", num(a, sizeof(a), (double)r->cycles, false),
		r->churn_seconds);
	if (r->churn_seconds > 0)
		fprintf(f, " (%s/s)",
			num(b, sizeof(b), round(r->cycles / r->churn_seconds), false));
	fprintf(f, "; quiesce %.1f s, %s\n", r->quiesce_seconds,
		r->quiesce_stable ? "settled" : "not settled at its end");
}

static const char *note_of(const struct series *s, int col)
{
	return col >= 0 && s->cols[col].d.note ? s->cols[col].d.note : NULL;
}

static void pool_table(FILE *f, const struct series *s, const struct result *r)
{
	char a[32], b[32], c[32], d[32], nm[64];
	size_t i;

	if (!r->npools)
		return;
	fprintf(f, "\nSlab caches (pool tags)\n");
	fprintf(f, "  %-*s %-12s %11s %12s %10s %11s %5s\n", POOL_W, "cache", "verdict",
		"objs/cycle", "bytes/cycle", "peak objs", "peak bytes", "conf");
	for (i = 0; i < r->npools; i++) {
		const struct pool_row *p = &r->pools[i];
		const char *note = note_of(s, p->objs_col);

		if (!note)
			note = note_of(s, p->bytes_col);
		fprintf(f, "  %-*s %-12s %11s %12s %10s %11s %4.0f%%\n", POOL_W,
			fit_name(nm, sizeof(nm), p->cache, POOL_W), verdict_name(p->verdict),
			fmt_rate(a, sizeof(a), p->objs_per_cycle, UNIT_COUNT),
			fmt_rate(b, sizeof(b), p->bytes_per_cycle, UNIT_BYTES),
			amount(c, sizeof(c), p->peak_objs, UNIT_COUNT, AMT_TABLE | AMT_SIGN),
			amount(d, sizeof(d), p->peak_bytes, UNIT_BYTES, AMT_TABLE | AMT_SIGN),
			100 * p->confidence);
		if (note) {
			fprintf(f, "    ");
			wrap(f, note, 4, 6);
		}
	}
}

static void metric_header(FILE *f)
{
	fprintf(f, "  %-*s %-12s %12s %11s %11s %11s\n", NAME_W, "metric", "verdict", "baseline",
		"peak", "residual", "per cycle");
}

static void metric_row(FILE *f, const struct series *s, const struct metric_result *m)
{
	const struct series_col *c = &s->cols[m->col];
	char nm[64], a[32], b[32], d[32], e[32];

	fprintf(f, "  %-*s %-12s %12s %11s %11s %11s\n", NAME_W,
		fit_name(nm, sizeof(nm), c->name, NAME_W), verdict_name(m->verdict),
		amount(a, sizeof(a), m->baseline, c->d.unit, AMT_TABLE),
		amount(b, sizeof(b), m->peak, c->d.unit, AMT_TABLE | AMT_SIGN),
		amount(d, sizeof(d), m->residual, c->d.unit, AMT_TABLE | AMT_SIGN),
		fmt_rate(e, sizeof(e), m->residual_per_cycle, c->d.unit));
}

static const struct metric_desc *desc_of(const struct series *s, const struct metric_result *m)
{
	return &s->cols[m->col].d;
}

/* tcp4.* and tcp6.* split tcp.* by family: the JSON report has them, the text shows the sum. */
static bool family_split(const struct metric_desc *d)
{
	return desc_has(d, MT_SPLIT);
}

/* Seen to move or judged on what it did: not CLEAN, not "nothing seen at this length". */
static bool spoke(const struct metric_result *m)
{
	return m->moved || (m->verdict != VERDICT_CLEAN && !m->nothing_seen);
}

/* Key socket counts are always listed; the rest when they moved or were judged. */
static bool interesting(const struct series *s, const struct metric_result *m)
{
	const struct metric_desc *d = desc_of(s, m);

	return !family_split(d) && (spoke(m) || desc_has(d, MT_KEY));
}

/* The TCP states, TIME_WAIT's count among them (UNIX states are listed with the sockets). */
static bool tcp_state(const struct metric_desc *d, const struct metric_result *m)
{
	return (d->cls == MC_STATE && (d->families & FAM_TCP)) ||
	       (m->role == ROLE_TW && !desc_is_slab(d));
}

typedef bool (*metric_pick)(const struct series *s, const struct metric_result *m);

/* The user's server's figures have a table of their own. */
static bool of_server(const struct series *s, const struct metric_result *m)
{
	return report_server_col(desc_of(s, m));
}

static bool pick_sockets(const struct series *s, const struct metric_result *m)
{
	return m->role == ROLE_SOCKETS && !tcp_state(desc_of(s, m), m) && interesting(s, m) &&
	       !of_server(s, m);
}

static bool pick_states(const struct series *s, const struct metric_result *m)
{
	return tcp_state(desc_of(s, m), m) && interesting(s, m) && !of_server(s, m);
}

static bool pick_server(const struct series *s, const struct metric_result *m)
{
	return report_server_row(s, m);
}

static bool pick_memcg(const struct series *s, const struct metric_result *m)
{
	return desc_of(s, m)->cls == MC_MEMCG;
}

static bool pick_host(const struct series *s, const struct metric_result *m)
{
	return m->role == ROLE_HOST && desc_of(s, m)->cls != MC_MEMCG &&
	       m->verdict != VERDICT_CLEAN && spoke(m) && !of_server(s, m);
}

/* One evidence table; returns how many rows it printed. */
static size_t table(FILE *f, const struct series *s, const struct result *r, const char *title,
		    metric_pick pick)
{
	size_t i, n = 0;

	for (i = 0; i < r->nm; i++) {
		if (!pick(s, &r->m[i]))
			continue;
		if (!n++) {
			fprintf(f, "\n%s\n", title);
			metric_header(f);
		}
		metric_row(f, s, &r->m[i]);
	}
	return n;
}

static void time_wait(FILE *f, const struct result *r)
{
	char line[400], a[48], b[48];
	int n;

	if (r->tw_peak <= 0)
		return;
	n = snprintf(line, sizeof(line), "TIME_WAIT: peak %s sockets",
		     num(a, sizeof(a), r->tw_peak, false));
	if (r->tw_capped) {
		n += snprintf(line + n, sizeof(line) - n,
			      "; it stopped growing at about %s while the loop ran",
			      num(a, sizeof(a), round(r->tw_cap), false));
		if (r->tw_recycled > 0)
			n += snprintf(line + n, sizeof(line) - n,
				      ": connect() reused %s TIME_WAIT ports (TWRecycled; "
				      "net.ipv4.tcp_tw_reuse)",
				      num(a, sizeof(a), r->tw_recycled, false));
		if (r->tw_overflow > 0)
			n += snprintf(line + n, sizeof(line) - n,
				      "%s %s closed without TIME_WAIT (TCPTimeWaitOverflow; "
				      "net.ipv4.tcp_max_tw_buckets)",
				      r->tw_recycled > 0 ? "," : ":",
				      num(a, sizeof(a), r->tw_overflow, false));
		if (!(r->tw_recycled > 0) && !(r->tw_overflow > 0))
			n += snprintf(line + n, sizeof(line) - n,
				      " (a limit: port reuse or net.ipv4.tcp_max_tw_buckets)");
	}
	if (r->tw_purged)
		snprintf(line + n, sizeof(line) - n,
			 "; %.0f still pending at the end of quiesce went with the run's netns at "
			 "teardown (deferred clean-up, not a leak)",
			 r->tw_pending);
	else if (r->tw_short_quiesce)
		snprintf(line + n, sizeof(line) - n,
			 "; %s still pending at the end: quiesce %.0f s was shorter than "
			 "TIME_WAIT's 60 s (deferred clean-up, not a leak)",
			 num(b, sizeof(b), round(r->tw_pending), false), r->quiesce_seconds);
	else if (r->tw_pending > 0)
		snprintf(line + n, sizeof(line) - n, "; %s still pending at the end",
			 num(b, sizeof(b), round(r->tw_pending), false));
	else
		snprintf(line + n, sizeof(line) - n, "; all expired during quiesce (BOUNDED)");
	fprintf(f, "  ");
	wrap(f, line, 2, 4);
}

/* A sentence of the report's, wrapped under a table. */
static void say_line(void *arg, const char *line)
{
	fprintf(arg, "  ");
	wrap(arg, line, 2, 4);
}

static void counters(FILE *f, const struct series *s, const struct result *r)
{
	char nm[64];
	size_t i, n = 0;

	for (i = 0; i < r->nm; i++) {
		const struct metric_result *m = &r->m[i];

		if (m->role != ROLE_COUNTER || !m->moved)
			continue;
		if (!n++)
			fprintf(f,
				"\nCounters that moved (events, never a leak)\n  %-*s %14s %14s\n",
				NAME_W, "counter", "total", "per cycle");
		fprintf(f, "  %-*s %14.0f %14.5g\n", NAME_W,
			fit_name(nm, sizeof(nm), s->cols[m->col].name, NAME_W), m->total, m->slope);
	}
}

/* The slab cache a column is a figure of, else NULL: one finding per cache. */
static const char *cache_of(const struct metric_desc *d)
{
	return desc_is_slab(d) ? d->object : NULL;
}

/* Whether an earlier row of the list already spoke for this slab cache. */
static bool cache_told(const struct series *s, const struct result *r, size_t upto,
		       const char *cache)
{
	size_t i;

	for (i = 0; i < upto; i++) {
		const char *o = cache_of(desc_of(s, &r->m[i]));

		if (o && !strcmp(o, cache) && r->m[i].verdict != VERDICT_CLEAN)
			return true;
	}
	return false;
}

#define MAX_FINDINGS 12

/*
 * Why each decisive metric that moved got its class, worst first: one line per slab cache, the
 * family split left out; advisory metrics only when they would have been a BACKLOG or LEAK.
 */
static void findings(FILE *f, const struct series *s, const struct result *r)
{
	size_t i, n = 0, more = 0;
	const char *cache;
	char nm[64];

	for (i = 0; i < r->nm; i++) {
		const struct metric_result *m = &r->m[i];
		const char *name = s->cols[m->col].name;

		if (m->role == ROLE_COUNTER || m->verdict == VERDICT_CLEAN || m->nothing_seen ||
		    family_split(desc_of(s, m)))
			continue;
		if (!m->decisive && m->verdict < VERDICT_BACKLOG)
			continue;
		if ((cache = cache_of(desc_of(s, m))) && cache_told(s, r, i, cache))
			continue;
		if (n >= MAX_FINDINGS) {
			more++;
			continue;
		}
		if (!n++)
			fprintf(f,
				"\nWhy (decisive metrics that moved, worst first; * advisory: never "
				"decides)\n");
		fprintf(f, "  %c%-*s %-12s ", m->decisive ? ' ' : '*', NAME_W - 1,
			fit_name(nm, sizeof(nm), name, NAME_W - 1), verdict_name(m->verdict));
		wrap(f, m->why, 3 + NAME_W + 13, 6);
	}
	if (more)
		fprintf(f, "  (+%zu more: see the JSON report)\n", more);
}

/* What the tables leave out, in one line: the quiet majority. */
static void not_shown(FILE *f, const struct result *r)
{
	char line[300], quiet[240];

	if (!r->nclean && !r->nunseen)
		return;
	snprintf(line, sizeof(line), "Not shown: %s",
		 reason_quiet(quiet, sizeof(quiet), r->nclean, r->nunseen));
	fprintf(f, "\n");
	wrap(f, line, 0, 2);
}

static void phases(FILE *f, const struct series *s)
{
	size_t i, b, e;

	if (!s->nmarks)
		return;
	fprintf(f, "\nPhases\n  %-10s %10s %10s %12s %8s\n", "phase", "start", "length", "cycles",
		"rows");
	for (i = 0; i < s->nmarks; i++) {
		const struct phase_mark *pm = &s->marks[i];
		double end_t = i + 1 < s->nmarks ? s->marks[i + 1].t : s->last_t;
		uint64_t end_c = i + 1 < s->nmarks ? s->marks[i + 1].cycles : s->last_cycles;

		fprintf(f, "  %-10s %8.1f s %8.1f s %12llu %8zu\n", phase_name(pm->phase), pm->t,
			end_t - pm->t, (unsigned long long)(end_c - pm->cycles),
			series_phase_rows(s, pm->phase, &b, &e));
	}
}

static void figures(FILE *f, const struct series *s, const struct result *r)
{
	size_t i, levels = 0, ctrs = 0, costs = 0;
	char line[1024];
	int n = 0;

	for (i = 0; i < s->ncols; i++) {
		switch (s->cols[i].d.kind) {
		case MK_LEVEL:
			levels++;
			break;
		case MK_COUNTER:
			ctrs++;
			break;
		default:
			costs++;
			break;
		}
	}
	fprintf(f, "\nFigures\n");
	fprintf(f, "  %llu samples over %.1f s in %zu rows", (unsigned long long)s->samples,
		s->last_t, s->nrows);
	if (s->fold)
		fprintf(f, " (folded: each row averages %u samples)", 1u << s->fold);
	fputc('\n', f);
	fprintf(f, "  %zu levels (%zu decisive), %zu counters, %zu probe-cost columns\n", levels,
		r->ndecisive, ctrs, costs);
	if (!isnan(r->leaked_sockets_per_cycle) && r->socket_col >= 0) {
		snprintf(line, sizeof(line), "leaked sockets per cycle from %s%s%s",
			 s->cols[r->socket_col].name,
			 r->socket_divisor > 1 ? " (halved: the server holds each accepted end)" :
						 "",
			 !r->sockets_exact ?
				 ", host-wide: other sockets add noise" :
			 r->server.joined ?
				 ", exact in the server's netns (only it and the run use it)" :
				 ", exact in the run's own netns");
		fprintf(f, "  ");
		wrap(f, line, 2, 4);
	}
	if (!isnan(r->memcg_bytes_per_cycle))
		fprintf(f, "  memcg kernel memory per cycle: %.2f bytes\n",
			r->memcg_bytes_per_cycle);
	/* What watching cost: each probe's mean time per sample, and how often a costly one ran. */
	for (i = 0; i < s->ncols && n < (int)sizeof(line) - 64; i++) {
		const struct series_col *c = &s->cols[i];
		double sum = 0, every;
		size_t k, cnt = 0;

		if (c->d.kind != MK_COST || !c->d.object)
			continue;
		for (k = 0; k < s->nrows; k++)
			if (!isnan(c->v[k])) {
				sum += c->v[k];
				cnt++;
			}
		if (!cnt)
			continue;
		n += snprintf(line + n, sizeof(line) - n, "%s%s %.0f us", n ? ", " : "",
			      c->d.object, sum / cnt);
		every = series_spacing(s, c->v);
		if (every > 1.5 * series_spacing(s, NULL))
			n += snprintf(line + n, sizeof(line) - n, " (sampled every %.0f ms)",
				      1e3 * every);
	}
	if (n) {
		fprintf(f, "  probe cost per sample: ");
		wrap(f, line, 25, 4);
	}
}

static int text_report(FILE *f, const struct series *s, const struct result *r,
		       const struct run_config *cfg, int w)
{
	layout(w);
	verdict_line(f, s, r);
	summary(f, r, cfg);
	findings(f, s, r);
	pool_table(f, s, r);
	table(f, s, r,
	      !r->sockets_exact ?
		      "Sockets (host-wide counts)" :
	      r->server.joined ?
		      "Sockets (counted in the server's netns, which only it and the run "
		      "use: exact)" :
		      "Sockets (counted in the run's own netns: exact)",
	      pick_sockets);
	if (!table(f, s, r, "TCP states", pick_states) && r->tw_peak > 0)
		fprintf(f, "\nTCP states\n");
	time_wait(f, r);
	if (r->server.watched && table(f, s, r, report_server_title(r), pick_server))
		report_server_says(r, say_line, f);
	table(f, s, r, "Kernel memory (memcg)", pick_memcg);
	counters(f, s, r);
	table(f, s, r, "Host-wide figures that moved (advisory: a busy host moves them)",
	      pick_host);
	not_shown(f, r);
	phases(f, s);
	figures(f, s, r);
	return ferror(f) ? -EIO : 0;
}

/* Its last lines, as it wrote them, indented; at most SERVER_TAIL_LINES. */
#define SERVER_TAIL_LINES 10
static void text_tail(FILE *f, const char *out)
{
	const char *p = out + strlen(out);
	int n = 0;

	if (!out[0]) {
		fprintf(f, "; it wrote nothing\n");
		return;
	}
	while (p > out && n < SERVER_TAIL_LINES)
		if (*--p == '\n' && ++n == SERVER_TAIL_LINES)
			p++;
	fprintf(f, "; its last lines:\n");
	while (*p) {
		const char *e = strchr(p, '\n');

		if (!e)
			e = p + strlen(p);
		fprintf(f, "  | %.*s\n", (int)(e - p), p);
		p = *e ? e + 1 : e;
	}
}

static int text_facts(FILE *f, const struct run_facts *x)
{
	char line[400];
	bool tail;

	if (x->guard[0])
		fprintf(f, "\nStopped early by the memory guard: %s\n", x->guard);
	if (x->signal)
		fprintf(f, "\nInterrupted by signal %d: the verdict covers what was measured.\n",
			x->signal);
	if (!x->settled && !x->signal)
		fprintf(f, "\nQuiesce reached its maximum (%gs) before everything settled: %s\n",
			x->quiesce_max, x->unsettled);
	if (!x->cgroup)
		fprintf(f, "Memory cgroup: %s\n", x->cgroup_why);
	if (report_server_end(x, line, sizeof(line), &tail)[0]) {
		fprintf(f, "\n%s", line);
		if (tail)
			text_tail(f, x->server_output);
		else
			fputs("\n", f);
	}
	return ferror(f) ? -EIO : 0;
}

static int text_confirm(FILE *f, const struct series *sa, const struct confirm_result *c, int w)
{
	char nm[64];
	size_t i;

	layout(w);
	fprintf(f, "\nConfirm: %s (%.0f%%) over %.0f and %.0f cycles\n  ", verdict_name(c->verdict),
		100 * c->confidence, c->cycles_a, c->cycles_b);
	wrap(f, c->why, 2, 4);
	if (c->nm)
		fprintf(f, "  %-*s %-12s %12s %12s %7s %8s\n", NAME_W, "metric", "verdict",
			"residual N", "residual 3N", "ratio", "expect");
	for (i = 0; i < c->nm; i++) {
		const struct confirm_metric *m = &c->m[i];

		fprintf(f, "  %-*s %-12s %12.4g %12.4g %7.2f %8.2f\n", NAME_W,
			fit_name(nm, sizeof(nm), sa->cols[m->col_a].name, NAME_W),
			verdict_name(m->verdict), m->residual_a, m->residual_b, m->ratio,
			m->expected);
	}
	return ferror(f) ? -EIO : 0;
}

/*
 * Names, reasons and settings come from the system, the user and saved files: what reaches the
 * stream goes through esc_stream, so that no byte of theirs acts on a terminal.
 */
static FILE *escaped(FILE *f)
{
	return esc_stream(f);
}

static int done(FILE *e, FILE *f, int err)
{
	if (fclose(e) && !err)
		err = -EIO;
	return err || ferror(f) ? -EIO : 0;
}

int report_text(FILE *f, const struct series *s, const struct result *r,
		const struct run_config *cfg, int w)
{
	FILE *e = escaped(f);

	return e ? done(e, f, text_report(e, s, r, cfg, w)) : -ENOMEM;
}

int report_text_facts(FILE *f, const struct run_facts *x)
{
	FILE *e = escaped(f);

	return e ? done(e, f, text_facts(e, x)) : -ENOMEM;
}

int report_text_confirm(FILE *f, const struct series *sa, const struct confirm_result *c, int w)
{
	FILE *e = escaped(f);

	return e ? done(e, f, text_confirm(e, sa, c, w)) : -ENOMEM;
}

static int text_stop(FILE *f, const struct run_facts *x)
{
	if (x && x->guard[0])
		fprintf(f, "Stopped early: %s; the verdict below covers what ran.\n\n", x->guard);
	return ferror(f) ? -EIO : 0;
}

int report_text_stop(FILE *f, const struct run_facts *x)
{
	FILE *e = escaped(f);

	return e ? done(e, f, text_stop(e, x)) : -ENOMEM;
}

int report_text_all(FILE *f, const struct report_in *in, int w)
{
	int err = report_text_stop(f, in->facts);

	if (!err)
		err = report_text_failures(f, in->engine);
	if (!err)
		err = report_text(f, in->s, in->r, in->cfg, w);
	if (!err)
		err = report_text_errors(f, in->engine);

	if (!err)
		err = report_text_attribution(f, in->s, in->attr, w);
	if (!err && in->facts)
		err = report_text_facts(f, in->facts);
	if (!err && in->confirm && fputc('\n', f) != EOF)
		err = report_text_confirm(f, in->s, in->confirm, w);
	return err || ferror(f) ? -EIO : 0;
}
