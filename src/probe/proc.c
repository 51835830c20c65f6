/* proc probe: a process's open fds, resident memory and threads from /proc/PID. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common.h"
#include "probe/parse.h"
#include "probe/probe.h"

struct proc {
	int fd_dir, statm, status;
	struct probe_buf buf;
	char dents[8192];
	double page;
	int c_fds, c_rss, c_threads;
	struct series *s;
};

int proc_status_parse(const char *buf, kv_fn fn, void *arg)
{
	/* Same "Key:\tvalue [kB]" shape as /proc/meminfo. */
	return meminfo_parse(buf, fn, arg);
}

int proc_statm_resident(const char *buf, uint64_t *pages)
{
	char *end;

	/* "size resident shared text lib data dt", in pages. */
	strtoull(buf, &end, 10);
	if (end == buf)
		return -EPROTO;
	buf = end;
	*pages = strtoull(buf, &end, 10);
	return end == buf ? -EPROTO : 0;
}

/* Counts the entries of /proc/PID/fd with getdents64 into a fixed buffer: no allocation. */
static long count_fds(struct proc *pr)
{
	long n = 0, len;

	if (lseek(pr->fd_dir, 0, SEEK_SET) < 0)
		return -errno;
	while ((len = syscall(SYS_getdents64, pr->fd_dir, pr->dents, sizeof(pr->dents))) > 0) {
		long off = 0;

		while (off < len) {
			struct dirent64 *d = (struct dirent64 *)(pr->dents + off);

			if (d->d_name[0] != '.')
				n++;
			off += d->d_reclen;
		}
	}
	return len < 0 ? -errno : n;
}

static int threads_of(void *arg, const char *key, double v)
{
	if (!strcmp(key, "Threads"))
		*(double *)arg = v;
	return 0;
}

static int read_all(struct proc *pr, double *fds, double *rss, double *threads)
{
	uint64_t pages;
	long n;
	int err;

	if ((n = count_fds(pr)) < 0)
		return (int)n;
	*fds = (double)n;
	if ((n = probe_read(pr->statm, &pr->buf)) < 0)
		return (int)n;
	if ((err = proc_statm_resident(pr->buf.p, &pages)))
		return err;
	*rss = (double)pages * pr->page;
	if ((n = probe_read(pr->status, &pr->buf)) < 0)
		return (int)n;
	*threads = -1;
	if ((err = proc_status_parse(pr->buf.p, threads_of, threads)))
		return err;
	return *threads < 0 ? -EPROTO : 0;
}

static void proc_close(struct probe *p)
{
	struct proc *pr = p->priv;

	if (!pr)
		return;
	if (pr->fd_dir >= 0)
		close(pr->fd_dir);
	if (pr->statm >= 0)
		close(pr->statm);
	if (pr->status >= 0)
		close(pr->status);
	probe_buf_free(&pr->buf);
	free(pr);
	p->priv = NULL;
}

/*
 * Adds proc.KEY. The fds are the run's own sockets (each socket it leaks is one): exact. Its RSS
 * and threads are user-space memory and sockleak's own workers: shown, never deciding.
 */
static int add_col(struct series *s, const char *key, enum unit unit, enum metric_class cls,
		   unsigned traits)
{
	char name[64];

	snprintf(name, sizeof(name), "proc.%s", key);
	return series_add(s, name,
			  &(struct metric_desc){ .kind = MK_LEVEL,
						 .unit = unit,
						 .cls = cls,
						 .traits = traits,
						 .source = "proc",
						 .object = key });
}

static int proc_open(struct probe *p, const struct probe_ctx *ctx, struct series *s)
{
	struct proc *pr = calloc(1, sizeof(*pr));
	pid_t pid = ctx->pid > 0 ? ctx->pid : getpid();
	char path[64];
	double a, b, c;
	int err;

	if (!pr)
		return probe_off(p, -ENOMEM, "out of memory");
	p->priv = pr;
	pr->s = s;
	pr->page = (double)sysconf(_SC_PAGESIZE);
	pr->statm = pr->status = -1;
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	pr->fd_dir = probe_open_path(ctx, path);
	if (pr->fd_dir < 0) {
		err = probe_off(p, pr->fd_dir, "cannot open %s: %s%s", path, strerror(-pr->fd_dir),
				pr->fd_dir == -EACCES ? " (another user's process: needs root)" :
							"");
		goto fail;
	}
	snprintf(path, sizeof(path), "/proc/%d/statm", (int)pid);
	pr->statm = probe_open_path(ctx, path);
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	pr->status = probe_open_path(ctx, path);
	if (pr->statm < 0 || pr->status < 0) {
		err = probe_off(p, -ENOENT, "cannot open /proc/%d/statm or status", (int)pid);
		goto fail;
	}
	if ((err = probe_buf_init(&pr->buf, 4096)) || (err = read_all(pr, &a, &b, &c))) {
		err = probe_off(p, err, "cannot read /proc/%d: %s", (int)pid, strerror(-err));
		goto fail;
	}
	pr->c_fds = add_col(s, "fds", UNIT_COUNT, MC_FDS, MT_NETNS | MT_KEY);
	pr->c_rss = add_col(s, "rss", UNIT_BYTES, MC_OTHER, MT_ADVISORY);
	pr->c_threads = add_col(s, "threads", UNIT_COUNT, MC_OTHER, MT_ADVISORY);
	if (pr->c_fds < 0 || pr->c_rss < 0 || pr->c_threads < 0) {
		err = probe_off(p, -ENOMEM, "out of memory");
		goto fail;
	}
	return 0;
fail:
	proc_close(p);
	return err;
}

static int proc_sample(struct probe *p, struct series *s)
{
	struct proc *pr = p->priv;
	double fds, rss, threads;
	int err = read_all(pr, &fds, &rss, &threads);

	if (err)
		return err;
	series_set(s, pr->c_fds, fds);
	series_set(s, pr->c_rss, rss);
	series_set(s, pr->c_threads, threads);
	return 0;
}

const struct probe_ops proc_probe = {
	.name = "proc",
	.open = proc_open,
	.sample = proc_sample,
	.close = proc_close,
};
