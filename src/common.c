/* Shared helpers: messages, clocks and strict number parsing. */
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "escape.h"

static const char *command;

void sl_set_command(const char *name)
{
	command = name;
}

int sl_exit_code(int signal, bool runtime_error, bool fails)
{
	if (signal > 0)
		return 128 + signal;
	if (runtime_error)
		return SL_EXIT_RUNTIME;
	return fails ? SL_EXIT_FAIL : SL_EXIT_OK;
}

void sl_err(const char *fmt, ...)
{
	char raw[1024], msg[1024];
	struct esc_state st = { 0 };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	/* Names in messages may come from a saved file or the system: never a terminal's escape. */
	esc_text(&st, raw, strlen(raw), msg, sizeof(msg), 1);
	/* One write, so lines from several threads do not interleave. */
	fprintf(stderr, "sockleak: %s%s%s\n", command ? command : "", command ? ": " : "", msg);
}

double sl_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int sl_parse_u64(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (*end)
		return -EINVAL;
	*out = v;
	return 0;
}

int sl_parse_int(const char *s, long min, long max, long *out)
{
	long v;
	char *end;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int sl_parse_double(const char *s, double *out)
{
	double v;
	char *end;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (*end || isnan(v))
		return -EINVAL;
	if (errno == ERANGE || isinf(v))
		return -ERANGE;
	*out = v;
	return 0;
}

int sl_parse_duration(const char *s, double *seconds)
{
	static const struct {
		const char *suffix;
		double mul;
	} units[] = { { "ms", 1e-3 }, { "s", 1 }, { "m", 60 }, { "h", 3600 }, { "d", 86400 } };
	char num[64];
	size_t n, i;
	double v, mul = 1;

	if (!s || !*s)
		return -EINVAL;
	n = strlen(s);
	if (n >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, n + 1);
	for (i = 0; i < ARRAY_SIZE(units); i++) {
		size_t k = strlen(units[i].suffix);

		if (n > k && !strcmp(num + n - k, units[i].suffix)) {
			num[n - k] = '\0';
			mul = units[i].mul;
			break;
		}
	}
	if (sl_parse_double(num, &v) || v < 0)
		return -EINVAL;
	*seconds = v * mul;
	return 0;
}

int sl_parse_size(const char *s, uint64_t *bytes)
{
	char num[64];
	size_t n;
	uint64_t v, mul = 1;

	if (!s || !*s)
		return -EINVAL;
	n = strlen(s);
	if (n >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, n + 1);
	switch (num[n - 1]) {
	case 'k':
	case 'K':
		mul = 1ULL << 10;
		break;
	case 'm':
	case 'M':
		mul = 1ULL << 20;
		break;
	case 'g':
	case 'G':
		mul = 1ULL << 30;
		break;
	}
	if (mul != 1)
		num[n - 1] = '\0';
	if (sl_parse_u64(num, &v))
		return -EINVAL;
	if (v > UINT64_MAX / mul)
		return -ERANGE;
	*bytes = v * mul;
	return 0;
}

long sl_read_file(const char *path, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;
	int fd, err = 0;

	if (size == 0)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (len < size - 1) {
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		if (n == 0)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	return err ? err : (long)len;
}

#ifdef _WIN32
/* Windows: an elevated token (Administrator) is what root is for sockleak. */
bool sl_is_root(void)
{
	TOKEN_ELEVATION el = { 0 };
	HANDLE tok;
	DWORD n;
	bool root = false;

	if (OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &tok)) {
		root = GetTokenInformation(tok, TokenElevation, &el, sizeof(el), &n) &&
		       el.TokenIsElevated;
		CloseHandle(tok);
	}
	return root;
}
#else
bool sl_is_root(void)
{
	return geteuid() == 0;
}
#endif

const char *sl_vm(void)
{
	const char *vm = getenv("SOCKLEAK_VM");

	return vm && *vm ? vm : NULL;
}

unsigned sl_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : (unsigned)n;
}
