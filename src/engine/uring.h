/* The client's ops through io_uring (--api io_uring): one ring per worker. */
#ifndef SOCKLEAK_URING_H
#define SOCKLEAK_URING_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "engine/seq.h"

struct uring_caps {
	bool setsockopt; /* the socket command's SETSOCKOPT (6.7); else a plain syscall */
	bool bind; /* IORING_OP_BIND (6.11); else a plain syscall */
};

/*
 * Whether io_uring can run the sequence here: 0, or -EOPNOTSUPP (opcodes this kernel lacks,
 * listed in why) or -EINVAL (--fixed-files with an op that needs a real fd). Finds what the
 * kernel has once for the run's workers.
 */
int uring_check(const struct run_config *cfg, const struct seq *s, char *why, size_t len);
/* What uring_check found. */
const struct uring_caps *uring_caps(void);

#endif
