/* Report output files: stdout, or a temporary file made exclusively and renamed into place. */
#include "report/out.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "run/stop.h"

/* A temporary file younger than this may be one a writer has just made and not yet locked. */
#define STALE_AGE 10.0

/* Splits path into its directory ("." when none) and its last component. */
static int split(const char *path, char *dir, size_t dsize, char *name, size_t nsize)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	size_t dn = slash ? (size_t)(slash - path) : 0;

	if (!*base || !strcmp(base, ".") || !strcmp(base, ".."))
		return -EISDIR;
	if (strlen(base) >= nsize)
		return -ENAMETOOLONG;
	if (!slash)
		snprintf(dir, dsize, ".");
	else if (dn == 0)
		snprintf(dir, dsize, "/");
	else if (dn < dsize)
		snprintf(dir, dsize, "%.*s", (int)dn, path);
	else
		return -ENAMETOOLONG;
	snprintf(name, nsize, "%s", base);
	return 0;
}

static bool is_dev_null(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && st->st_rdev == makedev(1, 3);
}

static const char *kind(mode_t m)
{
	return S_ISDIR(m)  ? "a directory" :
	       S_ISFIFO(m) ? "a FIFO" :
	       S_ISSOCK(m) ? "a socket" :
	       S_ISCHR(m)  ? "a character device" :
	       S_ISBLK(m)  ? "a block device" :
			     "not a regular file";
}

/*
 * What stands at name now, following a link: 0 nothing or a regular file (the temporary file
 * replaces it, or the link to it); 1 /dev/null (written in place); -EEXIST anything else (why says).
 */
static int target_kind(int dirfd, const char *name, char *why, size_t size)
{
	struct stat st, lst;
	bool link;

	if (fstatat(dirfd, name, &st, 0))
		return 0; /* missing, a dangling link or a loop: the rename replaces the name */
	if (S_ISREG(st.st_mode))
		return 0;
	if (is_dev_null(&st))
		return 1;
	link = !fstatat(dirfd, name, &lst, AT_SYMLINK_NOFOLLOW) && S_ISLNK(lst.st_mode);
	snprintf(why, size,
		 "%s%s; sockleak writes reports to regular files only (\"-\" is standard "
		 "output)",
		 link ? "is a symbolic link to " : "is ", kind(st.st_mode));
	return -EEXIST;
}

static mode_t file_mode(void)
{
	char buf[2048], *p;
	unsigned long mask = 022;

	/* umask() cannot be read without setting it, which races with other threads. */
	if (sl_read_file("/proc/self/status", buf, sizeof(buf)) > 0 &&
	    (p = strstr(buf, "\nUmask:")))
		mask = strtoul(p + 7, NULL, 8);
	return 0644 & ~(mode_t)mask;
}

/* Creates .NAME.sockleak-XXXXXX in dirfd, exclusively, never through a link; locked. fd or -errno. */
static int make_tmp(int dirfd, const char *name, char *tmp, size_t size)
{
	static const char chars[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	/* Room for '.', the tag, the random part and the NUL within a file name of NAME_MAX. */
	int keep = 255 - 1 - (int)strlen(OUT_TMP_TAG) - OUT_TMP_RANDOM;
	unsigned char r[OUT_TMP_RANDOM];
	int tries, fd, i, n;

	for (tries = 0; tries < 100; tries++) {
		if (getrandom(r, sizeof(r), 0) != sizeof(r))
			return -errno;
		n = snprintf(tmp, size, ".%.*s" OUT_TMP_TAG, keep, name);
		if (n < 0 || (size_t)n + OUT_TMP_RANDOM >= size)
			return -ENAMETOOLONG;
		for (i = 0; i < OUT_TMP_RANDOM; i++)
			tmp[n + i] = chars[r[i] % (sizeof(chars) - 1)];
		tmp[n + OUT_TMP_RANDOM] = '\0';
		fd = openat(dirfd, tmp,
			    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
		if (fd >= 0) {
			/* Held until renamed: a later run removes only files nobody holds. */
			flock(fd, LOCK_EX | LOCK_NB);
			return fd;
		}
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

static bool is_tmp_name(const char *n)
{
	size_t len = strlen(n), tag = strlen(OUT_TMP_TAG), i;

	if (n[0] != '.' || len < 2 + tag + OUT_TMP_RANDOM)
		return false;
	if (strncmp(n + len - OUT_TMP_RANDOM - tag, OUT_TMP_TAG, tag))
		return false;
	for (i = len - OUT_TMP_RANDOM; i < len; i++)
		if (!((n[i] >= 'a' && n[i] <= 'z') || (n[i] >= 'A' && n[i] <= 'Z') ||
		      (n[i] >= '0' && n[i] <= '9')))
			return false;
	return true;
}

int out_sweep_stale(int dirfd, double min_age, char *said, size_t size)
{
	struct timespec now;
	int fd = dup(dirfd), n = 0;
	struct dirent *e;
	size_t used = 0;
	DIR *d;

	if (size)
		said[0] = '\0';
	clock_gettime(CLOCK_REALTIME, &now);
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	/* The duplicate shares the caller's offset, which an earlier pass left at the end. */
	rewinddir(d);
	while ((e = readdir(d))) {
		struct stat st;
		int f;

		if (!is_tmp_name(e->d_name))
			continue;
		f = openat(dirfd, e->d_name,
			   O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		if (f < 0)
			continue;
		/* Ours, regular, not touched lately, and no live writer holds its lock. */
		if (!fstat(f, &st) && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
		    now.tv_sec - st.st_ctim.tv_sec + (now.tv_nsec - st.st_ctim.tv_nsec) * 1e-9 >=
			    min_age &&
		    !flock(f, LOCK_EX | LOCK_NB) && !unlinkat(dirfd, e->d_name, 0)) {
			int k = snprintf(said + used, size > used ? size - used : 0, "%s%s",
					 n ? ", " : "", e->d_name);

			if (k > 0 && used + (size_t)k < size)
				used += (size_t)k;
			n++;
		}
		close(f);
	}
	closedir(d);
	return n;
}

static void sweep_and_say(int dirfd, const char *dir)
{
	char said[512];
	int n = out_sweep_stale(dirfd, STALE_AGE, said, sizeof(said));

	if (n)
		sl_err("removed %d temporary file%s that killed runs left in %s: %s", n,
		       n == 1 ? "" : "s", dir, said);
}

/* Opens dir, proves that a file can be made in it, and sweeps what killed writers left. */
static int check_in_dir(const char *opt, const char *path, const char *dir, const char *name)
{
	char tmp[300];
	int dirfd, fd, err;

	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		err = -errno;
		sl_err("%s %s: %s %s; create it or give another path", opt, path,
		       err == -ENOENT ? "no directory" : "cannot open the directory", dir);
		return err;
	}
	fd = make_tmp(dirfd, name, tmp, sizeof(tmp));
	if (fd < 0) {
		err = fd;
		sl_err("%s %s: cannot create a file in %s: %s", opt, path, dir, strerror(-err));
		close(dirfd);
		return err;
	}
	unlinkat(dirfd, tmp, 0);
	close(fd);
	sweep_and_say(dirfd, dir);
	close(dirfd);
	return 0;
}

int out_check(const char *opt, const char *path)
{
	char dir[4096], name[256], why[256];
	int err, dirfd;

	if (!path || !strcmp(path, "-"))
		return 0;
	if (!*path) {
		sl_err("%s: no output file given", opt);
		return -EINVAL;
	}
	if ((err = split(path, dir, sizeof(dir), name, sizeof(name)))) {
		sl_err("%s %s: %s", opt, path,
		       err == -EISDIR ? "names a directory; give a file name" : strerror(-err));
		return err;
	}
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd >= 0) {
		err = target_kind(dirfd, name, why, sizeof(why));
		close(dirfd);
		if (err == 1)
			return 0;
		if (err < 0) {
			sl_err("%s %s: %s", opt, path, why);
			return err;
		}
	}
	return check_in_dir(opt, path, dir, name);
}

int out_check_dir(const char *opt, const char *dir)
{
	char parent[4096], name[256];
	struct stat st;
	int err;

	if (!dir || !*dir) {
		sl_err("%s: no directory given", opt);
		return -EINVAL;
	}
	if (!stat(dir, &st)) {
		if (!S_ISDIR(st.st_mode)) {
			sl_err("%s %s: %s, not a directory", opt, dir, kind(st.st_mode));
			return -ENOTDIR;
		}
		return check_in_dir(opt, dir, dir, "index.html");
	}
	/* Missing: it is created in its parent, which must take it. */
	if ((err = split(dir, parent, sizeof(parent), name, sizeof(name)))) {
		sl_err("%s %s: %s", opt, dir, strerror(-err));
		return err;
	}
	return check_in_dir(opt, dir, parent, name);
}

int out_make_dir(const char *opt, const char *dir)
{
	struct stat st;
	int err;

	if (!mkdir(dir, 0755))
		return 0;
	err = errno;
	if (err == EEXIST && !stat(dir, &st) && S_ISDIR(st.st_mode))
		return 0;
	sl_err("%s %s: %s; give a directory that can be created or written", opt, dir,
	       err == EEXIST ? "exists and is not a directory" : strerror(err));
	return -err;
}

/* A signal that ends the process while a report is written: its temporary file goes too. */
static void remove_tmp(void *arg)
{
	const struct out *o = arg;

	if (o->tmp[0])
		unlinkat(o->dirfd, o->tmp, 0);
}

int out_open(struct out *o, const char *path)
{
	char dir[4096], why[256];
	int fd = -1, err, k;

	memset(o, 0, sizeof(*o));
	o->path = path;
	o->dirfd = -1;
	o->cleanup = -1;
	if (!path || !*path) {
		sl_err("no output file given");
		return -EINVAL;
	}
	if (!strcmp(path, "-")) {
		o->f = stdout;
		return 0;
	}
	if ((err = split(path, dir, sizeof(dir), o->name, sizeof(o->name))))
		goto fail;
	o->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (o->dirfd < 0) {
		err = -errno;
		goto fail;
	}
	k = target_kind(o->dirfd, o->name, why, sizeof(why));
	if (k < 0) {
		sl_err("cannot write %s: it %s", path, why);
		err = k;
		goto out;
	}
	if (k == 1) {
		fd = open("/dev/null", O_WRONLY | O_CLOEXEC | O_NOCTTY);
		err = fd < 0 ? -errno : 0;
	} else {
		fd = make_tmp(o->dirfd, o->name, o->tmp, sizeof(o->tmp));
		err = fd < 0 ? fd : 0;
		if (!err)
			o->cleanup = stop_cleanup_push(remove_tmp, o);
	}
	if (err) {
		fd = -1;
		o->tmp[0] = '\0';
		goto fail;
	}
	if (!(o->f = fdopen(fd, "w"))) {
		err = -errno;
		goto fail;
	}
	return 0;
fail:
	sl_err("cannot write %s: %s (check that the directory exists and is writable)", path,
	       strerror(-err));
out:
	if (fd >= 0)
		close(fd);
	if (o->tmp[0])
		unlinkat(o->dirfd, o->tmp, 0);
	stop_cleanup_pop(o->cleanup);
	o->cleanup = -1;
	if (o->dirfd >= 0)
		close(o->dirfd);
	o->dirfd = -1;
	o->tmp[0] = '\0';
	return err;
}

int out_close(struct out *o, int err)
{
	char why[256];
	int e = 0;

	if (!o->f)
		return err;
	errno = 0;
	if (fflush(o->f) || ferror(o->f))
		e = errno ? -errno : -EIO;
	if (o->tmp[0] && !err && !e && fchmod(fileno(o->f), file_mode()))
		e = -errno;
	if (o->f != stdout && fclose(o->f) && !e)
		e = errno ? -errno : -EIO;
	if (o->tmp[0]) {
		/* What stands at the name may have changed while the report was written. */
		if (!err && !e && target_kind(o->dirfd, o->name, why, sizeof(why)) < 0) {
			sl_err("cannot write %s: it %s", o->path, why);
			err = -EEXIST;
		}
		if (!err && !e && renameat(o->dirfd, o->tmp, o->dirfd, o->name))
			e = -errno;
		if (err || e)
			unlinkat(o->dirfd, o->tmp, 0);
		stop_cleanup_pop(o->cleanup);
		o->cleanup = -1;
	}
	if (e && !err)
		sl_err("cannot write %s: %s", strcmp(o->path, "-") ? o->path : "standard output",
		       strerror(-e));
	/* Said once: what stdout still carries after this is checked on exit. */
	if (o->f == stdout)
		clearerr(stdout);
	if (o->dirfd >= 0)
		close(o->dirfd);
	o->f = NULL;
	o->dirfd = -1;
	o->tmp[0] = '\0';
	return err ? err : e;
}

int out_write(const char *path, int (*write)(FILE *f, const void *arg), const void *arg)
{
	struct out o;
	int err = out_open(&o, path);

	if (err)
		return err;
	err = write(o.f, arg);
	if (err)
		sl_err("cannot write %s: %s", path, strerror(-err));
	return out_close(&o, err);
}
