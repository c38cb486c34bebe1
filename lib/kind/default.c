// SPDX-License-Identifier: MIT
/*
 * The static kinds MEMKIND_DEFAULT and MEMKIND_REGULAR: the process's own
 * malloc. libmemkind links jemalloc for its arenas, but a program links
 * libc directly, so the C library's malloc stays the process's malloc
 * unless the program itself chooses jemalloc (linking or preloading it).
 * Either way these kinds call plain malloc() and free(), so memory of the
 * default kind and memory from malloc() are interchangeable.
 */
#include "internal.h"

#include <errno.h>
#include <malloc.h>
#include <stdlib.h>

static void *default_malloc(struct memkind *kind, size_t size)
{
	if (size == 0)
		return NULL;
	return malloc(size);
}

static void *default_calloc(struct memkind *kind, size_t num, size_t size)
{
	if (num == 0 || size == 0)
		return NULL;
	return calloc(num, size);
}

static int default_posix_memalign(struct memkind *kind, void **memptr,
				  size_t alignment, size_t size)
{
	if (size == 0) {
		*memptr = NULL;
		return 0;
	}
	return posix_memalign(memptr, alignment, size);
}

static void *default_realloc(struct memkind *kind, void *ptr, size_t size)
{
	if (size == 0 && ptr) {
		free(ptr);
		return NULL;
	}
	return realloc(ptr, size);
}

static void default_free(struct memkind *kind, void *ptr)
{
	free(ptr);
}

static size_t default_usable_size(struct memkind *kind, void *ptr)
{
	return malloc_usable_size(ptr);
}

static void *default_defrag(struct memkind *kind, void *ptr)
{
	return NULL;
}

/* The C library's view: mallinfo2() of the whole process heap. */
static int default_get_stat(struct memkind *kind, memkind_stat_type stat,
			    size_t *value)
{
	struct mallinfo2 mi = mallinfo2();

	switch (stat) {
	case MEMKIND_STAT_TYPE_RESIDENT:
		*value = mi.arena + mi.hblkhd;
		return 0;
	case MEMKIND_STAT_TYPE_ACTIVE:
	case MEMKIND_STAT_TYPE_ALLOCATED:
		*value = mi.uordblks + mi.hblkhd;
		return 0;
	default:
		return MEMKIND_ERROR_INVALID;
	}
}

static const struct memkind_ops default_ops = {
	.malloc = default_malloc,
	.calloc = default_calloc,
	.posix_memalign = default_posix_memalign,
	.realloc = default_realloc,
	.free = default_free,
	.usable_size = default_usable_size,
	.defrag_reallocate = default_defrag,
	.get_stat = default_get_stat,
};

struct memkind default_kind = {
	.ops = &default_ops,
	.name = "memkind_default",
	.is_static = true,
	.heap = { .fd = -1 },
	.fork_fd = -1,
};

static struct memkind regular_kind = {
	.ops = &default_ops,
	.name = "memkind_regular",
	.is_static = true,
	.heap = { .fd = -1 },
	.fork_fd = -1,
};

KIND_API memkind_t MEMKIND_DEFAULT = &default_kind;
KIND_API memkind_t MEMKIND_REGULAR = &regular_kind;
