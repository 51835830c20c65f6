/* The one owner of SIGINT, SIGTERM, SIGHUP and SIGQUIT: what a signal means, what is cleaned up. */
#ifndef SOCKLEAK_STOP_H
#define SOCKLEAK_STOP_H

#include <stdbool.h>

/*
 * What a signal does depends on where the program is:
 *
 * - In a stoppable stretch (between stop_begin and stop_end: a run's phases, a sweep's variants,
 *   a live view), SIGINT, SIGTERM and SIGHUP are counted, nothing more: the orchestrator sees the
 *   count grow and ends the phase under way (stop_count), and stops waiting for anything once
 *   stop_hurry says so. The third one is not counted: it leaves at once, as below.
 * - Anywhere else (writing the reports, say), and for SIGQUIT always, a signal leaves at once:
 *   the clean-ups run (the memory cgroup is left and removed) and the process dies of the signal,
 *   so its parent sees 128+N. Namespaces and fds go with the process.
 *
 * SIGHUP and SIGQUIT stay ignored when they were ignored at the start (nohup); SIGINT and SIGTERM
 * are always handled, background jobs included.
 */

/* Enters a stoppable stretch; they nest, and the outermost one starts counting from zero. */
void stop_begin(void);
/* Leaves it; outside every stretch, the next signal leaves at once. The count stays readable. */
void stop_end(void);

/* Signals counted since the outermost stop_begin. */
unsigned stop_count(void);
/*
 * No more waiting: a SIGTERM or SIGHUP came (a supervisor, a closed terminal), or a second
 * signal. A single SIGINT (Ctrl-C) leaves room to finish what is under way: a run's quiesce.
 */
bool stop_hurry(void);
/* The first of them (SIGINT, SIGTERM, SIGHUP), or 0: what the exit code says (128+N). */
int stop_signal(void);
/* "SIGINT", "SIGTERM", "SIGHUP", or "signal N". */
const char *stop_signal_name(int sig);

/*
 * Sleeps for seconds, in short naps, until they have passed (true) or stop_count() exceeds since
 * (false): a signal is answered within 50 ms.
 */
bool stop_nap(double seconds, unsigned since);

/*
 * Clean-up that must happen however the process ends: fn(arg) runs, last pushed first, before
 * the process dies of a signal and at exit. fn must be async-signal-safe and idempotent (it may
 * run again after the owner's own clean-up was interrupted). Returns a slot for stop_cleanup_pop,
 * which removes it once the owner has cleaned up itself, or -1 when the table is full.
 */
int stop_cleanup_push(void (*fn)(void *arg), void *arg);
void stop_cleanup_pop(int slot);

#endif
