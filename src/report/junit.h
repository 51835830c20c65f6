/* JUnit XML: the test report CI systems read (Jenkins, GitLab, GitHub Actions' reporters). */
#ifndef SOCKLEAK_REPORT_JUNIT_H
#define SOCKLEAK_REPORT_JUNIT_H

#include <stddef.h>
#include <stdio.h>

enum junit_status {
	JUNIT_PASS,
	JUNIT_FAIL, /* at or above --fail-on */
	JUNIT_ERROR, /* could not be carried out */
	JUNIT_SKIP, /* could not run here, or was not run */
};

struct junit_case {
	const char *name, *classname;
	double time; /* seconds; NaN: not said */
	enum junit_status status;
	const char *type; /* the failure's or error's type: the verdict ("LEAK") */
	const char *message; /* one line: the verdict line, or why it was skipped */
	const char *detail; /* the failure's text (evidence), or NULL */
	const char *out; /* system-out: the text report, or NULL */
};

struct junit_property {
	const char *name, *value;
};

struct junit_suite {
	const char *name; /* "sockleak run", "sockleak sweep" */
	const char *hostname, *timestamp; /* may be NULL; timestamp as ISO 8601 */
	double time;
	const struct junit_property *props; /* kernel, sequence, ...; n_props of them */
	size_t n_props;
	const struct junit_case *cases;
	size_t n;
	const char *out; /* the suite's system-out, or NULL */
};

/* Writes the suite as a <testsuites> document with one <testsuite>. 0 or -EIO. */
int junit_write(FILE *f, const struct junit_suite *s);
/* The same to a file, written whole or not at all ("-": stdout). 0 or -errno, said. */
int report_junit(const char *path, const struct junit_suite *s);

#endif

struct report_in;
/*
 * A run's JUnit report: a case for the overall verdict (the verdict line as its message, after
 * --confirm the confirmed verdict) and one per decisive metric, each failing when its verdict is
 * in fail_on; the text report (at width) is the suite's system-out. 0 or -errno, said.
 */
int report_junit_run(const char *path, const struct report_in *in, unsigned fail_on, int width);
