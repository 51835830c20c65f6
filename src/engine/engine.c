/* The churn engine: isolation, the local server, client workers and the controller that stops them. */
#include "engine/engine.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

#include "common.h"
#include "engine/internal.h"
#include "engine/netns.h"
#include "engine/server_seq.h"
#include "engine/uring.h"

#define FD_RESERVE 64 /* fds kept free for everything that is not a parked socket */

static void wake_handler(int sig)
{
	(void)sig; /* its only job is to make a blocked syscall return EINTR */
}

static int install_wake_handler(void)
{
	static _Atomic bool done;
	struct sigaction sa = { 0 };

	if (atomic_load(&done))
		return 0;
	sa.sa_handler = wake_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: blocked socket calls must return */
	if (sigaction(SIGRTMIN, &sa, NULL))
		return -errno;
	atomic_store(&done, true);
	return 0;
}

static unsigned reserve_fds(const struct run_config *cfg)
{
	return FD_RESERVE + 4 * cfg->threads + 4 * cfg->server_threads;
}

/* Fds one parked socket costs: its own, plus the local stream server's end of it. */
static unsigned fds_per_park(const struct run_config *cfg)
{
	return !cfg->target && transport_get(cfg->transport)->stream ? 2 : 1;
}

static uint64_t raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return 1024;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	return rl.rlim_cur == RLIM_INFINITY ? (1u << 20) : rl.rlim_cur;
}

int engine_fd_check(const struct run_config *cfg, char *why, size_t whylen)
{
	uint64_t lim = raise_nofile(), need;

	if (!cfg->inject_leak || !cfg->ops)
		return 0;
	need = cfg->ops / cfg->inject_leak * fds_per_park(cfg) + reserve_fds(cfg);
	if (need <= lim)
		return 0;
	snprintf(why, whylen,
		 "--inject-leak %llu with --ops %llu keeps %llu sockets open (%llu fds with "
		 "the server's ends and sockleak's own), above the fd limit %llu: use a larger "
		 "--inject-leak or fewer --ops, or raise the hard limit (ulimit -Hn)",
		 (unsigned long long)cfg->inject_leak, (unsigned long long)cfg->ops,
		 (unsigned long long)(cfg->ops / cfg->inject_leak), (unsigned long long)need,
		 (unsigned long long)lim);
	return -EMFILE;
}

int engine_api_check(const struct run_config *cfg, char *why, size_t whylen)
{
	const struct seq *s = cfg->seq;
	unsigned i;
	int err;

	why[0] = '\0';
	if (cfg->api != API_IO_URING)
		return 0;
	err = uring_check(cfg, s, why, whylen);
	if (err)
		return err;
	for (i = 0; i < s->nops; i++) {
		if ((s->ops[i].exec == EX_SETSOCKOPT && !uring_caps()->setsockopt) ||
		    (s->ops[i].exec == EX_BIND && !uring_caps()->bind) ||
		    seq_op_needs_fd(&s->ops[i]))
			snprintf(why, whylen, "io_uring: %s runs as a plain syscall here (%s)",
				 seq_op_name(s->ops[i].kind),
				 seq_op_needs_fd(&s->ops[i]) ? "io_uring has no such op" :
							       "this kernel lacks its io_uring op");
	}
	return 0;
}

bool engine_park(struct engine *e, int fd)
{
	size_t i;

	if (atomic_load_explicit(&e->park_full, memory_order_relaxed))
		return false;
	i = atomic_fetch_add(&e->nparked, 1);
	if (i >= e->park_cap) {
		if (!atomic_exchange(&e->park_full, true))
			atomic_store(&e->park_full_at, engine_cycles(e));
		return false;
	}
	e->parked[i] = fd;
	return true;
}

struct listen_arg {
	const struct transport *tr;
	int backlog;
	struct sockaddr_storage *ss;
	socklen_t *len;
	char *why;
	size_t whylen;
	int *fds;
	unsigned nfds;
};

static int listen_in_netns(void *p)
{
	struct listen_arg *a = p;
	unsigned i;
	int fd;

	for (i = 0; i < a->nfds; i++) {
		fd = transport_server_socket(a->tr, a->backlog, i > 0, a->ss, a->len, a->why,
					     a->whylen);
		if (fd < 0) {
			while (i--)
				close(a->fds[i]);
			return fd;
		}
		a->fds[i] = fd;
	}
	return 0;
}

static int setup_peer(struct engine *e, char *why, size_t whylen)
{
	const struct run_config *cfg = &e->cfg;
	struct listen_arg la = { e->tr, cfg->backlog, &e->peer, &e->peerlen, why, whylen };
	unsigned nthreads = cfg->server_threads ? cfg->server_threads : 1;
	int err;

	/* A --target has a namespace of the run's only when its server runs there (--server-cmd). */
	if (cfg->netns) {
		e->netns_fd = netns_create(cfg->netns_sysctl, cfg->nsysctl, why, whylen);
		if (e->netns_fd < 0)
			return e->netns_fd;
	} else if (cfg->server_pid) {
		/* --pid: the loop runs where that server is (-1: the host's, ours already). */
		err = netns_of_pid(cfg->server_pid, &e->netns_fd, why, whylen);
		if (err)
			return err;
	}
	if (cfg->target)
		return transport_target_resolve(e->tr, cfg->target, &e->peer, &e->peerlen, why,
						whylen);
	if (e->seq->netns_cycle || !e->seq->has_server)
		return 0; /* each cycle has its own listener, or talks only to itself */
	la.nfds = e->tr->reuseport ? nthreads : 1;
	la.fds = calloc(la.nfds, sizeof(int));
	if (!la.fds)
		return -ENOMEM;
	/* The server's sockets must be made inside the run's namespace. */
	err = netns_run(e->netns_fd, listen_in_netns, &la);
	if (err < 0) {
		free(la.fds);
		return err;
	}
	e->srv.tr = e->tr;
	e->srv.plan = &e->seq->plan;
	e->srv.ss = cfg->sseq;
	e->srv.fds = la.fds;
	e->srv.nfds = la.nfds;
	e->srv.netns_fd = e->netns_fd;
	e->srv.nthreads = nthreads;
	for (unsigned i = 0; i < e->seq->plan.nsteps; i++)
		if (e->seq->plan.step[i].reply > e->srv.max_reply)
			e->srv.max_reply = e->seq->plan.step[i].reply;
	if (cfg->sseq->max_send > e->srv.max_reply)
		e->srv.max_reply = cfg->sseq->max_send;
	e->have_server = true;
	err = server_start(&e->srv, why, whylen);
	return err;
}

static int alloc_workers(struct engine *e)
{
	const struct seq *s = e->seq;
	unsigned i;

	e->nworkers = e->cfg.threads;
	e->workers = aligned_alloc(CACHELINE, e->nworkers * sizeof(struct worker));
	if (!e->workers)
		return -ENOMEM;
	memset(e->workers, 0, e->nworkers * sizeof(struct worker));
	for (i = 0; i < e->nworkers; i++) {
		struct worker *w = &e->workers[i];

		w->e = e;
		w->idx = i;
		w->errors = calloc(s->nops, sizeof(*w->errors));
		w->wouldblock = calloc(s->nops, sizeof(*w->wouldblock));
		w->cycle = e->cfg.api == API_IO_URING ? uring_cycle : run_cycle;
		w->api = e->cfg.api == API_IO_URING ? &uring_api : NULL;
		w->home_ns = -1;
		w->sbuf = calloc(1, s->max_send ? s->max_send : 1);
		w->rbuf = malloc(s->max_recv ? s->max_recv : 1);
		if (!w->errors || !w->wouldblock || !w->sbuf || !w->rbuf)
			return -ENOMEM;
	}
	return 0;
}

/*
 * The thread stores its id, then reads the hook; the setter stores the hook, then reads the ids
 * (both sequentially consistent): each thread is told at least once, by one side or the other.
 */
void engine_thread_started(struct server *s, _Atomic pid_t *slot, bool client)
{
	const struct engine_thread_hook *h;
	pid_t tid = gettid();

	atomic_store(slot, tid);
	h = atomic_load(&s->hook);
	if (h)
		h->fn(h->arg, tid, client);
}

void engine_set_thread_hook(struct engine *e, const struct engine_thread_hook *h)
{
	unsigned i;
	pid_t t;

	atomic_store(&e->srv.hook, h);
	for (i = 0; e->srv.tids && i < e->srv.started; i++)
		if ((t = atomic_load(&e->srv.tids[i])))
			h->fn(h->arg, t, false);
	for (i = 0; e->workers && i < e->nworkers; i++)
		if ((t = atomic_load(&e->workers[i].tid)))
			h->fn(h->arg, t, true);
}

size_t engine_thread_ids(const struct engine *e, pid_t *tids, size_t max)
{
	size_t n = 0;
	unsigned i;
	pid_t t;

	for (i = 0; e->srv.tids && i < e->srv.started; i++)
		if ((t = atomic_load(&e->srv.tids[i])) && n < max)
			tids[n++] = t;
	for (i = 0; e->workers && i < e->nworkers; i++)
		if ((t = atomic_load(&e->workers[i].tid)) && n < max)
			tids[n++] = t;
	return n;
}

int engine_create(const struct run_config *cfg, struct engine **out)
{
	char why[512] = "";
	struct engine *e;
	uint64_t lim;
	int err;

	*out = NULL;
	if (!cfg->seq || !cfg->sseq || cfg->seq->transport != cfg->transport || !cfg->threads ||
	    !transport_get(cfg->transport)) {
		sl_err("engine: the sequence is not compiled for this transport");
		return -EINVAL;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->cfg = *cfg;
	e->seq = cfg->seq;
	e->tr = transport_get(cfg->transport);
	e->netns_fd = -1;
	e->srv.stop_fd = -1;
	e->kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (e->kick_fd < 0) {
		err = -errno;
		snprintf(why, sizeof(why), "eventfd: %s", strerror(-err));
		goto fail;
	}
	err = engine_fd_check(cfg, why, sizeof(why));
	if (err)
		goto fail;
	lim = raise_nofile();
	err = install_wake_handler();
	if (err) {
		snprintf(why, sizeof(why), "cannot install the wake signal: %s", strerror(-err));
		goto fail;
	}
	if (cfg->inject_leak || !e->seq->closes) {
		e->park_cap =
			lim > reserve_fds(cfg) ? (lim - reserve_fds(cfg)) / fds_per_park(cfg) : 0;
		e->parked = malloc((e->park_cap ? e->park_cap : 1) * sizeof(int));
		if (!e->parked) {
			err = -ENOMEM;
			goto fail;
		}
	}
	err = setup_peer(e, why, sizeof(why));
	if (err)
		goto fail;
	err = alloc_workers(e);
	if (err) {
		snprintf(why, sizeof(why), "out of memory for %u workers", cfg->threads);
		goto fail;
	}
	*out = e;
	return 0;
fail:
	if (why[0])
		sl_err("%s", why);
	else
		sl_err("cannot set up the engine: %s", strerror(-err));
	engine_destroy(e);
	return err;
}

static void kick_workers(struct engine *e)
{
	unsigned i;

	for (i = 0; i < e->nworkers; i++) {
		struct worker *w = &e->workers[i];

		if (w->started && !atomic_load(&w->done))
			pthread_kill(w->thread, SIGRTMIN);
	}
}

/* Ends the churn at the deadline, and unblocks workers stuck in a syscall once told to stop. */
static void *controller_main(void *arg)
{
	struct engine *e = arg;
	struct pollfd pfd = { .fd = e->kick_fd, .events = POLLIN };
	double stop_at = 0;
	uint64_t v;
	int timeout;
	bool kick;

	while (atomic_load(&e->running)) {
		timeout = engine_control_turn(&e->stop, &e->reason, e->deadline, sl_now(), &stop_at,
					      &kick);
		if (kick)
			kick_workers(e);
		if (poll(&pfd, 1, timeout) > 0 && read(e->kick_fd, &v, sizeof(v)) < 0)
			(void)0;
	}
	engine_stop_first(&e->reason, ENGINE_STOP_OPS);
	return NULL;
}

static void rusage_now(struct rusage_pair *p)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	p->user = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6;
	p->sys = ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6;
}

int engine_start(struct engine *e)
{
	const struct run_config *cfg = &e->cfg;
	uint64_t first = 0;
	sigset_t all, old;
	unsigned i, n = e->nworkers;
	int err = 0;

	if (e->started)
		return -EALREADY;
	for (i = 0; i < n; i++) {
		struct worker *w = &e->workers[i];

		w->first = first;
		w->budget = engine_ops_share(cfg, n, i, &first);
		w->period = cfg->rate > 0 ? n / cfg->rate : 0;
		w->slow = w->period > 0 || cfg->yield;
	}
	rusage_now(&e->cpu0);
	e->t_start = sl_now();
	e->deadline = cfg->seconds > 0 ? e->t_start + cfg->seconds : 0;
	atomic_store(&e->running, n);
	e->started = true;

	/* Engine threads leave signals to the caller's threads (SIGINT reaches the handler there). */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (i = 0; i < n; i++) {
		struct worker *w = &e->workers[i];

		err = -pthread_create(&w->thread, NULL, worker_main, w);
		if (err) {
			atomic_store(&e->stop, 1);
			atomic_fetch_sub(&e->running, n - i);
			break;
		}
		w->started = true;
	}
	if (pthread_create(&e->ctl, NULL, controller_main, e)) {
		/* No controller: stop and let join wait for the workers alone. */
		atomic_store(&e->stop, 1);
		err = err ? err : -EAGAIN;
		e->ctl = 0;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err)
		sl_err("cannot start client threads: %s", strerror(-err));
	return err;
}

uint64_t engine_cycles(const struct engine *e)
{
	uint64_t sum = 0;
	unsigned i;

	for (i = 0; i < e->nworkers; i++)
		sum += counter_get(&e->workers[i].n.cycles);
	return sum;
}

void engine_request_stop(struct engine *e)
{
	uint64_t one = 1;

	if (!e)
		return;
	engine_stop_first(&e->reason, ENGINE_STOP_REQUEST);
	atomic_store(&e->stop, 1);
	if (write(e->kick_fd, &one, sizeof(one)) < 0)
		(void)0;
}

bool engine_done(const struct engine *e)
{
	return e->started && atomic_load(&((struct engine *)e)->running) == 0;
}

int engine_join(struct engine *e)
{
	unsigned i;
	int err = 0;

	if (!e->started || e->joined)
		return 0;
	if (e->ctl)
		pthread_join(e->ctl, NULL);
	for (i = 0; i < e->nworkers; i++) {
		struct worker *w = &e->workers[i];

		if (!w->started)
			continue;
		pthread_join(w->thread, NULL);
		if (w->setup_err && !err) {
			err = w->setup_err;
			sl_err("client thread could not enter the run's namespace: %s",
			       strerror(-err));
		}
	}
	rusage_now(&e->cpu);
	e->joined = true;
	return err;
}

void engine_stats(const struct engine *e, struct engine_stats *st)
{
	struct rusage_pair cpu;
	double end = 0;
	unsigned i, op;

	memset(st, 0, sizeof(*st));
	st->threads = e->nworkers;
	st->nops = e->seq->nops;
	st->thread_min = UINT64_MAX;
	for (i = 0; i < e->nworkers; i++) {
		const struct worker *w = &e->workers[i];

		engine_stats_add(st, &w->n, w->errors, e->seq->nops);
		for (op = 0; op < e->seq->nops; op++)
			st->wouldblock[op] += counter_get(&w->wouldblock[op]);
		if (e->joined && w->end > end)
			end = w->end;
	}
	if (!e->nworkers)
		st->thread_min = 0;
	if (!e->started)
		return;
	if (e->joined) {
		cpu = e->cpu;
	} else {
		rusage_now(&cpu);
		end = sl_now();
	}
	st->seconds = end > e->t_start ? end - e->t_start : 0;
	st->user_seconds = cpu.user - e->cpu0.user;
	st->system_seconds = cpu.sys - e->cpu0.sys;
	st->leak_capped = atomic_load(&((struct engine *)e)->park_full);
	st->park_cap = e->park_cap;
	st->capped_at = atomic_load(&((struct engine *)e)->park_full_at);
	st->stop = (enum engine_stop)atomic_load(&((struct engine *)e)->reason);
}

int engine_netns_fd(const struct engine *e)
{
	return e->netns_fd;
}

void engine_peer(const struct engine *e, char *buf, size_t size)
{
	if (!e->have_server && !e->cfg.target) {
		snprintf(buf, size, "%s",
			 e->seq->netns_cycle ? "a listener in each cycle's own namespace" :
					       "none: the cycle's socketpairs");
		return;
	}
	transport_addr_str((const struct sockaddr *)&e->peer, e->peerlen, buf, size);
}

void engine_destroy(struct engine *e)
{
	size_t i, n;

	if (!e)
		return;
	if (e->started && !e->joined) {
		engine_request_stop(e);
		engine_join(e);
	}
	n = atomic_load(&e->nparked);
	n = n < e->park_cap ? n : e->park_cap;
	for (i = 0; i < n; i++)
		close(e->parked[i]);
	if (e->have_server)
		server_stop(&e->srv);
	for (i = 0; e->workers && i < e->nworkers; i++) {
		free(e->workers[i].errors);
		free(e->workers[i].wouldblock);
		free(e->workers[i].sbuf);
		free(e->workers[i].rbuf);
	}
	free(e->workers);
	free(e->parked);
	if (e->netns_fd >= 0)
		close(e->netns_fd);
	if (e->kick_fd >= 0)
		close(e->kick_fd);
	free(e);
}

int engine_server_addr(const struct engine *e, uint16_t *port, char *path, size_t size)
{
	const struct sockaddr_storage *a = &e->peer;

	*port = 0;
	if (size)
		path[0] = '\0';
	if (!e->have_server)
		return -ENOENT;
	if (a->ss_family == AF_INET)
		*port = ntohs(((const struct sockaddr_in *)a)->sin_port);
	else if (a->ss_family == AF_INET6)
		*port = ntohs(((const struct sockaddr_in6 *)a)->sin6_port);
	else if (a->ss_family == AF_UNIX)
		transport_addr_str((const struct sockaddr *)a, e->peerlen, path, size);
	return 0;
}

const char *engine_errno_name(unsigned er, char *buf, size_t size)
{
	const char *n;

	if (er >= ENGINE_MAX_ERRNO - 1)
		return "E(other)";
	n = strerrorname_np((int)er);
	if (n)
		return n;
	snprintf(buf, size, "E%u", er);
	return buf;
}

int engine_errno_code(unsigned er)
{
	return (int)er;
}

const char *engine_errno_text(unsigned er)
{
	return strerror((int)er);
}

uint64_t engine_io_pending_max(const struct engine *e)
{
	(void)e;
	return 0; /* every syscall of the Linux engine has completed when it returns */
}

bool engine_errno_ports_out(unsigned er)
{
	return er == EADDRNOTAVAIL || er == EADDRINUSE;
}
