/*
 * The sentences of the reasons: every "why" a report shows is written here, from a reason code
 * and its figures. In a sentence, %a0 is figure 0 as an amount in the metric's unit, %s0 the
 * same with its sign, %n0 a plain number ("253", "0.00001"), %c0 an estimate of cycles
 * ("32,400": three significant digits), %f0 "%.0f", %F0 "%.1f", %m0 bytes in MiB or a count.
 * Numbers in prose never have an exponent.
 */
#include "model/reason.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "model/amount.h"

static const struct {
	const char *name; /* in the JSON report */
	const char *text;
	const char *backlog; /* the headline of an overall BACKLOG this reason made */
} reasons[RS_COUNT] = {
	[RS_NONE] = { "none", "" },
	[RS_NO_BASELINE] = { "no-baseline", "no baseline sample: no reference level" },
	[RS_COUNTED] = { "counted", "counted %n0 events (%n1 per cycle)" },
	[RS_DID_NOT_MOVE] = { "did-not-move", "did not move" },
	[RS_TW_NO_GROWTH] = { "time-wait-no-growth", "TIME_WAIT: no growth" },
	[RS_TW_DEFERRED] = { "time-wait-deferred", "TIME_WAIT: deferred clean-up, peak +%a0" },
	[RS_TW_PENDING_SHORT] = { "time-wait-pending-short-quiesce",
				  "TIME_WAIT: peak +%a0, +%a1 still pending: quiesce %f2 s < "
				  "TIME_WAIT's %f3 s" },
	[RS_TW_LEFT] = { "time-wait-left", "TIME_WAIT: peak +%a0, +%a1 left after %f2 s" },
	[RS_TW_EXPIRED] = { "time-wait-expired", "TIME_WAIT: peak +%a0, expired during quiesce" },
	[RS_BACKLOG] = { "backlog",
			 "rose +%a0 steadily while the loop ran, still rising at its end; came back "
			 "to %s1 after it stopped",
			 "rose +%a0 while the loop ran and came back after it stopped: deferred "
			 "clean-up starved by the loop" },
	[RS_PLATEAU_BACK] = { "plateau-came-back", "plateau at +%a0, came back to %s1" },
	[RS_ROSE_BACK] = { "rose-came-back",
			   "rose +%a0 while the loop ran, no sustained rise (jitter %a1); came back "
			   "to %s2" },
	[RS_KEPT_PERCPU] = { "kept-within-per-cpu-hold",
			     "rose +%a0, kept +%a1: within the per-CPU caches' hold of %a2" },
	[RS_KEPT_UNDER_MIN] = { "kept-under-smallest-leak",
				"rose +%a0, kept +%a1: under the smallest leak counted, %a2" },
	[RS_RESIDUAL_UNCERTAIN] = { "residual-uncertain",
				    "rose +%a0; residual +%a1 too uncertain to say it came back; "
				    "~%c2 cycles would decide" },
	[RS_NO_GROWTH] = { "no-growth", "no growth (noise %a0)" },
	[RS_UNSEEN_PERCPU] = { "unseen-within-per-cpu-hold",
			       "no growth seen; a leak under %a0/cycle would stay within the %a1 "
			       "per-CPU caches may hold at %n2 cycles; ~%c3 would decide" },
	[RS_UNSEEN_NOISE] = { "unseen-under-noise",
			      "no growth seen, but noise %a0 hides leaks under %a1/cycle at %n2 "
			      "cycles; ~%c3 would decide" },
	[RS_NO_QUIESCE] = { "no-quiesce",
			    "rose +%a0; no quiesce phase to tell a leak from a backlog" },
	[RS_TW_STILL_EXPIRING] = { "follows-time-wait-still-expiring",
				   "follows TIME_WAIT (%n0 per tw socket), which was still "
				   "expiring at the end of quiesce" },
	[RS_STILL_FALLING] = { "still-falling",
			       "+%a0 above baseline but still falling (%a1) at the end of quiesce; "
			       "a longer quiesce would decide" },
	[RS_STILL_RISING] = { "still-rising",
			      "+%a0 above baseline but still rising (%a1) at the end of quiesce; a "
			      "longer quiesce would decide" },
	[RS_LOST_AT_TEARDOWN] = { "lost-at-teardown",
				  "lost %a0 (%a1/cycle) when the run's netns closed the sockets "
				  "it leaked" },
	[RS_ROSE_AFTER_LOOP] = { "rose-after-loop",
				 "kept +%a0, but went on rising after the loop stopped (+%a1 "
				 "during quiesce): another task's, or a quieter host would tell" },
	[RS_LEAK_STEADY] = { "leak-steady",
			     "kept +%a0 (%a1/cycle) after quiesce; rose steadily to +%a2" },
	[RS_LEAK_OPEN] = { "leak-open",
			   "kept +%a0 (%a1/cycle) open after quiesce; in-flight sockets (peak "
			   "+%a2) hid the growth during churn" },
	[RS_LEAK_WITH_SOCKETS] = { "leak-with-sockets",
				   "kept +%a0 (%a1/cycle) after quiesce, with the sockets the run "
				   "leaked" },
	[RS_CAME_AFTER] = { "came-after-loop",
			    "no growth while the loop ran; +%a0 came after it stopped (another "
			    "task's)" },
	[RS_PLATEAU_KEPT] = { "plateau-kept",
			      "plateau at +%a0, +%a1 kept after quiesce; flat at the end of churn, "
			      "not growing with cycles (--confirm tells)" },
	[RS_KEPT_NO_GROWTH] = { "kept-without-growth",
				"kept +%a0 after quiesce without clear growth during churn; ~%c1 "
				"cycles would decide" },
	[RS_NOT_TIED] = { "kept-not-tied-to-loop",
			  "kept +%a0 after quiesce, but neither rose steadily with cycles nor "
			  "dropped when the loop stopped: another task's?" },
	[RS_NOT_STEADY] = { "kept-not-steady",
			    "kept +%a0 after quiesce, but churn growth was not steady enough to "
			    "call it a leak; ~%c1 cycles would decide" },
	[RS_FOLLOWS_TW] = { "follows-time-wait", "follows TIME_WAIT (%n0 per tw socket)" },
	[RS_NETNS_LAG] = { "netns-clean-up-lagged",
			   "stood +%m0 above its baseline while the loop ran (namespaces "
			   "pending): clean-up work lagged the loop, caught up %F1 s after",
			   "stood +%m0 above its baseline while the loop ran: namespace clean-up "
			   "work lagged the loop, caught up %F1 s after" },
	[RS_SERVER_NEVER_CLOSES] = { "server-never-closes",
				     "kept +%a0 (%a1/cycle) in CLOSE_WAIT: the server never closes "
				     "connections its clients closed" },
	[RS_FD_CAPPED] = { "capped-by-fd-limit",
			   "kept +%a0, capped by the server's fd limit (%f1): %a2/cycle until it "
			   "reached it, the leak could grow no further" },
	[RS_ALLOC_HOLD] = { "kept-within-allocator-hold",
			    "rose +%a0, kept +%a1: within what allocators hold, %a2 (a longer run or "
			    "--confirm tells a leak)" },
	[RS_UNSEEN_ALLOC] = { "unseen-within-allocator-hold",
			      "no growth seen; a leak under %a0/cycle would stay within the %a1 "
			      "allocators may hold at %n2 cycles; ~%c3 would decide" },
	[RS_TW_PURGED] = { "time-wait-purged-with-netns",
			   "TIME_WAIT: peak +%a0, +%a1 left to the purge of the run's netns at "
			   "teardown" },
	[RS_HOST_DRIFT] = { "host-drift",
			    "host drift %s0/s, not tied to cycles: the same rate in baseline and "
			    "quiesce (%s1 by the end of quiesce), taken off" },
	[RS_COVERED] = { "covered-by-run-sockets",
			 "kept %s0, but the run's own sockets, counted exactly in its netns, came "
			 "back: not the run's (the exact count decides)" },
	[RS_KEPT_OPEN] = { "kept-open",
			   "kept +%a0 (%a1/cycle) open: at least +%a2 in each of the %f3 samples of "
			   "the quiesce tail, counted exactly in the run's own netns (sockets left "
			   "open are a leak)" },
	[RS_CHARGE_KEPT] = { "charge-not-returned",
			     "charge not returned: kept +%a0 (%a1/cycle), rising with cycles, above "
			     "per-CPU reserves (%a2), while the memory it stands for came back (a "
			     "leak of accounting)" },
	[RS_CHARGE_KEPT_NO_RSV] = { "charge-not-returned-no-reserve",
				    "charge not returned: kept +%a0 (%a1/cycle), rising with cycles, "
				    "while the memory it stands for came back (a leak of accounting; "
				    "no net.core.mem_pcpu_rsv on this kernel)" },
	[RS_CHARGE_RESERVE] = { "charge-within-per-cpu-reserve",
				"rose +%a0, kept +%a1: within per-CPU reserves (%f2 pages × %f3 "
				"CPUs)" },
	[RS_BACK_EXACT] = { "back-at-baseline-exact",
			    "back at its baseline at every one of the %f0 samples of the quiesce "
			    "tail, counted exactly: kept nothing (peak +%a1 while the loop ran)" },
};

const char *reason_name(enum reason r)
{
	return (unsigned)r < RS_COUNT && reasons[r].name ? reasons[r].name : "?";
}

int reason_parse(const char *s, enum reason *out)
{
	int i;

	for (i = 0; s && i < RS_COUNT; i++)
		if (reasons[i].name && !strcmp(reasons[i].name, s)) {
			*out = (enum reason)i;
			return 0;
		}
	return -EINVAL;
}

/* One figure in the form its place asks for. */
static void figure(char *buf, size_t size, char form, double v, enum unit u)
{
	char a[48];

	switch (form) {
	case 'a':
		amount(buf, size, v, u, AMT_PLAIN);
		break;
	case 's':
		snprintf(buf, size, "%s%s", v < 0 ? "-" : "+",
			 amount(a, sizeof(a), fabs(v), u, AMT_PLAIN));
		break;
	case 'n':
		amount(buf, size, v, UNIT_COUNT, AMT_PLAIN);
		break;
	case 'c':
		amount(buf, size, v, UNIT_COUNT, AMT_PLAIN | AMT_ROUND);
		break;
	case 'f':
		snprintf(buf, size, "%.0f", v);
		break;
	case 'F':
		snprintf(buf, size, "%.1f", v);
		break;
	case 'm':
		if (u == UNIT_BYTES)
			snprintf(buf, size, "%.1f MiB", v / 1048576);
		else
			snprintf(buf, size, "%.0f", v);
		break;
	default:
		snprintf(buf, size, "?");
		break;
	}
}

/* A sentence of a code (p: one of its texts) with its figures, into buf. */
static void sentence(char *buf, size_t size, const char *p, const struct reason_of *r, enum unit u)
{
	size_t n = 0;
	char fig[64];

	buf[0] = '\0';
	while (*p && n + 1 < size) {
		if (p[0] == '%' && p[1] && p[2] >= '0' && p[2] < '0' + REASON_FIGS) {
			figure(fig, sizeof(fig), p[1], r->fig[p[2] - '0'], u);
			n += (size_t)snprintf(buf + n, size - n, "%s", fig);
			p += 3;
		} else {
			buf[n++] = *p++;
			buf[n] = '\0';
		}
	}
	if (n >= size)
		buf[size - 1] = '\0';
}

const char *reason_text(char *buf, size_t size, const struct reason_of *r, enum unit u)
{
	char inner[512], a[48];
	size_t n;

	if (!size)
		return buf;
	sentence(inner, sizeof(inner), (unsigned)r->code < RS_COUNT ? reasons[r->code].text : "", r,
		 u);
	/* The host's doing first: it is why the metric cannot decide. */
	if (r->other_tasks > 0)
		snprintf(
			buf, size,
			"other tasks moved it by +-%s during quiesce, more than the run did; %.120s",
			amount(a, sizeof(a), r->other_tasks, u, AMT_PLAIN), inner);
	else
		snprintf(buf, size, "%s", inner);
	n = strlen(buf);
	if (r->later > 0 && n + 60 < size)
		snprintf(buf + n, size - n, "; +%s more came during quiesce only",
			 amount(a, sizeof(a), r->later, u, AMT_PLAIN));
	n = strlen(buf);
	if (r->tw_removed > 0 && n + 40 < size)
		snprintf(buf + n, size - n, "; TIME_WAIT part (%s/tw) removed",
			 amount(a, sizeof(a), r->tw_removed, UNIT_COUNT, AMT_PLAIN));
	n = strlen(buf);
	if (r->drift != 0 && n + 60 < size)
		snprintf(buf + n, size - n, "; host drift (%s%s/s) removed",
			 r->drift < 0 ? "-" : "+",
			 amount(a, sizeof(a), fabs(r->drift), u, AMT_PLAIN));
	return buf;
}

const char *reason_drift(char *buf, size_t size, const char *name, double rate, enum unit u,
			 size_t more)
{
	char a[48];
	int n;

	if (!size)
		return buf;
	n = snprintf(buf, size, "host drift in %s (%s%s/s)", name, rate < 0 ? "-" : "+",
		     amount(a, sizeof(a), fabs(rate), u, AMT_PLAIN));
	if (more && n > 0 && (size_t)n < size)
		n += snprintf(buf + n, size - (size_t)n, " and %zu more figure%s", more,
			      more == 1 ? "" : "s");
	if (n > 0 && (size_t)n < size)
		snprintf(buf + n, size - (size_t)n,
			 ", not tied to cycles, taken off before judging");
	return buf;
}

const char *reason_backlog(char *buf, size_t size, const struct reason_of *r, enum unit u)
{
	const char *p = (unsigned)r->code < RS_COUNT ? reasons[r->code].backlog : NULL;

	if (size)
		sentence(buf, size, p ? p : "deferred clean-up starved by the loop", r, u);
	return buf;
}

const char *reason_overall(char *buf, size_t size, const char *verdict, bool clean,
			   size_t ndecisive, const char *const *names, size_t n)
{
	size_t i, len;

	len = (size_t)snprintf(buf, size, "%s", verdict);
	if (clean) {
		snprintf(buf + len, size - len, ": no decisive metric grew (%zu analysed)",
			 ndecisive);
		return buf;
	}
	for (i = 0; i < n && i < 4; i++)
		if (len + 8 + strlen(names[i]) < size)
			len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? ", " : " in ",
						names[i]);
	if (n > 4 && len + 16 < size)
		snprintf(buf + len, size - len, " (+%zu more)", n - 4);
	return buf;
}

const char *reason_decided(char *buf, size_t size, const char *name, const struct reason_of *r)
{
	const char *why;

	switch (r->code) {
	case RS_KEPT_OPEN:
		why = "an exact count of the run's own netns, open at every sample of the quiesce tail";
		break;
	case RS_LEAK_OPEN:
		why = "an exact count of the run's own netns, still open once quiesce settled";
		break;
	case RS_LEAK_STEADY:
		why = "kept after quiesce what rose steadily with cycles";
		break;
	case RS_LEAK_WITH_SOCKETS:
		why = "kept after quiesce with the sockets the run leaked";
		break;
	case RS_LOST_AT_TEARDOWN:
		why = "lost when the run's netns closed the sockets it leaked";
		break;
	case RS_CHARGE_KEPT:
	case RS_CHARGE_KEPT_NO_RSV:
		why = "charge not returned: a charge counter kept what rose with cycles while the "
		      "memory it stands for came back";
		break;
	default:
		why = reason_name(r->code);
		break;
	}
	if (size)
		snprintf(buf, size, "decided by %s: %s", name, why);
	return buf;
}

const char *reason_quiet(char *buf, size_t size, size_t nclean, size_t nunseen)
{
	int n = snprintf(buf, size, "%zu metric%s CLEAN", nclean, nclean == 1 ? "" : "s");

	if (nunseen && n > 0 && (size_t)n < size)
		snprintf(buf + n, size - n,
			 ", %zu with no growth seen (too few cycles to rule out the smallest leak "
			 "in them)",
			 nunseen);
	return buf;
}
