// SPDX-License-Identifier: MIT
/*
 * fork(): a child gets its own copy of every file-backed kind, so parent
 * and child never share a heap by accident (MAP_SHARED would otherwise
 * make every write of one visible to the other, and their allocators
 * would hand out the same blocks twice).
 *
 * Before the fork, each kind's file is copied into a new unnamed file
 * (only the parts holding data, so holes stay holes; copy_file_range()
 * lets the file system share blocks where it can). In the child, the copy
 * is mapped over the kind's addresses and replaces the kind's file; in the
 * parent, the copy is closed. Addresses and file offsets are unchanged, so
 * the child's heap metadata (private memory, copied by fork itself)
 * matches. Bytes that other threads write while fork() runs may or may
 * not be in the child's copy, as for any memory in a multi-threaded fork.
 * The heap lock is not held across the fork (see prepare()), so other
 * threads may still grow a kind's file after its copy is taken; the child
 * grows the copy to the size its heap records (heap_remap()), and that
 * late space reads as zeros there. Space that other threads punch out
 * after the copy is taken is punched out of the copy too (heap.c), so the
 * child's allocator never finds old bytes where it expects zeros.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#define COPY_BUF (64 << 10)

static int copy_range_slow(int in, int out, off_t off, off_t len)
{
	static char buf[COPY_BUF];
	ssize_t n;

	while (len > 0) {
		n = pread(in, buf, len < COPY_BUF ? (size_t)len : COPY_BUF,
			  off);
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		if (pwrite(out, buf, (size_t)n, off) != n)
			return -EIO;
		off += n;
		len -= n;
	}
	return 0;
}

static int copy_range(int in, int out, off_t off, off_t len)
{
	off_t in_off = off, out_off = off;
	ssize_t n;

	while (len > 0) {
		n = copy_file_range(in, &in_off, out, &out_off, (size_t)len, 0);
		if (n <= 0)
			return copy_range_slow(in, out, in_off, len);
		len -= n;
	}
	return 0;
}

/* Copies the data parts of in (size bytes) into out. */
static int copy_data(int in, int out, off_t size)
{
	off_t data = 0, hole;
	int ret;

	while (data < size) {
		data = lseek(in, data, SEEK_DATA);
		if (data < 0)
			return errno == ENXIO ? 0
					      : copy_range(in, out, 0, size);
		hole = lseek(in, data, SEEK_HOLE);
		if (hole < 0 || hole > size)
			hole = size;
		ret = copy_range(in, out, data, hole - data);
		if (ret)
			return ret;
		data = hole;
	}
	return 0;
}

static int snapshot_open(struct kind_heap *heap, int *fd)
{
	if (!heap->is_memfd && heap->dir &&
	    pmem_open_tmpfile(heap->dir, fd) == 0)
		return 0;
	return shared_open_memfd(fd);
}

static int snapshot(struct kind_heap *heap)
{
	int fd, ret;

	pthread_mutex_lock(&heap->lock);
	ret = snapshot_open(heap, &fd);
	if (ret)
		goto out;
	if (ftruncate(fd, heap->file_size) ||
	    copy_data(heap->fd, fd, heap->file_size)) {
		close(fd);
		ret = -1;
		goto out;
	}
	ret = fd;
	heap->snap_fd = fd;
	heap->snap_active = true;
out:
	pthread_mutex_unlock(&heap->lock);
	return ret;
}

/*
 * Locks: the registry lock keeps kinds from coming and going, the slot
 * locks keep each kind's list of thread caches consistent; both are held
 * across the fork. Heap locks are only held while copying: a thread in an
 * extent hook holds one of jemalloc's locks while it waits for a heap
 * lock, and jemalloc's own fork handler, which runs after this one, takes
 * that jemalloc lock.
 */
static void prepare(void)
{
	struct memkind *kind;
	unsigned s;

	registry_lock();
	bind_fork_prepare();
	for (s = 0; s < KIND_SLOTS; s++) {
		kind = registry_get(s);
		if (!kind)
			continue;
		pthread_mutex_lock(registry_slot_lock(s));
		/* Kinds of private or caller-provided memory have no file. */
		kind->fork_fd = kind->heap.fd >= 0 ? snapshot(&kind->heap) : -1;
	}
}

static void parent(void)
{
	struct memkind *kind;
	unsigned s;

	for (s = 0; s < KIND_SLOTS; s++) {
		kind = registry_get(s);
		if (!kind)
			continue;
		pthread_mutex_lock(&kind->heap.lock);
		kind->heap.snap_active = false;
		pthread_mutex_unlock(&kind->heap.lock);
		if (kind->fork_fd >= 0)
			close(kind->fork_fd);
		kind->fork_fd = -1;
		pthread_mutex_unlock(registry_slot_lock(s));
	}
	bind_fork_parent();
	registry_unlock();
}

/*
 * A kind whose copy failed (no space for it) cannot be separated from the
 * parent; rather than silently share it, the child loses access to it.
 */
static void child(void)
{
	struct memkind *kind;
	unsigned s;

	/* The child has one thread: locks other threads held are reset. */
	anon_fork_child();
	addrmap_fork_child();
	purge_fork_child();
	for (s = 0; s < KIND_SLOTS; s++) {
		kind = registry_get(s);
		if (!kind)
			continue;
		pthread_mutex_init(&kind->heap.lock, NULL);
		kind->heap.snap_active = false;
		if (kind->fork_fd < 0 || heap_remap(&kind->heap, kind->fork_fd))
			heap_revoke(&kind->heap);
		kind->fork_fd = -1;
		pthread_mutex_unlock(registry_slot_lock(s));
	}
	bind_fork_child();
	registry_unlock();
}

__attribute__((constructor)) static void fork_init(void)
{
	pthread_atfork(prepare, parent, child);
}
