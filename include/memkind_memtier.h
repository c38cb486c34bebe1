/* SPDX-License-Identifier: MIT */
/*
 * Memory tiers (memkind 1.14's <memkind_memtier.h>): one allocator over
 * several kinds, each holding a set share of the bytes allocated. See
 * memtier(3).
 */
#ifndef _MEMKIND_MEMTIER_H
#define _MEMKIND_MEMTIER_H

#include <memkind.h>
#include <stdlib.h>

#ifdef __cplusplus
extern "C" {
#endif

struct memtier_builder;
struct memtier_memory;

typedef enum memtier_policy_t {
	MEMTIER_POLICY_STATIC_RATIO = 0,
	MEMTIER_POLICY_DYNAMIC_THRESHOLD = 1,
	MEMTIER_POLICY_MAX_VALUE
} memtier_policy_t;

struct memtier_builder *memtier_builder_new(memtier_policy_t policy);
void memtier_builder_delete(struct memtier_builder *builder);
int memtier_builder_add_tier(struct memtier_builder *builder, memkind_t kind,
			     unsigned kind_ratio);
struct memtier_memory *
memtier_builder_construct_memtier_memory(struct memtier_builder *builder);
void memtier_delete_memtier_memory(struct memtier_memory *memory);

void *memtier_malloc(struct memtier_memory *memory, size_t size);
void *memtier_kind_malloc(memkind_t kind, size_t size);
void *memtier_calloc(struct memtier_memory *memory, size_t num, size_t size);
void *memtier_kind_calloc(memkind_t kind, size_t num, size_t size);
void *memtier_realloc(struct memtier_memory *memory, void *ptr, size_t size);
void *memtier_kind_realloc(memkind_t kind, void *ptr, size_t size);
int memtier_posix_memalign(struct memtier_memory *memory, void **memptr,
			   size_t alignment, size_t size);
int memtier_kind_posix_memalign(memkind_t kind, void **memptr, size_t alignment,
				size_t size);
size_t memtier_usable_size(void *ptr);
void memtier_kind_free(memkind_t kind, void *ptr);

static inline void memtier_free(void *ptr)
{
	memtier_kind_free(NULL, ptr);
}

size_t memtier_kind_allocated_size(memkind_t kind);
int memtier_ctl_set(struct memtier_builder *builder, const char *name,
		    const void *val);

#ifdef __cplusplus
}
#endif

#endif /* _MEMKIND_MEMTIER_H */
