// SPDX-License-Identifier: MIT
/*
 * Threads that share a kind get arenas of their own, as jemalloc's
 * automatic arenas and memkind's per-CPU arenas give them. With one arena,
 * two threads take each other's bin and extent locks on every cache fill
 * and flush, and carve neighbouring blocks out of the same slabs, so that
 * the cache lines they write bounce between their cores.
 *
 * Only the bound path (bind.c) spreads: a thread's own jemalloc cache moves
 * to arena (its ordinal modulo the fan-out) of the kind, made the first
 * time a thread needs it. Explicit caches, the calls without a cache and
 * memkind_pmem_mmap() keep the kind's first arena. jemalloc gives a block
 * back to the arena it came from, so frees need nothing.
 *
 * Bounded kinds keep one arena: an arena never hands the space it retains
 * to another, so with several a kind could be full in one while another
 * holds its freed space. Fixed kinds are never bound. The fan-out is the
 * number of CPUs, at most KIND_ARENAS_MAX. A process has 4,095 arenas at
 * most, and each kind needs one: once half of them exist, and whenever
 * jemalloc refuses one, threads stay on the kind's first arena.
 */
#include "internal.h"

#include <unistd.h>

static atomic_uint thread_count;
static __thread unsigned thread_ordinal
    __attribute__((tls_model("initial-exec")));

/* Arenas per kind, the first included: 1 to KIND_ARENAS_MAX. */
static unsigned fan_out(void)
{
	static atomic_uint n;
	unsigned v = atomic_load_explicit(&n, memory_order_relaxed);
	long cpus;

	if (v)
		return v;
	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	v = cpus < 1 ? 1 : cpus > KIND_ARENAS_MAX ? KIND_ARENAS_MAX
						  : (unsigned)cpus;
	atomic_store_explicit(&n, v, memory_order_relaxed);
	return v;
}

/* Room for another arena, leaving at least half for kinds made later. */
static bool arenas_plentiful(void)
{
	unsigned n = 0;
	size_t sz = sizeof(n);

	if (mallctl("arenas.narenas", &n, &sz, NULL, 0))
		return false;
	return n < KIND_ARENAS_LIMIT / 2;
}

/* 1, 2, 3... in the order threads first bind; 0 for none yet. */
static unsigned ordinal(void)
{
	if (!thread_ordinal)
		thread_ordinal = atomic_fetch_add(&thread_count, 1) + 1;
	return thread_ordinal;
}

/**
 * thread_arena_pick() - the arena of kind for the calling thread
 * @kind: the kind the thread binds to
 * @spread: false to take the first arena (a thread leaving a kind)
 *
 * Makes the arena at its first use. The caller holds bind.c's lock, which
 * serialises making them.
 */
unsigned thread_arena_pick(struct memkind *kind, bool spread)
{
	unsigned i, a;

	if (!spread || kind->heap.max_size)
		return kind->arena;
	i = (ordinal() - 1) % fan_out();
	if (i == 0)
		return kind->arena;
	a = atomic_load_explicit(&kind->thread_arenas[i - 1],
				 memory_order_acquire);
	if (a)
		return a;
	if (!arenas_plentiful() || arena_add(kind, &a))
		return kind->arena;
	atomic_store_explicit(&kind->thread_arenas[i - 1], a,
			      memory_order_release);
	return a;
}

/*
 * The kind's arenas into out (KIND_ARENAS_MAX entries), the first one
 * first. Returns how many. Arenas made meanwhile may be missed.
 */
unsigned kind_arenas(struct memkind *kind, unsigned *out)
{
	unsigned i, a, n = 0;

	out[n++] = kind->arena;
	for (i = 0; i < KIND_THREAD_ARENAS; i++) {
		a = atomic_load_explicit(&kind->thread_arenas[i],
					 memory_order_acquire);
		if (a)
			out[n++] = a;
	}
	return n;
}

/* Kind teardown, no thread bound to it any more: all but the first. */
void thread_arenas_destroy(struct memkind *kind)
{
	unsigned i, a;

	for (i = 0; i < KIND_THREAD_ARENAS; i++) {
		a = atomic_exchange(&kind->thread_arenas[i], 0);
		if (a)
			arena_destroy_index(a);
	}
}
