/* SPDX-License-Identifier: MIT */
/*
 * Invalidation: the attacher has every page of its attachment mapped, then
 * the owner changes what is behind each address in a different way. The
 * same attachment, never re-attached, must show what the owner sees after
 * each change: clients cache attachments and rely on this.
 *
 *   page 1  munmap, then a new anonymous page with new bytes
 *   page 2  a new mapping put over it with MAP_FIXED
 *   page 3  madvise(MADV_DONTNEED): the owner reads zeros, so must we
 *   page 4  mremap of another page onto it
 *   page 5  munmap only: now a hole, the access faults
 *   page 6  plain writes by the owner
 *   page 0  our writes reach the owner
 */
#include "ktest.h"

#define PAGES 8

enum step { STEP_READY = 1, STEP_CHANGED, STEP_CHECKED };

static void attacher(unsigned char *att, size_t size, struct channel *ch)
{
	size_t pg = page_size();
	unsigned int seed[PAGES];
	int p;

	for (p = 0; p < PAGES; p++)
		seed[p] = 100 + p;
	CHECK_PAGES(att, seed, PAGES);
	attacher_done(ch, STEP_READY);

	attacher_wait(ch, STEP_CHANGED);
	seed[1] = 201;
	seed[2] = 202;
	seed[3] = PAGE_ZERO;
	seed[4] = 204;
	seed[5] = PAGE_HOLE;
	seed[6] = 206;
	CHECK_PAGES(att, seed, PAGES);
	fill_pattern(att, pg, 300);
	/* Twice: reading back after the faults above changed nothing. */
	seed[0] = 300;
	CHECK_PAGES(att, seed, PAGES);
	attacher_done(ch, STEP_CHECKED);
}

static void change_pages(unsigned char *mem)
{
	size_t pg = page_size();
	const int rw = PROT_READ | PROT_WRITE;
	const int anon = MAP_PRIVATE | MAP_ANONYMOUS;
	unsigned char *scratch;

	CHECK(munmap(mem + 1 * pg, pg) == 0);
	CHECK(mmap(mem + 1 * pg, pg, rw, anon | MAP_FIXED, -1, 0) ==
	      mem + 1 * pg);
	fill_pattern(mem + 1 * pg, pg, 201);

	CHECK(mmap(mem + 2 * pg, pg, rw, anon | MAP_FIXED, -1, 0) ==
	      mem + 2 * pg);
	fill_pattern(mem + 2 * pg, pg, 202);

	CHECK(madvise(mem + 3 * pg, pg, MADV_DONTNEED) == 0);

	scratch = anon_pages(pg);
	fill_pattern(scratch, pg, 204);
	CHECK(mremap(scratch, pg, pg, MREMAP_MAYMOVE | MREMAP_FIXED,
		     mem + 4 * pg) == mem + 4 * pg);

	CHECK(munmap(mem + 5 * pg, pg) == 0);

	fill_pattern(mem + 6 * pg, pg, 206);
}

int main(void)
{
	struct live_attach t;
	unsigned char *mem;
	size_t pg;
	int p;

	require_kernel_backend();
	pg = page_size();
	mem = anon_pages(PAGES * pg);
	for (p = 0; p < PAGES; p++)
		fill_pattern(mem + p * pg, pg, 100 + p);

	live_attach_start(&t, mem, PAGES * pg, attacher);
	live_attach_wait(&t, STEP_READY);
	change_pages(mem);
	live_attach_go(&t, STEP_CHANGED);
	live_attach_wait(&t, STEP_CHECKED);
	CHECK_PATTERN(mem, pg, 300);
	live_attach_finish(&t);
	return 0;
}
