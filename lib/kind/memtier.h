/* SPDX-License-Identifier: MIT */
/*
 * Memory tiers: what the builder (memtier_builder.c), the policies
 * (memtier_policy.c) and the allocation calls (memtier.c) share.
 */
#ifndef KIND_MEMTIER_H
#define KIND_MEMTIER_H

#include "internal.h"

#include <memkind_memtier.h>

#define MEMTIER_TIERS_MAX 8
#define MEMTIER_THRESHOLDS_MAX (MEMTIER_TIERS_MAX - 1)

/*
 * A size threshold between tier i and tier i + 1: sizes below val come
 * from tier i. The dynamic policy moves val within [min, max].
 */
struct memtier_threshold {
	size_t val;
	size_t min;
	size_t max;
};

struct memtier_builder {
	memtier_policy_t policy;
	unsigned ntiers;
	memkind_t kind[MEMTIER_TIERS_MAX];
	unsigned ratio[MEMTIER_TIERS_MAX];
	struct memtier_threshold thres[MEMTIER_THRESHOLDS_MAX];
	unsigned check_cnt;
	float trigger;
	float degree;
};

struct memtier_memory {
	memtier_policy_t policy;
	unsigned ntiers;
	memkind_t kind[MEMTIER_TIERS_MAX];
	unsigned ratio[MEMTIER_TIERS_MAX];
	/* DYNAMIC_THRESHOLD only. */
	atomic_size_t thres_val[MEMTIER_THRESHOLDS_MAX];
	size_t thres_min[MEMTIER_THRESHOLDS_MAX];
	size_t thres_max[MEMTIER_THRESHOLDS_MAX];
	float last_gap[MEMTIER_THRESHOLDS_MAX];
	unsigned check_cnt;
	float trigger;
	float degree;
	atomic_uint ops;
	atomic_flag adjusting;
};

/* The tier an allocation of size bytes comes from. */
memkind_t memtier_pick(struct memtier_memory *m, size_t size);
/* Called after each allocation through m: the dynamic policy's checks. */
void memtier_after_alloc(struct memtier_memory *m);
/* Bytes allocated through memtier_* from kind. */
size_t memtier_bytes(memkind_t kind);

#endif /* KIND_MEMTIER_H */
