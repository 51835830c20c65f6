/* System pools and commit from GetPerformanceInfo: the non-paged pool of KB Q171996, in bytes. */
#include <errno.h>
#include <psapi.h>
#include <stdlib.h>

#include "probe/win/probes.h"

#define SRC "perf"

struct perf {
	int np, paged, commit, handles;
};

static int perf_read(PERFORMANCE_INFORMATION *pi)
{
	pi->cb = sizeof(*pi);
	return GetPerformanceInfo(pi, sizeof(*pi)) ? 0 : -EIO;
}

static int perf_open(struct probe *p, const struct probe_ctx *ctx, struct series *s)
{
	PERFORMANCE_INFORMATION pi;
	struct perf *pf;

	(void)ctx;
	if (perf_read(&pi))
		return probe_off(p, -EIO, "GetPerformanceInfo failed (error %lu)", GetLastError());
	pf = calloc(1, sizeof(*pf));
	if (!pf)
		return -ENOMEM;
	pf->np = series_add(s, "pool.nonpaged.bytes",
			    &(struct metric_desc){ .kind = MK_LEVEL,
						   .unit = UNIT_BYTES,
						   .cls = MC_OTHER,
						   .families = 0,
						   .traits = MT_HOST | MT_KEY,
						   .source = SRC,
						   .object = "nonpaged pool" });
	pf->paged = series_add(s, "pool.paged.bytes",
			       &(struct metric_desc){ .kind = MK_LEVEL,
						      .unit = UNIT_BYTES,
						      .cls = MC_OTHER,
						      .families = 0,
						      .traits = MT_HOST | MT_ADVISORY,
						      .source = SRC,
						      .object = "paged pool" });
	pf->commit = series_add(s, "sys.commit.bytes",
				&(struct metric_desc){ .kind = MK_LEVEL,
						       .unit = UNIT_BYTES,
						       .cls = MC_OTHER,
						       .families = 0,
						       .traits = MT_HOST | MT_ADVISORY,
						       .source = SRC,
						       .object = "commit charge" });
	pf->handles = series_add(s, "sys.handles",
				 &(struct metric_desc){ .kind = MK_LEVEL,
							.unit = UNIT_COUNT,
							.cls = MC_OTHER,
							.families = 0,
							.traits = MT_HOST | MT_ADVISORY,
							.source = SRC,
							.object = "handles" });
	p->priv = pf;
	return 0;
}

static int perf_sample(struct probe *p, struct series *s)
{
	struct perf *pf = p->priv;
	PERFORMANCE_INFORMATION pi;
	double page;

	if (perf_read(&pi))
		return -EIO;
	page = (double)pi.PageSize;
	series_set(s, pf->np, (double)pi.KernelNonpaged * page);
	series_set(s, pf->paged, (double)pi.KernelPaged * page);
	series_set(s, pf->commit, (double)pi.CommitTotal * page);
	series_set(s, pf->handles, (double)pi.HandleCount);
	return 0;
}

static void perf_close(struct probe *p)
{
	free(p->priv);
	p->priv = NULL;
}

const struct probe_ops perf_probe = {
	.name = "perf",
	.open = perf_open,
	.sample = perf_sample,
	.close = perf_close,
};
