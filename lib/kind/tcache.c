// SPDX-License-Identifier: MIT
/*
 * Per-thread, per-kind jemalloc thread caches. A jemalloc thread cache
 * hands out whatever it holds for a size class, whatever arena it came
 * from, so kinds cannot share one: each (thread, kind) pair gets its own
 * explicit cache ("tcache.create"), created at the thread's first use of
 * the kind. The fast path is a thread-local table indexed by the kind's
 * slot: one load and one compare.
 *
 * Lifetime: a kind's caches are destroyed (flushed back to its arena) when
 * the kind is destroyed, before its arena goes; a thread's caches are
 * destroyed when the thread exits. Both happen under the slot lock, and the
 * generation number tells which kind a table entry belongs to. jemalloc has
 * about 4,000 explicit cache ids; when they run out, the pair allocates
 * without a cache, which is slower but correct.
 */
#include "internal.h"

#include <stdlib.h>

__thread struct tc_entry *tc_table __attribute__((tls_model("initial-exec")));

static pthread_key_t tc_key;
static pthread_once_t tc_key_once = PTHREAD_ONCE_INIT;

static void tcache_destroy_id(unsigned tc)
{
	mallctl("tcache.destroy", NULL, NULL, &tc, sizeof(tc));
}

/* Caller holds the kind's slot lock. */
static void kind_forget_tc(struct memkind *kind, unsigned tc)
{
	unsigned i;

	for (i = 0; i < kind->ntc; i++) {
		if (kind->tc_ids[i] == tc) {
			kind->tc_ids[i] = kind->tc_ids[--kind->ntc];
			return;
		}
	}
}

/* Caller holds the kind's slot lock. */
static int kind_remember_tc(struct memkind *kind, unsigned tc)
{
	unsigned *ids;
	unsigned cap;

	if (kind->ntc == kind->tc_cap) {
		cap = kind->tc_cap ? kind->tc_cap * 2 : 4;
		ids = meta_realloc(kind->tc_ids, cap * sizeof(*ids));
		if (!ids)
			return -1;
		kind->tc_ids = ids;
		kind->tc_cap = cap;
	}
	kind->tc_ids[kind->ntc++] = tc;
	return 0;
}

/* Thread exit: give every cache of the thread back to its kind's arena. */
static void thread_exit(void *arg)
{
	struct tc_entry *t = arg;
	pthread_mutex_t *lock;
	struct memkind *kind;
	unsigned s;

	for (s = 0; s <= KIND_DEFAULT_SLOT; s++) {
		if (!t[s].gen || t[s].tc == TC_NONE)
			continue;
		lock = registry_slot_lock(s);
		pthread_mutex_lock(lock);
		if (registry_slot_gen(s) == t[s].gen) {
			kind = registry_slot_kind(s);
			kind_forget_tc(kind, t[s].tc);
			tcache_destroy_id(t[s].tc);
		}
		pthread_mutex_unlock(lock);
	}
	tc_table = NULL;
	meta_free(t);
}

static void tc_key_init(void)
{
	pthread_key_create(&tc_key, thread_exit);
}

/*
 * The table is bookkeeping memory (meta.c), not malloc()'s.
 * pthread_setspecific() may still call malloc() for a key's
 * second-level block, hence the guard: allocations the thread makes while
 * its table is being created go without a cache.
 */
static __thread bool table_creating
    __attribute__((tls_model("initial-exec")));

static struct tc_entry *table_create(void)
{
	struct tc_entry *t = NULL;

	if (table_creating)
		return NULL;
	table_creating = true;
	pthread_once(&tc_key_once, tc_key_init);
	t = meta_calloc(KIND_DEFAULT_SLOT + 1, sizeof(*t));
	if (t && pthread_setspecific(tc_key, t)) {
		meta_free(t);
		t = NULL;
	}
	tc_table = t;
	table_creating = false;
	return t;
}

struct tc_entry *tcache_slow_get(struct memkind *kind)
{
	struct tc_entry *t = tc_table, *e;
	pthread_mutex_t *lock;
	unsigned tc;
	size_t sz = sizeof(tc);

	if (!t)
		t = table_create();
	if (!t)
		return &kind->direct;
	e = &t[kind->slot];
	/*
	 * A thread's first few allocations from a kind go without a cache:
	 * a kind that is created, used a little and destroyed (or one of
	 * thousands) then costs no cache at all.
	 */
	if (e->probe_gen != kind->gen) {
		e->probe_gen = kind->gen;
		e->probes = 0;
	}
	if (++e->probes < TC_PROBATION)
		return &kind->direct;
	lock = registry_slot_lock(kind->slot);
	pthread_mutex_lock(lock);
	if (registry_slot_gen(kind->slot) != kind->gen) {
		pthread_mutex_unlock(lock);
		return &kind->direct;
	}
	e->tc = TC_NONE;
	e->alloc_flags = kind->direct.alloc_flags;
	e->free_flags = kind->direct.free_flags;
	if (mallctl("tcache.create", &tc, &sz, NULL, 0) == 0) {
		if (kind_remember_tc(kind, tc) == 0) {
			e->tc = tc;
			e->alloc_flags =
			    arena_flag(kind->arena) | MALLOCX_TCACHE(tc);
			e->free_flags = MALLOCX_TCACHE(tc);
		} else {
			tcache_destroy_id(tc);
		}
	}
	e->gen = kind->gen;
	pthread_mutex_unlock(lock);
	return e;
}

/* Kind destroy: every thread's cache of the kind goes back to the arena. */
void tcache_kind_release(struct memkind *kind)
{
	pthread_mutex_t *lock = registry_slot_lock(kind->slot);
	unsigned i;

	pthread_mutex_lock(lock);
	for (i = 0; i < kind->ntc; i++)
		tcache_destroy_id(kind->tc_ids[i]);
	meta_free(kind->tc_ids);
	kind->tc_ids = NULL;
	kind->ntc = kind->tc_cap = 0;
	pthread_mutex_unlock(lock);
}

/* Empties the calling thread's caches of kind into the arena. */
void tcache_flush_thread(struct memkind *kind)
{
	struct tc_entry *t = tc_table;

	bind_flush(kind);
	if (t && t[kind->slot].gen == kind->gen && t[kind->slot].tc != TC_NONE)
		mallctl("tcache.flush", NULL, NULL, &t[kind->slot].tc,
			sizeof(unsigned));
}

/* Empties all of the calling thread's caches of live kinds. */
void tcache_flush_thread_all(void)
{
	struct tc_entry *t = tc_table;
	pthread_mutex_t *lock;
	unsigned s;

	bind_flush(NULL);
	if (!t)
		return;
	for (s = 0; s <= KIND_DEFAULT_SLOT; s++) {
		if (!t[s].gen || t[s].tc == TC_NONE)
			continue;
		lock = registry_slot_lock(s);
		pthread_mutex_lock(lock);
		if (registry_slot_gen(s) == t[s].gen)
			mallctl("tcache.flush", NULL, NULL, &t[s].tc,
				sizeof(unsigned));
		pthread_mutex_unlock(lock);
	}
}
