/* Per-tag kernel pool usage as poolmon reads it (NtQuerySystemInformation, pool tag class). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <winternl.h>

#include "common.h"
#include "probe/win/probes.h"

#define SRC "pooltag"

#define POOLTAG_CLASS 22 /* SystemPoolTagInformation */
#define STATUS_INFO_LENGTH_MISMATCH_ ((NTSTATUS)0xC0000004L)
#define MAX_TAGS 64

/* The documented x64 entry: 4 + 4 + 4 (+4 padding) + 8 + 4 + 4 + 8. */
#define ENTRY_SIZE 40
#define ENTRIES_AT 8 /* after ULONG Count, aligned to the entry's 8 */

static uint32_t rd32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t rd64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

int pooltag_parse(const void *buf, size_t len, pooltag_fn fn, void *arg)
{
	const unsigned char *b = buf;
	uint32_t count, i;
	int err;

	if (len < sizeof(uint32_t))
		return -EBADMSG;
	count = rd32(b);
	if (count && (len < ENTRIES_AT || (len - ENTRIES_AT) / ENTRY_SIZE < count))
		return -EBADMSG;
	for (i = 0; i < count; i++) {
		const unsigned char *e = b + ENTRIES_AT + (size_t)i * ENTRY_SIZE;
		struct pool_tag t;

		memcpy(t.tag, e, 4);
		t.tag[4] = '\0';
		t.paged_allocs = rd32(e + 4);
		t.paged_frees = rd32(e + 8);
		t.paged_used = rd64(e + 16);
		t.nonpaged_allocs = rd32(e + 24);
		t.nonpaged_frees = rd32(e + 28);
		t.nonpaged_used = rd64(e + 32);
		err = fn(arg, &t);
		if (err)
			return err;
	}
	return 0;
}

int pooltag_is_socket(const char *tag)
{
	static const char *const prefix[] = { "Afd", "Tcp", "Udp", "Raw" };
	static const char *const exact[] = { "TTcb", "Irp ", "Mdl ", "Nbl ", "NDnd", "Ipng" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(prefix); i++)
		if (!strncmp(tag, prefix[i], 3))
			return 1;
	for (i = 0; i < ARRAY_SIZE(exact); i++)
		if (!strncmp(tag, exact[i], 4))
			return 1;
	return 0;
}

void pooltag_key(const char *tag, const char *what, char *out, size_t n)
{
	char t[5];
	size_t i, k = 0;

	for (i = 0; i < 4 && tag[i]; i++) {
		unsigned char c = (unsigned char)tag[i];

		if (c == ' ')
			continue;
		t[k++] =
			(c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ?
				(char)c :
				'_';
	}
	t[k] = '\0';
	snprintf(out, n, "pool.tag.%s.%s", k ? t : "_", what);
}

typedef NTSTATUS(NTAPI *query_fn)(ULONG, PVOID, ULONG, PULONG);

struct pooltag {
	query_fn query;
	unsigned char *buf;
	ULONG cap;
	ULONG len;
	unsigned ntags;
	struct {
		char tag[5];
		int bytes, allocs;
	} tags[MAX_TAGS];
	struct series *s;
};

static NTSTATUS query(struct pooltag *pt)
{
	NTSTATUS st;
	ULONG need = 0;

	for (;;) {
		need = 0;
		st = pt->query(POOLTAG_CLASS, pt->buf, pt->cap, &need);
		if (st != STATUS_INFO_LENGTH_MISMATCH_)
			break;
		/* Only when the table outgrew the buffer: not in steady state. */
		{
			ULONG cap = need > pt->cap ? need + 4096 : pt->cap * 2;
			unsigned char *q = realloc(pt->buf, cap);

			if (!q)
				return STATUS_INFO_LENGTH_MISMATCH_;
			pt->buf = q;
			pt->cap = cap;
		}
	}
	pt->len = st ? 0 : need && need <= pt->cap ? need : pt->cap;
	return st;
}

static int add_tag(void *arg, const struct pool_tag *t)
{
	struct pooltag *pt = arg;
	char key[64];

	if (!pooltag_is_socket(t->tag) || pt->ntags == MAX_TAGS)
		return 0;
	memcpy(pt->tags[pt->ntags].tag, t->tag, 5);
	/* A pool tag is to the pool what a slab cache is to Linux's slab: the pool-tag table. */
	pooltag_key(t->tag, "bytes", key, sizeof(key));
	pt->tags[pt->ntags].bytes =
		series_add(pt->s, key,
			   &(struct metric_desc){ .kind = MK_LEVEL,
						  .unit = UNIT_BYTES,
						  .cls = MC_SLAB_BYTES,
						  .families = 0,
						  .traits = MT_HOST | MT_SOCKET_CACHE,
						  .source = SRC,
						  .object = pt->tags[pt->ntags].tag });
	pooltag_key(t->tag, "allocs", key, sizeof(key));
	pt->tags[pt->ntags].allocs =
		series_add(pt->s, key,
			   &(struct metric_desc){ .kind = MK_LEVEL,
						  .unit = UNIT_COUNT,
						  .cls = MC_SLAB_OBJS,
						  .families = 0,
						  .traits = MT_HOST | MT_SOCKET_CACHE,
						  .source = SRC,
						  .object = pt->tags[pt->ntags].tag });
	pt->ntags++;
	return 0;
}

static int set_tag(void *arg, const struct pool_tag *t)
{
	struct pooltag *pt = arg;
	unsigned i;

	for (i = 0; i < pt->ntags; i++) {
		if (memcmp(pt->tags[i].tag, t->tag, 4))
			continue;
		series_set(pt->s, pt->tags[i].bytes, (double)(t->paged_used + t->nonpaged_used));
		series_set(pt->s, pt->tags[i].allocs,
			   (double)(t->paged_allocs - t->paged_frees) +
				   (double)(t->nonpaged_allocs - t->nonpaged_frees));
		break;
	}
	return 0;
}

static int pooltag_open(struct probe *p, const struct probe_ctx *ctx, struct series *s)
{
	HMODULE nt = GetModuleHandleA("ntdll.dll");
	struct pooltag *pt = calloc(1, sizeof(*pt));
	NTSTATUS st;
	int err;

	(void)ctx;
	if (!pt)
		return -ENOMEM;
	pt->s = s;
	pt->query = nt ? (query_fn)(void *)GetProcAddress(nt, "NtQuerySystemInformation") : NULL;
	pt->cap = 256 * 1024;
	pt->buf = malloc(pt->cap);
	if (!pt->query || !pt->buf) {
		err = probe_off(p, -ENOSYS, "NtQuerySystemInformation is not available");
		goto fail;
	}
	st = query(pt);
	if (st) {
		err = probe_off(p, -ENOSYS,
				"the system does not give per-tag pool usage (status 0x%08lx); "
				"pool bytes come from the perf probe only",
				(unsigned long)st);
		goto fail;
	}
	err = pooltag_parse(pt->buf, pt->len, add_tag, pt);
	if (err) {
		probe_off(p, err, "the pool tag table does not have the documented layout");
		goto fail;
	}
	if (!pt->ntags) {
		err = probe_off(p, -ENOENT,
				"no socket pool tags (Afd*, Tcp*, TTcb, Irp) in the table");
		goto fail;
	}
	p->priv = pt;
	return 0;
fail:
	free(pt->buf);
	free(pt);
	return err;
}

static int pooltag_sample(struct probe *p, struct series *s)
{
	struct pooltag *pt = p->priv;

	(void)s;
	if (query(pt))
		return -EIO;
	return pooltag_parse(pt->buf, pt->len, set_tag, pt);
}

static void pooltag_close(struct probe *p)
{
	struct pooltag *pt = p->priv;

	free(pt->buf);
	free(pt);
	p->priv = NULL;
}

const struct probe_ops pooltag_probe = {
	.name = "pooltag",
	.open = pooltag_open,
	.sample = pooltag_sample,
	.close = pooltag_close,
};
