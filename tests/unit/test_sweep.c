/* Unit tests for src/run/sweep.c: the matrix expansion, skips, the matrix file and the budget split. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "describe.h"
#include "common.h"
#include "engine/engine.h"
#include "engine/seq.h"
#include "run/sweep.h"

static const struct sweep_variant *find(const struct sweep *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].name, name))
			return &s->v[i];
	fail_msg("no variant '%s'", name);
	return NULL;
}

/* No axis given: the KB sequence bare and with each catalogue option, over tcp and tcp6. */
static void test_default(void **state)
{
	struct sweep_axes a = { 0 };
	struct sweep s = { 0 };
	const struct sweep_variant *v;
	size_t per = seq_option_count() + 1;

	(void)state;
	assert_int_equal(sweep_expand(&a, &s), 0);
	assert_int_equal(s.n, 2 * per);
	assert_string_equal(s.v[0].name, "tcp kb171996");
	assert_true(s.v[0].preset);
	assert_string_equal(s.v[0].option, "");
	assert_int_equal(s.v[0].status, VS_PENDING);
	assert_string_equal(s.v[per].name, "tcp6 kb171996");
	/* Every option appears once per transport, with the catalogue's example value. */
	assert_string_equal(s.v[1].option, "SO_LINGER=1:0");
	assert_string_equal(s.v[1].sequence,
			    "socket,setsockopt:SO_REUSEADDR=1,setsockopt:SO_LINGER=1:0,connect,"
			    "send:64,close");
	/* Skipped: the preset's own option, and the options of the other IP version. */
	v = find(&s, "tcp kb171996 +SO_REUSEADDR=1");
	assert_int_equal(v->status, VS_SKIPPED);
	assert_non_null(strstr(v->reason, "already sets SO_REUSEADDR=1"));
	v = find(&s, "tcp kb171996 +IPV6_V6ONLY=1");
	assert_int_equal(v->status, VS_SKIPPED);
	assert_non_null(strstr(v->reason, "does not apply to tcp"));
	v = find(&s, "tcp6 kb171996 +IP_TOS=0x10");
	assert_int_equal(v->status, VS_SKIPPED);
	assert_non_null(strstr(v->reason, "does not apply to tcp6"));
	assert_int_equal(find(&s, "tcp6 kb171996 +IPV6_V6ONLY=1")->status, VS_PENDING);
	assert_int_equal(sweep_count(&s, VS_SKIPPED), 6);
	assert_int_equal(sweep_count(&s, VS_PENDING), 2 * per - 6);
	sweep_free(&s);
	sweep_axes_free(&a);
}

/* Naming presets replaces the default axis: presets bare, unless options are asked for too. */
static void test_presets(void **state)
{
	struct sweep_axes a = { 0 };
	struct sweep s = { 0 };
	char why[512];

	(void)state;
	assert_int_equal(sweep_parse_presets(&a, "kb171996, abort,kb171996", why, sizeof(why)), 0);
	assert_int_equal(a.nseqs, 2);
	assert_int_equal(sweep_parse_transports(&a, "tcp", why, sizeof(why)), 0);
	assert_int_equal(sweep_expand(&a, &s), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.v[0].name, "tcp kb171996");
	assert_string_equal(s.v[1].name, "tcp abort");
	assert_string_equal(s.v[1].sequence,
			    "socket,setsockopt:SO_LINGER=1:0,connect,send:64,close");
	assert_int_equal(sweep_count(&s, VS_PENDING), 2);
	sweep_free(&s);
	sweep_axes_free(&a);

	memset(&a, 0, sizeof(a));
	assert_int_equal(sweep_parse_presets(&a, "kb171996,crr", why, sizeof(why)), 0);
	assert_int_equal(sweep_parse_presets(&a, "kb17199", why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "unknown preset 'kb17199'"));
	assert_int_equal(sweep_parse_presets(&a, "socket,close", why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "--sequence"));
	sweep_axes_free(&a);
}

/* The option goes after socket and the preset's own options: it is the one in force. */
static void test_options(void **state)
{
	struct sweep_axes a = { 0 };
	struct sweep s = { 0 };
	const struct sweep_variant *v;
	char why[1024];

	(void)state;
	assert_int_equal(sweep_parse_presets(&a, "abort", why, sizeof(why)), 0);
	assert_int_equal(sweep_parse_transports(&a, "tcp", why, sizeof(why)), 0);
	assert_int_equal(sweep_parse_options(&a, "tcp_nodelay,SO_LINGER=1:0,SO_LINGER=1:5", why,
					     sizeof(why)),
			 0);
	assert_int_equal(a.noptions, 3);
	assert_string_equal(a.options[0], "TCP_NODELAY=1");
	assert_int_equal(sweep_expand(&a, &s), 0);
	assert_int_equal(s.n, 4);
	v = find(&s, "tcp abort +TCP_NODELAY=1");
	assert_int_equal(v->status, VS_PENDING);
	assert_false(v->preset && !v->option[0]);
	assert_string_equal(
		v->sequence,
		"socket,setsockopt:SO_LINGER=1:0,setsockopt:TCP_NODELAY=1,connect,send:64,close");
	assert_int_equal(find(&s, "tcp abort +SO_LINGER=1:0")->status, VS_SKIPPED);
	v = find(&s, "tcp abort +SO_LINGER=1:5");
	assert_int_equal(v->status, VS_PENDING);
	assert_string_equal(v->sequence, "socket,setsockopt:SO_LINGER=1:0,setsockopt:SO_LINGER=1:5,"
					 "connect,send:64,close");
	sweep_free(&s);
	sweep_axes_free(&a);

	/* Refused at once: an unknown option, a bad value (where it applies), too many. */
	memset(&a, 0, sizeof(a));
	assert_int_equal(sweep_parse_options(&a, "SO_BOGUS=1", why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "unknown socket option 'SO_BOGUS'"));
	assert_int_equal(sweep_parse_options(&a, "IP_TTL=999", why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "bad value for IP_TTL"));
	/* IPV6_TCLASS applies to tcp6 only: the tcp6 error (its value) is the one given. */
	assert_int_equal(sweep_parse_options(&a, "IPV6_TCLASS=999", why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "bad value for IPV6_TCLASS"));
	assert_int_equal(sweep_parse_options(&a, "none", why, sizeof(why)), 0);
	assert_true(a.options_set);
	assert_int_equal(a.noptions, 0);
	assert_int_equal(sweep_parse_options(&a, "all,all", why, sizeof(why)), 0);
	assert_int_equal(a.noptions, seq_option_count());
	sweep_axes_free(&a);
}

static void test_transports_closes(void **state)
{
	struct sweep_axes a = { 0 };
	struct sweep s = { 0 };
	const struct sweep_variant *v;
	char why[512];

	(void)state;
	assert_int_equal(sweep_parse_transports(&a, "tcp, udp,tcp", why, sizeof(why)), 0);
	assert_int_equal(a.ntransports, 2);
	assert_int_equal(sweep_parse_transports(&a, "sctp", why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "unknown transport 'sctp'"));
	assert_int_equal(sweep_parse_closes(&a, "eof,rst", why, sizeof(why)), 0);
	assert_int_equal(sweep_parse_closes(&a, "later", why, sizeof(why)), -EINVAL);
	assert_int_equal(sweep_parse_presets(&a, "kb171996,abort", why, sizeof(why)), 0);
	assert_int_equal(sweep_expand(&a, &s), 0);
	assert_int_equal(s.n, 2 * 2 * 2);
	assert_int_equal(find(&s, "tcp abort close=rst")->status, VS_PENDING);
	v = find(&s, "udp kb171996 close=rst");
	assert_int_equal(v->status, VS_SKIPPED);
	assert_non_null(strstr(v->reason, "stream transports"));
	v = find(&s, "udp abort");
	assert_int_equal(v->status, VS_SKIPPED);
	assert_non_null(strstr(v->reason, "preset abort does not apply to udp"));
	assert_int_equal(find(&s, "udp kb171996")->status, VS_PENDING);
	sweep_free(&s);
	sweep_axes_free(&a);
}

static void test_sequences(void **state)
{
	struct sweep_axes a = { 0 };
	struct sweep s = { 0 };
	char why[1024];

	(void)state;
	assert_int_equal(
		sweep_add_sequence(&a, "socket, connect,send:64,close", false, why, sizeof(why)),
		0);
	assert_int_equal(sweep_add_sequence(&a, "socket,sennd:64,close", false, why, sizeof(why)),
			 -EINVAL);
	assert_non_null(strstr(why, "unknown op 'sennd'"));
	/* Without close: only with --allow-open. */
	assert_int_equal(sweep_add_sequence(&a, "socket,connect", false, why, sizeof(why)),
			 -EINVAL);
	assert_int_equal(sweep_add_sequence(&a, "socket,connect", true, why, sizeof(why)), 0);
	assert_int_equal(sweep_parse_options(&a, "TCP_NODELAY", why, sizeof(why)), 0);
	assert_int_equal(sweep_parse_transports(&a, "tcp,unix", why, sizeof(why)), 0);
	s.allow_open = true;
	assert_int_equal(sweep_expand(&a, &s), 0);
	assert_int_equal(s.n, 2 * 2 * 2);
	assert_string_equal(find(&s, "tcp socket, connect,send:64,close +TCP_NODELAY=1")->sequence,
			    "socket,setsockopt:TCP_NODELAY=1, connect,send:64,close");
	assert_false(find(&s, "tcp socket,connect")->preset);
	assert_int_equal(find(&s, "unix socket,connect +TCP_NODELAY=1")->status, VS_SKIPPED);
	assert_int_equal(find(&s, "unix socket,connect")->status, VS_PENDING);
	sweep_free(&s);
	sweep_axes_free(&a);
}

static int read_matrix(struct sweep *s, const char *text, char *why, size_t whylen)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int err;

	assert_non_null(f);
	err = sweep_matrix_read(s, f, "m.txt", why, whylen);
	fclose(f);
	return err;
}

static void test_matrix(void **state)
{
	struct sweep s = { 0 };
	char why[1024];

	(void)state;
	assert_int_equal(
		read_matrix(&s,
			    "# transport sequence option server-close\n"
			    "\n"
			    "transport=tcp6   # the rest: defaults\n"
			    "transport=tcp sequence=abort option=TCP_NODELAY server-close=rst\n"
			    "sequence=socket,connect,send:1k,close option=none\n"
			    "transport=udp sequence=abort\n",
			    why, sizeof(why)),
		0);
	assert_int_equal(s.n, 4);
	assert_string_equal(s.v[0].name, "tcp6 kb171996");
	assert_string_equal(s.v[1].name, "tcp abort +TCP_NODELAY=1 close=rst");
	assert_int_equal(s.v[1].server_close, SC_RST);
	assert_string_equal(s.v[2].sequence, "socket,connect,send:1k,close");
	assert_int_equal(s.v[3].status, VS_SKIPPED);
	sweep_free(&s);

	assert_int_equal(read_matrix(&s, "transport=tcp\ntransprt=tcp6\n", why, sizeof(why)),
			 -EINVAL);
	assert_non_null(strstr(why, "m.txt:2: unknown key 'transprt'"));
	sweep_free(&s);
	assert_int_equal(read_matrix(&s, "tcp abort\n", why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "m.txt:1: 'tcp': expected KEY=VALUE"));
	sweep_free(&s);
	assert_int_equal(read_matrix(&s, "option=SO_LINGER=9:9:9\n", why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "m.txt:1: option 'SO_LINGER=9:9:9'"));
	sweep_free(&s);
	assert_int_equal(read_matrix(&s, "sequence=socket,bogus\n", why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "m.txt:1: sequence"));
	sweep_free(&s);
	assert_int_equal(read_matrix(&s, "# nothing\n\n", why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "no variants"));
	sweep_free(&s);
}

/* The kernel has the last word: a congestion control it does not have is refused. */
static void test_kernel(void **state)
{
	struct sweep s = { 0 };

	(void)state;
	assert_int_equal(sweep_add(&s, TR_TCP, "kb171996", "TCP_NODELAY=1", SC_EOF), 0);
	assert_int_equal(sweep_add(&s, TR_TCP, "kb171996", "TCP_CONGESTION=nosuchcc", SC_EOF), 0);
	assert_int_equal(s.v[1].status, VS_PENDING);
	sweep_check_kernel(&s);
	assert_int_equal(s.v[0].status, VS_PENDING);
	assert_int_equal(s.v[1].status, VS_SKIPPED);
	assert_non_null(
		strstr(s.v[1].reason, "the kernel refuses setsockopt:TCP_CONGESTION=nosuchcc"));
	sweep_free(&s);
}

/* The default sweep on 10 minutes: 38 variants, every phase within its bounds, the sum = budget. */
static void test_plan(void **state)
{
	struct sweep_plan_in in = { 600, 38, -1, -1, -1, 3 };
	struct sweep_plan p;
	char why[512];

	(void)state;
	assert_int_equal(sweep_plan(&in, &p, why, sizeof(why)), 0);
	assert_float_equal(p.reserve, 10, 1e-9);
	assert_float_equal(p.per_variant, 590.0 / 38, 1e-9);
	assert_float_equal(p.total, 600, 1e-9);
	assert_float_equal(p.baseline, 0.15 * (590.0 / 38 - 3 - SWEEP_OVERHEAD), 1e-9);
	assert_float_equal(p.quiesce_max, 0.30 * (590.0 / 38 - 3 - SWEEP_OVERHEAD), 1e-9);
	assert_float_equal(p.churn, 0.55 * (590.0 / 38 - 3 - SWEEP_OVERHEAD), 1e-9);
	assert_float_equal(p.teardown, 3, 1e-9);
	assert_float_equal(p.baseline + p.churn + p.quiesce_max + p.teardown + p.overhead,
			   p.per_variant, 1e-9);

	/* Too many for 2 minutes: refused, with the least budget that fits, which does fit. */
	in.budget = 120;
	assert_int_equal(sweep_plan(&in, &p, why, sizeof(why)), -ENOSPC);
	assert_non_null(strstr(why, "38 variants do not fit in a budget of 2m"));
	assert_non_null(strstr(why, "--no-teardown"));
	assert_float_equal(p.min_budget, ceil(38 * (8 + SWEEP_OVERHEAD) / 0.98), 1e-9);
	in.budget = p.min_budget;
	assert_int_equal(sweep_plan(&in, &p, why, sizeof(why)), 0);
	assert_true(p.total <= in.budget + 1e-9);
	assert_true(p.churn >= SWEEP_MIN_CHURN);
	in.budget -= 1;
	assert_int_equal(sweep_plan(&in, &p, why, sizeof(why)), -ENOSPC);

	/* Long shares: baseline and quiesce stop at their maxima, churn takes the rest. */
	in = (struct sweep_plan_in){ 3600, 2, -1, -1, -1, 3 };
	assert_int_equal(sweep_plan(&in, &p, why, sizeof(why)), 0);
	assert_float_equal(p.baseline, SWEEP_MAX_BASELINE, 1e-9);
	assert_float_equal(p.quiesce_max, SWEEP_MAX_QUIESCE, 1e-9);
	assert_float_equal(p.total, 3600, 1e-9);

	/* The brief's integration sweep: two variants in 2 minutes. */
	in = (struct sweep_plan_in){ 120, 2, -1, -1, -1, 3 };
	assert_int_equal(sweep_plan(&in, &p, why, sizeof(why)), 0);
	assert_float_equal(p.reserve, 2.4, 1e-9);
	assert_true(p.churn > 30);

	/* Churn fixed by the user: quiesce fills the share, up to its maximum. */
	in.churn = 30;
	assert_int_equal(sweep_plan(&in, &p, why, sizeof(why)), 0);
	assert_float_equal(p.churn, 30, 1e-9);
	assert_float_equal(p.quiesce_max, 58.8 - 3 - SWEEP_OVERHEAD - 3 - 30, 1e-9);
	in.churn = 60;
	assert_int_equal(sweep_plan(&in, &p, why, sizeof(why)), -ENOSPC);
	assert_float_equal(p.min_budget, ceil(2 * (60 + 1 + 2 + 3 + SWEEP_OVERHEAD) / 0.98), 1e-9);
	in.budget = p.min_budget;
	assert_int_equal(sweep_plan(&in, &p, why, sizeof(why)), 0);
	in.budget -= 1;
	assert_int_equal(sweep_plan(&in, &p, why, sizeof(why)), -ENOSPC);

	/* Fixed baseline and quiesce, no teardown. */
	in = (struct sweep_plan_in){ 60, 3, 2, -1, 5, 0 };
	assert_int_equal(sweep_plan(&in, &p, why, sizeof(why)), 0);
	assert_float_equal(p.baseline, 2, 1e-9);
	assert_float_equal(p.quiesce_max, 5, 1e-9);
	assert_float_equal(p.churn, (60 - 1.2) / 3 - SWEEP_OVERHEAD - 2 - 5, 1e-9);
	in.variants = 0;
	assert_int_equal(sweep_plan(&in, &p, why, sizeof(why)), 0);
	assert_float_equal(p.total, 0, 1e-9);
}

/* Variants that overran shorten the churn of those left; too little left stops the sweep. */
static void test_churn_now(void **state)
{
	struct sweep_plan_in in = { 120, 2, -1, -1, -1, 3 };
	struct sweep_plan p;
	char why[256];

	(void)state;
	assert_int_equal(sweep_plan(&in, &p, why, sizeof(why)), 0);
	assert_float_equal(sweep_churn_now(&p, 117.6, 2), p.churn, 1e-9);
	assert_float_equal(sweep_churn_now(&p, 500, 2), p.churn, 1e-9);
	assert_float_equal(sweep_churn_now(&p, 117.6 - 10, 2), p.churn - 5, 1e-9);
	assert_float_equal(sweep_churn_now(&p, p.per_variant - p.churn + 2, 1), 2, 1e-9);
	assert_float_equal(sweep_churn_now(&p, p.per_variant - p.churn + 1.5, 1), 0, 1e-9);
	assert_float_equal(sweep_churn_now(&p, 100, 0), 0, 1e-9);
}

static void test_duration(void **state)
{
	char b[32];

	(void)state;
	assert_string_equal(sweep_fmt_duration(b, sizeof(b), 600), "10m");
	assert_string_equal(sweep_fmt_duration(b, sizeof(b), 599.4), "9m59s");
	assert_string_equal(sweep_fmt_duration(b, sizeof(b), 45), "45s");
	assert_string_equal(sweep_fmt_duration(b, sizeof(b), 2.5), "2.5s");
	assert_string_equal(sweep_fmt_duration(b, sizeof(b), 59.7), "1m");
	assert_string_equal(sweep_fmt_duration(b, sizeof(b), 3660), "1h1m");
	assert_string_equal(sweep_fmt_duration(b, sizeof(b), 7200), "2h");
}

/* The row's figures come from the decisive metric with the run's verdict that showed something. */
static void test_record(void **state)
{
	struct series s;
	struct metric_result m[3] = { 0 };
	struct result r = { 0 };
	struct engine_stats st = { 0 };
	struct sweep_variant v = { 0 };
	int host, orphan, slab;

	(void)state;
	assert_int_equal(series_init(&s, 0), 0);
	host = series_add_named(&s, "meminfo.Slab", UNIT_BYTES, MK_LEVEL, NULL);
	orphan = series_add_named(&s, "tcp.client", UNIT_COUNT, MK_LEVEL, NULL);
	slab = series_add_named(&s, "slab.TCP.bytes", UNIT_BYTES, MK_LEVEL, NULL);
	m[0] = (struct metric_result){ .col = host, .verdict = VERDICT_LEAK, .peak = 1e6 };
	m[1] = (struct metric_result){
		.col = orphan, .verdict = VERDICT_LEAK, .decisive = true, .nothing_seen = true
	};
	m[2] = (struct metric_result){ .col = slab,
				       .verdict = VERDICT_LEAK,
				       .decisive = true,
				       .peak = 65536,
				       .residual_per_cycle = 2.5 };
	r.verdict = VERDICT_LEAK;
	r.m = m;
	r.nm = 3;
	r.churn_seconds = 4;
	r.quiesce_seconds = 3;
	r.leaked_sockets_per_cycle = 0.001;
	snprintf(r.why, sizeof(r.why), "LEAK in slab.TCP.bytes");
	st.cycles = 40000;
	st.failed_cycles = 2;
	st.seconds = 4;
	sweep_record(&v, &s, &r, &st, 1u << VERDICT_BACKLOG | 1u << VERDICT_LEAK);
	assert_string_equal(v.metric, "slab.TCP.bytes");
	assert_int_equal(v.unit, UNIT_BYTES);
	assert_float_equal(v.peak, 65536, 1e-9);
	assert_float_equal(v.residual_per_cycle, 2.5, 1e-9);
	assert_float_equal(v.cycles_per_second, 10000, 1e-9);
	assert_true(v.fails);
	assert_int_equal(v.failed_cycles, 2);
	assert_string_equal(v.why, "LEAK in slab.TCP.bytes");

	/* CLEAN, below fail-on; no decisive metric with the verdict: the first decisive one. */
	r.verdict = VERDICT_CLEAN;
	sweep_record(&v, &s, &r, &st, 1u << VERDICT_LEAK);
	assert_false(v.fails);
	assert_string_equal(v.metric, "tcp.client");
	series_free(&s);
}

/* A default matrix made and fixed: the same axes give the same id on every machine. */
static void matrix_of(struct sweep *s, const char *presets, const char *settings)
{
	struct sweep_axes a = { 0 };
	char why[256];

	memset(s, 0, sizeof(*s));
	if (presets) {
		assert_int_equal(sweep_parse_presets(&a, presets, why, sizeof(why)), 0);
		assert_int_equal(sweep_parse_transports(&a, "tcp,udp", why, sizeof(why)), 0);
	}
	assert_int_equal(sweep_expand(&a, s), 0);
	assert_int_equal(sweep_matrix_set(s, settings), 0);
	sweep_axes_free(&a);
}

static void test_matrix_id(void **state)
{
	struct sweep a, b, c, d;
	size_t i;

	(void)state;
	matrix_of(&a, NULL, "threads=1");
	matrix_of(&b, NULL, "threads=1");
	matrix_of(&c, NULL, "threads=2");
	matrix_of(&d, "kb171996,abort", "threads=1");
	assert_int_equal(strlen(a.matrix.id), SWEEP_ID_LEN);
	assert_string_equal(a.matrix.id, b.matrix.id);
	/* Settings and variants are the identity; what came of the variants is not. */
	assert_string_not_equal(a.matrix.id, c.matrix.id);
	assert_string_not_equal(a.matrix.id, d.matrix.id);
	b.v[0].status = VS_SKIPPED;
	sweep_free(&b);
	matrix_of(&b, NULL, "threads=1");
	assert_string_equal(a.matrix.id, b.matrix.id);
	/* Numbered from 1 in matrix order, with every name kept. */
	assert_int_equal(a.matrix.size, a.n);
	assert_int_equal(a.matrix.nnames, a.n);
	for (i = 0; i < a.n; i++) {
		assert_int_equal(a.v[i].index, i + 1);
		assert_string_equal(a.matrix.names[i], a.v[i].name);
	}
	assert_int_equal(d.n, 4);
	assert_string_equal(d.matrix.names[3], "udp abort");
	sweep_free(&a);
	sweep_free(&b);
	sweep_free(&c);
	sweep_free(&d);
}

/* kb171996 and abort over tcp on n kernels: host, then images of 6.1.0-47 and 5.10.0-9. */
static void kernel_matrix(struct sweep *s, size_t n)
{
	static const char *const label[] = { "host", "6.1.0-47-amd64", "5.10.0-9-amd64" };
	static const char *const image[] = { "", "/c/vmlinuz", "/c/vmlinuz-5" };
	struct sweep_axes a = { 0 };
	char why[256];
	size_t k;

	memset(s, 0, sizeof(*s));
	assert_int_equal(sweep_parse_presets(&a, "kb171996,abort", why, sizeof(why)), 0);
	assert_int_equal(sweep_parse_transports(&a, "tcp", why, sizeof(why)), 0);
	assert_int_equal(sweep_expand(&a, s), 0);
	for (k = 0; k < n; k++) {
		snprintf(s->matrix.kernels[k].label, sizeof(s->matrix.kernels[k].label), "%s",
			 label[k]);
		snprintf(s->matrix.kernels[k].image, sizeof(s->matrix.kernels[k].image), "%s",
			 image[k]);
	}
	s->matrix.nkernels = n;
	assert_int_equal(sweep_matrix_set(s, "x"), 0);
	sweep_axes_free(&a);
}

/* A kernel axis: the variants again for each kernel, outermost, and a kernel in the identity. */
static void test_matrix_kernels(void **state)
{
	struct sweep s, t;

	(void)state;
	kernel_matrix(&s, 2);
	assert_int_equal(s.n, 4);
	assert_int_equal(s.matrix.size, 4);
	assert_int_equal(s.matrix.nnames, 2);
	assert_string_equal(s.v[2].name, "tcp kb171996");
	assert_int_equal(s.v[2].kernel_at, 1);
	assert_int_equal(s.v[2].index, 3);
	assert_string_equal(s.v[3].sequence, s.v[1].sequence);
	assert_ptr_not_equal(s.v[3].sequence, s.v[1].sequence);
	assert_true(sweep_on_host(&s, &s.v[1]));
	assert_false(sweep_on_host(&s, &s.v[3]));
	matrix_of(&t, "kb171996,abort", "x");
	assert_string_not_equal(s.matrix.id, t.matrix.id);
	sweep_free(&s);
	sweep_free(&t);
}

/* A file with a bzImage's setup header naming release: what --kernels reads. */
static void fake_image(const char *path, const char *release)
{
	unsigned char img[0x600] = { 0 };
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	memcpy(img + 0x202, "HdrS", 4);
	img[0x20f] = 0x03; /* the version string at 0x300 + 0x200 */
	snprintf((char *)img + 0x500, 0x100, "%s (debian-kernel@lists.debian.org) #1 SMP", release);
	assert_int_equal(fwrite(img, 1, sizeof(img), f), sizeof(img));
	fclose(f);
}

/* --kernels: host and images, labelled by their release; what is refused, and why. */
static void test_parse_kernels(void **state)
{
	char dir[] = "/tmp/test_sweep.XXXXXX", a[64], b[64], list[256], why[512];
	struct sweep_matrix m = { 0 };

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(a, sizeof(a), "%s/vmlinuz-a", dir);
	snprintf(b, sizeof(b), "%s/vmlinuz-b", dir);
	fake_image(a, "6.1.0-57-amd64");
	fake_image(b, "6.1.0-57-amd64");
	snprintf(list, sizeof(list), "host, %s", a);
	assert_int_equal(sweep_parse_kernels(&m, list, why, sizeof(why)), 0);
	assert_int_equal(m.nkernels, 2);
	assert_string_equal(m.kernels[0].label, "host");
	assert_string_equal(m.kernels[0].image, "");
	assert_string_equal(m.kernels[1].label, "6.1.0-57-amd64");
	assert_string_equal(m.kernels[1].image, a);

	/* The same release twice, under another name: one axis entry would hide the other. */
	memset(&m, 0, sizeof(m));
	snprintf(list, sizeof(list), "%s,%s", a, b);
	assert_int_equal(sweep_parse_kernels(&m, list, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "6.1.0-57-amd64 given twice (the release of"));
	memset(&m, 0, sizeof(m));
	assert_int_equal(sweep_parse_kernels(&m, "host,host", why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "host given twice"));
	memset(&m, 0, sizeof(m));
	assert_int_equal(sweep_parse_kernels(&m, "host,/etc/hostname", why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "'/etc/hostname' is not a kernel image"));
	memset(&m, 0, sizeof(m));
	assert_int_equal(sweep_parse_kernels(&m, "/nonexistent/vmlinuz", why, sizeof(why)),
			 -EINVAL);
	assert_non_null(strstr(why, "No such file"));
	memset(&m, 0, sizeof(m));
	assert_int_equal(sweep_parse_kernels(&m, "host,,", why, sizeof(why)), -EINVAL);
	memset(&m, 0, sizeof(m));
	assert_int_equal(sweep_parse_kernels(&m, "", why, sizeof(why)), -EINVAL);
	unlink(a);
	unlink(b);
	rmdir(dir);
}

/*
 * The plan of a sweep across kernels: one boot per kernel that runs in a VM (with a variant to
 * run), taken off the budget before the variants share it, and in the least budget.
 */
static void test_plan_kernels(void **state)
{
	struct sweep_plan_in in = { 600, 4, -1, -1, -1, 0, 0 };
	struct sweep_plan p, q;
	struct sweep s;
	char why[512];

	(void)state;
	kernel_matrix(&s, 3);
	assert_int_equal(s.n, 6);
	assert_int_equal(sweep_boots(&s), 2);
	/* A kernel whose variants all are done, or skipped, needs no boot. */
	s.v[4].status = VS_SKIPPED;
	s.v[5].status = VS_DONE;
	assert_int_equal(sweep_boots(&s), 1);
	s.v[2].status = s.v[3].status = VS_NOT_RUN;
	assert_int_equal(sweep_boots(&s), 0);

	assert_int_equal(sweep_plan(&in, &q, why, sizeof(why)), 0);
	in.boots = 2;
	assert_int_equal(sweep_plan(&in, &p, why, sizeof(why)), 0);
	assert_int_equal(p.boots, 2);
	assert_float_equal(p.boot, SWEEP_VM_BOOT, 1e-9);
	assert_float_equal(p.per_variant, (600.0 - 10 - 2 * SWEEP_VM_BOOT) / 4, 1e-9);
	assert_float_equal(p.total, 600, 1e-9);
	assert_true(p.churn < q.churn);
	assert_float_equal(p.min_budget, ceil(q.min_budget + 2 * SWEEP_VM_BOOT), 1.0);
	in.budget = p.min_budget - 1;
	assert_int_equal(sweep_plan(&in, &p, why, sizeof(why)), -ENOSPC);
	assert_non_null(strstr(why, "each VM its boot"));
	sweep_free(&s);
}

/* A VM's slice (--variants): the variants of those numbers, in order; a bad list refused. */
static void test_keep(void **state)
{
	static bool keep[SWEEP_MAX_VARIANTS + 1];
	struct sweep s;
	char why[256];

	(void)state;
	matrix_of(&s, "kb171996,abort,crr", "x");
	assert_int_equal(s.n, 6);
	assert_int_equal(sweep_parse_indices("3, 1", keep, SWEEP_MAX_VARIANTS, why, sizeof(why)),
			 0);
	sweep_keep(&s, keep, SWEEP_MAX_VARIANTS);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.v[0].index, 1);
	assert_int_equal(s.v[1].index, 3);
	assert_string_equal(s.v[1].base, "crr");
	assert_int_equal(sweep_parse_indices("0", keep, 4, why, sizeof(why)), -EINVAL);
	assert_int_equal(sweep_parse_indices("5", keep, 4, why, sizeof(why)), -EINVAL);
	assert_int_equal(sweep_parse_indices("1,x", keep, 4, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "'x': expected matrix numbers 1 to 4"));
	sweep_free(&s);
}

/* Shards: each variant in exactly one, by its number, skipped ones included. */
static void test_shards(void **state)
{
	struct sweep whole, part;
	unsigned n, i, k, seen[SWEEP_MAX_VARIANTS + 1];
	char why[256];
	size_t j;

	(void)state;
	matrix_of(&whole, NULL, "");
	for (n = 1; n <= 5; n++) {
		memset(seen, 0, sizeof(seen));
		for (i = 1; i <= n; i++) {
			matrix_of(&part, NULL, "");
			sweep_shard(&part, i, n);
			assert_int_equal(part.matrix.shard, i);
			assert_int_equal(part.matrix.shards, n);
			/* The identity is the whole matrix's, whatever the slice. */
			assert_string_equal(part.matrix.id, whole.matrix.id);
			assert_int_equal(part.matrix.size, whole.n);
			for (j = 0; j < part.n; j++) {
				assert_int_equal((part.v[j].index - 1) % n + 1, i);
				assert_string_equal(part.v[j].name,
						    whole.v[part.v[j].index - 1].name);
				seen[part.v[j].index]++;
			}
			assert_true(part.n == whole.n / n || part.n == whole.n / n + 1);
			sweep_free(&part);
		}
		for (k = 1; k <= whole.n; k++)
			assert_int_equal(seen[k], 1);
	}
	assert_int_equal(sweep_shard_of(1, 3), 1);
	assert_int_equal(sweep_shard_of(3, 3), 3);
	assert_int_equal(sweep_shard_of(4, 3), 1);
	assert_int_equal(sweep_parse_shard("2/3", &i, &n, why, sizeof(why)), 0);
	assert_int_equal(i, 2);
	assert_int_equal(n, 3);
	assert_int_equal(sweep_parse_shard("4/3", &i, &n, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "numbered 1 to 3"));
	assert_int_equal(sweep_parse_shard("0/3", &i, &n, why, sizeof(why)), -EINVAL);
	assert_int_equal(sweep_parse_shard("1/0", &i, &n, why, sizeof(why)), -EINVAL);
	assert_int_equal(sweep_parse_shard("1/-2", &i, &n, why, sizeof(why)), -EINVAL);
	assert_int_equal(sweep_parse_shard("1", &i, &n, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "expected I/N"));
	assert_int_equal(sweep_parse_shard("1/2x", &i, &n, why, sizeof(why)), -EINVAL);
	assert_int_equal(sweep_parse_shard("a/2", &i, &n, why, sizeof(why)), -EINVAL);
	sweep_free(&whole);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default),	       cmocka_unit_test(test_presets),
		cmocka_unit_test(test_options),	       cmocka_unit_test(test_transports_closes),
		cmocka_unit_test(test_sequences),      cmocka_unit_test(test_matrix),
		cmocka_unit_test(test_kernel),	       cmocka_unit_test(test_plan),
		cmocka_unit_test(test_churn_now),      cmocka_unit_test(test_duration),
		cmocka_unit_test(test_record),	       cmocka_unit_test(test_matrix_id),
		cmocka_unit_test(test_matrix_kernels), cmocka_unit_test(test_shards),
		cmocka_unit_test(test_parse_kernels),  cmocka_unit_test(test_plan_kernels),
		cmocka_unit_test(test_keep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
