/* The accept side: what sockleak's server does with each connection (--server-sequence). */
#ifndef SOCKLEAK_SERVER_SEQ_H
#define SOCKLEAK_SERVER_SEQ_H

#include <stdint.h>

#include "config.h"
#include "engine/seq.h"

#define SSEQ_MAX_OPS 16

enum sseq_op {
	SS_ACCEPT, /* first: the connection */
	SS_RECV, /* read N bytes (EOF before: the connection closes) */
	SS_SEND, /* write N bytes */
	SS_ANSWER, /* the client sequence's requests, each read and answered as its recv expects */
	SS_DRAIN, /* read until EOF */
	SS_HANGUP, /* read nothing; wait until the peer hangs up */
	SS_SHUTDOWN, /* shutdown:rd|wr|rdwr */
	SS_CLOSE, /* close; close:rst closes with SO_LINGER 0 (a reset) */
	SS_KINDS,
};

struct sseq {
	unsigned nops;
	struct {
		enum sseq_op kind;
		uint32_t len; /* recv, send: bytes; shutdown: how; close: 1 for rst */
	} ops[SSEQ_MAX_OPS];
	uint32_t max_send; /* the largest send:N */
};

/* The --server-close modes as server sequences: "accept,answer,drain,close", ... */
const char *sseq_preset(enum server_close m);
/* Compiles a server sequence; 0, or -EINVAL with err filled in (caret, choices). */
int sseq_compile(const char *text, struct sseq *out, struct seq_error *err);
/* Whether the client's recvs can be answered: 0, or -EINVAL with why. */
int sseq_check(const struct sseq *ss, const struct seq *client, char *why, size_t whylen);

#endif
