// SPDX-License-Identifier: MIT
/*
 * Memory tiers with a static ratio: allocations through one memtier
 * memory spread over two kinds so that the bytes each holds keep the
 * ratio (1:3 here), memtier_kind_allocated_size counts them, frees and
 * reallocs keep the counts right, and bad builders fail with EINVAL.
 */
#include <memkind_memtier.h>
#include <stdint.h>

#include "kind_helpers.h"

#define NBLOCKS 4000
#define BLOCK 1000

static void check_ratio(struct memtier_memory *m, memkind_t a, memkind_t b)
{
	static void *blocks[NBLOCKS];
	size_t sa, sb, usable = 0;
	int i, in_a = 0;

	for (i = 0; i < NBLOCKS; i++) {
		blocks[i] = memtier_malloc(m, BLOCK);
		CHECK(blocks[i]);
		in_a += memkind_detect_kind(blocks[i]) == a;
		usable = memtier_usable_size(blocks[i]);
	}
	sa = memtier_kind_allocated_size(a);
	sb = memtier_kind_allocated_size(b);
	CHECK(sa + sb == (size_t)NBLOCKS * usable);
	/* 1:3, to within one block. */
	CHECK(sa * 3 + 3 * usable >= sb && sb + 3 * usable >= sa * 3);
	CHECK(in_a >= NBLOCKS / 4 - 1 && in_a <= NBLOCKS / 4 + 1);

	/* Growing a block moves its bytes within its own kind's count. */
	blocks[0] = memtier_realloc(m, blocks[0], 100 * BLOCK);
	CHECK(blocks[0]);
	CHECK(memtier_kind_allocated_size(a) + memtier_kind_allocated_size(b) ==
	      (size_t)(NBLOCKS - 1) * usable + memtier_usable_size(blocks[0]));
	for (i = 0; i < NBLOCKS; i++)
		memtier_free(blocks[i]);
	CHECK(memtier_kind_allocated_size(a) == 0);
	CHECK(memtier_kind_allocated_size(b) == 0);
}

static void check_calls(struct memtier_memory *m)
{
	void *p = NULL;
	char *c;
	int i;

	c = memtier_calloc(m, 100, 10);
	CHECK(c);
	for (i = 0; i < 1000; i++)
		CHECK(c[i] == 0);
	memtier_free(c);
	CHECK(memtier_posix_memalign(m, &p, 4096, 100) == 0);
	CHECK(p && ((uintptr_t)p & 4095) == 0);
	memtier_kind_free(NULL, p);
	c = memtier_kind_malloc(MEMKIND_DEFAULT, 100);
	CHECK(c && memkind_detect_kind(c) == MEMKIND_DEFAULT);
	c = memtier_kind_realloc(MEMKIND_DEFAULT, c, 0);
	CHECK(c == NULL);
	CHECK(memtier_kind_allocated_size(MEMKIND_DEFAULT) == 0);
}

static void check_bad(void)
{
	struct memtier_builder *b;

	errno = 0;
	CHECK(memtier_builder_new(MEMTIER_POLICY_MAX_VALUE) == NULL &&
	      errno == EINVAL);
	b = memtier_builder_new(MEMTIER_POLICY_STATIC_RATIO);
	CHECK(b);
	CHECK(memtier_builder_construct_memtier_memory(b) == NULL);
	CHECK(memtier_builder_add_tier(b, MEMKIND_DEFAULT, 0) == -1);
	CHECK(memtier_builder_add_tier(b, NULL, 1) == -1);
	CHECK(memtier_builder_add_tier(b, MEMKIND_DEFAULT, 1) == 0);
	CHECK(memtier_builder_add_tier(b, MEMKIND_DEFAULT, 2) == -1);
	CHECK(memtier_ctl_set(b, "policy.dynamic_threshold.check_cnt",
			      &(unsigned){20}) == -1);
	memtier_builder_delete(b);
	/* The dynamic threshold policy needs two tiers. */
	b = memtier_builder_new(MEMTIER_POLICY_DYNAMIC_THRESHOLD);
	CHECK(b);
	CHECK(memtier_builder_add_tier(b, MEMKIND_DEFAULT, 1) == 0);
	errno = 0;
	CHECK(memtier_builder_construct_memtier_memory(b) == NULL &&
	      errno == EINVAL);
	memtier_builder_delete(b);
	CHECK(memtier_malloc(NULL, 10) == NULL);
}

int main(void)
{
	struct memtier_builder *b;
	struct memtier_memory *m;

	b = memtier_builder_new(MEMTIER_POLICY_STATIC_RATIO);
	CHECK(b);
	CHECK(memtier_builder_add_tier(b, MEMKIND_DEFAULT, 1) == 0);
	CHECK(memtier_builder_add_tier(b, MEMKIND_REGULAR, 3) == 0);
	m = memtier_builder_construct_memtier_memory(b);
	CHECK(m);
	memtier_builder_delete(b);
	check_ratio(m, MEMKIND_DEFAULT, MEMKIND_REGULAR);
	check_calls(m);
	memtier_delete_memtier_memory(m);
	check_bad();
	return 0;
}
