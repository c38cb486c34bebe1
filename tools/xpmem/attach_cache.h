/* SPDX-License-Identifier: MIT */
/*
 * A small cache of XPMEM attachments, the way XPMEM clients (UCX's rcache,
 * Open MPI's vader) keep them: attach a page-aligned window once, then turn
 * every later (apid, offset, length) into a pointer without a system call.
 *
 * Entries are kept sorted by (apid, page-aligned start offset), so a lookup
 * is a check of the most recent entry and else a binary search. When the
 * cache is full it detaches everything and starts again: the workloads it
 * serves touch few windows, and a flush keeps the code obvious.
 */
#ifndef XPMEM_ATTACH_CACHE_H
#define XPMEM_ATTACH_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include <xpmem.h>

struct attach_entry {
	xpmem_apid_t apid;
	uint64_t start; /* page-aligned segment offset */
	uint64_t end;	/* exclusive, page-aligned */
	char *addr;	/* where start is mapped */
};

struct attach_cache {
	struct attach_entry *entries;
	unsigned int count;
	unsigned int capacity;
	unsigned int mru;  /* index of the last hit */
	uint64_t attaches; /* windows attached so far */
};

int attach_cache_init(struct attach_cache *c, unsigned int capacity);
/* Detaches every cached window and frees the cache. */
void attach_cache_fini(struct attach_cache *c);
/* Detaches every cached window; the cache stays usable. */
int attach_cache_flush(struct attach_cache *c);

/* Whether entry e maps [off, off + len) of apid's segment. */
static inline int attach_entry_covers(const struct attach_entry *e,
				      xpmem_apid_t apid, uint64_t off,
				      size_t len)
{
	return e->apid == apid && off >= e->start && off <= e->end &&
	       len <= e->end - off;
}

/* The binary search behind attach_cache_lookup(). */
void *attach_cache_search(struct attach_cache *c, xpmem_apid_t apid,
			  uint64_t off, size_t len);

/*
 * Returns the local address of segment offset off when [off, off + len) is
 * inside a cached window, else NULL. Never attaches. Inline because a
 * client calls it on every transfer and most calls hit the window used
 * last.
 */
static inline void *attach_cache_lookup(struct attach_cache *c,
					xpmem_apid_t apid, uint64_t off,
					size_t len)
{
	const struct attach_entry *e = &c->entries[c->mru];

	if (c->count && attach_entry_covers(e, apid, off, len))
		return e->addr + (off - e->start);
	return attach_cache_search(c, apid, off, len);
}

/*
 * Like attach_cache_lookup(), but attaches the page-aligned window around
 * [off, off + len) on a miss. Returns 0 and the address in *ptr, or -errno.
 */
int attach_cache_get(struct attach_cache *c, xpmem_apid_t apid, uint64_t off,
		     size_t len, void **ptr);

#endif /* XPMEM_ATTACH_CACHE_H */
