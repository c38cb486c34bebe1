// SPDX-License-Identifier: MIT
/*
 * The static kinds as a program sees them on any machine: each kind that
 * memkind_check_available() accepts allocates, frees (also through
 * memkind_free(NULL, ...)), reallocates and is found by
 * memkind_detect_kind(); each it refuses fails allocations with ENOMEM.
 * Also memkind_create_kind()'s combinations, memkind_stats_print(),
 * memkind_set_bg_threads() and memkind_get_capacity()'s bad input.
 */
#include <pthread.h>
#include <stdint.h>

#include "kind_helpers.h"

#define K(k)                                                                   \
	{                                                                      \
#k, &k                                                         \
	}
static const struct {
	const char *name;
	memkind_t *kind;
} kinds[] = {
    K(MEMKIND_DEFAULT),
    K(MEMKIND_REGULAR),
    K(MEMKIND_HUGETLB),
    K(MEMKIND_INTERLEAVE),
    K(MEMKIND_HBW),
    K(MEMKIND_HBW_ALL),
    K(MEMKIND_HBW_PREFERRED),
    K(MEMKIND_HBW_HUGETLB),
    K(MEMKIND_HBW_ALL_HUGETLB),
    K(MEMKIND_HBW_PREFERRED_HUGETLB),
    K(MEMKIND_HBW_INTERLEAVE),
    K(MEMKIND_DAX_KMEM),
    K(MEMKIND_DAX_KMEM_ALL),
    K(MEMKIND_DAX_KMEM_PREFERRED),
    K(MEMKIND_DAX_KMEM_INTERLEAVE),
    K(MEMKIND_HIGHEST_CAPACITY),
    K(MEMKIND_HIGHEST_CAPACITY_PREFERRED),
    K(MEMKIND_HIGHEST_CAPACITY_LOCAL),
    K(MEMKIND_HIGHEST_CAPACITY_LOCAL_PREFERRED),
    K(MEMKIND_LOWEST_LATENCY_LOCAL),
    K(MEMKIND_LOWEST_LATENCY_LOCAL_PREFERRED),
    K(MEMKIND_HIGHEST_BANDWIDTH_LOCAL),
    K(MEMKIND_HIGHEST_BANDWIDTH_LOCAL_PREFERRED),
    K(MEMKIND_GBTLB),
    K(MEMKIND_HBW_GBTLB),
    K(MEMKIND_HBW_PREFERRED_GBTLB),
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

static void check_kind(memkind_t kind, const char *name)
{
	size_t sizes[] = {1, 100, 4096, 100000, 3 * MiB};
	char *p, *q;
	size_t i;

	if (memkind_check_available(kind) != MEMKIND_SUCCESS) {
		errno = 0;
		CHECK(memkind_malloc(kind, 100) == NULL && errno == ENOMEM);
		CHECK(memkind_calloc(kind, 1, 100) == NULL);
		printf("%s: not available here\n", name);
		return;
	}
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		p = memkind_malloc(kind, sizes[i]);
		CHECK(p);
		fill_pattern(p, sizes[i], (uint32_t)i);
		CHECK(memkind_detect_kind(p) == kind);
		CHECK(memkind_malloc_usable_size(kind, p) >= sizes[i]);
		q = memkind_realloc(kind, p, sizes[i] * 2);
		CHECK(q && check_pattern(q, sizes[i], (uint32_t)i));
		CHECK(memkind_detect_kind(q) == kind);
		memkind_free(i % 2 ? NULL : kind, q);
	}
	p = memkind_calloc(kind, 1000, 3);
	CHECK(p);
	for (i = 0; i < 3000; i++)
		CHECK(p[i] == 0);
	memkind_free(NULL, p);
	CHECK(memkind_posix_memalign(kind, (void **)&p, 1 << 16, 10) == 0);
	CHECK(((uintptr_t)p & 0xffff) == 0);
	memkind_free(kind, p);
	CHECK(memkind_destroy_kind(kind) == MEMKIND_ERROR_INVALID);
	printf("%s: ok, capacity %zd\n", name, memkind_get_capacity(kind));
}

/* Many threads on one static kind: its caches and thread binding. */
static void *thread_main(void *arg)
{
	memkind_t kind = arg;
	void *p[256];
	int round, i;

	for (round = 0; round < 50; round++) {
		for (i = 0; i < 256; i++) {
			p[i] = memkind_malloc(kind, 16 + i * 8);
			if (!p[i])
				return (void *)1;
			memset(p[i], i, 16);
		}
		for (i = 0; i < 256; i++)
			memkind_free(round % 2 ? kind : NULL, p[i]);
	}
	return NULL;
}

static void check_threads(memkind_t kind)
{
	pthread_t t[4];
	void *ret;
	int i;

	for (i = 0; i < 4; i++)
		CHECK(pthread_create(&t[i], NULL, thread_main, kind) == 0);
	for (i = 0; i < 4; i++) {
		CHECK(pthread_join(t[i], &ret) == 0);
		CHECK(ret == NULL);
	}
}

static void check_create_kind(void)
{
	memkind_t k = NULL;
	int hbw = memkind_check_available(MEMKIND_HBW);

	CHECK(memkind_create_kind(MEMKIND_MEMTYPE_DEFAULT,
				  MEMKIND_POLICY_PREFERRED_LOCAL, 0,
				  &k) == MEMKIND_SUCCESS);
	CHECK(k == MEMKIND_DEFAULT);
	CHECK(memkind_create_kind(MEMKIND_MEMTYPE_HIGH_BANDWIDTH,
				  MEMKIND_POLICY_BIND_LOCAL, 0, &k) ==
	      (hbw ? MEMKIND_ERROR_MEMTYPE_NOT_AVAILABLE : MEMKIND_SUCCESS));
	CHECK(memkind_create_kind(MEMKIND_MEMTYPE_DEFAULT,
				  MEMKIND_POLICY_BIND_LOCAL, 0,
				  &k) == MEMKIND_ERROR_INVALID);
	CHECK(memkind_create_kind(0, MEMKIND_POLICY_BIND_LOCAL, 0, &k) ==
	      MEMKIND_ERROR_INVALID);
	CHECK(memkind_create_kind(MEMKIND_MEMTYPE_DEFAULT,
				  MEMKIND_POLICY_MAX_VALUE, 0,
				  &k) == MEMKIND_ERROR_INVALID);
	CHECK(memkind_create_kind(MEMKIND_MEMTYPE_DEFAULT,
				  MEMKIND_POLICY_PREFERRED_LOCAL, 0,
				  NULL) == MEMKIND_ERROR_INVALID);
	CHECK(memkind_create_kind(MEMKIND_MEMTYPE_DEFAULT,
				  MEMKIND_POLICY_PREFERRED_LOCAL, 7,
				  &k) == MEMKIND_ERROR_INVALID);
}

static void count_cb(void *opaque, const char *text)
{
	*(size_t *)opaque += strlen(text);
}

/* memkind's deprecated partition numbers name the same kinds. */
static void check_partitions(void)
{
	memkind_t k;

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
	CHECK(memkind_get_kind_by_partition(MEMKIND_PARTITION_DEFAULT, &k) ==
	      0);
	CHECK(k == MEMKIND_DEFAULT);
	CHECK(memkind_get_kind_by_partition(MEMKIND_PARTITION_GBTLB, &k) == 0);
	CHECK(k == MEMKIND_GBTLB);
	CHECK(memkind_get_kind_by_partition(
		  MEMKIND_PARTITION_HIGHEST_BANDWIDTH_LOCAL_PREFERRED, &k) == 0);
	CHECK(k == MEMKIND_HIGHEST_BANDWIDTH_LOCAL_PREFERRED);
	CHECK(memkind_get_kind_by_partition(MEMKIND_NUM_BASE_KIND, &k) ==
	      MEMKIND_ERROR_UNAVAILABLE);
	CHECK(memkind_get_kind_by_partition(-1, &k) ==
	      MEMKIND_ERROR_UNAVAILABLE);
	CHECK(memkind_get_kind_by_partition(0, NULL) ==
	      MEMKIND_ERROR_UNAVAILABLE);
#pragma GCC diagnostic pop
}

static void check_misc(void)
{
	size_t n = 0;

	CHECK(memkind_stats_print(count_cb, &n, MEMKIND_STAT_PRINT_ALL) == 0);
	CHECK(n > 0);
	n = 0;
	CHECK(memkind_stats_print(count_cb, &n,
				  MEMKIND_STAT_PRINT_JSON_FORMAT |
				      MEMKIND_STAT_PRINT_OMIT_PER_ARENA) == 0);
	CHECK(n > 0);
	CHECK(memkind_stats_print(count_cb, &n,
				  (memkind_stat_print_opt)(1 << 12)) ==
	      MEMKIND_ERROR_INVALID);
	CHECK(memkind_set_bg_threads(true) == MEMKIND_SUCCESS);
	CHECK(memkind_set_bg_threads(false) == MEMKIND_SUCCESS);
	CHECK(memkind_get_capacity(NULL) == -1);
	CHECK(memkind_get_capacity(MEMKIND_DEFAULT) > 0);
	CHECK(memkind_check_available(NULL) == MEMKIND_ERROR_INVALID);
}

int main(void)
{
	size_t i;

	for (i = 0; i < NKINDS; i++)
		check_kind(*kinds[i].kind, kinds[i].name);
	check_threads(MEMKIND_REGULAR);
	check_threads(MEMKIND_HIGHEST_CAPACITY);
	check_create_kind();
	check_partitions();
	check_misc();
	return 0;
}
