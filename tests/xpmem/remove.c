/* SPDX-License-Identifier: MIT */
/*
 * Revocation: after xpmem_remove, and after the owner exits, new gets and
 * attaches fail with ENOENT. Under the user-space backend an existing
 * attachment stays valid shared memory (documented in xpmem_remove(3)).
 */
#include "xpmem_test.h"

static void after_remove(size_t size)
{
	unsigned char *buf = shared_buffer(size), *p;
	xpmem_segid_t segid;
	xpmem_apid_t apid, apid2;

	fill_pattern(buf, size, 5);
	segid = xpmem_make(buf, size, XPMEM_PERMIT_MODE, (void *)0600);
	CHECK(segid > 0);
	apid = xpmem_get(segid, XPMEM_RDWR, XPMEM_PERMIT_MODE, NULL);
	apid2 = xpmem_get(segid, XPMEM_RDONLY, XPMEM_PERMIT_MODE, NULL);
	CHECK(apid > 0 && apid2 > 0 && apid != apid2);
	p = xpmem_attach(xaddr(apid, 0), size, NULL);
	CHECK(p != (void *)-1);
	CHECK(xpmem_remove(segid) == 0);

	CHECK_ERRNO(xpmem_get(segid, XPMEM_RDWR, XPMEM_PERMIT_MODE, NULL),
		    ENOENT);
	CHECK(xpmem_attach(xaddr(apid2, 0), size, NULL) == (void *)-1);
	CHECK(errno == ENOENT || errno == EINVAL);
	if (user_backend()) {
		CHECK(errno == ENOENT);
		CHECK_PATTERN(p, size, 5);
		buf[1] = 0x77;
		CHECK(p[1] == 0x77);
		CHECK(xpmem_detach(p) == 0);
	}
	/* Permits of a removed segment can still be released, once. */
	CHECK(xpmem_release(apid) == 0 || errno == ENOENT);
	CHECK(xpmem_release(apid2) == 0 || errno == ENOENT);
	munmap(buf, size);
}

/* The owner (a child) exports, the parent attaches, the owner exits. */
static void after_owner_exit(size_t size)
{
	struct channel ch;
	xpmem_segid_t segid;
	xpmem_apid_t apid;
	unsigned char *p;
	pid_t pid;

	channel_open(&ch);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		unsigned char *buf = shared_buffer(size);
		xpmem_segid_t s;

		fill_pattern(buf, size, 6);
		s = xpmem_make(buf, size, XPMEM_PERMIT_MODE, (void *)0600);
		CHECK(s > 0);
		put_u64(ch.up[1], (uint64_t)s);
		get_u64(ch.down[0]);
		_exit(0);
	}
	segid = (xpmem_segid_t)get_u64(ch.up[0]);
	apid = xpmem_get(segid, XPMEM_RDWR, XPMEM_PERMIT_MODE, NULL);
	CHECK(apid > 0);
	p = xpmem_attach(xaddr(apid, 0), size, NULL);
	CHECK(p != (void *)-1);
	CHECK_PATTERN(p, size, 6);
	put_u64(ch.down[1], 1);
	CHECK(test_wait(pid) == 0);

	CHECK_ERRNO(xpmem_get(segid, XPMEM_RDWR, XPMEM_PERMIT_MODE, NULL),
		    ENOENT);
	CHECK(xpmem_attach(xaddr(apid, 0), size, NULL) == (void *)-1);
	if (user_backend()) {
		CHECK(errno == ENOENT);
		CHECK_PATTERN(p, size, 6);	/* the pages live on */
		p[0] = 1;
	}
	CHECK(xpmem_detach(p) == 0 || !user_backend());
	CHECK(xpmem_release(apid) == 0 || !user_backend());
}

int main(void)
{
	size_t size = 4 * page_size();

	after_remove(size);
	after_owner_exit(size);
	return 0;
}
