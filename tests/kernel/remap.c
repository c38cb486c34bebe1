/* SPDX-License-Identifier: MIT */
/*
 * mremap and mprotect of the owner's exported range under a live
 * attachment. The segment is a range of the owner's virtual addresses: the
 * attacher sees whatever the owner has there now, never the pages that
 * were there when it attached.
 *
 *   move away   pages 2-3 moved elsewhere: holes (the access faults)
 *   shrink      the mapping of pages 4-7 shrunk by one: page 7 a hole
 *   move back   pages 2-3 moved back with new bytes
 *   grow        the mapping of pages 4-6 grown in place: page 7 is zeros
 *   PROT_NONE   page 1: faults; back to read-write: its bytes again
 *   read-only   pages 5-6: readable, a write faults and changes nothing
 *   move+grow   a one-page mapping moved over pages 0-1 and grown to two:
 *               its bytes, then zeros
 */
#include "ktest.h"

#define PAGES 8

enum step { STEP_READ = 1, STEP_MOVED, STEP_BACK, STEP_PROTECTED,
	    STEP_UNPROTECTED, STEP_REPLACED };

static void attacher(unsigned char *att, size_t size, struct channel *ch)
{
	size_t pg = page_size();
	unsigned int want[PAGES];
	unsigned char v = 0x5a;

	want_pages(want, 0, PAGES, 10);
	CHECK_PAGES(att, want, PAGES);
	attacher_done(ch, STEP_READ);

	attacher_wait(ch, STEP_MOVED);
	want_pages(want, 2, 2, PAGE_HOLE);
	want_pages(want, 7, 1, PAGE_HOLE);
	CHECK_PAGES(att, want, PAGES);
	CHECK(probe_byte(att + 3 * pg + 1, true, &v) != 0);
	attacher_done(ch, STEP_MOVED);

	attacher_wait(ch, STEP_BACK);
	want_pages(want, 2, 2, 20);
	want_pages(want, 7, 1, PAGE_ZERO);
	CHECK_PAGES(att, want, PAGES);
	attacher_done(ch, STEP_BACK);

	attacher_wait(ch, STEP_PROTECTED);
	want_pages(want, 1, 1, PAGE_HOLE);
	CHECK_PAGES(att, want, PAGES);
	CHECK(probe_byte(att + 1 * pg, true, &v) != 0);
	CHECK(probe_byte(att + 5 * pg + 9, true, &v) != 0);
	CHECK(probe_byte(att + 6 * pg, true, &v) != 0);
	CHECK_PAGES(att, want, PAGES);
	attacher_done(ch, STEP_PROTECTED);

	attacher_wait(ch, STEP_UNPROTECTED);
	want_pages(want, 1, 1, 30);
	want_pages(want, 5, 1, 30);
	CHECK_PAGES(att, want, PAGES);
	fill_pages(att, 6, 1, 40);
	want_pages(want, 6, 1, 40);
	attacher_done(ch, STEP_UNPROTECTED);

	attacher_wait(ch, STEP_REPLACED);
	want_pages(want, 0, 1, 50);
	want_pages(want, 1, 1, PAGE_ZERO);
	CHECK_PAGES(att, want, PAGES);
	attacher_done(ch, STEP_REPLACED);
}

static void *remap_to(void *old, size_t old_size, size_t new_size,
		      void *new_addr)
{
	void *p = mremap(old, old_size, new_size,
			 MREMAP_MAYMOVE | MREMAP_FIXED, new_addr);

	CHECK(p == new_addr);
	return p;
}

int main(void)
{
	const int rw = PROT_READ | PROT_WRITE;
	unsigned char *mem, *away, *one;
	unsigned int want[PAGES];
	struct live_attach t;
	size_t pg;
	int i;

	require_kernel_backend();
	pg = page_size();
	mem = anon_pages(PAGES * pg);
	CHECK(madvise(mem, PAGES * pg, MADV_DONTFORK) == 0);
	fill_pages(mem, 0, PAGES, 10);
	/* Somewhere to move pages to: reserved, not part of the segment. */
	away = mmap(NULL, 2 * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		    0);
	CHECK(away != MAP_FAILED);

	live_attach_start(&t, mem, PAGES * pg, attacher);
	live_attach_wait(&t, STEP_READ);

	remap_to(mem + 2 * pg, 2 * pg, 2 * pg, away);
	CHECK(mremap(mem + 4 * pg, 4 * pg, 3 * pg, 0) == mem + 4 * pg);
	live_attach_go(&t, STEP_MOVED);
	live_attach_wait(&t, STEP_MOVED);

	for (i = 0; i < 2; i++)
		fill_pattern(away + i * pg, pg, 20 + 2 + i);
	remap_to(away, 2 * pg, 2 * pg, mem + 2 * pg);
	CHECK(mremap(mem + 4 * pg, 3 * pg, 4 * pg, 0) == mem + 4 * pg);
	live_attach_go(&t, STEP_BACK);
	live_attach_wait(&t, STEP_BACK);

	CHECK(mprotect(mem + 1 * pg, pg, PROT_NONE) == 0);
	CHECK(mprotect(mem + 5 * pg, 2 * pg, PROT_READ) == 0);
	live_attach_go(&t, STEP_PROTECTED);
	live_attach_wait(&t, STEP_PROTECTED);

	CHECK(mprotect(mem + 1 * pg, pg, rw) == 0);
	CHECK(mprotect(mem + 5 * pg, 2 * pg, rw) == 0);
	want_pages(want, 0, PAGES, 10);
	want_pages(want, 2, 2, 20);
	want_pages(want, 7, 1, PAGE_ZERO);
	CHECK_PAGES(mem, want, PAGES);	/* no write of the attacher got in */
	fill_pages(mem, 1, 1, 30);
	fill_pages(mem, 5, 1, 30);
	live_attach_go(&t, STEP_UNPROTECTED);
	live_attach_wait(&t, STEP_UNPROTECTED);
	CHECK_PATTERN(mem + 6 * pg, pg, 40 + 6);

	one = anon_pages(pg);
	fill_pattern(one, pg, 50);
	remap_to(one, pg, 2 * pg, mem);
	live_attach_go(&t, STEP_REPLACED);
	live_attach_wait(&t, STEP_REPLACED);
	live_attach_finish(&t);
	return 0;
}
