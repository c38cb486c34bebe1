// SPDX-License-Identifier: MIT
/*
 * hbwmalloc(3): the policy (default PREFERRED, set once, before the first
 * allocation), the calls, and hbw_verify_memory_region, on whatever this
 * machine has, then again with MEMKIND_HBW_NODES naming node 0, which
 * makes any machine's first node "high bandwidth" (memkind's override).
 */
#include <hbwmalloc.h>
#include <stdint.h>

#include "kind_helpers.h"

static void check_calls(void)
{
	char *p, *q;
	void *a = NULL;
	size_t i;

	p = hbw_malloc(1000);
	CHECK(p);
	CHECK(hbw_malloc_usable_size(p) >= 1000);
	memset(p, 1, 1000);
	q = hbw_realloc(p, 100000);
	CHECK(q && q[999] == 1);
	hbw_free(q);
	q = hbw_calloc(1000, 10);
	CHECK(q);
	for (i = 0; i < 10000; i++)
		CHECK(q[i] == 0);
	hbw_free(q);
	CHECK(hbw_posix_memalign(&a, 4096, 5000) == 0);
	CHECK(a && ((uintptr_t)a & 4095) == 0);
	hbw_free(a);
	CHECK(hbw_posix_memalign(&a, 3, 5000) == EINVAL);
	/* 1 GiB pages: whole, aligned pages when strict; none reserved. */
	CHECK(hbw_posix_memalign_psize(&a, 4096, 5000,
				       HBW_PAGESIZE_1GB_STRICT) == EINVAL);
	if (memkind_check_available(MEMKIND_GBTLB) == MEMKIND_ERROR_HUGETLB)
		CHECK(hbw_posix_memalign_psize(&a, 4096, 5000,
					       HBW_PAGESIZE_1GB) == ENOMEM);
	CHECK(hbw_posix_memalign_psize(&a, 4096, 5000,
				       HBW_PAGESIZE_MAX_VALUE) == EINVAL);
	CHECK(hbw_posix_memalign_psize(NULL, 4096, 5000, HBW_PAGESIZE_4KB) ==
	      EINVAL);
	hbw_free(NULL);
}

static void check_verify(bool have_hbw)
{
	size_t len = 64 << 10;
	char *p = hbw_malloc(len);
	char stack[64];

	CHECK(p);
	CHECK(hbw_verify_memory_region(NULL, len, 0) == EINVAL);
	CHECK(hbw_verify_memory_region(p, 0, 0) == EINVAL);
	CHECK(hbw_verify_memory_region(p, len, 0x10) == EINVAL);
	if (have_hbw) {
		/* Not touched yet: no pages to ask about, unless touched. */
		CHECK(hbw_verify_memory_region(p, len, HBW_TOUCH_PAGES) == 0);
		memset(stack, 0, sizeof(stack));
		/* Node 0 is the HBW node here: the stack is on it too. */
		CHECK(hbw_verify_memory_region(stack, sizeof(stack), 0) == 0);
	} else {
		CHECK(hbw_verify_memory_region(p, len, HBW_TOUCH_PAGES) ==
		      EINVAL);
	}
	hbw_free(p);
}

static void check_policy_once(void)
{
	CHECK(hbw_get_policy() == HBW_POLICY_PREFERRED);
	CHECK(hbw_set_policy(0) == EINVAL);
	CHECK(hbw_set_policy(HBW_POLICY_BIND_ALL + 1) == EINVAL);
	CHECK(hbw_set_policy(HBW_POLICY_BIND) == 0);
	CHECK(hbw_get_policy() == HBW_POLICY_BIND);
	CHECK(hbw_set_policy(HBW_POLICY_INTERLEAVE) == EPERM);
	CHECK(hbw_get_policy() == HBW_POLICY_BIND);
}

int main(int argc, char **argv)
{
	bool overridden = getenv("MEMKIND_HBW_NODES") != NULL;
	bool have_hbw = memkind_check_available(MEMKIND_HBW) == 0;

	if (!overridden) {
		CHECK(hbw_check_available() == (have_hbw ? 0 : ENODEV));
		/* No HBW: the preferred policy falls back to ordinary memory.
		 */
		check_calls();
		check_verify(have_hbw);
		/* An allocation fixed the policy. */
		CHECK(hbw_set_policy(HBW_POLICY_BIND) == EPERM);
		if (have_hbw)
			return 0;
		setenv("MEMKIND_HBW_NODES", "0", 1);
		execv("/proc/self/exe", argv);
		test_fail_at(__FILE__, __LINE__, "execv: %s", strerror(errno));
	}
	CHECK(strcmp(getenv("MEMKIND_HBW_NODES"), "0") == 0);
	check_policy_once();
	CHECK(hbw_check_available() == 0);
	check_calls();
	check_verify(true);
	return 0;
}
