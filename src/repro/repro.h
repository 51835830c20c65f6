/* sockleak repro: a saved run as one self-contained C program (libc and kernel headers only). */
#ifndef SOCKLEAK_REPRO_H
#define SOCKLEAK_REPRO_H

#include <stdint.h>
#include <stdio.h>

#include "report/report.h"

/*
 * Cycles the reproducer loops by default: enough for the residual per cycle of the metric that
 * made the verdict to reach ten times the noise the run measured; a run without a residual
 * (CLEAN, BOUNDED) loops as many cycles as the run did. At least 1000, at most 1e8.
 */
uint64_t repro_default_cycles(const struct report_run *run);

/*
 * Writes the program for the run (its sequence, transport, server, namespace and the figures
 * that moved) looping cycles times. 0, -EINVAL with why filled in (a run it cannot reproduce),
 * or -EIO.
 */
int repro_write(FILE *f, const struct report_run *run, uint64_t cycles, const char *command,
		char *why, size_t whylen);

#endif
