/* SPDX-License-Identifier: MIT */
/*
 * The segments this process exports under the user-space backend, sorted by
 * segid. Owned by owner.c, read by the agent thread; locked inside.
 */
#ifndef XPMEM_SEGTAB_H
#define XPMEM_SEGTAB_H

#include <stdint.h>
#include <sys/types.h>

#include <xpmem.h>

struct xpmem_segment {
	xpmem_segid_t segid;
	uint64_t vaddr;
	uint64_t size;
	mode_t mode;
	uid_t uid;		/* owner's effective ids at xpmem_make() */
	gid_t gid;
};

/* Adds a segment under a fresh random segid, stored in seg->segid. */
int xpmem_segtab_add(struct xpmem_segment *seg);
int xpmem_segtab_remove(xpmem_segid_t segid);
/* Copies the segment out, so the caller needs no lock afterwards. */
int xpmem_segtab_find(xpmem_segid_t segid, struct xpmem_segment *seg);
size_t xpmem_segtab_count(void);
/* Forgets every segment; called in a fork child with the lock held. */
void xpmem_segtab_clear(void);
void xpmem_segtab_lock(void);
void xpmem_segtab_unlock(void);

#endif /* XPMEM_SEGTAB_H */
