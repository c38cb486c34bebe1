// SPDX-License-Identifier: MIT
/*
 * Fixed kinds (memkind_create_fixed): a heap in memory the caller already
 * has mapped, any mapping: anonymous, a file, shared memory, an XPMEM
 * attachment. The kind never maps or unmaps anything of it; its arena
 * takes the range from the start up, keeps what it took for reuse, and
 * never purges (dropping pages of a shared mapping would not zero them,
 * and the bytes belong to whoever else maps them too). The caller unmaps
 * the range after memkind_destroy_kind().
 *
 * Address lookups (memkind_free(NULL, ptr)) go through the address map's
 * 2 MiB granules. A granule the range only partly covers may also hold
 * other memory (the C library's heap, another fixed kind), so each call
 * that finds a fixed kind checks that ptr is in its range and otherwise
 * looks further (fixed_owner()).
 */
#include "internal.h"

#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>

#define PAGE_BYTES 4096UL

static bool in_range(const struct memkind *kind, const void *p)
{
	const char *c = p;

	return c >= kind->fixed.base && c < kind->fixed.base + kind->fixed.size;
}

static void *fixed_hook_alloc(extent_hooks_t *hooks, void *new_addr,
			      size_t size, size_t alignment, bool *zero,
			      bool *commit, unsigned arena_ind)
{
	struct kind_fixed *f = &hooks_kind(hooks)->fixed;
	uintptr_t start, base;
	void *p = NULL;

	if (new_addr)
		return NULL;
	/* jemalloc's metadata: private memory, all of the range is usable. */
	if (*commit && alignment >= KIND_GRANULE) {
		p = anon_alloc(size, alignment);
		if (p)
			*zero = true;
		return p;
	}
	if (alignment < PAGE_BYTES)
		alignment = PAGE_BYTES;
	pthread_mutex_lock(&f->lock);
	base = (uintptr_t)f->base;
	start = (base + f->used + alignment - 1) & ~(uintptr_t)(alignment - 1);
	if (start >= base && start - base <= f->size &&
	    size <= f->size - (start - base)) {
		p = (void *)start;
		f->used = start - base + size;
	}
	pthread_mutex_unlock(&f->lock);
	/* The caller's bytes are whatever they are: not known to be zero. */
	if (p) {
		*zero = false;
		*commit = true;
	}
	return p;
}

static bool fixed_hook_dalloc(extent_hooks_t *hooks, void *addr, size_t size,
			      bool committed, unsigned arena_ind)
{
	if (in_range(hooks_kind(hooks), addr))
		return true; /* kept: the arena reuses it */
	return anon_free(addr, size) != 0;
}

static void fixed_hook_destroy(extent_hooks_t *hooks, void *addr, size_t size,
			       bool committed, unsigned arena_ind)
{
}

static bool fixed_hook_commit(extent_hooks_t *hooks, void *addr, size_t size,
			      size_t offset, size_t length, unsigned arena_ind)
{
	return false;
}

static bool fixed_hook_split(extent_hooks_t *hooks, void *addr, size_t size,
			     size_t size_a, size_t size_b, bool committed,
			     unsigned arena_ind)
{
	return false;
}

/* Only range with range: metadata blocks stay apart. */
static bool fixed_hook_merge(extent_hooks_t *hooks, void *addr_a, size_t size_a,
			     void *addr_b, size_t size_b, bool committed,
			     unsigned arena_ind)
{
	struct memkind *kind = hooks_kind(hooks);

	return in_range(kind, addr_a) != in_range(kind, addr_b);
}

static const extent_hooks_t fixed_hooks = {
    .alloc = fixed_hook_alloc,
    .dalloc = fixed_hook_dalloc,
    .destroy = fixed_hook_destroy,
    .commit = fixed_hook_commit,
    .split = fixed_hook_split,
    .merge = fixed_hook_merge,
};

/*
 * The fixed kind holding p when the address map named kind for p's
 * granule: kind itself, another live fixed kind, or NULL (not ours).
 */
static struct memkind *fixed_owner(struct memkind *kind, const void *p)
{
	struct memkind *k, *found = NULL;
	unsigned s, n;

	if (in_range(kind, p))
		return kind;
	registry_lock();
	n = registry_limit();
	for (s = 0; s < n && !found; s++) {
		k = registry_get(s);
		if (k && k->ops == &fixed_ops && in_range(k, p))
			found = k;
	}
	registry_unlock();
	return found;
}

static void fixed_free(struct memkind *kind, void *ptr)
{
	struct memkind *owner = fixed_owner(kind, ptr);

	if (owner)
		arena_kind_free(owner, ptr);
	else
		free(ptr);
}

static void *fixed_realloc(struct memkind *kind, void *ptr, size_t size)
{
	struct memkind *owner = ptr ? fixed_owner(kind, ptr) : kind;

	if (!owner)
		return size ? realloc(ptr, size) : (free(ptr), NULL);
	return arena_kind_realloc(owner, ptr, size);
}

static size_t fixed_usable_size(struct memkind *kind, void *ptr)
{
	struct memkind *owner = fixed_owner(kind, ptr);

	if (!owner)
		return malloc_usable_size(ptr);
	return arena_kind_usable_size(owner, ptr);
}

static void fixed_unmap_granules(struct memkind *kind);

/* Threads never bind to a fixed kind (bind_want()), so it goes at once. */
static int fixed_destroy(struct memkind *kind)
{
	fixed_unmap_granules(kind);
	arena_destroy(kind);
	pthread_mutex_destroy(&kind->fixed.lock);
	return 0;
}

const struct memkind_ops fixed_ops = {
    .destroy = fixed_destroy,
    .malloc = arena_kind_malloc,
    .calloc = arena_kind_calloc,
    .posix_memalign = arena_kind_posix_memalign,
    .realloc = fixed_realloc,
    .free = fixed_free,
    .usable_size = fixed_usable_size,
    .defrag_reallocate = arena_kind_defrag,
    .get_stat = arena_kind_get_stat,
};

/* The granules of the range, cleared if they still name kind. */
static void fixed_unmap_granules(struct memkind *kind)
{
	uintptr_t g = (uintptr_t)kind->fixed.base & ~(KIND_GRANULE - 1);
	uintptr_t end = (uintptr_t)kind->fixed.base + kind->fixed.size;

	for (; g < end; g += KIND_GRANULE)
		if (addrmap_lookup((void *)g) == kind)
			addrmap_set((void *)g, KIND_GRANULE, NULL);
}

/*
 * memkind_create_fixed(): at least a page of memory, readable and
 * writable by the caller. Returns 0 or a MEMKIND_ERROR_* code.
 */
KIND_API int memkind_create_fixed(void *addr, size_t size, memkind_t *out)
{
	struct memkind *kind;
	uintptr_t g;
	int ret;

	if (!addr || !out || size < PAGE_BYTES ||
	    (uintptr_t)addr + size < (uintptr_t)addr) {
		errno = EINVAL;
		return MEMKIND_ERROR_INVALID;
	}
	kind = calloc(1, sizeof(*kind));
	if (!kind)
		return MEMKIND_ERROR_MALLOC;
	kind->ops = &fixed_ops;
	kind->heap.fd = -1;
	kind->fork_fd = -1;
	kind->fixed.base = addr;
	kind->fixed.size = size;
	pthread_mutex_init(&kind->fixed.lock, NULL);
	registry_lock();
	ret = registry_add(kind) ? MEMKIND_ERROR_TOOMANY : 0;
	if (!ret) {
		snprintf(kind->name, sizeof(kind->name), "fixed_%u",
			 kind->slot);
		ret = arena_create_hooked(kind, &fixed_hooks);
		if (ret)
			registry_remove(kind);
	}
	registry_unlock();
	if (ret) {
		pthread_mutex_destroy(&kind->fixed.lock);
		free(kind);
		return ret;
	}
	/* Granules shared with other memory go to the kind only if free. */
	for (g = (uintptr_t)addr & ~(KIND_GRANULE - 1);
	     g < (uintptr_t)addr + size; g += KIND_GRANULE)
		if (!addrmap_lookup((void *)g))
			addrmap_set((void *)g, KIND_GRANULE, kind);
	*out = kind;
	return MEMKIND_SUCCESS;
}
