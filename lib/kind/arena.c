// SPDX-License-Identifier: MIT
/*
 * A jemalloc arena per file-backed kind. The arena's extent hooks take
 * space from the kind's heap (heap.c): fresh space comes from the end of
 * what the kind has used, and freed space is never handed back to the
 * hooks (jemalloc retains it for reuse); instead the purge hook punches it
 * out of the file, so the file system gets the blocks back while the
 * addresses keep their file offsets. Arena metadata lives in ordinary
 * private memory (anon.c), not in the kind's file, so all of max_size
 * is usable.
 */
#include "internal.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define PAGE_BYTES 4096UL
/*
 * Once jemalloc has grown a bounded kind's arena by its first 2 MiB, later
 * growth asks for no more than it needs (rounded up to this), so the kind
 * is not cut short by a large final growth step that would not fit.
 */
#define ARENA_GROW_LIMIT ((size_t)64 << 10)

/* jemalloc 5.3's arena_config_t for "experimental.arenas_create_ext". */
struct je_arena_config {
	extent_hooks_t *extent_hooks;
	bool metadata_use_hooks;
};

/*
 * jemalloc's own metadata for the arena (its "base") comes through the
 * hooks too, as committed, huge-page aligned blocks; ordinary growth asks
 * for page alignment and no commitment (jemalloc retains address space,
 * opt.retain, which is its default on Linux; with retain:false forced in
 * MALLOC_CONF, an aligned allocation of 2 MiB or more would be taken for
 * metadata and come from private memory). Metadata is kept out of the kind's
 * file, in private memory that is unmapped when jemalloc gives it back at
 * arena destroy, so it neither eats into max_size nor outlives the kind.
 */
static bool is_metadata_request(size_t alignment, bool commit)
{
	return commit && alignment >= KIND_GRANULE;
}

static bool in_heap(extent_hooks_t *hooks, void *addr)
{
	return heap_find_region(&hooks_kind(hooks)->heap, addr) != NULL;
}

static void *hook_alloc(extent_hooks_t *hooks, void *new_addr, size_t size,
			size_t alignment, bool *zero, bool *commit,
			unsigned arena_ind)
{
	void *addr;

	/* Space is handed out in order; a given address cannot be honoured. */
	if (new_addr)
		return NULL;
	if (is_metadata_request(alignment, *commit)) {
		addr = anon_alloc(size, alignment);
		if (addr)
			*zero = true;
		return addr;
	}
	if (alignment < PAGE_BYTES)
		alignment = PAGE_BYTES;
	addr = heap_take(hooks_kind(hooks), size, alignment);
	if (!addr)
		return NULL;
	/*
	 * The file grows when jemalloc commits pages, not when it takes
	 * address space, so the file holds only what is in use.
	 */
	if (*commit && heap_commit(&hooks_kind(hooks)->heap, addr, size))
		return NULL;
	*zero = true;
	return addr;
}

/*
 * Heap addresses are kept: jemalloc retains them and the purge hooks give
 * the blocks back. Metadata goes back to the system.
 */
static bool hook_dalloc(extent_hooks_t *hooks, void *addr, size_t size,
			bool committed, unsigned arena_ind)
{
	if (in_heap(hooks, addr))
		return true;
	return anon_free(addr, size) != 0;
}

static void hook_destroy(extent_hooks_t *hooks, void *addr, size_t size,
			 bool committed, unsigned arena_ind)
{
}

static bool hook_commit(extent_hooks_t *hooks, void *addr, size_t size,
			size_t offset, size_t length, unsigned arena_ind)
{
	if (!in_heap(hooks, addr))
		return false;
	return heap_commit(&hooks_kind(hooks)->heap, (char *)addr + offset,
			   length) != 0;
}

static bool hook_decommit(extent_hooks_t *hooks, void *addr, size_t size,
			  size_t offset, size_t length, unsigned arena_ind)
{
	return heap_punch(&hooks_kind(hooks)->heap, (char *)addr + offset,
			  length) != 0;
}

static bool hook_purge_forced(extent_hooks_t *hooks, void *addr, size_t size,
			      size_t offset, size_t length, unsigned arena_ind)
{
	return heap_punch(&hooks_kind(hooks)->heap, (char *)addr + offset,
			  length) != 0;
}

static bool hook_split(extent_hooks_t *hooks, void *addr, size_t size,
		       size_t size_a, size_t size_b, bool committed,
		       unsigned arena_ind)
{
	return false;
}

/* Adjacent extents merge only within one region (contiguous file offsets). */
static bool hook_merge(extent_hooks_t *hooks, void *addr_a, size_t size_a,
		       void *addr_b, size_t size_b, bool committed,
		       unsigned arena_ind)
{
	const struct kind_heap *heap = &hooks_kind(hooks)->heap;

	return heap_find_region(heap, addr_a) != heap_find_region(heap, addr_b);
}

static const extent_hooks_t kind_extent_hooks = {
    .alloc = hook_alloc,
    .dalloc = hook_dalloc,
    .destroy = hook_destroy,
    .commit = hook_commit,
    .decommit = hook_decommit,
    .purge_lazy = NULL,
    .purge_forced = hook_purge_forced,
    .split = hook_split,
    .merge = hook_merge,
};

int arena_set_ssize(unsigned arena, const char *name, ssize_t v)
{
	char key[64];

	snprintf(key, sizeof(key), "arena.%u.%s", arena, name);
	return mallctl(key, NULL, NULL, &v, sizeof(v));
}

static int arena_set_size(unsigned arena, const char *name, size_t v)
{
	char key[64];

	snprintf(key, sizeof(key), "arena.%u.%s", arena, name);
	return mallctl(key, NULL, NULL, &v, sizeof(v));
}

static int arena_new(struct memkind *kind, unsigned *arena)
{
	struct je_arena_config cfg = {
	    .extent_hooks = &kind->hooks,
	    .metadata_use_hooks = true,
	};
	extent_hooks_t *hooks = &kind->hooks;
	size_t sz = sizeof(*arena);
	int ret;

	ret = mallctl("experimental.arenas_create_ext", arena, &sz, &cfg,
		      sizeof(cfg));
	if (ret == ENOENT)
		ret =
		    mallctl("arenas.create", arena, &sz, &hooks, sizeof(hooks));
	return ret;
}

/* Largest jemalloc page-size class (4 per doubling) not above limit. */
static size_t psz_class_floor(size_t limit)
{
	size_t pow = (size_t)1 << (63 - __builtin_clzl(limit));
	size_t step = pow >= 4 * PAGE_BYTES ? pow / 4 : PAGE_BYTES;
	size_t c = pow;

	while (c + step <= limit)
		c += step;
	return c;
}

/*
 * jemalloc never merges free space across two extents the hooks handed
 * out separately, and it grows an arena in steps of increasing size. Left
 * alone, a bounded kind would be split into islands, and after filling
 * and freeing it no block larger than the biggest island could be had.
 * Asking for one block as large as the kind at once makes the first
 * growth cover (nearly) all of it: one island. The block is freed at once
 * and costs nothing, as its pages are not committed.
 *
 * This waits for the arena's first allocation (arena_prepare()): until
 * then the kind's space stays in one piece for memkind_pmem_mmap(), and
 * what that took is left out.
 */
static void arena_reserve_whole(struct memkind *kind)
{
	int flags = arena_flag(kind->arena) | MALLOCX_TCACHE_NONE;
	size_t size, left;
	void *p;

	pthread_mutex_lock(&kind->heap.lock);
	left = kind->heap.max_size - kind->heap.used;
	pthread_mutex_unlock(&kind->heap.lock);
	if (left < KIND_GRANULE)
		return;
	size = psz_class_floor(left);

	/* jemalloc pads large blocks, so the largest class may not fit. */
	for (; size >= KIND_GRANULE; size = psz_class_floor(size - 1)) {
		p = mallocx(size, flags);
		if (p) {
			dallocx(p, MALLOCX_TCACHE_NONE);
			return;
		}
	}
}

/* Flags of allocations from the kind without a thread cache. */
static void arena_set_direct(struct memkind *kind)
{
	kind->direct.gen = kind->gen;
	kind->direct.tc = TC_NONE;
	kind->direct.alloc_flags =
	    arena_flag(kind->arena) | MALLOCX_TCACHE_NONE;
	kind->direct.free_flags = MALLOCX_TCACHE_NONE;
}

/*
 * An arena over the given extent hooks (static and fixed kinds), jemalloc
 * metadata included. Call after the kind has its registry slot.
 */
int arena_create_hooked(struct memkind *kind, const extent_hooks_t *hooks)
{
	extent_hooks_t *h = &kind->hooks;
	size_t sz = sizeof(kind->arena);

	kind->hooks = *hooks;
	if (mallctl("arenas.create", &kind->arena, &sz, &h, sizeof(h)))
		return MEMKIND_ERROR_ARENAS_CREATE;
	arena_set_direct(kind);
	return 0;
}

/*
 * Growth steps and decay times of an arena over the kind's heap. Only a
 * bounded kind limits its growth steps: jemalloc never merges free space
 * across two of them (with retain, each is a "head"), so an unbounded
 * kind keeps jemalloc's growing steps, and its purges punch out a few
 * large holes instead of one per 64 KiB step (each a TLB shootdown on
 * every CPU the program runs on).
 */
static int arena_configure(struct memkind *kind, unsigned arena)
{
	if (kind->heap.max_size &&
	    arena_set_size(arena, "retain_grow_limit", ARENA_GROW_LIMIT))
		return -1;
	return purge_arena_setup(kind, arena);
}

/* Creates the kind's arena. Returns 0 or a MEMKIND_ERROR_* code. */
int arena_create(struct memkind *kind)
{
	unsigned arena;

	kind->hooks = kind_extent_hooks;
	kind->file_backed = true;
	if (arena_new(kind, &arena))
		return MEMKIND_ERROR_ARENAS_CREATE;
	kind->arena = arena;
	if (arena_configure(kind, arena) || purge_setup(kind)) {
		arena_destroy(kind);
		return MEMKIND_ERROR_ARENAS_CREATE;
	}
	arena_set_direct(kind);
	return 0;
}

/* One more arena like the kind's first (thread_arena.c). 0 or -1. */
int arena_add(struct memkind *kind, unsigned *arena)
{
	if (arena_new(kind, arena))
		return -1;
	if (kind->file_backed && arena_configure(kind, *arena)) {
		arena_destroy_index(*arena);
		return -1;
	}
	return 0;
}

/* jemalloc reuses the index for the next arena. */
void arena_destroy_index(unsigned arena)
{
	char key[64];

	snprintf(key, sizeof(key), "arena.%u.destroy", arena);
	mallctl(key, NULL, NULL, NULL, 0);
}

/* Destroys the kind's arenas, once no thread is bound to them. */
void arena_destroy(struct memkind *kind)
{
	tcache_kind_release(kind);
	thread_arenas_destroy(kind);
	arena_destroy_index(kind->arena);
}

int arena_purge(struct memkind *kind)
{
	unsigned arenas[KIND_ARENAS_MAX], i, n = kind_arenas(kind, arenas);
	char key[64];
	int ret = 0;

	for (i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "arena.%u.purge", arenas[i]);
		ret |= mallctl(key, NULL, NULL, NULL, 0);
	}
	return ret;
}

/*
 * Out of space: the thread's caches may hold free blocks and the arena
 * unpurged (uncoalesced) ones. Return both and try once more, through the
 * thread's own cache (flags 0) or with the given flags.
 */
static void *alloc_retry(struct memkind *kind, size_t size, int flags)
{
	void *p;

	tcache_flush_thread(kind);
	arena_purge(kind);
	p = flags ? mallocx(size, flags) : je.malloc(size);
	if (!p)
		errno = ENOMEM;
	return p;
}

/*
 * Before the arena's first allocation, a bounded kind's space goes to the
 * arena in one piece (arena_reserve_whole()). Threads racing here may see
 * their first blocks come from a small growth step instead; that costs an
 * island, nothing else.
 */
static void arena_prepare(struct memkind *kind)
{
	if (likely(atomic_load_explicit(&kind->arena_ready,
					memory_order_acquire)))
		return;
	if (!atomic_exchange(&kind->arena_ready, true) && kind->heap.max_size)
		arena_reserve_whole(kind);
}

/*
 * memkind_pmem_mmap() once the kind's space is the arena's: page-aligned,
 * zeroed space as one large block, kept by the caller until the kind is
 * destroyed (the seed's mmap has no unmap).
 */
void *arena_take(struct memkind *kind, size_t size)
{
	int flags = arena_flag(kind->arena) | MALLOCX_TCACHE_NONE |
		    MALLOCX_ALIGN(PAGE_BYTES) | MALLOCX_ZERO;
	void *p = mallocx(size, flags);

	if (!p)
		p = alloc_retry(kind, size, flags);
	return p;
}

/* Flags of the kind's own cache (or none), for the general path. */
static int alloc_flags(struct memkind *kind)
{
	if (bind_tls.kind == kind)
		return arena_flag(kind->arena);
	return tcache_get(kind)->alloc_flags;
}

void *arena_kind_malloc(struct memkind *kind, size_t size)
{
	void *p;

	if (unlikely(size == 0))
		return NULL;
	arena_prepare(kind);
	if (bind_want(kind)) {
		p = je.malloc(size);
		return p ? p : alloc_retry(kind, size, 0);
	}
	p = mallocx(size, tcache_get(kind)->alloc_flags);
	if (unlikely(!p))
		return alloc_retry(kind, size, tcache_get(kind)->alloc_flags);
	return p;
}

void *arena_kind_calloc(struct memkind *kind, size_t num, size_t size)
{
	size_t total;
	int flags;
	void *p;

	if (__builtin_mul_overflow(num, size, &total)) {
		errno = ENOMEM;
		return NULL;
	}
	if (total == 0)
		return NULL;
	arena_prepare(kind);
	bind_want(kind);
	flags = alloc_flags(kind) | MALLOCX_ZERO;
	p = mallocx(total, flags);
	if (unlikely(!p))
		return alloc_retry(kind, total, flags);
	return p;
}

int arena_kind_posix_memalign(struct memkind *kind, void **memptr,
			      size_t alignment, size_t size)
{
	int flags;
	void *p;

	if (size == 0) {
		*memptr = NULL;
		return 0;
	}
	arena_prepare(kind);
	flags = alloc_flags(kind) | MALLOCX_ALIGN(alignment);
	p = mallocx(size, flags);
	if (!p)
		p = alloc_retry(kind, size, flags);
	if (!p)
		return ENOMEM;
	*memptr = p;
	return 0;
}

void *arena_kind_realloc(struct memkind *kind, void *ptr, size_t size)
{
	int flags;
	void *p;

	if (!ptr)
		return arena_kind_malloc(kind, size);
	if (size == 0) {
		arena_kind_free(kind, ptr);
		return NULL;
	}
	bind_want(kind);
	flags = alloc_flags(kind);
	p = rallocx(ptr, size, flags);
	if (unlikely(!p)) {
		tcache_flush_thread(kind);
		arena_purge(kind);
		p = rallocx(ptr, size, flags);
		if (!p)
			errno = ENOMEM;
	}
	return p;
}

void arena_kind_free(struct memkind *kind, void *ptr)
{
	if (bind_tls.kind == kind)
		je.free(ptr);
	else
		dallocx(ptr, tcache_get(kind)->free_flags);
}

size_t arena_kind_usable_size(struct memkind *kind, void *ptr)
{
	return sallocx(ptr, 0);
}

/* jemalloc 5.3's answer to "experimental.utilization.query". */
struct je_util_stats {
	size_t nfree;
	size_t nregs;
	size_t size;
	size_t bin_nfree;
	size_t bin_nregs;
	void *slabcur_addr;
};

/*
 * Moves ptr when the slab holding it is emptier than its bin's average,
 * so that lightly used slabs drain and their pages can be purged. The new
 * block bypasses the thread cache so that it comes from the arena's
 * current (fullest) slab. Returns the new address, or NULL when ptr stays.
 */
void *arena_kind_defrag(struct memkind *kind, void *ptr)
{
	struct je_util_stats u;
	size_t sz = sizeof(u);
	void *p;

	memset(&u, 0, sizeof(u));
	if (mallctl("experimental.utilization.query", &u, &sz, &ptr,
		    sizeof(ptr)))
		return NULL;
	/* Large blocks (one region), full slabs, the current slab: stay. */
	if (u.nregs <= 1 || u.nfree == 0 || u.slabcur_addr == NULL)
		return NULL;
	if (u.nfree * u.bin_nregs < u.bin_nfree * u.nregs)
		return NULL;
	p = mallocx(u.size, arena_flag(kind->arena) | MALLOCX_TCACHE_NONE);
	if (!p)
		return NULL;
	memcpy(p, ptr, u.size);
	dallocx(ptr, MALLOCX_TCACHE_NONE);
	return p;
}

/* A statistic of the kind: the sum over its arenas. */
static int arena_stat(struct memkind *kind, const char *name, size_t *v)
{
	unsigned arenas[KIND_ARENAS_MAX], i, n = kind_arenas(kind, arenas);
	size_t one, sz = sizeof(one);
	char key[96];

	*v = 0;
	for (i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "stats.arenas.%u.%s", arenas[i],
			 name);
		if (mallctl(key, &one, &sz, NULL, 0))
			return -1;
		*v += one;
	}
	return 0;
}

int arena_kind_get_stat(struct memkind *kind, memkind_stat_type stat,
			size_t *value)
{
	size_t a = 0, b = 0;

	switch (stat) {
	case MEMKIND_STAT_TYPE_RESIDENT:
		if (arena_stat(kind, "resident", &a))
			return MEMKIND_ERROR_UNAVAILABLE;
		break;
	case MEMKIND_STAT_TYPE_ACTIVE:
		if (arena_stat(kind, "pactive", &a))
			return MEMKIND_ERROR_UNAVAILABLE;
		a *= PAGE_BYTES;
		break;
	case MEMKIND_STAT_TYPE_ALLOCATED:
		if (arena_stat(kind, "small.allocated", &a) ||
		    arena_stat(kind, "large.allocated", &b))
			return MEMKIND_ERROR_UNAVAILABLE;
		a += b;
		break;
	default:
		return MEMKIND_ERROR_INVALID;
	}
	*value = a;
	return MEMKIND_SUCCESS;
}
