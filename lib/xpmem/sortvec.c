/* SPDX-License-Identifier: MIT */
/*
 * Sorted vector of records keyed by their first uint64_t member; see
 * sortvec.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sortvec.h"

static uint64_t key_at(const struct xpmem_sortvec *v, size_t i)
{
	uint64_t key;

	memcpy(&key, xpmem_sortvec_at(v, i), sizeof(key));
	return key;
}

size_t xpmem_sortvec_lower_bound(const struct xpmem_sortvec *v, uint64_t key)
{
	size_t lo = 0, hi = v->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (key_at(v, mid) < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void *xpmem_sortvec_find(const struct xpmem_sortvec *v, uint64_t key)
{
	size_t i = xpmem_sortvec_lower_bound(v, key);

	if (i < v->count && key_at(v, i) == key)
		return xpmem_sortvec_at(v, i);
	return NULL;
}

void *xpmem_sortvec_floor(const struct xpmem_sortvec *v, uint64_t key)
{
	size_t i = xpmem_sortvec_lower_bound(v, key);

	if (i < v->count && key_at(v, i) == key)
		return xpmem_sortvec_at(v, i);
	return i ? xpmem_sortvec_at(v, i - 1) : NULL;
}

static int grow(struct xpmem_sortvec *v)
{
	size_t cap = v->capacity ? v->capacity * 2 : 16;
	unsigned char *n = realloc(v->items, cap * v->elem_size);

	if (!n)
		return -ENOMEM;
	v->items = n;
	v->capacity = cap;
	return 0;
}

int xpmem_sortvec_insert(struct xpmem_sortvec *v, const void *rec)
{
	uint64_t key;
	size_t i;

	memcpy(&key, rec, sizeof(key));
	i = xpmem_sortvec_lower_bound(v, key);
	if (i < v->count && key_at(v, i) == key)
		return -EEXIST;
	if (v->count == v->capacity && grow(v) < 0)
		return -ENOMEM;
	memmove(xpmem_sortvec_at(v, i + 1), xpmem_sortvec_at(v, i),
		(v->count - i) * v->elem_size);
	memcpy(xpmem_sortvec_at(v, i), rec, v->elem_size);
	v->count++;
	return 0;
}

void xpmem_sortvec_remove_at(struct xpmem_sortvec *v, size_t i)
{
	memmove(xpmem_sortvec_at(v, i), xpmem_sortvec_at(v, i + 1),
		(v->count - i - 1) * v->elem_size);
	v->count--;
}

size_t xpmem_sortvec_index(const struct xpmem_sortvec *v, const void *rec)
{
	return (size_t)((const unsigned char *)rec - v->items) / v->elem_size;
}
