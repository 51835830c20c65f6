/*
 * sockleak run --kernels host,IMAGE,...: the same run on each kernel in turn, this machine's
 * natively and each image in a VM, each kernel's reports named after its release, and a line
 * across them that says what each kernel gave.
 */
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "cli/cli.h"
#include "common.h"
#include "config.h"
#include "report/out.h"
#include "report/report.h"
#include "run/sweep.h"
#include "vm/kernels.h"
#include "vm/vm.h"

/* The outputs each kernel writes under a name of its own. */
static const char *const outputs[] = { "json", "html", "junit", "csv", NULL };
#define NOUT 4

/* What one kernel gave. */
struct outcome {
	const char *label; /* its release */
	const char *image; /* NULL: this machine's */
	char verdict[24]; /* "" when none */
	char why[320]; /* why none */
	int rc;
};

static const char *user_path(const struct run_config *cfg, size_t i)
{
	const char *p[NOUT] = { cfg->json_path, cfg->html_path, cfg->junit_path, cfg->csv_path };

	return p[i];
}

static bool with_host(const struct sweep_matrix *m)
{
	size_t k;

	for (k = 0; k < m->nkernels; k++)
		if (!m->kernels[k].image[0])
			return true;
	return false;
}

/* Refuses what cannot run across these kernels, before any of them runs. 0 or SL_EXIT_USAGE. */
static int check(const struct run_config *cfg, const struct sweep_matrix *m, const char *host)
{
	char name[4096], opt[32];
	size_t i, k;

	for (i = 0; i < NOUT; i++) {
		if (user_path(cfg, i) && !strcmp(user_path(cfg, i), "-")) {
			sl_err("--%s -: with --kernels each kernel writes its own; give a file, named "
			       "after each kernel (out.json: out.RELEASE.json)",
			       outputs[i]);
			return SL_EXIT_USAGE;
		}
	}
	for (k = 0; k < m->nkernels; k++) {
		const struct sweep_kernel *K = &m->kernels[k];
		const char *label = K->image[0] ? K->label : host;

		if (K->image[0] && cfg->server_pid) {
			sl_err("--pid: the server runs on this machine; a VM of --kernels (%s) cannot "
			       "watch it",
			       K->label);
			return SL_EXIT_USAGE;
		}
		if (K->image[0] && !strcmp(K->label, host) && with_host(m)) {
			sl_err("--kernels: %s is %s, this machine's release (host) too: their reports "
			       "would have the same names; give one of them",
			       K->image, host);
			return SL_EXIT_USAGE;
		}
		for (i = 0; i < NOUT; i++) {
			if (!user_path(cfg, i))
				continue;
			snprintf(opt, sizeof(opt), "--%s", outputs[i]);
			if (vm_kernel_file(user_path(cfg, i), label, name, sizeof(name))) {
				sl_err("%s %s: path too long", opt, user_path(cfg, i));
				return SL_EXIT_USAGE;
			}
			if (out_check(opt, name))
				return SL_EXIT_USAGE;
		}
	}
	return 0;
}

/* The command line of kernel label's run: argv without --kernels, its outputs named after it. */
static char **kernel_argv(const struct run_config *cfg, const char *label, const char *json,
			  int argc, char **argv, int *out_argc)
{
	char **w = vm_argv_keep("run", command_run.opts, outputs, argc, argv, NOUT, out_argc);
	char name[4096];
	size_t i;

	for (i = 0; w && i < NOUT; i++) {
		const char *p = i == 0 ? json : user_path(cfg, i);

		if (!p)
			continue;
		if (i && vm_kernel_file(p, label, name, sizeof(name)))
			name[0] = '\0';
		if (vm_argv_push(w, out_argc, "--%s=%s", outputs[i], i ? name : p)) {
			vm_argv_free(w);
			return NULL;
		}
	}
	return w;
}

/* The verdict of the kernel's run, read back from its JSON report. */
static void take_verdict(struct outcome *o, const char *json)
{
	struct report_run *r = calloc(1, sizeof(*r));
	struct stat sb;

	if (!r || stat(json, &sb) || report_json_load(json, r)) {
		if (!o->why[0])
			snprintf(o->why, sizeof(o->why), "it gave no report (exit %d)", o->rc);
	} else {
		snprintf(o->verdict, sizeof(o->verdict), "%s", verdict_name(r->r.verdict));
		if (r->has_machine && strcmp(r->m.kernel, o->label))
			sl_err("note: %s: its report says it ran on %s", o->label, r->m.kernel);
	}
	if (r)
		report_run_free(r);
	free(r);
}

/* How bad an exit code is: a signal, then a runtime error, then usage, then a verdict. */
static int rank(int rc)
{
	return rc >= 128 ? 4 : rc == SL_EXIT_RUNTIME ? 3 : rc == SL_EXIT_USAGE ? 2 : rc ? 1 : 0;
}

/* "Across kernels: LEAK on 6.1.0-47-amd64, CLEAN on 6.18.44". */
static void across(FILE *f, const struct outcome *o, size_t n)
{
	size_t i;

	fprintf(f, "\nAcross kernels:");
	for (i = 0; i < n; i++) {
		if (o[i].verdict[0])
			fprintf(f, "%s %s on %s", i ? "," : "", o[i].verdict, o[i].label);
		else
			fprintf(f, "%s NOT RUN on %s (%s)", i ? "," : "", o[i].label, o[i].why);
	}
	fprintf(f, "\n");
}

/* A signal that came between two kernels' runs (blocked then): its number, or 0. */
static int between(const sigset_t *stop)
{
	const struct timespec now = { 0, 0 };
	int sig = sigtimedwait(stop, NULL, &now);

	return sig > 0 ? sig : 0;
}

int run_kernels(const struct run_config *cfg, const struct vm_kernels *k, int argc, char **argv)
{
	struct sweep_matrix *m = calloc(1, sizeof(*m));
	struct outcome o[SWEEP_MAX_KERNELS];
	const char *tmp = getenv("TMPDIR");
	char why[1024], dir[4096] = "", json[4400];
	struct utsname u;
	int rc = 0, signal = 0;
	sigset_t stop, old;
	size_t i, n = 0;

	memset(o, 0, sizeof(o));
	if (!m)
		return SL_EXIT_RUNTIME;
	if (sweep_parse_kernels(m, k->list, why, sizeof(why))) {
		sl_err("--kernels: %s", why);
		rc = SL_EXIT_USAGE;
		goto out;
	}
	uname(&u);
	rc = check(cfg, m, u.release);
	if (rc)
		goto out;
	snprintf(dir, sizeof(dir), "%s/sockleak-run.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		sl_err("cannot create %s: %s", dir, strerror(errno));
		dir[0] = '\0';
		rc = SL_EXIT_RUNTIME;
		goto out;
	}
	/*
	 * Between the kernels' runs a signal waits (blocked) and is taken before the next one: the
	 * rest are not started and the private directory still goes. The host's run handles its own
	 * (the stop module); a VM's goes to its guest (vm_run).
	 */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	sigprocmask(SIG_BLOCK, &stop, &old);
	for (n = 0; n < m->nkernels; n++) {
		const struct sweep_kernel *K = &m->kernels[n];
		struct outcome *x = &o[n];
		char **w;
		int wc;

		x->image = K->image[0] ? K->image : NULL;
		x->label = x->image ? K->label : u.release;
		if (!signal)
			signal = between(&stop);
		if (signal) {
			x->rc = 128 + signal;
			snprintf(x->why, sizeof(x->why), "not started: stopped by signal %d",
				 signal);
			continue;
		}
		if (cfg->json_path)
			vm_kernel_file(cfg->json_path, x->label, json, sizeof(json));
		else
			snprintf(json, sizeof(json), "%s/%s.json", dir, x->label);
		w = kernel_argv(cfg, x->label, json, argc, argv, &wc);
		if (!w) {
			x->rc = SL_EXIT_RUNTIME;
			snprintf(x->why, sizeof(x->why), "out of memory");
			continue;
		}
		printf("%s== Linux %s: %s%s ==\n", n ? "\n" : "", x->label,
		       x->image ? "in a VM of " : "this machine's", x->image ? x->image : "");
		fflush(stdout);
		if (x->image) {
			char said[256] = "";

			x->rc = vm_kernel_run(k, x->image, command_run.opts, false, said,
					      sizeof(said), wc, w);
			if (said[0])
				snprintf(x->why, sizeof(x->why), "its VM could not run it: %s",
					 said);
		} else {
			sigprocmask(SIG_SETMASK, &old, NULL);
			x->rc = cmd_run(wc, w);
			sigprocmask(SIG_BLOCK, &stop, NULL);
		}
		vm_argv_free(w);
		if (x->rc >= 128) {
			signal = x->rc - 128;
			snprintf(x->why, sizeof(x->why), "stopped by signal %d", signal);
		}
		take_verdict(x, json);
		if (!x->verdict[0] && rank(x->rc) < rank(SL_EXIT_RUNTIME))
			x->rc = SL_EXIT_RUNTIME; /* no verdict is never a pass */
	}
	if (!signal)
		signal = between(&stop);
	sigprocmask(SIG_SETMASK, &old, NULL);
	across(stdout, o, n);
	for (i = 0; i < n; i++)
		if (rank(o[i].rc) > rank(rc))
			rc = o[i].rc;
	if (signal && rc < 128)
		rc = 128 + signal; /* after the last run: reports written, still ended by it */
out:
	if (dir[0])
		vm_rm_tree(AT_FDCWD, dir);
	free(m);
	return rc;
}
