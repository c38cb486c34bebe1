// SPDX-License-Identifier: MIT
/*
 * Freed space goes back to the file system without any call to ask for
 * it: within 3 s at the default usage policy while the program keeps
 * allocating a little, within 10 s while it is idle, and at once with
 * MEMKIND_MEM_USAGE_POLICY_CONSERVATIVE. The kind's file tells (its
 * st_blocks). The waits are bounds, polled: the times are only printed.
 */

#include "kind_helpers.h"

#define FREED (64 * MiB)
#define LEFT (4 * MiB) /* thread caches and partly used slabs */

static const char *dir;

static memkind_t kind_with(memkind_mem_usage_policy policy)
{
	struct memkind_config *cfg = memkind_config_new();
	memkind_t kind;

	CHECK(cfg);
	memkind_config_set_path(cfg, dir);
	memkind_config_set_size(cfg, 0);
	memkind_config_set_memory_usage_policy(cfg, policy);
	CHECK(memkind_create_pmem_with_config(cfg, &kind) == 0);
	memkind_config_delete(cfg);
	return kind;
}

/* Fills FREED bytes in blocks of block bytes, then frees them all. */
static void fill_and_free(memkind_t kind, void *anchor, size_t block)
{
	size_t n = FREED / block, i;
	void **p = calloc(n, sizeof(*p));

	CHECK(p);
	for (i = 0; i < n; i++) {
		p[i] = memkind_malloc(kind, block);
		CHECK(p[i]);
		memset(p[i], 0x3c, block);
	}
	CHECK(file_bytes(anchor) >= FREED);
	for (i = 0; i < n; i++)
		memkind_free(kind, p[i]);
	free(p);
}

/*
 * Waits up to limit seconds for the file to hold at most LEFT bytes,
 * allocating a 64-byte block every millisecond if busy. Returns the time
 * it took.
 */
static double wait_reclaimed(memkind_t kind, void *anchor, double limit,
			     bool busy)
{
	double start = now(), t;
	struct timespec ms = {0, 1000000};
	int i = 0;

	while ((t = now() - start) < limit) {
		if (file_bytes(anchor) <= LEFT)
			return t;
		if (busy) {
			memkind_free(kind, memkind_malloc(kind, 64));
			nanosleep(&ms, NULL);
		} else if (++i % 50 == 0) {
			nanosleep(&(struct timespec){0, 50000000}, NULL);
		}
	}
	test_fail_at(__FILE__, __LINE__, "%zu KiB still in the file after %.1f s",
		     file_bytes(anchor) >> 10, limit);
}

static void check_default(size_t block, bool busy, double limit)
{
	memkind_t kind = kind_with(MEMKIND_MEM_USAGE_POLICY_DEFAULT);
	void *anchor = memkind_malloc(kind, 64);
	double t;

	CHECK(anchor);
	fill_and_free(kind, anchor, block);
	t = wait_reclaimed(kind, anchor, limit, busy);
	printf("default policy, %zu B blocks, %s: back in %.2f s\n", block,
	       busy ? "allocating" : "idle", t);
	memkind_free(kind, anchor);
	CHECK(memkind_destroy_kind(kind) == 0);
}

static void check_conservative(size_t block)
{
	memkind_t kind = kind_with(MEMKIND_MEM_USAGE_POLICY_CONSERVATIVE);
	void *anchor = memkind_malloc(kind, 64);

	CHECK(anchor);
	fill_and_free(kind, anchor, block);
	printf("conservative, %zu B blocks: %zu KiB left at once\n", block,
	       file_bytes(anchor) >> 10);
	CHECK(file_bytes(anchor) <= LEFT);
	memkind_free(kind, anchor);
	CHECK(memkind_destroy_kind(kind) == 0);
}

int main(void)
{
	dir = test_tmpdir("/dev/shm");
	CHECK(dir);
	check_conservative(1 * MiB);
	check_conservative(1024);
	check_default(1024, true, 3.0);
	check_default(1 * MiB, true, 3.0);
	check_default(1024, false, 10.0);
	check_default(1 * MiB, false, 10.0);
	CHECK(dir_entries(dir) == 0);
	CHECK(rmdir(dir) == 0);
	return 0;
}
