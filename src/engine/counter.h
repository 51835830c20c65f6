/* The engine's per-worker counters: one writer each, read by other threads without locks. */
#ifndef SOCKLEAK_ENGINE_COUNTER_H
#define SOCKLEAK_ENGINE_COUNTER_H

#include <stdatomic.h>
#include <stdint.h>

#define CACHELINE 64

typedef _Atomic uint64_t counter_t;

/* Single writer: a relaxed load and store, no locked instruction, and readers never tear. */
static inline void counter_inc(counter_t *c)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1,
			      memory_order_relaxed);
}

static inline uint64_t counter_get(const counter_t *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

#endif
