// SPDX-License-Identifier: MIT
/*
 * Building a memtier memory (memtier(3)): the tiers and their ratios, the
 * policy, and for MEMTIER_POLICY_DYNAMIC_THRESHOLD the size thresholds
 * between adjacent tiers and how they move (memtier_ctl_set). Every
 * setting is checked when the memory is constructed, so a memory that
 * exists is consistent: thresholds ascending, each inside its own
 * [min, max], ranges of adjacent thresholds not overlapping.
 */
#include "memtier.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* memkind's defaults: the threshold between tiers i and i + 1. */
#define THRESHOLD_STEP 1024
#define DEFAULT_CHECK_CNT 20
#define DEFAULT_TRIGGER 0.02f
#define DEFAULT_DEGREE 0.15f

static void default_threshold(struct memtier_threshold *t, unsigned i)
{
	t->val = (size_t)THRESHOLD_STEP * (i + 1);
	t->min = t->val - THRESHOLD_STEP / 2 + 1;
	t->max = t->val + THRESHOLD_STEP / 2;
}

static void *einval(void)
{
	errno = EINVAL;
	return NULL;
}

KIND_API struct memtier_builder *memtier_builder_new(memtier_policy_t policy)
{
	struct memtier_builder *b;
	unsigned i;

	if ((unsigned)policy >= MEMTIER_POLICY_MAX_VALUE)
		return einval();
	b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->policy = policy;
	b->check_cnt = DEFAULT_CHECK_CNT;
	b->trigger = DEFAULT_TRIGGER;
	b->degree = DEFAULT_DEGREE;
	for (i = 0; i < MEMTIER_THRESHOLDS_MAX; i++)
		default_threshold(&b->thres[i], i);
	return b;
}

KIND_API void memtier_builder_delete(struct memtier_builder *builder)
{
	free(builder);
}

KIND_API int memtier_builder_add_tier(struct memtier_builder *builder,
				      memkind_t kind, unsigned kind_ratio)
{
	unsigned i;

	if (!builder || !kind || kind_ratio == 0 ||
	    builder->ntiers == MEMTIER_TIERS_MAX)
		goto invalid;
	for (i = 0; i < builder->ntiers; i++)
		if (builder->kind[i] == kind)
			goto invalid;
	builder->kind[builder->ntiers] = kind;
	builder->ratio[builder->ntiers] = kind_ratio;
	builder->ntiers++;
	return 0;
invalid:
	errno = EINVAL;
	return -1;
}

static bool thresholds_valid(const struct memtier_builder *b)
{
	const struct memtier_threshold *t = b->thres;
	unsigned i;

	for (i = 0; i + 1 < b->ntiers; i++) {
		if (t[i].min > t[i].val || t[i].val > t[i].max || t[i].val == 0)
			return false;
		if (i > 0 && t[i - 1].max > t[i].min)
			return false;
	}
	/* NaN fails both comparisons. */
	return b->check_cnt > 0 && b->trigger >= 0 && b->degree >= 0;
}

static bool builder_valid(const struct memtier_builder *b)
{
	if (!b || b->ntiers == 0)
		return false;
	if (b->policy == MEMTIER_POLICY_DYNAMIC_THRESHOLD)
		return b->ntiers >= 2 && thresholds_valid(b);
	return true;
}

KIND_API struct memtier_memory *
memtier_builder_construct_memtier_memory(struct memtier_builder *builder)
{
	struct memtier_memory *m;
	unsigned i;

	if (!builder_valid(builder))
		return einval();
	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->policy = builder->policy;
	m->ntiers = builder->ntiers;
	memcpy(m->kind, builder->kind, sizeof(m->kind));
	memcpy(m->ratio, builder->ratio, sizeof(m->ratio));
	for (i = 0; i + 1 < m->ntiers; i++) {
		atomic_init(&m->thres_val[i], builder->thres[i].val);
		m->thres_min[i] = builder->thres[i].min;
		m->thres_max[i] = builder->thres[i].max;
		m->last_gap[i] = -1;
	}
	m->check_cnt = builder->check_cnt;
	m->trigger = builder->trigger;
	m->degree = builder->degree;
	atomic_flag_clear(&m->adjusting);
	return m;
}

KIND_API void memtier_delete_memtier_memory(struct memtier_memory *memory)
{
	free(memory);
}

/* "thresholds[N].field": the field of threshold N, which must exist. */
static size_t *threshold_field(struct memtier_builder *b, const char *name)
{
	struct memtier_threshold *t;
	char field[4];
	unsigned idx;
	int end = 0;

	if (sscanf(name, "thresholds[%u].%3[a-z]%n", &idx, field, &end) != 2 ||
	    name[end] != '\0' || idx >= MEMTIER_THRESHOLDS_MAX ||
	    idx + 1 >= b->ntiers)
		return NULL;
	t = &b->thres[idx];
	if (!strcmp(field, "val"))
		return &t->val;
	if (!strcmp(field, "min"))
		return &t->min;
	if (!strcmp(field, "max"))
		return &t->max;
	return NULL;
}

/*
 * The settings of the dynamic threshold policy, under the names memkind
 * uses: val points to a size_t for the thresholds, an unsigned for
 * check_cnt and a float for trigger and degree.
 */
KIND_API int memtier_ctl_set(struct memtier_builder *builder, const char *name,
			     const void *val)
{
	static const char prefix[] = "policy.dynamic_threshold.";
	size_t *field;

	if (!builder || !name || !val ||
	    builder->policy != MEMTIER_POLICY_DYNAMIC_THRESHOLD ||
	    strncmp(name, prefix, sizeof(prefix) - 1))
		goto invalid;
	name += sizeof(prefix) - 1;
	if (!strcmp(name, "check_cnt")) {
		builder->check_cnt = *(const unsigned *)val;
		return 0;
	}
	if (!strcmp(name, "trigger")) {
		builder->trigger = *(const float *)val;
		return 0;
	}
	if (!strcmp(name, "degree")) {
		builder->degree = *(const float *)val;
		return 0;
	}
	field = threshold_field(builder, name);
	if (field) {
		*field = *(const size_t *)val;
		return 0;
	}
invalid:
	errno = EINVAL;
	return -1;
}
