/*
 * The guest's init. Stage 1 runs from the initramfs: loads the virtio and 9p modules, mounts the
 * host's root read-only over virtio-9p with an overlay in RAM on top (so the guest may write, and
 * nothing reaches the host), a tmpfs on /run, and the shared output directory; then switch_root.
 * Stage 2 runs in that root as PID 1: mounts proc, sys, devtmpfs and cgroup2, says "start" on the
 * control port, runs sockleak with its output on two ports, forwards "signal N" from the host, and
 * reports "oom" and "exit N" before it powers the guest off.
 */
#include "vm/guest.h"

#include <errno.h>
#include <string.h>

void guest_quote(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	}
	fputc('\'', f);
}

static int done(FILE *f)
{
	return fflush(f) || ferror(f) ? (errno ? -errno : -EIO) : 0;
}

int guest_stage1(FILE *f, const struct guest_plan *p)
{
	unsigned i;

	fputs("#!/bin/busybox sh\n"
	      "# sockleak's guest init, stage 1: the host's root, then stage 2.\n"
	      "B=/bin/busybox\n"
	      "fail() {\n"
	      "\techo \"" GUEST_SAY "error: $*\"\n"
	      "\t$B reboot -f\n"
	      "}\n"
	      "$B mkdir -p /proc /sys /dev /host /rw /new\n"
	      "$B mount -t proc proc /proc\n"
	      "$B mount -t sysfs sys /sys\n"
	      "$B mount -t devtmpfs dev /dev\n",
	      f);
	for (i = 0; p->mods && i < p->mods->n; i++)
		fprintf(f, "$B insmod /lib/modules/%s%s || fail 'cannot load module %s'\n",
			p->mods->name[i], kmod_suffix(p->mods->path[i]), p->mods->name[i]);
	fputs("$B mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=512000 "
	      "" GUEST_TAG_ROOT " /host ||\n"
	      "\tfail \"cannot mount the host's root over virtio-9p: the kernel needs "
	      "CONFIG_NET_9P_VIRTIO and CONFIG_9P_FS\"\n"
	      "$B mount -t tmpfs -o mode=0755 rw /rw\n"
	      "$B mkdir /rw/upper /rw/work\n"
	      "if ! $B mount -t overlay -o lowerdir=/host,upperdir=/rw/upper,workdir=/rw/work "
	      "root /new 2>/dev/null; then\n"
	      "\techo \"" GUEST_SAY "note: no overlayfs in this kernel: the host's root is "
	      "read-only, with a tmpfs on /tmp and /var/tmp\"\n"
	      "\t$B mount --bind /host /new\n"
	      "\t$B mount -t tmpfs -o mode=1777 tmp /new/tmp\n"
	      "\t$B mount -t tmpfs -o mode=1777 tmp /new/var/tmp\n"
	      "fi\n"
	      "$B mount -t tmpfs -o mode=0755 run /new/run || fail 'cannot mount a tmpfs on /run'\n"
	      "$B mkdir -p /new/run/sockleak/bin /new" GUEST_OUT_DIR "\n"
	      "$B cp /bin/busybox /new/run/sockleak/bin/busybox\n"
	      "$B cp /stage2 /new/run/sockleak/stage2\n"
	      "$B mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 " GUEST_TAG_OUT
	      " /new" GUEST_OUT_DIR " ||\n"
	      "\tfail 'cannot mount the shared output directory over virtio-9p'\n",
	      f);
	if (p->modules_dir) {
		/* Modules the guest's sockleak needs later (sock_diag's, ...) load on demand. */
		fputs("M=/lib/modules/$($B uname -r)\n"
		      "if $B mkdir -p /new$M 2>/dev/null && $B mount --bind /new",
		      f);
		guest_quote(f, p->modules_dir);
		fputs(" /new$M; then\n"
		      "\t$B ln -s busybox /new/run/sockleak/bin/modprobe\n"
		      "\techo /run/sockleak/bin/modprobe >/proc/sys/kernel/modprobe\n"
		      "else\n"
		      "\techo \"" GUEST_SAY "note: modules will not load on demand\"\n"
		      "fi\n",
		      f);
	}
	fputs("$B umount /dev /sys /proc\n"
	      "exec $B switch_root /new /run/sockleak/bin/busybox sh /run/sockleak/stage2\n",
	      f);
	return done(f);
}

int guest_stage2(FILE *f, const struct guest_plan *p)
{
	int i;

	fputs("# sockleak's guest init, stage 2: runs the command, says how it ended.\n"
	      "B=/run/sockleak/bin/busybox\n"
	      "fail() {\n"
	      "\techo \"" GUEST_SAY "error: $*\"\n"
	      "\t$B reboot -f\n"
	      "}\n"
	      "$B mount -t proc proc /proc\n"
	      "$B mount -t sysfs sys /sys\n"
	      "$B mount -t devtmpfs dev /dev\n"
	      "$B mkdir -p /dev/pts /dev/shm\n"
	      "$B mount -t devpts devpts /dev/pts\n"
	      "$B mount -t tmpfs -o mode=1777 shm /dev/shm\n"
	      "$B mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null\n"
	      "$B ip link set lo up\n"
	      "for d in /sys/class/virtio-ports/*; do\n"
	      "\tcase $($B cat $d/name 2>/dev/null) in\n"
	      "\t" GUEST_PORT_CTL ") CTL=/dev/${d##*/} ;;\n"
	      "\t" GUEST_PORT_OUT ") OUT=/dev/${d##*/} ;;\n"
	      "\t" GUEST_PORT_ERR ") ERR=/dev/${d##*/} ;;\n"
	      "\tesac\n"
	      "done\n"
	      "[ -n \"$CTL\" ] && [ -n \"$OUT\" ] && [ -n \"$ERR\" ] ||\n"
	      "\tfail 'no virtio console ports: the kernel needs CONFIG_VIRTIO_CONSOLE'\n"
	      "exec 3<>\"$CTL\" || fail \"cannot open $CTL\"\n"
	      "export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"
	      "export HOME=/root TERM=dumb\n",
	      f);
	for (i = 0; p->env && p->env[i]; i++) {
		fputs("export ", f);
		guest_quote(f, p->env[i]);
		fputc('\n', f);
	}
	if (p->hostname && p->hostname[0]) {
		fputs("$B hostname ", f);
		guest_quote(f, p->hostname);
		fputc('\n', f);
	}
	fputs("cd ", f);
	guest_quote(f, p->cwd);
	fputs(" 2>/dev/null || cd /\n"
	      "# The host asks for a signal to be passed on (Ctrl-C): 'signal N'.\n"
	      "(\n"
	      "\twhile read -r what n; do\n"
	      "\t\t[ \"$what\" = signal ] && $B kill -\"$n\" \"$($B cat /run/sockleak/pid)\"\n"
	      "\tdone <&3\n"
	      ") &\n"
	      "reader=$!\n"
	      "echo start >&3\n"
	      "$B sh -c 'echo $$ >/run/sockleak/pid; exec \"$@\"' sockleak ",
	      f);
	guest_quote(f, p->exe);
	for (i = 0; i < p->argc; i++) {
		fputc(' ', f);
		guest_quote(f, p->argv[i]);
	}
	fputs(" </dev/null >\"$OUT\" 2>\"$ERR\"\n"
	      "rc=$?\n"
	      "$B kill $reader 2>/dev/null\n"
	      "$B dmesg | $B grep -q -e 'Out of memory' -e 'oom-kill:' && echo oom >&3\n"
	      "$B sync\n"
	      "$B umount " GUEST_OUT_DIR "\n"
	      "echo \"exit $rc\" >&3\n"
	      "$B reboot -f\n",
	      f);
	return done(f);
}
