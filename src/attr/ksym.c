/* Kernel symbols from /proc/kallsyms, read once per run: text symbols sorted by address. */
#include "attr/ksym.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The last symbol's region has no end in the file: an offset past this is not in it. */
#define LAST_SYMBOL_SPAN 0x10000

struct ksym {
	uint64_t addr;
	uint32_t name; /* offsets into the arena */
	uint32_t module; /* UINT32_MAX: the kernel image */
};

struct ksyms {
	struct ksym *v;
	size_t n, cap;
	char *arena;
	size_t used, size;
};

static int arena_put(struct ksyms *k, const char *s, size_t len, uint32_t *at)
{
	if (k->used + len + 1 > k->size) {
		size_t size = k->size ? k->size * 2 : 1 << 20;
		char *q;

		while (size < k->used + len + 1)
			size *= 2;
		if (size > UINT32_MAX || !(q = realloc(k->arena, size)))
			return -ENOMEM;
		k->arena = q;
		k->size = size;
	}
	memcpy(k->arena + k->used, s, len);
	k->arena[k->used + len] = '\0';
	*at = (uint32_t)k->used;
	k->used += len + 1;
	return 0;
}

/* Module names repeat on thousands of lines: keep the last one's offset. */
static int module_of(struct ksyms *k, const char *s, size_t len, uint32_t *last, size_t *last_len,
		     uint32_t *at)
{
	int err;

	if (*last != UINT32_MAX && *last_len == len && !memcmp(k->arena + *last, s, len)) {
		*at = *last;
		return 0;
	}
	err = arena_put(k, s, len, at);
	if (!err) {
		*last = *at;
		*last_len = len;
	}
	return err;
}

static int by_addr(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* One line: "ffffffff81000000 T name" or "... t name\t[module]"; only text symbols are kept. */
static int parse_line(struct ksyms *k, const char *p, const char *end, uint32_t *last_mod,
		      size_t *last_len, bool *nonzero)
{
	const char *name, *name_end, *mod = NULL, *mod_end = NULL;
	struct ksym s = { .module = UINT32_MAX };
	char *after;
	int err;

	s.addr = strtoull(p, &after, 16);
	if (after == p || after + 3 > end || after[0] != ' ' || after[2] != ' ')
		return 0;
	if (!strchr("tTwW", after[1]))
		return 0;
	name = after + 3;
	for (name_end = name; name_end < end && *name_end != '\t' && *name_end != ' '; name_end++)
		;
	if (name_end == name)
		return 0;
	if (name_end < end && (mod = memchr(name_end, '[', (size_t)(end - name_end)))) {
		mod++;
		mod_end = memchr(mod, ']', (size_t)(end - mod));
		if (!mod_end)
			mod = NULL;
	}
	if (s.addr)
		*nonzero = true;
	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 65536;
		struct ksym *q = realloc(k->v, cap * sizeof(*q));

		if (!q)
			return -ENOMEM;
		k->v = q;
		k->cap = cap;
	}
	err = arena_put(k, name, (size_t)(name_end - name), &s.name);
	if (!err && mod)
		err = module_of(k, mod, (size_t)(mod_end - mod), last_mod, last_len, &s.module);
	if (err)
		return err;
	k->v[k->n++] = s;
	return 0;
}

int ksyms_parse(const char *buf, size_t len, struct ksyms **out)
{
	struct ksyms *k = calloc(1, sizeof(*k));
	const char *p = buf, *end = buf + len;
	uint32_t last_mod = UINT32_MAX;
	size_t last_len = 0;
	bool nonzero = false;
	int err = 0;

	*out = NULL;
	if (!k)
		return -ENOMEM;
	while (p < end && !err) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *line_end = nl ? nl : end;

		err = parse_line(k, p, line_end, &last_mod, &last_len, &nonzero);
		p = line_end + 1;
	}
	if (!err && !k->n)
		err = -ENOENT;
	if (!err && !nonzero)
		err = -EPERM;
	if (err) {
		ksyms_free(k);
		return err;
	}
	qsort(k->v, k->n, sizeof(*k->v), by_addr);
	*out = k;
	return 0;
}

int ksyms_load(const char *path, struct ksyms **out)
{
	size_t cap = 1 << 22, len = 0;
	char *buf = malloc(cap);
	int fd, err;
	ssize_t n;

	*out = NULL;
	if (!buf)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		free(buf);
		return err;
	}
	for (;;) {
		if (len == cap) {
			char *q = realloc(buf, cap * 2);

			if (!q) {
				err = -ENOMEM;
				goto out;
			}
			buf = q;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	err = ksyms_parse(buf, len, out);
out:
	close(fd);
	free(buf);
	return err;
}

void ksyms_free(struct ksyms *k)
{
	if (!k)
		return;
	free(k->v);
	free(k->arena);
	free(k);
}

size_t ksyms_count(const struct ksyms *k)
{
	return k ? k->n : 0;
}

const char *ksyms_find(const struct ksyms *k, uint64_t addr, uint64_t *off, const char **module)
{
	size_t lo = 0, hi = k ? k->n : 0;
	const struct ksym *s;

	/* The last symbol at or below addr. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (k->v[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	s = &k->v[lo - 1];
	if (lo == k->n && addr - s->addr > LAST_SYMBOL_SPAN)
		return NULL;
	*off = addr - s->addr;
	*module = s->module == UINT32_MAX ? NULL : k->arena + s->module;
	return k->arena + s->name;
}

char *ksyms_format(const struct ksyms *k, uint64_t addr, char *buf, size_t size)
{
	const char *mod = NULL, *name;
	uint64_t off = 0;

	name = ksyms_find(k, addr, &off, &mod);
	if (!name) {
		snprintf(buf, size, "0x%" PRIx64, addr);
		return buf;
	}
	if (mod)
		snprintf(buf, size, "%s+0x%" PRIx64 " [%s]", name, off, mod);
	else
		snprintf(buf, size, "%s+0x%" PRIx64, name, off);
	return buf;
}
