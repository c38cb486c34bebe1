// SPDX-License-Identifier: MIT
/*
 * Private, zeroed, aligned memory: jemalloc's per-arena metadata (its
 * "base" blocks) and the default kind's arena. Each new arena starts with
 * one 2 MiB metadata block, of which it touches a few dozen pages;
 * faulting those in again for every kind would make creating a kind cost
 * tens of page faults. So 2 MiB blocks given back by destroyed arenas are
 * kept in a small cache and handed out again, after zeroing just the pages
 * that are resident (the others read as zero anyway).
 */
#include "internal.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define META_CACHE_MAX 8
#define META_PAGE 4096UL
#define META_PAGES (KIND_GRANULE / META_PAGE)

static void *meta_cache[META_CACHE_MAX];
static unsigned meta_cached;
static pthread_mutex_t meta_lock = PTHREAD_MUTEX_INITIALIZER;

static void *meta_map(size_t size, size_t alignment)
{
	size_t len = size + alignment;
	char *raw, *p;

	raw = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		return NULL;
	p = (char *)(((uintptr_t)raw + alignment - 1) & ~(alignment - 1));
	if (p > raw)
		munmap(raw, p - raw);
	if (p + size < raw + len)
		munmap(p + size, raw + len - (p + size));
	return p;
}

/* Zeroes the pages of a cached block that were ever touched. */
static void meta_zero_resident(char *block)
{
	unsigned char vec[META_PAGES];
	size_t i;

	if (mincore(block, KIND_GRANULE, vec)) {
		memset(block, 0, KIND_GRANULE);
		return;
	}
	for (i = 0; i < META_PAGES; i++)
		if (vec[i] & 1)
			memset(block + i * META_PAGE, 0, META_PAGE);
}

static void *meta_cache_get(void)
{
	void *block = NULL;

	pthread_mutex_lock(&meta_lock);
	if (meta_cached)
		block = meta_cache[--meta_cached];
	pthread_mutex_unlock(&meta_lock);
	if (block)
		meta_zero_resident(block);
	return block;
}

/* Zeroed, committed memory for jemalloc metadata. */
void *anon_alloc(size_t size, size_t alignment)
{
	void *block;

	if (size == KIND_GRANULE && alignment <= KIND_GRANULE) {
		block = meta_cache_get();
		if (block)
			return block;
	}
	return meta_map(size, alignment);
}

int anon_free(void *addr, size_t size)
{
	if (size == KIND_GRANULE && !((uintptr_t)addr & (KIND_GRANULE - 1))) {
		pthread_mutex_lock(&meta_lock);
		if (meta_cached < META_CACHE_MAX) {
			meta_cache[meta_cached++] = addr;
			addr = NULL;
		}
		pthread_mutex_unlock(&meta_lock);
		if (!addr)
			return 0;
	}
	return munmap(addr, size) ? -errno : 0;
}

void anon_fork_child(void)
{
	pthread_mutex_init(&meta_lock, NULL);
}
