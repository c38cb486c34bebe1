// SPDX-License-Identifier: MIT
/*
 * MEMKIND_MEM_TIERS and MEMKIND_MEM_THRESHOLDS (libmemtier(7)).
 *
 *   MEMKIND_MEM_TIERS="KIND:DRAM,RATIO:1;KIND:FS_DAX,PATH:/mnt/pmem,
 *                      PMEM_SIZE_LIMIT:10G,RATIO:4;POLICY:STATIC_RATIO"
 *   MEMKIND_MEM_THRESHOLDS="INIT_VAL:64,MIN_VAL:1,MAX_VAL:10000"
 *
 * Tiers are separated by ';', their parameters by ','; the policy comes
 * last. Every fault is reported, never guessed around: an unknown kind or
 * parameter, a parameter given twice, PATH or PMEM_SIZE_LIMIT on a kind
 * other than FS_DAX, a kind the machine cannot serve, thresholds without
 * the DYNAMIC_THRESHOLD policy. A threshold parameter left out takes
 * memkind's default, widened to include the values that were given.
 */
#include "tiers_env.h"

#include <errno.h>
#include <limits.h>
#include <memkind.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TIERS_VAR "MEMKIND_MEM_TIERS"
#define THRESHOLDS_VAR "MEMKIND_MEM_THRESHOLDS"

struct env_error {
	char *buf;
	size_t len;
};

static int fail(struct env_error *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->buf, e->len, fmt, ap);
	va_end(ap);
	return -1;
}

/* "NAME:VALUE": splits param in place. */
static int split_param(char *param, char **value, const char *var,
		       struct env_error *e)
{
	char *colon = strchr(param, ':');

	if (!colon || colon == param || !colon[1])
		return fail(e, "%s: \"%s\" is not NAME:VALUE", var, param);
	*colon = '\0';
	*value = colon + 1;
	return 0;
}

/* A decimal number, optionally followed by K, M or G (powers of 1024). */
static int parse_size(const char *s, size_t *out, bool suffix)
{
	unsigned long long v;
	unsigned shift = 0;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	if (suffix && *end) {
		const char *units = "KMG", *u = strchr(units, *end);

		if (!u || end[1])
			return -1;
		shift = 10 * (unsigned)(u - units + 1);
		end++;
	}
	if (*end || v > (SIZE_MAX >> shift))
		return -1;
	*out = (size_t)(v << shift);
	return 0;
}

struct tier_spec {
	const char *kind;
	const char *path;
	const char *limit;
	const char *ratio;
};

static int tier_param(struct tier_spec *t, const char *name, const char *value,
		      struct env_error *e)
{
	const char **slot;

	if (!strcmp(name, "KIND"))
		slot = &t->kind;
	else if (!strcmp(name, "PATH"))
		slot = &t->path;
	else if (!strcmp(name, "PMEM_SIZE_LIMIT"))
		slot = &t->limit;
	else if (!strcmp(name, "RATIO"))
		slot = &t->ratio;
	else
		return fail(e, TIERS_VAR ": unknown parameter %s", name);
	if (*slot)
		return fail(e, TIERS_VAR ": %s given twice in one tier", name);
	*slot = value;
	return 0;
}

static int fs_dax_kind(const struct tier_spec *t, memkind_t *kind,
		       struct env_error *e)
{
	size_t limit = 0;
	int rc;

	if (!t->path)
		return fail(e, TIERS_VAR ": FS_DAX needs PATH");
	if (t->limit && parse_size(t->limit, &limit, true))
		return fail(e, TIERS_VAR ": bad PMEM_SIZE_LIMIT %s", t->limit);
	rc = memkind_create_pmem(t->path, limit, kind);
	if (rc) {
		char msg[128];

		memkind_error_message(rc, msg, sizeof(msg));
		return fail(e, TIERS_VAR ": FS_DAX at %s: %s", t->path, msg);
	}
	return 0;
}

static int static_kind(const struct tier_spec *t, memkind_t *kind,
		       struct env_error *e)
{
	if (t->path || t->limit)
		return fail(e, TIERS_VAR ": PATH and PMEM_SIZE_LIMIT are for "
			    "FS_DAX only, not %s", t->kind);
	if (!strcmp(t->kind, "DRAM"))
		*kind = MEMKIND_DEFAULT;
	else if (!strcmp(t->kind, "KMEM_DAX"))
		*kind = MEMKIND_DAX_KMEM;
	else
		return fail(e, TIERS_VAR ": unknown KIND %s (DRAM, KMEM_DAX or "
			    "FS_DAX)", t->kind);
	if (memkind_check_available(*kind))
		return fail(e, TIERS_VAR ": KIND %s is not available on this "
			    "machine", t->kind);
	return 0;
}

/*
 * A first allocation from the kind, now: a kind prepares itself on first
 * use (finds its nodes through libnuma, which allocates), and the
 * program's malloc() must not be what first uses it.
 */
static int warm_up(memkind_t kind)
{
	void *p = memkind_malloc(kind, 1);

	if (!p)
		return -1;
	memkind_free(kind, p);
	return 0;
}

/* One tier: "KIND:...,RATIO:...[,PATH:...][,PMEM_SIZE_LIMIT:...]". */
static int add_tier(struct memtier_builder *b, char *conf, struct env_error *e)
{
	struct tier_spec t = {0};
	char *param, *value, *save;
	size_t ratio;
	memkind_t kind;

	for (param = strtok_r(conf, ",", &save); param;
	     param = strtok_r(NULL, ",", &save))
		if (split_param(param, &value, TIERS_VAR, e) ||
		    tier_param(&t, param, value, e))
			return -1;
	if (!t.kind || !t.ratio)
		return fail(e, TIERS_VAR ": each tier needs KIND and RATIO");
	if (parse_size(t.ratio, &ratio, false) || ratio == 0 ||
	    ratio > UINT_MAX)
		return fail(e, TIERS_VAR ": RATIO %s is not in 1..%u", t.ratio,
			    UINT_MAX);
	if (!strcmp(t.kind, "FS_DAX") ? fs_dax_kind(&t, &kind, e) :
					static_kind(&t, &kind, e))
		return -1;
	if (warm_up(kind))
		return fail(e, TIERS_VAR ": KIND %s cannot allocate: %s", t.kind,
			    strerror(errno));
	if (memtier_builder_add_tier(b, kind, (unsigned)ratio))
		return fail(e, TIERS_VAR ": KIND %s given twice, or too many "
			    "tiers", t.kind);
	return 0;
}

static int parse_policy(const char *conf, memtier_policy_t *policy,
			struct env_error *e)
{
	if (!strcmp(conf, "POLICY:STATIC_RATIO"))
		*policy = MEMTIER_POLICY_STATIC_RATIO;
	else if (!strcmp(conf, "POLICY:DYNAMIC_THRESHOLD"))
		*policy = MEMTIER_POLICY_DYNAMIC_THRESHOLD;
	else
		return fail(e, TIERS_VAR ": %s is not POLICY:STATIC_RATIO or "
			    "POLICY:DYNAMIC_THRESHOLD", conf);
	return 0;
}

/* The policy is the last configuration; it picks the builder's kind. */
static struct memtier_builder *builder_for(char *tiers,
					   memtier_policy_t *policy,
					   struct env_error *e)
{
	char *last = strrchr(tiers, ';');
	struct memtier_builder *b;

	if (!last || !last[1]) {
		fail(e, TIERS_VAR ": must end with ;POLICY:<policy>");
		return NULL;
	}
	*last = '\0';
	if (parse_policy(last + 1, policy, e))
		return NULL;
	if (strstr(tiers, "POLICY:")) {
		fail(e, TIERS_VAR ": POLICY must be given once, last");
		return NULL;
	}
	b = memtier_builder_new(*policy);
	if (!b)
		fail(e, TIERS_VAR ": %s", strerror(errno));
	return b;
}

struct threshold_spec {
	const char *val[3]; /* INIT_VAL, MIN_VAL, MAX_VAL */
};

static const char *const threshold_names[3] = {"INIT_VAL", "MIN_VAL",
					       "MAX_VAL"};
static const char *const threshold_ctl[3] = {"val", "min", "max"};

static int threshold_param(struct threshold_spec *t, const char *name,
			   const char *value, struct env_error *e)
{
	int i;

	for (i = 0; i < 3; i++) {
		if (strcmp(name, threshold_names[i]))
			continue;
		if (t->val[i])
			return fail(e, THRESHOLDS_VAR ": %s given twice", name);
		t->val[i] = value;
		return 0;
	}
	return fail(e, THRESHOLDS_VAR ": unknown parameter %s (INIT_VAL, "
		    "MIN_VAL or MAX_VAL)", name);
}

/* memkind's default for threshold idx, widened to hold what was given. */
static void complete_threshold(size_t v[3], const bool given[3], unsigned idx)
{
	size_t def_val = 1024 * ((size_t)idx + 1);
	size_t def[3] = {def_val, def_val - 511, def_val + 512};
	int i;

	for (i = 0; i < 3; i++)
		if (!given[i])
			v[i] = def[i];
	if (!given[1] && v[1] > v[0])
		v[1] = v[0];
	if (!given[2] && v[2] < v[0])
		v[2] = v[0];
	if (!given[0] && given[1] && v[0] < v[1])
		v[0] = v[1];
	if (!given[0] && given[2] && v[0] > v[2])
		v[0] = v[2];
}

static int set_threshold(struct memtier_builder *b, unsigned idx, char *conf,
			 struct env_error *e)
{
	struct threshold_spec t = {0};
	char *param, *value, *save, name[64];
	bool given[3];
	size_t v[3];
	int i;

	for (param = strtok_r(conf, ",", &save); param;
	     param = strtok_r(NULL, ",", &save))
		if (split_param(param, &value, THRESHOLDS_VAR, e) ||
		    threshold_param(&t, param, value, e))
			return -1;
	for (i = 0; i < 3; i++) {
		given[i] = t.val[i];
		if (given[i] && parse_size(t.val[i], &v[i], false))
			return fail(e, THRESHOLDS_VAR ": %s %s is not a size",
				    threshold_names[i], t.val[i]);
	}
	complete_threshold(v, given, idx);
	for (i = 0; i < 3; i++) {
		snprintf(name, sizeof(name),
			 "policy.dynamic_threshold.thresholds[%u].%s", idx,
			 threshold_ctl[i]);
		if (memtier_ctl_set(b, name, &v[i]))
			return fail(e, THRESHOLDS_VAR ": threshold %u has no "
				    "tier above it", idx);
	}
	return 0;
}

static int set_thresholds(struct memtier_builder *b, memtier_policy_t policy,
			  struct env_error *e)
{
	const char *env = getenv(THRESHOLDS_VAR);
	char *copy, *conf, *save;
	unsigned idx = 0;
	int rc = 0;

	if (!env)
		return 0;
	if (policy != MEMTIER_POLICY_DYNAMIC_THRESHOLD)
		return fail(e, THRESHOLDS_VAR " needs POLICY:DYNAMIC_THRESHOLD"
			    " in " TIERS_VAR);
	copy = strdup(env);
	if (!copy)
		return fail(e, THRESHOLDS_VAR ": %s", strerror(errno));
	for (conf = strtok_r(copy, ";", &save); conf && !rc;
	     conf = strtok_r(NULL, ";", &save))
		rc = set_threshold(b, idx++, conf, e);
	free(copy);
	return rc;
}

static int build_tiers(struct memtier_builder *b, char *tiers,
		       struct env_error *e)
{
	char *conf, *save;

	for (conf = strtok_r(tiers, ";", &save); conf;
	     conf = strtok_r(NULL, ";", &save))
		if (add_tier(b, conf, e))
			return -1;
	return 0;
}

int tiers_from_env(struct memtier_memory **memory, char *err, size_t errlen)
{
	struct env_error e = {err, errlen};
	const char *env = getenv(TIERS_VAR);
	memtier_policy_t policy = MEMTIER_POLICY_STATIC_RATIO;
	struct memtier_builder *b;
	char *tiers;
	int rc = -1;

	*memory = NULL;
	if (!env)
		return 0;
	tiers = strdup(env);
	if (!tiers)
		return fail(&e, TIERS_VAR ": %s", strerror(errno));
	b = builder_for(tiers, &policy, &e);
	if (b && !build_tiers(b, tiers, &e) && !set_thresholds(b, policy, &e)) {
		*memory = memtier_builder_construct_memtier_memory(b);
		if (*memory)
			rc = 0;
		else
			fail(&e, TIERS_VAR ": %s", policy ==
			     MEMTIER_POLICY_DYNAMIC_THRESHOLD ?
			     "DYNAMIC_THRESHOLD needs two tiers or more, and "
			     "thresholds that ascend without overlapping" :
			     "no tier");
	}
	memtier_builder_delete(b);
	free(tiers);
	return rc;
}
