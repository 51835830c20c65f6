/* Network-namespace isolation: create one without touching the caller's, enter it, read inside it. */
#ifndef SOCKLEAK_NETNS_H
#define SOCKLEAK_NETNS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Creates a fresh network namespace with 'lo' up and the given "net.KEY=VALUE" sysctls set inside
 * it. A helper thread does the work, so the calling thread's namespace never changes. Returns an
 * O_CLOEXEC fd that keeps the namespace alive (close it to let the kernel free it), or -errno with
 * why filled in.
 */
int netns_create(const char *const *sysctls, unsigned nsysctls, char *why, size_t whylen);
/*
 * Makes a namespace and drops it at once; 0 or -errno. Since Linux 6.8 the kernel frees the
 * namespaces of one clean-up batch only when the next namespace is dismantled (cleanup_net()
 * frees the batch before it, after its RCU barrier): a loop that made a namespace per cycle
 * leaves its last batch allocated until something else drops one, for minutes on a quiet host.
 * This lets that work run.
 */
int netns_flush(void);
/*
 * The network namespace of process pid, to join (--pid): *fd an O_CLOEXEC fd of it, or -1 when it
 * is the caller's own (nothing to join). 0, or -errno with why filled in.
 */
int netns_of_pid(unsigned pid, int *fd, char *why, size_t whylen);
/* Moves the calling thread into the namespace (setns); 0 or -errno. */
int netns_enter(int fd);
/* Runs fn(arg) on a short-lived thread inside the namespace (fd < 0: the caller's) and returns its
 * result, or -errno when the thread could not be started or enter. */
int netns_run(int fd, int (*fn)(void *arg), void *arg);
/* Reads /proc/thread-self/net/NAME as seen inside the namespace; length or -errno. */
long netns_read_file(int fd, const char *name, char *buf, size_t size);

#endif
