// SPDX-License-Identifier: MIT
/*
 * The address space of a file-backed kind. Each kind reserves its address
 * range up front and maps its file MAP_SHARED over it at a fixed offset:
 * an address keeps its file offset for the kind's whole life. That makes
 * the memory shareable (another process mapping the same file pages stays
 * coherent) and makes freeing cheap: freed ranges are punched out of the
 * file rather than unmapped. The file itself grows only as the arena takes
 * space, so an idle kind costs an empty file and some address space.
 *
 * A bounded kind has one region of max_size bytes. An unlimited kind gets
 * regions of doubling size as it grows, each with its own file offsets.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PAGE_SIZE_BYTES 4096UL
#define FILE_GROW_CHUNK ((off_t)2 << 20)

static size_t round_up(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/*
 * Maps len bytes of the file at file_off to a fresh, granule-aligned
 * address range. The range is reserved in the address map for kind.
 */
static int region_map(struct memkind *kind, size_t len, off_t file_off)
{
	struct kind_heap *heap = &kind->heap;
	struct heap_region *r;
	char *raw, *base;
	size_t head, tail;

	if (heap->nregions == HEAP_MAX_REGIONS)
		return -ENOMEM;
	if (len > SIZE_MAX - KIND_GRANULE)
		return -ENOMEM;
	raw = mmap(NULL, len + KIND_GRANULE, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (raw == MAP_FAILED)
		return -errno;
	base = (char *)round_up((uintptr_t)raw, KIND_GRANULE);
	head = base - raw;
	tail = KIND_GRANULE - head;
	if (mmap(base, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		 heap->fd, file_off) == MAP_FAILED) {
		int err = -errno;

		munmap(raw, len + KIND_GRANULE);
		return err;
	}
	if (head)
		munmap(raw, head);
	if (tail)
		munmap(base + len, tail);
	/* Lookups run without the lock: publish the region when complete. */
	r = &heap->regions[heap->nregions];
	r->base = base;
	r->len = len;
	r->file_off = file_off;
	__atomic_store_n(&heap->nregions, heap->nregions + 1, __ATOMIC_RELEASE);
	addrmap_set(base, len, kind);
	return 0;
}

int heap_init(struct memkind *kind, int fd, size_t max_size)
{
	struct kind_heap *heap = &kind->heap;
	size_t len;
	int ret;

	heap->fd = fd;
	heap->max_size = max_size & ~(PAGE_SIZE_BYTES - 1);
	heap->used = 0;
	heap->file_size = 0;
	heap->commits = 0;
	heap->nregions = 0;
	pthread_mutex_init(&heap->lock, NULL);
	len = max_size ? round_up(max_size, KIND_GRANULE) : HEAP_FIRST_REGION;
	ret = region_map(kind, len, 0);
	if (ret)
		pthread_mutex_destroy(&heap->lock);
	return ret;
}

void heap_fini(struct memkind *kind)
{
	struct kind_heap *heap = &kind->heap;
	unsigned i;

	for (i = 0; i < heap->nregions; i++) {
		addrmap_set(heap->regions[i].base, heap->regions[i].len, NULL);
		munmap(heap->regions[i].base, heap->regions[i].len);
	}
	heap->nregions = 0;
	if (heap->fd >= 0)
		close(heap->fd);
	heap->fd = -1;
	free(heap->dir);
	heap->dir = NULL;
	pthread_mutex_destroy(&heap->lock);
}

/*
 * A kind destroyed while threads still use its arena (bind.c): the file
 * gives all its space back now and the addresses no longer name the kind;
 * the mapping and the file stay for the arena until heap_fini().
 */
void heap_discard(struct memkind *kind)
{
	struct kind_heap *heap = &kind->heap;
	unsigned i;

	for (i = 0; i < heap->nregions; i++)
		addrmap_set(heap->regions[i].base, heap->regions[i].len, NULL);
	pthread_mutex_lock(&heap->lock);
	if (heap->file_size)
		fallocate(heap->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			  0, heap->file_size);
	pthread_mutex_unlock(&heap->lock);
}

/* Grows the file to cover end, in chunks, never past limit. */
static int heap_grow_file(struct kind_heap *heap, off_t end, off_t limit)
{
	off_t target;

	if (end <= heap->file_size)
		return 0;
	target = (end + FILE_GROW_CHUNK - 1) & ~(FILE_GROW_CHUNK - 1);
	if (target > limit)
		target = limit;
	if (target < end)
		target = end;
	if (ftruncate(heap->fd, target))
		return -errno;
	__atomic_store_n(&heap->file_size, target, __ATOMIC_RELEASE);
	return 0;
}

/* Opens the next region of an unlimited kind, big enough for size. */
static int heap_add_region(struct memkind *kind, size_t size)
{
	struct kind_heap *heap = &kind->heap;
	struct heap_region *last = &heap->regions[heap->nregions - 1];
	size_t len = last->len * 2;
	off_t off = last->file_off + (off_t)last->len;

	if (len < size)
		len = round_up(size, KIND_GRANULE);
	heap->used = off;
	return region_map(kind, len, off);
}

/*
 * Makes [addr, addr+size) usable: the file must reach past it, or access
 * faults. The file only grows (in chunks, never past the region's end or
 * max_size); space no longer used is punched out, not truncated.
 */
/*
 * Small extents are jemalloc's slabs, whose pages are all about to be
 * written: filling them in one call costs far less than a page fault per
 * page, the more so on a shared file, whose faults take the file's page
 * cache locks (two threads faulting on one kind scaled to 1.6x one).
 * Larger blocks keep their pages until they are touched, and so do the
 * first slabs of a kind: a short-lived kind would pay for pages of slabs
 * it never uses. Kernels before 5.14 lack MADV_POPULATE_WRITE and fault
 * as before.
 */
static void heap_prefault(struct kind_heap *heap, void *addr, size_t size)
{
#ifdef MADV_POPULATE_WRITE
	if (size > HEAP_PREFAULT_MAX)
		return;
	if (__atomic_load_n(&heap->commits, __ATOMIC_RELAXED) <
	    HEAP_PREFAULT_AFTER) {
		__atomic_fetch_add(&heap->commits, 1, __ATOMIC_RELAXED);
		return;
	}
	madvise(addr, size, MADV_POPULATE_WRITE);
#endif
}

int heap_commit(struct kind_heap *heap, void *addr, size_t size)
{
	const struct heap_region *r = heap_find_region(heap, addr);
	off_t end, limit;
	int ret;

	if (!r)
		return -EINVAL;
	end = r->file_off + ((char *)addr - r->base) + (off_t)size;
	limit = r->file_off + (off_t)r->len;
	if (heap->max_size && limit > (off_t)heap->max_size)
		limit = (off_t)heap->max_size;
	/* The file only grows: a length read without the lock is safe. */
	if (end > __atomic_load_n(&heap->file_size, __ATOMIC_ACQUIRE)) {
		pthread_mutex_lock(&heap->lock);
		ret = heap_grow_file(heap, end, limit);
		pthread_mutex_unlock(&heap->lock);
		if (ret)
			return ret;
	}
	heap_prefault(heap, addr, size);
	return 0;
}

/*
 * Hands out size bytes of fresh, zeroed space at the given alignment (a
 * power of two, at least a page), or NULL with errno ENOMEM when the
 * kind's limit would be exceeded.
 */
void *heap_take(struct memkind *kind, size_t size, size_t alignment)
{
	struct kind_heap *heap = &kind->heap;
	struct heap_region *r;
	size_t rel, pad;
	off_t end;
	void *addr = NULL;

	if (size == 0 || size > SIZE_MAX / 2 || alignment > SIZE_MAX / 4)
		goto out_errno;
	size = round_up(size, PAGE_SIZE_BYTES);
	pthread_mutex_lock(&heap->lock);
	for (;;) {
		r = &heap->regions[heap->nregions - 1];
		rel = heap->used - r->file_off;
		pad = round_up((uintptr_t)r->base + rel, alignment) -
		      ((uintptr_t)r->base + rel);
		if (rel + pad + size <= r->len)
			break;
		if (heap->max_size || heap_add_region(kind, size + alignment))
			goto out_unlock;
	}
	end = (off_t)(heap->used + pad + size);
	if (heap->max_size && (size_t)end > heap->max_size)
		goto out_unlock;
	addr = r->base + rel + pad;
	heap->used = (size_t)end;
out_unlock:
	pthread_mutex_unlock(&heap->lock);
out_errno:
	if (!addr)
		errno = ENOMEM;
	return addr;
}

/*
 * Gives back what heap_take() just handed out, if nothing was taken since
 * (a refused memkind_pmem_mmap() leaves the kind as it was).
 */
void heap_untake(struct memkind *kind, void *addr, size_t size)
{
	struct kind_heap *heap = &kind->heap;
	const struct heap_region *r;
	size_t start;

	size = round_up(size, PAGE_SIZE_BYTES);
	pthread_mutex_lock(&heap->lock);
	r = &heap->regions[heap->nregions - 1];
	start = r->file_off + (size_t)((char *)addr - r->base);
	if ((char *)addr >= r->base && (char *)addr < r->base + r->len &&
	    start + size == heap->used)
		heap->used = start;
	pthread_mutex_unlock(&heap->lock);
}

const struct heap_region *heap_find_region(const struct kind_heap *heap,
					   const void *addr)
{
	unsigned n = __atomic_load_n(&heap->nregions, __ATOMIC_ACQUIRE);
	const char *a = addr;
	unsigned i;

	for (i = 0; i < n; i++) {
		const struct heap_region *r = &heap->regions[i];

		if (a >= r->base && a < r->base + r->len)
			return r;
	}
	return NULL;
}

/*
 * A fork copy taken before this punch still holds the old bytes, yet the
 * child's allocator will believe the range reads as zeros (it was purged
 * before fork() returned). Punch the copy too. Under the heap lock, so a
 * copy is either taken after the punch (and sees the hole) or is known
 * here; fork's parent and child handlers clear snap_active.
 */
static void heap_punch_snapshot(struct kind_heap *heap, off_t off, off_t len)
{
	pthread_mutex_lock(&heap->lock);
	if (heap->snap_active)
		fallocate(heap->snap_fd,
			  FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, len);
	pthread_mutex_unlock(&heap->lock);
}

/* Gives the file system the space of [addr, addr+size) back; reads as 0. */
int heap_punch(struct kind_heap *heap, void *addr, size_t size)
{
	const struct heap_region *r = heap_find_region(heap, addr);
	off_t off;

	if (!r)
		return -EINVAL;
	off = r->file_off + ((char *)addr - r->base);
	if (fallocate(heap->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off,
		      (off_t)size) == 0) {
		heap_punch_snapshot(heap, off, (off_t)size);
		return 0;
	}
	/* Without hole punching, at least drop the pages from memory. */
	if (madvise(addr, size, MADV_REMOVE) == 0)
		return 0;
	return -errno;
}

/*
 * Maps another file (a copy of the current one) over the same addresses.
 * The copy may be shorter than file_size: it was taken before fork(), and
 * other threads may have grown the file (and had jemalloc hand out the
 * newly committed pages) between the copy and the fork itself. Those
 * pages count as committed here, so the copy is grown to file_size; left
 * short, touching them would raise SIGBUS, and heap_commit() would not
 * grow the file again because file_size says it is long enough already.
 */
int heap_remap(struct kind_heap *heap, int fd)
{
	struct stat st;
	unsigned i;

	if (fstat(fd, &st))
		return -errno;
	if (st.st_size < heap->file_size && ftruncate(fd, heap->file_size))
		return -errno;
	for (i = 0; i < heap->nregions; i++) {
		struct heap_region *r = &heap->regions[i];

		if (mmap(r->base, r->len, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED, fd, r->file_off) == MAP_FAILED)
			return -errno;
	}
	close(heap->fd);
	heap->fd = fd;
	return 0;
}

/* Makes the kind's addresses inaccessible (fork child without a copy). */
void heap_revoke(struct kind_heap *heap)
{
	unsigned i;

	for (i = 0; i < heap->nregions; i++)
		mmap(heap->regions[i].base, heap->regions[i].len, PROT_NONE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE,
		     -1, 0);
	if (heap->fd >= 0)
		close(heap->fd);
	heap->fd = -1;
}
