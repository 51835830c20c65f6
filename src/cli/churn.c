/* sockleak churn: run a sequence in a tight loop and say how fast it went and what failed. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/engine_opts.h"
#include "common.h"
#include "engine/engine.h"
#include "engine/seq.h"
#include "engine/transport.h"
#include "report/failures.h"
#include "report/out.h"
#include "report/report.h"
#include "run/run.h"

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
	{ "allow-failures", OPT_ON(RC, allow_failures), .group = G_OUT,
	  .help = "cycles that nearly all fail (90% or more: a refused connect, a bad option) are "
		  "intended: exit 0, not 3" },
	{ "no-cgroup", OPT_OFF(RC, cgroup), .group = G_OUT,
	  .help = "do not run in a memory cgroup of its own" },
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
	.epilogue =
		"SIGINT, SIGTERM or SIGHUP stops the churn; the summary and JSON are still written.\n"
		"A second signal while they are written ends sockleak at once.\n"
		"\n"
		"Exit codes: 0 done, 2 usage error, 3 runtime error, stopped by the memory\n"
		"guard, or 90% or more of the cycles failed (without --allow-failures; the\n"
		"summary lists the errors by op and errno), 128+N stopped by signal N\n"
		"(SIGINT: 130) after printing the summary. When several apply: 128+N, then 3.\n",
};

static void print_summary(FILE *f, const struct run_config *cfg, const struct run_output *o)
{
	const struct engine_stats *st = &o->stats;
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
	fprintf(f, "  stopped by    %s\n", run_stopped_by(o));
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

static json_t *json_doc(const struct run_config *cfg, const struct run_output *o,
			const struct machine *m)
{
	const struct engine_stats *st = &o->stats;
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
	json_object_set_new(doc, "machine", report_machine_value(m));
	json_object_set_new(doc, "config",
			    json_pack("{s:i, s:f, s:I, s:f, s:b, s:I, s:b, s:i, s:s, s:i}",
				      "threads", cfg->threads, "seconds", cfg->seconds, "ops",
				      (json_int_t)cfg->ops, "rate", cfg->rate, "yield", cfg->yield,
				      "inject_leak", (json_int_t)cfg->inject_leak, "allow_open",
				      cfg->allow_open, "server_threads", cfg->server_threads,
				      "server_close", server_close_name(cfg->server_close),
				      "backlog", cfg->backlog));
	json_object_set_new(json_object_get(doc, "config"), "allow_failures",
			    json_boolean(cfg->allow_failures));
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
	json_object_set_new(doc, "stopped_by", json_string(run_stopped_by(o)));
	json_object_set_new(doc, "guard", o->guard[0] ? json_string(o->guard) : json_null());
	return doc;
}

static int dump_json(FILE *f, const void *doc)
{
	if (json_dumpf(doc, f, JSON_INDENT(2) | JSON_REAL_PRECISION(10)) || fputc('\n', f) == EOF)
		return errno ? -errno : -EIO;
	return 0;
}

static int write_json(const char *path, const struct run_config *cfg, const struct run_output *o,
		      const struct machine *m)
{
	json_t *doc = json_doc(cfg, o, m);
	int rc;

	if (!doc) {
		sl_err("cannot build the JSON summary");
		return -ENOMEM;
	}
	rc = out_write(path, dump_json, doc);
	json_decref(doc);
	return rc;
}

int cmd_churn(int argc, char **argv)
{
	struct run_config cfg = { 0 };
	struct run_output *o;
	struct machine m;
	bool failed;
	int first, r, rc;

	run_config_defaults(&cfg);
	cfg.cgroup = sl_is_root();
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
	machine_init(&m, "");
	cfg.churn_only = true;
	failed = run_measure(&cfg, o) != 0;
	m.netns = o->netns;
	m.cgroup = o->cgroup_version > 0;
	/* What was churned is said even when the run failed part-way. */
	if (o->stats.threads) {
		print_summary(cfg.json_path && !strcmp(cfg.json_path, "-") ? stderr : stdout, &cfg,
			      o);
		if (cfg.json_path && write_json(cfg.json_path, &cfg, o, &m))
			failed = true;
	}
	if (cfg.csv_path && o->sampled && report_csv(cfg.csv_path, &o->series))
		failed = true;
	if (o->stats.threads &&
	    failures_exit((double)o->stats.cycles, (double)o->stats.failed_cycles,
			  cfg.allow_failures, "errors above"))
		failed = true;
	rc = sl_exit_code(o->signal, failed || o->guard[0], false);
	run_output_free(o);
	free(o);
	engine_opts_free(&cfg);
	return rc;
}
