// SPDX-License-Identifier: MIT
/*
 * Many threads allocate from and free into several kinds at once, freeing
 * blocks other threads allocated, each block checked against its pattern.
 * Threads come and go (their caches are torn down at exit) while kinds
 * live on, and kinds are destroyed after threads used them.
 */
#include <pthread.h>
#include <stdint.h>

#include "kind_helpers.h"

#define NTHREADS 4
#define NKINDS 3
#define SLOTS 2048
#define OPS 30000
#define ROUNDS 3

struct slot {
	pthread_mutex_t lock;
	void *p;
	size_t size;
	uint32_t seed;
};

static memkind_t kinds[NKINDS];
static struct slot slots[SLOTS];
static int failed;

static uint64_t rng(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void *worker(void *arg)
{
	uint64_t s = (uintptr_t)arg * 7919 + 17;
	int i;

	for (i = 0; i < OPS && !failed; i++) {
		uint64_t r = rng(&s);
		struct slot *sl = &slots[r % SLOTS];
		memkind_t kind = kinds[(r >> 16) % NKINDS];
		size_t size = (r >> 24) % 8 ? 1 + (r >> 32) % 2048
					    : 1 + (r >> 32) % (32 << 10);

		pthread_mutex_lock(&sl->lock);
		if (sl->p) {
			if (!check_pattern(sl->p, sl->size, sl->seed))
				failed = 1;
			/* Half by kind, half by lookup: both must work. */
			memkind_free(r & 1 ? NULL : memkind_detect_kind(sl->p),
				     sl->p);
			sl->p = NULL;
		} else {
			sl->p = (r >> 40) % 4
				    ? memkind_malloc(kind, size)
				    : memkind_realloc(kind, NULL, size);
			if (!sl->p) {
				failed = 2;
			} else {
				sl->size = size;
				sl->seed = (uint32_t)r;
				fill_pattern(sl->p, size, sl->seed);
				if (memkind_detect_kind(sl->p) != kind)
					failed = 3;
			}
		}
		pthread_mutex_unlock(&sl->lock);
	}
	return NULL;
}

int main(void)
{
	const char *dir = test_tmpdir("/dev/shm");
	pthread_t th[NTHREADS];
	int round, i;

	CHECK(dir);
	for (i = 0; i < SLOTS; i++)
		pthread_mutex_init(&slots[i].lock, NULL);
	for (round = 0; round < ROUNDS; round++) {
		CHECK(memkind_create_pmem(dir, 0, &kinds[0]) == 0);
		CHECK(memkind_create_pmem(dir, 256 * MiB, &kinds[1]) == 0);
		CHECK(memkind_create_shared(0, &kinds[2]) == 0);
		for (i = 0; i < NTHREADS; i++)
			CHECK(pthread_create(
				  &th[i], NULL, worker,
				  (void *)(uintptr_t)(round * 16 + i)) == 0);
		for (i = 0; i < NTHREADS; i++)
			pthread_join(th[i], NULL);
		CHECK(failed == 0);
		for (i = 0; i < SLOTS; i++) {
			if (slots[i].p) {
				CHECK(check_pattern(slots[i].p, slots[i].size,
						    slots[i].seed));
				memkind_free(NULL, slots[i].p);
				slots[i].p = NULL;
			}
		}
		for (i = 0; i < NKINDS; i++)
			CHECK(memkind_destroy_kind(kinds[i]) == 0);
	}
	CHECK(dir_entries(dir) == 0);
	CHECK(rmdir(dir) == 0);
	return 0;
}
