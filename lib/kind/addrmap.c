// SPDX-License-Identifier: MIT
/*
 * Address -> kind map, so memkind_free(NULL, ptr) and friends find the
 * owning kind without asking jemalloc. Kinds reserve address space in 2 MiB
 * granules, so the map is a two-level table indexed by granule number:
 * two loads per lookup, no lock. Leaves are allocated on first use and kept
 * for the life of the process (at most 64 KiB each).
 */
#include "internal.h"

#include <stdint.h>
#include <sys/mman.h>

#define ADDR_BITS 47
#define LEAF_BITS 13
#define TOP_BITS (ADDR_BITS - KIND_GRANULE_SHIFT - LEAF_BITS)
#define LEAF_SIZE ((size_t)1 << LEAF_BITS)

typedef _Atomic(struct memkind *) map_leaf[LEAF_SIZE];

static _Atomic(map_leaf *) map_top[(size_t)1 << TOP_BITS];
static pthread_mutex_t map_grow_lock = PTHREAD_MUTEX_INITIALIZER;

static map_leaf *leaf_get(size_t top, bool create)
{
	map_leaf *leaf =
	    atomic_load_explicit(&map_top[top], memory_order_acquire);
	void *mem;

	if (leaf || !create)
		return leaf;
	pthread_mutex_lock(&map_grow_lock);
	leaf = atomic_load_explicit(&map_top[top], memory_order_relaxed);
	if (!leaf) {
		/* mmap, not malloc: the map must not depend on the heap. */
		mem = mmap(NULL, sizeof(map_leaf), PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mem != MAP_FAILED) {
			leaf = mem;
			atomic_store_explicit(&map_top[top], leaf,
					      memory_order_release);
		}
	}
	pthread_mutex_unlock(&map_grow_lock);
	return leaf;
}

/*
 * Marks [base, base+len) as owned by kind (NULL to clear). base and len
 * are granule aligned. The leaves needed were created when the range was
 * first set, so clearing cannot fail; setting may leave a range unmapped
 * if the process is out of memory, which only costs lookups.
 */
void addrmap_set(const void *base, size_t len, struct memkind *kind)
{
	uintptr_t g = (uintptr_t)base >> KIND_GRANULE_SHIFT;
	uintptr_t end = g + (len >> KIND_GRANULE_SHIFT);
	map_leaf *leaf;

	for (; g < end; g++) {
		if ((g >> LEAF_BITS) >= ((size_t)1 << TOP_BITS))
			return;
		leaf = leaf_get(g >> LEAF_BITS, kind != NULL);
		if (leaf)
			atomic_store_explicit(&(*leaf)[g & (LEAF_SIZE - 1)],
					      kind, memory_order_release);
	}
}

struct memkind *addrmap_lookup(const void *addr)
{
	uintptr_t g = (uintptr_t)addr >> KIND_GRANULE_SHIFT;
	map_leaf *leaf;

	if ((g >> LEAF_BITS) >= ((size_t)1 << TOP_BITS))
		return NULL;
	leaf = atomic_load_explicit(&map_top[g >> LEAF_BITS],
				    memory_order_acquire);
	if (!leaf)
		return NULL;
	return atomic_load_explicit(&(*leaf)[g & (LEAF_SIZE - 1)],
				    memory_order_acquire);
}

void addrmap_fork_child(void)
{
	pthread_mutex_init(&map_grow_lock, NULL);
}
