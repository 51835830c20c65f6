/* The Winsock churn engine: the local IOCP server, client workers and the controller that stops them. */
#include "engine/engine.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "engine/win/internal.h"

/* Winsock's errors by name, in the errors[] slot of code - WSABASEERR. */
static const struct {
	int code;
	const char *name, *text;
} wsa_errors[] = {
	{ WSAEINTR, "WSAEINTR", "blocking call interrupted" },
	{ WSAEBADF, "WSAEBADF", "bad socket handle" },
	{ WSAEACCES, "WSAEACCES", "permission denied" },
	{ WSAEFAULT, "WSAEFAULT", "bad address" },
	{ WSAEINVAL, "WSAEINVAL", "invalid argument" },
	{ WSAEMFILE, "WSAEMFILE", "too many open sockets" },
	{ WSAEWOULDBLOCK, "WSAEWOULDBLOCK", "operation would block" },
	{ WSAEINPROGRESS, "WSAEINPROGRESS", "operation now in progress" },
	{ WSAEALREADY, "WSAEALREADY", "operation already in progress" },
	{ WSAENOTSOCK, "WSAENOTSOCK", "not a socket" },
	{ WSAEDESTADDRREQ, "WSAEDESTADDRREQ", "destination address required" },
	{ WSAEMSGSIZE, "WSAEMSGSIZE", "message too long" },
	{ WSAEPROTOTYPE, "WSAEPROTOTYPE", "wrong protocol type for socket" },
	{ WSAENOPROTOOPT, "WSAENOPROTOOPT", "bad protocol option" },
	{ WSAEPROTONOSUPPORT, "WSAEPROTONOSUPPORT", "protocol not supported" },
	{ WSAEOPNOTSUPP, "WSAEOPNOTSUPP", "operation not supported" },
	{ WSAEAFNOSUPPORT, "WSAEAFNOSUPPORT", "address family not supported" },
	{ WSAEADDRINUSE, "WSAEADDRINUSE", "address already in use" },
	{ WSAEADDRNOTAVAIL, "WSAEADDRNOTAVAIL",
	  "cannot assign requested address (ephemeral ports exhausted?)" },
	{ WSAENETDOWN, "WSAENETDOWN", "network is down" },
	{ WSAENETUNREACH, "WSAENETUNREACH", "network is unreachable" },
	{ WSAECONNABORTED, "WSAECONNABORTED", "connection aborted" },
	{ WSAECONNRESET, "WSAECONNRESET", "connection reset by peer" },
	{ WSAENOBUFS, "WSAENOBUFS", "no buffer space available" },
	{ WSAEISCONN, "WSAEISCONN", "socket is already connected" },
	{ WSAENOTCONN, "WSAENOTCONN", "socket is not connected" },
	{ WSAESHUTDOWN, "WSAESHUTDOWN", "cannot send after shutdown" },
	{ WSAETIMEDOUT, "WSAETIMEDOUT", "timed out" },
	{ WSAECONNREFUSED, "WSAECONNREFUSED", "connection refused" },
	{ WSAEHOSTUNREACH, "WSAEHOSTUNREACH", "host is unreachable" },
	{ WSAEPROCLIM, "WSAEPROCLIM", "too many processes" },
	{ WSANOTINITIALISED, "WSANOTINITIALISED", "Winsock not initialised" },
};

unsigned win_error_slot(DWORD err)
{
	switch (err) {
	case 0:
		return WIN_EOF_SLOT;
	case ERROR_NETNAME_DELETED:
		err = WSAECONNRESET;
		break;
	case ERROR_CONNECTION_REFUSED:
		err = WSAECONNREFUSED;
		break;
	case ERROR_CONNECTION_ABORTED:
		err = WSAECONNABORTED;
		break;
	case ERROR_OPERATION_ABORTED:
		err = WSAEINTR;
		break;
	}
	if (err > WSABASEERR && err - WSABASEERR < ENGINE_MAX_ERRNO - 1 &&
	    err - WSABASEERR != WIN_EOF_SLOT)
		return err - WSABASEERR;
	return ENGINE_MAX_ERRNO - 1;
}

int engine_errno_code(unsigned slot)
{
	if (slot == WIN_EOF_SLOT || slot >= ENGINE_MAX_ERRNO - 1)
		return (int)slot == WIN_EOF_SLOT ? 0 : -1;
	return WSABASEERR + (int)slot;
}

const char *engine_errno_name(unsigned slot, char *buf, size_t size)
{
	size_t i;

	if (slot == WIN_EOF_SLOT)
		return "EOF";
	if (slot >= ENGINE_MAX_ERRNO - 1)
		return "WSA(other)";
	for (i = 0; i < ARRAY_SIZE(wsa_errors); i++)
		if (wsa_errors[i].code == WSABASEERR + (int)slot)
			return wsa_errors[i].name;
	snprintf(buf, size, "WSA%u", WSABASEERR + slot);
	return buf;
}

const char *engine_errno_text(unsigned slot)
{
	size_t i;

	if (slot == WIN_EOF_SLOT)
		return "the peer closed first";
	for (i = 0; i < ARRAY_SIZE(wsa_errors); i++)
		if (wsa_errors[i].code == WSABASEERR + (int)slot)
			return wsa_errors[i].text;
	return "another Winsock error";
}

bool engine_errno_ports_out(unsigned slot)
{
	/* Windows says WSAENOBUFS too when the ephemeral ports are gone. */
	return slot == WSAEADDRNOTAVAIL - WSABASEERR || slot == WSAEADDRINUSE - WSABASEERR ||
	       slot == WSAENOBUFS - WSABASEERR;
}

int engine_api_check(const struct run_config *cfg, char *why, size_t whylen)
{
	const struct seq *s = cfg->seq;
	unsigned i;

	why[0] = '\0';
	if (cfg->api != API_SYSCALLS) {
		snprintf(why, whylen, "--api %s is Linux-only; on Windows choose --io " IO_CHOICES,
			 api_name(cfg->api));
		return -EINVAL;
	}
	for (i = 0; i < s->nops; i++) {
		switch (s->ops[i].exec) {
		case EX_SOCKET:
		case EX_SOCKET_RCVTIMEO:
		case EX_SETSOCKOPT:
		case EX_BIND:
		case EX_CONNECT:
		case EX_SEND_ALL:
		case EX_SEND_DGRAM:
		case EX_SENDTO:
		case EX_RECV_ALL:
		case EX_RECV_DGRAM:
		case EX_SHUTDOWN:
		case EX_CLOSE:
		case EX_CLOSE_ALL:
			break;
		default:
			snprintf(
				why, whylen,
				"%s is Linux-only (SCM_RIGHTS, socketpair, namespaces, the error "
				"queue); the Winsock engine runs socket, setsockopt, bind, connect, "
				"send, sendto, recv, shutdown and close",
				seq_op_name(s->ops[i].kind));
			return -EINVAL;
		}
	}
	return 0;
}

int engine_fd_check(const struct run_config *cfg, char *why, size_t whylen)
{
	/* Windows has no descriptor limit; what a run may keep open is capped here instead. */
	if (!cfg->inject_leak || !cfg->ops || cfg->ops / cfg->inject_leak <= WIN_PARK_MAX)
		return 0;
	snprintf(why, whylen,
		 "--inject-leak %llu with --ops %llu keeps %llu sockets open, above the %u "
		 "sockleak keeps on Windows: use a larger --inject-leak or fewer --ops",
		 (unsigned long long)cfg->inject_leak, (unsigned long long)cfg->ops,
		 (unsigned long long)(cfg->ops / cfg->inject_leak), WIN_PARK_MAX);
	return -EMFILE;
}

bool engine_park(struct engine *e, SOCKET s)
{
	size_t i;

	if (atomic_load_explicit(&e->park_full, memory_order_relaxed))
		return false;
	i = atomic_fetch_add(&e->nparked, 1);
	if (i >= e->park_cap) {
		atomic_store(&e->park_full, true);
		return false;
	}
	e->parked[i] = s;
	return true;
}

static int alloc_workers(struct engine *e)
{
	const struct seq *s = e->seq;
	unsigned i;

	e->nworkers = e->cfg.threads;
	e->workers = _aligned_malloc(e->nworkers * sizeof(struct worker), CACHELINE);
	if (!e->workers)
		return -ENOMEM;
	memset(e->workers, 0, e->nworkers * sizeof(struct worker));
	for (i = 0; i < e->nworkers; i++) {
		struct worker *w = &e->workers[i];

		w->e = e;
		w->idx = i;
		w->errors = calloc(s->nops, sizeof(*w->errors));
		w->sbuf = calloc(1, s->max_send ? s->max_send : 1);
		w->rbuf = malloc(s->max_recv ? s->max_recv : 1);
		if (!w->errors || !w->sbuf || !w->rbuf)
			return -ENOMEM;
		if (e->cfg.io == IO_IOCP) {
			w->port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1);
			if (!w->port)
				return -ENOMEM;
		}
	}
	return 0;
}

static int setup_peer(struct engine *e, char *why, size_t whylen)
{
	const struct run_config *cfg = &e->cfg;

	if (cfg->target)
		return transport_target_resolve(e->tr, cfg->target, &e->peer, &e->peerlen, why,
						whylen);
	e->srv.tr = e->tr;
	e->srv.plan = &e->seq->plan;
	e->srv.mode = cfg->server_close;
	e->srv.backlog = cfg->backlog;
	e->srv.nthreads = cfg->server_threads ? cfg->server_threads : 1;
	for (unsigned i = 0; i < e->seq->plan.nsteps; i++)
		if (e->seq->plan.step[i].reply > e->srv.max_reply)
			e->srv.max_reply = e->seq->plan.step[i].reply;
	e->have_server = true;
	return server_start(&e->srv, &e->peer, &e->peerlen, why, whylen);
}

int engine_create(const struct run_config *cfg, struct engine **out)
{
	char why[512] = "";
	struct engine *e;
	WSADATA wd;
	int err;

	*out = NULL;
	if (!cfg->seq || cfg->seq->transport != cfg->transport || !cfg->threads ||
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
	e->srv.lsock = INVALID_SOCKET;
	err = WSAStartup(MAKEWORD(2, 2), &wd);
	if (err) {
		snprintf(why, sizeof(why), "Winsock 2.2 is not available (WSAStartup: %d)", err);
		err = -ENODEV;
		goto fail;
	}
	e->wsa = true;
	e->kick = CreateEventW(NULL, FALSE, FALSE, NULL);
	e->drain = CreateEventW(NULL, TRUE, FALSE, NULL);
	if (!e->kick || !e->drain) {
		err = -ENOMEM;
		goto fail;
	}
	err = engine_fd_check(cfg, why, sizeof(why));
	if (err)
		goto fail;
	if (cfg->inject_leak || !e->seq->closes) {
		e->park_cap = WIN_PARK_MAX;
		e->parked = malloc(e->park_cap * sizeof(SOCKET));
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

/* Unblocks workers stuck in a blocking Winsock call once told to stop. */
static void kick_workers(struct engine *e)
{
	unsigned i;

	for (i = 0; i < e->nworkers; i++) {
		struct worker *w = &e->workers[i];

		if (w->started && !atomic_load(&w->done) && atomic_load(&w->in_call))
			CancelSynchronousIo(w->handle);
	}
}

static void *controller_main(void *arg)
{
	struct engine *e = arg;
	double stop_at = 0;
	int timeout;
	bool kick;

	while (atomic_load(&e->running)) {
		timeout = engine_control_turn(&e->stop, &e->reason, e->deadline, sl_now(), &stop_at,
					      &kick);
		if (kick)
			kick_workers(e);
		WaitForSingleObject(e->kick, (DWORD)timeout);
	}
	engine_stop_first(&e->reason, ENGINE_STOP_OPS);
	return NULL;
}

static void cpu_now(double *user, double *sys)
{
	FILETIME c, x, k, u;

	*user = *sys = 0;
	if (!GetProcessTimes(GetCurrentProcess(), &c, &x, &k, &u))
		return;
	*user = (((uint64_t)u.dwHighDateTime << 32) | u.dwLowDateTime) * 1e-7;
	*sys = (((uint64_t)k.dwHighDateTime << 32) | k.dwLowDateTime) * 1e-7;
}

int engine_start(struct engine *e)
{
	const struct run_config *cfg = &e->cfg;
	uint64_t first = 0;
	unsigned i, n = e->nworkers;
	int err = 0;

	if (e->started)
		return -EALREADY;
	for (i = 0; i < n; i++) {
		struct worker *w = &e->workers[i];

		w->first = first;
		w->budget = engine_ops_share(cfg, n, i, &first);
		w->period = cfg->rate > 0 ? n / cfg->rate : 0;
		w->slow = w->period > 0 || cfg->yield || cfg->alertable;
	}
	cpu_now(&e->cpu0_user, &e->cpu0_sys);
	e->t_start = sl_now();
	e->deadline = cfg->seconds > 0 ? e->t_start + cfg->seconds : 0;
	atomic_store(&e->running, n);
	e->started = true;
	for (i = 0; i < n; i++) {
		struct worker *w = &e->workers[i];

		err = -pthread_create(&w->thread, NULL, worker_main, w);
		if (err) {
			atomic_store(&e->stop, 1);
			atomic_fetch_sub(&e->running, n - i);
			break;
		}
		w->handle = pthread_gethandle(w->thread);
		w->started = true;
	}
	if (pthread_create(&e->ctl, NULL, controller_main, e)) {
		atomic_store(&e->stop, 1);
		err = err ? err : -EAGAIN;
	} else {
		e->ctl_started = true;
	}
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
	if (!e)
		return;
	engine_stop_first(&e->reason, ENGINE_STOP_REQUEST);
	atomic_store(&e->stop, 1);
	SetEvent(e->kick);
}

bool engine_done(const struct engine *e)
{
	return e->started && atomic_load(&((struct engine *)e)->running) == 0;
}

int engine_join(struct engine *e)
{
	if (!e->started || e->joined)
		return 0;
	/* The controller ends when the last worker has: the counts are final from here. */
	if (e->ctl_started)
		pthread_join(e->ctl, NULL);
	while (atomic_load(&e->running))
		Sleep(KICK_EVERY_MS); /* no controller: the workers were told to stop at start */
	cpu_now(&e->cpu_user, &e->cpu_sys);
	e->joined = true;
	SetEvent(e->drain); /* the workers run what was starved and end (engine_destroy joins) */
	return 0;
}

void engine_stats(const struct engine *e, struct engine_stats *st)
{
	double end = 0, user, sys;
	unsigned i;

	memset(st, 0, sizeof(*st));
	st->threads = e->nworkers;
	st->nops = e->seq->nops;
	st->thread_min = UINT64_MAX;
	for (i = 0; i < e->nworkers; i++) {
		const struct worker *w = &e->workers[i];

		engine_stats_add(st, &w->n, w->errors, e->seq->nops);
		if (e->joined && w->end > end)
			end = w->end;
	}
	if (!e->nworkers)
		st->thread_min = 0;
	if (!e->started)
		return;
	if (e->joined) {
		user = e->cpu_user;
		sys = e->cpu_sys;
	} else {
		cpu_now(&user, &sys);
		end = sl_now();
	}
	st->seconds = end > e->t_start ? end - e->t_start : 0;
	st->user_seconds = user - e->cpu0_user;
	st->system_seconds = sys - e->cpu0_sys;
	st->leak_capped = atomic_load(&((struct engine *)e)->park_full);
	st->stop = (enum engine_stop)atomic_load(&((struct engine *)e)->reason);
}

uint64_t engine_io_pending_max(const struct engine *e)
{
	uint64_t m = 0;
	unsigned i;

	for (i = 0; i < e->nworkers; i++)
		if (e->workers[i].inflight_max > m)
			m = e->workers[i].inflight_max;
	return m;
}

int engine_netns_fd(const struct engine *e)
{
	(void)e;
	return -1; /* Windows has no network namespaces */
}

/* Thread ids are for --attribute's eBPF scope, which Windows has not: nobody is told. */
void engine_set_thread_hook(struct engine *e, const struct engine_thread_hook *h)
{
	(void)e;
	(void)h;
}

void engine_peer(const struct engine *e, char *buf, size_t size)
{
	transport_addr_str((const struct sockaddr *)&e->peer, e->peerlen, buf, size);
}

void engine_destroy(struct engine *e)
{
	size_t i, n, k;

	if (!e)
		return;
	if (e->started && !e->joined) {
		engine_request_stop(e);
		engine_join(e);
	}
	if (e->drain)
		SetEvent(e->drain);
	for (i = 0; e->workers && i < e->nworkers; i++)
		if (e->workers[i].started)
			pthread_join(e->workers[i].thread, NULL);
	n = atomic_load(&e->nparked);
	n = n < e->park_cap ? n : e->park_cap;
	for (i = 0; i < n; i++)
		closesocket(e->parked[i]);
	if (e->have_server)
		server_stop(&e->srv);
	for (i = 0; e->workers && i < e->nworkers; i++) {
		struct worker *w = &e->workers[i];

		free(w->errors);
		free(w->sbuf);
		free(w->rbuf);
		if (w->port)
			CloseHandle(w->port);
		/* A context still in flight after the drain is left to the process's end. */
		if (!counter_get(&w->inflight))
			for (k = 0; k < w->nchunks; k++)
				free(w->chunks[k]);
		free(w->chunks);
	}
	_aligned_free(e->workers);
	free(e->parked);
	if (e->kick)
		CloseHandle(e->kick);
	if (e->drain)
		CloseHandle(e->drain);
	if (e->wsa)
		WSACleanup();
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
	return 0;
}
