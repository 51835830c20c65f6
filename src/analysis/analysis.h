/* Analysis entry points: the verdict of a series, the quiesce stop rule and the --confirm comparison. */
#ifndef SOCKLEAK_ANALYSIS_H
#define SOCKLEAK_ANALYSIS_H

#include <stdbool.h>
#include <stddef.h>

#include "model/attribution.h"
#include "model/result.h"
#include "model/series.h"

struct analysis_params {
	double injected_per_cycle; /* 1/N with --inject-leak N, else 0 (shown beside the estimate) */
	double alpha; /* one-sided significance of each test (default 0.01) */
	double power; /* power asked of a run that decides (cycles_to_decide; 0.8) */
	bool exclude_warmup; /* rows of PHASE_WARMUP stay out of fits (default true) */

	/* Smallest effects worth a verdict. */
	double min_count; /* residual in objects a leak must leave (default 3) */
	double min_bytes; /* residual in bytes a leak must leave (default 16 KiB) */
	double min_count_per_cycle; /* smallest leak rate worth deciding on (default 1e-4) */
	double min_bytes_per_cycle; /* the same in bytes (default 1 byte per cycle) */

	/*
	 * What per-CPU caches may keep after a burst without anything having leaked: SLUB's cpu and
	 * cpu-partial slabs count as active objects; TCP/UDP keep a 1 MiB per-CPU forward
	 * allocation; memcg keeps per-CPU charge stock. Defaults scale with the online CPUs.
	 */
	double slab_hold_bytes; /* per cache, at least (default 128 KiB per CPU) */
	unsigned cpus; /* online CPUs: per-CPU slabs of big objects hold more (see limits_for) */
	double sockmem_hold_bytes; /* sockstat.*.mem (default 1 MiB per CPU) */
	double memcg_hold_bytes; /* memcg.* (default 2 MiB per CPU) */
	/*
	 * Charge counters (MT_CHARGE): net.core.mem_pcpu_rsv, the pages each CPU may keep charged
	 * in reserve (-1: the kernel has none, no reserve; NAN, the default: not read, the roles'
	 * holds stay), and the page size: a residual up to rsv x cpus pages is the reserve's, not
	 * a charge kept.
	 */
	double mem_pcpu_rsv;
	double page_size;

	double tw_seconds; /* TIME_WAIT lifetime (60 s on Linux) */
	double settle_seconds; /* quiesce: stable this long counts as settled (default 5 s) */
	unsigned max_fit_points; /* a fit uses at most this many rows, evenly thinned (256) */

	bool private_netns; /* socket counts are the run's own: exact */
	/* --pid: they are counted in the watched server's netns (exact only with private_netns) */
	bool server_netns;
	/* TIME_WAIT is the run's netns's, purged with it at teardown: quiesce does not wait for it */
	bool tw_purged;
	bool private_cgroup; /* memcg figures are the run's own: they may decide */
	/*
	 * Each cycle ran in a network namespace of its own (sequence op netns): the run's socket
	 * counts see none of its sockets, and namespaces pending while the loop ran are clean-up
	 * that lagged it (src/analysis/lag.c).
	 */
	bool netns_per_cycle;
	double sockets_per_leak; /* sockets a leaked cycle pins in sockstat totals (default 2:
					   the client end and the accepted end the server holds) */
	/*
	 * The user's server (--server-cmd, --pid), src/analysis/server.c: the fds its processes may
	 * hold together (their soft RLIMIT_NOFILE, summed; 0 unknown), where a leak of fds stops
	 * growing; and what allocators may keep of its resident memory after a burst without
	 * anything having leaked (default 16 MiB: glibc's arenas keep freed memory up to their trim
	 * thresholds).
	 */
	double server_fd_limit;
	double alloc_hold_bytes;
	/*
	 * The cycle at which the engine's store of open sockets filled (--allow-open or
	 * --inject-leak capped by the fd limit; 0: it never did): sockleak closed what came after
	 * itself, so what the run kept was kept in those first cycles, and every rate per cycle of
	 * a residual is over them.
	 */
	double capped_at_cycle;
};

/* Fills the defaults above. */
void analysis_defaults(struct analysis_params *p);

/*
 * Analyses every MK_LEVEL and MK_COUNTER column of a finished series (flushed, not being
 * written) and fills r, which result_free releases. Returns 0 or -ENOMEM / -EINVAL.
 */
int analyse(const struct series *s, const struct analysis_params *p, struct result *r);

/*
 * The quiesce stop rule, called by the orchestrator after each sample while quiescing (holding
 * series_lock, or from the writing thread): true once TIME_WAIT sockets are back to their baseline
 * and every level metric that moved during churn has been flat, against its own noise, for
 * p->settle_seconds. When false and why is given, says what is still moving.
 */
bool analysis_settled(const struct series *s, const struct analysis_params *p, char *why,
		      size_t why_len);

/*
 * Sampling: each group's unwalked objects (same allocator, cache and call site) go to its walked
 * stacks, at each snapshot in proportion to what each keeps of the group's walked objects; pm
 * gets each share's 95% interval. What no walked stack keeps stays on the unwalked entry.
 * Nothing to do when every stack was walked. 0 or -ENOMEM.
 */
int attribution_share_unwalked(struct attribution *a);
/*
 * --attribute: judges each kernel stack of a (s, r) run by its outstanding objects (a leak's grows
 * steadily with cycles and stays through quiesce), sorts the stacks (verdict, then what they keep)
 * and lists for each figure r judged LEAK or BACKLOG the stacks that explain its growth, with
 * their share. Does nothing when a->on is false. 0 or -ENOMEM.
 */
int attribution_decide(struct attribution *a, const struct series *s, const struct result *r,
		       const struct analysis_params *p);

/*
 * Compares two analysed runs of one sequence: a true leak's residual grows in proportion to the
 * cycles (ratio ~ cycles_b / cycles_a), a bounded or backlog one does not (ratio ~ 1). Per metric
 * the two one-parameter models r = beta N and r = c are fitted by weighted least squares (residual
 * standard errors plus a model slack of 10% of the larger residual) and compared by likelihood. A
 * metric takes part when a run kept it by the single run's standard (above its noise and what its
 * pool holds anyway, such as per-CPU slabs); one that decided in neither run must have been kept
 * in both. confirm_free releases c.
 */
int analysis_confirm(const struct series *sa, const struct result *ra, const struct series *sb,
		     const struct result *rb, const struct analysis_params *p,
		     struct confirm_result *c);

#endif
