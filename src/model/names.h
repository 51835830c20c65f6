/* Names of an enum's values, part of the CLI and the JSON schema: one table per enum, both ways. */
#ifndef SOCKLEAK_NAMES_H
#define SOCKLEAK_NAMES_H

#include <stdbool.h>
#include <stddef.h>

/* names[i] of a table of n, or "?" out of range (or a hole in the table). */
const char *name_at(const char *const *names, size_t n, unsigned i);
/* The index of s in the table (in any case with nocase), or -EINVAL. */
int name_index(const char *const *names, size_t n, const char *s, bool nocase);

#endif
