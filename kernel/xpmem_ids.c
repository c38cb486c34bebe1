// SPDX-License-Identifier: GPL-2.0
/*
 * Segment ids and access permit ids.
 *
 * An id is positive, below 2^56 (at most 14 hex digits: upstream's tools
 * pass ids between processes as text in small buffers) and has two parts:
 * the low XPMEM_ID_INDEX_BITS bits index an xarray (unique among live
 * objects, allocated cyclically so a freed index is not soon reused) and
 * the 32 bits above them are random, so that another local user cannot
 * find live segments by counting.
 */
#include <linux/random.h>
#include <linux/xarray.h>

#include "xpmem_private.h"

DEFINE_XARRAY_ALLOC1(xpmem_segments);
DEFINE_XARRAY_ALLOC1(xpmem_permits);
u32 xpmem_segments_next;
u32 xpmem_permits_next;

/**
 * xpmem_id_alloc() - publish an object under a new unguessable id
 * @xa: table of segments or permits
 * @next: cyclic allocation cursor of @xa
 * @obj: object to publish
 * @id: set to the new id, under the table's lock
 *
 * Return: 0, or -ENOSPC when the table is full, -ENOMEM.
 */
int xpmem_id_alloc(struct xarray *xa, u32 *next, void *obj, s64 *id)
{
	u64 random = get_random_u32();
	u32 index;
	int ret;

	ret = xa_alloc_cyclic(xa, &index, obj,
			      XA_LIMIT(1, XPMEM_ID_INDEX_MASK), next,
			      GFP_KERNEL);
	if (ret < 0)
		return ret == -EBUSY ? -ENOSPC : ret;
	/* Lookups compare the whole id under the same lock. */
	xa_lock(xa);
	*id = (s64)(random << XPMEM_ID_INDEX_BITS | index);
	xa_unlock(xa);
	return 0;
}

/**
 * xpmem_id_erase() - unpublish an object
 * @xa: table of segments or permits
 * @id: its id
 * @obj: the object expected under @id
 *
 * Return: @obj if it was published under @id, else NULL.
 */
void *xpmem_id_erase(struct xarray *xa, s64 id, void *obj)
{
	void *old;

	if (!xpmem_id_index(id))
		return NULL;
	old = xa_cmpxchg(xa, xpmem_id_index(id), obj, NULL, GFP_KERNEL);
	return old == obj ? obj : NULL;
}
