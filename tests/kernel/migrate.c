/* SPDX-License-Identifier: MIT */
/*
 * NUMA migration under a live attachment: the owner's pages move to
 * another node three ways (move_pages, migrate_pages, mbind with
 * MPOL_MF_MOVE) while the attacher has them mapped; get_mempolicy tells
 * where each page is. A kernel built without NUMA page migration
 * (move_pages gives ENOSYS, mbind's moves EIO) skips. The old pages are
 * freed, so an attacher that kept them would read bytes the owner no
 * longer has and write where the owner never looks: after each move the
 * owner writes half of the pages and the attacher the other half, and
 * each checks the other's bytes.
 *
 * Needs two NUMA nodes with memory; raw system calls, no libnuma.
 */
#include <sys/syscall.h>

#include "ktest.h"

#define PAGES 8

#ifndef MPOL_BIND
#define MPOL_BIND 2
#endif
#ifndef MPOL_MF_STRICT
#define MPOL_MF_STRICT (1 << 0)
#endif
#ifndef MPOL_MF_MOVE
#define MPOL_MF_MOVE (1 << 1)
#endif
#ifndef MPOL_F_NODE
#define MPOL_F_NODE (1 << 0)
#endif
#ifndef MPOL_F_ADDR
#define MPOL_F_ADDR (1 << 1)
#endif

/* Node masks of one unsigned long: nodes 0 to 63. */
#define MAX_NODE 64

static int node_a, node_b;

/* The first two nodes in a list such as "0-1" or "0,2". */
static bool two_nodes(const char *path)
{
	char list[256], *s;
	int found = 0;

	if (!read_line(path, list, sizeof(list)))
		return false;
	for (s = strtok(list, ","); s && found < 2; s = strtok(NULL, ",")) {
		int lo, hi, n;

		n = sscanf(s, "%d-%d", &lo, &hi);
		if (n < 1)
			continue;
		if (n == 1)
			hi = lo;
		for (; lo <= hi && found < 2; lo++) {
			if (found++ == 0)
				node_a = lo;
			else
				node_b = lo;
		}
	}
	return found == 2 && node_b < MAX_NODE;
}

static long sys_move_pages(int count, void **pages, const int *nodes,
			   int *status)
{
	return syscall(SYS_move_pages, 0, (unsigned long)count, pages, nodes,
		       status, MPOL_MF_MOVE);
}

/* The node of each page, checked to be @node. */
static void check_nodes(unsigned char *mem, int node, const char *how)
{
	int p, where;

	for (p = 0; p < PAGES; p++) {
		where = -1;
		CHECK(syscall(SYS_get_mempolicy, &where, NULL, 0UL,
			      mem + (size_t)p * page_size(),
			      MPOL_F_NODE | MPOL_F_ADDR) == 0);
		if (where != node)
			test_fail_at(__FILE__, __LINE__,
				     "after %s page %d is on node %d, want %d",
				     how, p, where, node);
	}
}

static void move_with_move_pages(unsigned char *mem, int node)
{
	void *pages[PAGES];
	int nodes[PAGES], status[PAGES], p;

	for (p = 0; p < PAGES; p++) {
		pages[p] = mem + (size_t)p * page_size();
		nodes[p] = node;
	}
	CHECK(sys_move_pages(PAGES, pages, nodes, status) == 0);
	for (p = 0; p < PAGES; p++)
		if (status[p] != node)
			test_fail_at(__FILE__, __LINE__,
				     "move_pages: page %d status %d, want node %d",
				     p, status[p], node);
}

static void move_with_migrate_pages(int from, int to)
{
	unsigned long old_nodes = 1UL << from, new_nodes = 1UL << to;

	/* Returns how many pages it could not move; check_nodes() tells. */
	CHECK(syscall(SYS_migrate_pages, 0, (unsigned long)MAX_NODE,
		      &old_nodes, &new_nodes) >= 0);
}

static void move_with_mbind(unsigned char *mem, int node)
{
	unsigned long mask = 1UL << node;

	CHECK(syscall(SYS_mbind, mem, PAGES * page_size(), MPOL_BIND, &mask,
		      (unsigned long)MAX_NODE,
		      MPOL_MF_MOVE | MPOL_MF_STRICT) == 0);
}

static void attacher(unsigned char *att, size_t size, struct channel *ch)
{
	unsigned int want[PAGES];
	unsigned int round;
	int p;

	want_pages(want, 0, PAGES, 10);
	CHECK_PAGES(att, want, PAGES);
	attacher_done(ch, 0);
	for (round = 1; round <= 3; round++) {
		attacher_wait(ch, round);
		/* The owner wrote the even pages after the move. */
		for (p = 0; p < PAGES; p += 2)
			want_pages(want, p, 1, 100 * round);
		CHECK_PAGES(att, want, PAGES);
		for (p = 1; p < PAGES; p += 2) {
			fill_pages(att, p, 1, 100 * round + 50);
			want_pages(want, p, 1, 100 * round + 50);
		}
		attacher_done(ch, round);
	}
}

int main(void)
{
	unsigned int want[PAGES];
	struct live_attach t;
	unsigned char *mem;
	void *probe;
	int round, p, status;
	size_t pg;

	require_kernel_backend();
	if (!two_nodes("/sys/devices/system/node/has_memory") &&
	    !two_nodes("/sys/devices/system/node/online"))
		test_skip("needs two NUMA nodes with memory");
	pg = page_size();
	mem = anon_pages(PAGES * pg);
	CHECK(madvise(mem, PAGES * pg, MADV_DONTFORK) == 0);
	fill_pages(mem, 0, PAGES, 10);
	probe = mem;
	if (sys_move_pages(1, &probe, NULL, &status) != 0) {
		if (errno == ENOSYS)
			test_skip("no NUMA page migration in this kernel (move_pages: ENOSYS)");
		CHECK(0);
	}
	/* Start on node_a, so that each round below really moves. */
	move_with_move_pages(mem, node_a);
	check_nodes(mem, node_a, "the first move");

	live_attach_start(&t, mem, PAGES * pg, attacher);
	live_attach_wait(&t, 0);
	want_pages(want, 0, PAGES, 10);
	for (round = 1; round <= 3; round++) {
		switch (round) {
		case 1:
			move_with_move_pages(mem, node_b);
			check_nodes(mem, node_b, "move_pages");
			break;
		case 2:
			move_with_migrate_pages(node_b, node_a);
			check_nodes(mem, node_a, "migrate_pages");
			break;
		default:
			move_with_mbind(mem, node_b);
			check_nodes(mem, node_b, "mbind");
			break;
		}
		for (p = 0; p < PAGES; p += 2) {
			fill_pages(mem, p, 1, 100 * round);
			want_pages(want, p, 1, 100 * round);
		}
		live_attach_go(&t, (uint64_t)round);
		live_attach_wait(&t, (uint64_t)round);
		for (p = 1; p < PAGES; p += 2)
			want_pages(want, p, 1, 100 * round + 50);
		CHECK_PAGES(mem, want, PAGES);
	}
	live_attach_finish(&t);
	return 0;
}
