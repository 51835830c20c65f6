/* The live view (ncurses) and its plain-text snapshot: slab caches, sockets, TCP states, netstat. */
#ifndef SOCKLEAK_LIVE_H
#define SOCKLEAK_LIVE_H

#include <stdbool.h>
#include <stdio.h>

#include "model/series.h"
#include "probe/probe.h"

enum live_sort {
	LIVE_SORT_GROWTH, /* slab bytes gained since the view started */
	LIVE_SORT_RATE, /* slab objects gained per second over the last refresh (objs/s) */
	LIVE_SORT_SIZE, /* slab memory held (slabs x pages) */
};

struct live_opts {
	double refresh; /* seconds between redraws; 0: 1 s */
	enum live_sort sort;
	const char *title; /* what is watched: "host", "netns NAME", "pid N", "churn" */
	unsigned top; /* slab caches in a snapshot; 0: all */
	/* Ends the view when it returns true (the engine finished, a signal came); NULL: q only. */
	bool (*done)(void *arg);
	void *arg;
};

/* Parses "growth", "rate" or "size"; -EINVAL otherwise. */
int live_parse_sort(const char *s, enum live_sort *out);

/*
 * Full-screen view over a series a running sampler fills: redraws every refresh, keys g/r/s sort
 * the slab caches by growth, rate or size, q quits, and so does done() (checked after each redraw
 * and each key; a signal wakes the wait for a key). Returns 0, or -errno when the terminal cannot
 * be set up.
 */
int live_view_run(struct series *s, const struct probe_set *ps, const struct live_opts *o);

/* One plain snapshot of the latest sample with every section, for scripts. */
int live_print(FILE *f, struct series *s, const struct probe_set *ps, const struct live_opts *o);

#endif
