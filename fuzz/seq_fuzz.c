/* libFuzzer target for the sequence compiler: any text, any transport, never a crash. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/seq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	struct seq s;
	struct seq_error err;
	enum transport_kind t;
	bool allow_open;
	char *text;
	unsigned i;

	if (size < 1 || size > 4096)
		return 0;
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	/* The first byte picks the transport and --allow-open; the rest is the text. */
	t = (enum transport_kind)(data[0] % TR_COUNT);
	allow_open = data[0] & 0x80;
	text = malloc(size);
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';

	if (seq_compile(text, t, allow_open, &s, &err) == 0) {
		/* Invariants the engine relies on. */
		if (s.nops == 0 || s.nops > ENGINE_MAX_OPS ||
		    (s.ops[0].kind != OP_SOCKET && s.ops[0].kind != OP_SOCKETPAIR &&
		     s.ops[0].kind != OP_NETNS))
			abort();
		if (!allow_open && !s.closes)
			abort();
		if (s.plan.nsteps > SEQ_MAX_STEPS || s.max_send > SEQ_MAX_BYTES ||
		    s.max_recv > SEQ_MAX_BYTES)
			abort();
		for (i = 0; i < s.nops; i++) {
			char buf[64];

			if (s.ops[i].kind >= OP_KINDS || s.ops[i].pos + s.ops[i].tlen > size - 1)
				abort();
			/* Descriptors the loop indexes stay inside the cycle's table. */
			if (s.ops[i].fd >= SEQ_MAX_FDS || s.ops[i].arg_fd >= SEQ_MAX_FDS ||
			    s.ops[i].count > SEQ_MAX_SENDFD || s.ops[i].iovs > SEQ_MAX_IOV ||
			    s.ops[i].mask >> s.nfds)
				abort();
			seq_op_text(text, &s.ops[i], buf, sizeof(buf));
		}
	} else {
		if (err.pos > size || !err.msg[0])
			abort();
		seq_error_print(devnull, text, &err);
	}
	free(text);
	return 0;
}
