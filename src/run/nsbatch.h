/* The kernel's last batch of dismantled namespaces, freed before a run measures and when it stops. */
#ifndef SOCKLEAK_NSBATCH_H
#define SOCKLEAK_NSBATCH_H

/*
 * Lets the kernel free the namespaces of its last clean-up batch (see netns_flush): one namespace
 * made and dropped. With wait > 0, returns once /proc/slabinfo's net_namespace count has fallen
 * and stood still for a tenth of a second, or nothing fell within wait seconds. Returns the
 * objects that went (0 when none or unknown), -errno when no namespace could be made, or -EINTR
 * when a signal came during the wait (stop_count grew): it returns then, not at the wait's end.
 */
long nsbatch_flush(double wait);

#endif
