/* --attribute in words: the sentences of the attribution, shared by the text and HTML reports. */
#ifndef SOCKLEAK_REPORT_ATTRIBUTION_H
#define SOCKLEAK_REPORT_ATTRIBUTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "model/attribution.h"
#include "model/series.h"

/* "slab, pages, per-CPU, TCP states; socket charges: not traceable on this kernel (...)". */
void report_attr_sources(char *buf, size_t size, const struct attr_source *s, size_t n);
/*
 * With --attribute-sample N > 1: "stacks sampled 1 in N allocations; per-stack counts are
 * estimates (+-X% at 95% ...)", X the widest of the stacks judged LEAK or BACKLOG. False (buf
 * empty) when every stack was walked.
 */
bool report_attr_sampling(char *buf, size_t size, const struct attribution *a);
/* Why a stack got its verdict, in words. */
const char *report_attr_reason(enum attr_reason r);
/* The losses in words ("none"), for beside the stacks. */
void report_attr_lost(char *buf, size_t size, const struct attribution *a);
/*
 * The frames of a stack worth reading: the allocator's own folded (skip gets how many), and the
 * entry (syscall, softirq, kthread) frames past the one that says where it came from cut.
 * Returns how many to show from frames[*skip].
 */
size_t report_attr_frames(const struct attr_stack *st, size_t *skip);

/*
 * The text report's section "Where it was allocated" (nothing when a is NULL or attribution was
 * never asked for), wrapped at width (0: 100).
 */
int report_text_attribution(FILE *f, const struct series *s, const struct attribution *a,
			    int width);

#endif
