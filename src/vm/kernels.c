/* --kernels: what run and sweep share to run on several kernels, each image in a VM. */
#include "vm/kernels.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vm/vm.h"

#define K struct vm_kernels

const struct opt vm_kernels_opts[] = {
	{ "kernels", .arg = "LIST", OPT_STR(K, list, OPT_TEXT), .group = "Kernels",
	  .help = "the same on each kernel named: 'host' (this machine's, run here) and kernel "
		  "images (bzImage, its modules beside it as scripts/vm-kernel.sh unpacks them), "
		  "each booted in a VM (as 'sockleak vm'), each kernel's release saying which it "
		  "is" },
	{ "vm-accel", .arg = "MODE", OPT_ENUM(K, accel, "auto kvm tcg"), .group = "Kernels",
	  .help = "the VMs of --kernels: auto (default: KVM when it starts the guest within 20s, "
		  "else TCG), kvm or tcg" },
	{ "vm-boot-timeout", .arg = "DUR", OPT_SECONDS(K, boot_timeout), .min = 1,
	  .group = "Kernels",
	  .help = "the longest wait for a VM's sockleak to start (default 60s); a boot that "
		  "stalls is tried once more, then that kernel is reported not run (exit 3)" },
	{ 0 },
};

void vm_kernels_defaults(struct vm_kernels *k)
{
	memset(k, 0, sizeof(*k));
	k->accel = VM_ACCEL_AUTO;
	k->boot_timeout = VM_DEFAULT_BOOT_TIMEOUT;
}

int vm_argv_push(char **argv, int *argc, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&argv[*argc], fmt, ap);
	va_end(ap);
	if (n < 0) {
		argv[*argc] = NULL;
		return -ENOMEM;
	}
	argv[++*argc] = NULL;
	return 0;
}

void vm_argv_free(char **argv)
{
	size_t i;

	for (i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}

/* Whether the row o stays with the host: one of --kernels' own, or named in drop. */
static bool dropped(const struct opt *o, const char *const *drop)
{
	size_t i;

	if (opt_find(vm_kernels_opts, o->name, NULL))
		return true;
	for (i = 0; drop && drop[i]; i++)
		if (!strcmp(o->name, drop[i]))
			return true;
	return false;
}

char **vm_argv_keep(const char *cmd, const struct opt *opts, const char *const *drop, int argc,
		    char **argv, size_t room, int *out_argc)
{
	char **out = calloc((size_t)argc + room + 2, sizeof(*out));
	int i, err;

	*out_argc = 0;
	if (!out)
		return NULL;
	err = vm_argv_push(out, out_argc, "%s", cmd);
	for (i = 1; i < argc && !err; i++) {
		const char *w = argv[i], *eq = strchr(w, '=');
		const struct opt *o = NULL;
		bool value = false;
		char name[64];

		if (!strcmp(w, "--")) { /* the rest is not options: kept as it is */
			for (; i < argc && !err; i++)
				err = vm_argv_push(out, out_argc, "%s", argv[i]);
			break;
		}
		if (w[0] == '-' && w[1] == '-' && w[2]) {
			size_t n = eq ? (size_t)(eq - w - 2) : strlen(w + 2);

			snprintf(name, sizeof(name), "%.*s", (int)(n < 63 ? n : 63), w + 2);
			o = opt_match(opts, name, 0);
			value = o && o->arg && !eq;
		} else if (w[0] == '-' && w[1] && w[1] != '-') {
			o = opt_match(opts, NULL, w[1]);
			value = o && o->arg && !w[2];
		}
		if (!o || !dropped(o, drop)) {
			err = vm_argv_push(out, out_argc, "%s", w);
			if (value && i + 1 < argc && !err)
				err = vm_argv_push(out, out_argc, "%s", argv[i + 1]);
		}
		i += value;
	}
	if (err) {
		vm_argv_free(out);
		return NULL;
	}
	return out;
}

int vm_kernel_run(const struct vm_kernels *k, const char *image, const struct opt *opts, bool aside,
		  char *said, size_t said_size, int argc, char **argv)
{
	struct vm_config c;
	int rc, out = -1;

	vm_defaults(&c);
	c.kernel = image;
	c.accel = k->accel;
	c.boot_timeout = k->boot_timeout;
	c.timeout_opt = "--vm-boot-timeout";
	c.said = said;
	c.said_size = said_size;
	c.quiet = true;
	c.guest_opts = opts;
	fflush(stdout);
	if (aside) {
		out = dup(STDOUT_FILENO);
		if (out >= 0)
			dup2(STDERR_FILENO, STDOUT_FILENO);
	}
	rc = vm_run(&c, argc, argv);
	if (out >= 0) {
		dup2(out, STDOUT_FILENO);
		close(out);
	}
	return rc;
}

int vm_kernel_file(const char *path, const char *label, char *buf, size_t size)
{
	const char *slash = strrchr(path, '/'), *dot = strrchr(slash ? slash + 1 : path, '.');
	const char *file = slash ? slash + 1 : path;
	int n;

	if (!dot || dot == file) /* no extension ("report", ".json"): the label goes last */
		n = snprintf(buf, size, "%s.%s", path, label);
	else
		n = snprintf(buf, size, "%.*s.%s%s", (int)(dot - path), path, label, dot);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}
