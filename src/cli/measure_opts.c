/* The options of a measured run that run and sweep share, parsed in one place. */
#include "cli/measure_opts.h"

#include <errno.h>
#include <string.h>

#include "model/result.h"
#include "common.h"

int measure_parse_fail_on(const char *cmd, const char *arg, unsigned *mask)
{
	static const struct {
		const char *name;
		enum verdict v;
	} names[] = {
		{ "leak", VERDICT_LEAK },
		{ "backlog", VERDICT_BACKLOG },
		{ "inconclusive", VERDICT_INCONCLUSIVE },
		{ "bounded", VERDICT_BOUNDED },
	};
	size_t i;
	int v;

	/* Every verdict at least as severe fails. */
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (strcmp(arg, names[i].name))
			continue;
		*mask = 0;
		for (v = names[i].v; v < VERDICT_COUNT; v++)
			*mask |= 1u << v;
		return 0;
	}
	sl_err("%s: --fail-on '%s': choose leak, backlog, inconclusive or bounded", cmd, arg);
	return -EINVAL;
}

int measure_parse_seconds(const char *cmd, const char *opt, const char *arg, double min,
			  double *out)
{
	double v;

	if (sl_parse_duration(arg, &v) || v < min) {
		sl_err("%s: %s '%s': give a duration such as 500ms, 3s, 2m (at least %gs)", cmd,
		       opt, arg, min);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

int measure_opt(const struct measure_opts *m, int c, const char *arg)
{
	struct run_config *cfg = m->cfg;

	switch (c) {
	case MO_BASELINE:
		return measure_parse_seconds(m->cmd, "--baseline", arg, 0.5, m->baseline);
	case MO_QUIESCE_MAX:
		return measure_parse_seconds(m->cmd, "--quiesce-max", arg, 0, m->quiesce_max);
	case MO_INTERVAL:
		return measure_parse_seconds(m->cmd, "--interval", arg, 0.01, &cfg->interval);
	case MO_NO_TEARDOWN:
		cfg->teardown = false;
		return 0;
	case MO_FAIL_ON:
		return measure_parse_fail_on(m->cmd, arg, &cfg->fail_on);
	case MO_JSON:
		*m->json = arg;
		return 0;
	case MO_HTML:
		*m->html = arg;
		return 0;
	case MO_NO_CGROUP:
		cfg->cgroup = false;
		return 0;
	case 'q':
	case MO_QUIET:
		cfg->quiet = true;
		return 0;
	case 'h':
	case MO_HELP:
		m->help(stdout);
		return ENGINE_OPT_EXIT;
	default:
		return -ENOENT;
	}
}
