/* SPDX-License-Identifier: MIT */
/*
 * O_DIRECT through an attachment of exported file memory (a memfd, a file
 * on tmpfs, a file in $TMPDIR): the block layer takes the buffer's pages
 * with get_user_pages and copies to and from them directly. The attacher
 * writes the first half of its attachment to a block device and reads the
 * device into the second half; the owner checks the device's bytes and
 * its own memory.
 */
#include "blockdev.h"
#include "xpmem_test.h"

#define HALF_PAGES 16

static void attacher(xpmem_segid_t segid, size_t size, int dev)
{
	xpmem_apid_t apid = xpmem_get(segid, XPMEM_RDWR, XPMEM_PERMIT_MODE,
				      NULL);
	unsigned char *att;
	ssize_t n;

	CHECK(apid > 0);
	att = xpmem_attach(xaddr(apid, 0), size, NULL);
	CHECK(att != (void *)-1);
	n = pwrite(dev, att, size / 2, 0);
	if (n != (ssize_t)(size / 2))
		test_fail_at(__FILE__, __LINE__,
			     "O_DIRECT write from the attachment: %zd (%s)", n,
			     n < 0 ? strerror(errno) : "short");
	n = pread(dev, att + size / 2, size / 2, (off_t)(size / 2));
	if (n != (ssize_t)(size / 2))
		test_fail_at(__FILE__, __LINE__,
			     "O_DIRECT read into the attachment: %zd (%s)", n,
			     n < 0 ? strerror(errno) : "short");
	CHECK(xpmem_detach(att) == 0);
	CHECK(xpmem_release(apid) == 0);
}

static void direct_io(enum file_sort sort, int dev, unsigned char *buf)
{
	size_t size = 2 * HALF_PAGES * page_size(), half = size / 2;
	int fd;
	unsigned char *mem = file_buffer(sort, size, &fd);
	xpmem_segid_t segid;
	pid_t pid;

	printf("%s\n", file_sort_name(sort));
	fill_pattern(mem, half, 1 + sort);
	memset(mem + half, 0, half);
	/* The device's second half holds what the attacher will read. */
	fill_pattern(buf, half, 10 + sort);
	CHECK(pwrite(dev, buf, half, (off_t)half) == (ssize_t)half);
	CHECK(pwrite(dev, memset(buf, 0, half), half, 0) == (ssize_t)half);

	segid = xpmem_make(mem, size, XPMEM_PERMIT_MODE, (void *)0600);
	CHECK(segid > 0);
	pid = fork_checked();
	if (pid == 0) {
		test_deadline(60);
		attacher(segid, size, dev);
		fflush(NULL);
		_exit(0);
	}
	CHECK(test_wait(pid) == 0);

	CHECK(pread(dev, buf, half, 0) == (ssize_t)half);
	CHECK_PATTERN(buf, half, 1 + sort);
	CHECK_PATTERN(mem + half, half, 10 + sort);
	CHECK(xpmem_remove(segid) == 0);
	CHECK(munmap(mem, size) == 0);
	close(fd);
}

int main(void)
{
	size_t half = HALF_PAGES * page_size();
	int dev = blockdev_open(), sort;
	void *buf;

	/* The owner's own O_DIRECT buffer: aligned, and not shared. */
	CHECK(posix_memalign(&buf, page_size(), half) == 0);
	for (sort = 0; sort < FILE_SORTS; sort++)
		direct_io((enum file_sort)sort, dev, buf);
	free(buf);
	close(dev);
	return 0;
}
