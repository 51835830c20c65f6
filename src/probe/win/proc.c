/* sockleak's own process on Windows: handles, working set and commit (private bytes), threads. */
#include <errno.h>
#include <psapi.h>
#include <stdlib.h>

#include "probe/win/probes.h"

#define SRC "process"

struct winproc {
	HANDLE h;
	DWORD pid;
	int handles, ws, commit;
};

static int winproc_open(struct probe *p, const struct probe_ctx *ctx, struct series *s)
{
	struct winproc *w = calloc(1, sizeof(*w));
	DWORD pid = ctx->pid > 0 ? (DWORD)ctx->pid : GetCurrentProcessId();

	if (!w)
		return -ENOMEM;
	w->pid = pid;
	w->h = pid == GetCurrentProcessId() ?
		       GetCurrentProcess() :
		       OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION | PROCESS_VM_READ, FALSE, pid);
	if (!w->h) {
		free(w);
		return probe_off(p, -EACCES, "cannot open process %lu (error %lu)",
				 (unsigned long)pid, GetLastError());
	}
	w->handles = series_add(s, "proc.handles",
				&(struct metric_desc){ .kind = MK_LEVEL,
						       .unit = UNIT_COUNT,
						       .cls = MC_FDS,
						       .families = 0,
						       .traits = MT_NETNS | MT_KEY,
						       .source = SRC,
						       .object = "handles" });
	w->ws = series_add(s, "proc.working_set",
			   &(struct metric_desc){ .kind = MK_LEVEL,
						  .unit = UNIT_BYTES,
						  .cls = MC_OTHER,
						  .families = 0,
						  .traits = MT_ADVISORY,
						  .source = SRC,
						  .object = "working set" });
	w->commit = series_add(s, "proc.commit",
			       &(struct metric_desc){ .kind = MK_LEVEL,
						      .unit = UNIT_BYTES,
						      .cls = MC_OTHER,
						      .families = 0,
						      .traits = MT_ADVISORY,
						      .source = SRC,
						      .object = "private bytes" });
	p->priv = w;
	return 0;
}

static int winproc_sample(struct probe *p, struct series *s)
{
	struct winproc *w = p->priv;
	PROCESS_MEMORY_COUNTERS_EX mc = { .cb = sizeof(mc) };
	DWORD handles = 0;
	int err = 0;

	if (GetProcessHandleCount(w->h, &handles))
		series_set(s, w->handles, handles);
	else
		err = -EIO;
	if (GetProcessMemoryInfo(w->h, (PROCESS_MEMORY_COUNTERS *)&mc, sizeof(mc))) {
		series_set(s, w->ws, (double)mc.WorkingSetSize);
		series_set(s, w->commit, (double)mc.PrivateUsage);
	} else {
		err = -EIO;
	}
	return err;
}

static void winproc_close(struct probe *p)
{
	struct winproc *w = p->priv;

	if (w->h && w->h != GetCurrentProcess())
		CloseHandle(w->h);
	free(w);
	p->priv = NULL;
}

const struct probe_ops winproc_probe = {
	.name = "process",
	.open = winproc_open,
	.sample = winproc_sample,
	.close = winproc_close,
};
