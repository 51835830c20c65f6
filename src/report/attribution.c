/* --attribute in words: sources, reasons, losses and the text section "Where it was allocated". */
#include "report/attribution.h"

#include <math.h>
#include <string.h>

#include "report/fmt.h"

#define WIDTH 100
#define TEXT_STACKS 6 /* stacks per figure in the text report */
#define TEXT_HEAD_FRAMES 8 /* frames shown from the allocation up ... */
#define TEXT_TAIL_FRAMES 2 /* ... and from the entry down, with the count of those between */

static const char *const reasons[AR_COUNT] = {
	[AR_NONE] = "kept nothing",
	[AR_LEAK] = "grew steadily with cycles and kept it through quiesce",
	[AR_BACKLOG] = "grew steadily while the loop ran and gave it back after",
	[AR_IN_FLIGHT] = "objects in flight: rose while the loop ran and came back",
	[AR_PLATEAU] = "kept objects that stopped growing with cycles: bounded",
	[AR_TIME_WAIT] = "TIME_WAIT sockets: deferred clean-up, not a leak",
	[AR_SLAB_PAGES] = "pages slab took for its caches: their objects are counted instead",
	[AR_SMALL] = "kept fewer objects than a leak must leave",
	[AR_MISSED_FREES] =
		"most frees were not seen (bulk or RCU-batched): what it keeps is unknown",
};

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

/* Frames as "a < b < c", wrapped under indent. */
static void chain(FILE *f, const struct attr_stack *st, size_t indent)
{
	size_t skip, n = report_attr_frames(st, &skip), i, col = indent, shown = 0;

	fprintf(f, "%*s", (int)indent, "");
	if (!st->nframes) {
		fprintf(f, "(stack not captured)\n");
		return;
	}
	if (skip)
		col += (size_t)fprintf(f, "[%zu allocator frames] ", skip);
	for (i = 0; i < n; i++) {
		const char *fr = st->frames[skip + i];
		size_t len = strlen(fr) + 3;

		if (n > TEXT_HEAD_FRAMES + TEXT_TAIL_FRAMES + 1 && i == TEXT_HEAD_FRAMES) {
			col += (size_t)fprintf(f, "< ... %zu more ",
					       n - TEXT_HEAD_FRAMES - TEXT_TAIL_FRAMES);
			i = n - TEXT_TAIL_FRAMES - 1;
			continue;
		}
		if (col + len > WIDTH && col > indent) {
			fprintf(f, "\n%*s", (int)indent, "");
			col = indent;
		}
		col += (size_t)fprintf(f, "%s%s", shown++ ? "< " : "", fr);
		if (i + 1 < n)
			col += (size_t)fprintf(f, " ");
	}
	fputc('\n', f);
}

static void stack_line(FILE *f, const struct attr_stack *st, double share)
{
	char o[32], b[32], kept[32], td[32], sh[16];

	if (share > 1.05)
		snprintf(sh, sizeof(sh), ">100%%");
	else
		snprintf(sh, sizeof(sh), "%.0f%%", share * 100);
	snprintf(o, sizeof(o), "%.3g", st->objs_per_cycle);
	fmt_human(b, sizeof(b), st->bytes_per_cycle, UNIT_BYTES);
	fmt_count(kept, sizeof(kept), st->objs_end);
	fmt_count(td, sizeof(td), st->objs_teardown);
	fprintf(f, "    %5s  %s objects, %s per cycle  %s %s  %s %s kept, %s after teardown\n", sh,
		o, b, verdict_name(st->verdict), st->cache, attr_alloc_name(st->alloc), kept,
		isnan(st->objs_teardown) ? "n/a" : td);
	chain(f, st, 11);
}

int report_text_attribution(FILE *f, const struct series *s, const struct attribution *a)
{
	char buf[1024], n1[32], n2[32], n3[32];
	size_t i, k, bounded = 0, tw = 0, inflight = 0;

	if (!a || (!a->on && !a->why[0]))
		return 0;
	fprintf(f, "\nWhere it was allocated (eBPF: kernel stacks of the run's own threads)\n");
	if (!a->on) {
		fprintf(f, "  not attributed: %s\n", a->why);
		return ferror(f) ? -1 : 0;
	}
	if (a->why[0])
		fprintf(f, "  note: %s\n", a->why);
	for (i = 0; i < a->nfigures; i++) {
		const struct attr_figure *fg = &a->figures[i];
		const struct series_col *c = &s->cols[fg->col];
		char pc[32];

		snprintf(pc, sizeof(pc), "%.3g", fg->per_cycle);
		if (fg->bytes)
			fmt_human(pc, sizeof(pc), fg->per_cycle, UNIT_BYTES);
		fprintf(f, "  %s %s, %s per cycle: ", c->name, verdict_name(fg->verdict), pc);
		if (!fg->nstacks) {
			fprintf(f, "no stack of the run's threads explains it\n");
			continue;
		}
		fprintf(f, "%zu stack%s explain %.0f%% of it\n", fg->nstacks,
			fg->nstacks == 1 ? "" : "s", fg->explained * 100);
		for (k = 0; k < fg->nstacks && k < TEXT_STACKS; k++)
			stack_line(f, &a->stacks[fg->stacks[k]], fg->share[k]);
	}
	/* Stacks judged LEAK or BACKLOG that no figure listed still deserve a line. */
	for (i = 0; i < a->nstacks; i++) {
		const struct attr_stack *st = &a->stacks[i];
		bool listed = false;

		for (k = 0; k < a->nfigures && !listed; k++)
			for (size_t j = 0; j < a->figures[k].nstacks; j++)
				listed = listed || a->figures[k].stacks[j] == i;
		if (st->verdict >= VERDICT_BACKLOG && !listed) {
			fprintf(f, "  a stack of no judged figure: %s\n",
				report_attr_reason(st->reason));
			stack_line(f, st, NAN);
		}
		bounded += st->verdict == VERDICT_BOUNDED;
		tw += st->reason == AR_TIME_WAIT;
		inflight += st->reason == AR_IN_FLIGHT;
	}
	if (!a->nleak && !a->nbacklog)
		fprintf(f, "  no stack is a leak's: none grew steadily with cycles and stayed\n");
	fprintf(f,
		"  stacks: %zu leak, %zu backlog, %zu bounded (%zu in flight, %zu TIME_WAIT), %zu "
		"more that kept nothing\n",
		a->nleak, a->nbacklog, bounded, inflight, tw,
		a->nstacks - a->nleak - a->nbacklog - bounded);
	report_attr_sources(buf, sizeof(buf), a->sources, a->nsources);
	fprintf(f, "  sources: %s\n", buf);
	fprintf(f,
		"  events: %s allocations attributed; %s frees missed (bulk or RCU-batched, found "
		"when the address came back); %s allocations of the same caches outside the run's "
		"threads (ksoftirqd, RCU, other tasks), not attributed\n",
		fmt_count(n1, sizeof(n1), a->tracked_allocs),
		fmt_count(n2, sizeof(n2), a->lost.missed_frees),
		fmt_count(n3, sizeof(n3), a->lost.outside));
	report_attr_lost(buf, sizeof(buf), a);
	fprintf(f, "  %s: %s\n", a->lost_any ? "LOST EVENTS" : "lost events", buf);
	return ferror(f) ? -1 : 0;
}
