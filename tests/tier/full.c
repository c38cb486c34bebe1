// SPDX-License-Identifier: MIT
/*
 * A full high bandwidth node (the tiered VM's node 1): the strict kinds
 * (MEMKIND_HBW, MEMKIND_HBW_ALL) fail with ENOMEM once their node is
 * full, after having handed out most of it, all on that node, and serve
 * again after frees; MEMKIND_HBW_PREFERRED goes on past the node's size,
 * on other nodes. Needs HBW memory smaller than 1 GiB (else skip).
 */
#include <memkind.h>

#include <numa.h>
#include <numaif.h>

#include <stdbool.h>

#include "test.h"
#include "tier_test.h"

#define BLOCK ((size_t)8 << 20)
#define MAXBLOCKS 512
#define PAGE 4096

/* The node of the page at p (touched already). */
static int node_of(void *p)
{
	int status = -1;

	CHECK(pages_nodes_of(&p, &status, 1) == 0);
	return status;
}

/* Bytes of blocks[0..n) on node, by sampling one page per 64 KiB. */
static size_t bytes_on(char **blocks, int n, int node)
{
	size_t sum = 0, off;
	int i;

	for (i = 0; i < n; i++)
		for (off = 0; off < BLOCK; off += 16 * PAGE)
			sum += node_of(blocks[i] + off) == node ? 16 * PAGE : 0;
	return sum;
}

/* One write a page faults it in: as much memory as memset, less time
 * under an emulated CPU. */
static void touch(char *p, size_t len)
{
	size_t off;

	for (off = 0; off < len; off += PAGE)
		p[off] = 0x33;
}

static int fill(memkind_t kind, char **blocks, int max)
{
	int n = 0;

	for (; n < max; n++) {
		errno = 0;
		blocks[n] = memkind_malloc(kind, BLOCK);
		if (!blocks[n]) {
			CHECK(errno == ENOMEM);
			break;
		}
		touch(blocks[n], BLOCK);
	}
	return n;
}

static void release(memkind_t kind, char **blocks, int n)
{
	while (n-- > 0)
		memkind_free(kind, blocks[n]);
}

/* Fills the node; with again, frees and fills it once more. */
static void check_strict(memkind_t kind, const char *name, int node,
			 long long size, bool again_too)
{
	static char *blocks[MAXBLOCKS];
	int n, again;

	n = fill(kind, blocks, MAXBLOCKS);
	printf("%s: %d MiB before ENOMEM, node %d has %lld MiB\n", name,
	       (int)(n * (BLOCK >> 20)), node, size >> 20);
	CHECK(n < MAXBLOCKS);
	CHECK((long long)(n * BLOCK) >= size / 2);
	CHECK(bytes_on(blocks, n, node) == n * BLOCK);
	release(kind, blocks, n);
	if (!again_too)
		return;
	again = fill(kind, blocks, n);
	CHECK(again == n || again >= n - 1);
	release(kind, blocks, again);
}

static void check_preferred(int node, long long size)
{
	static char *blocks[MAXBLOCKS];
	int i, n = (int)((size + ((long long)64 << 20)) / (long long)BLOCK);
	size_t on_node;

	for (i = 0; i < n; i++) {
		blocks[i] = memkind_malloc(MEMKIND_HBW_PREFERRED, BLOCK);
		CHECK(blocks[i]);
		touch(blocks[i], BLOCK);
	}
	on_node = bytes_on(blocks, n, node);
	printf(
	    "HBW_PREFERRED: %d MiB, %zu MiB on node %d, the rest elsewhere\n",
	    (int)(n * (BLOCK >> 20)), on_node >> 20, node);
	CHECK((long long)on_node >= size / 2);
	CHECK(on_node + ((size_t)32 << 20) <= n * BLOCK);
	release(MEMKIND_HBW_PREFERRED, blocks, n);
}

int main(void)
{
	long long size;
	char *probe;
	int node;

	if (numa_available() < 0 || memkind_check_available(MEMKIND_HBW))
		test_skip("no high bandwidth memory");
	probe = memkind_malloc(MEMKIND_HBW, PAGE);
	CHECK(probe);
	probe[0] = 1;
	node = node_of(probe);
	memkind_free(MEMKIND_HBW, probe);
	size = numa_node_size64(node, NULL);
	if (size <= 0 || size >= (1LL << 30))
		test_skip("HBW node %d has %lld MiB: too large to fill", node,
			  size >> 20);
	check_strict(MEMKIND_HBW, "HBW", node, size, true);
	check_strict(MEMKIND_HBW_ALL, "HBW_ALL", node, size, false);
	check_preferred(node, size);
	return 0;
}
