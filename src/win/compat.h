/* The POSIX bits the shared code uses, mapped to Win32 for the mingw-w64 build (force-included). */
#ifndef SOCKLEAK_WIN_COMPAT_H
#define SOCKLEAK_WIN_COMPAT_H

#ifndef _WIN32_WINNT
#define _WIN32_WINNT 0x0601 /* Windows 7: GetExtendedTcpTable, SetFileCompletionNotificationModes */
#endif
#define WIN32_LEAN_AND_MEAN

#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>

#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

typedef ADDRESS_FAMILY sa_family_t;
typedef uint32_t in_addr_t;

#define MSG_NOSIGNAL 0 /* Winsock raises no SIGPIPE */
/* Linux flags the sequence compiler knows; its Windows tables offer none of them. */
#define MSG_DONTWAIT 0x40
#define MSG_MORE 0x8000
#define MSG_ZEROCOPY 0x4000000
#define SO_ZEROCOPY 60
#define SIGPIPE 13 /* no such signal: signal() refuses it, harmlessly */
#define SIGHUP 1 /* neither: the stop module's handler for them is refused the same way */
#define SIGQUIT 3
#define SHUT_RD SD_RECEIVE
#define SHUT_WR SD_SEND
#define SHUT_RDWR SD_BOTH

static inline int asprintf(char **out, const char *fmt, ...)
	__attribute__((format(gnu_printf, 2, 3)));
static inline int asprintf(char **out, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	*out = n < 0 ? NULL : malloc((size_t)n + 1);
	if (!*out)
		return -1;
	va_start(ap, fmt);
	vsnprintf(*out, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return n;
}

#ifndef O_CLOEXEC
#define O_CLOEXEC _O_NOINHERIT
#endif
#ifndef O_NOFOLLOW
#define O_NOFOLLOW 0 /* no symbolic links where sockleak writes on Windows */
#endif

#define _SC_NPROCESSORS_ONLN 84
#define _SC_PAGESIZE 30

static inline long sysconf(int name)
{
	SYSTEM_INFO si;

	GetSystemInfo(&si);
	if (name == _SC_NPROCESSORS_ONLN)
		return (long)si.dwNumberOfProcessors;
	if (name == _SC_PAGESIZE)
		return (long)si.dwPageSize;
	errno = EINVAL;
	return -1;
}

static inline struct tm *gmtime_r(const time_t *t, struct tm *tm)
{
	return gmtime_s(tm, t) ? NULL : tm;
}

/* The environment through the C runtime's own copy, which getenv reads. */
static inline int setenv(const char *name, const char *value, int overwrite)
{
	if (!overwrite && getenv(name))
		return 0;
	return _putenv_s(name, value) ? (errno = EINVAL, -1) : 0;
}

static inline int unsetenv(const char *name)
{
	return _putenv_s(name, "") ? (errno = EINVAL, -1) : 0; /* "" removes it */
}

static inline char *strchrnul(const char *s, int c)
{
	char *p = strchr(s, c);

	return p ? p : (char *)s + strlen(s);
}

/* mingw's C runtime has no strndup (gcc knows the name as a built-in: a name of our own). */
static inline char *win_strndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *d = malloc(len + 1);

	if (d) {
		memcpy(d, s, len);
		d[len] = '\0';
	}
	return d;
}
#define strndup win_strndup

/* Signals: the C runtime's signal() is all Windows has; SIGINT comes from the console's Ctrl-C. */
#ifndef SA_RESTART
typedef _sigset_t sigset_t;
#define SA_RESTART 0
struct sigaction {
	void (*sa_handler)(int);
	sigset_t sa_mask;
	int sa_flags;
};

static inline int sigemptyset(sigset_t *s)
{
	*s = 0;
	return 0;
}

static inline int sigfillset(sigset_t *s)
{
	*s = (sigset_t)~0ull;
	return 0;
}

static inline int sigaddset(sigset_t *s, int sig)
{
	*s |= (sigset_t)1 << (sig & 63);
	return 0;
}

static inline int sigaction(int sig, const struct sigaction *sa, struct sigaction *old)
{
	void (*prev)(int);

	if (old)
		memset(old, 0, sizeof(*old));
	prev = sa ? signal(sig, sa->sa_handler) : signal(sig, SIG_DFL);
	if (!sa)
		signal(sig, prev);
	if (prev == SIG_ERR)
		return -1;
	if (old)
		old->sa_handler = prev;
	return 0;
}

/* Threads do not take signals here: the console handler raises SIGINT on a thread of its own. */
#undef pthread_sigmask
static inline int pthread_sigmask(int how, const sigset_t *set, sigset_t *old)
{
	(void)how;
	(void)set;
	if (old)
		*old = 0;
	return 0;
}
#endif

/* open_memstream, fmemopen and getline, which the reports and tests use, on a temporary file. */
/* A memory stream is a temporary file whose bytes are copied out at fflush and fclose. */
struct win_memstream {
	FILE *f;
	char **buf;
	size_t *len;
};

static struct win_memstream win_ms[32]; /* one table per file: a stream is closed where opened */

static inline void win_ms_sync(struct win_memstream *m)
{
	long pos = ftell(m->f), n;

	fflush(m->f);
	fseek(m->f, 0, SEEK_END);
	n = ftell(m->f);
	free(*m->buf);
	*m->buf = calloc(1, (size_t)n + 1);
	fseek(m->f, 0, SEEK_SET);
	if (*m->buf && n > 0 && fread(*m->buf, 1, (size_t)n, m->f) != (size_t)n)
		n = 0;
	*m->len = (size_t)n;
	fseek(m->f, pos, SEEK_SET);
}

static inline FILE *open_memstream(char **buf, size_t *len)
{
	size_t i;

	for (i = 0; i < sizeof(win_ms) / sizeof(win_ms[0]); i++) {
		if (win_ms[i].f)
			continue;
		win_ms[i].f = tmpfile();
		if (!win_ms[i].f)
			return NULL;
		win_ms[i].buf = buf;
		win_ms[i].len = len;
		*buf = NULL;
		*len = 0;
		return win_ms[i].f;
	}
	return NULL;
}

static inline struct win_memstream *win_ms_of(FILE *f)
{
	size_t i;

	for (i = 0; f && i < sizeof(win_ms) / sizeof(win_ms[0]); i++)
		if (win_ms[i].f == f)
			return &win_ms[i];
	return NULL;
}

static inline int win_fflush(FILE *f)
{
	struct win_memstream *m = win_ms_of(f);
	int rc = fflush(f);

	if (m)
		win_ms_sync(m);
	return rc;
}

/* Called first by fclose: a stream that writes elsewhere when closed (escape.c) says so. */
extern int (*win_fclose_hook)(FILE *f);

static inline int win_fclose(FILE *f)
{
	struct win_memstream *m = win_ms_of(f);

	if (win_fclose_hook)
		win_fclose_hook(f);
	if (m) {
		win_ms_sync(m);
		m->f = NULL;
	}
	return fclose(f);
}

static inline FILE *fmemopen(void *buf, size_t size, const char *mode)
{
	FILE *f = tmpfile();

	(void)mode;
	if (f && size)
		fwrite(buf, 1, strnlen(buf, size), f);
	if (f)
		rewind(f);
	return f;
}

static inline ssize_t getline(char **line, size_t *cap, FILE *f)
{
	size_t n = 0;
	int c;

	if (!*line || !*cap) {
		*cap = 128;
		*line = malloc(*cap);
		if (!*line)
			return -1;
	}
	while ((c = fgetc(f)) != EOF) {
		if (n + 2 > *cap) {
			char *p = realloc(*line, *cap * 2);

			if (!p)
				return -1;
			*line = p;
			*cap *= 2;
		}
		(*line)[n++] = (char)c;
		if (c == '\n')
			break;
	}
	if (!n)
		return -1;
	(*line)[n] = '\0';
	return (ssize_t)n;
}

#define fflush(f) win_fflush(f)
#define fclose(f) win_fclose(f)

#endif
