// SPDX-License-Identifier: MIT
/*
 * Which tier an allocation comes from (the policies of memtier(3)).
 *
 * MEMTIER_POLICY_STATIC_RATIO: the tier furthest below its share, the
 * smallest allocated[i] / ratio[i], so the bytes the tiers hold stay in
 * the ratios given whatever the sizes.
 *
 * MEMTIER_POLICY_DYNAMIC_THRESHOLD: by size. Allocations smaller than
 * threshold i come from tier i (the first such i), the rest from the last
 * tier: small objects in the fast tier, large ones in the big one. Every
 * check_cnt allocations the bytes of each pair of adjacent tiers are
 * compared with their ratio; when the two differ by trigger or more (and
 * the gap did not shrink since the last check) the threshold moves by
 * degree of its value, up when the upper tier holds too much, down when
 * the lower one does, never past its [min, max].
 */
#include "memtier.h"

#include <math.h>
#include <stdint.h>

static memkind_t static_ratio_pick(const struct memtier_memory *m)
{
	unsigned __int128 a, b;
	unsigned i, best = 0;

	for (i = 1; i < m->ntiers; i++) {
		a = (unsigned __int128)memtier_bytes(m->kind[i]) *
		    m->ratio[best];
		b = (unsigned __int128)memtier_bytes(m->kind[best]) *
		    m->ratio[i];
		if (a < b)
			best = i;
	}
	return m->kind[best];
}

static memkind_t threshold_pick(struct memtier_memory *m, size_t size)
{
	unsigned i;

	for (i = 0; i + 1 < m->ntiers; i++)
		if (size < atomic_load_explicit(&m->thres_val[i],
						memory_order_relaxed))
			break;
	return m->kind[i];
}

memkind_t memtier_pick(struct memtier_memory *m, size_t size)
{
	if (m->policy == MEMTIER_POLICY_DYNAMIC_THRESHOLD)
		return threshold_pick(m, size);
	return static_ratio_pick(m);
}

/* Moves threshold i toward the ratio of tiers i and i + 1. */
static void adjust_threshold(struct memtier_memory *m, unsigned i)
{
	size_t low = memtier_bytes(m->kind[i]);
	size_t high = memtier_bytes(m->kind[i + 1]);
	float want = (float)m->ratio[i + 1] / (float)m->ratio[i];
	size_t val = atomic_load(&m->thres_val[i]);
	float f = ceilf((float)val * m->degree);
	size_t step = f < (float)SIZE_MAX ? (size_t)f : SIZE_MAX;
	float have, gap;
	bool up;

	if (low == 0) {
		if (high == 0)
			return;
		up = true; /* everything went up: let more stay low */
	} else {
		have = (float)high / (float)low;
		gap = fabsf(have - want);
		if (gap < m->trigger ||
		    (m->last_gap[i] >= 0 && gap < m->last_gap[i])) {
			m->last_gap[i] = gap;
			return;
		}
		m->last_gap[i] = gap;
		up = have > want;
	}
	/* min <= val <= max holds, so neither side can wrap. */
	if (up)
		val = step > m->thres_max[i] - val ? m->thres_max[i] :
						     val + step;
	else
		val = step > val - m->thres_min[i] ? m->thres_min[i] :
						     val - step;
	atomic_store(&m->thres_val[i], val);
}

void memtier_after_alloc(struct memtier_memory *m)
{
	unsigned i;

	if (m->policy != MEMTIER_POLICY_DYNAMIC_THRESHOLD)
		return;
	if ((atomic_fetch_add_explicit(&m->ops, 1, memory_order_relaxed) + 1) %
	    m->check_cnt)
		return;
	/* One thread adjusts; the others go on with the values they see. */
	if (atomic_flag_test_and_set(&m->adjusting))
		return;
	for (i = 0; i + 1 < m->ntiers; i++)
		adjust_threshold(m, i);
	atomic_flag_clear(&m->adjusting);
}
