/* The guest kernel: its release from the bzImage header, and the modules a boot needs. */
#include "vm/kmod.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

int kmod_image_release(const char *image, char *release, size_t size, char *full, size_t fsize)
{
	unsigned char hdr[0x210];
	char ver[256];
	unsigned off;
	ssize_t n;
	size_t len;
	int fd = open(image, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = pread(fd, hdr, sizeof(hdr), 0);
	/* The x86 boot protocol: "HdrS" at 0x202; kernel_version at 0x20e points, less 0x200, to
	 * the version string (protocol 2.00 and later). */
	if (n != (ssize_t)sizeof(hdr) || memcmp(hdr + 0x202, "HdrS", 4)) {
		close(fd);
		return n < 0 ? -errno : -ENOEXEC;
	}
	off = hdr[0x20e] | hdr[0x20f] << 8;
	n = off ? pread(fd, ver, sizeof(ver) - 1, off + 0x200) : 0;
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -ENOEXEC;
	ver[n] = '\0';
	len = strcspn(ver, " ");
	if (!len || len >= size)
		return -ENOEXEC;
	memcpy(release, ver, len);
	release[len] = '\0';
	if (full)
		snprintf(full, fsize, "%s", ver);
	return 0;
}

void kmod_name(const char *path, char *name, size_t size)
{
	const char *base = strrchr(path, '/');
	char *dot, *p;

	snprintf(name, size, "%s", base ? base + 1 : path);
	dot = strstr(name, ".ko");
	if (dot)
		*dot = '\0';
	for (p = name; *p; p++)
		if (*p == '-')
			*p = '_';
}

const char *kmod_suffix(const char *path)
{
	const char *base = strrchr(path, '/'), *ko = strstr(base ? base : path, ".ko");

	return ko ? ko : ".ko";
}

/* The line of modules.dep or modules.builtin whose module (before any ':') is name, or NULL. */
static const char *find_line(const char *text, const char *name)
{
	char path[512], mod[64];
	const char *line, *end;
	size_t len;

	for (line = text; *line; line = *end ? end + 1 : end) {
		end = strchrnul(line, '\n');
		len = strcspn(line, ":\n");
		if (len >= sizeof(path))
			continue;
		memcpy(path, line, len);
		path[len] = '\0';
		kmod_name(path, mod, sizeof(mod));
		if (!strcmp(mod, name))
			return line;
	}
	return NULL;
}

static int add(struct kmod_list *l, const char *dir, const char *rel, size_t len)
{
	char name[64], *path;
	unsigned i;

	if (asprintf(&path, "%s%s%.*s", rel[0] == '/' ? "" : dir, rel[0] == '/' ? "" : "/",
		     (int)len, rel) < 0)
		return -ENOMEM;
	kmod_name(path, name, sizeof(name));
	for (i = 0; i < l->n; i++)
		if (!strcmp(l->name[i], name)) {
			free(path);
			return 0;
		}
	if (l->n == KMOD_MAX) {
		free(path);
		return -E2BIG;
	}
	l->path[l->n] = path;
	snprintf(l->name[l->n], sizeof(l->name[0]), "%s", name);
	l->n++;
	return 0;
}

/* modules.dep lists, after the colon, every module a module needs, those loaded last first. */
static int add_with_deps(struct kmod_list *l, const char *dir, const char *line)
{
	const char *colon = strchr(line, ':'), *end = strchrnul(line, '\n');
	const char *deps[KMOD_MAX], *p;
	size_t dlen[KMOD_MAX];
	int nd = 0, err;

	if (!colon || colon > end)
		return -EINVAL;
	for (p = colon + 1; p < end;) {
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p == end)
			break;
		if (nd == KMOD_MAX)
			return -E2BIG;
		deps[nd] = p;
		while (p < end && *p != ' ' && *p != '\t')
			p++;
		dlen[nd] = (size_t)(p - deps[nd]);
		nd++;
	}
	while (nd-- > 0)
		if ((err = add(l, dir, deps[nd], dlen[nd])))
			return err;
	return add(l, dir, line, (size_t)(colon - line));
}

static char *slurp(const char *dir, const char *file, int *err)
{
	char *path, *buf = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;
	int fd;

	if (asprintf(&path, "%s/%s", dir, file) < 0) {
		*err = -ENOMEM;
		return NULL;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	if (fd < 0) {
		*err = -errno;
		return NULL;
	}
	for (;;) {
		if (cap - len < 65536) {
			char *b = realloc(buf, cap += 1 << 20);

			if (!b) {
				*err = -ENOMEM;
				break;
			}
			buf = b;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n <= 0) {
			*err = n < 0 ? -errno : 0;
			break;
		}
		len += (size_t)n;
	}
	close(fd);
	if (*err) {
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}

int kmod_resolve(const char *dir, const struct kmod_want *want, size_t n, struct kmod_list *out,
		 char *why, size_t whylen)
{
	char *dep, *builtin;
	const char *line;
	size_t i;
	int err = 0;

	memset(out, 0, sizeof(*out));
	dep = slurp(dir, "modules.dep", &err);
	if (!dep)
		return err;
	builtin = slurp(dir, "modules.builtin", &err);
	if (!builtin && err != -ENOENT) {
		free(dep);
		return err;
	}
	err = 0;
	for (i = 0; i < n && !err; i++) {
		if (builtin && find_line(builtin, want[i].name)) {
			out->builtin++;
			continue;
		}
		line = find_line(dep, want[i].name);
		if (line) {
			err = add_with_deps(out, dir, line);
		} else if (want[i].required) {
			snprintf(why, whylen,
				 "the kernel has no module %s in %s and does not have it built in "
				 "(it needs %s)",
				 want[i].name, dir, want[i].config);
			err = -ESRCH;
		} else {
			size_t used = strlen(out->missing);

			snprintf(out->missing + used, sizeof(out->missing) - used, "%s%s",
				 used ? " " : "", want[i].name);
		}
	}
	free(dep);
	free(builtin);
	if (err)
		kmod_list_free(out);
	return err;
}

void kmod_list_free(struct kmod_list *l)
{
	unsigned i;

	for (i = 0; i < l->n; i++)
		free(l->path[i]);
	l->n = 0;
}
