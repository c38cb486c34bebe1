// SPDX-License-Identifier: MIT
/*
 * The file-backed ("pmem") kind: a heap in an unnamed temporary file of a
 * directory. The file never has a name in the directory (O_TMPFILE) or has
 * one only for the instant between mkstemp() and unlink(), so nothing is
 * left behind when the process dies, however it dies.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static int open_named_tmpfile(const char *dir, int *fd)
{
	char path[4096];
	int f, n;

	n = snprintf(path, sizeof(path), "%s/memkind.XXXXXX", dir);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	f = mkostemp(path, O_CLOEXEC);
	if (f < 0)
		return -errno;
	unlink(path);
	*fd = f;
	return 0;
}

/* Opens an unnamed file in dir. Returns 0 or -errno. */
int pmem_open_tmpfile(const char *dir, int *fd)
{
	struct stat st;
	int f;

	if (!dir)
		return -EINVAL;
	if (stat(dir, &st))
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	f = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (f >= 0) {
		*fd = f;
		return 0;
	}
	/* File systems without O_TMPFILE say so with one of these. */
	if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL &&
	    errno != ENOENT)
		return -errno;
	return open_named_tmpfile(dir, fd);
}

/*
 * Sets up kind as a file-backed kind. kind->heap.dir and
 * kind->heap.max_size name the directory and the limit (0: none); they are
 * set by the caller (memkind_create_pmem). Returns 0 or MEMKIND_ERROR_*.
 */
static int file_kind_setup(struct memkind *kind, struct memkind_ops *ops,
			   const char *name, int fd)
{
	int ret;

	kind->ops = ops;
	snprintf(kind->name, sizeof(kind->name), "%s", name ? name : "");
	kind->fork_fd = -1;
	ret = heap_init(kind, fd, kind->heap.max_size);
	if (ret) {
		close(fd);
		errno = -ret;
		return MEMKIND_ERROR_MMAP;
	}
	ret = arena_create(kind);
	if (ret) {
		heap_fini(kind);
		return ret;
	}
	return 0;
}

KIND_API int memkind_pmem_create(struct memkind *kind, struct memkind_ops *ops,
				 const char *name)
{
	int fd = -1, ret;

	if (!kind || !ops)
		return MEMKIND_ERROR_INVALID;
	ret = pmem_open_tmpfile(kind->heap.dir, &fd);
	if (ret) {
		errno = -ret;
		return MEMKIND_ERROR_INVALID;
	}
	kind->heap.is_memfd = false;
	return file_kind_setup(kind, ops, name, fd);
}

int shared_open_memfd(int *fd)
{
	int f = memfd_create("memkind-shared", MFD_CLOEXEC);

	if (f < 0)
		return -errno;
	*fd = f;
	return 0;
}

static int shared_create(struct memkind *kind, struct memkind_ops *ops,
			 const char *name)
{
	int fd = -1, ret;

	ret = shared_open_memfd(&fd);
	if (ret) {
		errno = -ret;
		return MEMKIND_ERROR_OPERATION_FAILED;
	}
	kind->heap.is_memfd = true;
	return file_kind_setup(kind, ops, name, fd);
}

/*
 * Releases everything the kind holds: caches, arena, mapping, file. While
 * other threads are bound to the arena (bind.c), only the file's space and
 * the caches go now; the last of those threads releases the rest.
 */
KIND_API int memkind_pmem_destroy(struct memkind *kind)
{
	if (!kind || kind->is_static)
		return MEMKIND_ERROR_INVALID;
	purge_forget(kind);
	if (bind_retire(kind)) {
		tcache_kind_release(kind);
		heap_discard(kind);
		return 0;
	}
	arena_destroy(kind);
	heap_fini(kind);
	return 0;
}

/*
 * Takes size bytes (rounded up to pages) of the kind's file space; the
 * address hint is ignored. The space comes from what no one has taken yet
 * or, once the kind's arena holds it all (after the first allocation of
 * a bounded kind), from the arena. MAP_FAILED with errno ENOMEM when it
 * does not fit in what is left of max_size; the kind is then unchanged.
 */
KIND_API void *memkind_pmem_mmap(struct memkind *kind, void *addr, size_t size)
{
	void *p;

	if (!kind || kind->is_static || size == 0) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	p = heap_take(kind, size, 4096);
	if (p && heap_commit(&kind->heap, p, size)) {
		heap_untake(kind, p, size);
		errno = ENOMEM;
		return MAP_FAILED;
	}
	if (!p)
		p = arena_take(kind, size);
	return p ? p : MAP_FAILED;
}

KIND_API int memkind_pmem_get_mmap_flags(struct memkind *kind, int *flags)
{
	if (!flags)
		return MEMKIND_ERROR_INVALID;
	*flags = MAP_SHARED;
	return 0;
}

/* clang-format off */
#define FILE_KIND_OPS(create_fn)					\
	{								\
		.create = create_fn,					\
		.destroy = memkind_pmem_destroy,			\
		.malloc = arena_kind_malloc,				\
		.calloc = arena_kind_calloc,				\
		.posix_memalign = arena_kind_posix_memalign,		\
		.realloc = arena_kind_realloc,				\
		.free = arena_kind_free,				\
		.usable_size = arena_kind_usable_size,			\
		.defrag_reallocate = arena_kind_defrag,			\
		.mmap = memkind_pmem_mmap,				\
		.get_mmap_flags = memkind_pmem_get_mmap_flags,		\
		.get_stat = arena_kind_get_stat,			\
	}
/* clang-format on */

const struct memkind_ops pmem_ops = FILE_KIND_OPS(memkind_pmem_create);
const struct memkind_ops shared_ops = FILE_KIND_OPS(shared_create);
