// SPDX-License-Identifier: MIT
/*
 * hbwmalloc(3): the HBW kinds behind memkind's older interface. The
 * policy picks the kind; it can be set once, before the first
 * allocation, as in memkind. With the default policy (PREFERRED) and no
 * high bandwidth memory on the machine, allocations come from the
 * default kind. 1 GiB pages come from memkind's deprecated GBTLB kinds.
 */
#include "internal.h"

#include <hbwmalloc.h>

#include <errno.h>
#include <stdint.h>

#define GIB ((size_t)1 << 30)

static _Atomic int hbw_policy = HBW_POLICY_PREFERRED;
static atomic_bool policy_fixed; /* set, or an allocation was made */

KIND_API hbw_policy_t hbw_get_policy(void)
{
	return (hbw_policy_t)atomic_load(&hbw_policy);
}

KIND_API int hbw_set_policy(hbw_policy_t mode)
{
	if (mode < HBW_POLICY_BIND || mode > HBW_POLICY_BIND_ALL)
		return EINVAL;
	if (atomic_exchange(&policy_fixed, true))
		return EPERM;
	atomic_store(&hbw_policy, mode);
	return 0;
}

/*
 * Whether the machine has HBW memory, asked once: the node topology is
 * fixed for the process, and the preferred policy asks on every call.
 */
static atomic_int hbw_present = -1;

static bool have_hbw(void)
{
	int v = atomic_load_explicit(&hbw_present, memory_order_relaxed);

	if (unlikely(v < 0)) {
		v = memkind_check_available(MEMKIND_HBW) == MEMKIND_SUCCESS;
		atomic_store_explicit(&hbw_present, v, memory_order_relaxed);
	}
	return v;
}

KIND_API int hbw_check_available(void)
{
	return have_hbw() ? 0 : ENODEV;
}

/* 1 GiB pages: memkind's deprecated kinds, bind or preferred only. */
static memkind_t hbw_gb_kind(hbw_policy_t policy)
{
	if (policy == HBW_POLICY_BIND)
		return MEMKIND_HBW_GBTLB;
	if (policy == HBW_POLICY_PREFERRED)
		return !have_hbw() ? MEMKIND_GBTLB
				   : MEMKIND_HBW_PREFERRED_GBTLB;
	return NULL;
}

/* The kind for the policy and page size; NULL when they do not combine. */
static memkind_t hbw_kind(hbw_pagesize_t psize)
{
	hbw_policy_t policy = hbw_get_policy();
	bool huge = psize == HBW_PAGESIZE_2MB;

	atomic_store(&policy_fixed, true);
	if (psize == HBW_PAGESIZE_1GB || psize == HBW_PAGESIZE_1GB_STRICT)
		return hbw_gb_kind(policy);
	if (psize != HBW_PAGESIZE_4KB && !huge)
		return NULL;
	switch (policy) {
	case HBW_POLICY_BIND:
		return huge ? MEMKIND_HBW_HUGETLB : MEMKIND_HBW;
	case HBW_POLICY_BIND_ALL:
		return huge ? MEMKIND_HBW_ALL_HUGETLB : MEMKIND_HBW_ALL;
	case HBW_POLICY_INTERLEAVE:
		return huge ? NULL : MEMKIND_HBW_INTERLEAVE;
	default:
		if (!have_hbw())
			return huge ? MEMKIND_HUGETLB : MEMKIND_DEFAULT;
		return huge ? MEMKIND_HBW_PREFERRED_HUGETLB
			    : MEMKIND_HBW_PREFERRED;
	}
}

KIND_API void *hbw_malloc(size_t size)
{
	return memkind_malloc(hbw_kind(HBW_PAGESIZE_4KB), size);
}

KIND_API void *hbw_calloc(size_t num, size_t size)
{
	return memkind_calloc(hbw_kind(HBW_PAGESIZE_4KB), num, size);
}

KIND_API int hbw_posix_memalign_psize(void **memptr, size_t alignment,
				      size_t size, hbw_pagesize_t pagesize)
{
	memkind_t kind;
	int ret;

	if (!memptr)
		return EINVAL;
	/* Strict 1 GiB pages: whole pages, aligned to them. */
	if (pagesize == HBW_PAGESIZE_1GB_STRICT &&
	    ((size & (GIB - 1)) || (alignment & (GIB - 1))))
		return EINVAL;
	/* Otherwise 1 GiB pages hold the size rounded up to them. */
	if (pagesize == HBW_PAGESIZE_1GB) {
		if (size > SIZE_MAX - GIB)
			return ENOMEM;
		size = (size + GIB - 1) & ~(GIB - 1);
	}
	kind = hbw_kind(pagesize);
	if (!kind)
		return EINVAL;
	ret = memkind_posix_memalign(kind, memptr, alignment, size);
	/* No huge pages to be had: memkind says so in errno too. */
	if (ret && pagesize == HBW_PAGESIZE_2MB &&
	    memkind_check_available(kind) == MEMKIND_ERROR_HUGETLB)
		errno = EINVAL;
	return ret;
}

KIND_API int hbw_posix_memalign(void **memptr, size_t alignment, size_t size)
{
	return hbw_posix_memalign_psize(memptr, alignment, size,
					HBW_PAGESIZE_4KB);
}

KIND_API void *hbw_realloc(void *ptr, size_t size)
{
	return memkind_realloc(hbw_kind(HBW_PAGESIZE_4KB), ptr, size);
}

KIND_API void hbw_free(void *ptr)
{
	memkind_free(NULL, ptr);
}

KIND_API size_t hbw_malloc_usable_size(void *ptr)
{
	return memkind_malloc_usable_size(NULL, ptr);
}

/*
 * 0 when every page of the region is on a high bandwidth node, -1 when
 * one is not, EINVAL for bad arguments or no HBW memory on the machine,
 * EFAULT when a page cannot be looked up (not mapped, or not faulted in
 * and HBW_TOUCH_PAGES not given).
 */
KIND_API int hbw_verify_memory_region(void *addr, size_t size, int flags)
{
	int ret;

	if (!addr || size == 0 || (flags & ~HBW_TOUCH_PAGES))
		return EINVAL;
	ret = numa_kind_verify(addr, size, MEMKIND_HBW_ALL,
			       flags & HBW_TOUCH_PAGES);
	return ret < 0 && ret != -1 ? -ret : ret;
}
