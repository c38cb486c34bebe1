// SPDX-License-Identifier: MIT
/*
 * The cost of single heap calls on one kind: a loop of N calls, built
 * against this project's libmemkind and against Debian's memkind, so that
 * both run the very same code. Used two ways:
 *
 *   - under callgrind, twice with different N: the difference of the two
 *     instruction counts, divided by the difference of N, is the cost of
 *     one iteration with start-up cancelled out (tests/kind/icount.sh,
 *     bench/kind/run.sh);
 *   - timed: iterations per second (bench/kind/run.sh).
 *
 *   kind_ops KIND OP N [THREADS]
 *
 * KIND: default (MEMKIND_DEFAULT), regular (MEMKIND_REGULAR, a static kind
 * placed by NUMA policy), pmem (a pmem kind in $KIND_OPS_DIR, default
 * /dev/shm), shared (memkind_create_shared; this project only), glibc
 * (malloc/free, for reference).
 * OP:   pair      memkind_malloc(kind, 64) + memkind_free(kind, p)
 *       freenull  memkind_malloc(kind, 64) + memkind_free(NULL, p)
 *       calloc    memkind_calloc(kind, 1, 64) + memkind_free(kind, p)
 *       realloc   memkind_realloc(kind, p, 49..64): one size class
 *       mixed     a live set of 100,000 blocks of 16 B-4 KiB, one
 *                 replaced per iteration (free + malloc)
 * THREADS: for the timed run, threads sharing the one kind (mixed: each
 * with its own live set, made before the clock starts). Prints "Mops/s"
 * of all threads together (the last one's finish counts, and the final
 * frees of the live sets; the threads' exits do not).
 * Exit 77 when the kind cannot exist here (shared against memkind).
 */
#include <memkind.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Absent from memkind: a weak reference is NULL there. */
#pragma weak memkind_create_shared

#define LIVE_SET 100000
#define MAX_THREADS 8

struct run {
	memkind_t kind; /* NULL: glibc */
	const char *op;
	long n;
	uint64_t seed;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Every thread's set-up is done before the clock starts. */
static pthread_barrier_t ready;
static double t_start;
/*
 * When the last thread finished its work, before any thread exits: a
 * thread's exit is not part of the work (jemalloc then purges an arena
 * the thread was alone on), and the one-thread run has none.
 */
static double t_end;
static pthread_mutex_t t_end_lock = PTHREAD_MUTEX_INITIALIZER;

static void work_done(void)
{
	double t = now();

	pthread_mutex_lock(&t_end_lock);
	if (t > t_end)
		t_end = t;
	pthread_mutex_unlock(&t_end_lock);
}

static void *k_malloc(memkind_t kind, size_t size)
{
	return kind ? memkind_malloc(kind, size) : malloc(size);
}

static void k_free(memkind_t kind, void *p)
{
	if (kind)
		memkind_free(kind, p);
	else
		free(p);
}

static void *must(void *p)
{
	if (!p) {
		fprintf(stderr, "kind_ops: allocation failed\n");
		exit(1);
	}
	return p;
}

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Stores through p so that the compiler keeps every call. */
static void touch(void *p, long i)
{
	*(volatile char *)p = (char)i;
}

static void loop_pair(memkind_t kind, long n)
{
	long i;

	for (i = 0; i < n; i++) {
		void *p = must(k_malloc(kind, 64));

		touch(p, i);
		k_free(kind, p);
	}
}

static void loop_freenull(memkind_t kind, long n)
{
	long i;

	for (i = 0; i < n; i++) {
		void *p = must(k_malloc(kind, 64));

		touch(p, i);
		if (kind)
			memkind_free(NULL, p);
		else
			free(p);
	}
}

static void loop_calloc(memkind_t kind, long n)
{
	long i;

	for (i = 0; i < n; i++) {
		void *p = must(kind ? memkind_calloc(kind, 1, 64)
				    : calloc(1, 64));

		touch(p, i);
		k_free(kind, p);
	}
}

static void loop_realloc(memkind_t kind, long n)
{
	void *p = must(k_malloc(kind, 64));
	long i;

	for (i = 0; i < n; i++) {
		size_t size = 49 + (size_t)(i & 15);

		p = must(kind ? memkind_realloc(kind, p, size)
			      : realloc(p, size));
		touch(p, i);
	}
	k_free(kind, p);
}

static void loop_mixed(memkind_t kind, long n, uint64_t seed)
{
	void **live = must(calloc(LIVE_SET, sizeof(*live)));
	uint64_t s = seed;
	long i;

	for (i = 0; i < LIVE_SET; i++)
		live[i] = must(k_malloc(kind, 16 + rng_next(&s) % 4081));
	/* The steady state is measured: the live set is made untimed. */
	if (pthread_barrier_wait(&ready) == PTHREAD_BARRIER_SERIAL_THREAD)
		t_start = now();
	pthread_barrier_wait(&ready);
	for (i = 0; i < n; i++) {
		uint64_t r = rng_next(&s);
		size_t slot = (r & 0xffffffff) % LIVE_SET;

		k_free(kind, live[slot]);
		live[slot] = must(k_malloc(kind, 16 + (r >> 32) % 4081));
		touch(live[slot], i);
	}
	for (i = 0; i < LIVE_SET; i++)
		k_free(kind, live[i]);
	free(live);
}

static void *run_loop(void *arg)
{
	const struct run *r = arg;

	if (strcmp(r->op, "mixed")) {
		if (pthread_barrier_wait(&ready) ==
		    PTHREAD_BARRIER_SERIAL_THREAD)
			t_start = now();
		pthread_barrier_wait(&ready);
	}
	if (!strcmp(r->op, "pair"))
		loop_pair(r->kind, r->n);
	else if (!strcmp(r->op, "freenull"))
		loop_freenull(r->kind, r->n);
	else if (!strcmp(r->op, "calloc"))
		loop_calloc(r->kind, r->n);
	else if (!strcmp(r->op, "realloc"))
		loop_realloc(r->kind, r->n);
	else if (!strcmp(r->op, "mixed"))
		loop_mixed(r->kind, r->n, r->seed);
	else
		exit(2);
	work_done();
	return NULL;
}

static memkind_t kind_open(const char *name)
{
	const char *dir = getenv("KIND_OPS_DIR");
	memkind_t kind = NULL;
	int err = 0;

	if (!strcmp(name, "glibc"))
		return NULL;
	if (!strcmp(name, "default"))
		return MEMKIND_DEFAULT;
	if (!strcmp(name, "regular"))
		return MEMKIND_REGULAR;
	if (!strcmp(name, "pmem"))
		err = memkind_create_pmem(dir ? dir : "/dev/shm", 0, &kind);
	else if (!strcmp(name, "shared") && memkind_create_shared)
		err = memkind_create_shared(0, &kind);
	else if (!strcmp(name, "shared"))
		exit(77);
	else
		exit(2);
	if (err) {
		fprintf(stderr, "kind_ops: cannot create a %s kind (%d)\n",
			name, err);
		exit(1);
	}
	return kind;
}

int main(int argc, char **argv)
{
	struct run runs[MAX_THREADS];
	pthread_t th[MAX_THREADS];
	memkind_t kind;
	int nthreads, i;
	double t;

	if (argc < 4) {
		fprintf(stderr, "usage: kind_ops KIND OP N [THREADS]\n");
		return 2;
	}
	nthreads = argc > 4 ? atoi(argv[4]) : 1;
	if (nthreads < 1 || nthreads > MAX_THREADS)
		return 2;
	kind = kind_open(argv[1]);
	for (i = 0; i < nthreads; i++)
		runs[i] = (struct run){kind, argv[2], atol(argv[3]),
				       88172645463325252ull + (uint64_t)i};
	pthread_barrier_init(&ready, NULL, (unsigned)nthreads);
	if (nthreads == 1) {
		run_loop(&runs[0]);
	} else {
		for (i = 0; i < nthreads; i++)
			pthread_create(&th[i], NULL, run_loop, &runs[i]);
		for (i = 0; i < nthreads; i++)
			pthread_join(th[i], NULL);
	}
	t = t_end - t_start;
	printf("%.3f\n", nthreads * (double)runs[0].n / t / 1e6);
	if (kind && kind != MEMKIND_DEFAULT)
		memkind_destroy_kind(kind);
	return 0;
}
