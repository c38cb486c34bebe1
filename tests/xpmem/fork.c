/* SPDX-License-Identifier: MIT */
/*
 * fork: what a child inherits. The child owns none of its parent's
 * segments (removing one is EACCES) but may take permits on them like any
 * process; its own xpmem_make exports its own memory, which the parent can
 * attach. Under the user-space backend, attachments and permits are
 * inherited as ordinary shared mappings: the child reads the same pages
 * and can detach and release its copies without affecting the parent.
 */
#include "xpmem_test.h"

#define SIZE_PAGES 4

static int child(xpmem_segid_t parent_seg, xpmem_apid_t inherited_apid,
		 unsigned char *inherited, int up_fd, int down_fd)
{
	size_t size = SIZE_PAGES * page_size();
	unsigned char *mine = shared_buffer(size), *p;
	xpmem_segid_t own;
	xpmem_apid_t apid;

	CHECK_ERRNO(xpmem_remove(parent_seg), EACCES);
	apid = xpmem_get(parent_seg, XPMEM_RDWR, XPMEM_PERMIT_MODE, NULL);
	CHECK(apid > 0);
	p = xpmem_attach(xaddr(apid, 0), size, NULL);
	CHECK(p != (void *)-1);
	CHECK_PATTERN(p, size, 8);
	p[3] = 0x33;

	if (user_backend()) {
		CHECK(inherited[3] == 0x33);
		CHECK(xpmem_detach(inherited) == 0);
		CHECK(xpmem_release(inherited_apid) == 0);
	}

	fill_pattern(mine, size, 9);
	own = xpmem_make(mine, size, XPMEM_PERMIT_MODE, (void *)0600);
	CHECK(own > 0);
	put_u64(up_fd, (uint64_t)own);
	get_u64(down_fd);	/* the parent has checked our bytes */
	CHECK(xpmem_remove(own) == 0);
	CHECK(xpmem_detach(p) == 0);
	CHECK(xpmem_release(apid) == 0);
	return 0;
}

int main(void)
{
	size_t size = SIZE_PAGES * page_size();
	unsigned char *buf = shared_buffer(size), *att, *q;
	xpmem_segid_t segid, child_seg;
	xpmem_apid_t apid, capid;
	struct channel ch;
	pid_t pid;

	fill_pattern(buf, size, 8);
	segid = xpmem_make(buf, size, XPMEM_PERMIT_MODE, (void *)0600);
	CHECK(segid > 0);
	apid = xpmem_get(segid, XPMEM_RDWR, XPMEM_PERMIT_MODE, NULL);
	CHECK(apid > 0);
	att = xpmem_attach(xaddr(apid, 0), size, NULL);
	CHECK(att != (void *)-1);
	channel_open(&ch);

	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		_exit(child(segid, apid, att, ch.up[1], ch.down[0]));
	child_seg = (xpmem_segid_t)get_u64(ch.up[0]);
	capid = xpmem_get(child_seg, XPMEM_RDONLY, XPMEM_PERMIT_MODE, NULL);
	CHECK(capid > 0);
	q = xpmem_attach(xaddr(capid, 0), size, NULL);
	CHECK(q != (void *)-1);
	CHECK_PATTERN(q, size, 9);
	CHECK(xpmem_detach(q) == 0);
	CHECK(xpmem_release(capid) == 0);
	put_u64(ch.down[1], 1);
	CHECK(test_wait(pid) == 0);

	/* Nothing the child did touched the parent's attachment. */
	CHECK(att[3] == 0x33 && buf[3] == 0x33);
	CHECK(xpmem_detach(att) == 0);
	CHECK(xpmem_release(apid) == 0);
	CHECK(xpmem_remove(segid) == 0);
	return 0;
}
