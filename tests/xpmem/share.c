/* SPDX-License-Identifier: MIT */
/*
 * Export and attach between two processes, the second one a fresh program
 * (exec): both see each other's bytes, at a system-chosen address and at
 * one the attacher asks for, over the whole segment and over a window.
 */
#include "xpmem_test.h"

#define NPAGES 64

static int attacher(xpmem_segid_t segid, size_t size)
{
	size_t ps = page_size(), win = 8 * ps;
	xpmem_apid_t apid = xpmem_get(segid, XPMEM_RDWR, XPMEM_PERMIT_MODE,
				      NULL);
	unsigned char *p, *q, *want;

	CHECK(apid > 0);
	p = xpmem_attach(xaddr(apid, 0), size, NULL);
	CHECK(p != (void *)-1);
	CHECK_PATTERN(p, size, 1);

	/* A window at an address of our choosing (MAP_FIXED semantics). */
	want = mmap(NULL, win, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(want != MAP_FAILED);
	q = xpmem_attach(xaddr(apid, (off_t)(4 * ps)), win, want);
	CHECK(q == want);
	CHECK(memcmp(q, p + 4 * ps, win) == 0);

	/* Writes through either attachment reach the owner's pages. */
	fill_pattern(p, size, 2);
	CHECK(memcmp(q, p + 4 * ps, win) == 0);
	CHECK(xpmem_detach(q + ps) == 0);	/* any address inside */
	CHECK(xpmem_detach(p) == 0);
	CHECK(xpmem_release(apid) == 0);
	return 0;
}

int main(int argc, char **argv)
{
	size_t size = NPAGES * page_size();
	struct channel ch;
	xpmem_segid_t segid;
	unsigned char *buf;
	char arg1[32], arg2[32];
	pid_t pid;

	if (argc == 3)
		return attacher(strtoll(argv[1], NULL, 0),
				strtoull(argv[2], NULL, 0));

	buf = shared_buffer(size);
	fill_pattern(buf, size, 1);
	segid = xpmem_make(buf, size, XPMEM_PERMIT_MODE, (void *)0600);
	CHECK(segid > 0);
	channel_open(&ch);

	snprintf(arg1, sizeof(arg1), "%lld", (long long)segid);
	snprintf(arg2, sizeof(arg2), "%zu", size);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		execl("/proc/self/exe", argv[0], arg1, arg2, (char *)NULL);
		_exit(127);
	}
	CHECK(test_wait(pid) == 0);
	CHECK_PATTERN(buf, size, 2);

	/* The owner can attach its own segment as well. */
	{
		xpmem_apid_t apid = xpmem_get(segid, XPMEM_RDONLY,
					      XPMEM_PERMIT_MODE, NULL);
		unsigned char *p;

		CHECK(apid > 0);
		p = xpmem_attach(xaddr(apid, 0), size, NULL);
		CHECK(p != (void *)-1 && p != buf);
		buf[17] = 0xee;
		CHECK(p[17] == 0xee);
		CHECK(xpmem_detach(p) == 0);
		CHECK(xpmem_release(apid) == 0);
	}
	CHECK(xpmem_remove(segid) == 0);
	return 0;
}
