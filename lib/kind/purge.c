// SPDX-License-Identifier: MIT
/*
 * When freed space goes back to the file system. jemalloc keeps freed
 * pages of a kind "dirty" (still in the file, ready for reuse) and purges
 * them by decay: pages freed at one moment are all gone dirty_decay_ms
 * later. Purging punches them out of the file (arena.c's hooks).
 *
 * jemalloc only looks at its decay clock when the arena is busy (cache
 * fills and flushes, large blocks): a program that frees 64 MiB and then
 * allocates a little, from its thread cache, would keep all of it in the
 * file for good. So one purge thread, started with the first kind, asks
 * every arena of every kind (thread_arena.c) to decay ("arena.<i>.decay")
 * every PURGE_PERIOD_MS, off the allocation path; it sleeps on a condition
 * while there is no such kind.
 *
 * jemalloc's own background thread would do the same, but it is a switch
 * for the whole process (the program's malloc too, when that is
 * jemalloc), and jemalloc 5.3's stops serving new arenas once an arena
 * with a decay time of 0 (a conservative kind) has purged and been
 * destroyed.
 *
 * Decay times by usage policy: the default keeps freed pages for at most
 * PURGE_DECAY_MS (memkind's jemalloc keeps them ten seconds), so they are
 * gone within PURGE_DECAY_MS + PURGE_PERIOD_MS; a conservative kind
 * punches them out as soon as jemalloc gets them back. Blocks in a
 * thread's cache are not free to jemalloc; the caches are small.
 *
 * There is no lazy purge for a shared file, so nothing ever becomes
 * "muzzy": muzzy decay is off (-1), which also keeps jemalloc from
 * punching out every freed block of 8 MiB or more at once.
 *
 * In a fork child the thread starts again with the child's next kind.
 */
#include "internal.h"

#include <signal.h>
#include <time.h>

#define PURGE_DECAY_MS 1000
#define PURGE_PERIOD_MS 500

static pthread_mutex_t purge_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t purge_cond = PTHREAD_COND_INITIALIZER;
static unsigned purge_kinds; /* live kinds the thread decays */
static bool purge_running;   /* created */
static bool purge_alive;     /* and running */

/* Decays each of the kind's arenas (thread_arena.c). */
static void purge_kind(struct memkind *kind, size_t *mib, size_t miblen)
{
	unsigned arenas[KIND_ARENAS_MAX], i, n = kind_arenas(kind, arenas);

	for (i = 0; i < n; i++) {
		mib[1] = arenas[i];
		mallctlbymib(mib, miblen, NULL, NULL, NULL, 0);
	}
}

/*
 * One pass over the kinds. The slot lock keeps each kind's arena alive
 * while it decays (purge_forget() takes it before the arena goes).
 */
static void purge_pass(void)
{
	size_t mib[3], miblen = 3;
	pthread_mutex_t *lock;
	struct memkind *kind;
	unsigned s, n = registry_limit();

	if (mallctlnametomib("arena.0.decay", mib, &miblen))
		return;
	for (s = 0; s < n; s++) {
		lock = registry_slot_lock(s);
		pthread_mutex_lock(lock);
		kind = registry_slot_kind(s);
		if (kind && kind->purge)
			purge_kind(kind, mib, miblen);
		pthread_mutex_unlock(lock);
	}
}

static void *purge_main(void *arg)
{
	const struct timespec period = {
	    PURGE_PERIOD_MS / 1000, (PURGE_PERIOD_MS % 1000) * 1000000L};

	pthread_mutex_lock(&purge_lock);
	purge_alive = true;
	pthread_cond_broadcast(&purge_cond);
	pthread_mutex_unlock(&purge_lock);
	for (;;) {
		pthread_mutex_lock(&purge_lock);
		while (!purge_kinds)
			pthread_cond_wait(&purge_cond, &purge_lock);
		pthread_mutex_unlock(&purge_lock);
		nanosleep(&period, NULL);
		purge_pass();
	}
	return NULL;
}

/*
 * Caller holds purge_lock. Signals stay with the program's threads. Waits
 * for the thread to run, so that whatever its start costs (a stack, a
 * sanitizer's bookkeeping) is done when the kind's creation returns.
 */
static void purge_start(void)
{
	sigset_t all, old;
	pthread_attr_t attr;
	pthread_t th;

	if (purge_running || pthread_attr_init(&attr))
		return;
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	purge_running = pthread_create(&th, &attr, purge_main, NULL) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	while (purge_running && !purge_alive)
		pthread_cond_wait(&purge_cond, &purge_lock);
}

/* Decay times of one of the kind's arenas. Returns 0 or -1. */
int purge_arena_setup(struct memkind *kind, unsigned arena)
{
	bool timed = kind->policy != MEMKIND_MEM_USAGE_POLICY_CONSERVATIVE;

	if (arena_set_ssize(arena, "dirty_decay_ms",
			    timed ? PURGE_DECAY_MS : 0) ||
	    arena_set_ssize(arena, "muzzy_decay_ms", -1))
		return -1;
	return 0;
}

/* The kind's first arena is set up: the thread decays it. 0 or -1. */
int purge_setup(struct memkind *kind)
{
	pthread_mutex_t *lock = registry_slot_lock(kind->slot);

	if (kind->policy == MEMKIND_MEM_USAGE_POLICY_CONSERVATIVE)
		return 0;
	pthread_mutex_lock(lock);
	kind->purge = true;
	pthread_mutex_unlock(lock);
	pthread_mutex_lock(&purge_lock);
	purge_kinds++;
	purge_start();
	pthread_cond_broadcast(&purge_cond);
	pthread_mutex_unlock(&purge_lock);
	return 0;
}

/* Before the kind's arena is destroyed: the thread lets it be. */
void purge_forget(struct memkind *kind)
{
	pthread_mutex_t *lock = registry_slot_lock(kind->slot);
	bool was;

	pthread_mutex_lock(lock);
	was = kind->purge;
	kind->purge = false;
	pthread_mutex_unlock(lock);
	if (!was)
		return;
	pthread_mutex_lock(&purge_lock);
	purge_kinds--;
	pthread_mutex_unlock(&purge_lock);
}

/* The thread did not survive fork(): the next kind starts it again. */
void purge_fork_child(void)
{
	pthread_mutex_init(&purge_lock, NULL);
	pthread_cond_init(&purge_cond, NULL);
	purge_running = false;
	purge_alive = false;
}
