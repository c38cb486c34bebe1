// SPDX-License-Identifier: MIT
/*
 * A real client: LLVM's OpenMP runtime (libomp) loads libmemkind.so to
 * serve OpenMP's memory spaces. On the tiered VM, omp_alloc() with
 * omp_high_bw_mem_alloc must put its pages on the high bandwidth node and
 * omp_large_cap_mem_alloc (memkind's DAX KMEM kinds, here with
 * MEMKIND_DAX_KMEM_NODES=2) on the large node, through our library.
 * Built with clang -fopenmp; skips where the memory kinds are absent.
 */
#include <memkind.h>

#include <numa.h>
#include <numaif.h>
#include <omp.h>
#include <string.h>

#include "test.h"
#include "tier_test.h"

#define LEN ((size_t)4 << 20)
#define PAGE 4096

/* The one node all pages of [p, p+LEN) are on, or -1. */
static int pages_node(char *p)
{
	static void *pages[LEN / PAGE];
	static int status[LEN / PAGE];
	size_t i, n = LEN / PAGE;

	for (i = 0; i < n; i++)
		pages[i] = p + i * PAGE;
	CHECK(pages_nodes_of(pages, status, n) == 0);
	for (i = 1; i < n; i++)
		if (status[i] != status[0])
			return -1;
	return status[0];
}

static int place(omp_allocator_handle_t a, const char *name)
{
	char *p = omp_alloc(LEN, a);
	int node;

	CHECK(p);
	memset(p, 0x11, LEN);
	node = pages_node(p);
	/* Our kinds own their memory's addresses: the block is ours. */
	printf("%s: node %d, from %s\n", name, node,
	       memkind_detect_kind(p) != MEMKIND_DEFAULT ? "a libmemkind kind"
							 : "elsewhere");
	CHECK(memkind_detect_kind(p) != MEMKIND_DEFAULT);
	omp_free(p, a);
	return node;
}

int main(int argc, char **argv)
{
	if (numa_available() < 0 || numa_max_node() != 2 ||
	    memkind_check_available(MEMKIND_HBW))
		test_skip("not the tiered VM");
	if (!getenv("MEMKIND_DAX_KMEM_NODES")) {
		setenv("MEMKIND_DAX_KMEM_NODES", "2", 1);
		execv("/proc/self/exe", argv);
		test_fail_at(__FILE__, __LINE__, "execv: %s", strerror(errno));
	}
	CHECK(place(omp_high_bw_mem_alloc, "omp_high_bw_mem_alloc") == 1);
	CHECK(place(omp_large_cap_mem_alloc, "omp_large_cap_mem_alloc") == 2);
	return 0;
}
