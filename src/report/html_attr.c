/*
 * The HTML report's section "Where it was allocated" (--attribute): the figures and the stacks
 * that explain them, each stack collapsible with all its frames, and a flame-graph style view of
 * the bytes still outstanding after quiesce by kernel stack. Static SVG, no script needed.
 */
#include "report/html_attr.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/amount.h"
#include "report/attribution.h"
#include "report/fmt.h"

#define MAX_STACK_ROWS 60 /* stacks listed (the JSON report has them all) */
#define FLAME_W 1200.0
#define FLAME_ROW 17.0
#define FLAME_MAX_DEPTH 40
#define FLAME_MIN_W 1.0 /* narrower boxes are not drawn (their bytes stay in their parent's) */

/* ---- the flame graph: a tree of frames, outermost at the bottom, weighted by bytes kept ---- */

struct node {
	char *name; /* function, without its offset; the leaf is the cache */
	double bytes;
	double by[VERDICT_COUNT]; /* of which the stacks of each verdict keep */
	struct node *kids, *next;
};

static void node_free(struct node *n)
{
	while (n) {
		struct node *next = n->next;

		node_free(n->kids);
		free(n->name);
		free(n);
		n = next;
	}
}

static struct node *child(struct node *parent, const char *name, size_t len)
{
	struct node *n;

	for (n = parent->kids; n; n = n->next)
		if (strlen(n->name) == len && !strncmp(n->name, name, len))
			return n;
	n = calloc(1, sizeof(*n));
	if (!n || !(n->name = strndup(name, len))) {
		free(n);
		return NULL;
	}
	n->next = parent->kids;
	parent->kids = n;
	return n;
}

static void weigh(struct node *n, const struct attr_stack *st)
{
	n->bytes += st->bytes_end;
	n->by[st->verdict] += st->bytes_end;
}

/* Adds one stack's bytes along its path: outermost frame first, its cache last. */
static int add_path(struct node *root, const struct attr_stack *st)
{
	size_t skip, n = report_attr_frames(st, &skip), i;
	struct node *at = root;
	char leaf[96];

	weigh(root, st);
	for (i = n; i > 0; i--) {
		const char *f = st->frames[skip + i - 1];

		if (!(at = child(at, f, strcspn(f, "+ "))))
			return -ENOMEM;
		weigh(at, st);
	}
	snprintf(leaf, sizeof(leaf), "%s (%s)", st->cache, attr_alloc_name(st->alloc));
	if (!(at = child(at, leaf, strlen(leaf))))
		return -ENOMEM;
	weigh(at, st);
	return 0;
}

/* A box takes the colour of the verdict that keeps most of its bytes. */
static enum verdict most(const struct node *n)
{
	enum verdict v, best = VERDICT_CLEAN;

	for (v = VERDICT_CLEAN; v < VERDICT_COUNT; v++)
		if (n->by[v] > n->by[best])
			best = v;
	return best;
}

static const char *vcls(enum verdict v)
{
	static const char *const cls[VERDICT_COUNT] = {
		[VERDICT_CLEAN] = "f-clean",
		[VERDICT_BOUNDED] = "f-bounded",
		[VERDICT_INCONCLUSIVE] = "f-inconclusive",
		[VERDICT_BACKLOG] = "f-backlog",
		[VERDICT_LEAK] = "f-leak",
	};

	return (unsigned)v < VERDICT_COUNT ? cls[v] : "f-clean";
}

static void draw(FILE *f, const struct node *n, double x, double scale, int depth, int rows,
		 double height)
{
	double w = n->bytes * scale, y = height - (depth + 1) * FLAME_ROW;
	char b[32];

	if (w < FLAME_MIN_W || depth >= FLAME_MAX_DEPTH)
		return;
	amount(b, sizeof(b), n->bytes, UNIT_BYTES, AMT_HUMAN);
	fprintf(f, "<g class=\"%s\"><title>", vcls(most(n)));
	fmt_html(f, n->name);
	fprintf(f, ": %s</title><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>", b, x,
		y, w, FLAME_ROW - 1);
	/* A label when it fits: about 6.5 px a character. */
	if (w > 30) {
		size_t fit = (size_t)((w - 6) / 6.5), len = strlen(n->name);

		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">", x + 3, y + FLAME_ROW - 5);
		if (len <= fit) {
			fmt_html(f, n->name);
		} else if (fit > 2) {
			char *cut = strndup(n->name, fit - 2);

			if (cut)
				fmt_html(f, cut);
			fputs("..", f);
			free(cut);
		}
		fputs("</text>", f);
	}
	fputs("</g>", f);
	for (const struct node *k = n->kids; k; k = k->next) {
		draw(f, k, x, scale, depth + 1, rows, height);
		x += k->bytes * scale;
	}
}

static int depth_of(const struct node *n)
{
	int d = 0;

	for (const struct node *k = n->kids; k; k = k->next) {
		int kd = depth_of(k);

		d = kd > d ? kd : d;
	}
	return d + 1;
}

/* The flame of the stacks whose verdict is at least min: LEAK ones, or every one that kept. */
static void flame(FILE *f, const struct attribution *a, enum verdict min, const char *title)
{
	struct node root = { .name = "all" };
	char b[32];
	size_t i;
	int rows;

	for (i = 0; i < a->nstacks; i++) {
		const struct attr_stack *st = &a->stacks[i];

		if (st->slab_own || !(st->bytes_end > 0) || !st->nframes || st->verdict < min)
			continue;
		if (add_path(&root, st)) {
			node_free(root.kids);
			return;
		}
	}
	if (!(root.bytes > 0) && min > VERDICT_CLEAN)
		return;
	fprintf(f, "<h3>%s</h3>", title);
	if (!(root.bytes > 0)) {
		fputs("<p class=\"muted\">No stack of the run's threads kept bytes after quiesce.</p>",
		      f);
		return;
	}
	rows = depth_of(&root);
	rows = rows > FLAME_MAX_DEPTH ? FLAME_MAX_DEPTH : rows;
	amount(b, sizeof(b), root.bytes, UNIT_BYTES, AMT_HUMAN);
	fprintf(f,
		"<p class=\"muted\">%s in all. Each box is a kernel function, as wide as the bytes "
		"kept by the stacks through it; the calls go up from the entry (syscall, softirq) "
		"to the cache allocated from, coloured by the verdict of the stacks that keep most of "
		"it: red a leak's, orange a backlog's, blue bounded (in flight, TIME_WAIT), grey "
		"none. Hover a box for its bytes.</p>",
		b);
	fprintf(f,
		"<svg class=\"flame\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
		"aria-label=\"bytes outstanding by kernel stack\">",
		FLAME_W, rows * FLAME_ROW);
	draw(f, &root, 0, FLAME_W / root.bytes, 0, rows, rows * FLAME_ROW);
	fputs("</svg>", f);
	node_free(root.kids);
}

/* ---- tables ---- */

static void badge(FILE *f, enum verdict v)
{
	static const char *const cls[VERDICT_COUNT] = {
		[VERDICT_CLEAN] = "v-clean",
		[VERDICT_BOUNDED] = "v-bounded",
		[VERDICT_INCONCLUSIVE] = "v-inconclusive",
		[VERDICT_BACKLOG] = "v-backlog",
		[VERDICT_LEAK] = "v-leak",
	};

	fprintf(f, "<span class=\"badge %s\">%s</span>", cls[v < VERDICT_COUNT ? v : 0],
		verdict_name(v));
}

static void stack_details(FILE *f, size_t no, const struct attr_stack *st)
{
	char o[32], b[32], kept[32], td[32];
	size_t i;

	snprintf(o, sizeof(o), "%.3g", st->objs_per_cycle);
	amount(b, sizeof(b), st->bytes_per_cycle, UNIT_BYTES, AMT_HUMAN);
	fmt_count(kept, sizeof(kept), st->objs_end);
	fmt_count(td, sizeof(td), st->objs_teardown);
	fprintf(f, "<details class=\"stack\" id=\"stack-%zu\"><summary><b>#%zu</b> ", no, no);
	badge(f, st->verdict);
	fputs(" <code>", f);
	fmt_html(f, st->cache);
	fprintf(f, "</code> <span class=\"tag\">%s</span> ", attr_alloc_name(st->alloc));
	if (st->verdict >= VERDICT_BACKLOG)
		fprintf(f, "%s objects, %s per cycle; ", o, b);
	fprintf(f, "%s kept after quiesce, %s after teardown", kept,
		isnan(st->objs_teardown) ? "n/a" : td);
	if (st->nframes > st->nalloc_frames) {
		fputs(" · <code>", f);
		fmt_html(f, st->frames[st->nalloc_frames]);
		fputs("</code>", f);
	}
	fputs("</summary><p class=\"why\">", f);
	fmt_html(f, report_attr_reason(st->reason));
	fprintf(f, ". Allocated %.0f, freed %.0f, frees missed %.0f", st->allocs, st->frees,
		st->missed);
	if (isfinite(st->mean_age))
		fprintf(f,
			"; what it kept was allocated at %.0f%% of the churn on average (sd %.0f%%; "
			"a leak's: 50%%, 29%%)",
			100 * st->mean_age, 100 * st->age_sd);
	fputs(".", f);
	if (st->cache_note) {
		fputs(" Cache ", f);
		fmt_html(f, st->cache_note);
		fputs(".", f);
	}
	if (st->kept_pm > 0)
		fprintf(f, " An estimate from sampled stacks: kept and per cycle +-%.0f%% at 95%%.",
			100 * st->kept_pm);
	fputs("</p><ol class=\"frames\">", f);
	if (!st->nframes)
		fputs("<li class=\"muted\">stack not captured</li>", f);
	for (i = 0; i < st->nframes; i++) {
		fputs(i < st->nalloc_frames ? "<li class=\"muted\"><code>" : "<li><code>", f);
		fmt_html(f, st->frames[i]);
		fputs("</code></li>", f);
	}
	fputs("</ol></details>\n", f);
}

static bool listed(const struct attr_stack *st)
{
	return st->verdict != VERDICT_CLEAN;
}

static void figure_table(FILE *f, const struct series *s, const struct attribution *a,
			 const size_t *number)
{
	size_t i, k;

	if (!a->nfigures)
		return;
	fputs("<h3>Figures judged LEAK or BACKLOG, and the stacks that explain them</h3>"
	      "<table><thead><tr><th>figure</th><th>verdict</th><th class=\"num\">per cycle</th>"
	      "<th class=\"num\">explained</th><th>stacks (share of the figure's growth)</th>"
	      "</tr></thead><tbody>",
	      f);
	for (i = 0; i < a->nfigures; i++) {
		const struct attr_figure *fg = &a->figures[i];
		char pc[32];

		if (fg->bytes)
			amount(pc, sizeof(pc), fg->per_cycle, UNIT_BYTES, AMT_HUMAN);
		else
			snprintf(pc, sizeof(pc), "%.3g", fg->per_cycle);
		fputs("<tr><td class=\"name\"><code>", f);
		fmt_html(f, s->cols[fg->col].name);
		fputs("</code></td><td>", f);
		badge(f, fg->verdict);
		fprintf(f, "</td><td class=\"num\">%s</td><td class=\"num\">%.0f%%</td><td>", pc,
			100 * fg->explained);
		if (!fg->nstacks)
			fputs("<span class=\"muted\">no stack of the run's threads</span>", f);
		for (k = 0; k < fg->nstacks; k++) {
			size_t no = number[fg->stacks[k]];

			if (no)
				fprintf(f, "%s<a href=\"#stack-%zu\">#%zu</a> %.0f%%",
					k ? ", " : "", no, no, 100 * fg->share[k]);
		}
		fputs("</td></tr>", f);
	}
	fputs("</tbody></table>", f);
}

void report_html_attribution(FILE *f, const struct series *s, const struct attribution *a)
{
	char buf[1024], n1[32], n2[32], n3[32];
	size_t i, no = 0;
	size_t *number;

	if (!a || (!a->on && !a->why[0]))
		return;
	fputs("<section id=\"attribution\"><h2>Where it was allocated</h2>", f);
	if (!a->on) {
		fputs("<p class=\"muted\">Not attributed: ", f);
		fmt_html(f, a->why);
		fputs(".</p></section>\n", f);
		return;
	}
	number = calloc(a->nstacks + 1, sizeof(*number));
	if (!number) {
		fputs("</section>\n", f);
		return;
	}
	for (i = 0; i < a->nstacks && no < MAX_STACK_ROWS; i++)
		if (listed(&a->stacks[i]))
			number[i] = ++no;
	fprintf(f,
		"<p>Kernel stacks of the allocations made by the run's own threads (eBPF), judged by "
		"what they still held after quiesce: %zu a leak's, %zu a backlog's.</p>",
		a->nleak, a->nbacklog);
	if (report_attr_sampling(buf, sizeof(buf), a)) {
		fputs("<p class=\"why\">", f);
		fmt_html(f, buf);
		fputs(".</p>", f);
	}
	if (a->lost_any) {
		report_attr_lost(buf, sizeof(buf), a);
		fputs("<p class=\"lost\"><b>Lost events:</b> ", f);
		fmt_html(f, buf);
		fputs(".</p>", f);
	}
	figure_table(f, s, a, number);
	flame(f, a, VERDICT_LEAK, "Bytes kept by the stacks of the leak, by kernel stack");
	flame(f, a, VERDICT_CLEAN, "All bytes still outstanding after quiesce, by kernel stack");
	fprintf(f, "<h3>Stacks that kept or moved objects (%zu)</h3>", no);
	for (i = 0; i < a->nstacks; i++)
		if (number[i])
			stack_details(f, number[i], &a->stacks[i]);
	report_attr_sources(buf, sizeof(buf), a->sources, a->nsources);
	fputs("<p class=\"muted\">Sources: ", f);
	fmt_html(f, buf);
	fprintf(f,
		". Events: %s allocations attributed; %s frees missed (bulk or RCU-batched, found "
		"when the address came back); %s allocations of the same caches outside the run's "
		"threads, not attributed.",
		fmt_count(n1, sizeof(n1), a->tracked_allocs),
		fmt_count(n2, sizeof(n2), a->lost.missed_frees),
		fmt_count(n3, sizeof(n3), a->lost.outside));
	if (!a->lost_any)
		fputs(" No event was lost.", f);
	fputs("</p></section>\n", f);
	free(number);
}
