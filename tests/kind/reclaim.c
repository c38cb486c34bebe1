// SPDX-License-Identifier: MIT
/*
 * Freed memory goes back to the file system: the kind's file shrinks (in
 * allocated blocks) when blocks are freed, on tmpfs and on a disk file
 * system, and destroying a kind gives back everything.
 */
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "kind_helpers.h"

#define NBLOCKS 64

static size_t fs_free(const char *dir)
{
	struct statvfs sv;

	CHECK(statvfs(dir, &sv) == 0);
	return (size_t)sv.f_bavail * sv.f_frsize;
}

static memkind_t conservative_kind(const char *dir)
{
	struct memkind_config *cfg = memkind_config_new();
	memkind_t kind;

	CHECK(cfg);
	memkind_config_set_path(cfg, dir);
	memkind_config_set_size(cfg, 0);
	memkind_config_set_memory_usage_policy(
	    cfg, MEMKIND_MEM_USAGE_POLICY_CONSERVATIVE);
	CHECK(memkind_create_pmem_with_config(cfg, &kind) == 0);
	memkind_config_delete(cfg);
	return kind;
}

static void check_reclaim(const char *base, size_t block, bool check_fs)
{
	const char *dir = test_tmpdir(base);
	size_t n = 64 * MiB / block, i, used, before, peak;
	void **p = calloc(n, sizeof(*p));
	memkind_t kind;
	void *anchor;

	CHECK(dir && p);
	kind = conservative_kind(dir);
	anchor = memkind_malloc(kind, 64);
	CHECK(anchor);
	before = fs_free(dir);
	for (i = 0; i < n; i++) {
		p[i] = memkind_malloc(kind, block);
		CHECK(p[i]);
		memset(p[i], 0x3c, block);
	}
	used = file_bytes(anchor);
	peak = fs_free(dir);
	printf("%s, %zu B blocks: file holds %zu KiB\n", base, block,
	       used >> 10);
	CHECK(used >= 60 * MiB);
	/* Loosely: other processes may use the same file system meanwhile. */
	if (check_fs)
		CHECK((long long)before - (long long)peak >=
		      (long long)(32 * MiB));
	for (i = 0; i < n; i++)
		memkind_free(kind, p[i]);
	/* The thread's cached blocks and the arena's dirty pages go too. */
	memkind_update_cached_stats();
	used = file_bytes(anchor);
	printf("%s, %zu B blocks: after free %zu KiB\n", base, block,
	       used >> 10);
	CHECK(used <= 4 * MiB);
	if (check_fs)
		CHECK((long long)fs_free(dir) - (long long)peak >=
		      (long long)(32 * MiB));
	CHECK(memkind_destroy_kind(kind) == 0);
	CHECK(dir_entries(dir) == 0);
	CHECK(rmdir(dir) == 0);
	free(p);
}

int main(void)
{
	/* tmpfs: the space is memory and nobody else should be eating it. */
	check_reclaim("/dev/shm", 1 * MiB, true);
	check_reclaim("/dev/shm", 1024, true);
	/* A disk file system: the file's own blocks tell. */
	check_reclaim("/var/tmp", 1 * MiB, false);
	check_reclaim("/var/tmp", 1024, false);
	return 0;
}
