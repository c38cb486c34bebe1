// SPDX-License-Identifier: MIT
/*
 * hbwmalloc on a machine with high bandwidth memory (the tiered VM):
 * hbw_malloc's pages are on an HBW node and hbw_verify_memory_region
 * says so; ordinary memory is not, and it says that too.
 */
#include <hbwmalloc.h>
#include <memkind.h>

#include <numa.h>
#include <numaif.h>

#include "test.h"
#include "tier_test.h"

#define LEN ((size_t)4 << 20)

int main(void)
{
	char *hbw, *plain;
	void *page;
	int status = -1;

	if (numa_available() < 0 || hbw_check_available() != 0)
		test_skip("no high bandwidth memory");
	hbw = hbw_malloc(LEN);
	CHECK(hbw);
	/* Not yet touched: no pages; touched by the call. */
	CHECK(hbw_verify_memory_region(hbw, LEN, HBW_TOUCH_PAGES) == 0);
	memset(hbw, 1, LEN);
	CHECK(hbw_verify_memory_region(hbw, LEN, 0) == 0);
	page = hbw;
	CHECK(pages_nodes_of(&page, &status, 1) == 0);
	printf("hbw_malloc: node %d\n", status);

	plain = memkind_malloc(MEMKIND_REGULAR, LEN);
	CHECK(plain);
	memset(plain, 1, LEN);
	CHECK(hbw_verify_memory_region(plain, LEN, 0) == -1);
	memkind_free(NULL, plain);
	hbw_free(hbw);
	return 0;
}
