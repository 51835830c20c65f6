/* --attribute in words: sources, reasons, losses and the text section "Where it was allocated". */
#include "report/attribution.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/amount.h"
#include "report/fmt.h"
#include "report/wrap.h"

#define TEXT_STACKS 12 /* LEAK and BACKLOG stacks listed in the text report */
#define TEXT_HEAD_FRAMES 8 /* frames shown from the allocation up ... */
#define TEXT_TAIL_FRAMES 2 /* ... and from the entry down, with the count of those between */

static const char *const reasons[AR_COUNT] = {
	[AR_NONE] = "kept nothing",
	[AR_LEAK] = "grew steadily with cycles and kept it through quiesce",
	[AR_BACKLOG] = "grew steadily while the loop ran and gave it back after",
	[AR_IN_FLIGHT] = "objects in flight: rose while the loop ran and came back",
	[AR_UNEVEN] = "kept objects allocated in one part of the churn, not evenly over its "
		      "cycles as a leak's are",
	[AR_TIME_WAIT] = "TIME_WAIT sockets, or what they hold until they expire: deferred "
			 "clean-up, not a leak",
	[AR_SLAB_OWN] =
		"memory slab took to grow a cache (pages, per-slab vectors): its objects are what counts",
	[AR_SMALL] = "kept fewer objects than a leak must leave",
	[AR_MISSED_FREES] =
		"most frees were not seen (bulk or RCU-batched): what it keeps is unknown",
	[AR_NO_STACK] = "its stack was not captured (lost events): no code path to name",
	[AR_UNWALKED] = "sampled out: objects of a call site none of whose walked stacks kept any",
};

/* The stacks worth a line: LEAK and BACKLOG, most kept first (the order analysis sorted). */
static bool shown(const struct attr_stack *st)
{
	return st->verdict == VERDICT_LEAK || st->verdict == VERDICT_BACKLOG;
}

bool report_attr_sampling(char *buf, size_t size, const struct attribution *a)
{
	double lo = INFINITY, hi = 0;
	size_t i;

	if (size)
		buf[0] = '\0';
	if (!(a->sample_every > 1))
		return false;
	for (i = 0; i < a->nstacks; i++)
		if (shown(&a->stacks[i])) {
			lo = fmin(lo, a->stacks[i].kept_pm);
			hi = fmax(hi, a->stacks[i].kept_pm);
		}
	if (hi > 0 && lo < hi)
		snprintf(
			buf, size,
			"stacks sampled 1 in %.0f allocations; per-stack counts are estimates "
			"(+-%.0f%% to +-%.0f%% at 95%% for the stacks judged LEAK or BACKLOG); each "
			"cache's and call site's totals are exact",
			a->sample_every, lo * 100, hi * 100);
	else
		snprintf(
			buf, size,
			"stacks sampled 1 in %.0f allocations; per-stack counts are estimates "
			"(+-%.0f%% at 95%% for the stacks judged LEAK or BACKLOG); each cache's and "
			"call site's totals are exact",
			a->sample_every, hi * 100);
	return true;
}

const char *report_attr_reason(enum attr_reason r)
{
	return (unsigned)r < AR_COUNT && reasons[r] ? reasons[r] : "?";
}

void report_attr_sources(char *buf, size_t size, const struct attr_source *s, size_t n)
{
	size_t i, k, len = 0;
	bool any_on = false;

	if (size)
		buf[0] = '\0';
	/* Groups all on first, then each group with a source off and why. */
	for (i = 0; i < n; i++) {
		bool first = true, all = true;

		for (k = 0; k < i; k++)
			first = first && strcmp(s[k].group, s[i].group);
		for (k = i; k < n; k++)
			if (!strcmp(s[k].group, s[i].group) && !s[k].on)
				all = false;
		if (!first || !all || len >= size)
			continue;
		len += (size_t)snprintf(buf + len, size - len, "%s%s", any_on ? ", " : "tracing ",
					s[i].group);
		any_on = true;
	}
	for (i = 0; i < n && len < size; i++) {
		bool first = true;

		for (k = 0; k < i; k++)
			first = first && (strcmp(s[k].group, s[i].group) || s[k].on);
		if (s[i].on || !first)
			continue;
		len += (size_t)snprintf(buf + len, size - len, "%s%s: %s", len ? "; " : "",
					s[i].group, s[i].why);
	}
	if (!len && size)
		snprintf(buf, size, "no source");
}

void report_attr_lost(char *buf, size_t size, const struct attribution *a)
{
	const struct attr_lost *l = &a->lost;
	char n[32];
	size_t len = 0;

#define LOST(v, text)                                                                 \
	if ((v) > 0 && len < size)                                                    \
	len += (size_t)snprintf(buf + len, size - len, "%s%s " text, len ? "; " : "", \
				fmt_count(n, sizeof(n), (v)))
	LOST(l->objs_full, "allocations not tracked: the object map was full (raise "
			   "--attribute-objects)");
	LOST(l->stacks_full, "allocations not tracked: the stack table was full");
	LOST(l->stack_collisions, "allocations without their stack: the stack map had "
				  "another stack in that bucket");
	LOST(l->stack_errors, "allocations without their stack (not captured)");
	LOST(l->recursion_misses, "events the kernel did not run the program for (nested "
				  "in another)");
	LOST(l->caches_full, "allocations of caches not named (cache table full)");
	LOST(l->states_full, "TCP state changes not counted (table full)");
	LOST(l->scope_full, "threads or processes left out of the scope (table full)");
#undef LOST
	if (!len && size)
		snprintf(buf, size, "none");
}

/* Frames from where a process enters the kernel: below them nothing is the allocation's. */
static bool entry_frame(const char *f)
{
	static const char *const entries[] = {
		"__x64_sys_",	 "__arm64_sys_",  "__do_sys_",	     "__se_sys_",
		"do_syscall_",	 "entry_SYSCALL", "handle_softirqs", "__do_softirq",
		"ret_from_fork", "kthread+",	  "worker_thread",
	};
	size_t i;

	for (i = 0; i < sizeof(entries) / sizeof(entries[0]); i++)
		if (!strncmp(f, entries[i], strlen(entries[i])))
			return true;
	return false;
}

size_t report_attr_frames(const struct attr_stack *st, size_t *skip)
{
	size_t i;

	*skip = st->nalloc_frames < st->nframes ? st->nalloc_frames : 0;
	for (i = *skip; i < st->nframes; i++)
		if (entry_frame(st->frames[i]))
			return i - *skip + 1;
	return st->nframes - *skip;
}

/* Frames as "a < b < c", wrapped under indent; the allocator's own are left out. */
static void chain(FILE *f, const struct attr_stack *st, size_t indent, size_t width)
{
	size_t skip, n = report_attr_frames(st, &skip), i, col = indent;

	fprintf(f, "%*s", (int)indent, "");
	if (!st->nframes) {
		fprintf(f, "(stack not captured)\n");
		return;
	}
	for (i = 0; i < n; i++) {
		char buf[160];
		const char *fr = st->frames[skip + i];
		size_t len;

		if (n > TEXT_HEAD_FRAMES + TEXT_TAIL_FRAMES + 1 && i == TEXT_HEAD_FRAMES) {
			snprintf(buf, sizeof(buf), "... %zu more",
				 n - TEXT_HEAD_FRAMES - TEXT_TAIL_FRAMES);
			i = n - TEXT_TAIL_FRAMES - 1;
			fr = buf;
		}
		len = strlen(fr) + (i ? 3 : 0);
		if (i && col + len > width) {
			fprintf(f, "\n%*s", (int)indent, "");
			col = indent;
		}
		col += (size_t)fprintf(f, "%s%s", i ? (col == indent ? "< " : " < ") : "", fr);
	}
	fputc('\n', f);
}

static void stack_row(FILE *f, size_t no, const struct attr_stack *st, size_t width)
{
	char b[32], kept[32], td[32], what[96];

	amount(b, sizeof(b), st->bytes_per_cycle, UNIT_BYTES, AMT_HUMAN);
	fmt_count(kept, sizeof(kept), st->objs_end);
	/* Below the churn's start after teardown: the server's own set-up went with it. */
	fmt_count(td, sizeof(td), fmax(0, st->objs_teardown));
	snprintf(what, sizeof(what), "%s (%s)", st->cache, attr_alloc_name(st->alloc));
	fprintf(f, "  #%-3zu %-8s %10.3g %11s %8s %9s  %s\n", no, verdict_name(st->verdict),
		st->objs_per_cycle, b, kept, isnan(st->objs_teardown) ? "-" : td, what);
	if (st->cache_note)
		fprintf(f, "       %s\n", st->cache_note);
	if (st->kept_pm > 0)
		fprintf(f,
			"       estimated from sampled stacks: kept and per cycle +-%.0f%% at 95%%\n",
			st->kept_pm * 100);
	chain(f, st, 7, width);
}

/* The figure's stacks by their numbers: "#1 50%, #2 50%". */
static void figure_row(FILE *f, const struct series *s, const struct attribution *a,
		       const struct attr_figure *fg, const size_t *number)
{
	const struct series_col *c = &s->cols[fg->col];
	char pc[32], line[512];
	size_t k, len = 0;

	if (fg->bytes)
		amount(pc, sizeof(pc), fg->per_cycle, UNIT_BYTES, AMT_HUMAN);
	else
		snprintf(pc, sizeof(pc), "%.3g", fg->per_cycle);
	line[0] = '\0';
	for (k = 0; k < fg->nstacks && len < sizeof(line); k++)
		len += (size_t)snprintf(line + len, sizeof(line) - len, "%s#%zu %.0f%%",
					k ? ", " : "", number[fg->stacks[k]], fg->share[k] * 100);
	fprintf(f, "    %-30s %-8s %10s  %s\n", c->name, verdict_name(fg->verdict), pc,
		fg->nstacks ? line : "no stack of the run's threads");
	/* A side's count holds one end of each connection; the sock stacks hold both. */
	if (fg->nstacks && fg->explained > 1.5 && (c->d.traits & (MT_CLIENT | MT_SERVER)))
		fprintf(f, "    %-30s (it counts one end of each connection; the stacks, both)\n",
			"");
	(void)a;
}

int report_text_attribution(FILE *f, const struct series *s, const struct attribution *a, int width)
{
	char buf[1024], n1[32], n2[32], n3[32];
	size_t i, shown_n = 0, more = 0, bounded = 0, tw = 0, inflight = 0, own = 0;
	size_t *number;

	if (!a || (!a->on && !a->why[0]))
		return 0;
	if (width <= 0)
		width = 100;
	fprintf(f, "\nWhere it was allocated (eBPF: kernel stacks of the run's own threads)\n");
	if (!a->on) {
		fprintf(f, "  not attributed: %s\n", a->why);
		return ferror(f) ? -1 : 0;
	}
	if (a->why[0])
		fprintf(f, "  note: %s\n", a->why);
	if (report_attr_sampling(buf, sizeof(buf), a)) {
		fputs("  ", f);
		wrap_text(f, buf, 2, 2, width);
	}
	number = calloc(a->nstacks ? a->nstacks : 1, sizeof(*number));
	if (!number)
		return -1;
	for (i = 0; i < a->nstacks; i++) {
		const struct attr_stack *st = &a->stacks[i];

		bounded += st->verdict == VERDICT_BOUNDED;
		tw += st->reason == AR_TIME_WAIT;
		inflight += st->reason == AR_IN_FLIGHT;
		own += st->reason == AR_SLAB_OWN;
		if (!shown(st))
			continue;
		if (shown_n == TEXT_STACKS) {
			more++;
			continue;
		}
		if (!shown_n)
			fprintf(f,
				"  stack verdict   objects/cycle bytes/cycle     kept  teardown  "
				"cache (allocator)\n");
		number[i] = ++shown_n;
		stack_row(f, shown_n, st, (size_t)width);
	}
	if (more)
		fprintf(f,
			"  ... %zu more stack%s judged LEAK or BACKLOG (the JSON and HTML reports "
			"list them all)\n",
			more, more == 1 ? "" : "s");
	if (!a->nleak && !a->nbacklog)
		fprintf(f, "  no stack is a leak's: none grew steadily with cycles and stayed\n");
	if (a->nfigures) {
		fprintf(f,
			"  figures judged LEAK or BACKLOG and their stacks (share of the figure's "
			"growth per cycle):\n");
		for (i = 0; i < a->nfigures; i++)
			figure_row(f, s, a, &a->figures[i], number);
	}
	fprintf(f,
		"  stacks: %zu leak, %zu backlog, %zu bounded (%zu in flight, %zu TIME_WAIT), %zu "
		"slab's own, %zu more that kept nothing\n",
		a->nleak, a->nbacklog, bounded, inflight, tw, own,
		a->nstacks - a->nleak - a->nbacklog - bounded - own);
	report_attr_sources(buf, sizeof(buf), a->sources, a->nsources);
	fprintf(f, "  sources: ");
	wrap_text(f, buf, 11, 4, width);
	snprintf(buf, sizeof(buf),
		 "%s allocations attributed; %s frees missed (bulk or RCU-batched: found when the "
		 "address came back); %s allocations of the same caches outside the run's threads "
		 "(ksoftirqd, RCU, other tasks) not attributed",
		 fmt_count(n1, sizeof(n1), a->tracked_allocs),
		 fmt_count(n2, sizeof(n2), a->lost.missed_frees),
		 fmt_count(n3, sizeof(n3), a->lost.outside));
	fprintf(f, "  events: ");
	wrap_text(f, buf, 10, 4, width);
	report_attr_lost(buf, sizeof(buf), a);
	fprintf(f, "  %s: ", a->lost_any ? "LOST EVENTS" : "lost events");
	wrap_text(f, buf, 15, 4, width);
	free(number);
	return ferror(f) ? -1 : 0;
}
