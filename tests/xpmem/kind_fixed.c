/* SPDX-License-Identifier: MIT */
/*
 * A fixed kind (memkind_create_fixed) over an XPMEM attachment: the peer
 * attaches the owner's buffer and runs a heap in it; the owner finds each
 * block's bytes at the same offset of its own buffer. The heap fills up
 * (ENOMEM), serves again after frees, and goes away with
 * memkind_destroy_kind while the attachment stays the peer's to detach.
 */
#include <memkind.h>

#include "xpmem_test.h"

#define LEN ((size_t)8 << 20)
#define NBLOCKS 16

static int peer(int up, int down)
{
	xpmem_segid_t segid = (xpmem_segid_t)get_u64(up);
	xpmem_apid_t apid =
	    xpmem_get(segid, XPMEM_RDWR, XPMEM_PERMIT_MODE, NULL);
	unsigned char *win, *p[NBLOCKS], *q;
	memkind_t kind;
	int i, n = 0;

	CHECK(apid > 0);
	win = xpmem_attach(xaddr(apid, 0), LEN, NULL);
	CHECK(win != (void *)-1);
	CHECK(memkind_create_fixed(win, LEN, &kind) == MEMKIND_SUCCESS);
	for (i = 0; i < NBLOCKS; i++) {
		p[i] = memkind_malloc(kind, 1000 + 1000 * (size_t)i);
		CHECK(p[i] && p[i] >= win && p[i] < win + LEN);
		fill_pattern(p[i], 1000 + 1000 * (size_t)i, 7 + (unsigned)i);
		put_u64(down, (uint64_t)(p[i] - win));
	}
	get_u64(up); /* the owner has checked them */
	/* Fill the rest: ENOMEM at the end, all inside the window. */
	while ((q = memkind_malloc(kind, 256 << 10)) != NULL) {
		CHECK(q >= win && q + (256 << 10) <= win + LEN);
		n++;
	}
	CHECK(errno == ENOMEM);
	CHECK(n > 8);
	for (i = 0; i < NBLOCKS; i++)
		memkind_free(NULL, p[i]);
	q = memkind_malloc(kind, 10000);
	CHECK(q != NULL);
	CHECK(memkind_destroy_kind(kind) == MEMKIND_SUCCESS);
	CHECK(xpmem_detach(win) == 0);
	CHECK(xpmem_release(apid) == 0);
	return 0;
}

int main(void)
{
	unsigned char *buf = shared_buffer(LEN);
	struct channel ch;
	xpmem_segid_t segid;
	uint64_t off;
	pid_t pid;
	int i;

	CHECK(buf != NULL);
	segid = xpmem_make(buf, LEN, XPMEM_PERMIT_MODE, (void *)0600);
	CHECK(segid > 0);
	channel_open(&ch);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		_exit(peer(ch.up[0], ch.down[1]));
	put_u64(ch.up[1], (uint64_t)segid);
	for (i = 0; i < NBLOCKS; i++) {
		off = get_u64(ch.down[0]);
		CHECK(off < LEN);
		CHECK_PATTERN(buf + off, 1000 + 1000 * (size_t)i,
			      7 + (unsigned)i);
	}
	put_u64(ch.up[1], 1);
	CHECK(test_wait(pid) == 0);
	CHECK(xpmem_remove(segid) == 0);
	return 0;
}
