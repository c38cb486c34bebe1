/* SPDX-License-Identifier: MIT */
/*
 * Holes: a segment may cover addresses where the owner has nothing mapped.
 * The attacher's access to such a page faults (SIGBUS or SIGSEGV) instead of
 * returning some other page, the pages around it work, and once the owner
 * maps memory into the hole the same attachment shows it: a failed fault
 * must not leave anything behind.
 */
#include "ktest.h"

#define PAGES 6

static bool page_faults(unsigned char *p, bool write)
{
	unsigned char v = 0x77;

	return probe_byte(p, write, &v) != 0;
}

static void attacher(unsigned char *att, size_t size, struct channel *ch)
{
	size_t pg = page_size();

	/* Pages 1 and 4 are holes; a hole at the end of the window too. */
	CHECK_PATTERN(att, pg, 0);
	CHECK(page_faults(att + 1 * pg, false));
	CHECK(page_faults(att + 1 * pg + 100, true));
	CHECK_PATTERN(att + 2 * pg, pg, 2);
	CHECK_PATTERN(att + 3 * pg, pg, 3);
	CHECK(page_faults(att + 4 * pg, false));
	CHECK(page_faults(att + 5 * pg + pg - 1, false));
	attacher_done(ch, 1);

	/* The owner filled hole 1: the attachment shows it now. */
	attacher_wait(ch, 2);
	CHECK_PATTERN(att + 1 * pg, pg, 11);
	CHECK(page_faults(att + 4 * pg, true));
	att[1 * pg + 5] = 0xee;
	attacher_done(ch, 3);
}

int main(void)
{
	struct live_attach t;
	unsigned char *mem;
	size_t pg;
	int i;

	require_kernel_backend();
	pg = page_size();
	mem = anon_pages(PAGES * pg);
	for (i = 0; i < PAGES; i++)
		fill_pattern(mem + i * pg, pg, i);
	CHECK(munmap(mem + 1 * pg, pg) == 0);
	CHECK(munmap(mem + 4 * pg, 2 * pg) == 0);

	live_attach_start(&t, mem, PAGES * pg, attacher);
	live_attach_wait(&t, 1);
	CHECK(mmap(mem + 1 * pg, pg, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
	      mem + 1 * pg);
	fill_pattern(mem + 1 * pg, pg, 11);
	live_attach_go(&t, 2);
	live_attach_wait(&t, 3);
	CHECK(mem[1 * pg + 5] == 0xee);
	live_attach_finish(&t);
	return 0;
}
