// SPDX-License-Identifier: MIT
/*
 * Memory tiers with MEMTIER_POLICY_DYNAMIC_THRESHOLD: allocations below
 * the threshold come from the first tier and the rest from the second;
 * memtier_ctl_set sets the threshold and how it moves; a bad setting
 * fails (EINVAL) when the memory is built; and under a mixed load the
 * threshold moves until the tiers hold bytes in their ratio.
 */
#include <errno.h>
#include <memkind_memtier.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "kind_helpers.h"

#define LOW MEMKIND_DEFAULT
#define HIGH MEMKIND_REGULAR

static struct memtier_builder *two_tiers(unsigned low, unsigned high)
{
	struct memtier_builder *b;

	b = memtier_builder_new(MEMTIER_POLICY_DYNAMIC_THRESHOLD);
	CHECK(b);
	CHECK(memtier_builder_add_tier(b, LOW, low) == 0);
	CHECK(memtier_builder_add_tier(b, HIGH, high) == 0);
	return b;
}

static int set_size(struct memtier_builder *b, const char *name, size_t v)
{
	return memtier_ctl_set(b, name, &v);
}

static struct memtier_memory *build(struct memtier_builder *b)
{
	struct memtier_memory *m = memtier_builder_construct_memtier_memory(b);

	memtier_builder_delete(b);
	return m;
}

/* The kind a fresh block of size bytes comes from. */
static memkind_t tier_of(struct memtier_memory *m, size_t size)
{
	void *p = memtier_malloc(m, size);
	memkind_t k;

	CHECK(p);
	k = memkind_detect_kind(p);
	memtier_free(p);
	return k;
}

/* With checks this rare the threshold stays where it was set. */
static void check_split(void)
{
	struct memtier_builder *b = two_tiers(1, 4);
	struct memtier_memory *m;
	unsigned never = 1u << 30;

	CHECK(memtier_ctl_set(b, "policy.dynamic_threshold.check_cnt",
			      &never) == 0);
	m = build(b);
	CHECK(m);
	/* memkind's default threshold: 1024 bytes. */
	CHECK(tier_of(m, 1) == LOW);
	CHECK(tier_of(m, 1023) == LOW);
	CHECK(tier_of(m, 1024) == HIGH);
	CHECK(tier_of(m, 1 << 20) == HIGH);
	memtier_delete_memtier_memory(m);

	b = two_tiers(1, 4);
	CHECK(memtier_ctl_set(b, "policy.dynamic_threshold.check_cnt",
			      &never) == 0);
	CHECK(set_size(b, "policy.dynamic_threshold.thresholds[0].min", 1) == 0);
	CHECK(set_size(b, "policy.dynamic_threshold.thresholds[0].val", 64) ==
	      0);
	CHECK(set_size(b, "policy.dynamic_threshold.thresholds[0].max",
		       10000) == 0);
	m = build(b);
	CHECK(m);
	CHECK(tier_of(m, 63) == LOW);
	CHECK(tier_of(m, 64) == HIGH);
	CHECK(tier_of(m, 1000) == HIGH);
	memtier_delete_memtier_memory(m);
}

static void check_bad_settings(void)
{
	struct memtier_builder *b = two_tiers(1, 1);
	float neg = -0.5f;
	unsigned zero = 0;

	errno = 0;
	/* Only one threshold between two tiers. */
	CHECK(set_size(b, "policy.dynamic_threshold.thresholds[1].val", 10) ==
		      -1 &&
	      errno == EINVAL);
	CHECK(set_size(b, "policy.dynamic_threshold.thresholds[-1].val", 10) ==
	      -1);
	CHECK(set_size(b, "policy.dynamic_threshold.thresholds[0].value", 9) ==
	      -1);
	CHECK(set_size(b, "policy.dynamic_threshold.nothing", 1) == -1);
	CHECK(set_size(b, "policy.static_ratio.thresholds[0].val", 1) == -1);
	CHECK(memtier_ctl_set(b, "policy.dynamic_threshold.trigger", NULL) ==
	      -1);
	/* A threshold below its minimum: no memory. */
	CHECK(set_size(b, "policy.dynamic_threshold.thresholds[0].val", 100) ==
	      0);
	errno = 0;
	CHECK(memtier_builder_construct_memtier_memory(b) == NULL &&
	      errno == EINVAL);
	memtier_builder_delete(b);

	b = two_tiers(1, 1);
	CHECK(memtier_ctl_set(b, "policy.dynamic_threshold.degree", &neg) == 0);
	CHECK(build(b) == NULL && errno == EINVAL);
	b = two_tiers(1, 1);
	CHECK(memtier_ctl_set(b, "policy.dynamic_threshold.check_cnt",
			      &zero) == 0);
	CHECK(build(b) == NULL && errno == EINVAL);

	/* Three tiers: the thresholds' ranges must not overlap. */
	b = two_tiers(1, 1);
	CHECK(memtier_builder_add_tier(b, MEMKIND_HUGETLB, 1) == 0);
	CHECK(set_size(b, "policy.dynamic_threshold.thresholds[1].min", 1000) ==
	      0);
	CHECK(build(b) == NULL && errno == EINVAL);

	/* The static policy has no settings. */
	b = memtier_builder_new(MEMTIER_POLICY_STATIC_RATIO);
	CHECK(b);
	CHECK(memtier_builder_add_tier(b, LOW, 1) == 0);
	CHECK(memtier_builder_add_tier(b, HIGH, 1) == 0);
	CHECK(set_size(b, "policy.dynamic_threshold.thresholds[0].val", 10) ==
	      -1);
	memtier_builder_delete(b);
}

#define NBLOCKS 40000

static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s >> 8;
}

/*
 * Sizes uniform in [16, 4096), tiers 1:1. At the default threshold (1024)
 * the upper tier gets about 15 times the bytes of the lower; the threshold
 * has to climb toward 2900 for the two to match.
 */
static void check_adapts(void)
{
	static void *blocks[NBLOCKS];
	struct memtier_builder *b = two_tiers(1, 1);
	struct memtier_memory *m;
	size_t low, high;
	uint32_t seed = 12345;
	unsigned i;

	CHECK(set_size(b, "policy.dynamic_threshold.thresholds[0].min", 16) ==
	      0);
	CHECK(set_size(b, "policy.dynamic_threshold.thresholds[0].max", 8192) ==
	      0);
	m = build(b);
	CHECK(m);
	CHECK(tier_of(m, 2000) == HIGH);
	for (i = 0; i < NBLOCKS; i++) {
		blocks[i] = memtier_malloc(m, 16 + lcg(&seed) % 4080);
		CHECK(blocks[i]);
	}
	low = memtier_kind_allocated_size(LOW);
	high = memtier_kind_allocated_size(HIGH);
	printf("low %zu high %zu bytes (want 1:1)\n", low, high);
	CHECK(low * 10 >= high * 8 && high * 10 >= low * 8);
	CHECK(tier_of(m, 2000) == LOW);
	CHECK(tier_of(m, 16) == LOW);
	CHECK(tier_of(m, 8192) == HIGH);
	for (i = 0; i < NBLOCKS; i++)
		memtier_free(blocks[i]);
	CHECK(memtier_kind_allocated_size(LOW) == 0);
	CHECK(memtier_kind_allocated_size(HIGH) == 0);
	memtier_delete_memtier_memory(m);
}

#define NTHREADS 4
#define PER_THREAD 20000

static void *thread_load(void *arg)
{
	struct memtier_memory *m = arg;
	uint32_t seed = (uint32_t)(uintptr_t)&seed;
	void *keep[64] = {0};
	unsigned i, slot;

	for (i = 0; i < PER_THREAD; i++) {
		slot = lcg(&seed) % 64;
		memtier_free(keep[slot]);
		keep[slot] = memtier_malloc(m, 8 + lcg(&seed) % 3000);
		if (!keep[slot])
			return "allocation failed";
	}
	for (i = 0; i < 64; i++)
		memtier_free(keep[i]);
	return NULL;
}

/* Threads allocating and freeing at once leave the counts at zero. */
static void check_threads(void)
{
	struct memtier_memory *m = build(two_tiers(1, 2));
	pthread_t t[NTHREADS];
	void *ret;
	int i;

	CHECK(m);
	for (i = 0; i < NTHREADS; i++)
		CHECK(pthread_create(&t[i], NULL, thread_load, m) == 0);
	for (i = 0; i < NTHREADS; i++) {
		CHECK(pthread_join(t[i], &ret) == 0);
		CHECK(ret == NULL);
	}
	CHECK(memtier_kind_allocated_size(LOW) == 0);
	CHECK(memtier_kind_allocated_size(HIGH) == 0);
	memtier_delete_memtier_memory(m);
}

int main(void)
{
	check_split();
	check_bad_settings();
	check_adapts();
	check_threads();
	return 0;
}
