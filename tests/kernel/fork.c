/* SPDX-License-Identifier: MIT */
/*
 * fork: attachments are not inherited. A child touching its parent's
 * attachment address faults. The child's inherited descriptor of /dev/xpmem
 * is refused with XPMEM_ERRNO_NOPROC, while the library state it inherited
 * still works (the library reopens the device), and the parent's attachment
 * is unaffected by the child's life and death.
 */
#include <sys/ioctl.h>
#include <xpmem_abi.h>

#include "ktest.h"

#define PAGES 4

static int child(xpmem_segid_t segid, unsigned char *parent_att, int raw_fd)
{
	size_t pg = page_size();
	struct xpmem_cmd_get get = {
		.segid = segid,
		.flags = XPMEM_RDWR,
		.permit_type = XPMEM_PERMIT_MODE,
	};
	unsigned char *mine, *own, v;
	xpmem_apid_t apid;
	xpmem_segid_t own_seg;

	CHECK(probe_byte(parent_att, false, &v) != 0);
	CHECK_ERRNO(ioctl(raw_fd, XPMEM_CMD_GET, &get), XPMEM_ERRNO_NOPROC);

	apid = xpmem_get(segid, XPMEM_RDWR, XPMEM_PERMIT_MODE, NULL);
	CHECK(apid > 0);
	mine = xpmem_attach(xaddr(apid, 0), PAGES * pg, NULL);
	CHECK(mine != (void *)-1);
	CHECK_PATTERN(mine, PAGES * pg, 3);

	own = anon_pages(pg);
	fill_pattern(own, pg, 4);
	own_seg = xpmem_make(own, pg, XPMEM_PERMIT_MODE, (void *)0600);
	CHECK(own_seg > 0);
	CHECK(xpmem_remove(own_seg) == 0);
	/* Exit with the attachment in place: exit cleans it up. */
	return 0;
}

int main(void)
{
	size_t pg;
	struct kstats base;
	unsigned char *mem, *att;
	xpmem_segid_t segid;
	xpmem_apid_t apid;
	int raw_fd, round;
	pid_t pid;

	require_kernel_backend();
	pg = page_size();
	base = kstats_read();
	raw_fd = open("/dev/xpmem", O_RDWR);
	CHECK(raw_fd >= 0);
	mem = anon_pages(PAGES * pg);
	fill_pattern(mem, PAGES * pg, 3);
	segid = xpmem_make(mem, PAGES * pg, XPMEM_PERMIT_MODE, (void *)0600);
	CHECK(segid > 0);
	apid = xpmem_get(segid, XPMEM_RDWR, XPMEM_PERMIT_MODE, NULL);
	CHECK(apid > 0);
	att = xpmem_attach(xaddr(apid, 0), PAGES * pg, NULL);
	CHECK(att != (void *)-1);
	CHECK_PATTERN(att, PAGES * pg, 3);

	/* Twice: the second child inherits whatever the first left behind. */
	for (round = 0; round < 2; round++) {
		pid = fork_checked();
		if (pid == 0) {
			alarm(60);
			_exit(child(segid, att, raw_fd));
		}
		CHECK(test_wait(pid) == 0);
		CHECK_PATTERN(att, PAGES * pg, 3);
		att[5] = (unsigned char)(0x40 + round);
		CHECK(mem[5] == 0x40 + round);
		att[5] = pattern_byte(5, 3);
	}

	CHECK(xpmem_detach(att) == 0);
	CHECK(xpmem_release(apid) == 0);
	CHECK(xpmem_remove(segid) == 0);
	close(raw_fd);
	CHECK_KSTATS_BACK(base, 5);
	return 0;
}
