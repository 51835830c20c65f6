/* The machine a run ran on: kernel, CPUs, memory, cgroup version, privileges, start time. */
#include "report/machine.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifndef _WIN32
#include <sys/utsname.h>
#endif
#include <time.h>
#include <unistd.h>

#include "common.h"

static long read_under(const char *root, const char *path, char *buf, size_t size)
{
	char full[4096];

	snprintf(full, sizeof(full), "%s%s", root, path);
	return sl_read_file(full, buf, size);
}

#ifndef _WIN32
/* Copies the value of the first line "KEY<sep>value" of text into out, trimmed of blanks and quotes. */
static void find_value(const char *text, const char *key, char sep, char *out, size_t size)
{
	size_t klen = strlen(key), n;
	const char *p = text, *v, *end;

	for (; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, key, klen))
			continue;
		v = p + klen;
		while (*v == ' ' || *v == '\t')
			v++;
		if (*v != sep)
			continue;
		v++;
		while (*v == ' ' || *v == '\t' || *v == '"')
			v++;
		end = strchrnul(v, '\n');
		while (end > v && (end[-1] == ' ' || end[-1] == '"' || end[-1] == '\t'))
			end--;
		n = (size_t)(end - v) < size - 1 ? (size_t)(end - v) : size - 1;
		memcpy(out, v, n);
		out[n] = '\0';
		return;
	}
}

#endif

int machine_cgroup_version(const char *root)
{
#ifdef _WIN32
	(void)root;
	return 0; /* no cgroups (and under Wine, /proc paths would read the host's) */
#endif
	char buf[8192], *line, *save = NULL;
	bool v2 = false;

	if (read_under(root, "/proc/self/cgroup", buf, sizeof(buf)) < 0)
		return 0;
	/* "ID:controllers:path"; a v1 hierarchy naming "memory" wins over the v2 one (hybrid). */
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *ctl = strchr(line, ':'), *end, *tok, *s2 = NULL;

		if (!ctl)
			continue;
		ctl++;
		end = strchr(ctl, ':');
		if (!end)
			continue;
		*end = '\0';
		if (!strncmp(line, "0:", 2) && !*ctl) {
			v2 = true;
			continue;
		}
		for (tok = strtok_r(ctl, ",", &s2); tok; tok = strtok_r(NULL, ",", &s2))
			if (!strcmp(tok, "memory"))
				return 1;
	}
	return v2 ? 2 : 0;
}

/* sockleak vm says what it booted in the guest's environment (src/vm/vm.c). */
static void vm_from_env(struct machine *m)
{
	static const struct {
		const char *var;
		size_t off, size;
	} f[] = {
		{ "SOCKLEAK_VM", offsetof(struct machine, vm), sizeof(((struct machine *)0)->vm) },
		{ "SOCKLEAK_VM_KERNEL", offsetof(struct machine, vm_kernel),
		  sizeof(((struct machine *)0)->vm_kernel) },
		{ "SOCKLEAK_VM_MODULES", offsetof(struct machine, vm_modules),
		  sizeof(((struct machine *)0)->vm_modules) },
		{ "SOCKLEAK_VM_INITRAMFS", offsetof(struct machine, vm_initramfs),
		  sizeof(((struct machine *)0)->vm_initramfs) },
	};
	const char *v;
	size_t i;

	if (!sl_vm())
		return;
	for (i = 0; i < ARRAY_SIZE(f); i++)
		if ((v = getenv(f[i].var)))
			snprintf((char *)m + f[i].off, f[i].size, "%s", v);
}

#ifdef _WIN32
/* Windows: the version from ntdll (not the manifest-bound GetVersionEx), and Wine when under it. */
static void host_facts(struct machine *m, const char *root)
{
	typedef LONG(WINAPI * rtl_get_version_fn)(OSVERSIONINFOW *);
	typedef const char *(CDECL * wine_version_fn)(void);
	HMODULE nt = GetModuleHandleA("ntdll.dll");
	rtl_get_version_fn rtl_get_version =
		nt ? (rtl_get_version_fn)(void *)GetProcAddress(nt, "RtlGetVersion") : NULL;
	wine_version_fn wine_version =
		nt ? (wine_version_fn)(void *)GetProcAddress(nt, "wine_get_version") : NULL;
	OSVERSIONINFOW v = { .dwOSVersionInfoSize = sizeof(v) };
	MEMORYSTATUSEX ms = { .dwLength = sizeof(ms) };
	SYSTEM_INFO si;
	DWORD n = sizeof(m->hostname), type, size = sizeof(m->cpu);

	(void)root;
	if (rtl_get_version && !rtl_get_version(&v)) {
		snprintf(m->kernel, sizeof(m->kernel), "%lu.%lu.%lu", v.dwMajorVersion,
			 v.dwMinorVersion, v.dwBuildNumber);
		snprintf(m->kernel_build, sizeof(m->kernel_build), "Windows NT build %lu",
			 v.dwBuildNumber);
		snprintf(m->os, sizeof(m->os), "Windows %lu.%lu (build %lu)%s%s", v.dwMajorVersion,
			 v.dwMinorVersion, v.dwBuildNumber, wine_version ? " under Wine " : "",
			 wine_version ? wine_version() : "");
	}
	GetNativeSystemInfo(&si);
	snprintf(m->arch, sizeof(m->arch), "%s",
		 si.wProcessorArchitecture == PROCESSOR_ARCHITECTURE_AMD64 ? "x86_64" :
		 si.wProcessorArchitecture == PROCESSOR_ARCHITECTURE_ARM64 ? "arm64" :
									     "other");
	if (!GetComputerNameA(m->hostname, &n))
		m->hostname[0] = '\0';
	if (RegGetValueA(HKEY_LOCAL_MACHINE, "HARDWARE\\DESCRIPTION\\System\\CentralProcessor\\0",
			 "ProcessorNameString", RRF_RT_REG_SZ, &type, m->cpu,
			 &size) != ERROR_SUCCESS)
		m->cpu[0] = '\0';
	if (GlobalMemoryStatusEx(&ms))
		m->mem_bytes = ms.ullTotalPhys;
}
#else
static void host_facts(struct machine *m, const char *root)
{
	char buf[16384];
	char mem[64] = "";
	struct utsname u;

	if (!uname(&u)) {
		snprintf(m->kernel, sizeof(m->kernel), "%s", u.release);
		snprintf(m->kernel_build, sizeof(m->kernel_build), "%s", u.version);
		snprintf(m->arch, sizeof(m->arch), "%s", u.machine);
		snprintf(m->hostname, sizeof(m->hostname), "%s", u.nodename);
	}
	if (read_under(root, "/etc/os-release", buf, sizeof(buf)) >= 0 ||
	    read_under(root, "/usr/lib/os-release", buf, sizeof(buf)) >= 0)
		find_value(buf, "PRETTY_NAME", '=', m->os, sizeof(m->os));
	if (read_under(root, "/proc/cpuinfo", buf, sizeof(buf)) >= 0)
		find_value(buf, "model name", ':', m->cpu, sizeof(m->cpu));
	if (read_under(root, "/proc/meminfo", buf, sizeof(buf)) >= 0) {
		find_value(buf, "MemTotal", ':', mem, sizeof(mem));
		m->mem_bytes = strtoull(mem, NULL, 10) * 1024; /* "24576000 kB" */
	}
}
#endif

int machine_mem_pcpu_rsv(const char *root)
{
	char buf[32], *end;
	long v;

	if (read_under(root ? root : "", "/proc/sys/net/core/mem_pcpu_rsv", buf, sizeof(buf)) < 0)
		return -1;
	v = strtol(buf, &end, 10);
	return end == buf || v < 0 || v > (1 << 30) ? -1 : (int)v;
}

void machine_init(struct machine *m, const char *root)
{
	time_t now = time(NULL);
	struct tm tm;
	long n;

	memset(m, 0, sizeof(*m));
	if (!root)
		root = "";
	host_facts(m, root);
	n = sysconf(_SC_NPROCESSORS_ONLN);
	m->cores = n > 0 ? (unsigned)n : 0;
	m->mem_pcpu_rsv = machine_mem_pcpu_rsv(root);
	n = sysconf(_SC_PAGESIZE);
	m->page_size = n > 0 ? (unsigned)n : 4096;
	m->cgroup_version = machine_cgroup_version(root);
	m->root = sl_is_root();
	snprintf(m->version, sizeof(m->version), "%s", SOCKLEAK_VERSION);
	if (gmtime_r(&now, &tm))
		strftime(m->start, sizeof(m->start), "%Y-%m-%dT%H:%M:%SZ", &tm);
	vm_from_env(m);
}

void machine_set_run(struct machine *m, const struct run_config *cfg)
{
	m->netns = cfg->netns;
	m->cgroup = cfg->cgroup;
}
