/*
 * sockleak vm: boots a kernel under QEMU with this host's root shared read-only, runs a sockleak
 * command in it, relays its output, puts the reports it wrote where the user named them, and
 * exits as it did. KVM when it works (a bounded boot time-out tells), TCG otherwise; a boot that
 * stalls is tried once more.
 */
#include "vm/vm.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "common.h"
#include "engine/guard.h"
#include "report/out.h"
#include "vm/guest.h"
#include "vm/initramfs.h"
#include "vm/kmod.h"

/* What the boot needs; the rest of the kernel's modules load on demand from its module tree. */
static const struct kmod_want boot_modules[] = {
	{ "virtio_pci", true, "CONFIG_VIRTIO_PCI" },
	{ "virtio_console", true, "CONFIG_VIRTIO_CONSOLE" },
	{ "9pnet_virtio", true, "CONFIG_NET_9P_VIRTIO" },
	{ "9p", true, "CONFIG_9P_FS" },
	{ "overlay", false, "CONFIG_OVERLAY_FS" },
};

void vm_defaults(struct vm_config *c)
{
	*c = (struct vm_config){
		.memory = VM_DEFAULT_MEMORY,
		.accel = VM_ACCEL_AUTO,
		.boot_timeout = VM_DEFAULT_BOOT_TIMEOUT,
		.qemu = VM_QEMU,
		.timeout_opt = "--boot-timeout",
	};
}

/* ---- the guest's command line ---- */

enum vm_arg_kind vm_arg_kind(const struct opt *opts, const char *name)
{
	const struct opt *o = opts ? opt_match(opts, name, 0) : NULL;

	if (!o)
		return VM_ARG_OTHER;
	return o->kind == OPT_FILE_OUT ? VM_ARG_FILE_OUT :
	       o->kind == OPT_DIR_OUT  ? VM_ARG_DIR_OUT :
					 VM_ARG_OTHER;
}

/* The last component of a path, for the file's name in the shared directory. */
static char *base_name(const char *path)
{
	const char *end = path + strlen(path), *b;

	while (end > path && end[-1] == '/')
		end--;
	for (b = end; b > path && b[-1] != '/';)
		b--;
	if (end == b || (end - b == 1 && *b == '.') || (end - b == 2 && !strncmp(b, "..", 2)))
		return strdup("out");
	return strndup(b, (size_t)(end - b));
}

static int push(struct vm_args *a, const char *s)
{
	char *d = strdup(s);

	if (!d)
		return -ENOMEM;
	a->argv[a->argc++] = d;
	a->argv[a->argc] = NULL;
	return 0;
}

/* Maps the value of an output option; prefix is "--json=" or "" (the value is its own word). */
static int map_out(struct vm_args *a, const char *guest_dir, const char *name, bool eq,
		   const char *val, bool dir, char *why, size_t whylen)
{
	char *base, *word, prefix[80];
	struct vm_out *o;
	int err;

	snprintf(prefix, sizeof(prefix), "%s%s", eq ? name : "", eq ? "=" : "");
	if (!dir && !strcmp(val, "-")) {
		if (asprintf(&word, "%s-", prefix) < 0)
			return -ENOMEM;
		err = push(a, word);
		free(word);
		return err;
	}
	if (a->nout == VM_MAX_OUT) {
		snprintf(why, whylen, "more than %d output files", VM_MAX_OUT);
		return -EINVAL;
	}
	o = &a->out[a->nout];
	snprintf(o->opt, sizeof(o->opt), "%s", name);
	base = base_name(val);
	o->user = strdup(val);
	o->dir = dir;
	if (!base || !o->user || asprintf(&o->rel, "%u/%s", a->nout, base) < 0) {
		free(base);
		o->rel = NULL;
		return -ENOMEM;
	}
	free(base);
	a->nout++;
	if (asprintf(&word, "%s%s/%s", prefix, guest_dir, o->rel) < 0)
		return -ENOMEM;
	err = push(a, word);
	free(word);
	return err;
}

int vm_map_args(const struct opt *opts, int argc, char **argv, const char *guest_dir,
		struct vm_args *a, char *why, size_t whylen)
{
	bool options = true;
	int i, err = 0;

	memset(a, 0, sizeof(*a));
	if (argc < 1 || argv[0][0] == '-') {
		snprintf(why, whylen,
			 "no command to run in the VM: give one after '--', as in "
			 "'sockleak vm --kernel K -- run'");
		return -EINVAL;
	}
	if (!strcmp(argv[0], "vm")) {
		snprintf(why, whylen, "'vm' cannot run inside the VM");
		return -EINVAL;
	}
	a->argv = calloc((size_t)argc + 1, sizeof(*a->argv));
	if (!a->argv)
		return -ENOMEM;
	err = push(a, argv[0]);
	for (i = 1; i < argc && !err; i++) {
		const char *arg = argv[i], *eq;
		char name[64], opt[72];
		enum vm_arg_kind k;
		size_t n;

		if (!options || strncmp(arg, "--", 2) || !arg[2]) {
			options = options && strcmp(arg, "--");
			err = push(a, arg);
			continue;
		}
		eq = strchr(arg, '=');
		n = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
		snprintf(name, sizeof(name), "%.*s", (int)(n < sizeof(name) ? n : sizeof(name) - 1),
			 arg + 2);
		k = vm_arg_kind(opts, name);
		if (k == VM_ARG_OTHER) {
			err = push(a, arg);
		} else if (eq) {
			snprintf(opt, sizeof(opt), "--%s", name);
			err = map_out(a, guest_dir, opt, true, eq + 1, k == VM_ARG_DIR_OUT, why,
				      whylen);
		} else if (i + 1 < argc) {
			snprintf(opt, sizeof(opt), "--%s", name);
			err = push(a, arg);
			if (!err)
				err = map_out(a, guest_dir, opt, false, argv[++i],
					      k == VM_ARG_DIR_OUT, why, whylen);
		} else {
			err = push(a, arg); /* the command itself says the value is missing */
		}
	}
	if (err)
		vm_args_free(a);
	return err;
}

void vm_args_free(struct vm_args *a)
{
	unsigned i;

	for (i = 0; a->argv && a->argv[i]; i++)
		free(a->argv[i]);
	free(a->argv);
	for (i = 0; i < a->nout; i++) {
		free(a->out[i].user);
		free(a->out[i].rel);
	}
	memset(a, 0, sizeof(*a));
}

int vm_check_outputs(const struct vm_args *a)
{
	unsigned i;

	for (i = 0; i < a->nout; i++)
		if (a->out[i].dir ? out_check_dir(a->out[i].opt, a->out[i].user) :
				    out_check(a->out[i].opt, a->out[i].user))
			return -EINVAL;
	return 0;
}

/* ---- the reports the guest wrote ---- */

static int copy_fd(FILE *f, const void *arg)
{
	char buf[65536];
	int fd = *(const int *)arg;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (fwrite(buf, 1, (size_t)n, f) != (size_t)n)
			return errno ? -errno : -EIO;
	return n < 0 ? -errno : 0;
}

int vm_copy_file(int dirfd, const char *name, const char *path)
{
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), err;
	struct stat st;

	if (fd < 0) /* not written (the command said why), or not a file (a link: left alone) */
		return errno == ENOENT || errno == ELOOP ? 0 : -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return 0;
	}
	err = out_write(path, copy_fd, &fd);
	close(fd);
	return err;
}

static int land_dir(int dirfd, const char *name, const char *path)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), err = 0, e;
	struct dirent *d;
	struct stat st;
	DIR *dir;

	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return -errno;
	}
	if (mkdir(path, 0755) && !(errno == EEXIST && !stat(path, &st) && S_ISDIR(st.st_mode))) {
		err = -errno;
		sl_err("vm: cannot create %s: %s", path, strerror(-err));
		closedir(dir);
		return err;
	}
	while ((d = readdir(dir))) {
		char *to;

		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		if (asprintf(&to, "%s/%s", path, d->d_name) < 0) {
			err = -ENOMEM;
			break;
		}
		if (fstatat(fd, d->d_name, &st, AT_SYMLINK_NOFOLLOW))
			e = -errno;
		else if (S_ISDIR(st.st_mode))
			e = land_dir(fd, d->d_name, to);
		else if (S_ISREG(st.st_mode))
			e = vm_copy_file(fd, d->d_name, to);
		else
			e = 0; /* a report is a file: links and the like stay in the share */
		free(to);
		if (e && !err)
			err = e;
	}
	closedir(dir);
	return err;
}

int vm_land(const struct vm_args *a, const char *share)
{
	int dirfd = open(share, O_RDONLY | O_DIRECTORY | O_CLOEXEC), err = 0, e;
	unsigned i;

	if (dirfd < 0)
		return -errno;
	for (i = 0; i < a->nout; i++) {
		e = a->out[i].dir ? land_dir(dirfd, a->out[i].rel, a->out[i].user) :
				    vm_copy_file(dirfd, a->out[i].rel, a->out[i].user);
		if (e && !err)
			err = e;
	}
	close(dirfd);
	return err;
}

/* ---- the host side of a boot ---- */

void vm_rm_tree(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct dirent *d;
	DIR *dir;

	if (fd < 0) {
		unlinkat(dirfd, name, 0);
		return;
	}
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return;
	}
	while ((d = readdir(dir)))
		if (strcmp(d->d_name, ".") && strcmp(d->d_name, ".."))
			vm_rm_tree(fd, d->d_name);
	closedir(dir);
	unlinkat(dirfd, name, AT_REMOVEDIR);
}

/*
 * Removes the private directories of sockleak vm runs that were killed (SIGKILL leaves no chance
 * to clean up): TMP/sockleak-vm.PID.XXXXXX, owned by this user, whose PID is gone.
 */
static void sweep_stale(const char *tmp)
{
	int fd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *d;
	struct stat st;
	DIR *dir;
	long pid;

	if (fd < 0 || !(dir = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((d = readdir(dir))) {
		char *end;

		if (strncmp(d->d_name, "sockleak-vm.", 12))
			continue;
		pid = strtol(d->d_name + 12, &end, 10);
		if (end == d->d_name + 12 || *end != '.' || pid <= 0 || pid == getpid() ||
		    fstatat(fd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) || !S_ISDIR(st.st_mode) ||
		    st.st_uid != geteuid() || !(kill((pid_t)pid, 0) && errno == ESRCH))
			continue;
		vm_rm_tree(fd, d->d_name);
	}
	closedir(dir);
}

/* A directory holding modules.dep for release, beside the image (ROOT/boot/vmlinuz-R ->
 * ROOT/lib/modules/R, as a package unpacks) or this host's /lib/modules/R. */
static bool find_modules(const char *image, const char *release, char *dir, size_t size)
{
	char img[PATH_MAX], *slash;
	struct stat st;

	if (realpath(image, img) && (slash = strrchr(img, '/'))) {
		*slash = '\0';
		slash = strrchr(img, '/');
		if (slash && !strcmp(slash, "/boot")) {
			*slash = '\0';
			if ((size_t)snprintf(dir, size, "%s/lib/modules/%s/modules.dep", img,
					     release) < size &&
			    !stat(dir, &st)) {
				*strrchr(dir, '/') = '\0';
				return true;
			}
		}
	}
	snprintf(dir, size, "/lib/modules/%s/modules.dep", release);
	if (!stat(dir, &st)) {
		*strrchr(dir, '/') = '\0';
		return true;
	}
	return false;
}

/* The host must keep the guard's floor with the guest's memory in use. */
static int check_host_memory(uint64_t memory)
{
	struct guard g = { 0 };

	if (guard_init(&g))
		return 0; /* no meminfo: nothing to judge by */
	if (g.start >= memory + g.floor)
		return 0;
	sl_err("vm: a guest of %llu MiB would leave this host less than its memory guard's floor "
	       "(%llu MiB of %llu MiB available); give --memory less",
	       (unsigned long long)(memory >> 20), (unsigned long long)(g.floor >> 20),
	       (unsigned long long)(g.start >> 20));
	return -ENOMEM;
}

struct ctx {
	const struct vm_config *c;
	double t0;
	char kernel[PATH_MAX], modules[PATH_MAX], busybox[PATH_MAX];
	char release[65], version[256], bb_version[32];
	bool have_modules;
	struct kmod_list mods;
	char dir[PATH_MAX], share[PATH_MAX + 8];
	struct vm_args args;
	int sigfd;
};

/* What the guest's report says of the VM (machine.vm): read by machine_init in the guest. */
static int guest_env(const struct ctx *x, enum vm_accel accel, char **env, size_t n)
{
	char mods[KMOD_MAX * 24] = "";
	size_t used = 0, k = 0;
	unsigned i;

	for (i = 0; i < x->mods.n; i++)
		used += (size_t)snprintf(mods + used, sizeof(mods) - used, "%s%s", i ? " " : "",
					 x->mods.name[i]);
	if (n < 5 || asprintf(&env[k++], "SOCKLEAK_VM=qemu/%s", qemu_accel_name(accel)) < 0 ||
	    asprintf(&env[k++], "SOCKLEAK_VM_KERNEL=%s", x->kernel) < 0 ||
	    asprintf(&env[k++], "SOCKLEAK_VM_MODULES=%s", x->have_modules ? x->modules : "") < 0 ||
	    asprintf(&env[k++], "SOCKLEAK_VM_INITRAMFS=busybox %s (static); modules: %s",
		     x->bb_version[0] ? x->bb_version : "?", x->mods.n ? mods : "none") < 0)
		return -ENOMEM;
	env[k] = NULL;
	return 0;
}

static int write_initramfs(struct ctx *x, enum vm_accel accel, const char *path)
{
	char *env[5] = { 0 }, cwd[PATH_MAX], why[512] = "";
	struct utsname u;
	struct guest_plan plan = {
		.mods = &x->mods,
		.modules_dir = x->have_modules ? x->modules : NULL,
		.exe = NULL,
		.cwd = getcwd(cwd, sizeof(cwd)) ? cwd : "/",
		.hostname = uname(&u) ? NULL : u.nodename,
		.argc = x->args.argc,
		.argv = x->args.argv,
		.env = (const char *const *)env,
	};
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int err, i;

	if (n <= 0) {
		sl_err("vm: cannot tell where sockleak itself is (/proc/self/exe)");
		return -ENOENT;
	}
	exe[n] = '\0';
	plan.exe = exe;
	err = guest_env(x, accel, env, ARRAY_SIZE(env));
	if (!err)
		err = initramfs_build(path, x->busybox, &plan, why, sizeof(why));
	if (err)
		sl_err("vm: %s", why[0] ? why : strerror(-err));
	for (i = 0; env[i]; i++)
		free(env[i]);
	return err;
}

/* Prints the console's last lines when it was not shown as it came. */
static void show_tail(const struct ctx *x, const struct qemu_result *r)
{
	const char *p = r->tail + strlen(r->tail);
	int lines = 0;

	if (!x->c->quiet || !r->tail[0])
		return;
	while (p > r->tail && lines < 20)
		if (*--p == '\n')
			lines++;
	fprintf(stderr, "sockleak: vm: the guest's console ended with:\n%s%s", p,
		p[strlen(p) - 1] == '\n' ? "" : "\n");
}

/* One launch: its own initramfs (the guest's report names the accelerator). */
static int launch(struct ctx *x, enum vm_accel accel, double timeout, unsigned n,
		  struct qemu_result *r)
{
	char initrd[PATH_MAX + 32];
	struct qemu_plan p = {
		.qemu = x->c->qemu,
		.accel = accel,
		.cpus = x->c->cpus,
		.memory = x->c->memory,
		.kernel = x->kernel,
		.initrd = initrd,
		.append = x->c->append,
		.share = x->share,
	};
	struct qemu_session s = {
		.boot_timeout = timeout,
		.t0 = x->t0,
		.quiet = x->c->quiet,
		.sigfd = x->sigfd,
	};
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int err;

	if (!p.cpus)
		p.cpus = accel == VM_ACCEL_KVM && ncpu > 0 ? (unsigned)ncpu : 1;
	snprintf(initrd, sizeof(initrd), "%s/initramfs.%u.cpio", x->dir, n);
	err = write_initramfs(x, accel, initrd);
	if (err)
		return err;
	if (!x->c->quiet)
		sl_err("vm: booting %s under qemu/%s (%u CPU%s, %llu MiB)%s%s", x->release,
		       qemu_accel_name(accel), p.cpus, p.cpus == 1 ? "" : "s",
		       (unsigned long long)(x->c->memory >> 20),
		       x->have_modules ? "; modules from " : "; no module tree",
		       x->have_modules ? x->modules : "");
	err = qemu_boot(&p, &s, r);
	if (err == -ENOENT || err == -EACCES)
		sl_err("vm: %s: install Debian's qemu-system-x86 (apt-get install qemu-system-x86)",
		       r->qemu_said);
	else if (err)
		sl_err("vm: cannot start qemu: %s",
		       r->qemu_said[0] ? r->qemu_said : strerror(-err));
	return err;
}

/* Boots with the accelerators to try, in order, until the guest ran its command or cannot. */
static int boot(struct ctx *x, struct qemu_result *r)
{
	const struct vm_config *c = x->c;
	enum vm_accel plan[3];
	double timeout[3];
	unsigned n = 0, i;
	int err = 0;

	if (c->accel == VM_ACCEL_AUTO && qemu_kvm_usable()) {
		plan[n] = VM_ACCEL_KVM;
		timeout[n++] = c->boot_timeout < VM_KVM_PROBE_TIMEOUT ? c->boot_timeout :
									VM_KVM_PROBE_TIMEOUT;
	}
	plan[n] = plan[n + 1] = c->accel == VM_ACCEL_AUTO ? VM_ACCEL_TCG : c->accel;
	timeout[n] = timeout[n + 1] = c->boot_timeout;
	n += 2;
	for (i = 0; i < n; i++) {
		bool kvm_probe = c->accel == VM_ACCEL_AUTO && plan[i] == VM_ACCEL_KVM;

		err = launch(x, plan[i], timeout[i], i, r);
		if (err || i + 1 == n)
			break;
		if (r->end == QEMU_STALLED && kvm_probe) {
			sl_err("vm: no sign of the guest within %gs under KVM (nested KVM can hang in "
			       "early boot): booting under TCG instead",
			       timeout[i]);
		} else if (r->end == QEMU_NO_START && kvm_probe) {
			sl_err("vm: KVM did not start the guest (%s): booting under TCG instead",
			       r->qemu_said[0] ? r->qemu_said : r->said);
		} else if (r->end == QEMU_STALLED && (i == 0 || plan[i - 1] != plan[i])) {
			show_tail(x, r);
			sl_err("vm: the boot stalled (no sign of the guest's sockleak within %gs): "
			       "trying once more",
			       timeout[i]);
		} else {
			break;
		}
	}
	return err;
}

static void fail(const struct ctx *x, const char *fmt, ...) SL_PRINTF(2, 3);

/* What went wrong, said (sl_err) and kept for the caller (vm_config.said). */
static void fail(const struct ctx *x, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	sl_err("vm: %s", why);
	if (x->c->said && x->c->said_size)
		snprintf(x->c->said, x->c->said_size, "%s", why);
}

/* The exit code of a boot, and what went wrong in words. */
static int outcome(const struct ctx *x, const struct qemu_result *r)
{
	const char *said = r->said[0] ? r->said : r->qemu_said;

	switch (r->end) {
	case QEMU_EXITED:
		if (!r->oom)
			return r->code;
		fail(x,
		     "the guest ran out of memory (--memory %llu MiB; its kernel's OOM killer acted): "
		     "give it more with --memory",
		     (unsigned long long)(x->c->memory >> 20));
		return SL_EXIT_RUNTIME;
	case QEMU_SIGNALLED:
		return 128 + r->signal;
	case QEMU_STALLED:
		show_tail(x, r);
		fail(x, "%s did not boot: no sign of the guest's sockleak within %gs, twice (%s)",
		     x->kernel, x->c->boot_timeout, x->c->timeout_opt);
		return SL_EXIT_RUNTIME;
	case QEMU_NO_START:
		show_tail(x, r);
		if (said[0])
			fail(x, "the guest did not start sockleak: %s", said);
		else
			fail(x, "qemu stopped before the guest started sockleak (wait status 0x%x)",
			     (unsigned)r->status);
		return SL_EXIT_RUNTIME;
	case QEMU_LOST:
		show_tail(x, r);
		fail(x, "the VM stopped while the guest's sockleak ran%s%s", said[0] ? ": " : "",
		     said);
		return SL_EXIT_RUNTIME;
	case QEMU_FAILED:
		break;
	}
	return SL_EXIT_RUNTIME;
}

/* Checks what the boot needs on this host, before anything is made. 0 or an exit code. */
static int prepare(struct ctx *x)
{
	const struct vm_config *c = x->c;
	char why[512] = "";
	int err;

	if (!realpath(c->kernel, x->kernel)) {
		sl_err("vm: --kernel %s: %s", c->kernel, strerror(errno));
		return SL_EXIT_USAGE;
	}
	err = kmod_image_release(x->kernel, x->release, sizeof(x->release), x->version,
				 sizeof(x->version));
	if (err == -ENOEXEC) {
		snprintf(x->release, sizeof(x->release), "the kernel");
	} else if (err) {
		sl_err("vm: --kernel %s: %s", c->kernel, strerror(-err));
		return SL_EXIT_USAGE;
	}
	if (c->modules) {
		if (!realpath(c->modules, x->modules)) {
			sl_err("vm: --modules %s: %s", c->modules, strerror(errno));
			return SL_EXIT_USAGE;
		}
		x->have_modules = true;
	} else if (err != -ENOEXEC) {
		x->have_modules =
			find_modules(x->kernel, x->release, x->modules, sizeof(x->modules));
	}
	if (x->have_modules) {
		err = kmod_resolve(x->modules, boot_modules, ARRAY_SIZE(boot_modules), &x->mods,
				   why, sizeof(why));
		if (err == -ENOENT) {
			sl_err("vm: %s has no modules.dep: make it once with 'busybox depmod -b ROOT "
			       "%s' (ROOT holding lib/modules/%s; scripts/vm-kernel.sh does it)",
			       x->modules, x->release, x->release);
			return SL_EXIT_RUNTIME;
		}
		if (err) {
			sl_err("vm: %s", why[0] ? why : strerror(-err));
			return SL_EXIT_RUNTIME;
		}
	}
	err = initramfs_busybox(x->busybox, sizeof(x->busybox), x->bb_version,
				sizeof(x->bb_version), why, sizeof(why));
	if (err) {
		sl_err("vm: %s", why);
		return SL_EXIT_RUNTIME;
	}
	if (check_host_memory(c->memory))
		return SL_EXIT_RUNTIME;
	return 0;
}

int vm_run(const struct vm_config *c, int argc, char **argv)
{
	struct ctx x = { .c = c, .t0 = sl_now(), .sigfd = -1 };
	struct qemu_result *r = NULL;
	const char *tmp = getenv("TMPDIR");
	sigset_t stop, old;
	char why[256] = "";
	int rc, err;

	err = vm_map_args(c->guest_opts, argc, argv, GUEST_OUT_DIR, &x.args, why, sizeof(why));
	if (err) {
		sl_err("vm: %s", err == -EINVAL ? why : strerror(-err));
		return err == -EINVAL ? SL_EXIT_USAGE : SL_EXIT_RUNTIME;
	}
	if (vm_check_outputs(&x.args)) {
		rc = SL_EXIT_USAGE;
		goto out;
	}
	rc = prepare(&x);
	if (rc)
		goto out;
	/* From here a signal is read from sigfd: passed to the guest, or it ends the boot. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	sigprocmask(SIG_BLOCK, &stop, &old);
	x.sigfd = signalfd(-1, &stop, SFD_CLOEXEC | SFD_NONBLOCK);
	if (!tmp || !*tmp)
		tmp = "/tmp";
	sweep_stale(tmp);
	snprintf(x.dir, sizeof(x.dir), "%s/sockleak-vm.%d.XXXXXX", tmp, (int)getpid());
	r = calloc(1, sizeof(*r));
	rc = SL_EXIT_RUNTIME;
	if (x.sigfd < 0 || !r || !mkdtemp(x.dir)) {
		sl_err("vm: cannot prepare the VM: %s", strerror(errno));
		x.dir[0] = '\0';
		goto restore;
	}
	snprintf(x.share, sizeof(x.share), "%s/out", x.dir);
	if (mkdir(x.share, 0700)) {
		sl_err("vm: cannot create %s: %s", x.share, strerror(errno));
		goto restore;
	}
	{
		unsigned i;
		char d[PATH_MAX + 16];

		for (i = 0; i < x.args.nout; i++) {
			if ((size_t)snprintf(d, sizeof(d), "%s/%u", x.share, i) >= sizeof(d) ||
			    mkdir(d, 0700)) {
				sl_err("vm: cannot create %s: %s", d, strerror(errno));
				goto restore;
			}
		}
	}
	if (boot(&x, r))
		goto restore;
	rc = outcome(&x, r);
	if (vm_land(&x.args, x.share) && rc < SL_EXIT_USAGE)
		rc = SL_EXIT_RUNTIME;
restore:
	if (x.dir[0])
		vm_rm_tree(AT_FDCWD, x.dir);
	if (x.sigfd >= 0) {
		struct signalfd_siginfo si;

		/* A signal that came after the VM was gone still says how sockleak ended. */
		if (read(x.sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si) && rc < 128)
			rc = 128 + (int)si.ssi_signo;
		close(x.sigfd);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	free(r);
out:
	kmod_list_free(&x.mods);
	vm_args_free(&x.args);
	return rc;
}
