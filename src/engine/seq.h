/* The sequence language: text -> compiled ops with pre-built arguments, presets, socket options. */
#ifndef SOCKLEAK_SEQ_H
#define SOCKLEAK_SEQ_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "config.h"
#include "engine/engine.h"

#define SEQ_MAX_BYTES (1u << 20) /* largest send:N / recv:N */
#define SEQ_MAX_STEPS ENGINE_MAX_OPS /* server plan steps */
#define SEQ_OPTVAL_MAX 16 /* longest setsockopt value (TCP_CONGESTION name) */
#define SEQ_MAX_FDS 8 /* descriptors one cycle may hold: its socket, pairs, received ones */
#define SEQ_LISTENER SEQ_MAX_FDS /* a netns cycle's own listener, past the user's descriptors */
#define SEQ_FD_SLOTS (SEQ_MAX_FDS + 1) /* size of a cycle's descriptor table */
#define SEQ_MAX_SENDFD 16 /* fresh sockets one sendfd:N may carry */
#define SEQ_MAX_IOV 64 /* iovecs of one sendmsg */
#define SEQ_CYCLE_PORT 40000 /* a netns cycle's listener: any port is free in a fresh namespace */
#define SEQ_MAX_DATA 4096 /* bytes of every payload and delimiter of one sequence together */
#define SEQ_MAX_DELIM 64 /* longest recv-until delimiter */
#define SEQ_UNTIL_MAX (64u << 10) /* recv-until's default bound on the bytes it reads */
#define SEQ_UNTIL_CHUNK (16u << 10) /* recv-until reads in pieces of at most this */

enum seq_opk {
	OP_SOCKET,
	OP_SETSOCKOPT,
	OP_BIND,
	OP_CONNECT,
	OP_SEND,
	OP_SENDTO,
	OP_RECV,
	OP_SHUTDOWN,
	OP_CLOSE,
	OP_SOCKETPAIR,
	OP_SENDMSG,
	OP_SENDFD,
	OP_RECVFD,
	OP_ZCDRAIN,
	OP_NETNS,
	OP_RECV_UNTIL,
	OP_KINDS,
};

/* What the client executes: the op with the transport's choice already made, so the hot loop
 * branches on the op alone. */
enum seq_exec {
	EX_SOCKET,
	EX_SOCKET_RCVTIMEO, /* datagram sequence with recv: a lost datagram must not stall */
	EX_SETSOCKOPT,
	EX_BIND,
	EX_CONNECT,
	EX_SEND_ALL, /* stream: loop until all N bytes are sent */
	EX_SEND_DGRAM, /* datagram: one send */
	EX_SENDTO,
	EX_RECV_ALL, /* stream: loop until N bytes; EOF before is ENODATA */
	EX_RECV_DGRAM, /* datagram: one recv */
	EX_SHUTDOWN,
	EX_CLOSE, /* one descriptor */
	EX_CLOSE_ALL, /* every descriptor still open (plain close with several) */
	EX_SOCKETPAIR,
	EX_CONNECT_ADDR, /* netns cycle: to the cycle's own listener (op->addr) */
	EX_SENDTO_ADDR,
	EX_SENDMSG, /* iovecs; stream: all N bytes */
	EX_SENDFD, /* SCM_RIGHTS: a descriptor of the cycle, or fresh sockets */
	EX_RECVFD,
	EX_ZCDRAIN, /* MSG_ERRQUEUE until empty: zerocopy completions */
	EX_NETNS_ENTER, /* unshare, lo up, the cycle's listener */
	EX_NETNS_LEAVE, /* (hidden, last) close the listener, back to the worker's namespace */
	EX_RECV_UNTIL, /* stream: until a delimiter (the bytes after it stay queued), or EOF */
};

struct seq_op {
	enum seq_opk kind;
	enum seq_exec exec;
	uint8_t fd; /* the cycle's descriptor it acts on (op@K); socket, socketpair: the first made */
	uint8_t arg_fd; /* sendfd: the descriptor carried; recvfd: where the received one goes */
	uint8_t count; /* sendfd:N: fresh sockets carried (0: arg_fd) */
	uint8_t iovs; /* sendmsg: iovecs */
	int flags; /* send/recv: MSG_* */
	uint32_t mask; /* close of several: bit K for descriptor K */
	uint32_t len; /* send/sendto/recv bytes; setsockopt optlen; bind/connect addrlen */
	int level, name; /* setsockopt */
	int how; /* shutdown: SHUT_RD, SHUT_WR, SHUT_RDWR */
	bool has_addr; /* bind with an address (else: wildcard or autobind) */
	bool payload; /* send with bytes of its own (send:"TEXT", send:hex:..): data + off */
	uint16_t off; /* payload or delimiter: where its bytes are in seq->data */
	uint16_t dlen; /* recv-until: the delimiter's length; 0: until EOF (len: the bound) */
	union {
		int i;
		struct linger linger;
		char str[SEQ_OPTVAL_MAX];
	} val;
	struct sockaddr_storage addr; /* bind address; netns cycle: its listener's */
	/* where the op is in the text, for messages */
	unsigned pos, tlen;
};

/*
 * What the local server must do for the client's recv ops. Stream transports: after accepting,
 * for each step read `expect` bytes, then write `reply` bytes; after the last step read until EOF.
 * Datagram transports: answer a datagram of `expect` bytes with `reply` bytes to its source.
 */
struct seq_plan {
	unsigned nsteps;
	struct {
		uint32_t expect, reply;
	} step[SEQ_MAX_STEPS];
};

struct seq {
	enum transport_kind transport;
	unsigned nops;
	struct seq_op ops[ENGINE_MAX_OPS];
	struct seq_plan plan;
	bool closes; /* the sequence ends with every descriptor closed (else --allow-open) */
	bool has_recv; /* a recv answered by the server */
	bool netns_cycle; /* netns first: each cycle in a namespace of its own, no server */
	bool has_server; /* a socket for the server (else socketpairs, or netns: its own listener) */
	bool has_nb; /* a dontwait op: its would-block is counted, not a failure of the cycle */
	unsigned nfds; /* descriptors a cycle opens (table slots in use) */
	uint32_t max_send, max_recv; /* buffer sizes the client needs */
	bool has_until; /* recv-until: waits for what a real server answers (--target) */
	unsigned ndata; /* bytes of data in use */
	char data[SEQ_MAX_DATA]; /* payloads and delimiters, each at its op's off */
};

/* The bytes an op sends: its payload, or zeros from the worker's buffer (send:N). */
static inline const char *seq_send_buf(const struct seq *s, const struct seq_op *op,
				       const char *zeros)
{
	return op->payload ? s->data + op->off : zeros;
}

/* A compile error: what, where in the text, and the valid choices. */
struct seq_error {
	unsigned pos, len;
	char msg[192];
	char choices[1024];
};

/* Compiles text for a transport. 0, or -EINVAL with err filled in. */
int seq_compile(const char *text, enum transport_kind t, bool allow_open, struct seq *out,
		struct seq_error *err);
/* Prints "sockleak: MSG", the text, a caret line under the position, and the choices. */
void seq_error_print(FILE *f, const char *text, const struct seq_error *err);

const char *seq_op_name(enum seq_opk k);
/* How the op is written: "send:N", "bind[:ADDR]". */
const char *seq_op_syntax(enum seq_opk k);
/* What the op does, in a sentence (the manual lists them). */
const char *seq_op_what(enum seq_opk k);
/* The flags after a size (send:1M:dontwait): their count, and each one's name, meaning and ops. */
unsigned seq_flag_count(void);
void seq_flag_doc(unsigned i, const char **name, const char **what, char *ops, size_t size);
/* The op as written ("setsockopt:SO_LINGER=1:0"), for summaries. */
void seq_op_text(const char *text, const struct seq_op *op, char *buf, size_t size);

/* Whether the op's descriptor/flags need a plain syscall under io_uring (socketpair, SCM_RIGHTS,
 * the error queue, namespaces), so a direct descriptor cannot stand in for its fd. */
bool seq_op_needs_fd(const struct seq_op *op);

/* The presets' names, in the order --list-presets prints them. */
#define SEQ_PRESET_NAMES                                                                     \
	"kb171996 crr abort halfclose sendto netns-kb scm-self scm-cross scm-triangle http " \
	"http-keepalive redis-ping memcached-version"

/* A preset's text for a transport; NULL when no such preset, *why says when it does not apply. */
const char *seq_preset(const char *name, enum transport_kind t, const char **why);
void seq_list_presets(FILE *f);
/* Number of presets and their names, in the order --list-presets prints them. */
unsigned seq_preset_count(void);
const char *seq_preset_name(unsigned i);
void seq_list_options(FILE *f);
/* Number of catalogue entries and their names (tests, fuzzing). */
unsigned seq_option_count(void);
const char *seq_option_name(unsigned i);
/* A value that the option accepts, as an example ("1", "1:0", "cubic"). */
const char *seq_option_example(unsigned i);

/* What --list-options and the manual say of a catalogue entry. */
struct seq_option_doc {
	const char *name, *value; /* "SO_LINGER", "on:secs" */
	const char *level, *example, *what; /* "SOL_SOCKET", "1:0", "linger on close: ..." */
	char transports[128]; /* "all" or "tcp,tcp6,mptcp" */
};
void seq_option_doc(unsigned i, struct seq_option_doc *doc);

#endif
