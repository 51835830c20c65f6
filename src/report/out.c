/* Report output files: stdout or a temporary file renamed into place when complete. */
#include "report/out.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

int out_open(struct out *o, const char *path)
{
	const char *name;
	struct stat st;
	int fd, err;

	memset(o, 0, sizeof(*o));
	o->path = path;
	if (!path || !*path) {
		sl_err("no output file given");
		return -EINVAL;
	}
	if (!strcmp(path, "-")) {
		o->f = stdout;
		return 0;
	}
	/* A device or a pipe (/dev/null, <(...)) is written in place: renaming over it would replace it. */
	if (!stat(path, &st) && !S_ISREG(st.st_mode)) {
		name = path;
	} else {
		if (asprintf(&o->tmp, "%s.%d.tmp", path, (int)getpid()) < 0) {
			o->tmp = NULL;
			return -ENOMEM;
		}
		name = o->tmp;
	}
	fd = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0 || !(o->f = fdopen(fd, "w"))) {
		err = -errno;
		sl_err("cannot write %s: %s (check that the directory exists and is writable)",
		       path, strerror(-err));
		if (fd >= 0)
			close(fd);
		if (o->tmp)
			unlink(o->tmp);
		free(o->tmp);
		o->tmp = NULL;
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
	if (o->tmp) {
		if (!err && !e && rename(o->tmp, o->path))
			e = -errno;
		if (err || e)
			unlink(o->tmp);
		free(o->tmp);
	}
	if (e && !err)
		sl_err("cannot write %s: %s", o->path, strerror(-e));
	o->f = NULL;
	o->tmp = NULL;
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
