/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the tier tests, which read back where pages landed.
 */
#ifndef TIER_TEST_H
#define TIER_TEST_H

#include <errno.h>
#include <numaif.h>

/*
 * The nodes of pages[0..n) into status[]: move_pages() in query mode, or,
 * on kernels built without page migration (ENOSYS), get_mempolicy() page
 * by page. Returns 0 or -1 with errno.
 */
static inline int pages_nodes_of(void **pages, int *status, unsigned long n)
{
	unsigned long i;

	if (!move_pages(0, n, pages, NULL, status, 0))
		return 0;
	if (errno != ENOSYS)
		return -1;
	for (i = 0; i < n; i++)
		if (get_mempolicy(&status[i], NULL, 0, pages[i],
				  MPOL_F_NODE | MPOL_F_ADDR))
			return -1;
	return 0;
}

#endif /* TIER_TEST_H */
