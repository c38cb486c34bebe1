/* SPDX-License-Identifier: MIT */
/*
 * Resolving an attach window in the owner (the agent runs here).
 *
 * Each mapping the window crosses becomes one piece:
 *   - no mapping, or a mapping without access rights (a guard or a reserved
 *     range): a hole, which the attacher keeps inaccessible;
 *   - a MAP_SHARED mapping of a file (regular file, memfd, tmpfs, DAX): the
 *     file and the offset, so that the attacher maps the same pages;
 *   - anything private: the whole attach fails with EOPNOTSUPP, since a copy
 *     would silently differ from the owner's memory.
 * Descriptors are fresh opens of the owner's file through /proc/self/fd
 * with the access the permit allows, so a read-only permit yields a
 * descriptor that can never be used to map the pages writable.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "maps.h"
#include "window.h"

/* Identity of a descriptor already in win->fds, for reuse across pieces. */
struct fd_key {
	dev_t dev;
	ino_t ino;
	bool writable;
};

struct resolver {
	struct xpmem_window *win;
	struct fd_key keys[XPMEM_MAX_FDS];
};

static int open_same_file(const char *path, const struct xpmem_vma *vma,
			  int flags)
{
	struct stat st;
	int fd = open(path, flags | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || st.st_dev != vma->dev ||
	    st.st_ino != vma->ino) {
		close(fd);
		return -ESTALE;
	}
	return fd;
}

/*
 * When the file's permissions forbid reopening it (it was opened before a
 * chmod, or handed over by another process), the descriptor itself can be
 * passed if its access mode is exactly the one wanted: never a writable
 * descriptor for a read-only permit.
 */
static int dup_if_mode(int fd, int flags)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || (fl & O_ACCMODE) != flags)
		return -EACCES;
	fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	return fd < 0 ? -errno : fd;
}

/* Opens a descriptor for the file of vma through this process's fd n. */
static int open_via_fd(int n, const struct xpmem_vma *vma, int flags)
{
	char path[64];
	struct stat st;
	int rc;

	if (fstat(n, &st) < 0 || st.st_dev != vma->dev ||
	    st.st_ino != vma->ino)
		return -ENOENT;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", n);
	rc = open_same_file(path, vma, flags);
	return rc < 0 ? dup_if_mode(n, flags) : rc;
}

/*
 * Which descriptor of this process last gave each recent file. Reading
 * /proc/self/fd costs microseconds per open descriptor, a millisecond and
 * more in processes with thousands; a hit costs one fstat(). Entries are
 * only hints: open_via_fd() checks the file behind the number every time.
 * Used by the agent thread alone.
 */
#define FD_HINTS 16

static struct {
	dev_t dev;
	ino_t ino;
	int fd;
} fd_hints[FD_HINTS];
static unsigned int next_hint;

static void remember_fd(const struct xpmem_vma *vma, int n)
{
	unsigned int i = next_hint++ % FD_HINTS;

	fd_hints[i].dev = vma->dev;
	fd_hints[i].ino = vma->ino;
	fd_hints[i].fd = n;
}

static int open_via_hint(const struct xpmem_vma *vma, int flags)
{
	unsigned int i;
	int rc;

	for (i = 0; i < FD_HINTS; i++) {
		if (fd_hints[i].dev != vma->dev || fd_hints[i].ino != vma->ino)
			continue;
		rc = open_via_fd(fd_hints[i].fd, vma, flags);
		if (rc >= 0)
			return rc;
	}
	return -ENOENT;
}

/*
 * Kinds keep their descriptors open, so the usual case is a descriptor of
 * this process that refers to the mapped file; reopening it through
 * /proc/self/fd gives a new open file description with the wanted mode,
 * which works for memfd and unlinked files as well.
 */
static int open_via_fd_table(const struct xpmem_vma *vma, int flags)
{
	DIR *dir;
	struct dirent *de;
	int rc = open_via_hint(vma, flags);

	if (rc >= 0)
		return rc;
	dir = opendir("/proc/self/fd");
	if (!dir)
		return -errno;
	while (rc < 0 && (de = readdir(dir))) {
		int n = atoi(de->d_name);

		if (de->d_name[0] == '.' || n == dirfd(dir))
			continue;
		rc = open_via_fd(n, vma, flags);
		if (rc >= 0)
			remember_fd(vma, n);
	}
	closedir(dir);
	return rc;
}

static int open_mapped_file(const struct xpmem_vma *vma, bool writable)
{
	int flags = writable ? O_RDWR : O_RDONLY;
	char path[64];
	int fd;

	fd = open_via_fd_table(vma, flags);
	if (fd >= 0)
		return fd;
	if (vma->path[0] && !vma->deleted) {
		fd = open_same_file(vma->path, vma, flags);
		if (fd >= 0)
			return fd;
	}
	/* Needs CAP_SYS_ADMIN (or CAP_CHECKPOINT_RESTORE), so tried last. */
	snprintf(path, sizeof(path), "/proc/self/map_files/%llx-%llx",
		 (unsigned long long)vma->start, (unsigned long long)vma->end);
	fd = open_same_file(path, vma, flags);
	return fd >= 0 ? fd : -EOPNOTSUPP;
}

/* Index of a descriptor for the mapping's file, opening it if needed. */
static int fd_index_for(struct resolver *r, const struct xpmem_vma *vma,
			bool writable)
{
	struct xpmem_window *win = r->win;
	size_t i;
	int fd;

	for (i = 0; i < win->nfds; i++)
		if (r->keys[i].dev == vma->dev && r->keys[i].ino == vma->ino &&
		    r->keys[i].writable == writable)
			return (int)i;
	if (win->nfds == XPMEM_MAX_FDS)
		return -E2BIG;
	fd = open_mapped_file(vma, writable);
	if (fd < 0)
		return fd;
	r->keys[win->nfds] = (struct fd_key){ vma->dev, vma->ino, writable };
	win->fds[win->nfds] = fd;
	return (int)win->nfds++;
}

/* Appends a piece, merging it into the previous one when contiguous. */
static int add_piece(struct xpmem_window *win, uint64_t start, uint64_t end,
		     int fd_index, uint64_t file_offset, uint32_t prot)
{
	struct xpmem_piece *last = win->npieces ?
				   &win->pieces[win->npieces - 1] : NULL;
	uint64_t offset = start - win->start;

	if (last && last->fd_index == fd_index && last->prot == prot &&
	    (fd_index < 0 || last->file_offset + last->length == file_offset)) {
		last->length += end - start;
		return 0;
	}
	if (win->npieces == XPMEM_MAX_PIECES)
		return -E2BIG;
	win->pieces[win->npieces++] = (struct xpmem_piece){
		.offset = offset,
		.length = end - start,
		.file_offset = fd_index < 0 ? 0 : file_offset,
		.fd_index = fd_index,
		.prot = prot,
	};
	return 0;
}

static int add_mapping(struct resolver *r, const struct xpmem_vma *vma,
		       uint64_t start, uint64_t end)
{
	uint32_t prot = (uint32_t)vma->prot & (PROT_READ | PROT_WRITE);
	int idx;

	if (!r->win->writable)
		prot &= ~(uint32_t)PROT_WRITE;
	if (prot & PROT_WRITE)
		prot |= PROT_READ;	/* no write-only mappings on Linux */
	if (!(vma->prot & (PROT_READ | PROT_WRITE | PROT_EXEC)))
		return add_piece(r->win, start, end, -1, 0, 0);
	if (!vma->shared)
		return -EOPNOTSUPP;
	if (!prot)
		return add_piece(r->win, start, end, -1, 0, 0);
	idx = fd_index_for(r, vma, prot & PROT_WRITE);
	if (idx < 0)
		return idx;
	return add_piece(r->win, start, end, idx,
			 vma->offset + (start - vma->start), prot);
}

static int walk_maps(struct resolver *r)
{
	struct xpmem_window *win = r->win;
	uint64_t end = win->start + win->size, cursor = win->start;
	struct xpmem_maps *maps = malloc(sizeof(*maps));
	struct xpmem_vma *vma = malloc(sizeof(*vma));
	int rc = -ENOMEM;

	if (!maps || !vma)
		goto out_free;
	rc = xpmem_maps_open(maps);
	if (rc < 0)
		goto out_free;
	while (cursor < end && (rc = xpmem_maps_next(maps, vma)) > 0) {
		uint64_t s = vma->start > cursor ? vma->start : cursor;
		uint64_t e = vma->end < end ? vma->end : end;

		if (vma->end <= cursor)
			continue;
		if (s >= end)
			break;
		if (s > cursor)
			rc = add_piece(win, cursor, s, -1, 0, 0);
		if (rc >= 0)
			rc = add_mapping(r, vma, s, e);
		if (rc < 0)
			break;
		cursor = e;
	}
	if (rc >= 0 && cursor < end)
		rc = add_piece(win, cursor, end, -1, 0, 0);
	xpmem_maps_close(maps);
out_free:
	free(vma);
	free(maps);
	return rc < 0 ? rc : 0;
}

void xpmem_window_close_fds(struct xpmem_window *win)
{
	while (win->nfds)
		close(win->fds[--win->nfds]);
}

int xpmem_window_resolve(struct xpmem_window *win)
{
	struct resolver r = { .win = win };
	int rc;

	win->npieces = 0;
	win->nfds = 0;
	rc = walk_maps(&r);
	if (rc < 0)
		xpmem_window_close_fds(win);
	return rc;
}
