/* SPDX-License-Identifier: MIT */
/*
 * A peer caches its attachment of a window of the owner's kind while the
 * owner frees and reallocates inside that window: the cached attachment
 * must show the new bytes, as clients like UCX rely on, for the shareable
 * kind and for a pmem kind.
 */
#include <memkind.h>

#include "xpmem_test.h"

#define BUF_SIZE	(256 * 1024)
#define ROUNDS		6

static int peer(int up, int down)
{
	xpmem_segid_t segid = (xpmem_segid_t)get_u64(up);
	xpmem_apid_t apid = xpmem_get(segid, XPMEM_RDWR, XPMEM_PERMIT_MODE,
				      NULL);
	uint64_t base = get_u64(up), len = get_u64(up), addr;
	unsigned char *win;

	CHECK(apid > 0);
	win = xpmem_attach(xaddr(apid, (off_t)base), len, NULL);
	CHECK(win != (void *)-1);
	/* Each round: the owner's new buffer, checked through the cache. */
	while ((addr = get_u64(up)) != 0) {
		unsigned int seed = (unsigned int)get_u64(up);

		CHECK(addr >= base && addr + BUF_SIZE <= base + len);
		CHECK_PATTERN(win + (addr - base), BUF_SIZE, seed);
		fill_pattern(win + (addr - base), BUF_SIZE, seed + 50);
		put_u64(down, 1);
	}
	CHECK(xpmem_detach(win) == 0);
	return 0;
}

/* Allocates a buffer of the kind that lies inside [base, base + len). */
static unsigned char *alloc_inside(memkind_t kind, uint64_t base,
				   uint64_t len)
{
	unsigned char *tries[16], *found = NULL;
	int n = 0;

	while (!found && n < 16) {
		unsigned char *p = memkind_malloc(kind, BUF_SIZE);
		uint64_t a = (uintptr_t)p;

		CHECK(p != NULL);
		if (a >= base && a + BUF_SIZE <= base + len)
			found = p;
		else
			tries[n++] = p;
	}
	while (n > 0)
		memkind_free(kind, tries[--n]);
	CHECK(found != NULL);
	return found;
}

static void run(memkind_t kind)
{
	size_t ps = page_size();
	struct channel ch;
	xpmem_segid_t segid;
	unsigned char *p, *filler;
	uint64_t base, len;
	unsigned int round;
	pid_t pid;

	segid = xpmem_make(NULL, XPMEM_MAXADDR_SIZE, XPMEM_PERMIT_MODE,
			   (void *)0600);
	CHECK(segid > 0);
	p = memkind_malloc(kind, BUF_SIZE);
	CHECK(p != NULL);
	base = (uintptr_t)p & ~(uint64_t)(ps - 1);
	len = 4 * BUF_SIZE;
	channel_open(&ch);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		_exit(peer(ch.up[0], ch.down[1]));
	put_u64(ch.up[1], (uint64_t)segid);
	put_u64(ch.up[1], base);
	put_u64(ch.up[1], len);

	for (round = 0; round < ROUNDS; round++) {
		/* A small allocation in between shifts later ones around. */
		filler = round % 2 ? memkind_malloc(kind, 64) : NULL;
		fill_pattern(p, BUF_SIZE, round);
		put_u64(ch.up[1], (uintptr_t)p);
		put_u64(ch.up[1], round);
		get_u64(ch.down[0]);
		CHECK_PATTERN(p, BUF_SIZE, round + 50);
		memkind_free(kind, p);
		p = alloc_inside(kind, base, len);
		memkind_free(kind, filler);
	}
	put_u64(ch.up[1], 0);
	CHECK(test_wait(pid) == 0);
	memkind_free(kind, p);
	channel_close(&ch);
	CHECK(xpmem_remove(segid) == 0);
}

int main(void)
{
	const char *dir;
	memkind_t kind;

	CHECK(memkind_create_shared(0, &kind) == 0);
	run(kind);
	CHECK(memkind_destroy_kind(kind) == 0);

	dir = test_tmpdir("/dev/shm");
	CHECK(dir != NULL);
	CHECK(memkind_create_pmem(dir, 0, &kind) == 0);
	run(kind);
	CHECK(memkind_destroy_kind(kind) == 0);
	CHECK(rmdir(dir) == 0);
	return 0;
}
