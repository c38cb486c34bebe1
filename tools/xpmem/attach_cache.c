// SPDX-License-Identifier: MIT
/*
 * The attachment cache: see attach_cache.h for what it is for.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "attach_cache.h"
#include "xpmem_tool.h"

int attach_cache_init(struct attach_cache *c, unsigned int capacity)
{
	memset(c, 0, sizeof(*c));
	if (capacity == 0)
		return -EINVAL;
	c->entries = calloc(capacity, sizeof(*c->entries));
	if (!c->entries)
		return -ENOMEM;
	c->capacity = capacity;
	return 0;
}

int attach_cache_flush(struct attach_cache *c)
{
	int ret = 0;

	for (unsigned int i = 0; i < c->count; i++)
		if (xpmem_detach(c->entries[i].addr) && !ret)
			ret = -errno;
	c->count = 0;
	c->mru = 0;
	return ret;
}

void attach_cache_fini(struct attach_cache *c)
{
	attach_cache_flush(c);
	free(c->entries);
	memset(c, 0, sizeof(*c));
}

static int key_cmp(xpmem_apid_t apid_a, uint64_t start_a,
		   const struct attach_entry *b)
{
	if (apid_a != b->apid)
		return apid_a < b->apid ? -1 : 1;
	if (start_a != b->start)
		return start_a < b->start ? -1 : 1;
	return 0;
}

/* Index of the last entry whose key is <= (apid, off), or -1. */
static int find_floor(const struct attach_cache *c, xpmem_apid_t apid,
		      uint64_t off)
{
	int lo = 0, hi = (int)c->count - 1, found = -1;

	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;

		if (key_cmp(apid, off, &c->entries[mid]) >= 0) {
			found = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	return found;
}

void *attach_cache_search(struct attach_cache *c, xpmem_apid_t apid,
			  uint64_t off, size_t len)
{
	const struct attach_entry *e;
	int i = find_floor(c, apid, off);

	if (i < 0 || !attach_entry_covers(&c->entries[i], apid, off, len))
		return NULL;
	c->mru = (unsigned int)i;
	e = &c->entries[i];
	return e->addr + (off - e->start);
}

/* Puts a new window at its sorted place, replacing one with the same key. */
static int insert_entry(struct attach_cache *c, const struct attach_entry *n)
{
	int i = find_floor(c, n->apid, n->start);

	if (i >= 0 && !key_cmp(n->apid, n->start, &c->entries[i])) {
		/* A shorter window at the same start: the new one covers it. */
		if (xpmem_detach(c->entries[i].addr))
			return -errno;
	} else {
		i++;
		memmove(&c->entries[i + 1], &c->entries[i],
			(c->count - (unsigned int)i) * sizeof(*n));
		c->count++;
	}
	c->entries[i] = *n;
	c->mru = (unsigned int)i;
	return 0;
}

int attach_cache_get(struct attach_cache *c, xpmem_apid_t apid, uint64_t off,
		     size_t len, void **ptr)
{
	struct xpmem_addr addr;
	struct attach_entry n;
	int ret;

	*ptr = attach_cache_lookup(c, apid, off, len);
	if (*ptr)
		return 0;
	if (len == 0 || off + len < off)
		return -EINVAL;
	if (c->count == c->capacity) {
		ret = attach_cache_flush(c);
		if (ret)
			return ret;
	}
	n.apid = apid;
	n.start = align_down(off, page_size());
	n.end = align_up(off + len, page_size());
	addr.apid = apid;
	addr.offset = (off_t)n.start;
	n.addr = xpmem_attach(addr, n.end - n.start, NULL);
	if (n.addr == (void *)-1)
		return -errno;
	ret = insert_entry(c, &n);
	if (ret) {
		xpmem_detach(n.addr);
		return ret;
	}
	c->attaches++;
	*ptr = n.addr + (off - n.start);
	return 0;
}
