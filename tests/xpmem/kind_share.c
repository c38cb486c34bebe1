/* SPDX-License-Identifier: MIT */
/*
 * The pattern of UCX, Open MPI and MPICH: the owner exports its whole
 * address space once (xpmem_make(NULL, XPMEM_MAXADDR_SIZE)), and a peer
 * attaches a page-aligned window around each buffer it is given. Buffers
 * come from libmemkind kinds: the shareable (memfd) kind and pmem kinds in
 * a tmpfs directory and on a disk file system. Bytes are checked both ways.
 */
#include <memkind.h>

#include "xpmem_test.h"

#define NBUFS 3

static const size_t buf_sizes[NBUFS] = { 100, 70000, 3 << 20 };

struct shared_buf {
	uint64_t addr;
	uint64_t size;
};

static void attach_and_check(xpmem_apid_t apid, const struct shared_buf *b,
			     unsigned int seed)
{
	size_t ps = page_size();
	uint64_t base = b->addr & ~(uint64_t)(ps - 1);
	uint64_t len = ((b->addr + b->size + ps - 1) & ~(uint64_t)(ps - 1)) -
		       base;
	unsigned char *win = xpmem_attach(xaddr(apid, (off_t)base), len, NULL);
	unsigned char *p;

	CHECK(win != (void *)-1);
	p = win + (b->addr - base);
	CHECK_PATTERN(p, b->size, seed);
	fill_pattern(p, b->size, seed + 100);
	CHECK(xpmem_detach(win) == 0);
}

static int peer(int up, int down)
{
	xpmem_segid_t segid = (xpmem_segid_t)get_u64(up);
	xpmem_apid_t apid = xpmem_get(segid, XPMEM_RDWR, XPMEM_PERMIT_MODE,
				      NULL);
	struct shared_buf b;
	unsigned int seed;

	CHECK(apid > 0);
	while ((b.addr = get_u64(up)) != 0) {
		b.size = get_u64(up);
		seed = (unsigned int)get_u64(up);
		attach_and_check(apid, &b, seed);
		put_u64(down, 1);
	}
	CHECK(xpmem_release(apid) == 0);
	return 0;
}

static void share_from(memkind_t kind, int up, int down, unsigned int seed)
{
	int i;

	for (i = 0; i < NBUFS; i++) {
		unsigned char *p = memkind_malloc(kind, buf_sizes[i]);

		CHECK(p != NULL);
		fill_pattern(p, buf_sizes[i], seed + (unsigned int)i);
		put_u64(up, (uint64_t)(uintptr_t)p);
		put_u64(up, buf_sizes[i]);
		put_u64(up, seed + (unsigned int)i);
		get_u64(down);
		CHECK_PATTERN(p, buf_sizes[i], seed + (unsigned int)i + 100);
		memkind_free(kind, p);
	}
}

int main(void)
{
	const char *dirs[] = { "/dev/shm", NULL };
	struct channel ch;
	memkind_t kind;
	xpmem_segid_t segid;
	const char *dir;
	size_t i;
	pid_t pid;

	segid = xpmem_make(NULL, XPMEM_MAXADDR_SIZE, XPMEM_PERMIT_MODE,
			   (void *)0600);
	CHECK(segid > 0);
	channel_open(&ch);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		_exit(peer(ch.up[0], ch.down[1]));
	put_u64(ch.up[1], (uint64_t)segid);

	CHECK(memkind_create_shared(0, &kind) == 0);
	share_from(kind, ch.up[1], ch.down[0], 10);
	CHECK(memkind_destroy_kind(kind) == 0);

	for (i = 0; i < 2; i++) {
		dir = test_tmpdir(dirs[i]);
		CHECK(dir != NULL);
		CHECK(memkind_create_pmem(dir, 0, &kind) == 0);
		share_from(kind, ch.up[1], ch.down[0], 20 + 10 * (unsigned)i);
		CHECK(memkind_destroy_kind(kind) == 0);
		CHECK(rmdir(dir) == 0);
	}
	put_u64(ch.up[1], 0);
	CHECK(test_wait(pid) == 0);
	CHECK(xpmem_remove(segid) == 0);
	return 0;
}
