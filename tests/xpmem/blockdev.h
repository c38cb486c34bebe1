/* SPDX-License-Identifier: MIT */
/*
 * A block device for the O_DIRECT tests: direct I/O on a block device
 * takes the buffer's pages with get_user_pages, which file systems on tmpfs
 * (all the VM has) do not. A loop device over a file in $TMPDIR, set up
 * through /dev/loop-control, else a brd RAM disk; the test is skipped
 * where neither exists. The loop device clears itself when its last
 * descriptor closes (LO_FLAGS_AUTOCLEAR), so a test that dies leaves no
 * device behind.
 */
#ifndef BLOCKDEV_H
#define BLOCKDEV_H

#include <linux/loop.h>
#include <sys/ioctl.h>

#include "test.h"

#define BLOCKDEV_SIZE (1 << 20)

/* Binds a free loop device to a fresh file; its path goes in @path. */
static inline int blockdev_loop(char *path, size_t size)
{
	struct loop_info64 info = { .lo_flags = LO_FLAGS_AUTOCLEAR };
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	int ctl, dev = -1, file, n, tries;

	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		return -1;
	snprintf(path, size, "%s/xpmtest.XXXXXX", dir);
	file = mkostemp(path, O_CLOEXEC);
	CHECK(file >= 0);
	CHECK(unlink(path) == 0);
	CHECK(ftruncate(file, BLOCKDEV_SIZE) == 0);
	/* Another process may take the same free device first: EBUSY. */
	for (tries = 0; tries < 10 && dev < 0; tries++) {
		n = ioctl(ctl, LOOP_CTL_GET_FREE);
		if (n < 0)
			break;
		snprintf(path, size, "/dev/loop%d", n);
		dev = open(path, O_RDWR | O_CLOEXEC);
		if (dev >= 0 && ioctl(dev, LOOP_SET_FD, file) != 0) {
			CHECK(errno == EBUSY);
			close(dev);
			dev = -1;
		}
	}
	close(file);
	close(ctl);
	if (dev >= 0)
		CHECK(ioctl(dev, LOOP_SET_STATUS64, &info) == 0);
	return dev;
}

/* A descriptor of a block device opened O_DIRECT, or -1 if none. */
static inline int blockdev_try_open(void)
{
	char path[4096];
	int dev = blockdev_loop(path, sizeof(path)), fd;

	if (dev < 0) {
		snprintf(path, sizeof(path), "/dev/ram0");
		if (access(path, R_OK | W_OK) != 0)
			return -1;
	}
	fd = open(path, O_RDWR | O_DIRECT | O_CLOEXEC);
	CHECK(fd >= 0);
	if (dev >= 0)
		close(dev);
	return fd;
}

/* The same, for a test that needs one: it skips without. */
static inline int blockdev_open(void)
{
	int fd = blockdev_try_open();

	if (fd < 0)
		test_skip("no loop device (/dev/loop-control) and no RAM disk (/dev/ram0)");
	return fd;
}

#endif /* BLOCKDEV_H */
