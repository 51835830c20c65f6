/* Shared helpers: messages, exit codes, clocks and strict number parsing. */
#ifndef SOCKLEAK_COMMON_H
#define SOCKLEAK_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Exit codes, documented in README.md, sockleak(1) and every --help, and 128+N: ended by signal N.
 * When several apply, the first of these wins: 2, found before any work and returned where it is
 * found; 128+N, even after a Ctrl-C the run handled and still gave a verdict for; 3; 1; 0.
 * sl_exit_code decides the rest.
 */
enum sl_exit {
	SL_EXIT_OK = 0, /* CLEAN or BOUNDED (or a command that succeeded) */
	SL_EXIT_FAIL =
		1, /* at or above --fail-on (default: LEAK or BACKLOG), REGRESSION for compare */
	SL_EXIT_USAGE = 2, /* bad command line or input file, an output that cannot be written */
	SL_EXIT_RUNTIME =
		3, /* the run could not be carried out, the memory guard, a failed write */
};

/*
 * The exit code of a command that got past its usage checks: signal N ended it (0: none), a
 * runtime error (the memory guard and an output that did not arrive included), a failing verdict.
 */
int sl_exit_code(int signal, bool runtime_error, bool fails);

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* printf-style checking; mingw's "printf" is Microsoft's, its C99 printf (what we use) gnu_printf. */
#ifdef __MINGW32__
#define SL_PRINTF(f, a) __attribute__((format(gnu_printf, f, a)))
#else
#define SL_PRINTF(f, a) __attribute__((format(printf, f, a)))
#endif

/* Prints "sockleak: CMD: <message>\n" to stderr (CMD: the command running, when one is). */
void sl_err(const char *fmt, ...) SL_PRINTF(1, 2);
/* The command sl_err names ("run"); NULL: none. Set once, before any thread starts. */
void sl_set_command(const char *name);

/* CLOCK_MONOTONIC in seconds. */
double sl_now(void);

/* Strict parsers: the whole string must be a number in range; 0 or -EINVAL/-ERANGE. */
int sl_parse_u64(const char *s, uint64_t *out);
int sl_parse_int(const char *s, long min, long max, long *out);
int sl_parse_double(const char *s, double *out);
/* The longest duration any option takes: a day. */
#define SL_MAX_SECONDS (24 * 3600.0)
/* "90", "90s", "1.5m", "2h", "250ms" -> seconds. */
int sl_parse_duration(const char *s, double *seconds);
/* "64", "4k", "1M" (powers of 1024) -> bytes. */
int sl_parse_size(const char *s, uint64_t *bytes);

/* Reads a small file (e.g. under /proc or /sys) into buf, NUL-terminated; returns length or -errno. */
long sl_read_file(const char *path, char *buf, size_t size);

bool sl_is_root(void);

/* Online CPUs, at least 1. */
unsigned sl_cpus(void);
/* The VM `sockleak vm` started this process in ("qemu/tcg", from SOCKLEAK_VM), or NULL. */
const char *sl_vm(void);

#endif
