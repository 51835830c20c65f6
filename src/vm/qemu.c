/*
 * One boot under qemu-system-x86_64. The guest's console is the first serial port; its control
 * channel, stdout and stderr are virtio-serial ports; each is a socketpair whose far end qemu
 * inherits. The host's root is a read-only virtio-9p export, the output directory a writable one.
 * qemu runs in its own process group (a terminal's Ctrl-C reaches sockleak, which passes it to
 * the guest) and dies with sockleak (sl_spawn: PR_SET_PDEATHSIG).
 */
#include "vm/qemu.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "spawn.h"
#include "vm/guest.h"

/* After the guest said how its command ended, qemu has this long to power off. */
#define QEMU_EXIT_GRACE 15.0
/* After a signal was passed on, the guest has this long to write its reports and end. */
#define QEMU_SIGNAL_GRACE 120.0

const char *qemu_accel_name(enum vm_accel a)
{
	return a == VM_ACCEL_KVM ? "kvm" : a == VM_ACCEL_TCG ? "tcg" : "auto";
}

bool qemu_kvm_usable(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	bool ok;

	if (fd < 0)
		return false;
	ok = ioctl(fd, KVM_GET_API_VERSION, 0) == KVM_API_VERSION;
	close(fd);
	return ok;
}

/* ---- the command line ---- */

struct strv {
	char **v;
	size_t n, cap;
	bool oom;
};

static void add(struct strv *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct strv *a, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (a->oom)
		return;
	if (a->n + 2 > a->cap) {
		char **v = realloc(a->v, (a->cap = a->cap ? a->cap * 2 : 64) * sizeof(*v));

		if (!v) {
			a->oom = true;
			return;
		}
		a->v = v;
	}
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0) {
		a->oom = true;
		s = NULL;
	}
	va_end(ap);
	a->v[a->n] = s;
	if (s)
		a->n++;
	a->v[a->n] = NULL;
}

void qemu_argv_free(char **v)
{
	size_t i;

	for (i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* A path inside a QEMU option list: commas are doubled. */
static char *opt_path(const char *path)
{
	size_t n = strlen(path), i, j;
	char *s = malloc(2 * n + 1);

	if (!s)
		return NULL;
	for (i = j = 0; i < n; i++) {
		s[j++] = path[i];
		if (path[i] == ',')
			s[j++] = ',';
	}
	s[j] = '\0';
	return s;
}

char **qemu_argv(const struct qemu_plan *p)
{
	static const char *const port[] = { NULL, GUEST_PORT_CTL, GUEST_PORT_OUT, GUEST_PORT_ERR };
	struct strv a = { 0 };
	char *share = opt_path(p->share);
	int i;

	add(&a, "%s", p->qemu);
	add(&a, "-nodefaults");
	add(&a, "-no-user-config");
	add(&a, "-display");
	add(&a, "none");
	add(&a, "-no-reboot");
	add(&a, "-machine");
	add(&a, "q35,accel=%s", qemu_accel_name(p->accel));
	add(&a, "-cpu");
	add(&a, "%s", p->accel == VM_ACCEL_KVM ? "host" : "max");
	add(&a, "-smp");
	add(&a, "%u", p->cpus);
	add(&a, "-m");
	add(&a, "%lluM", (unsigned long long)(p->memory >> 20));
	add(&a, "-kernel");
	add(&a, "%s", p->kernel);
	add(&a, "-initrd");
	add(&a, "%s", p->initrd);
	add(&a, "-append");
	add(&a, "console=ttyS0 quiet panic=-1 rdinit=/init%s%s", p->append ? " " : "",
	    p->append ? p->append : "");
	for (i = 0; i < QEMU_NCHAN; i++) {
		add(&a, "-chardev");
		add(&a, "socket,id=c%d,fd=%d", i, QEMU_CHAN_FD0 + i);
	}
	add(&a, "-serial");
	add(&a, "chardev:c%d", QEMU_CON);
	add(&a, "-device");
	add(&a, "virtio-serial-pci,id=vs");
	for (i = QEMU_CTL; i < QEMU_NCHAN; i++) {
		add(&a, "-device");
		add(&a, "virtserialport,bus=vs.0,chardev=c%d,name=%s", i, port[i]);
	}
	add(&a, "-fsdev");
	add(&a, "local,id=root,path=/,security_model=none,readonly=on,multidevs=remap");
	add(&a, "-device");
	add(&a, "virtio-9p-pci,fsdev=root,mount_tag=" GUEST_TAG_ROOT);
	add(&a, "-fsdev");
	add(&a, "local,id=out,path=%s,security_model=none", share ? share : "");
	add(&a, "-device");
	add(&a, "virtio-9p-pci,fsdev=out,mount_tag=" GUEST_TAG_OUT);
	free(share);
	if (a.oom || !share) {
		qemu_argv_free(a.v);
		return NULL;
	}
	return a.v;
}

/* ---- the session ---- */

/* A channel sockleak reads: a line being assembled, and where the bytes go. */
struct chan {
	int fd; /* -1 once at EOF */
	int to; /* copy to this fd (-1: nowhere) */
	char line[1024];
	size_t len;
	bool cr; /* the last chunk ended in '\r' (held back: "\r\n" is copied as "\n") */
};

struct session {
	const struct qemu_session *s;
	struct qemu_result *r;
	struct chan ch[QEMU_NCHAN + 1]; /* + qemu's own stderr */
	pid_t pid;
	bool started, exited;
	double deadline; /* 0: none */
};

#define QEMU_STDERR QEMU_NCHAN

static void copy_out(int fd, const char *p, size_t n)
{
	ssize_t w;

	/* A reader that went away (EPIPE) loses the rest of the stream, not the run. */
	while (fd >= 0 && n) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

static void keep_tail(struct qemu_result *r, const char *p, size_t n)
{
	size_t have = strlen(r->tail), cap = sizeof(r->tail) - 1;

	if (n >= cap) {
		p += n - cap;
		n = cap;
	}
	if (have + n > cap) {
		size_t drop = have + n - cap;

		memmove(r->tail, r->tail + drop, have - drop);
		have -= drop;
	}
	memcpy(r->tail + have, p, n);
	r->tail[have + n] = '\0';
}

static void copy_str(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src) < size - 1 ? strlen(src) : size - 1;

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* A whole line from the guest's control port. */
static void on_ctl(struct session *ss, const char *line)
{
	int code;

	if (!strcmp(line, "start")) {
		ss->started = true;
		ss->r->boot_seconds = sl_now() - ss->s->t0;
		if (!ss->s->quiet)
			sl_err("vm: the guest's sockleak started %.1f s after 'sockleak vm'",
			       ss->r->boot_seconds);
		if (!ss->r->signal)
			ss->deadline = 0;
	} else if (!strcmp(line, "oom")) {
		ss->r->oom = true;
	} else if (sscanf(line, "exit %d", &code) == 1) {
		ss->exited = true;
		ss->r->code = code;
		ss->deadline = sl_now() + QEMU_EXIT_GRACE;
	}
}

/* A whole line of the console, or of qemu's stderr. */
static void on_line(struct session *ss, int c, const char *line)
{
	const char *say;

	if (c == QEMU_STDERR) {
		copy_str(ss->r->qemu_said, sizeof(ss->r->qemu_said), line);
		return;
	}
	say = strstr(line, GUEST_SAY "error: ");
	if (say)
		copy_str(ss->r->said, sizeof(ss->r->said), say + strlen(GUEST_SAY "error: "));
	else if (!ss->r->said[0] && strstr(line, "Kernel panic"))
		copy_str(ss->r->said, sizeof(ss->r->said), strstr(line, "Kernel panic"));
}

static void read_chan(struct session *ss, int c)
{
	struct chan *ch = &ss->ch[c];
	char buf[16384], out[16384 + 1];
	size_t n_out = 0, i;
	ssize_t n = read(ch->fd, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		close(ch->fd);
		ch->fd = -1;
		return;
	}
	if (c == QEMU_OUT || c == QEMU_ERR) {
		copy_out(ch->to, buf, (size_t)n);
		return;
	}
	for (i = 0; i < (size_t)n; i++) {
		char b = buf[i];

		/* The console ends its lines "\r\n": copied with "\n" alone. */
		if (ch->cr && b != '\n')
			out[n_out++] = '\r';
		ch->cr = b == '\r';
		if (ch->cr)
			continue;
		out[n_out++] = b;
		if (b != '\n') {
			if (ch->len < sizeof(ch->line) - 1)
				ch->line[ch->len++] = b;
			continue;
		}
		ch->line[ch->len] = '\0';
		ch->len = 0;
		if (c == QEMU_CTL)
			on_ctl(ss, ch->line);
		else
			on_line(ss, c, ch->line);
	}
	if (c == QEMU_CON) {
		keep_tail(ss->r, out, n_out);
		copy_out(ch->to, out, n_out);
	}
}

/* Passes a signal to the guest's sockleak (after the start), or stops the VM (before it, or
 * when told twice). */
static void on_signal(struct session *ss)
{
	struct signalfd_siginfo si;
	char msg[32];
	int n;

	if (read(ss->s->sigfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
		return;
	if (ss->r->signal || !ss->started || ss->exited) {
		ss->r->signal = (int)si.ssi_signo;
		kill(ss->pid, SIGKILL);
		return;
	}
	ss->r->signal = (int)si.ssi_signo;
	n = snprintf(msg, sizeof(msg), "signal %d\n", ss->r->signal);
	copy_out(ss->ch[QEMU_CTL].fd, msg, (size_t)n);
	ss->deadline = sl_now() + QEMU_SIGNAL_GRACE;
}

static int poll_timeout(const struct session *ss)
{
	double left;

	if (!ss->deadline)
		return -1;
	left = ss->deadline - sl_now();
	return left <= 0 ? 0 : (int)(left * 1000) + 1;
}

int qemu_boot(const struct qemu_plan *p, const struct qemu_session *s, struct qemu_result *r)
{
	struct session ss = { .s = s, .r = r, .pid = -1 };
	int far[QEMU_NCHAN], errp[2] = { -1, -1 }, sp[2], i, err = 0;
	struct spawn_opts so = SPAWN_OPTS_INIT;
	struct pollfd pf[QEMU_NCHAN + 2];
	char **argv = qemu_argv(p);

	memset(r, 0, sizeof(*r));
	for (i = 0; i <= QEMU_NCHAN; i++)
		ss.ch[i].fd = ss.ch[i].to = -1;
	for (i = 0; i < QEMU_NCHAN; i++)
		far[i] = -1;
	if (!argv)
		return -ENOMEM;
	for (i = 0; i < QEMU_NCHAN && !err; i++) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp)) {
			err = -errno;
			break;
		}
		ss.ch[i].fd = sp[0];
		far[i] = sp[1];
	}
	if (!err && pipe2(errp, O_CLOEXEC))
		err = -errno;
	if (!err) {
		/* Channels as qemu's fds 3..6; its messages to a pipe of ours; its own group, so a
		 * terminal's Ctrl-C reaches sockleak, which passes it on to the guest. */
		ss.ch[QEMU_STDERR].fd = errp[0];
		so.out = so.err = errp[1];
		so.own_group = true;
		so.pass = far;
		so.npass = QEMU_NCHAN;
		err = sl_spawn(argv, &so, &ss.pid, r->qemu_said, sizeof(r->qemu_said));
	}
	for (i = 0; i < QEMU_NCHAN; i++)
		if (far[i] >= 0)
			close(far[i]);
	if (errp[1] >= 0)
		close(errp[1]);
	qemu_argv_free(argv);
	if (err) {
		for (i = 0; i <= QEMU_NCHAN; i++)
			if (ss.ch[i].fd >= 0)
				close(ss.ch[i].fd);
		r->end = QEMU_FAILED;
		return err;
	}
	ss.ch[QEMU_CON].to = s->quiet ? -1 : STDERR_FILENO;
	ss.ch[QEMU_OUT].to = STDOUT_FILENO;
	ss.ch[QEMU_ERR].to = STDERR_FILENO;
	ss.deadline = sl_now() + s->boot_timeout;

	for (;;) {
		int n = 0, map[QEMU_NCHAN + 2];

		for (i = 0; i <= QEMU_NCHAN; i++)
			if (ss.ch[i].fd >= 0) {
				pf[n] = (struct pollfd){ .fd = ss.ch[i].fd, .events = POLLIN };
				map[n++] = i;
			}
		if (!n)
			break; /* every channel at EOF: qemu is gone */
		pf[n] = (struct pollfd){ .fd = s->sigfd, .events = POLLIN };
		map[n++] = -1;
		if (poll(pf, (nfds_t)n, poll_timeout(&ss)) < 0 && errno != EINTR)
			break;
		if (ss.deadline && sl_now() >= ss.deadline) {
			/* Boot time-out, exit grace or signal grace: the VM goes now. */
			if (!ss.started && !r->signal)
				r->end = QEMU_STALLED;
			kill(ss.pid, SIGKILL);
			ss.deadline = 0;
		}
		for (i = 0; i < n; i++) {
			if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (map[i] < 0)
				on_signal(&ss);
			else
				read_chan(&ss, map[i]);
		}
	}
	kill(ss.pid, SIGKILL); /* nothing left to say: make sure it is gone */
	while (waitpid(ss.pid, &r->status, 0) < 0 && errno == EINTR)
		;
	if (ss.exited)
		r->end = QEMU_EXITED;
	else if (r->end == QEMU_STALLED)
		;
	else if (r->signal)
		r->end = QEMU_SIGNALLED;
	else
		r->end = ss.started ? QEMU_LOST : QEMU_NO_START;
	return 0;
}
