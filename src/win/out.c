/* Report output files on Windows: "-" is stdout; a file is written to a temporary file created
 * exclusively beside it and moved over it when complete, so it appears whole or not at all. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common.h"
#include "report/out.h"

int (*win_fclose_hook)(FILE *f);

int out_check(const char *opt, const char *path)
{
	struct stat st;

	if (!path || !strcmp(path, "-"))
		return 0;
	if (!*path) {
		sl_err("%s: no file given", opt);
		return -EINVAL;
	}
	if (!stat(path, &st) && !S_ISREG(st.st_mode)) {
		sl_err("%s %s: not a regular file; name a new file or an existing one to replace",
		       opt, path);
		return -EINVAL;
	}
	return 0;
}

int out_check_dir(const char *opt, const char *dir)
{
	struct stat st;

	if (!stat(dir, &st))
		return S_ISDIR(st.st_mode) ? 0 :
					     (sl_err("%s %s: not a directory", opt, dir), -ENOTDIR);
	if (CreateDirectoryA(dir, NULL))
		return 0;
	sl_err("%s %s: cannot create the directory (error %lu)", opt, dir, GetLastError());
	return -EIO;
}

int out_open(struct out *o, const char *path)
{
	int fd = -1, i;

	memset(o, 0, sizeof(*o));
	o->path = path;
	o->dirfd = -1;
	if (!path || !*path) {
		sl_err("no output file given");
		return -EINVAL;
	}
	if (!strcmp(path, "-")) {
		o->f = stdout;
		return 0;
	}
	if (out_check("output", path))
		return -EINVAL;
	for (i = 0; i < 100 && fd < 0; i++) {
		snprintf(o->tmp, sizeof(o->tmp), "%s%s%06u", path, OUT_TMP_TAG,
			 (unsigned)(GetTickCount() * 2654435761u + (unsigned)i * 40503u) %
				 1000000u);
		fd = _open(o->tmp, _O_WRONLY | _O_CREAT | _O_EXCL | _O_BINARY | _O_NOINHERIT,
			   _S_IREAD | _S_IWRITE);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0 || !(o->f = _fdopen(fd, "wb"))) {
		int err = -errno;

		sl_err("cannot write %s: %s (check that the directory exists and is writable)",
		       path, strerror(-err));
		if (fd >= 0) {
			_close(fd);
			remove(o->tmp);
		}
		o->tmp[0] = '\0';
		return err;
	}
	return 0;
}

int out_close(struct out *o, int err)
{
	int e = 0;

	if (!o->f)
		return err;
	errno = 0;
	if (fflush(o->f) || ferror(o->f))
		e = errno ? -errno : -EIO;
	if (o->f != stdout && fclose(o->f) && !e)
		e = errno ? -errno : -EIO;
	if (o->tmp[0]) {
		/* rename refuses an existing target on Windows: MoveFileEx replaces it. */
		if (!err && !e &&
		    !MoveFileExA(o->tmp, o->path,
				 MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH))
			e = -EIO;
		if (err || e)
			remove(o->tmp);
	}
	if (e && !err)
		sl_err("cannot write %s: %s", o->path, strerror(-e));
	o->f = NULL;
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

int out_sweep_stale(int dirfd, double min_age, char *said, size_t size)
{
	(void)dirfd;
	(void)min_age;
	if (size)
		said[0] = '\0';
	return 0; /* a killed writer's temporary file stays on Windows: its name says what it is */
}
