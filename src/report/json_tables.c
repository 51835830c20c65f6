/* The tables of the JSON report: each object's keys, in file order, and where their values live. */
#include "report/json_tables.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "model/result.h"
#include "model/series.h"
#include "report/machine.h"
#include "report/wrap.h"

/* ---- the names of enums and bit sets ---- */

/* name(i) of an enum through an unsigned index, for struct jt_names. */
#define NAME_AT(fn, type)                      \
	static const char *fn##_at(unsigned i) \
	{                                      \
		return fn((type)i);            \
	}

NAME_AT(verdict_name, enum verdict)
NAME_AT(role_name, enum metric_role)
NAME_AT(phase_name, enum phase)
NAME_AT(transport_name, enum transport_kind)
NAME_AT(server_close_name, enum server_close)
NAME_AT(api_name, enum api_kind)
NAME_AT(unit_name, enum unit)
NAME_AT(kind_name, enum metric_kind)
NAME_AT(metric_class_name, enum metric_class)
NAME_AT(reason_name, enum reason)

const struct jt_names jn_verdict = { verdict_name_at, VERDICT_COUNT, NULL,
				     "CLEAN, BOUNDED, INCONCLUSIVE, BACKLOG or LEAK", true };
static const struct jt_names jn_role = { role_name_at, ROLE_COUNT, NULL,
					 "sockets, slab, memcg, time-wait, host or counter" };
static const struct jt_names jn_phase = { phase_name_at, PHASE_COUNT, NULL,
					  "baseline, warmup, churn, quiesce or teardown" };
const struct jt_names jn_transport = { transport_name_at, TR_COUNT, "transport",
				       "tcp, tcp6, udp, udp6, unix, unix-dgram or mptcp" };
const struct jt_names jn_close = { server_close_name_at, SC_COUNT, "server-close mode",
				   "eof, immediate, never-read or rst" };
static const struct jt_names jn_api = { api_name_at, API_COUNT, "syscall layer",
					"syscalls or io_uring" };
static const struct jt_names jn_unit = { unit_name_at, UNIT_NAMES, NULL, "count, bytes or us" };
static const struct jt_names jn_kind = { kind_name_at, MK_NAMES, NULL, "level, counter or cost" };
/* A reason a newer sockleak adds reads as none: its sentence (why) is kept as written. */
static const struct jt_names jn_reason = {
	reason_name_at, RS_COUNT, NULL, "a reason", false, true
};
static const struct jt_names jn_class = { metric_class_name_at, MC_NAMES, NULL, "a metric class" };
/* Families and traits a newer sockleak adds are skipped by an older one: they only add. */
static const struct jt_names jn_family = { family_name, FAM_NAMES, NULL, "tcp, udp, unix, mptcp",
					   false,	true };
static const struct jt_names jn_trait = { trait_name, MT_NAMES, NULL, "trait names", false, true };

/* ---- machine, config ---- */

#define M struct machine
static const struct jfield machine_f[] = {
	JF_CHARS(M, "kernel", kernel),
	JF_CHARS(M, "kernel_build", kernel_build),
	JF_CHARS(M, "arch", arch),
	JF_CHARS(M, "hostname", hostname),
	JF_CHARS(M, "os", os),
	JF_CHARS(M, "cpu", cpu),
	JF_UINT(M, "cores", cores),
	/* What per-CPU reserves of socket memory charge may keep: charge counters' tolerance. */
	JF_INT(M, "mem_pcpu_rsv", mem_pcpu_rsv, .min = -1, .max = 1 << 30, .flags = JF_OPTIONAL,
	       .since = 2),
	JF_UINT(M, "page_size", page_size, .flags = JF_OPTIONAL, .since = 2),
	JF_UINT(M, "memory_bytes", mem_bytes),
	JF_INT(M, "cgroup_version", cgroup_version, .min = 0, .max = 2),
	JF_BOOL(M, "cgroup", cgroup),
	JF_BOOL(M, "root", root),
	JF_BOOL(M, "netns", netns),
	JF_CHARS(M, "sockleak_version", version),
	JF_CHARS(M, "start", start),
	JF_CHARS(M, "vm", vm, .flags = JF_EMPTY_NULL | JF_OPTIONAL, .since = 2),
	JF_CHARS(M, "vm_kernel_image", vm_kernel, .flags = JF_EMPTY_NULL | JF_OPTIONAL, .since = 2),
	JF_CHARS(M, "vm_modules", vm_modules, .flags = JF_EMPTY_NULL | JF_OPTIONAL, .since = 2),
	JF_CHARS(M, "vm_initramfs", vm_initramfs, .flags = JF_EMPTY_NULL | JF_OPTIONAL, .since = 2),
};
#undef M
const struct jtable jt_machine = JT_TABLE(machine_f, struct machine, false, NULL);

/* --netns-sysctl: "net.KEY=VALUE" strings, set in the run's own namespace. */
static void write_sysctls(struct jw *w, const char *key, const void *base, const struct series *s)
{
	const struct run_config *c = base;
	unsigned i;

	(void)s;
	jw_array(w, key, true);
	for (i = 0; i < c->nsysctl; i++)
		jw_str(w, NULL, c->netns_sysctl[i]);
	jw_end(w);
}

static void read_sysctls(struct jt_reader *rd, json_t *v, const char *where, const char *key,
			 void *base)
{
	struct run_config *c = base;
	const char *t;
	json_t *e;
	size_t i;

	if (!json_is_array(v) || json_array_size(v) > RUN_MAX_SYSCTL) {
		jt_bad(rd, where, key, "expected an array of at most %d strings", RUN_MAX_SYSCTL);
		return;
	}
	json_array_foreach(v, i, e) {
		t = json_string_value(e);
		if (!t || strncmp(t, "net.", 4) || !strchr(t, '=')) {
			jt_bad(rd, where, key, "element %zu is not a \"net.KEY=VALUE\" string", i);
			return;
		}
		if (!(c->netns_sysctl[c->nsysctl] = strdup(t))) {
			rd->err = -ENOMEM;
			return;
		}
		c->nsysctl++;
	}
}

void config_sysctls_free(struct run_config *c)
{
	while (c->nsysctl)
		free((char *)c->netns_sysctl[--c->nsysctl]);
}

#define C struct run_config
static const struct jfield config_f[] = {
	JF_STR(C, "sequence", sequence),
	JF_STR(C, "preset", preset, .flags = JF_NULLABLE),
	JF_ENUM(C, "transport", transport, jn_transport),
	JF_STR(C, "target", target, .flags = JF_NULLABLE),
	JF_UINT(C, "threads", threads),
	JF_NUM(C, "seconds", seconds, .flags = JF_NONNEG),
	JF_UINT(C, "ops", ops),
	JF_NUM(C, "rate", rate, .flags = JF_NONNEG),
	JF_BOOL(C, "yield", yield),
	JF_UINT(C, "inject_leak", inject_leak),
	JF_BOOL(C, "allow_open", allow_open),
	JF_UINT(C, "server_threads", server_threads),
	JF_ENUM(C, "server_close", server_close, jn_close),
	JF_STR(C, "server_sequence", server_sequence, .flags = JF_NULLABLE | JF_OPTIONAL),
	JF_ENUM(C, "api", api, jn_api, .flags = JF_OPTIONAL),
	JF_BOOL(C, "sqpoll", sqpoll, .flags = JF_OPTIONAL),
	JF_BOOL(C, "fixed_files", fixed_files, .flags = JF_OPTIONAL),
	JF_INT(C, "backlog", backlog),
	JF_BOOL(C, "netns", netns),
	JF_CUSTOM("netns_sysctl", write_sysctls, read_sysctls, .flags = JF_OPTIONAL),
	JF_BOOL(C, "cgroup", cgroup),
	JF_NUM(C, "interval", interval, .flags = JF_NONNEG),
	JF_NUM(C, "baseline", baseline, .flags = JF_NONNEG),
	JF_NUM(C, "warmup", warmup, .flags = JF_NONNEG),
	JF_NUM(C, "quiesce_max", quiesce_max, .flags = JF_NONNEG),
	JF_BOOL(C, "teardown", teardown),
	JF_BOOL(C, "confirm", confirm),
	JF_BITS(C, "fail_on", fail_on, jn_verdict),
	JF_BOOL(C, "allow_failures", allow_failures, .flags = JF_OPTIONAL),
};
#undef C
const struct jtable jt_config = JT_TABLE(config_f, struct run_config, false, NULL);

/* ---- phases ---- */

/* A phase's length: to the next mark, the last one to the series' last row (or sample). */
static void write_seconds(struct jw *w, const char *key, const void *base, const struct series *s)
{
	const struct phase_mark *pm = base;
	size_t i = (size_t)(pm - s->marks);
	double end = i + 1 < s->nmarks ? s->marks[i + 1].t :
		     s->nrows	       ? s->t[s->nrows - 1] :
					 s->last_t;

	jw_num(w, key, end > pm->t ? end - pm->t : 0);
}

#define P struct phase_mark
static const struct jfield phase_f[] = {
	JF_ENUM(P, "name", phase, jn_phase),
	JF_NUM(P, "t", t, .flags = JF_NONNEG),
	JF_UINT(P, "cycles", cycles),
	JF_UINT(P, "row", row),
	JF_CUSTOM("seconds", write_seconds, NULL, .flags = JF_WRITE_ONLY),
};
#undef P
const struct jtable jt_phase = JT_TABLE(phase_f, struct phase_mark, true, NULL);

/* ---- result ---- */

#define R struct metric_result
static const struct jfield metric_f[] = {
	JF_COL(R, "metric", col),
	JF_INT(R, "col", col, .flags = JF_WRITE_ONLY),
	JF_ENUM(R, "verdict", verdict, jn_verdict),
	JF_CHARS(R, "why", why),
	JF_NUM(R, "baseline", baseline),
	JF_NUM(R, "noise", noise, .flags = JF_NONNEG),
	JF_NUM(R, "peak", peak),
	JF_NUM(R, "slope", slope),
	JF_NUM(R, "slope_lo", slope_lo),
	JF_NUM(R, "slope_hi", slope_hi),
	JF_NUM(R, "slope_early", slope_early),
	JF_NUM(R, "slope_late", slope_late),
	JF_NUM(R, "residual", residual),
	JF_NUM(R, "residual_per_cycle", residual_per_cycle),
	JF_NUM(R, "after_teardown", after_teardown),
	JF_NUM(R, "confidence", confidence, .flags = JF_UNIT),
	JF_NUM(R, "cycles_to_decide", cycles_to_decide, .flags = JF_NONNEG),
	JF_BOOL(R, "tw_explained", tw_explained),
	JF_ENUM(R, "role", role, jn_role, .flags = JF_OPTIONAL),
	JF_BOOL(R, "decisive", decisive, .flags = JF_OPTIONAL),
	JF_BOOL(R, "nothing_seen", nothing_seen, .since = 2),
	JF_BOOL(R, "moved", moved, .since = 2),
	JF_NUM(R, "total", total, .since = 2),
	JF_NUM(R, "residual_sd", residual_sd, .since = 2),
	JF_NUM(R, "tw_part", tw_part, .since = 2),
	JF_ENUM(R, "reason", reason.code, jn_reason, .since = 2),
	JF_NUMS(R, "figures", reason.fig, .since = 2),
	JF_NUM(R, "other_tasks", reason.other_tasks, .flags = JF_NONNEG, .since = 2),
	JF_NUM(R, "later", reason.later, .flags = JF_NONNEG, .since = 2),
	JF_NUM(R, "tw_removed", reason.tw_removed, .flags = JF_NONNEG, .since = 2),
	JF_BOOL(R, "decided", decided, .flags = JF_OPTIONAL, .since = 2),
	/* Host drift taken off before judging, per second; the exact count that overruled it. */
	JF_NUM(R, "drift_per_second", drift, .flags = JF_OPTIONAL, .since = 2),
	JF_COL(R, "overruled_by", covered_by, .flags = JF_NULLABLE | JF_OPTIONAL, .since = 2),
};
#undef R

static void metric_init(void *base)
{
	struct metric_result *m = base;

	m->covered_by = -1;
}

static const struct jtable jt_metric = JT_TABLE(metric_f, struct metric_result, true, metric_init);

/* The merged caches a pool row's columns carry, in words (the descriptors have them listed). */
static void write_pool_note(struct jw *w, const char *key, const void *base, const struct series *s)
{
	const struct pool_row *p = base;
	const char *note = NULL;

	if (p->objs_col >= 0 && (size_t)p->objs_col < s->ncols)
		note = s->cols[p->objs_col].d.note;
	if (!note && p->bytes_col >= 0 && (size_t)p->bytes_col < s->ncols)
		note = s->cols[p->bytes_col].d.note;
	jw_str(w, key, note);
}

static void pool_init(void *base)
{
	struct pool_row *p = base;

	p->objs_col = p->bytes_col = -1;
}

#define R struct pool_row
static const struct jfield pool_f[] = {
	JF_CHARS(R, "cache", cache),
	JF_ENUM(R, "verdict", verdict, jn_verdict),
	JF_NUM(R, "objects_per_cycle", objs_per_cycle),
	JF_NUM(R, "bytes_per_cycle", bytes_per_cycle),
	JF_NUM(R, "peak_objects", peak_objs),
	JF_NUM(R, "peak_bytes", peak_bytes),
	JF_NUM(R, "confidence", confidence, .flags = JF_UNIT),
	JF_CUSTOM("note", write_pool_note, NULL, .flags = JF_WRITE_ONLY),
	JF_COL(R, "objects_metric", objs_col, .flags = JF_NULLABLE, .since = 2),
	JF_COL(R, "bytes_metric", bytes_col, .flags = JF_NULLABLE, .since = 2),
};
#undef R
static const struct jtable jt_pool = JT_TABLE(pool_f, struct pool_row, true, pool_init);

#define R struct result
static const struct jfield time_wait_f[] = {
	JF_NUM(R, "peak", tw_peak),
	JF_NUM(R, "pending", tw_pending),
	JF_BOOL(R, "short_quiesce", tw_short_quiesce),
	JF_BOOL(R, "purged", tw_purged, .flags = JF_OPTIONAL, .since = 2),
	JF_BOOL(R, "capped", tw_capped),
	JF_NUM(R, "cap", tw_cap, .flags = JF_NONNEG),
	JF_NUM(R, "recycled", tw_recycled, .flags = JF_NONNEG),
	JF_NUM(R, "overflow", tw_overflow, .flags = JF_NONNEG),
};
static const struct jtable jt_time_wait = JT_TABLE(time_wait_f, struct result, false, NULL);

/* The user's server's figures: a run without one says "watched": false, and nulls. */
static const struct jfield server_f[] = {
	JF_BOOL(R, "watched", server.watched),
	JF_BOOL(R, "exact", server.exact),
	JF_BOOL(R, "joined_netns", server.joined, .flags = JF_OPTIONAL),
	JF_COL(R, "fds_metric", server.fds_col, .flags = JF_NULLABLE),
	JF_NUM(R, "fds_per_cycle", server.fds_per_cycle),
	JF_NUM(R, "fd_limit", server.fd_limit, .flags = JF_NONNEG),
	JF_BOOL(R, "capped", server.capped),
	JF_COL(R, "close_wait_metric", server.close_wait_col, .flags = JF_NULLABLE),
	JF_NUM(R, "close_wait_per_cycle", server.close_wait_per_cycle),
	JF_BOOL(R, "never_closes", server.never_closes),
	JF_COL(R, "rss_metric", server.rss_col, .flags = JF_NULLABLE),
	JF_NUM(R, "rss_per_cycle", server.rss_per_cycle),
	JF_BOOL(R, "rss_in_allocator_hold", server.rss_in_hold),
	JF_NUM(R, "allocator_hold", server.alloc_hold, .flags = JF_NONNEG),
};
static const struct jtable jt_server = JT_TABLE(server_f, struct result, false, NULL);

static const struct jfield result_f[] = {
	JF_ENUM(R, "verdict", verdict, jn_verdict),
	JF_UINT(R, "cycles", cycles),
	JF_NUM(R, "churn_seconds", churn_seconds, .flags = JF_NONNEG),
	JF_NUM(R, "quiesce_seconds", quiesce_seconds, .flags = JF_NONNEG),
	JF_BOOL(R, "quiesce_stable", quiesce_stable),
	JF_NUM(R, "leaked_sockets_per_cycle", leaked_sockets_per_cycle),
	JF_NUM(R, "injected_per_cycle", injected_per_cycle),
	JF_NUM(R, "memcg_bytes_per_cycle", memcg_bytes_per_cycle),
	/* Written since the verdict was calibrated on real runs: older reports lack them. */
	JF_CHARS(R, "why", why, .flags = JF_OPTIONAL),
	JF_COL(R, "verdict_metric", verdict_col, .flags = JF_NULLABLE | JF_OPTIONAL),
	JF_NUM(R, "leaked_bytes_per_cycle", leaked_bytes_per_cycle),
	JF_UINT(R, "leak_caches", leak_caches),
	JF_NUM(R, "cycles_to_decide", cycles_to_decide, .flags = JF_NONNEG),
	/* Schema 2: what the text report says without recomputing. */
	JF_COL(R, "socket_metric", socket_col, .flags = JF_NULLABLE, .since = 2),
	JF_NUM(R, "socket_divisor", socket_divisor, .flags = JF_NONNEG, .since = 2),
	JF_BOOL(R, "sockets_exact", sockets_exact, .since = 2),
	JF_UINT(R, "decisive_metrics", ndecisive, .since = 2),
	JF_UINT(R, "clean_metrics", nclean, .since = 2),
	JF_UINT(R, "unseen_metrics", nunseen, .since = 2),
	JF_NUM(R, "unseen_cycles", unseen_cycles, .flags = JF_NONNEG, .since = 2),
	/* The reason of the metric that made the verdict (the BACKLOG headline's): newer. */
	JF_ENUM(R, "reason", reason.code, jn_reason, .flags = JF_OPTIONAL, .since = 2),
	JF_NUMS(R, "figures", reason.fig, .flags = JF_OPTIONAL, .since = 2),
	/* INCONCLUSIVE that no run length would decide; what host drift explained. */
	JF_BOOL(R, "no_length_decides", no_length, .flags = JF_OPTIONAL, .since = 2),
	JF_COL(R, "drift_metric", drift_col, .flags = JF_NULLABLE | JF_OPTIONAL, .since = 2),
	JF_UINT(R, "drift_metrics", ndrift, .flags = JF_OPTIONAL, .since = 2),
	JF_CHARS(R, "leak_kind", leak_kind, .flags = JF_EMPTY_NULL | JF_OPTIONAL, .since = 2),
	JF_OBJECT("time_wait", jt_time_wait, .flags = JF_OPTIONAL),
	JF_OBJECT("server", jt_server, .flags = JF_OPTIONAL),
	JF_ARRAY(R, "metrics", m, nm, jt_metric),
	JF_ARRAY(R, "pool_tags", pools, npools, jt_pool),
};
#undef R
const struct jtable jt_result = JT_TABLE(result_f, struct result, false, NULL);

/* ---- confirm ---- */

static void confirm_metric_init(void *base)
{
	struct confirm_metric *m = base;

	m->col_b = -1; /* the longer run's series is not kept */
}

#define R struct confirm_metric
static const struct jfield confirm_metric_f[] = {
	JF_COL(R, "metric", col_a),
	JF_ENUM(R, "verdict", verdict, jn_verdict),
	JF_NUM(R, "confidence", confidence, .flags = JF_UNIT),
	JF_NUM(R, "residual_a", residual_a),
	JF_NUM(R, "residual_b", residual_b),
	JF_NUM(R, "ratio", ratio),
	JF_NUM(R, "expected", expected),
	JF_NUM(R, "per_cycle", per_cycle),
};
#undef R
static const struct jtable jt_confirm_metric =
	JT_TABLE(confirm_metric_f, struct confirm_metric, true, confirm_metric_init);

#define R struct confirm_result
static const struct jfield confirm_f[] = {
	JF_ENUM(R, "verdict", verdict, jn_verdict),
	JF_ENUM(R, "final", final, jn_verdict),
	JF_NUM(R, "confidence", confidence, .flags = JF_UNIT),
	JF_NUM(R, "cycles_a", cycles_a, .flags = JF_NONNEG),
	JF_NUM(R, "cycles_b", cycles_b, .flags = JF_NONNEG),
	JF_CHARS(R, "why", why),
	JF_ARRAY(R, "metrics", m, nm, jt_confirm_metric),
};
#undef R
const struct jtable jt_confirm = JT_TABLE(confirm_f, struct confirm_result, false, NULL);

/* ---- how the run went ---- */

#define R struct run_facts
static const struct jfield facts_f[] = {
	JF_INT(R, "signal", signal, .min = 0, .max = 64),
	JF_CHARS(R, "stopped_by", stopped_by, .flags = JF_OPTIONAL),
	JF_CHARS(R, "guard", guard, .flags = JF_EMPTY_NULL),
	JF_BOOL(R, "settled", settled),
	JF_CHARS(R, "unsettled", unsettled, .flags = JF_EMPTY_NULL),
	JF_NUM(R, "quiesce_max", quiesce_max, .flags = JF_NONNEG),
	JF_BOOL(R, "cgroup", cgroup),
	JF_CHARS(R, "cgroup_why", cgroup_why, .flags = JF_EMPTY_NULL),
	JF_INT(R, "text_width", text_width, .flags = JF_OPTIONAL, .min = 0, .max = WRAP_MAX),
	JF_CHARS(R, "server_stopped", server_stopped, .flags = JF_EMPTY_NULL | JF_OPTIONAL),
	JF_CHARS(R, "server_output", server_output, .flags = JF_EMPTY_NULL | JF_OPTIONAL),
	JF_INT(R, "server_pid", server_pid, .flags = JF_OPTIONAL, .min = 0, .max = INT_MAX),
};
#undef R
const struct jtable jt_facts = JT_TABLE(facts_f, struct run_facts, false, NULL);

/* ---- series columns: the descriptor of each (the values are written beside) ---- */

/* The socket caches a merged slab line holds, as an array of their names. */
static void write_holds(struct jw *w, const char *key, const void *base, const struct series *s)
{
	const char *p = ((const struct series_col *)base)->d.holds;
	char name[128];
	size_t n;

	(void)s;
	jw_array(w, key, true);
	while (p && *p) {
		n = strcspn(p, ",");
		snprintf(name, sizeof(name), "%.*s", (int)n, p);
		jw_str(w, NULL, name);
		p += n;
		p += strspn(p, ", ");
	}
	jw_end(w);
}

static void read_holds(struct jt_reader *rd, json_t *v, const char *where, const char *key,
		       void *base)
{
	struct series_col *c = base;
	size_t i, len = 1;
	json_t *item;
	char *s;

	if (!json_is_array(v))
		return jt_bad(rd, where, key, "expected an array of cache names");
	json_array_foreach(v, i, item) {
		if (!json_is_string(item))
			return jt_bad(rd, where, key, "item %zu is not a cache name", i);
		len += strlen(json_string_value(item)) + 2;
	}
	if (!json_array_size(v))
		return;
	if (!(s = calloc(1, len))) {
		rd->err = -ENOMEM;
		return;
	}
	json_array_foreach(v, i, item) {
		if (i)
			strcat(s, ", ");
		strcat(s, json_string_value(item));
	}
	c->d.holds = s;
}

#define R struct series_col
static const struct jfield column_f[] = {
	JF_STR(R, "name", name),
	JF_ENUM(R, "unit", d.unit, jn_unit),
	JF_ENUM(R, "kind", d.kind, jn_kind),
	JF_STR(R, "note", d.note, .flags = JF_NULLABLE),
	JF_ENUM(R, "class", d.cls, jn_class, .since = 2),
	JF_BITS(R, "families", d.families, jn_family, .since = 2),
	JF_BITS(R, "traits", d.traits, jn_trait, .since = 2),
	JF_STR(R, "source", d.source, .flags = JF_NULLABLE, .since = 2),
	JF_STR(R, "object", d.object, .flags = JF_NULLABLE, .since = 2),
	JF_CUSTOM("holds", write_holds, read_holds, .since = 2),
};
#undef R
const struct jtable jt_column = JT_TABLE(column_f, struct series_col, true, NULL);
