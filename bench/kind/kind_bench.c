// SPDX-License-Identifier: MIT
/*
 * Memory-kind benchmark. The same source is built twice, against this
 * project's libmemkind and against Debian's memkind, and run.sh runs both
 * side by side. Uses only memkind's standard API on pmem kinds.
 *
 *   kind_bench DIR [NAME...]   prints one "name value" line per measurement
 *   kind_bench --list          names the measurements
 */
#include <errno.h>
#include <memkind.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MiB ((size_t)1 << 20)

static const char *dir;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static memkind_t kind_new(size_t max_size)
{
	memkind_t kind;
	int err = memkind_create_pmem(dir, max_size, &kind);

	if (err) {
		char msg[MEMKIND_ERROR_MESSAGE_SIZE];

		memkind_error_message(err, msg, sizeof(msg));
		fprintf(stderr, "kind_bench: memkind_create_pmem: %s\n", msg);
		exit(1);
	}
	return kind;
}

static void *must(void *p)
{
	if (!p) {
		fprintf(stderr, "kind_bench: allocation failed\n");
		exit(1);
	}
	return p;
}

/* 64 B malloc/free pairs: millions per second. */
static double bench_pairs(void)
{
	memkind_t kind = kind_new(0);
	const long n = 1000000;
	double t;
	long i;

	for (i = 0; i < 1000; i++)
		memkind_free(kind, must(memkind_malloc(kind, 64)));
	t = now();
	for (i = 0; i < n; i++) {
		char *p = memkind_malloc(kind, 64);

		p[0] = (char)i;
		memkind_free(kind, p);
	}
	t = now() - t;
	memkind_destroy_kind(kind);
	return n / t / 1e6;
}

struct mixed_arg {
	memkind_t kind;
	long ops;
	uint64_t seed;
};

#define LIVE_SET 4096

/* Random sizes 16 B-4 KiB, replacing entries of a live set. */
static void *mixed_worker(void *p)
{
	struct mixed_arg *a = p;
	void **live = calloc(LIVE_SET, sizeof(*live));
	uint64_t s = a->seed;
	long i;

	for (i = 0; i < a->ops; i++) {
		uint64_t r = rng_next(&s);
		size_t slot = r % LIVE_SET;
		size_t size = 16 + (r >> 32) % (4096 - 16 + 1);

		if (live[slot])
			memkind_free(a->kind, live[slot]);
		live[slot] = must(memkind_malloc(a->kind, size));
		((char *)live[slot])[0] = 1;
	}
	for (i = 0; i < LIVE_SET; i++)
		memkind_free(a->kind, live[i]);
	free(live);
	return NULL;
}

static double bench_mixed(int nthreads)
{
	memkind_t kind = kind_new(0);
	struct mixed_arg args[2];
	pthread_t th[2];
	const long ops = 500000;
	double t;
	int i;

	t = now();
	for (i = 0; i < nthreads; i++) {
		args[i] =
		    (struct mixed_arg){kind, ops, 88172645463325252ull + i};
		pthread_create(&th[i], NULL, mixed_worker, &args[i]);
	}
	for (i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	t = now() - t;
	memkind_destroy_kind(kind);
	return nthreads * ops / t / 1e6;
}

/* 64 KiB-16 MiB blocks, every page touched: operations per second. */
static double bench_large(void)
{
	memkind_t kind = kind_new(0);
	const int n = 150;
	uint64_t s = 12345;
	double t;
	int i;

	t = now();
	for (i = 0; i < n; i++) {
		size_t size = (size_t)64 << 10 << (rng_next(&s) % 9);
		char *p = must(memkind_malloc(kind, size));
		size_t off;

		for (off = 0; off < size; off += 4096)
			p[off] = 1;
		memkind_free(kind, p);
	}
	t = now() - t;
	memkind_destroy_kind(kind);
	return n / t / 1e3;
}

/* A block grown from 16 B to 1 MiB by 25% steps: growth steps per us. */
static double bench_realloc(void)
{
	memkind_t kind = kind_new(0);
	long steps = 0;
	double t;
	int i;

	t = now();
	for (i = 0; i < 1000; i++) {
		size_t size = 16;
		char *p = NULL;

		while (size < MiB) {
			p = must(memkind_realloc(kind, p, size));
			p[size - 1] = 1;
			size += size / 4 + 1;
			steps++;
		}
		memkind_free(kind, p);
	}
	t = now() - t;
	memkind_destroy_kind(kind);
	return steps / t / 1e6;
}

/* create + first malloc + destroy of a kind: cycles per second. */
static double bench_create(void)
{
	const int n = 150;
	double t;
	int i;

	t = now();
	for (i = 0; i < n; i++) {
		memkind_t kind = kind_new(64 * MiB);

		memkind_free(kind, must(memkind_malloc(kind, 64)));
		memkind_destroy_kind(kind);
	}
	t = now() - t;
	return n / t;
}

#define FILL_KIND (64 * MiB)
#define FILL_BLOCK 1024

struct fill {
	memkind_t kind;
	void **blocks;
	size_t n;
};

static void fill_kind(struct fill *f)
{
	size_t cap = FILL_KIND / FILL_BLOCK + 1;

	f->kind = kind_new(FILL_KIND);
	f->blocks = must(malloc(cap * sizeof(void *)));
	f->n = 0;
	while (f->n < cap) {
		void *p = memkind_malloc(f->kind, FILL_BLOCK);

		if (!p)
			break;
		f->blocks[f->n++] = p;
	}
}

static void free_all(struct fill *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		memkind_free(f->kind, f->blocks[i]);
	free(f->blocks);
}

/* Bytes obtained in 1 KiB blocks before the first NULL, % of max_size. */
static double bench_fill(void)
{
	struct fill f;
	double pct;

	fill_kind(&f);
	pct = 100.0 * f.n * FILL_BLOCK / FILL_KIND;
	free_all(&f);
	memkind_destroy_kind(f.kind);
	return pct;
}

/* Largest single block after filling and freeing everything, % of max. */
static double bench_largest(void)
{
	size_t lo = 0, hi = FILL_KIND / 4096;
	struct fill f;

	fill_kind(&f);
	free_all(&f);
	while (lo < hi) {
		size_t mid = (lo + hi + 1) / 2;
		void *p = memkind_malloc(f.kind, mid * 4096);

		if (p) {
			memkind_free(f.kind, p);
			lo = mid;
		} else {
			hi = mid - 1;
		}
	}
	memkind_destroy_kind(f.kind);
	return 100.0 * lo * 4096 / FILL_KIND;
}

struct measurement {
	const char *name;
	double (*run)(void);
	int threads; /* for bench_mixed */
	const char *fmt;
};

static int mixed_threads;

static double bench_mixed_n(void)
{
	return bench_mixed(mixed_threads);
}

static const struct measurement measurements[] = {
    {"pairs64_Mops", bench_pairs, 0, "%.3f"},
    {"mixed1_Mops", bench_mixed_n, 1, "%.3f"},
    {"mixed2_Mops", bench_mixed_n, 2, "%.3f"},
    {"large_Kops", bench_large, 0, "%.4f"},
    {"realloc_Msteps", bench_realloc, 0, "%.3f"},
    {"create_per_s", bench_create, 0, "%.1f"},
    {"fill_pct", bench_fill, 0, "%.2f"},
    {"largest_pct", bench_largest, 0, "%.3f"},
};

#define NMEASUREMENTS (sizeof(measurements) / sizeof(measurements[0]))

/*
 * Throughputs are the best of three runs: the machine may be shared, and
 * the best run is the one least disturbed by others.
 */
static void run_one(const struct measurement *m)
{
	double best = 0, v;
	int i;

	mixed_threads = m->threads;
	for (i = 0; i < 3; i++) {
		v = m->run();
		if (v > best)
			best = v;
	}
	printf("%s ", m->name);
	printf(m->fmt, best);
	printf("\n");
	fflush(stdout);
}

int main(int argc, char **argv)
{
	size_t i;
	int a;

	if (argc < 2) {
		fprintf(stderr, "usage: kind_bench DIR [MEASUREMENT...]\n"
				"       kind_bench --list\n");
		return 2;
	}
	if (!strcmp(argv[1], "--list")) {
		for (i = 0; i < NMEASUREMENTS; i++)
			printf("%s\n", measurements[i].name);
		return 0;
	}
	dir = argv[1];
	for (i = 0; i < NMEASUREMENTS; i++) {
		if (argc == 2) {
			run_one(&measurements[i]);
			continue;
		}
		for (a = 2; a < argc; a++)
			if (!strcmp(argv[a], measurements[i].name))
				run_one(&measurements[i]);
	}
	return 0;
}
