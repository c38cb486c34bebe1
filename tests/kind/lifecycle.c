// SPDX-License-Identifier: MIT
/*
 * Kind and thread lifetimes crossing: a kind destroyed while a thread that
 * cached blocks of it lives on, its slot reused by a new kind the thread
 * then uses, the thread exiting afterwards; and an unlimited kind growing
 * past its first address region, every address keeping its file offset.
 */
#include <pthread.h>
#include <stdint.h>

#include "kind_helpers.h"

static pthread_barrier_t step;
static memkind_t shared_kind;
static const char *dir;

static void use(memkind_t kind, int n)
{
	void *p[64];
	int i;

	for (i = 0; i < n; i++) {
		p[i % 64] = memkind_malloc(kind, 32 + i);
		CHECK(p[i % 64]);
		memset(p[i % 64], i, 32 + i);
		if (i % 64 == 63) {
			int j;

			for (j = 0; j < 64; j++)
				memkind_free(kind, p[j]);
		}
	}
}

static void *thread_main(void *arg)
{
	use(shared_kind, 640);	     /* well past the uncached start */
	pthread_barrier_wait(&step); /* main destroys the kind ... */
	pthread_barrier_wait(&step); /* ... and makes a new one */
	use(shared_kind, 640);
	return NULL;
}

static void check_crossing_lifetimes(void)
{
	pthread_t th;

	CHECK(pthread_barrier_init(&step, NULL, 2) == 0);
	CHECK(memkind_create_pmem(dir, 0, &shared_kind) == 0);
	CHECK(pthread_create(&th, NULL, thread_main, NULL) == 0);
	pthread_barrier_wait(&step);
	CHECK(memkind_destroy_kind(shared_kind) == 0);
	CHECK(memkind_create_shared(0, &shared_kind) == 0);
	pthread_barrier_wait(&step);
	CHECK(pthread_join(th, NULL) == 0);
	use(shared_kind, 640);
	CHECK(memkind_destroy_kind(shared_kind) == 0);
	pthread_barrier_destroy(&step);
}

static void check_growth_past_first_region(void)
{
	const size_t big = 700 * MiB; /* never touched but at the ends */
	memkind_t kind;
	char *p[4];
	off_t off[4];
	int fd, i, j;
	size_t len;

	CHECK(memkind_create_pmem(dir, 0, &kind) == 0);
	for (i = 0; i < 4; i++) {
		p[i] = memkind_malloc(kind, big);
		CHECK(p[i]);
		CHECK(memkind_detect_kind(p[i]) == kind);
		CHECK(memkind_detect_kind(p[i] + big - 1) == kind);
		p[i][0] = (char)i;
		p[i][big - 1] = (char)i;
		CHECK(memkind_get_backing(p[i], &fd, &off[i], &len) == 0);
		CHECK(len >= big);
	}
	/* Distinct file ranges, whatever regions the blocks are in. */
	for (i = 0; i < 4; i++)
		for (j = 0; j < i; j++)
			CHECK(off[i] + (off_t)big <= off[j] ||
			      off[j] + (off_t)big <= off[i]);
	for (i = 0; i < 4; i++) {
		CHECK(p[i][0] == (char)i && p[i][big - 1] == (char)i);
		memkind_free(NULL, p[i]);
	}
	CHECK(memkind_destroy_kind(kind) == 0);
}

int main(void)
{
	dir = test_tmpdir("/dev/shm");
	CHECK(dir);
	check_crossing_lifetimes();
	check_growth_past_first_region();
	CHECK(dir_entries(dir) == 0);
	CHECK(rmdir(dir) == 0);
	return 0;
}
