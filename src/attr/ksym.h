/* Kernel symbols from /proc/kallsyms: addresses of kernel stacks into "function+0xoff [module]". */
#ifndef SOCKLEAK_KSYM_H
#define SOCKLEAK_KSYM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ksyms;

/*
 * Reads and indexes a kallsyms file once ("/proc/kallsyms"; a fixture in tests). -EPERM when
 * every address reads 0 (kernel.kptr_restrict, or not root), -ENOENT when it has no symbol.
 */
int ksyms_load(const char *path, struct ksyms **out);
/* The same from a buffer holding a whole kallsyms file. */
int ksyms_parse(const char *buf, size_t len, struct ksyms **out);
void ksyms_free(struct ksyms *k);
size_t ksyms_count(const struct ksyms *k);

/*
 * The function holding addr: its name, the offset into it and its module (NULL: the kernel
 * image). NULL when addr is below every symbol or past the end of the last one's region.
 */
const char *ksyms_find(const struct ksyms *k, uint64_t addr, uint64_t *off, const char **module);
/* "name+0xoff", "name+0xoff [module]", or "0xaddr" when unknown; returns buf. */
char *ksyms_format(const struct ksyms *k, uint64_t addr, char *buf, size_t size);

#endif
