// SPDX-License-Identifier: MIT
/*
 * libmemtier.so (libmemtier(7)): preloaded, it serves the program's
 * malloc family from the memory tiers MEMKIND_MEM_TIERS describes, so an
 * unmodified program spreads its heap over DRAM, DAX KMEM nodes and
 * file-backed memory in the ratio given.
 *
 * Every function of the family is defined, memalign, valloc and pvalloc
 * included: a block from the C library's allocator freed here (or the
 * reverse) would corrupt both heaps.
 *
 * The tiers are built by the library's constructor. Allocations made
 * before it (by the loader, by other libraries' constructors) or while it
 * builds them come from the default kind; free() finds the kind of every
 * block, so they are freed correctly later. Calls into libmemkind name
 * MEMKIND_DEFAULT, never NULL, for blocks whose kind is unknown: with NULL
 * it hands a block it does not know to the process's free(), which is
 * this one. A bad MEMKIND_MEM_TIERS stops the program with a message, as
 * memkind's library does: running it untiered would hide the mistake.
 */
#include "tiers_env.h"

#include <errno.h>
#include <malloc.h>
#include <memkind.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))

/* NULL until the constructor has built them, and when none are set. */
static _Atomic(struct memtier_memory *) tiers;

static struct memtier_memory *tiered(void)
{
	return atomic_load_explicit(&tiers, memory_order_acquire);
}

/*
 * Built by the constructor, which runs after those of libmemkind and the
 * libraries it uses (libnuma finds the nodes in its own): building the
 * tiers any earlier, on the first malloc(), would ask libnuma before it
 * knows the machine.
 */
__attribute__((constructor)) static void memtier_preload_init(void)
{
	struct memtier_memory *m;
	char err[256];

	if (tiers_from_env(&m, err, sizeof(err))) {
		fprintf(stderr, "libmemtier: %s\n", err);
		abort();
	}
	atomic_store_explicit(&tiers, m, memory_order_release);
}

/* malloc(0) is a unique pointer, as the C library's is. */
static size_t at_least_one(size_t size)
{
	return size ? size : 1;
}

EXPORT void *malloc(size_t size)
{
	struct memtier_memory *m = tiered();

	size = at_least_one(size);
	return m ? memtier_malloc(m, size) : memkind_malloc(MEMKIND_DEFAULT,
							      size);
}

EXPORT void *calloc(size_t num, size_t size)
{
	struct memtier_memory *m = tiered();

	if (num == 0 || size == 0)
		num = size = 1;
	return m ? memtier_calloc(m, num, size) :
		   memkind_calloc(MEMKIND_DEFAULT, num, size);
}

EXPORT void free(void *ptr)
{
	if (!ptr)
		return;
	if (tiered())
		memtier_free(ptr);
	else
		memkind_free(MEMKIND_DEFAULT, ptr);
}

EXPORT void *realloc(void *ptr, size_t size)
{
	struct memtier_memory *m;

	if (!ptr)
		return malloc(size);
	if (size == 0) {
		free(ptr);
		return NULL;
	}
	m = tiered();
	return m ? memtier_realloc(m, ptr, size) :
		   memkind_realloc(MEMKIND_DEFAULT, ptr, size);
}

EXPORT int posix_memalign(void **memptr, size_t alignment, size_t size)
{
	struct memtier_memory *m;

	if (alignment < sizeof(void *) || (alignment & (alignment - 1)))
		return EINVAL;
	m = tiered();
	size = at_least_one(size);
	return m ? memtier_posix_memalign(m, memptr, alignment, size) :
		   memkind_posix_memalign(MEMKIND_DEFAULT, memptr, alignment,
					  size);
}

static void *aligned(size_t alignment, size_t size)
{
	void *p = NULL;
	int rc;

	if (alignment == 0 || (alignment & (alignment - 1))) {
		errno = EINVAL;
		return NULL;
	}
	if (alignment < sizeof(void *))
		alignment = sizeof(void *);
	rc = posix_memalign(&p, alignment, size);
	if (rc) {
		errno = rc;
		return NULL;
	}
	return p;
}

EXPORT void *aligned_alloc(size_t alignment, size_t size)
{
	return aligned(alignment, size);
}

EXPORT void *memalign(size_t alignment, size_t size)
{
	return aligned(alignment, size);
}

EXPORT void *valloc(size_t size)
{
	return aligned((size_t)sysconf(_SC_PAGESIZE), size);
}

EXPORT void *pvalloc(size_t size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	if (size > SIZE_MAX - page) {
		errno = ENOMEM;
		return NULL;
	}
	return aligned(page, (size + page - 1) & ~(page - 1));
}

EXPORT size_t malloc_usable_size(void *ptr)
{
	return ptr ? memkind_malloc_usable_size(MEMKIND_DEFAULT, ptr) : 0;
}
