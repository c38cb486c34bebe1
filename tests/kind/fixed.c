// SPDX-License-Identifier: MIT
/*
 * memkind_create_fixed: a heap in memory the caller maps, here three ways
 * (private anonymous, a shared memfd seen through a second mapping, and
 * a range that does not start on a 2 MiB boundary next to malloc()
 * memory). Blocks stay inside the range, the range fills up (ENOMEM) and
 * serves again after frees, memkind_free(NULL, ...) finds the kind, the
 * bytes are visible through the other mapping, and bad arguments fail.
 */
#include <stdint.h>
#include <sys/mman.h>

#include "kind_helpers.h"

static bool inside(const void *p, const void *base, size_t len)
{
	return (const char *)p >= (const char *)base &&
	       (const char *)p < (const char *)base + len;
}

/* Fills the kind with 64 KiB blocks; returns how many fitted. */
static int fill(memkind_t kind, void *base, size_t len, void **blocks, int max)
{
	int n = 0;

	while (n < max) {
		void *p = memkind_malloc(kind, 64 << 10);

		if (!p) {
			CHECK(errno == ENOMEM);
			break;
		}
		CHECK(inside(p, base, len));
		CHECK(memkind_detect_kind(p) == kind);
		fill_pattern(p, 64 << 10, (uint32_t)n);
		blocks[n++] = p;
	}
	return n;
}

static void check_heap(void *base, size_t len)
{
	static void *blocks[4096];
	memkind_t kind;
	int n, again, i;

	CHECK(memkind_create_fixed(base, len, &kind) == MEMKIND_SUCCESS);
	CHECK(memkind_check_available(kind) == MEMKIND_SUCCESS);
	CHECK(memkind_get_capacity(kind) == (ssize_t)len);
	n = fill(kind, base, len, blocks, 4096);
	/* Most of the range is usable (jemalloc's metadata is elsewhere). */
	CHECK(n >= 4096 || (size_t)n * (64 << 10) >= len / 2);
	for (i = 0; i < n; i++)
		CHECK(check_pattern(blocks[i], 64 << 10, (uint32_t)i));
	for (i = 0; i < n; i++)
		memkind_free(NULL, blocks[i]);
	again = fill(kind, base, len, blocks, 4096);
	CHECK(again >= n);
	for (i = 0; i < again; i++)
		memkind_free(kind, blocks[i]);
	CHECK(memkind_destroy_kind(kind) == MEMKIND_SUCCESS);
}

/* A shared file mapped twice: what the kind writes, the other sees. */
static void check_shared_view(void)
{
	size_t len = 16 * MiB;
	int fd = memfd_create("fixed", MFD_CLOEXEC);
	char *a, *b, *p;
	memkind_t kind;

	CHECK(fd >= 0 && ftruncate(fd, (off_t)len) == 0);
	a = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	b = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(a != MAP_FAILED && b != MAP_FAILED);
	CHECK(memkind_create_fixed(a, len, &kind) == 0);
	p = memkind_malloc(kind, 1000);
	CHECK(p && inside(p, a, len));
	strcpy(p, "through the other mapping");
	CHECK(strcmp(b + (p - a), "through the other mapping") == 0);
	memkind_free(kind, p);
	CHECK(memkind_destroy_kind(kind) == 0);
	munmap(a, len);
	munmap(b, len);
	close(fd);
}

/*
 * A range sharing 2 MiB granules with other memory: freeing that memory
 * through memkind_free(NULL, ...) still goes to its owner.
 */
static void check_unaligned(void)
{
	size_t len = 3 * MiB;
	char *raw = mmap(NULL, len + 4 * MiB, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *base, *other, *p;
	memkind_t kind;

	CHECK(raw != MAP_FAILED);
	/* 1 MiB past a granule boundary; "other" is the rest of that one. */
	base = (char *)(((uintptr_t)raw + 2 * MiB) & ~(2 * MiB - 1)) + MiB;
	other = base - MiB;
	CHECK(memkind_create_fixed(base, len, &kind) == 0);
	p = memkind_malloc(kind, 100);
	CHECK(p && inside(p, base, len));
	CHECK(memkind_detect_kind(p) == kind);
	CHECK(memkind_malloc_usable_size(NULL, p) >= 100);
	memkind_free(NULL, p);
	/* Not the kind's: a usable size from the kind's arena would be
	 * wrong; libc knows nothing of it either, so only ask detect. */
	CHECK(memkind_detect_kind(other) == kind ||
	      memkind_detect_kind(other) == MEMKIND_DEFAULT);
	CHECK(memkind_destroy_kind(kind) == 0);
	munmap(raw, len + 4 * MiB);
}

static void check_bad_args(void)
{
	char buf[64];
	memkind_t kind;

	CHECK(memkind_create_fixed(NULL, 16 * MiB, &kind) ==
	      MEMKIND_ERROR_INVALID);
	CHECK(memkind_create_fixed(buf, sizeof(buf), &kind) ==
	      MEMKIND_ERROR_INVALID);
	CHECK(memkind_create_fixed(buf, 16 * MiB, NULL) ==
	      MEMKIND_ERROR_INVALID);
	CHECK(memkind_create_fixed((void *)UINTPTR_MAX, 16 * MiB, &kind) ==
	      MEMKIND_ERROR_INVALID);
}

int main(void)
{
	size_t len = 32 * MiB;
	void *anon = mmap(NULL, len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(anon != MAP_FAILED);
	check_heap(anon, len);
	/* The same memory again, after the first kind is gone. */
	check_heap(anon, len);
	munmap(anon, len);
	check_shared_view();
	check_unaligned();
	check_bad_args();
	return 0;
}
