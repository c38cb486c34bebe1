// SPDX-License-Identifier: MIT
/*
 * Threads that share a kind allocate from arenas of their own, as they do
 * from jemalloc's automatic arenas: small blocks two threads allocate in
 * turns never share a page (in one arena they come from the same slabs,
 * and the threads' writes bounce cache lines between cores). Every block
 * is still found by memkind_free(NULL, ...) and counted in its kind's
 * statistics, blocks freed by the other thread go back, and the space two
 * threads freed leaves the kind's file within 3 s while they keep
 * allocating a little (the purge covers every arena). A bounded kind
 * keeps one arena, so the space one thread freed is the next one's.
 */
#include <pthread.h>
#include <stdatomic.h>

#include "kind_helpers.h"

#define ROUNDS 40
#define PER_ROUND 64
#define BLOCKS (ROUNDS / 2 * PER_ROUND) /* per thread */
#define BLOCK_SIZE 64
#define FILL_BLOCK 4096

static pthread_barrier_t turn;
static memkind_t kind;
static void *blocks[2][BLOCKS];
static size_t filled[2];

/* Enough uses of the kind for the thread's own cache to serve it. */
static void bind_to(memkind_t k)
{
	int i;

	for (i = 0; i < 300; i++)
		memkind_free(k, memkind_malloc(k, BLOCK_SIZE));
}

/* Thread me allocates PER_ROUND blocks in its turn of each round. */
static void *take_turns(void *arg)
{
	int me = (int)(intptr_t)arg, r, i;

	bind_to(kind);
	for (r = 0; r < ROUNDS; r++) {
		pthread_barrier_wait(&turn);
		if (r % 2 != me)
			continue;
		for (i = 0; i < PER_ROUND; i++) {
			void *p = memkind_malloc(kind, BLOCK_SIZE);

			CHECK(p);
			fill_pattern(p, BLOCK_SIZE, (uint32_t)(me * BLOCKS + r));
			blocks[me][r / 2 * PER_ROUND + i] = p;
		}
	}
	pthread_barrier_wait(&turn);
	/* Each frees half the other's blocks, with the kind and without. */
	for (i = 0; i < BLOCKS / 2; i++)
		memkind_free(i % 2 ? NULL : kind, blocks[!me][i]);
	return NULL;
}

static int cmp_page(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

/* No page holds blocks of both threads. */
static void check_pages_apart(void)
{
	static uintptr_t pages[2][BLOCKS];
	int t, i, j = 0;

	for (t = 0; t < 2; t++) {
		for (i = 0; i < BLOCKS; i++)
			pages[t][i] = (uintptr_t)blocks[t][i] >> 12;
		qsort(pages[t], BLOCKS, sizeof(uintptr_t), cmp_page);
	}
	for (i = 0; i < BLOCKS; i++) {
		while (j < BLOCKS && pages[1][j] < pages[0][i])
			j++;
		if (j < BLOCKS && pages[1][j] == pages[0][i])
			test_fail_at(__FILE__, __LINE__,
				     "page %#lx holds blocks of both threads",
				     (unsigned long)(pages[0][i] << 12));
	}
}

static size_t allocated(memkind_t k)
{
	size_t v = 0;

	CHECK(memkind_update_cached_stats() == 0);
	CHECK(memkind_get_stat(k, MEMKIND_STAT_TYPE_ALLOCATED, &v) == 0);
	return v;
}

/* Runs fn in two threads, given 0 and 1, which meet at the barrier turn. */
static void run_two(void *(*fn)(void *))
{
	pthread_t th[2];
	int t;

	CHECK(pthread_barrier_init(&turn, NULL, 2) == 0);
	for (t = 0; t < 2; t++) {
		void *arg = (void *)(intptr_t)t;

		CHECK(pthread_create(&th[t], NULL, fn, arg) == 0);
	}
	for (t = 0; t < 2; t++)
		CHECK(pthread_join(th[t], NULL) == 0);
	pthread_barrier_destroy(&turn);
}

static void check_two_threads(memkind_t k, const char *name, bool stats)
{
	size_t before = stats ? allocated(k) : 0;
	int t, i;

	kind = k;
	memset(blocks, 0, sizeof(blocks));
	run_two(take_turns);
	/* Half of each thread's blocks went back: BLOCKS live in all. */
	for (t = 0; t < 2; t++) {
		for (i = BLOCKS / 2; i < BLOCKS; i++) {
			CHECK(memkind_detect_kind(blocks[t][i]) == k);
			CHECK(check_pattern(blocks[t][i], BLOCK_SIZE,
					    (uint32_t)(t * BLOCKS +
						       (i / PER_ROUND) * 2 +
						       t)));
		}
	}
	check_pages_apart();
	if (stats)
		CHECK(allocated(k) >= before + BLOCKS * BLOCK_SIZE);
	for (t = 0; t < 2; t++)
		for (i = BLOCKS / 2; i < BLOCKS; i++)
			memkind_free(NULL, blocks[t][i]);
	if (stats)
		CHECK(allocated(k) <= before + 64 * 1024);
	printf("%s: %d blocks from each of two threads in turns, no page "
	       "shared\n", name, BLOCKS);
}

/* Fills the bounded kind with 4 KiB blocks, frees them; returns count. */
static void *fill_and_free(void *arg)
{
	int me = (int)(intptr_t)arg;
	size_t n = 0, cap = 64 * 1024;
	void **p = calloc(cap, sizeof(*p));

	CHECK(p);
	bind_to(kind);
	pthread_barrier_wait(&turn);
	if (me == 1)
		pthread_barrier_wait(&turn);
	while (n < cap && (p[n] = memkind_malloc(kind, FILL_BLOCK)))
		n++;
	CHECK(n < cap);
	filled[me] = n;
	while (n)
		memkind_free(kind, p[--n]);
	free(p);
	if (me == 0)
		pthread_barrier_wait(&turn);
	return NULL;
}

#define PURGE_EACH (32 * MiB)
#define PURGE_BLOCK (16 * 1024)

static atomic_bool purge_done;

/* Writes and frees PURGE_EACH bytes, then allocates a little until told. */
static void *use_then_idle(void *arg)
{
	size_t n = PURGE_EACH / PURGE_BLOCK, i;
	void **p = calloc(n, sizeof(*p));

	CHECK(p);
	bind_to(kind);
	for (i = 0; i < n; i++) {
		p[i] = memkind_malloc(kind, PURGE_BLOCK);
		CHECK(p[i]);
		memset(p[i], 1, PURGE_BLOCK);
	}
	pthread_barrier_wait(&turn);
	for (i = 0; i < n; i++)
		memkind_free(kind, p[i]);
	free(p);
	pthread_barrier_wait(&turn);
	while (!atomic_load(&purge_done)) {
		memkind_free(kind, memkind_malloc(kind, BLOCK_SIZE));
		usleep(1000);
	}
	return NULL;
}

static void check_purge(void)
{
	void *anchor;
	pthread_t th[2];
	double t0;
	size_t full;
	int t;

	CHECK(memkind_create_shared(0, &kind) == 0);
	anchor = memkind_malloc(kind, BLOCK_SIZE);
	CHECK(anchor);
	atomic_store(&purge_done, false);
	CHECK(pthread_barrier_init(&turn, NULL, 3) == 0);
	for (t = 0; t < 2; t++)
		CHECK(pthread_create(&th[t], NULL, use_then_idle, NULL) == 0);
	pthread_barrier_wait(&turn);
	full = file_bytes(anchor);
	CHECK(full >= 2 * PURGE_EACH);
	pthread_barrier_wait(&turn);
	t0 = now();
	while (file_bytes(anchor) > 4 * MiB && now() - t0 < 3.0)
		usleep(20000);
	printf("two threads freed %zu MiB: file at %zu KiB after %.1f s\n",
	       full >> 20, file_bytes(anchor) >> 10, now() - t0);
	CHECK(file_bytes(anchor) <= 4 * MiB);
	atomic_store(&purge_done, true);
	for (t = 0; t < 2; t++)
		CHECK(pthread_join(th[t], NULL) == 0);
	pthread_barrier_destroy(&turn);
	memkind_free(kind, anchor);
	CHECK(memkind_destroy_kind(kind) == 0);
}

static void check_bounded(const char *dir)
{
	CHECK(memkind_create_pmem(dir, MEMKIND_PMEM_MIN_SIZE, &kind) == 0);
	run_two(fill_and_free);
	printf("bounded kind of %zu MiB: first thread filled %zu blocks, "
	       "second %zu after it freed them\n",
	       (size_t)MEMKIND_PMEM_MIN_SIZE >> 20, filled[0], filled[1]);
	CHECK(filled[0] * FILL_BLOCK >= MEMKIND_PMEM_MIN_SIZE / 2);
	CHECK(filled[1] * 10 >= filled[0] * 9);
	CHECK(memkind_destroy_kind(kind) == 0);
}

int main(void)
{
	const char *dir = test_tmpdir("/dev/shm");
	memkind_t k;

	CHECK(dir);
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		test_skip("one CPU: threads share their kinds' arenas");
	check_two_threads(MEMKIND_DEFAULT, "MEMKIND_DEFAULT", false);
	CHECK(memkind_create_shared(0, &k) == 0);
	check_two_threads(k, "shared kind", true);
	CHECK(memkind_destroy_kind(k) == 0);
	CHECK(memkind_create_pmem(dir, 0, &k) == 0);
	check_two_threads(k, "pmem kind", true);
	CHECK(memkind_destroy_kind(k) == 0);
	check_purge();
	check_bounded(dir);
	CHECK(rmdir(dir) == 0);
	return 0;
}
