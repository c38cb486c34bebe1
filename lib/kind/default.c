// SPDX-License-Identifier: MIT
/*
 * The static kind MEMKIND_DEFAULT: a jemalloc arena
 * of ordinary private memory, used with the thread's own jemalloc cache,
 * as in memkind. Sizes follow jemalloc's size classes (a 512-byte block
 * has a usable size of exactly 512), which programs written for memkind
 * rely on.
 *
 * libmemkind links jemalloc, but a program links the C library directly,
 * so the C library's malloc normally stays the process's malloc, and
 * memory of these kinds is not malloc() memory. The arena's address
 * ranges go into the address map like the file-backed kinds', so
 * memkind_free(NULL, ptr) tells a default-kind block from a malloc() block
 * with the same two loads.
 */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

static void *default_hook_alloc(extent_hooks_t *hooks, void *new_addr,
				size_t size, size_t alignment, bool *zero,
				bool *commit, unsigned arena_ind)
{
	size_t len = (size + KIND_GRANULE - 1) & ~(KIND_GRANULE - 1);
	void *p;

	if (new_addr || len < size)
		return NULL;
	p = anon_alloc(len,
		       alignment > KIND_GRANULE ? alignment : KIND_GRANULE);
	if (!p)
		return NULL;
	addrmap_set(p, len, &default_kind);
	*zero = true;
	*commit = true;
	return p;
}

/* Addresses are kept for reuse (jemalloc retains them). */
static bool default_hook_dalloc(extent_hooks_t *hooks, void *addr, size_t size,
				bool committed, unsigned arena_ind)
{
	return true;
}

static bool default_hook_commit(extent_hooks_t *hooks, void *addr, size_t size,
				size_t offset, size_t length,
				unsigned arena_ind)
{
	return false;
}

static bool default_hook_purge_lazy(extent_hooks_t *hooks, void *addr,
				    size_t size, size_t offset, size_t length,
				    unsigned arena_ind)
{
	return madvise((char *)addr + offset, length, MADV_FREE) != 0;
}

static bool default_hook_purge_forced(extent_hooks_t *hooks, void *addr,
				      size_t size, size_t offset, size_t length,
				      unsigned arena_ind)
{
	return madvise((char *)addr + offset, length, MADV_DONTNEED) != 0;
}

static bool default_hook_split(extent_hooks_t *hooks, void *addr, size_t size,
			       size_t size_a, size_t size_b, bool committed,
			       unsigned arena_ind)
{
	return false;
}

static bool default_hook_merge(extent_hooks_t *hooks, void *addr_a,
			       size_t size_a, void *addr_b, size_t size_b,
			       bool committed, unsigned arena_ind)
{
	return false;
}

static const extent_hooks_t default_hooks = {
    .alloc = default_hook_alloc,
    .dalloc = default_hook_dalloc,
    .commit = default_hook_commit,
    .purge_lazy = default_hook_purge_lazy,
    .purge_forced = default_hook_purge_forced,
    .split = default_hook_split,
    .merge = default_hook_merge,
};

/*
 * Created when the library is loaded, so the static kinds work from the
 * first call. Without it (jemalloc refused an arena), they fall back to
 * jemalloc's automatic arenas; blocks are then found by the kind argument
 * only, and threads are never bound (bind.c).
 */
__attribute__((constructor)) static void default_arena_init(void)
{
	extent_hooks_t *hooks = &default_kind.hooks;
	unsigned arena;
	size_t sz = sizeof(arena);
	bool ok;

	/* In the kind, where thread_arena.c makes its further arenas. */
	default_kind.hooks = default_hooks;
	ok = mallctl("arenas.create", &arena, &sz, &hooks, sizeof(hooks)) == 0;
	registry_add_default(&default_kind);
	default_kind.arena = ok ? arena : 0;
	default_kind.direct.gen = default_kind.gen;
	default_kind.direct.tc = TC_NONE;
	default_kind.direct.alloc_flags =
	    (ok ? arena_flag(arena) : 0) | MALLOCX_TCACHE_NONE;
	default_kind.direct.free_flags = MALLOCX_TCACHE_NONE;
	if (ok)
		bind_setup();
}

/* Every call works on default_kind, whichever static kind was named. */
static void *default_malloc(struct memkind *kind, size_t size)
{
	if (unlikely(size == 0))
		return NULL;
	if (bind_want(&default_kind))
		return je.malloc(size);
	return mallocx(size, tcache_get(&default_kind)->alloc_flags);
}

/* Flags of the thread's cache of the default kind, whichever it is. */
static int default_flags(void)
{
	if (bind_tls.kind == &default_kind)
		return arena_flag(default_kind.arena);
	return tcache_get(&default_kind)->alloc_flags;
}

static void *default_calloc(struct memkind *kind, size_t num, size_t size)
{
	size_t total;

	if (__builtin_mul_overflow(num, size, &total)) {
		errno = ENOMEM;
		return NULL;
	}
	if (total == 0)
		return NULL;
	bind_want(&default_kind);
	return mallocx(total, default_flags() | MALLOCX_ZERO);
}

static int default_posix_memalign(struct memkind *kind, void **memptr,
				  size_t alignment, size_t size)
{
	void *p;

	if (size == 0) {
		*memptr = NULL;
		return 0;
	}
	p = mallocx(size, default_flags() | MALLOCX_ALIGN(alignment));
	if (!p)
		return ENOMEM;
	*memptr = p;
	return 0;
}

static void default_free(struct memkind *kind, void *ptr)
{
	if (bind_tls.kind == &default_kind)
		je.free(ptr);
	else
		dallocx(ptr, tcache_get(&default_kind)->free_flags);
}

static void *default_realloc(struct memkind *kind, void *ptr, size_t size)
{
	void *p;

	if (!ptr)
		return default_malloc(kind, size);
	if (size == 0) {
		default_free(kind, ptr);
		return NULL;
	}
	bind_want(&default_kind);
	p = rallocx(ptr, size, default_flags());
	if (!p)
		errno = ENOMEM;
	return p;
}

static size_t default_usable_size(struct memkind *kind, void *ptr)
{
	return sallocx(ptr, 0);
}

static void *default_defrag(struct memkind *kind, void *ptr)
{
	return NULL;
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
    .heap = {.fd = -1},
    .fork_fd = -1,
};

KIND_API memkind_t MEMKIND_DEFAULT = &default_kind;
