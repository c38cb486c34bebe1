// SPDX-License-Identifier: MIT
/*
 * Memory tiers (memtier(3)): one allocator over several kinds, for
 * machines with fast and large memory (DRAM with CXL or DAX KMEM, HBM
 * with DRAM). With MEMTIER_POLICY_STATIC_RATIO each allocation goes to
 * the tier that is furthest below its share: tier i is chosen when
 * allocated[i] / ratio[i] is the smallest, so the bytes held by the
 * tiers stay in the ratios given.
 *
 * The bytes allocated through memtier_* are counted per kind (usable
 * sizes), as memkind does: memtier_kind_allocated_size() reports them.
 * MEMTIER_POLICY_DYNAMIC_THRESHOLD is not implemented: building such a
 * memory fails with EINVAL.
 */
#include "internal.h"

#include <memkind_memtier.h>

#include <errno.h>
#include <stdlib.h>

#define TIERS_MAX 8

struct memtier_builder {
	memtier_policy_t policy;
	unsigned ntiers;
	memkind_t kind[TIERS_MAX];
	unsigned ratio[TIERS_MAX];
};

struct memtier_memory {
	unsigned ntiers;
	memkind_t kind[TIERS_MAX];
	unsigned ratio[TIERS_MAX];
};

KIND_API struct memtier_builder *memtier_builder_new(memtier_policy_t policy)
{
	struct memtier_builder *b;

	if ((unsigned)policy >= MEMTIER_POLICY_MAX_VALUE) {
		errno = EINVAL;
		return NULL;
	}
	b = calloc(1, sizeof(*b));
	if (b)
		b->policy = policy;
	return b;
}

KIND_API void memtier_builder_delete(struct memtier_builder *builder)
{
	free(builder);
}

KIND_API int memtier_builder_add_tier(struct memtier_builder *builder,
				      memkind_t kind, unsigned kind_ratio)
{
	unsigned i;

	if (!builder || !kind || kind_ratio == 0 ||
	    builder->ntiers == TIERS_MAX)
		goto invalid;
	for (i = 0; i < builder->ntiers; i++)
		if (builder->kind[i] == kind)
			goto invalid;
	builder->kind[builder->ntiers] = kind;
	builder->ratio[builder->ntiers] = kind_ratio;
	builder->ntiers++;
	return 0;
invalid:
	errno = EINVAL;
	return -1;
}

KIND_API struct memtier_memory *
memtier_builder_construct_memtier_memory(struct memtier_builder *builder)
{
	struct memtier_memory *m;
	unsigned i;

	if (!builder || builder->ntiers == 0 ||
	    builder->policy != MEMTIER_POLICY_STATIC_RATIO) {
		errno = EINVAL;
		return NULL;
	}
	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->ntiers = builder->ntiers;
	for (i = 0; i < m->ntiers; i++) {
		m->kind[i] = builder->kind[i];
		m->ratio[i] = builder->ratio[i];
	}
	return m;
}

KIND_API void memtier_delete_memtier_memory(struct memtier_memory *memory)
{
	free(memory);
}

/* The tier furthest below its share: smallest allocated/ratio. */
static memkind_t pick_tier(const struct memtier_memory *m)
{
	unsigned i, best = 0;
	unsigned __int128 a, b;

	for (i = 1; i < m->ntiers; i++) {
		a = (unsigned __int128)atomic_load(&m->kind[i]->tier_bytes) *
		    m->ratio[best];
		b = (unsigned __int128)atomic_load(&m->kind[best]->tier_bytes) *
		    m->ratio[i];
		if (a < b)
			best = i;
	}
	return m->kind[best];
}

static void *counted(memkind_t kind, void *p)
{
	if (p)
		atomic_fetch_add(&kind->tier_bytes,
				 memkind_malloc_usable_size(kind, p));
	return p;
}

static void uncount(memkind_t kind, void *p)
{
	size_t n = memkind_malloc_usable_size(kind, p);
	size_t old = atomic_load(&kind->tier_bytes);

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
	if (!memory) {
		errno = EINVAL;
		return NULL;
	}
	return memtier_kind_malloc(pick_tier(memory), size);
}

KIND_API void *memtier_calloc(struct memtier_memory *memory, size_t num,
			      size_t size)
{
	if (!memory) {
		errno = EINVAL;
		return NULL;
	}
	return memtier_kind_calloc(pick_tier(memory), num, size);
}

KIND_API void *memtier_realloc(struct memtier_memory *memory, void *ptr,
			       size_t size)
{
	if (!memory) {
		errno = EINVAL;
		return NULL;
	}
	if (!ptr)
		return memtier_malloc(memory, size);
	return memtier_kind_realloc(NULL, ptr, size);
}

KIND_API int memtier_posix_memalign(struct memtier_memory *memory,
				    void **memptr, size_t alignment,
				    size_t size)
{
	if (!memory)
		return EINVAL;
	return memtier_kind_posix_memalign(pick_tier(memory), memptr, alignment,
					   size);
}

KIND_API size_t memtier_usable_size(void *ptr)
{
	return memkind_malloc_usable_size(NULL, ptr);
}

KIND_API size_t memtier_kind_allocated_size(memkind_t kind)
{
	return kind ? atomic_load(&kind->tier_bytes) : 0;
}

/* The only settings memkind has are the dynamic threshold policy's. */
KIND_API int memtier_ctl_set(struct memtier_builder *builder, const char *name,
			     const void *val)
{
	errno = EINVAL;
	return -1;
}
