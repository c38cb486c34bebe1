// SPDX-License-Identifier: MIT
/*
 * Address -> kind map, so memkind_free(NULL, ptr) and friends find the
 * owning kind without asking jemalloc. Kinds reserve address space in 2 MiB
 * granules, so the map is a two-level table indexed by granule number:
 * two loads per lookup, no lock (addrmap_lookup() is inline, in
 * internal.h). Leaves are allocated on first use and kept for the life of
 * the process (at most 64 KiB each).
 */
#include "internal.h"

#include <stdint.h>
#include <sys/mman.h>

#define LEAF_BITS ADDRMAP_LEAF_BITS
#define TOP_BITS ADDRMAP_TOP_BITS
#define LEAF_SIZE ADDRMAP_LEAF_SIZE

typedef addrmap_leaf map_leaf;

/* Read inline by addrmap_lookup() (internal.h). */
_Atomic(map_leaf *) addrmap_top[(size_t)1 << TOP_BITS];
static pthread_mutex_t map_grow_lock = PTHREAD_MUTEX_INITIALIZER;

static map_leaf *leaf_get(size_t top, bool create)
{
	map_leaf *leaf =
	    atomic_load_explicit(&addrmap_top[top], memory_order_acquire);
	void *mem;

	if (leaf || !create)
		return leaf;
	pthread_mutex_lock(&map_grow_lock);
	leaf = atomic_load_explicit(&addrmap_top[top], memory_order_relaxed);
	if (!leaf) {
		/* mmap, not malloc: the map must not depend on the heap. */
		mem = mmap(NULL, sizeof(map_leaf), PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mem != MAP_FAILED) {
			leaf = mem;
			atomic_store_explicit(&addrmap_top[top], leaf,
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

void addrmap_fork_child(void)
{
	pthread_mutex_init(&map_grow_lock, NULL);
}
