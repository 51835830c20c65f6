/*
 * server probe: the process tree of the server a run watches (--server-cmd, --pid), from /proc:
 * its open fds by type, resident memory, threads and processes.
 *
 * The tree is every process whose parents lead to the server's first process, found each sample
 * by the parent ids in /proc/PID/stat (this kernel has no /proc/PID/task/TID/children). With
 * --server-cmd sockleak is a child subreaper, so a server that forks into the background stays
 * in the tree: its orphans become sockleak's children (ctx->server_adopted).
 */
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

#define MAX_TREE 4096 /* processes of one server tree followed */

static const char *const kind_names[FDK_COUNT] = {
	[FDK_SOCKET] = "socket",
	[FDK_PIPE] = "pipe",
	[FDK_ANON] = "anon",
	[FDK_FILE] = "file",
};

struct ptree {
	int proc; /* ROOT/proc */
	pid_t root, adopter; /* the server's first process; sockleak when it adopts orphans */
	struct proc_link *all;
	size_t nall, cap;
	bool *in;
	struct probe_buf buf;
	char dents[16384];
	double page;
	int c_fds, c_kind[FDK_COUNT], c_rss, c_threads, c_procs;
};

int proc_stat_ppid(const char *buf, pid_t *ppid)
{
	/* "pid (comm) S ppid ...": comm may hold spaces and parentheses, the last ')' ends it. */
	const char *p = strrchr(buf, ')');
	char *end;
	long v;

	if (!p || p[1] != ' ' || !p[2] || p[3] != ' ')
		return -EPROTO;
	v = strtol(p + 4, &end, 10);
	if (end == p + 4 || v < 0)
		return -EPROTO;
	*ppid = (pid_t)v;
	return 0;
}

enum fd_kind fd_link_kind(const char *link)
{
	if (!strncmp(link, "socket:[", 8))
		return FDK_SOCKET;
	if (!strncmp(link, "pipe:[", 6))
		return FDK_PIPE;
	if (!strncmp(link, "anon_inode:", 11))
		return FDK_ANON;
	return FDK_FILE;
}

const char *fd_kind_name(enum fd_kind k)
{
	return (unsigned)k < FDK_COUNT ? kind_names[k] : "?";
}

int proc_limits_nofile(const char *buf, uint64_t *soft, uint64_t *hard)
{
	const char *p = strstr(buf, "\nMax open files");
	uint64_t *out[2] = { soft, hard };
	char *end;
	int i;

	if (!p && !strncmp(buf, "Max open files", 14))
		p = buf - 1;
	if (!p)
		return -ENOENT;
	p += 15;
	for (i = 0; i < 2; i++) {
		while (*p == ' ')
			p++;
		if (!strncmp(p, "unlimited", 9)) {
			*out[i] = UINT64_MAX;
			p += 9;
			continue;
		}
		*out[i] = strtoull(p, &end, 10);
		if (end == p)
			return -EPROTO;
		p = end;
	}
	return 0;
}

static int cmp_link(const void *a, const void *b)
{
	const struct proc_link *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* 1 in the tree, 0 not, resolved along the parent chain (state: -1 unknown, 2 being walked). */
static int member(const struct proc_link *l, size_t n, pid_t root, pid_t adopter, signed char *st,
		  size_t i)
{
	struct proc_link key;
	const struct proc_link *parent;
	size_t chain[64], depth = 0, k;
	int v = 0;

	for (;;) {
		if (st[i] == 0 || st[i] == 1) {
			v = st[i];
			break;
		}
		if (l[i].pid == root || (adopter > 0 && l[i].ppid == adopter)) {
			v = 1;
			chain[depth++] = i;
			break;
		}
		if (st[i] == 2 || depth == ARRAY_SIZE(chain)) {
			v = 0; /* a loop (pids reused mid-scan) or too deep: not followed */
			break;
		}
		st[i] = 2;
		chain[depth++] = i;
		key.pid = l[i].ppid;
		parent = l[i].ppid > 0 ? bsearch(&key, l, n, sizeof(*l), cmp_link) : NULL;
		if (!parent) {
			v = 0;
			break;
		}
		i = (size_t)(parent - l);
	}
	for (k = 0; k < depth; k++)
		st[chain[k]] = (signed char)v;
	return v;
}

size_t proc_tree(struct proc_link *l, size_t n, pid_t root, pid_t adopter, bool *in)
{
	signed char *st = malloc(n ? n : 1);
	size_t i, count = 0;

	if (!st)
		return 0;
	qsort(l, n, sizeof(*l), cmp_link);
	memset(st, -1, n);
	for (i = 0; i < n; i++) {
		in[i] = member(l, n, root, adopter, st, i) == 1;
		count += in[i];
	}
	free(st);
	return count;
}

static int add_link(struct ptree *t, pid_t pid, pid_t ppid)
{
	if (t->nall == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 512;
		struct proc_link *a = realloc(t->all, cap * sizeof(*a));
		bool *in = realloc(t->in, cap * sizeof(*in));

		if (a)
			t->all = a;
		if (in)
			t->in = in;
		if (!a || !in)
			return -ENOMEM;
		t->cap = cap;
	}
	t->all[t->nall].pid = pid;
	t->all[t->nall].ppid = ppid;
	t->nall++;
	return 0;
}

/* Reads ROOT/proc/PID/FILE into t->buf: length or -errno (the process may be gone). */
static long read_at(struct ptree *t, pid_t pid, const char *file)
{
	char path[64];
	long n;
	int fd;

	snprintf(path, sizeof(path), "%d/%s", (int)pid, file);
	fd = openat(t->proc, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = probe_read(fd, &t->buf);
	close(fd);
	return n;
}

/* Every process's parent, from the numeric entries of ROOT/proc. */
static int scan(struct ptree *t)
{
	long len;
	pid_t ppid;
	int err;

	t->nall = 0;
	if (lseek(t->proc, 0, SEEK_SET) < 0)
		return -errno;
	while ((len = syscall(SYS_getdents64, t->proc, t->dents, sizeof(t->dents))) > 0) {
		long off = 0;

		while (off < len) {
			struct dirent64 *d = (struct dirent64 *)(t->dents + off);
			char *end;
			long pid = strtol(d->d_name, &end, 10);

			off += d->d_reclen;
			if (*end || end == d->d_name || pid <= 0)
				continue;
			if (read_at(t, (pid_t)pid, "stat") < 0 || proc_stat_ppid(t->buf.p, &ppid))
				continue; /* gone since the listing */
			if ((err = add_link(t, (pid_t)pid, ppid)))
				return err;
		}
	}
	return len < 0 ? -errno : 0;
}

/* Counts one process's fds by type; a process that went away counts nothing. */
static void count_fds(struct ptree *t, pid_t pid, double *kinds)
{
	char path[32], link[64];
	long len;
	int dir;

	snprintf(path, sizeof(path), "%d/fd", (int)pid);
	dir = openat(t->proc, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return;
	while ((len = syscall(SYS_getdents64, dir, t->dents, sizeof(t->dents))) > 0) {
		long off = 0;

		while (off < len) {
			struct dirent64 *d = (struct dirent64 *)(t->dents + off);
			ssize_t n;

			off += d->d_reclen;
			if (d->d_name[0] == '.')
				continue;
			n = readlinkat(dir, d->d_name, link, sizeof(link) - 1);
			if (n < 0 && errno == ENOENT)
				continue; /* closed since the listing */
			link[n < 0 ? 0 : n] = '\0';
			kinds[fd_link_kind(link)]++;
		}
	}
	close(dir);
}

static int threads_of(void *arg, const char *key, double v)
{
	if (!strcmp(key, "Threads"))
		*(double *)arg = v;
	return 0;
}

static int ptree_sample(struct probe *p, struct series *s)
{
	struct ptree *t = p->priv;
	double kinds[FDK_COUNT] = { 0 }, rss = 0, threads = 0, procs = 0, fds = 0, th;
	uint64_t pages;
	size_t i;
	int err, k;

	if ((err = scan(t)))
		return err;
	proc_tree(t->all, t->nall, t->root, t->adopter, t->in);
	for (i = 0; i < t->nall; i++) {
		pid_t pid = t->all[i].pid;

		if (!t->in[i])
			continue;
		if (read_at(t, pid, "statm") < 0 || proc_statm_resident(t->buf.p, &pages))
			continue;
		th = 0;
		if (read_at(t, pid, "status") < 0 || proc_status_parse(t->buf.p, threads_of, &th))
			continue;
		procs++;
		rss += (double)pages * t->page;
		threads += th;
		count_fds(t, pid, kinds);
	}
	for (k = 0; k < FDK_COUNT; k++) {
		series_set(s, t->c_kind[k], kinds[k]);
		fds += kinds[k];
	}
	series_set(s, t->c_fds, fds);
	series_set(s, t->c_rss, rss);
	series_set(s, t->c_threads, threads);
	series_set(s, t->c_procs, procs);
	return 0;
}

static void ptree_close(struct probe *p)
{
	struct ptree *t = p->priv;

	if (!t)
		return;
	if (t->proc >= 0)
		close(t->proc);
	probe_buf_free(&t->buf);
	free(t->all);
	free(t->in);
	free(t);
	p->priv = NULL;
}

static int col(struct series *s, const char *key, enum unit unit, enum metric_class cls,
	       unsigned traits, const char *note)
{
	char name[64];

	snprintf(name, sizeof(name), "server.%s", key);
	return series_add(s, name,
			  &(struct metric_desc){ .kind = MK_LEVEL,
						 .unit = unit,
						 .cls = cls,
						 .traits = MT_SERVER | traits,
						 .source = "server",
						 .object = key,
						 .note = note });
}

static bool ptree_applies(const struct probe_ctx *ctx)
{
	return ctx->server_pid > 0;
}

/*
 * The server's fds decide as the run's own do (each descriptor it keeps per cycle is one more);
 * its resident memory decides too, against what allocators keep (analysis); its threads and
 * processes are shown.
 */
static int ptree_open(struct probe *p, const struct probe_ctx *ctx, struct series *s)
{
	struct ptree *t = calloc(1, sizeof(*t));
	char path[4096], name[32];
	int err, k;

	if (!t)
		return probe_off(p, -ENOMEM, "out of memory");
	p->priv = t;
	t->root = ctx->server_pid;
	t->adopter = ctx->server_adopted ? (ctx->pid > 0 ? ctx->pid : getpid()) : 0;
	t->page = (double)sysconf(_SC_PAGESIZE);
	snprintf(path, sizeof(path), "%s/proc", ctx->root ? ctx->root : "");
	t->proc = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (t->proc < 0) {
		err = probe_off(p, -errno, "cannot open %s: %s", path, strerror(errno));
		goto fail;
	}
	if ((err = probe_buf_init(&t->buf, 4096))) {
		err = probe_off(p, err, "out of memory");
		goto fail;
	}
	snprintf(name, sizeof(name), "%d", (int)t->root);
	if (faccessat(t->proc, name, F_OK, 0)) {
		err = probe_off(p, -ESRCH, "the server (pid %d) is gone", (int)t->root);
		goto fail;
	}
	t->c_fds = col(s, "fds", UNIT_COUNT, MC_FDS, MT_NETNS | MT_KEY,
		       "open fds of the server's processes");
	for (k = 0; k < FDK_COUNT; k++) {
		snprintf(name, sizeof(name), "fds.%s", kind_names[k]);
		t->c_kind[k] = col(s, name, UNIT_COUNT, MC_FDS, MT_NETNS | MT_PART, NULL);
	}
	t->c_rss = col(s, "rss", UNIT_BYTES, MC_OTHER, MT_KEY,
		       "resident memory of the server's processes, summed");
	t->c_threads = col(s, "threads", UNIT_COUNT, MC_OTHER, MT_ADVISORY, NULL);
	t->c_procs = col(s, "processes", UNIT_COUNT, MC_OTHER, MT_ADVISORY, NULL);
	if (t->c_fds < 0 || t->c_rss < 0 || t->c_threads < 0 || t->c_procs < 0) {
		err = probe_off(p, -ENOMEM, "out of memory");
		goto fail;
	}
	for (k = 0; k < FDK_COUNT; k++)
		if (t->c_kind[k] < 0) {
			err = probe_off(p, -ENOMEM, "out of memory");
			goto fail;
		}
	return 0;
fail:
	ptree_close(p);
	return err;
}

const struct probe_ops server_probe = {
	.name = "server",
	.applies = ptree_applies,
	.open = ptree_open,
	.sample = ptree_sample,
	.close = ptree_close,
};
