// SPDX-License-Identifier: MIT
/*
 * Thousands of kinds live at once, each with its own memory, and
 * create/destroy cycles that leave no descriptor or mapping behind.
 */
#include <sys/resource.h>

#include "kind_helpers.h"

#define NKINDS 4050

static memkind_t kinds[NKINDS];
static void *blocks[NKINDS];

static void raise_fd_limit(void)
{
	struct rlimit rl;

	CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0);
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < NKINDS + 100)
		test_skip("RLIMIT_NOFILE hard limit %lu is below %d",
			  (unsigned long)rl.rlim_max, NKINDS + 100);
	rl.rlim_cur = rl.rlim_max;
	CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
}

static void check_many_live(const char *dir)
{
	int i;

	for (i = 0; i < NKINDS; i++) {
		int err =
		    memkind_create_pmem(dir, MEMKIND_PMEM_MIN_SIZE, &kinds[i]);

		if (err)
			fprintf(stderr, "kind %d: error %d\n", i, err);
		CHECK(err == 0);
		blocks[i] = memkind_malloc(kinds[i], 256);
		CHECK(blocks[i]);
		fill_pattern(blocks[i], 256, (uint32_t)i);
	}
	CHECK(dir_entries(dir) == 0);
	for (i = 0; i < NKINDS; i++) {
		CHECK(memkind_detect_kind(blocks[i]) == kinds[i]);
		CHECK(check_pattern(blocks[i], 256, (uint32_t)i));
	}
	for (i = 0; i < NKINDS; i++)
		CHECK(memkind_destroy_kind(kinds[i]) == 0);
}

static void cycle(const char *dir, int n)
{
	memkind_t kind;
	int i;

	for (i = 0; i < n; i++) {
		CHECK(memkind_create_pmem(dir, i % 2 ? 0 : 32 * MiB, &kind) ==
		      0);
		void *p = memkind_malloc(kind, 100 + i);

		CHECK(p);
		memset(p, 1, 100 + i);
		CHECK(memkind_destroy_kind(kind) == 0);
		CHECK(memkind_create_shared(0, &kind) == 0);
		CHECK(memkind_malloc(kind, 5000));
		CHECK(memkind_destroy_kind(kind) == 0);
	}
}

static void check_cycles_leave_nothing(const char *dir)
{
	int fds, maps;

	cycle(dir, 50); /* warm up: caches settle */
	fds = count_fds();
	maps = count_maps();
	cycle(dir, 500);
	CHECK(count_fds() == fds);
	CHECK(count_maps() == maps);
}

int main(void)
{
	const char *dir = test_tmpdir("/dev/shm");
	int fds;

	CHECK(dir);
	raise_fd_limit();
	check_cycles_leave_nothing(dir);
	fds = count_fds();
	check_many_live(dir);
	CHECK(count_fds() == fds);
	/* Destroyed arenas are reused: the same number fits again. */
	check_many_live(dir);
	CHECK(dir_entries(dir) == 0);
	CHECK(rmdir(dir) == 0);
	return 0;
}
