// SPDX-License-Identifier: MIT
/*
 * memkind_pmem_mmap(), the seed's operation: any size that fits in what is
 * left of max_size is granted, whatever was refused before, and a refused
 * request leaves the kind as it was. On a fresh kind and on one whose
 * arena already holds the space (after memkind_malloc()).
 */
#include <sys/mman.h>

#include <memkind/internal/memkind_pmem.h>

#include "kind_helpers.h"

#define KIND_SIZE (32 * MiB)

static void *must_map(memkind_t kind, size_t size)
{
	unsigned char *p = memkind_pmem_mmap(kind, NULL, size);
	size_t i;

	CHECK(p != MAP_FAILED);
	CHECK(((uintptr_t)p & 4095) == 0);
	CHECK(memkind_detect_kind(p) == kind);
	for (i = 0; i < size; i += 4096)
		CHECK(p[i] == 0);
	memset(p, 0x5a, size);
	return p;
}

static void must_refuse(memkind_t kind, size_t size)
{
	errno = 0;
	CHECK(memkind_pmem_mmap(kind, NULL, size) == MAP_FAILED);
	CHECK(errno == ENOMEM);
}

/* A fresh kind: refused, then half, then the other half, then full. */
static void check_fresh(const char *dir)
{
	memkind_t kind;

	CHECK(memkind_create_pmem(dir, KIND_SIZE, &kind) == 0);
	must_refuse(kind, 34 * MiB);
	must_refuse(kind, KIND_SIZE + 4096);
	must_map(kind, 16 * MiB);
	must_refuse(kind, 17 * MiB);
	must_map(kind, 16 * MiB);
	must_refuse(kind, 4096);
	errno = 0;
	CHECK(memkind_malloc(kind, 64) == NULL && errno == ENOMEM);
	CHECK(memkind_destroy_kind(kind) == 0);
}

/* The same after the arena took the kind's space for small blocks. */
static void check_after_malloc(const char *dir)
{
	memkind_t kind;
	void *small[100];
	int i;

	CHECK(memkind_create_pmem(dir, KIND_SIZE, &kind) == 0);
	for (i = 0; i < 100; i++) {
		small[i] = memkind_malloc(kind, 64 + i);
		CHECK(small[i]);
	}
	must_refuse(kind, 34 * MiB);
	must_map(kind, 16 * MiB);
	must_refuse(kind, 34 * MiB);
	must_map(kind, 4 * MiB);
	for (i = 0; i < 100; i++)
		memkind_free(kind, small[i]);
	for (i = 0; i < 1000; i++)
		memkind_free(kind, memkind_malloc(kind, 1024));
	CHECK(memkind_destroy_kind(kind) == 0);
}

/* Many refusals in a row change nothing: the full size is still there. */
static void check_refusals_leave_nothing(const char *dir)
{
	memkind_t kind;
	int i;

	CHECK(memkind_create_pmem(dir, KIND_SIZE, &kind) == 0);
	for (i = 0; i < 100; i++)
		must_refuse(kind, KIND_SIZE + 4096 * (size_t)(i + 1));
	must_map(kind, KIND_SIZE);
	CHECK(memkind_destroy_kind(kind) == 0);
}

int main(void)
{
	const char *dir = test_tmpdir("/dev/shm");

	CHECK(dir);
	check_fresh(dir);
	check_after_malloc(dir);
	check_refusals_leave_nothing(dir);
	CHECK(dir_entries(dir) == 0);
	CHECK(rmdir(dir) == 0);
	return 0;
}
