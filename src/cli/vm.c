/* sockleak vm: a sockleak command on another kernel, in a throw-away VM that shares this host. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "common.h"
#include "vm/vm.h"

/* --memory: 512M, 2G; from 256 MiB (the kernel, sockleak and a run's sockets) to 1 TiB. */
static int parse_memory(const struct opt_call *c, const char *arg)
{
	uint64_t *v = c->field;

	if (sl_parse_size(arg, v) || *v < (256ULL << 20) || *v > (1ULL << 40))
		return opt_bad(c, arg, "give a size from 256M to 1024G, as in 2G");
	return 0;
}

#define VC struct vm_config

static const struct opt vm_opts[] = {
	{ "kernel", .arg = "IMAGE", OPT_STR(VC, kernel, OPT_PATH),
	  .help = "the kernel to boot (a bzImage, such as /boot/vmlinuz-6.1.0-57-amd64)" },
	{ "modules", .arg = "DIR", OPT_STR(VC, modules, OPT_PATH),
	  .help = "its module tree (lib/modules/RELEASE, with modules.dep); default: "
		  "ROOT/lib/modules/RELEASE beside ROOT/boot/IMAGE, else /lib/modules/RELEASE, "
		  "else none (only what is built in)" },
	{ "accel", .arg = "MODE", OPT_ENUM(VC, accel, "auto kvm tcg"),
	  .help = "auto (default): KVM when /dev/kvm works and the guest starts within 20s, "
		  "else TCG (software emulation); kvm; tcg" },
	{ "cpus", .arg = "N", OPT_UINT(VC, cpus), .min = 1, .max = 64,
	  .help = "virtual CPUs (default: 1 under TCG, this host's under KVM)" },
	{ "memory", .arg = "SIZE", .kind = OPT_TEXT, .parse = parse_memory,
	  .off = OPT_AT(VC, memory, uint64_t), .help = "guest memory: 512M, 2G (default 2G)" },
	{ "append", .arg = "ARGS", OPT_STR(VC, append, OPT_TEXT),
	  .help = "more kernel arguments, after sockleak's own" },
	{ "boot-timeout", .arg = "DUR", OPT_SECONDS(VC, boot_timeout), .min = 1,
	  .help = "longest wait for the guest's sockleak to start (default 60s); a boot that "
		  "stalls is tried once more" },
	{ "quiet", 'q', OPT_ON(VC, quiet), .help = "do not copy the guest's console to stderr" },
	OPT_HELP_ROW,
	{ 0 },
};

const struct command command_vm = {
	.name = "vm",
	.fn = cmd_vm,
	.summary = "run a command on another kernel, in a VM sharing this host (QEMU)",
	.synopsis = "--kernel IMAGE [OPTIONS] -- COMMAND [ARGS...]",
	.operand = OPT_COMMAND,
	.about =
		"Boots IMAGE under qemu-system-x86_64 and runs 'sockleak COMMAND ARGS' in it: does\n"
		"that kernel still leak? The guest shares this host's root filesystem read-only\n"
		"(virtio-9p, with an overlay in RAM for what it writes), so the same sockleak runs\n"
		"there; its output comes here, the reports it writes (--json, --html, --csv) land\n"
		"where they were named, and its exit code is sockleak vm's. A small initramfs is\n"
		"built for each boot from Debian's busybox-static and the kernel's own virtio and 9p\n"
		"modules. The report's machine section names the kernel and \"vm\": \"qemu/kvm\" or\n"
		"\"qemu/tcg\".\n",
	.opts = vm_opts,
	.epilogue =
		"Ctrl-C (SIGINT) or SIGTERM is passed to the guest's sockleak, which writes what it\n"
		"measured; a second one stops the VM at once. The VM never outlives sockleak.\n"
		"scripts/vm-kernel.sh fetches a Debian kernel into a cache, never installing it.\n"
		"\n"
		"Exit codes: the guest command's; 2 usage error; 3 the VM could not run it (no qemu,\n"
		"no boot within the time-out, modules missing, the guest out of memory).\n",
};

/* A command the guest can run: any but vm itself. */
static const struct command *guest_command(const char *name)
{
	const struct command *const *c;

	for (c = commands; *c; c++)
		if (*c != &command_vm && !strcmp((*c)->name, name))
			return *c;
	return NULL;
}

int cmd_vm(int argc, char **argv)
{
	struct vm_config c;
	int first, r;

	vm_defaults(&c);
	r = opt_parse(&command_vm, argc, argv, &c, &first);
	if (r)
		return r == OPT_EXIT ? SL_EXIT_OK : SL_EXIT_USAGE;
	if (!c.kernel) {
		sl_err("vm: no --kernel: name the kernel image to boot, as in --kernel "
		       "/boot/vmlinuz-6.1.0-57-amd64");
		return SL_EXIT_USAGE;
	}
	if (first >= argc) {
		sl_err("vm: no command: give the sockleak command to run after '--', as in "
		       "'sockleak vm --kernel K -- run'");
		return SL_EXIT_USAGE;
	}
	c.guest_opts = guest_command(argv[first]) ? guest_command(argv[first])->opts : NULL;
	if (!c.guest_opts) {
		sl_err("vm: '%s' is not a command the VM can run: give run, sweep, churn, watch, "
		       "report or compare",
		       argv[first]);
		return SL_EXIT_USAGE;
	}
	return vm_run(&c, argc - first, argv + first);
}
