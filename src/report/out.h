/* Report output files: "-" is stdout; a file appears complete or not at all (temp file + rename). */
#ifndef SOCKLEAK_REPORT_OUT_H
#define SOCKLEAK_REPORT_OUT_H

#include <stdio.h>

struct out {
	FILE *f;
	const char *path; /* as given */
	char *tmp; /* the temporary file beside it; NULL for stdout */
};

/* Opens the output; on failure says why (sl_err) and returns -errno. */
int out_open(struct out *o, const char *path);
/*
 * Finishes the output: flushes, checks for write errors, renames the temporary file into place.
 * With err != 0 (the caller failed) it removes the temporary file instead. Returns err, or the
 * first error found here (said with sl_err).
 */
int out_close(struct out *o, int err);
/*
 * Writes one output whole with write(f, arg), which returns 0 or -errno: out_open, write,
 * out_close, and any failure said with sl_err. Returns 0 or -errno.
 */
int out_write(const char *path, int (*write)(FILE *f, const void *arg), const void *arg);

#endif
