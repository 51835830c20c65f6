/* The user's server in words, from result.server: text and HTML say the same. */
#include "report/server.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "model/amount.h"

bool report_server_col(const struct metric_desc *d)
{
	return d->source && (!strcmp(d->source, "server") || !strcmp(d->source, "port"));
}

bool report_server_row(const struct series *s, const struct metric_result *m)
{
	const struct metric_desc *d = &s->cols[m->col].d;

	if (!report_server_col(d) || m->role == ROLE_COUNTER || desc_has(d, MT_SPLIT))
		return false;
	if (!strcmp(d->source, "server"))
		return true;
	return metric_spoke(m) || desc_has(d, MT_KEY);
}

const char *report_server_end(const struct run_facts *x, char *buf, size_t len, bool *tail)
{
	*tail = false;
	buf[0] = '\0';
	if (x->server_pid)
		snprintf(buf, len,
			 "Your server (pid %d, watched with --pid: sockleak did not start it) %s",
			 x->server_pid,
			 x->server_stopped[0] ? x->server_stopped : "was left running");
	else if (x->server_stopped[0]) {
		snprintf(buf, len, "Your server %s", x->server_stopped);
		*tail = true;
	}
	return buf;
}

const char *report_server_title(const struct result *r)
{
	if (r->server.exact && r->server.joined)
		return "Your server (its processes, and its port's sockets counted in its netns, "
		       "which only it and the run use: exact)";
	return r->server.exact ? "Your server (its processes, and its port's sockets counted in "
				 "the run's own netns: exact)" :
				 "Your server (its processes, and its port's sockets filtered by "
				 "port in its netns: not exact, others there add to them)";
}

/* A rate per cycle in prose: "1.00", "0.0100". */
static const char *rate(char *buf, size_t len, double v)
{
	snprintf(buf, len, fabs(v) >= 0.1 || v == 0 ? "%.2f" : "%.3g", v);
	return buf;
}

static void fds(const struct result *r, char *line, size_t len)
{
	const struct server_figs *sv = &r->server;
	const struct metric_result *m = result_metric(r, sv->fds_col);
	char a[48], b[48];
	int n;

	if (!m)
		return;
	if (sv->capped)
		n = snprintf(
			line, len,
			"Its fds: LEAK, %s per cycle until they reached its fd limit (%s): the "
			"leak was capped by the server's limit and could grow no further",
			rate(a, sizeof(a), sv->fds_per_cycle),
			amount(b, sizeof(b), sv->fd_limit, UNIT_COUNT, AMT_PLAIN));
	else if (m->verdict == VERDICT_LEAK)
		n = snprintf(line, len, "Its fds: LEAK, %s kept per cycle",
			     rate(a, sizeof(a), sv->fds_per_cycle));
	else
		n = snprintf(line, len, "Its fds: %s, none kept per cycle",
			     verdict_name(m->verdict));
	if (!sv->capped && sv->fd_limit > 0)
		snprintf(line + n, len - (size_t)n, " (its fd limit: %s)",
			 amount(b, sizeof(b), sv->fd_limit, UNIT_COUNT, AMT_PLAIN));
}

static void close_wait(const struct result *r, char *line, size_t len)
{
	const struct server_figs *sv = &r->server;
	const struct metric_result *m = result_metric(r, sv->close_wait_col);
	char a[48];

	if (!m)
		return;
	if (sv->never_closes)
		snprintf(line, len,
			 "The server never closes: CLOSE_WAIT sockets on its side of the port grew "
			 "with cycles, %s kept per cycle (its clients closed, it did not)",
			 rate(a, sizeof(a), sv->close_wait_per_cycle));
	else
		snprintf(line, len, "CLOSE_WAIT on its side of the port: %s, none kept per cycle",
			 verdict_name(m->verdict));
}

static void rss(const struct result *r, char *line, size_t len)
{
	const struct server_figs *sv = &r->server;
	const struct metric_result *m = result_metric(r, sv->rss_col);
	char a[48], b[48];

	if (!m)
		return;
	amount(b, sizeof(b), sv->alloc_hold, UNIT_BYTES, AMT_HUMAN);
	if (sv->rss_in_hold)
		snprintf(line, len,
			 "Its RSS: kept %s, within what allocators hold (%s): growth allocators "
			 "keep is not a leak's evidence (--confirm tells with a longer run)",
			 amount(a, sizeof(a), m->residual, UNIT_BYTES, AMT_HUMAN | AMT_SIGN), b);
	else if (m->verdict == VERDICT_LEAK)
		snprintf(line, len, "Its RSS: LEAK, %s per cycle, beyond what allocators hold (%s)",
			 amount(a, sizeof(a), sv->rss_per_cycle, UNIT_BYTES, AMT_HUMAN), b);
	else
		snprintf(line, len, "Its RSS: %s, %s", verdict_name(m->verdict), m->why);
}

void report_server_says(const struct result *r, void (*say)(void *arg, const char *line), void *arg)
{
	char line[400];

	if (!r->server.watched)
		return;
	line[0] = '\0';
	close_wait(r, line, sizeof(line));
	if (line[0] && r->server.never_closes)
		say(arg, line);
	line[0] = '\0';
	fds(r, line, sizeof(line));
	if (line[0])
		say(arg, line);
	line[0] = '\0';
	close_wait(r, line, sizeof(line));
	if (line[0] && !r->server.never_closes)
		say(arg, line);
	line[0] = '\0';
	rss(r, line, sizeof(line));
	if (line[0])
		say(arg, line);
}
