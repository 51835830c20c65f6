/* sockleak sweep: the matrix of variants and the time budget split over them. */
#ifndef SOCKLEAK_SWEEP_H
#define SOCKLEAK_SWEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model/result.h"
#include "model/series.h"
#include "config.h"
#include "report/fmt.h"

#define SWEEP_MAX_AXIS 64 /* entries of one axis (sequences, options) */
#define SWEEP_MAX_VARIANTS 1024
#define SWEEP_OPT_MAX 48 /* "TCP_FASTOPEN_CONNECT=1" */
#define SWEEP_DEFAULT_BUDGET 600.0

/* Per variant, what the budget plan may not go below (unless the user fixed a phase). */
#define SWEEP_MIN_BASELINE 1.0
#define SWEEP_MAX_BASELINE 3.0
#define SWEEP_MIN_CHURN 2.0
#define SWEEP_MIN_QUIESCE 2.0
#define SWEEP_MAX_QUIESCE 90.0 /* TIME_WAIT lasts 60 s: past that, quiesce has seen it all */
/*
 * Per variant: namespace, server and probes set up and torn down, analysis, its report. Measured
 * at 0.06-0.35 s on a busy 2-core VM; later variants' churn absorbs any overrun.
 */
#define SWEEP_OVERHEAD 0.5
/*
 * A kernel of --kernels other than the host's: its VM's boot to the guest's sockleak and its
 * power-off. bench/vm.sh measured 9-10 s on a busy 2-core VM under TCG; KVM boots sooner.
 */
#define SWEEP_VM_BOOT 20.0

#define SWEEP_WHERE 3 /* stacks kept per variant (--attribute): its top LEAK and BACKLOG ones */
#define SWEEP_WHERE_FRAMES 24

/* A kernel stack that explains a variant's growth (--attribute), as the run's report shows it. */
struct sweep_where {
	char cache[64];
	enum verdict verdict;
	double objs_per_cycle, bytes_per_cycle;
	char *frames[SWEEP_WHERE_FRAMES]; /* innermost first: allocator folded, entry frames cut */
	size_t nframes;
	size_t more; /* frames past those */
};

enum sweep_status {
	VS_PENDING, /* runnable, not run yet ("planned") */
	VS_SKIPPED, /* cannot run on its transport; reason says why */
	VS_DONE, /* measured and analysed */
	VS_INTERRUPTED, /* a signal cut it short; analysed over what was measured */
	VS_FAILED, /* the run could not be carried out; reason says why */
	VS_NOT_RUN, /* the sweep ended first (signal, budget, memory guard); reason says why */
};

/* "planned", "skipped", "done", "interrupted", "failed", "not-run" (JSON names). */
const char *sweep_status_name(enum sweep_status s);

struct sweep_variant {
	/* what runs */
	enum transport_kind transport;
	char *base; /* the preset name or the sequence text, as given */
	bool preset; /* base is a preset name */
	char option[SWEEP_OPT_MAX]; /* "SO_LINGER=1:0" added after socket; "" for none */
	enum server_close server_close;
	char *sequence; /* the text that runs: the preset expanded, the option inserted */
	char name[192]; /* "tcp kb171996 +SO_LINGER=1:0 close=rst" */

	/* what came of it */
	enum sweep_status status;
	char reason[256];
	enum verdict verdict;
	bool fails; /* verdict at or above --fail-on */
	uint64_t cycles, failed_cycles;
	double cycles_per_second;
	char metric[128]; /* the headline metric: decisive, with the variant's verdict */
	enum unit unit;
	double peak; /* its largest rise during churn */
	double residual_per_cycle; /* its residual after quiesce, per cycle */
	double leaked_sockets_per_cycle, leaked_bytes_per_cycle;
	char why[240]; /* the analysis' verdict in words */
	double churn_seconds; /* planned for it (the budget may shorten it), then as measured */
	double quiesce_seconds;
	bool settled;
	double elapsed; /* wall seconds the variant took, all phases and set-up */
	char html[128]; /* its report's file name in --html DIR; "" when none */

	/* --attribute: whether it ran (else attr_why), its LEAK and BACKLOG stacks, the top ones */
	bool attr_asked, attr_on, attr_lost;
	char attr_why[200];
	size_t attr_leak, attr_backlog;
	struct sweep_where where[SWEEP_WHERE];
	size_t nwhere;

	/* where it stands in the matrix, and where it ran */
	size_t index; /* its number in the whole matrix, from 1 (every kernel's, every shard's) */
	unsigned kernel_at; /* its kernel: an entry of the matrix's kernel axis (0 without one) */
	char kernel[72]; /* the kernel it ran on (uname release); "" when not known */
	char json[128]; /* its run's JSON report's file name in --json-dir DIR; "" when none */
};

#define SWEEP_MAX_KERNELS 8
#define SWEEP_ID_LEN 16 /* hex digits of a matrix's identity */

/* An entry of the kernel axis. */
struct sweep_kernel {
	char label
		[72]; /* "host", or an image's release ("6.1.0-47-amd64"): same on every machine */
	char image[256]; /* the image's path on the machine that ran the sweep; "" for host */
};

/*
 * What makes reports of sweeps comparable, and mergeable: the variants of the whole matrix and
 * the settings they share. Two sweeps with the same id ran the same variants the same way.
 */
struct sweep_matrix {
	char id[SWEEP_ID_LEN + 1]; /* "" when not known (a report written before ids) */
	char *settings; /* the shared settings, as text: "threads=1 rate=max ..." */
	char **names; /* the variants of one kernel, in matrix order */
	size_t nnames;
	struct sweep_kernel kernels[SWEEP_MAX_KERNELS]; /* the kernel axis, outermost */
	size_t nkernels; /* 0: no kernel axis (the variants run on the machine's own) */
	size_t size; /* variants in the whole matrix: nnames x max(1, nkernels) */
	unsigned shard, shards; /* this sweep's slice: shard of shards; 0 of 0: all of it */
};

struct sweep {
	struct sweep_variant *v;
	size_t n, cap;
	bool allow_open; /* --allow-open: sequences without close compile */
	struct sweep_matrix matrix;
};

/* The axes of a matrix built from the command line; unset axes take their defaults. */
struct sweep_axes {
	enum transport_kind transports[TR_COUNT];
	unsigned ntransports;
	char *seqs[SWEEP_MAX_AXIS]; /* preset names or sequence texts (owned) */
	unsigned nseqs;
	char options[SWEEP_MAX_AXIS][SWEEP_OPT_MAX];
	unsigned noptions;
	bool options_set; /* --options given (even "none") */
	enum server_close closes[4];
	unsigned ncloses;
};

/*
 * Axis parsers: comma-separated lists, appended to what the axis holds (duplicates dropped).
 * 0, or -EINVAL with why saying what is wrong and what to give.
 */
int sweep_parse_transports(struct sweep_axes *a, const char *list, char *why, size_t whylen);
int sweep_parse_presets(struct sweep_axes *a, const char *list, char *why, size_t whylen);
/* One sequence text (commas are its own); refused when it compiles for no transport. */
int sweep_add_sequence(struct sweep_axes *a, const char *text, bool allow_open, char *why,
		       size_t whylen);
/* NAME=VALUE, NAME (the catalogue's example value), "all" (every option) or "none". */
int sweep_parse_options(struct sweep_axes *a, const char *list, char *why, size_t whylen);
int sweep_parse_closes(struct sweep_axes *a, const char *list, char *why, size_t whylen);

/*
 * Fills the axes not given: transports tcp and tcp6; the KB Q171996 preset; and, unless
 * sequences or --options were given, every option of the catalogue; server close eof. Then adds
 * one variant per transport x sequence x server close x (the bare sequence, each option), in
 * that order. Variants that cannot run are marked VS_SKIPPED with the reason. 0 or -ENOMEM/-E2BIG.
 */
int sweep_expand(struct sweep_axes *a, struct sweep *s);
void sweep_axes_free(struct sweep_axes *a);

/*
 * Reads a matrix file: one variant per line, fields KEY=VALUE separated by blanks, '#' starts a
 * comment. Keys: transport (default tcp), sequence (a preset or a sequence text without blanks;
 * default kb171996), option (NAME[=VALUE]; default none), server-close (default eof). 0, or
 * -EINVAL with why as "PATH:LINE: what".
 */
int sweep_matrix_read(struct sweep *s, FILE *f, const char *path, char *why, size_t whylen);

/* Adds one variant, deciding whether it can run. 0, -ENOMEM, or -E2BIG past SWEEP_MAX_VARIANTS. */
int sweep_add(struct sweep *s, enum transport_kind t, const char *base, const char *option,
	      enum server_close sc);

/*
 * Asks the kernel: a socket of each runnable variant's transport, with the options the sequence
 * sets right after socket. A variant whose socket or option the kernel refuses is skipped with
 * the errno (an option needing CAP_NET_ADMIN, a kernel without MPTCP). Only variants that run on
 * this machine's kernel are asked: a VM's kernel is asked by the sweep inside it.
 */
void sweep_check_kernel(struct sweep *s);

struct engine_stats;
/*
 * Takes what a variant's run measured: the verdict (and whether it is at or above fail_on), the
 * engine's rate, and the headline metric (the first decisive one with the run's verdict, one
 * that showed something first), whose peak and residual per cycle the table shows.
 */
void sweep_record(struct sweep_variant *v, const struct series *s, const struct result *r,
		  const struct engine_stats *st, unsigned fail_on);
struct attribution;
/* Takes what --attribute found in a variant's run: its top LEAK and BACKLOG stacks. */
void sweep_record_where(struct sweep_variant *v, const struct attribution *a);

/* ---- the matrix and its shards ---- */

/*
 * Fixes the variants as the whole matrix: numbers them (index), keeps their names and the shared
 * settings, and makes the id (a hash of the settings, the kernel axis and every variant's
 * transport, sequence, option and server close). Kernels, when an axis, must be set first.
 * 0 or -ENOMEM.
 */
int sweep_matrix_set(struct sweep *s, const char *settings);
/*
 * The kernel axis from --kernels: a comma-separated list of "host" (this machine's kernel, run
 * natively) and kernel images (bzImage; each runs in a VM, labelled with the release read from
 * the image). 0, or -EINVAL with why saying which entry and what to give: not a kernel image, one
 * given twice, more than SWEEP_MAX_KERNELS.
 */
int sweep_parse_kernels(struct sweep_matrix *m, const char *list, char *why, size_t whylen);
/* Image kernels (VMs to boot) with a variant still to run: one boot each. */
unsigned sweep_boots(const struct sweep *s);
/*
 * "I,J,K": the matrix indices (from 1, each at most max) into keep[] (max + 1 entries). 0, or
 * -EINVAL with why.
 */
int sweep_parse_indices(const char *list, bool *keep, size_t max, char *why, size_t whylen);
/* Keeps the variants whose index keep[] holds (a VM's slice of its host's sweep). */
void sweep_keep(struct sweep *s, const bool *keep, size_t max);
/* Whether v runs on this machine's own kernel (not in a VM of another). */
bool sweep_on_host(const struct sweep *s, const struct sweep_variant *v);
/* Frees what the matrix holds and clears it. */
void sweep_matrix_free(struct sweep_matrix *m);
/* 64-bit FNV-1a of text as SWEEP_ID_LEN hex digits: a matrix's id. */
void sweep_hash(const char *text, char out[SWEEP_ID_LEN + 1]);

/* "I/N", 1 <= I <= N <= SWEEP_MAX_VARIANTS: 0, or -EINVAL with why. */
int sweep_parse_shard(const char *text, unsigned *shard, unsigned *shards, char *why,
		      size_t whylen);
/* Which shard of shards the variant of matrix index k (from 1) belongs to: ((k-1) mod N) + 1. */
unsigned sweep_shard_of(size_t index, unsigned shards);
/* Keeps the variants of shard I of N (skipped ones too, so the split is the same everywhere). */
void sweep_shard(struct sweep *s, unsigned shard, unsigned shards);

/* Counts variants with status st. */
size_t sweep_count(const struct sweep *s, enum sweep_status st);
void sweep_free(struct sweep *s);

/* ---- the budget ---- */

struct sweep_plan_in {
	double budget; /* seconds for the whole sweep */
	unsigned variants; /* to run */
	double baseline, churn, quiesce_max; /* fixed by the user, or < 0: planned here */
	double teardown; /* per variant: RUN_TEARDOWN_SECONDS, or 0 without */
	unsigned boots; /* VMs to boot (--kernels): SWEEP_VM_BOOT each, off the variants' share */
};

struct sweep_plan {
	double budget; /* the budget it was made for */
	unsigned variants;
	double baseline, churn, quiesce_max, teardown, overhead; /* per variant */
	double per_variant; /* their sum: the most one variant takes */
	unsigned boots; /* VMs booted, each taking boot seconds */
	double boot;
	double reserve; /* kept for the sweep's own work (reports) */
	double total; /* variants x per_variant + boots x boot + reserve: at most the budget */
	double min_budget; /* the least budget these variants fit in */
};

/* A plan not known (a report read back, or merged): its phases NAN, its counts 0. */
#define SWEEP_PLAN_UNKNOWN                        \
	((struct sweep_plan){ .baseline = NAN,    \
			      .churn = NAN,       \
			      .quiesce_max = NAN, \
			      .teardown = NAN,    \
			      .overhead = NAN,    \
			      .per_variant = NAN, \
			      .total = NAN })

/*
 * Splits the budget: each variant gets the same slot, (budget - reserve) / variants, of which
 * set-up and teardown take their share, the baseline 15% of the rest (1-3 s), quiesce 30%
 * (2-90 s) and churn what remains (at least 2 s); phases the user fixed are kept as given. 0, or
 * -ENOSPC when the variants do not fit (why says what would: the least budget, fewer variants).
 */
int sweep_plan(const struct sweep_plan_in *in, struct sweep_plan *out, char *why, size_t whylen);

/*
 * The churn the next variant may have when `remaining` seconds are left (reserve excluded) for
 * `left` variants, this one included: the plan's, or less when earlier ones overran; 0 when
 * less than SWEEP_MIN_CHURN fits (the sweep stops there to hold the budget).
 */
double sweep_churn_now(const struct sweep_plan *p, double remaining, unsigned left);

#endif
