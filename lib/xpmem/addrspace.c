/* SPDX-License-Identifier: MIT */
/*
 * The end of this process's user address space, the kernel's TASK_SIZE:
 * the user-space backend refuses ranges past it with EINVAL, as the
 * module does. The kernel does not publish it, and it differs between
 * architectures and paging modes (47 or 56 bits on x86-64, 39 to 52 on
 * arm64), so it is found once by bisection: a MAP_FIXED_NOREPLACE mapping
 * of one page fails with ENOMEM exactly when the page lies past the end,
 * with EEXIST when something is mapped there already. The probes land
 * above the stack, where nothing is mapped, and are unmapped at once.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>

#include "internal.h"

static pthread_once_t top_once = PTHREAD_ONCE_INIT;
static uint64_t top;

/* 1: the page lies inside, 0: past the end, -1: the probe cannot tell. */
static int page_inside(uintptr_t page)
{
	size_t ps = xpmem_page_size();
	void *p = mmap((void *)page, ps, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
		       MAP_FIXED_NOREPLACE, -1, 0);

	if (p == MAP_FAILED)
		return errno == EEXIST ? 1 : errno == ENOMEM ? 0 : -1;
	munmap(p, ps);
	/* Kernels before 4.17 took the address as a mere hint. */
	return p == (void *)page ? 1 : -1;
}

static void find_top(void)
{
	uintptr_t ps = xpmem_page_size(), lo, hi = UINTPTR_MAX & ~(ps - 1);
	int on_stack = 0;

	/* A page of the stack is inside; the last page never is. */
	lo = (uintptr_t)&on_stack & ~(ps - 1);
	top = UINT64_MAX;
	while (hi - lo > ps) {
		uintptr_t mid = lo + ((hi - lo) / 2 & ~(ps - 1));
		int inside = page_inside(mid);

		if (inside < 0)
			return;		/* no limit rather than a wrong one */
		if (inside)
			lo = mid;
		else
			hi = mid;
	}
	top = hi;
}

uint64_t xpmem_user_top(void)
{
	pthread_once(&top_once, find_top);
	return top;
}

bool xpmem_past_user_top(uint64_t vaddr, uint64_t size)
{
	uint64_t end = xpmem_user_top();

	return size > end || vaddr > end - size;
}
