// SPDX-License-Identifier: MIT
/*
 * Allocation through memory tiers (memtier(3)): memtier_* picks a tier
 * (memtier_policy.c) for each new block, memtier_kind_* allocate from a
 * given kind; both count the usable bytes they hand out per kind, as
 * memkind does, and memtier_kind_allocated_size() reports them. A block
 * keeps its kind for life: realloc and free go to the kind that holds it.
 */
#include "memtier.h"

#include <errno.h>
#include <stdlib.h>

size_t memtier_bytes(memkind_t kind)
{
	return atomic_load_explicit(&kind->tier_bytes, memory_order_relaxed);
}

static void *counted(memkind_t kind, void *p)
{
	if (p)
		atomic_fetch_add_explicit(&kind->tier_bytes,
					  memkind_malloc_usable_size(kind, p),
					  memory_order_relaxed);
	return p;
}

static void uncount(memkind_t kind, void *p)
{
	size_t n = memkind_malloc_usable_size(kind, p);
	size_t old = memtier_bytes(kind);

	/* Blocks allocated outside memtier_* were never counted. */
	while (!atomic_compare_exchange_weak(&kind->tier_bytes, &old,
					     old > n ? old - n : 0))
		;
}

KIND_API void *memtier_kind_malloc(memkind_t kind, size_t size)
{
	return counted(kind, memkind_malloc(kind, size));
}

KIND_API void *memtier_kind_calloc(memkind_t kind, size_t num, size_t size)
{
	return counted(kind, memkind_calloc(kind, num, size));
}

KIND_API int memtier_kind_posix_memalign(memkind_t kind, void **memptr,
					 size_t alignment, size_t size)
{
	int ret = memkind_posix_memalign(kind, memptr, alignment, size);

	if (!ret)
		counted(kind, *memptr);
	return ret;
}

KIND_API void memtier_kind_free(memkind_t kind, void *ptr)
{
	if (!ptr)
		return;
	if (!kind)
		kind = memkind_detect_kind(ptr);
	uncount(kind, ptr);
	memkind_free(kind, ptr);
}

KIND_API void *memtier_kind_realloc(memkind_t kind, void *ptr, size_t size)
{
	memkind_t owner;
	void *p;

	if (!ptr)
		return memtier_kind_malloc(kind, size);
	if (size == 0) {
		memtier_kind_free(kind, ptr);
		return NULL;
	}
	owner = memkind_detect_kind(ptr);
	uncount(owner, ptr);
	p = memkind_realloc(owner, ptr, size);
	/* On failure the old block stays, and counts again. */
	counted(owner, p ? p : ptr);
	return p;
}

KIND_API void *memtier_malloc(struct memtier_memory *memory, size_t size)
{
	void *p;

	if (!memory) {
		errno = EINVAL;
		return NULL;
	}
	p = memtier_kind_malloc(memtier_pick(memory, size), size);
	memtier_after_alloc(memory);
	return p;
}

KIND_API void *memtier_calloc(struct memtier_memory *memory, size_t num,
			      size_t size)
{
	size_t total;
	void *p;

	if (!memory) {
		errno = EINVAL;
		return NULL;
	}
	/* The tier is chosen by the whole size; overflow fails in calloc. */
	if (__builtin_mul_overflow(num, size, &total))
		total = SIZE_MAX;
	p = memtier_kind_calloc(memtier_pick(memory, total), num, size);
	memtier_after_alloc(memory);
	return p;
}

KIND_API void *memtier_realloc(struct memtier_memory *memory, void *ptr,
			       size_t size)
{
	void *p;

	if (!memory) {
		errno = EINVAL;
		return NULL;
	}
	if (!ptr)
		return memtier_malloc(memory, size);
	p = memtier_kind_realloc(NULL, ptr, size);
	memtier_after_alloc(memory);
	return p;
}

KIND_API int memtier_posix_memalign(struct memtier_memory *memory,
				    void **memptr, size_t alignment,
				    size_t size)
{
	int ret;

	if (!memory)
		return EINVAL;
	ret = memtier_kind_posix_memalign(memtier_pick(memory, size), memptr,
					  alignment, size);
	memtier_after_alloc(memory);
	return ret;
}

KIND_API size_t memtier_usable_size(void *ptr)
{
	return memkind_malloc_usable_size(NULL, ptr);
}

KIND_API size_t memtier_kind_allocated_size(memkind_t kind)
{
	return kind ? memtier_bytes(kind) : 0;
}
