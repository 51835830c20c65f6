/*
 * Report output files, safe to write as root in a shared directory: "-" is stdout; a file appears
 * complete or not at all, and nothing is ever written through a link sockleak did not make.
 */
#ifndef SOCKLEAK_REPORT_OUT_H
#define SOCKLEAK_REPORT_OUT_H

#include <stdio.h>

/* The temporary file beside a target NAME: ".NAME.sockleak-XXXXXX" (six random characters). */
#define OUT_TMP_TAG ".sockleak-"
#define OUT_TMP_RANDOM 6

struct out {
	FILE *f;
	const char *path; /* as given */
	int dirfd; /* the target's directory, held from open to rename; -1 for stdout */
	char name[256]; /* the target's name in that directory */
	char tmp[256]; /* the temporary file's name in that directory; "" when written in place */
	int cleanup; /* its removal should the process die before out_close (stop module), or -1 */
};

/*
 * Checks an output before any work starts, so that a run does not fail after its measurement:
 * NULL (not asked for) and "-" (standard output) pass; otherwise the directory must exist and take a new file, and an existing
 * target must be a regular file (a symbolic link is replaced, never followed) or /dev/null. FIFOs,
 * sockets, devices and directories, or links to them, are refused. opt names the option in the
 * message ("--json"). Removes temporary files that killed writers left in that directory, saying
 * so. 0, or -errno said with sl_err (the caller exits 2).
 */
int out_check(const char *opt, const char *path);
/* The same for a directory that files will be written into (created when missing, parent given). */
int out_check_dir(const char *opt, const char *dir);
/* Creates an output directory (mode 0755 less the umask), or takes the one there. 0 or -errno,
 * said with sl_err naming opt. */
int out_make_dir(const char *opt, const char *dir);

/*
 * Opens the output: a temporary file created exclusively (O_EXCL|O_NOFOLLOW) with an unpredictable
 * name beside the target, locked while written so that a later run can tell a killed writer's
 * leftover from a file being written, and removed should a signal end the process before
 * out_close (a clean-up of the stop module). The target is checked again as out_check does. On
 * failure says why (sl_err) and returns -errno. o must stay where it is until out_close.
 */
int out_open(struct out *o, const char *path);
/*
 * Finishes the output: flushes, checks for write errors (EPIPE, ENOSPC), sets mode 0644 (less the
 * umask) and renames the temporary file over the target. With err != 0 (the caller failed) it
 * removes the temporary file instead. Returns err, or the first error found here (said with
 * sl_err).
 */
int out_close(struct out *o, int err);
/*
 * Writes one output whole with write(f, arg), which returns 0 or -errno: out_open, write,
 * out_close, and any failure said with sl_err. Returns 0 or -errno.
 */
int out_write(const char *path, int (*write)(FILE *f, const void *arg), const void *arg);

/*
 * Removes, in directory dirfd, temporary files of out_open whose writer is gone: no lock on them,
 * unchanged for min_age seconds (out_check waits 10), owned by this user. Returns how many; their
 * names go to said (a comma-separated list, truncated to size). Never follows a link.
 */
int out_sweep_stale(int dirfd, double min_age, char *said, size_t size);

#endif
