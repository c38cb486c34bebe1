// SPDX-License-Identifier: MIT
/*
 * The library's own bookkeeping on the allocation path (per-thread cache
 * tables, a kind's list of caches) comes from jemalloc's arena 0 without
 * a thread cache, never from malloc(). When libmemtier.so serves the
 * process's malloc() from kinds, malloc() would come back into the
 * allocation path, under the very locks it holds.
 */
#include "internal.h"

#define META_FLAGS (MALLOCX_ARENA(0) | MALLOCX_TCACHE_NONE)

void *meta_calloc(size_t num, size_t size)
{
	size_t total;

	if (__builtin_mul_overflow(num, size, &total) || total == 0)
		return NULL;
	return mallocx(total, META_FLAGS | MALLOCX_ZERO);
}

void *meta_realloc(void *ptr, size_t size)
{
	if (size == 0)
		return NULL;
	if (!ptr)
		return mallocx(size, META_FLAGS);
	return rallocx(ptr, size, META_FLAGS);
}

void meta_free(void *ptr)
{
	if (ptr)
		dallocx(ptr, MALLOCX_TCACHE_NONE);
}
