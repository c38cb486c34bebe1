// SPDX-License-Identifier: MIT
/*
 * The public entry points: creating and destroying kinds, and the heap
 * calls, dispatched through each kind's operations table. Calls that take
 * a pointer find the kind that owns it in the address map, so a NULL (or
 * wrong) kind argument still frees into the right heap.
 *
 * The kind the calling thread is bound to (bind.c) skips the dispatch:
 * one compare, then jemalloc's malloc/free fast path. Anything that path
 * cannot do (size 0, out of space, large calloc) falls through to the
 * kind's operations, which handle every case.
 */
#include "internal.h"
#include "config.h"

#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

static int kind_new(const struct memkind_ops *ops, const char *dir,
		    size_t max_size, memkind_mem_usage_policy policy,
		    memkind_t *out)
{
	struct memkind *kind;
	char name[KIND_NAME_MAX];
	int ret;

	if (!out)
		return MEMKIND_ERROR_INVALID;
	if ((max_size && max_size < MEMKIND_PMEM_MIN_SIZE) ||
	    (unsigned)policy >= MEMKIND_MEM_USAGE_POLICY_MAX_VALUE) {
		errno = EINVAL;
		return MEMKIND_ERROR_INVALID;
	}
	kind = calloc(1, sizeof(*kind));
	if (!kind)
		return MEMKIND_ERROR_MALLOC;
	kind->policy = policy;
	kind->heap.fd = -1;
	kind->heap.max_size = max_size;
	if (dir && !(kind->heap.dir = strdup(dir))) {
		free(kind);
		return MEMKIND_ERROR_MALLOC;
	}
	registry_lock();
	ret = registry_add(kind) ? MEMKIND_ERROR_TOOMANY : 0;
	if (!ret) {
		snprintf(name, sizeof(name), "%s_%u",
			 ops == &pmem_ops ? "pmem" : "shared", kind->slot);
		ret = ops->create(kind, (struct memkind_ops *)ops, name);
		if (ret)
			registry_remove(kind);
	}
	registry_unlock();
	if (ret) {
		free(kind->heap.dir);
		free(kind);
		return ret;
	}
	*out = kind;
	return MEMKIND_SUCCESS;
}

KIND_API int memkind_create_pmem(const char *dir, size_t max_size,
				 memkind_t *kind)
{
	if (!dir) {
		errno = EINVAL;
		return MEMKIND_ERROR_INVALID;
	}
	return kind_new(&pmem_ops, dir, max_size,
			MEMKIND_MEM_USAGE_POLICY_DEFAULT, kind);
}

KIND_API int memkind_create_pmem_with_config(struct memkind_config *cfg,
					     memkind_t *kind)
{
	if (!cfg || !cfg->path) {
		errno = EINVAL;
		return MEMKIND_ERROR_INVALID;
	}
	return kind_new(&pmem_ops, cfg->path, cfg->size, cfg->policy, kind);
}

KIND_API int memkind_create_shared(size_t max_size, memkind_t *kind)
{
	return kind_new(&shared_ops, NULL, max_size,
			MEMKIND_MEM_USAGE_POLICY_DEFAULT, kind);
}

KIND_API int memkind_destroy_kind(memkind_t kind)
{
	int ret;

	if (!kind || kind->is_static)
		return MEMKIND_ERROR_INVALID;
	registry_lock();
	ret = kind->ops->destroy(kind);
	if (!ret)
		registry_remove(kind);
	registry_unlock();
	if (ret)
		return ret;
	/* Freed now, or by the last thread bound to it. */
	bind_release(kind);
	return MEMKIND_SUCCESS;
}

/* Static NUMA kinds ask the machine; every other kind exists once made. */
KIND_API int memkind_check_available(memkind_t kind)
{
	if (!kind)
		return MEMKIND_ERROR_INVALID;
	if (kind->numa)
		return numa_kind_available(kind);
	return MEMKIND_SUCCESS;
}

/* What a file system can hold: the limit of an unbounded file kind. */
static ssize_t fs_capacity(int fd)
{
	struct statvfs st;

	if (fstatvfs(fd, &st))
		return -1;
	return (ssize_t)(st.f_blocks * st.f_frsize);
}

KIND_API ssize_t memkind_get_capacity(memkind_t kind)
{
	if (!kind)
		return -1;
	if (kind->numa)
		return numa_kind_capacity(kind);
	if (kind->ops == &fixed_ops)
		return (ssize_t)kind->fixed.size;
	if (kind == &default_kind)
		return (ssize_t)nodes_capacity(~(node_mask_t)0);
	if (kind->heap.max_size)
		return (ssize_t)kind->heap.max_size;
	return kind->heap.fd >= 0 ? fs_capacity(kind->heap.fd) : -1;
}

/*
 * The kind owning ptr: a file-backed kind or the default arena, both in
 * the address map. Anything else belongs to a static kind if the caller
 * names one (jemalloc's automatic arenas, when jemalloc is the process's
 * malloc too), else to the C library's heap (NULL).
 */
static struct memkind *owner_of(struct memkind *kind, const void *ptr)
{
	struct memkind *owner = addrmap_lookup(ptr);

	if (likely(owner))
		return owner;
	if (kind && kind->is_static)
		return &default_kind;
	return NULL;
}

KIND_API memkind_t memkind_detect_kind(void *ptr)
{
	struct memkind *owner;

	if (!ptr)
		return NULL;
	owner = addrmap_lookup(ptr);
	return owner ? owner : &default_kind;
}

KIND_API void *memkind_malloc(memkind_t kind, size_t size)
{
	void *p;

	if (likely(kind == bind_tls.kind && size)) {
		bind_tls.misses = 0;
		p = je.malloc(size);
		if (likely(p))
			return p;
	}
	if (unlikely(!kind)) {
		errno = EINVAL;
		return NULL;
	}
	return kind->ops->malloc(kind, size);
}

KIND_API void *memkind_calloc(memkind_t kind, size_t num, size_t size)
{
	size_t total;
	void *p;

	if (likely(kind == bind_tls.kind) &&
	    !__builtin_mul_overflow(num, size, &total) && total &&
	    total <= BIND_CALLOC_MAX) {
		bind_tls.misses = 0;
		p = je.malloc(total);
		if (likely(p))
			return memset(p, 0, total);
	}
	if (unlikely(!kind)) {
		errno = EINVAL;
		return NULL;
	}
	return kind->ops->calloc(kind, num, size);
}

KIND_API int memkind_posix_memalign(memkind_t kind, void **memptr,
				    size_t alignment, size_t size)
{
	if (!kind || !memptr)
		return EINVAL;
	/* A power of two and a multiple of sizeof(void *), as POSIX says. */
	if (alignment < sizeof(void *) || (alignment & (alignment - 1)))
		return EINVAL;
	return kind->ops->posix_memalign(kind, memptr, alignment, size);
}

KIND_API void *memkind_realloc(memkind_t kind, void *ptr, size_t size)
{
	struct memkind *owner;
	void *p;

	if (likely(ptr && size && addrmap_lookup(ptr) == bind_tls.kind)) {
		/* Within its size class a block stays; asking is cheaper. */
		if (nallocx(size, 0) == sallocx(ptr, 0))
			return ptr;
		p = je.realloc(ptr, size);
		if (likely(p))
			return p;
	}
	if (!ptr)
		owner = kind ? kind : &default_kind;
	else if (!(owner = owner_of(kind, ptr)))
		return size ? realloc(ptr, size) : (free(ptr), NULL);
	return owner->ops->realloc(owner, ptr, size);
}

KIND_API void memkind_free(memkind_t kind, void *ptr)
{
	struct memkind *owner = addrmap_lookup(ptr);

	if (likely(owner == bind_tls.kind)) {
		je.free(ptr);
		return;
	}
	if (!ptr)
		return;
	if (!owner)
		owner = owner_of(kind, ptr);
	if (likely(owner))
		owner->ops->free(owner, ptr);
	else
		free(ptr);
}

KIND_API size_t memkind_malloc_usable_size(
    memkind_t kind, MEMKIND_MALLOC_USABLE_SIZE_CONST void *ptr)
{
	struct memkind *owner;

	if (!ptr)
		return 0;
	owner = owner_of(kind, ptr);
	if (!owner)
		return malloc_usable_size((void *)ptr);
	return owner->ops->usable_size(owner, (void *)ptr);
}

KIND_API void *memkind_defrag_reallocate(memkind_t kind, void *ptr)
{
	struct memkind *owner;

	if (!ptr)
		return NULL;
	owner = owner_of(kind, ptr);
	return owner ? owner->ops->defrag_reallocate(owner, ptr) : NULL;
}
