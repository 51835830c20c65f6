/* sockleak churn: run a sequence in a tight loop and say how fast it went and what failed. */
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/engine_opts.h"
#include "common.h"
#include "engine/engine.h"
#include "engine/guard.h"
#include "engine/netns.h"
#include "engine/seq.h"
#include "engine/transport.h"
#include "report/live.h"
#include "report/out.h"
#include "report/report.h"
#include "run/run.h"

#define TICK_NS 100000000L /* main loop: guard and progress every 100 ms */

static struct engine *volatile g_engine;
static volatile sig_atomic_t g_signal;

static void on_signal(int sig)
{
	g_signal = sig;
	engine_request_stop(g_engine); /* async-signal-safe: an atomic store and a write */
}

struct outcome {
	struct engine_stats st;
	char peer[128];
	bool have_listen;
	uint64_t overflows, drops;
	char guard[256]; /* why the guard stopped the run, or "" */
	int signal;
	struct machine m;
	uint64_t io_pending_max; /* Windows --io: most sends in flight in one worker */
};

/* Failed connects and binds that found no free ephemeral port (TIME_WAIT holds them): port
 * exhaustion, not a leak. */
static uint64_t port_exhaustion(const struct run_config *cfg, const struct engine_stats *st)
{
	uint64_t n = 0;
	unsigned op, er;

	for (op = 0; op < st->nops; op++) {
		if (cfg->seq->ops[op].kind != OP_CONNECT && cfg->seq->ops[op].kind != OP_BIND)
			continue;
		for (er = 0; er < ENGINE_MAX_ERRNO; er++)
			if (engine_errno_ports_out(er))
				n += st->errors[op][er];
	}
	return n;
}

#define RC struct run_config
#define G_OUT "Output"

static const struct opt churn_opts[] = {
	OPT_INCLUDE(engine_opts),
	{ "json", .arg = "FILE", OPT_STR(RC, json_path, OPT_FILE_OUT), .group = G_OUT,
	  .help = "write the summary as JSON (\"-\": stdout; the text summary then goes to "
		  "stderr)" },
	{ "watch", OPT_ON(RC, watch), .group = G_OUT,
	  .help = "show the kernel pools live while churning (the view of 'sockleak watch'; q "
		  "stops the churn early)" },
	{ "csv", .arg = "FILE", OPT_STR(RC, csv_path, OPT_FILE_OUT), .group = G_OUT,
	  .help = "sample the kernel pools while churning and write the time series as CSV (for "
		  "a verdict, use 'sockleak run')" },
	{ "interval", .arg = "DUR", OPT_SECONDS(RC, interval), .min = 0.01, .group = G_OUT,
	  .help = "sampling interval for --watch and --csv (default 100ms)" },
	{ "quiet", 'q', OPT_ON(RC, quiet), .group = G_OUT, .help = "no progress line" },
	OPT_HELP_ROW,
	{ 0 },
};

const struct command command_churn = {
	.name = "churn",
	.fn = cmd_churn,
	.summary = "run a socket call sequence in a tight loop; cycles/s and errors",
	.synopsis = "[OPTIONS]",
	.about =
		"Runs a socket call sequence in a tight loop against a local server that sockleak\n"
		"starts itself (or --target), as fast as the kernel allows, and prints cycles/s,\n"
		"per-thread spread, CPU split and every failed op by errno.\n",
	.opts = churn_opts,
	.epilogue = "Exit codes: 0 done, 2 usage error, 3 runtime error or stopped by the memory\n"
		    "guard, 128+N stopped by signal N (SIGINT: 130) after printing the summary.\n",
};

static const char *stopped_by(const struct outcome *o)
{
	if (o->guard[0])
		return "guard";
	if (o->signal)
		return o->signal == SIGINT ? "SIGINT" : o->signal == SIGTERM ? "SIGTERM" : "signal";
	return engine_stop_name(o->st.stop);
}

static void progress(const struct engine *e, double t0, uint64_t *last, double *tlast)
{
	struct engine_stats st;
	double now = sl_now();
	uint64_t c;

	engine_stats(e, &st);
	c = st.cycles;
	fprintf(stderr, "\r\033[K  %6.1f s  %12llu cycles  %10.0f cycles/s  %llu errors", now - t0,
		(unsigned long long)c, now > *tlast ? (c - *last) / (now - *tlast) : 0,
		(unsigned long long)st.failed_cycles);
	*last = c;
	*tlast = now;
}

static void print_summary(FILE *f, const struct run_config *cfg, const struct outcome *o)
{
	const struct engine_stats *st = &o->st;
	const struct seq *s = cfg->seq;
	double cpu = st->user_seconds + st->system_seconds;
	uint64_t total = 0;
	unsigned op, er;
	char text[128], ebuf[16];

	fprintf(f, "sockleak churn: %s%s%s over %s, %u client thread%s%s%s%s, %s\n",
		cfg->preset ? cfg->preset : "", cfg->preset ? ": " : "", cfg->sequence,
		transport_name(cfg->transport), st->threads, st->threads == 1 ? "" : "s",
		cfg->api == API_IO_URING ? " on io_uring" : "", cfg->sqpoll ? " (sqpoll)" : "",
		cfg->fixed_files ? " (fixed files)" : "",
		cfg->target ? "target" :
		cfg->netns  ? "own network namespace" :
			      "host namespace");
	fprintf(f, "  peer          %s%s\n", o->peer,
		cfg->target || !cfg->seq->has_server || cfg->seq->netns_cycle ?
			"" :
			" (sockleak's server)");
	fprintf(f, "  cycles        %llu in %.2f s = %.0f cycles/s\n",
		(unsigned long long)st->cycles, st->seconds,
		st->seconds > 0 ? st->cycles / st->seconds : 0);
	if (st->threads > 1)
		fprintf(f, "  per thread    min %llu, max %llu (spread %.1f%%)\n",
			(unsigned long long)st->thread_min, (unsigned long long)st->thread_max,
			st->thread_max ?
				100.0 * (st->thread_max - st->thread_min) / st->thread_max :
				0);
	fprintf(f, "  cpu           user %.1f%%, system %.1f%% (%.2f s user, %.2f s system)\n",
		cpu > 0 ? 100 * st->user_seconds / cpu : 0,
		cpu > 0 ? 100 * st->system_seconds / cpu : 0, st->user_seconds, st->system_seconds);
	for (op = 0; op < st->nops; op++)
		for (er = 0; er < ENGINE_MAX_ERRNO; er++)
			total += st->errors[op][er];
	if (!total) {
		fprintf(f, "  errors        none\n");
	} else {
		fprintf(f, "  errors        %llu failed cycles:\n",
			(unsigned long long)st->failed_cycles);
		for (op = 0; op < st->nops; op++) {
			for (er = 0; er < ENGINE_MAX_ERRNO; er++) {
				if (!st->errors[op][er])
					continue;
				seq_op_text(cfg->sequence, &s->ops[op], text, sizeof(text));
				fprintf(f, "    %-28s %-16s %10llu  %s\n", text,
					engine_errno_name(er, ebuf, sizeof(ebuf)),
					(unsigned long long)st->errors[op][er],
					er == ENODATA && s->ops[op].kind == OP_RECV ?
						"(peer closed before N bytes)" :
						engine_errno_text(er));
			}
		}
	}
	for (op = 0; op < st->nops; op++) {
		if (!st->wouldblock[op])
			continue;
		seq_op_text(cfg->sequence, &s->ops[op], text, sizeof(text));
		fprintf(f, "  would block   %-28s %10llu  (EAGAIN: dontwait, not a failure)\n",
			text, (unsigned long long)st->wouldblock[op]);
	}
	if (o->have_listen)
		fprintf(f, "  listen queue  %llu overflows, %llu drops\n",
			(unsigned long long)o->overflows, (unsigned long long)o->drops);
	if (cfg->inject_leak)
		fprintf(f, "  injected      %llu sockets kept open (one every %llu cycles)%s\n",
			(unsigned long long)st->leaked, (unsigned long long)cfg->inject_leak,
			st->leak_capped ? "; stopped at the fd limit" : "");
	if (st->left_open)
		fprintf(f, "  left open     %llu sockets (--allow-open)%s\n",
			(unsigned long long)st->left_open,
			st->leak_capped ? "; the fd limit was reached, later ones were closed" :
					  "");
	if (port_exhaustion(cfg, st))
		fprintf(f,
			"  ports         %llu connects found no free ephemeral port: TIME_WAIT holds "
			"them (port exhaustion, not a leak)\n",
			(unsigned long long)port_exhaustion(cfg, st));
	if (cfg->io != IO_BLOCKING)
		fprintf(f,
			"  completions   at most %llu sends in flight in one worker (--io %s%s)\n",
			(unsigned long long)o->io_pending_max, io_mode_name(cfg->io),
			cfg->alertable ? ", --alertable" : "");
	fprintf(f, "  stopped by    %s\n", stopped_by(o));
	if (o->guard[0])
		fprintf(f, "  guard         %s\n", o->guard);
}

/* dontwait ops that would have blocked: one entry per op that did. */
static json_t *would_block_json(const struct run_config *cfg, const struct engine_stats *st)
{
	json_t *a = json_array();
	unsigned op;
	char text[128];

	for (op = 0; op < st->nops; op++) {
		if (!st->wouldblock[op])
			continue;
		seq_op_text(cfg->sequence, &cfg->seq->ops[op], text, sizeof(text));
		json_array_append_new(a, json_pack("{s:i, s:s, s:s, s:I}", "index", op, "op",
						   seq_op_name(cfg->seq->ops[op].kind), "text",
						   text, "count", (json_int_t)st->wouldblock[op]));
	}
	return a;
}

static json_t *json_doc(const struct run_config *cfg, const struct outcome *o)
{
	const struct engine_stats *st = &o->st;
	const struct seq *s = cfg->seq;
	double cpu = st->user_seconds + st->system_seconds;
	json_t *errs = json_array(), *doc;
	uint64_t total = 0;
	unsigned op, er;
	char text[128], ebuf[16];

	for (op = 0; op < st->nops; op++) {
		for (er = 0; er < ENGINE_MAX_ERRNO; er++) {
			if (!st->errors[op][er])
				continue;
			total += st->errors[op][er];
			seq_op_text(cfg->sequence, &s->ops[op], text, sizeof(text));
			json_array_append_new(
				errs, json_pack("{s:i, s:s, s:s, s:i, s:s, s:I}", "index", op, "op",
						seq_op_name(s->ops[op].kind), "text", text, "errno",
						engine_errno_code(er), "name",
						engine_errno_name(er, ebuf, sizeof(ebuf)), "count",
						(json_int_t)st->errors[op][er]));
		}
	}
	doc = json_pack("{s:i, s:s, s:s, s:s, s:s?, s:s, s:s?, s:s, s:b}", "schema", 1, "command",
			"churn", "version", SOCKLEAK_VERSION, "sequence", cfg->sequence, "preset",
			cfg->preset, "transport", transport_name(cfg->transport), "target",
			cfg->target, "peer", o->peer, "netns", cfg->netns);
	json_object_set_new(doc, "machine", report_machine_value(&o->m));
	json_object_set_new(doc, "config",
			    json_pack("{s:i, s:f, s:I, s:f, s:b, s:I, s:b, s:i, s:s, s:i}",
				      "threads", cfg->threads, "seconds", cfg->seconds, "ops",
				      (json_int_t)cfg->ops, "rate", cfg->rate, "yield", cfg->yield,
				      "inject_leak", (json_int_t)cfg->inject_leak, "allow_open",
				      cfg->allow_open, "server_threads", cfg->server_threads,
				      "server_close", server_close_name(cfg->server_close),
				      "backlog", cfg->backlog));
	json_object_set_new(json_object_get(doc, "config"), "api", json_string(api_name(cfg->api)));
	json_object_set_new(json_object_get(doc, "config"), "sqpoll", json_boolean(cfg->sqpoll));
	json_object_set_new(json_object_get(doc, "config"), "server_sequence",
			    cfg->server_sequence ? json_string(cfg->server_sequence) : json_null());
	json_object_set_new(json_object_get(doc, "config"), "fixed_files",
			    json_boolean(cfg->fixed_files));
	json_object_set_new(json_object_get(doc, "config"), "io",
			    json_string(io_mode_name(cfg->io)));
	json_object_set_new(json_object_get(doc, "config"), "alertable",
			    json_boolean(cfg->alertable));
	json_object_set_new(doc, "port_exhaustion",
			    json_integer((json_int_t)port_exhaustion(cfg, st)));
	json_object_set_new(doc, "io_pending_max", json_integer((json_int_t)o->io_pending_max));
	json_object_set_new(doc, "cycles", json_integer((json_int_t)st->cycles));
	json_object_set_new(doc, "failed_cycles", json_integer((json_int_t)st->failed_cycles));
	json_object_set_new(doc, "seconds", json_real(st->seconds));
	json_object_set_new(doc, "cycles_per_second",
			    json_real(st->seconds > 0 ? st->cycles / st->seconds : 0));
	json_object_set_new(doc, "threads",
			    json_pack("{s:i, s:I, s:I}", "count", st->threads, "min",
				      (json_int_t)st->thread_min, "max",
				      (json_int_t)st->thread_max));
	json_object_set_new(doc, "cpu",
			    json_pack("{s:f, s:f, s:f}", "user_seconds", st->user_seconds,
				      "system_seconds", st->system_seconds, "user_share",
				      cpu > 0 ? st->user_seconds / cpu : 0.0));
	json_object_set_new(doc, "errors", errs);
	json_object_set_new(doc, "would_block", would_block_json(cfg, st));
	json_object_set_new(doc, "errors_total", json_integer((json_int_t)total));
	json_object_set_new(doc, "leaked", json_integer((json_int_t)st->leaked));
	json_object_set_new(doc, "left_open", json_integer((json_int_t)st->left_open));
	json_object_set_new(doc, "leak_capped", json_boolean(st->leak_capped));
	json_object_set_new(doc, "listen",
			    o->have_listen ?
				    json_pack("{s:I, s:I}", "overflows", (json_int_t)o->overflows,
					      "drops", (json_int_t)o->drops) :
				    json_null());
	json_object_set_new(doc, "stopped_by", json_string(stopped_by(o)));
	json_object_set_new(doc, "guard", o->guard[0] ? json_string(o->guard) : json_null());
	return doc;
}

static int dump_json(FILE *f, const void *doc)
{
	if (json_dumpf(doc, f, JSON_INDENT(2) | JSON_REAL_PRECISION(10)) || fputc('\n', f) == EOF)
		return errno ? -errno : -EIO;
	return 0;
}

static int write_json(const char *path, const struct run_config *cfg, const struct outcome *o)
{
	json_t *doc = json_doc(cfg, o);
	int rc;

	if (!doc) {
		sl_err("cannot build the JSON summary");
		return -ENOMEM;
	}
	rc = out_write(path, dump_json, doc);
	json_decref(doc);
	return rc;
}

/* What the live view checks between redraws: the engine's end, and the memory guard. */
struct watch_state {
	struct engine *e;
	struct guard *g;
	struct outcome *o;
};

static bool watch_done(void *arg)
{
	struct watch_state *w = arg;

	if (w->g && !w->o->guard[0] && guard_tripped(w->g, w->o->guard, sizeof(w->o->guard)))
		engine_request_stop(w->e);
	return engine_done(w->e);
}

/* The run itself: engine up, signals and guard watched, engine down. */
static int churn(const struct run_config *cfg, struct outcome *o)
{
	struct sigaction sa = { 0 }, old_int, old_term;
	struct timespec tick = { 0, TICK_NS };
	struct engine *e;
	struct guard g = { 0 };
	struct series series;
	struct sampler *sp = NULL;
	struct cycles_src cyc = CYCLES_SRC_INIT;
	struct watch_state w;
	bool sampling = cfg->watch || cfg->csv_path;
	bool guard_on, show = !cfg->quiet && isatty(STDERR_FILENO);
	uint64_t ov0 = 0, dr0 = 0, last = 0;
	double t0, tlast, tprog;
	int err, rc = 0;

	err = engine_create(cfg, &e);
	if (err)
		return SL_EXIT_RUNTIME;
	if (sampling && series_init(&series, 0)) {
		engine_destroy(e);
		return SL_EXIT_RUNTIME;
	}
	engine_peer(e, o->peer, sizeof(o->peer));
	guard_on = guard_init(&g) == 0;
	if (!guard_on)
		sl_err("no memory guard: /proc/meminfo has no MemAvailable; watch memory yourself");
	o->have_listen = transport_get(cfg->transport)->stream &&
			 transport_get(cfg->transport)->family != AF_UNIX &&
			 !netns_listen_counters(engine_netns_fd(e), &ov0, &dr0);

	g_engine = e;
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);

	if (sampling && run_sampler_start(cfg, e, NULL, NULL, &series, &cyc, &sp))
		rc = SL_EXIT_RUNTIME;
	err = rc ? 0 : engine_start(e);
	if (err)
		rc = SL_EXIT_RUNTIME;
	if (sp)
		sampler_mark(sp, PHASE_CHURN);
	w.e = e;
	w.g = guard_on ? &g : NULL;
	w.o = o;
	if (!rc && cfg->watch) {
		struct live_opts lo = {
			.refresh = 1, .title = "churn", .done = watch_done, .arg = &w
		};

		show = false;
		if (live_view_run(&series, sp, &lo))
			rc = SL_EXIT_RUNTIME;
		/* q in the view: the user is done watching, so the churn stops too. */
		engine_request_stop(e);
	}
	t0 = tlast = tprog = sl_now();
	while (!rc && !engine_done(e)) {
		nanosleep(&tick, NULL);
		if (guard_on && !o->guard[0] && guard_tripped(&g, o->guard, sizeof(o->guard))) {
			sl_err("%s", o->guard);
			engine_request_stop(e);
		}
		if (show && sl_now() - tprog >= 0.5) {
			progress(e, t0, &last, &tlast);
			tprog = sl_now();
		}
	}
	if (show)
		fprintf(stderr, "\r\033[K");
	if (engine_join(e))
		rc = SL_EXIT_RUNTIME;
	engine_stats(e, &o->st);
	o->io_pending_max = engine_io_pending_max(e);
	if (o->have_listen &&
	    !netns_listen_counters(engine_netns_fd(e), &o->overflows, &o->drops)) {
		o->overflows -= ov0;
		o->drops -= dr0;
	} else {
		o->have_listen = false;
	}
	g_engine = NULL;
	if (sp)
		sampler_drop_netns(sp);
	run_engine_gone(&cyc);
	engine_destroy(e);
	if (sp) {
		sampler_stop(sp);
		series_flush(&series);
		if (cfg->csv_path && report_csv(cfg->csv_path, &series))
			rc = SL_EXIT_RUNTIME;
		sampler_destroy(sp);
	}
	if (sampling)
		series_free(&series);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	o->signal = g_signal;
	return rc;
}

int cmd_churn(int argc, char **argv)
{
	struct run_config cfg = { 0 };
	struct outcome *o;
	int first, r, rc;

	run_config_defaults(&cfg);
	r = opt_parse(&command_churn, argc, argv, &cfg, &first);
	if (r)
		return r == OPT_EXIT ? SL_EXIT_OK : SL_EXIT_USAGE;
	if (first < argc) {
		sl_err("unexpected argument '%s'", argv[first]);
		return SL_EXIT_USAGE;
	}
	if (cfg.watch && (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO))) {
		sl_err("--watch needs a terminal; record the pools with --csv FILE instead");
		return SL_EXIT_USAGE;
	}
	rc = engine_opts_finish(&cfg);
	if (rc)
		return rc;
	o = calloc(1, sizeof(*o));
	if (!o) {
		engine_opts_free(&cfg);
		return SL_EXIT_RUNTIME;
	}
	machine_init(&o->m, "");
	rc = churn(&cfg, o);
	o->m.netns = cfg.netns;
	if (o->st.threads) {
		print_summary(cfg.json_path && !strcmp(cfg.json_path, "-") ? stderr : stdout, &cfg,
			      o);
		if (cfg.json_path && write_json(cfg.json_path, &cfg, o))
			rc = SL_EXIT_RUNTIME;
	}
	if (!rc && o->guard[0])
		rc = SL_EXIT_RUNTIME;
	if (!rc && o->signal)
		rc = 128 + o->signal;
	free(o);
	engine_opts_free(&cfg);
	return rc;
}
