// SPDX-License-Identifier: MIT
/*
 * memkind_detect_kind, memkind_malloc_usable_size, memkind_free(NULL),
 * memkind_defrag_reallocate and the statistics calls.
 */
#include <stdint.h>

#include "kind_helpers.h"

static void check_detect_and_usable(memkind_t a, memkind_t b)
{
	size_t size;
	void *p, *q;

	for (size = 1; size < 3 * MiB; size = size * 3 + 1) {
		p = memkind_malloc(a, size);
		q = memkind_malloc(b, size);
		CHECK(p && q);
		CHECK(memkind_detect_kind(p) == a);
		CHECK(memkind_detect_kind(q) == b);
		CHECK(memkind_malloc_usable_size(a, p) >= size);
		CHECK(memkind_malloc_usable_size(NULL, q) >= size);
		CHECK(memkind_malloc_usable_size(a, q) >= size);
		memset(p, 1, memkind_malloc_usable_size(a, p));
		memkind_free(NULL, p);
		memkind_free(b, q);
	}
}

#define NSMALL 20000

static void check_defrag(memkind_t kind)
{
	static char *p[NSMALL];
	int i, moved = 0;
	char *n;

	for (i = 0; i < NSMALL; i++) {
		p[i] = memkind_malloc(kind, 48);
		CHECK(p[i]);
		fill_pattern(p[i], 48, (uint32_t)i);
	}
	/* Leave a sparse population: most slabs are nearly empty. */
	for (i = 0; i < NSMALL; i++) {
		if (i % 16) {
			memkind_free(kind, p[i]);
			p[i] = NULL;
		}
	}
	for (i = 0; i < NSMALL; i++) {
		if (!p[i])
			continue;
		n = memkind_defrag_reallocate(kind, p[i]);
		if (n) {
			moved++;
			p[i] = n;
		}
		CHECK(check_pattern(p[i], 48, (uint32_t)i));
		CHECK(memkind_detect_kind(p[i]) == kind);
	}
	CHECK(moved > 0);
	for (i = 0; i < NSMALL; i++)
		memkind_free(NULL, p[i]);
	n = memkind_malloc(kind, 4 * MiB);
	CHECK(memkind_defrag_reallocate(kind, n) == NULL); /* large */
	memkind_free(kind, n);
	n = memkind_malloc(MEMKIND_DEFAULT, 48);
	CHECK(memkind_defrag_reallocate(MEMKIND_DEFAULT, n) == NULL);
	memkind_free(MEMKIND_DEFAULT, n);
	CHECK(memkind_defrag_reallocate(kind, NULL) == NULL);
}

static size_t stat_of(memkind_t kind, memkind_stat_type t)
{
	size_t v = 0;

	CHECK(memkind_get_stat(kind, t, &v) == 0);
	return v;
}

static void check_stats(memkind_t kind)
{
	size_t a0, a1, v;
	void *p[10];
	int i;

	CHECK(memkind_update_cached_stats() == 0);
	a0 = stat_of(kind, MEMKIND_STAT_TYPE_ALLOCATED);
	for (i = 0; i < 10; i++) {
		p[i] = memkind_malloc(kind, MiB);
		CHECK(p[i]);
		memset(p[i], 1, MiB);
	}
	CHECK(memkind_update_cached_stats() == 0);
	a1 = stat_of(kind, MEMKIND_STAT_TYPE_ALLOCATED);
	CHECK(a1 >= a0 + 10 * MiB);
	CHECK(stat_of(kind, MEMKIND_STAT_TYPE_ACTIVE) >= a1);
	CHECK(stat_of(kind, MEMKIND_STAT_TYPE_RESIDENT) >= 10 * MiB);
	CHECK(stat_of(NULL, MEMKIND_STAT_TYPE_ALLOCATED) >= a1);
	for (i = 0; i < 10; i++)
		memkind_free(kind, p[i]);
	CHECK(memkind_update_cached_stats() == 0);
	CHECK(stat_of(kind, MEMKIND_STAT_TYPE_ALLOCATED) <= a0);
	CHECK(memkind_get_stat(kind, MEMKIND_STAT_TYPE_MAX_VALUE, &v) ==
	      MEMKIND_ERROR_INVALID);
	CHECK(memkind_get_stat(kind, -1, &v) == MEMKIND_ERROR_INVALID);
	CHECK(memkind_get_stat(kind, MEMKIND_STAT_TYPE_ALLOCATED, NULL) ==
	      MEMKIND_ERROR_INVALID);
	CHECK(memkind_get_stat(MEMKIND_DEFAULT, MEMKIND_STAT_TYPE_ALLOCATED,
			       &v) == 0);
}

int main(void)
{
	const char *dir = test_tmpdir("/dev/shm");
	memkind_t a, b;

	CHECK(dir);
	CHECK(memkind_create_pmem(dir, 0, &a) == 0);
	CHECK(memkind_create_shared(32 * MiB, &b) == 0);
	check_detect_and_usable(a, b);
	check_detect_and_usable(a, MEMKIND_DEFAULT);
	check_defrag(a);
	check_stats(b);
	CHECK(memkind_destroy_kind(a) == 0);
	CHECK(memkind_destroy_kind(b) == 0);
	CHECK(rmdir(dir) == 0);
	return 0;
}
