/* Captures what a function under test writes to stderr, so tests can check its messages. */
#ifndef SOCKLEAK_TEST_CAPTURE_H
#define SOCKLEAK_TEST_CAPTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct capture {
	int saved;
	FILE *tmp;
};

static inline void capture_begin(struct capture *c)
{
	fflush(stderr);
	c->saved = dup(2);
	c->tmp = tmpfile();
	dup2(fileno(c->tmp), 2);
}

/* Restores stderr and returns what was written (malloc'd, NUL-terminated). */
static inline char *capture_end(struct capture *c)
{
	long n;
	char *buf;

	fflush(stderr);
	dup2(c->saved, 2);
	close(c->saved);
	n = ftell(c->tmp);
	buf = calloc(1, (size_t)(n > 0 ? n : 0) + 1);
	rewind(c->tmp);
	if (n > 0 && fread(buf, 1, (size_t)n, c->tmp) != (size_t)n)
		buf[0] = '\0';
	fclose(c->tmp);
	return buf;
}

#endif
