/* SPDX-License-Identifier: MIT */
/*
 * Every malformed call fails with -1 and the documented errno, and leaves
 * the valid objects intact: unaligned addresses and sizes, size 0,
 * wrap-around, bad permit types and modes, bad flags, unknown, removed and
 * foreign ids, double remove/release/detach, windows outside the segment.
 */
#include "xpmem_test.h"

#define MODE(m) ((void *)(uintptr_t)(m))

static void bad_make(unsigned char *buf, size_t ps)
{
	uintptr_t top = UINTPTR_MAX & ~(uintptr_t)(ps - 1);

	CHECK_ERRNO(xpmem_make(buf + 1, ps, XPMEM_PERMIT_MODE, MODE(0600)),
		    EINVAL);
	CHECK_ERRNO(xpmem_make(buf, ps + 1, XPMEM_PERMIT_MODE, MODE(0600)),
		    EINVAL);
	CHECK_ERRNO(xpmem_make(buf, 0, XPMEM_PERMIT_MODE, MODE(0600)), EINVAL);
	CHECK_ERRNO(xpmem_make((void *)top, 2 * ps, XPMEM_PERMIT_MODE,
			       MODE(0600)), EINVAL);
	CHECK_ERRNO(xpmem_make(buf, XPMEM_MAXADDR_SIZE, XPMEM_PERMIT_MODE,
			       MODE(0600)), EINVAL);
	CHECK_ERRNO(xpmem_make(buf, ps, 0, MODE(0600)), EINVAL);
	CHECK_ERRNO(xpmem_make(buf, ps, 2, MODE(0600)), EINVAL);
	CHECK_ERRNO(xpmem_make(buf, ps, XPMEM_PERMIT_MODE, MODE(01000)),
		    EINVAL);
	CHECK_ERRNO(xpmem_make(buf, ps, XPMEM_PERMIT_MODE, MODE(04600)),
		    EINVAL);
	CHECK_ERRNO(xpmem_make(buf, ps, XPMEM_PERMIT_MODE, MODE(-1)), EINVAL);
}

static void bad_get(xpmem_segid_t segid)
{
	CHECK_ERRNO(xpmem_get(segid, 0, XPMEM_PERMIT_MODE, NULL), EINVAL);
	CHECK_ERRNO(xpmem_get(segid, XPMEM_RDONLY | XPMEM_RDWR,
			      XPMEM_PERMIT_MODE, NULL), EINVAL);
	CHECK_ERRNO(xpmem_get(segid, 4, XPMEM_PERMIT_MODE, NULL), EINVAL);
	CHECK_ERRNO(xpmem_get(segid, XPMEM_RDWR, 0, NULL), EINVAL);
	CHECK_ERRNO(xpmem_get(segid, XPMEM_RDWR, 7, NULL), EINVAL);
	CHECK_ERRNO(xpmem_get(0, XPMEM_RDWR, XPMEM_PERMIT_MODE, NULL), EINVAL);
	CHECK_ERRNO(xpmem_get(-5, XPMEM_RDWR, XPMEM_PERMIT_MODE, NULL), EINVAL);
	/* Same owner bits, different random bits: an unknown segment. */
	CHECK_ERRNO(xpmem_get(segid ^ 0x5a5a5, XPMEM_RDWR, XPMEM_PERMIT_MODE,
			      NULL), ENOENT);
	CHECK_ERRNO(xpmem_get(segid + 1, XPMEM_RDONLY, XPMEM_PERMIT_MODE,
			      NULL), ENOENT);
}

static void bad_attach(xpmem_apid_t apid, size_t size, size_t ps)
{
	void *fail = (void *)-1;

	CHECK(xpmem_attach(xaddr(apid, 1), ps, NULL) == fail && errno == EINVAL);
	CHECK(xpmem_attach(xaddr(apid, 0), ps - 1, NULL) == fail &&
	      errno == EINVAL);
	CHECK(xpmem_attach(xaddr(apid, 0), 0, NULL) == fail && errno == EINVAL);
	CHECK(xpmem_attach(xaddr(apid, -(off_t)ps), ps, NULL) == fail &&
	      errno == EINVAL);
	CHECK(xpmem_attach(xaddr(apid, (off_t)size), ps, NULL) == fail &&
	      errno == EINVAL);
	CHECK(xpmem_attach(xaddr(apid, 0), size + ps, NULL) == fail &&
	      errno == EINVAL);
	CHECK(xpmem_attach(xaddr(apid, (off_t)(size - ps)), 2 * ps, NULL) ==
	      fail && errno == EINVAL);
	CHECK(xpmem_attach(xaddr(apid, (off_t)ps), SIZE_MAX & ~(ps - 1),
			   NULL) == fail && errno == EINVAL);
	CHECK(xpmem_attach(xaddr(apid, 0), ps, (void *)(uintptr_t)(ps + 8)) ==
	      fail && errno == EINVAL);
	CHECK(xpmem_attach(xaddr(0, 0), ps, NULL) == fail && errno == EINVAL);
	CHECK(xpmem_attach(xaddr(apid ^ 0x1234, 0), ps, NULL) == fail &&
	      errno == ENOENT);
}

static void bad_detach(unsigned char *buf)
{
	int on_stack;

	CHECK_ERRNO(xpmem_detach(buf), EINVAL);	/* owner's memory */
	CHECK_ERRNO(xpmem_detach(&on_stack), EINVAL);
	CHECK_ERRNO(xpmem_detach(NULL), EINVAL);
}

/*
 * Ids of another process are not ours to use: its segment cannot be
 * removed (EACCES) and its permit is, for us, no permit at all (ENOENT).
 * The child exports a segment and takes a permit on ours, the parent tries
 * to use both.
 */
static void foreign_ids(xpmem_segid_t segid, size_t ps)
{
	unsigned char *mine = shared_buffer(ps);
	struct channel ch;
	xpmem_segid_t child_segid;
	xpmem_apid_t child_apid;
	pid_t pid;

	channel_open(&ch);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		xpmem_segid_t s = xpmem_make(mine, ps, XPMEM_PERMIT_MODE,
					     MODE(0600));
		xpmem_apid_t a = xpmem_get(segid, XPMEM_RDWR,
					   XPMEM_PERMIT_MODE, NULL);

		CHECK(s > 0 && a > 0);
		put_u64(ch.up[1], (uint64_t)s);
		put_u64(ch.up[1], (uint64_t)a);
		get_u64(ch.down[0]);
		_exit(xpmem_remove(s) == 0 ? 0 : 1);
	}
	child_segid = (xpmem_segid_t)get_u64(ch.up[0]);
	child_apid = (xpmem_apid_t)get_u64(ch.up[0]);
	CHECK_ERRNO(xpmem_remove(child_segid), EACCES);
	CHECK_ERRNO(xpmem_release(child_apid), ENOENT);
	CHECK(xpmem_attach(xaddr(child_apid, 0), ps, NULL) == (void *)-1 &&
	      errno == ENOENT);
	put_u64(ch.down[1], 1);
	CHECK(test_wait(pid) == 0);
	munmap(mine, ps);
}

int main(void)
{
	size_t ps = page_size(), size = 16 * ps;
	unsigned char *buf = shared_buffer(size), *p;
	xpmem_segid_t segid;
	xpmem_apid_t apid;

	bad_make(buf, ps);
	segid = xpmem_make(buf, size, XPMEM_PERMIT_MODE, MODE(0600));
	CHECK(segid > 0);
	bad_get(segid);
	apid = xpmem_get(segid, XPMEM_RDWR, XPMEM_PERMIT_MODE, NULL);
	CHECK(apid > 0);
	bad_attach(apid, size, ps);
	bad_detach(buf);

	/* The good objects survived all of it. */
	p = xpmem_attach(xaddr(apid, (off_t)(size - ps)), ps, NULL);
	CHECK(p != (void *)-1);
	/* Just past the attachment is not in it, nor just before. */
	CHECK_ERRNO(xpmem_detach(p + ps), EINVAL);
	CHECK_ERRNO(xpmem_detach(p - 1), EINVAL);
	buf[size - ps] = 0x42;
	CHECK(p[0] == 0x42);
	foreign_ids(segid, ps);

	/* Double detach, release and remove. */
	CHECK(xpmem_detach(p) == 0);
	CHECK_ERRNO(xpmem_detach(p), EINVAL);
	CHECK(xpmem_release(apid) == 0);
	CHECK_ERRNO(xpmem_release(apid), ENOENT);
	CHECK(xpmem_attach(xaddr(apid, 0), ps, NULL) == (void *)-1 &&
	      errno == ENOENT);
	CHECK_ERRNO(xpmem_release(0), EINVAL);
	CHECK_ERRNO(xpmem_release(-1), EINVAL);
	CHECK(xpmem_remove(segid) == 0);
	CHECK_ERRNO(xpmem_remove(segid), ENOENT);
	CHECK_ERRNO(xpmem_get(segid, XPMEM_RDWR, XPMEM_PERMIT_MODE, NULL),
		    ENOENT);
	CHECK_ERRNO(xpmem_remove(0), EINVAL);
	CHECK_ERRNO(xpmem_remove(-3), EINVAL);
	return 0;
}
