/* A newc cpio archive writer ("070701" headers, 4-byte alignment): an initramfs for the kernel. */
#include "vm/cpio.h"

#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void cpio_begin(struct cpio *c, FILE *f)
{
	c->f = f;
	c->ino = 1;
	c->err = 0;
}

static void put(struct cpio *c, const void *p, size_t n)
{
	if (!c->err && n && fwrite(p, 1, n, c->f) != n)
		c->err = errno ? -errno : -EIO;
}

static void pad(struct cpio *c)
{
	static const char zero[4];
	long at = ftell(c->f);

	if (at < 0) {
		if (!c->err)
			c->err = -errno;
		return;
	}
	put(c, zero, (4 - (size_t)at % 4) % 4);
}

static void header(struct cpio *c, const char *path, mode_t mode, size_t size, unsigned nlink)
{
	char h[128];
	size_t namesize = strlen(path) + 1;

	if (size > UINT32_MAX && !c->err)
		c->err = -EFBIG;

	/* Magic, ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor,
	 * rdevminor, namesize, check: all eight hex digits; files belong to root. */
	snprintf(h, sizeof(h), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 c->ino++, (unsigned)mode, 0u, 0u, nlink, 0u, (unsigned)size, 0u, 0u, 0u, 0u,
		 (unsigned)namesize, 0u);
	put(c, h, 110);
	put(c, path, namesize);
	pad(c);
}

void cpio_dir(struct cpio *c, const char *path, mode_t mode)
{
	header(c, path, S_IFDIR | (mode & 07777), 0, 2);
}

void cpio_data(struct cpio *c, const char *path, mode_t mode, const void *data, size_t len)
{
	header(c, path, S_IFREG | (mode & 07777), len, 1);
	put(c, data, len);
	pad(c);
}

void cpio_symlink(struct cpio *c, const char *path, const char *target)
{
	header(c, path, S_IFLNK | 0777, strlen(target), 1);
	put(c, target, strlen(target));
	pad(c);
}

void cpio_copy(struct cpio *c, const char *path, mode_t mode, const char *src)
{
	char buf[65536];
	struct stat st;
	off_t left;
	ssize_t n;
	int fd;

	if (c->err)
		return;
	fd = open(src, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		c->err = -errno;
		return;
	}
	if (fstat(fd, &st))
		c->err = -errno;
	else if (!S_ISREG(st.st_mode))
		c->err = -EINVAL;
	if (c->err) {
		close(fd);
		return;
	}
	header(c, path, S_IFREG | (mode & 07777), (size_t)st.st_size, 1);
	/* Exactly the size the header says, even if the file changes meanwhile. */
	for (left = st.st_size; left > 0 && !c->err; left -= n) {
		n = read(fd, buf, left < (off_t)sizeof(buf) ? (size_t)left : sizeof(buf));
		if (n <= 0) {
			c->err = n < 0 ? -errno : -EIO;
			break;
		}
		put(c, buf, (size_t)n);
	}
	close(fd);
	pad(c);
}

int cpio_end(struct cpio *c)
{
	header(c, "TRAILER!!!", 0, 0, 1);
	if (!c->err && fflush(c->f))
		c->err = errno ? -errno : -EIO;
	return c->err;
}
