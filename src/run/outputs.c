/* What a measured run leaves: the text report, its files, and --confirm's longer second run. */
#include "run/outputs.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "engine/seq.h"
#include "report/attribution.h"
#include "report/failures.h"
#include "report/junit.h"
#include "report/report.h"
#include "report/text.h"
#include "report/wrap.h"

FILE *run_text_out(const struct run_config *cfg)
{
	return cfg->json_path && !strcmp(cfg->json_path, "-") ? stderr : stdout;
}

/* How the run went, for the reports to say: what stopped it, whether quiesce settled, no cgroup. */
static void facts_of(const struct run_config *cfg, const struct run_output *o, struct run_facts *x)
{
	memset(x, 0, sizeof(*x));
	x->signal = o->signal;
	snprintf(x->stopped_by, sizeof(x->stopped_by), "%s", run_stopped_by(o));
	snprintf(x->guard, sizeof(x->guard), "%s", o->guard);
	x->settled = o->settled;
	snprintf(x->unsettled, sizeof(x->unsettled), "%s", o->settle);
	x->quiesce_max = o->quiesce_max;
	x->cgroup = o->cgroup_version > 0;
	snprintf(x->cgroup_why, sizeof(x->cgroup_why), "%s", o->cgroup_why);
	x->text_width = wrap_width(run_text_out(cfg));
	if (cfg->server_pid) {
		x->server_pid = (int)cfg->server_pid;
		snprintf(x->server_stopped, sizeof(x->server_stopped), "%s",
			 o->server_lost ? o->server.how : "");
	} else if (cfg->server_cmd && o->server.stopped) {
		snprintf(x->server_stopped, sizeof(x->server_stopped), "%s", o->server.how);
		snprintf(x->server_output, sizeof(x->server_output), "%s", o->server.tail);
	}
}

/* The engine summary a report stores (report_engine_json); NULL: no memory. */
static json_t *engine_of(const struct run_config *cfg, const struct run_output *o)
{
	const char *names[ENGINE_MAX_OPS];
	unsigned i;

	for (i = 0; i < cfg->seq->nops; i++)
		names[i] = seq_op_name(cfg->seq->ops[i].kind);
	return report_engine_json(&o->stats, names, cfg->seq->nops);
}

void run_print(FILE *f, const struct run_config *cfg, const struct run_output *o)
{
	struct run_facts facts;
	json_t *eng = engine_of(cfg, o);

	facts_of(cfg, o, &facts);
	report_text_stop(f, &facts);
	report_text_failures(f, eng);
	report_text(f, &o->series, &o->result, cfg, wrap_width(f));
	report_text_errors(f, eng);
	json_decref(eng);
	report_text_attribution(f, &o->series, &o->attribution, wrap_width(f));
	report_text_facts(f, &facts);
}

int run_write_reports(const struct run_config *cfg, const struct run_output *o,
		      const struct machine *m, const struct confirm_result *conf)
{
	struct report_in in = { &o->series, &o->result, cfg, m, NULL, conf };
	struct run_facts facts;
	json_t *eng = engine_of(cfg, o);
	int rc = 0;

	in.engine = eng;
	facts_of(cfg, o, &facts);
	in.facts = &facts;
	in.attr = &o->attribution;
	in.full_series = cfg->full_series;
	if (cfg->json_path && report_json(cfg->json_path, &in))
		rc = -EIO;
	if (cfg->csv_path && report_csv(cfg->csv_path, &o->series))
		rc = -EIO;
	if (cfg->html_path && report_html(cfg->html_path, &in))
		rc = -EIO;
	if (cfg->junit_path &&
	    report_junit_run(cfg->junit_path, &in, cfg->fail_on, wrap_width(run_text_out(cfg))))
		rc = -EIO;
	json_decref(eng);
	return rc;
}

int run_confirm(const struct run_config *cfg, struct run_output *a, FILE *f,
		struct confirm_result *c, bool *have)
{
	struct run_config longer = *cfg;
	struct run_output *b = calloc(1, sizeof(*b));
	int rc;

	if (!b)
		return SL_EXIT_RUNTIME;
	if (cfg->ops)
		longer.ops = cfg->ops * 3;
	else
		longer.seconds = cfg->seconds * 3;
	if (!cfg->quiet)
		sl_err("confirming with a run of 3x the %s",
		       cfg->ops ? "cycles (--ops)" : "length (--seconds)");
	rc = run_measure(&longer, b);
	if (!rc && b->guard[0]) {
		sl_err("the memory guard stopped the confirmation run: verdict from the first run");
		rc = SL_EXIT_RUNTIME;
	} else if (!rc && !b->signal &&
		   !analysis_confirm(&a->series, &a->result, &b->series, &b->result, &a->params,
				     c)) {
		fprintf(f, "\n");
		report_text_confirm(f, &a->series, c, wrap_width(f));
		*have = true;
	} else if (!rc) {
		sl_err("confirmation run interrupted or not analysable: verdict from the first run");
	}
	if (b->signal)
		a->signal = b->signal;
	run_output_free(b);
	free(b);
	return rc;
}
