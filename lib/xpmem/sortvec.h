/* SPDX-License-Identifier: MIT */
/*
 * A growable array of fixed-size records kept sorted by their first member,
 * a uint64_t key. Lookups bisect, so a process with thousands of
 * attachments or permits finds one in a few comparisons. Not locked: the
 * owner of each vector holds its own lock.
 */
#ifndef XPMEM_SORTVEC_H
#define XPMEM_SORTVEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct xpmem_sortvec {
	unsigned char *items;
	size_t elem_size;
	size_t count;
	size_t capacity;
};

#define XPMEM_SORTVEC_INIT(type) { .elem_size = sizeof(type) }

static inline void *xpmem_sortvec_at(const struct xpmem_sortvec *v, size_t i)
{
	return v->items + i * v->elem_size;
}

/* Index of the first record whose key is >= key. */
size_t xpmem_sortvec_lower_bound(const struct xpmem_sortvec *v, uint64_t key);
/* The record with exactly this key, or NULL. */
void *xpmem_sortvec_find(const struct xpmem_sortvec *v, uint64_t key);
/* The record with the greatest key <= key, or NULL. */
void *xpmem_sortvec_floor(const struct xpmem_sortvec *v, uint64_t key);
/* Inserts a copy of rec; -EEXIST if its key is present, -ENOMEM. */
int xpmem_sortvec_insert(struct xpmem_sortvec *v, const void *rec);
void xpmem_sortvec_remove_at(struct xpmem_sortvec *v, size_t i);
size_t xpmem_sortvec_index(const struct xpmem_sortvec *v, const void *rec);

#endif /* XPMEM_SORTVEC_H */
