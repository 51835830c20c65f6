/* struct result: what analysis decided about a series, read by every report. */
#ifndef SOCKLEAK_RESULT_H
#define SOCKLEAK_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/reason.h"
#include "model/series.h"

/* Ordered by severity: the overall verdict is the largest. */
enum verdict {
	VERDICT_CLEAN, /* no significant growth */
	VERDICT_BOUNDED, /* grew to a plateau, or deferred clean-up (TIME_WAIT); came back */
	VERDICT_INCONCLUSIVE, /* noise too large for this run's length */
	VERDICT_BACKLOG, /* still rising while the loop ran, came back after: starved clean-up */
	VERDICT_LEAK, /* a residual above noise that did not come back */
	VERDICT_COUNT,
};

const char *verdict_name(enum verdict v);
/* The reverse, in any case ("leak"): 0, or -EINVAL for a name that is not a verdict. */
int verdict_parse(const char *s, enum verdict *out);

/* Which metrics may decide the overall verdict (the rule is in src/analysis/verdict.c). */
enum metric_role {
	ROLE_SOCKETS, /* socket counts, TCP states, sockstat, the process's fds: decide */
	ROLE_SLAB, /* slab caches the sequence moved: decide */
	ROLE_MEMCG, /* the workload cgroup's kernel memory: decides when the cgroup is the run's own */
	ROLE_TW, /* TIME_WAIT sockets and their caches: deferred clean-up, BOUNDED at worst */
	ROLE_HOST, /* whole-host figures (meminfo, memcg usage, RSS, threads): advisory */
	ROLE_COUNTER, /* netstat events: moved or not, never judged */
	ROLE_COUNT,
};

const char *role_name(enum metric_role r);

struct metric_result {
	int col; /* column in the series */
	enum verdict verdict;
	struct reason_of reason; /* why, as analysis decided it: a code and its figures */
	char why[200]; /* the reason in words (reason_text), or as a schema-1 report wrote it */
	double baseline; /* median level during baseline */
	double noise; /* robust sigma (MAD x 1.4826) of baseline and jitter */
	double peak; /* largest rise above baseline during churn */
	double slope; /* rise per cycle during churn (Theil-Sen) */
	double slope_lo, slope_hi; /* its 95% confidence interval */
	double slope_early, slope_late; /* first and last third of churn: the shape */
	double residual; /* level at the end of quiesce minus baseline */
	double residual_per_cycle;
	double after_teardown; /* level after teardown minus baseline; NAN without teardown */
	double confidence; /* 0..1, for the verdict given */
	double cycles_to_decide; /* INCONCLUSIVE: cycles a run would need; else 0 */
	bool tw_explained; /* growth explained by TIME_WAIT sockets */
	/* Added by analysis: */
	enum metric_role role;
	bool decisive; /* its role lets it decide the overall verdict */
	bool nothing_seen; /* INCONCLUSIVE for want of cycles: no growth, no residual */
	bool moved; /* levels: grew during churn; counters: counted events */
	double total; /* counters: events from the end of baseline to the end */
	double residual_sd; /* standard error of residual */
	double tw_part; /* part of residual that is TIME_WAIT still pending */
	bool decided; /* made the overall verdict: named in the result's why */
	/* Host drift taken off before judging (host-wide figures), per second, in its own sign. */
	double drift;
	int covered_by; /* the run's exact socket count that overruled it; -1: none */
	bool sustained; /* rose steadily with cycles during churn (analysis only, not saved) */
};

/*
 * Said something about the run: grew during churn, or was judged on what it did (kept, came
 * back). The others are CLEAN or showed no growth at this length ("no growth seen").
 */
static inline bool metric_spoke(const struct metric_result *m)
{
	return m->moved || (m->verdict != VERDICT_CLEAN && !m->nothing_seen);
}

/* One slab cache in the pool-tag table: its objs and bytes columns judged together. */
struct pool_row {
	char cache[64];
	int objs_col, bytes_col; /* -1 when absent; notes (merged caches) are on the columns */
	enum verdict verdict; /* the worse of the two */
	double objs_per_cycle; /* residual per churn cycle (TIME_WAIT part removed) */
	double bytes_per_cycle;
	double peak_objs, peak_bytes; /* largest rise during churn */
	double confidence;
};

/* The user's server (--server-cmd, --pid): its figures as the verdict judged them. */
struct server_figs {
	bool watched; /* the series holds its process tree's figures */
	bool exact; /* counted in a namespace of the run's own (else: filtered by its port) */
	bool joined; /* --pid: in its own netns, which the run joined (exact: nothing else in it) */
	int fds_col; /* its open fds; -1 none */
	double fds_per_cycle; /* kept per cycle (capped: the rate until the cap); NAN */
	double fd_limit; /* what its processes may hold together; 0 unknown */
	bool capped; /* its fds reached that limit: the leak could grow no further */
	int close_wait_col; /* its side's CLOSE_WAIT sockets on the port; -1 none */
	double close_wait_per_cycle; /* NAN */
	bool never_closes; /* those were judged LEAK: the "server never closes" bug */
	int rss_col; /* its resident memory; -1 none */
	double rss_per_cycle; /* NAN */
	bool rss_in_hold; /* RSS kept something, within what allocators hold */
	double alloc_hold; /* that hold, bytes */
};

struct result {
	enum verdict verdict; /* overall */
	/*
	 * Analysed metrics: those that decided first (verdict_col the very first), then those
	 * that spoke (metric_spoke), then the rest; each group most severe and largest first.
	 */
	struct metric_result *m;
	size_t nm;
	uint64_t cycles; /* churn cycles */
	double churn_seconds;
	double quiesce_seconds;
	bool quiesce_stable; /* every metric that moved settled before the maximum */
	double leaked_sockets_per_cycle; /* exact in a private netns; NAN when unknown */
	double injected_per_cycle; /* 1/N with --inject-leak N, else 0 */
	double memcg_bytes_per_cycle; /* NAN without a cgroup */
	/* Added by analysis: evidence the reports render without recomputing. */
	char why[240]; /* the overall verdict in words, with the metrics that made it */
	struct reason_of reason; /* the reason of the metric that made it (verdict_col); the
				    BACKLOG headline is rendered from it (reason_backlog) */
	int socket_col; /* where leaked_sockets_per_cycle comes from; -1 */
	double socket_divisor; /* 1 for client counts, sockets_per_leak for totals */
	bool sockets_exact; /* counted in the run's own netns */
	double leaked_bytes_per_cycle; /* summed over the slab caches judged LEAK */
	size_t leak_caches; /* how many */
	struct pool_row *pools; /* slab caches that moved, most severe first */
	size_t npools;
	double tw_peak; /* TIME_WAIT sockets above baseline at their peak; 0: none */
	double tw_pending; /* still pending at the end of quiesce */
	bool tw_short_quiesce; /* pending because quiesce was shorter than TIME_WAIT */
	bool tw_purged; /* pending ones went with the run's netns (quiesce did not wait for them) */
	double cycles_to_decide; /* overall INCONCLUSIVE: the longest a decisive metric needs */
	size_t ndecisive; /* decisive metrics analysed */
	/* Added by calibration on real runs: */
	int verdict_col; /* the decisive metric that made the overall verdict; -1 */
	bool tw_capped; /* TIME_WAIT stopped growing while the loop still ran */
	double tw_cap; /* ... at this many sockets above baseline */
	double tw_recycled; /* netstat TWRecycled: TIME_WAIT ports connect() reused */
	double tw_overflow; /* netstat TCPTimeWaitOverflow: closed without TIME_WAIT */
	size_t nclean; /* level metrics judged CLEAN */
	size_t nunseen; /* level metrics that showed nothing at this length */
	double unseen_cycles; /* the most cycles one of those would need to decide */
	struct server_figs server;
	/* INCONCLUSIVE, yet no number of cycles would decide: verdict_col's reason says why. */
	bool no_length;
	int drift_col; /* the host-wide figure with the most host drift taken off; -1: none */
	size_t ndrift; /* figures that had host drift taken off before judging */
	/*
	 * A LEAK's kind: "memory" (memory kept), or "charge not returned" when only a charge
	 * counter (MT_CHARGE) kept what it was charged while the memory it stands for came back;
	 * "" for other verdicts.
	 */
	char leak_kind[24];
};

void result_free(struct result *r);
/* The analysed metric of series column col, or NULL (col < 0, or not judged). */
const struct metric_result *result_metric(const struct result *r, int col);

/* --confirm: the same sequence run for N and for about 3N cycles. */
struct confirm_metric {
	int col_a, col_b; /* the metric in each run's series */
	enum verdict verdict; /* LEAK: residual scaled with cycles; BOUNDED: it did not;
					   CLEAN: neither run kept anything; else INCONCLUSIVE */
	double confidence; /* posterior of the model chosen (leak vs bounded) */
	double residual_a, residual_b; /* residuals, TIME_WAIT part removed */
	double ratio; /* residual_b / residual_a */
	double expected; /* cycles_b / cycles_a: a leak's ratio */
	double per_cycle; /* the leak model's fitted rate */
};

struct confirm_result {
	enum verdict verdict; /* the worst decisive metric, as above */
	enum verdict final; /* the run's verdict after confirmation: the confirmation's when it
			       decided (LEAK, BOUNDED, CLEAN), else the worse of the two runs' */
	double confidence;
	double cycles_a, cycles_b;
	struct confirm_metric *m; /* metrics either run kept by its own standard */
	size_t nm;
	char why[240];
};

void confirm_free(struct confirm_result *c);

/* How the run went, as the orchestrator saw it: the text report says it after the evidence. */
struct run_facts {
	int signal; /* the signal that cut the run short, or 0 */
	char stopped_by[16]; /* what ended the churn: ops, time, SIGINT, SIGTERM, SIGHUP, guard */
	char guard[256]; /* why the memory guard stopped the churn, or "" */
	bool settled; /* quiesce ended because everything settled */
	char unsettled[256]; /* what was still moving when quiesce reached its maximum */
	double quiesce_max; /* that maximum, seconds */
	bool cgroup; /* the run had a memory cgroup of its own */
	char cgroup_why[512]; /* why not, when not */
	int text_width; /* the width the text report was printed at (0: unknown) */
	char server_stopped[160]; /* --server-cmd: how the server ended ("" none), as server_cmd */
	char server_output[1024]; /* ... the last lines it wrote */
	int server_pid; /* --pid: the server watched, not started by sockleak (0: none) */
};

#endif
