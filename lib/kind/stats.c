// SPDX-License-Identifier: MIT
/*
 * Statistics. Like memkind, values are cached: memkind_get_stat() reports
 * the state as of the last memkind_update_cached_stats().
 */
#include "internal.h"

#include <stdint.h>

KIND_API int memkind_update_cached_stats(void)
{
	uint64_t epoch = 1;
	size_t sz = sizeof(epoch);

	/* The caller's cached blocks count as allocated otherwise. */
	tcache_flush_thread_all();
	if (mallctl("epoch", &epoch, &sz, &epoch, sz))
		return MEMKIND_ERROR_OPERATION_FAILED;
	return MEMKIND_SUCCESS;
}

static int total_stat(memkind_stat_type stat, size_t *value)
{
	static const char *const names[] = {
	    [MEMKIND_STAT_TYPE_RESIDENT] = "stats.resident",
	    [MEMKIND_STAT_TYPE_ACTIVE] = "stats.active",
	    [MEMKIND_STAT_TYPE_ALLOCATED] = "stats.allocated",
	};
	size_t sz = sizeof(*value);

	if (mallctl(names[stat], value, &sz, NULL, 0))
		return MEMKIND_ERROR_UNAVAILABLE;
	return MEMKIND_SUCCESS;
}

/*
 * The static kinds: jemalloc's totals less every file-backed kind's share
 * (their arenas are the only others).
 */
int default_get_stat(struct memkind *kind, memkind_stat_type stat,
		     size_t *value)
{
	struct memkind *k;
	size_t total, v;
	unsigned s;
	int ret;

	ret = total_stat(stat, &total);
	if (ret)
		return ret;
	registry_lock();
	for (s = 0; s < KIND_SLOTS && !ret; s++) {
		k = registry_get(s);
		if (k && !(ret = arena_kind_get_stat(k, stat, &v)))
			total -= v < total ? v : total;
	}
	registry_unlock();
	if (!ret)
		*value = total;
	return ret;
}

/* kind NULL: totals over every jemalloc arena, the kinds' included. */
KIND_API int memkind_get_stat(memkind_t kind, memkind_stat_type stat,
			      size_t *value)
{
	if (!value || (unsigned)stat >= MEMKIND_STAT_TYPE_MAX_VALUE)
		return MEMKIND_ERROR_INVALID;
	if (!kind)
		return total_stat(stat, value);
	return kind->ops->get_stat(kind, stat, value);
}

/* jemalloc's malloc_stats_print() option letters, one per bit. */
static const struct {
	memkind_stat_print_opt bit;
	char letter;
} print_opts[] = {
    {MEMKIND_STAT_PRINT_JSON_FORMAT, 'J'},
    {MEMKIND_STAT_PRINT_OMIT_GENERAL, 'g'},
    {MEMKIND_STAT_PRINT_OMIT_MERGED_ARENA, 'm'},
    {MEMKIND_STAT_PRINT_OMIT_DESTROYED_MERGED_ARENA, 'd'},
    {MEMKIND_STAT_PRINT_OMIT_PER_ARENA, 'a'},
    {MEMKIND_STAT_PRINT_OMIT_PER_SIZE_CLASS_BINS, 'b'},
    {MEMKIND_STAT_PRINT_OMIT_PER_SIZE_CLASS_LARGE, 'l'},
    {MEMKIND_STAT_PRINT_OMIT_MUTEX, 'x'},
    {MEMKIND_STAT_PRINT_OMIT_EXTENT, 'e'},
};
#define PRINT_OPTS_ALL ((1U << 9) - 1)

KIND_API int memkind_stats_print(void (*write_cb)(void *, const char *),
				 void *cbopaque, memkind_stat_print_opt opts)
{
	char letters[sizeof(print_opts) / sizeof(print_opts[0]) + 1];
	size_t i, n = 0;

	if ((unsigned)opts & ~PRINT_OPTS_ALL)
		return MEMKIND_ERROR_INVALID;
	for (i = 0; i < sizeof(print_opts) / sizeof(print_opts[0]); i++)
		if (opts & print_opts[i].bit)
			letters[n++] = print_opts[i].letter;
	letters[n] = 0;
	malloc_stats_print(write_cb, cbopaque, letters);
	return MEMKIND_SUCCESS;
}

/* jemalloc's background purging threads, for every arena. */
KIND_API int memkind_set_bg_threads(bool state)
{
	if (mallctl("background_thread", NULL, NULL, &state, sizeof(state)))
		return MEMKIND_ERROR_OPERATION_FAILED;
	return MEMKIND_SUCCESS;
}
