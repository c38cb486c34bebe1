// SPDX-License-Identifier: MIT
/*
 * A bounded kind: filling it to the limit gives NULL with ENOMEM, frees
 * make room again, nearly all of max_size is usable, and after freeing
 * everything one block of half the kind can be had.
 */
#include <stdint.h>

#include "kind_helpers.h"

#define KIND_SIZE (32 * MiB)
#define MAX_BLOCKS (KIND_SIZE / 16)

static void **blocks;

static size_t fill(memkind_t kind, size_t size, size_t *bytes)
{
	size_t n = 0;
	void *p;

	*bytes = 0;
	while (n < MAX_BLOCKS) {
		errno = 0;
		p = memkind_malloc(kind, size);
		if (!p) {
			CHECK(errno == ENOMEM);
			break;
		}
		((char *)p)[0] = (char)n;
		((char *)p)[size - 1] = (char)n;
		blocks[n++] = p;
		/* Counted as jemalloc's size class: 100 B takes 112 B. */
		*bytes += memkind_malloc_usable_size(kind, p);
	}
	CHECK(n < MAX_BLOCKS);
	return n;
}

static void free_all(memkind_t kind, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		memkind_free(kind, blocks[i]);
}

static void check_fill_and_recover(const char *dir, size_t size)
{
	memkind_t kind;
	size_t n, bytes, i, again;
	void *big;

	CHECK(memkind_create_pmem(dir, KIND_SIZE, &kind) == 0);
	n = fill(kind, size, &bytes);
	/*
	 * Usable: at least 99% of max_size, never more than max_size. Blocks
	 * above 14 KiB are "large": jemalloc adds one page to each, so they
	 * are held to the share that leaves.
	 */
	CHECK(bytes <= KIND_SIZE);
	printf("%zu B blocks: %zu of %zu bytes usable\n", size, bytes,
	       (size_t)KIND_SIZE);
	if (size <= (14 << 10))
		CHECK(bytes >= KIND_SIZE / 100 * 99);
	else
		CHECK(bytes >= KIND_SIZE / 100 * 99 / (size + 4096) * size);
	for (i = 0; i < n; i++)
		CHECK(((char *)blocks[i])[0] == (char)i &&
		      ((char *)blocks[i])[size - 1] == (char)i);
	/* Freeing every other block makes room for as many again. */
	for (i = 0; i < n; i += 2)
		memkind_free(kind, blocks[i]);
	for (i = 0, again = 0; i < n; i += 2, again++) {
		blocks[i] = memkind_malloc(kind, size);
		if (!blocks[i])
			break;
	}
	CHECK(again >= n / 2 * 98 / 100);
	for (; i < n; i += 2)
		blocks[i] = NULL;
	free_all(kind, n);
	big = memkind_malloc(kind, KIND_SIZE / 2);
	CHECK(big);
	memset(big, 0x5a, KIND_SIZE / 2);
	memkind_free(kind, big);
	CHECK(memkind_destroy_kind(kind) == 0);
}

/* The limit also holds for one block larger than the kind. */
static void check_too_big(const char *dir)
{
	memkind_t kind;

	CHECK(memkind_create_pmem(dir, KIND_SIZE, &kind) == 0);
	errno = 0;
	CHECK(memkind_malloc(kind, KIND_SIZE + 1) == NULL && errno == ENOMEM);
	CHECK(memkind_malloc(kind, SIZE_MAX - 4096) == NULL);
	CHECK(memkind_malloc(kind, 4096));
	CHECK(memkind_destroy_kind(kind) == 0);
}

int main(void)
{
	const char *dir = test_tmpdir("/dev/shm");

	CHECK(dir);
	blocks = malloc(MAX_BLOCKS * sizeof(void *));
	CHECK(blocks);
	check_fill_and_recover(dir, 1024);
	check_fill_and_recover(dir, 100);
	check_fill_and_recover(dir, 64 << 10);
	check_too_big(dir);
	free(blocks);
	CHECK(rmdir(dir) == 0);
	return 0;
}
