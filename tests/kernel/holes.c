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

static void attacher(xpmem_segid_t segid, struct channel *ch)
{
	size_t pg = page_size();
	xpmem_apid_t apid;
	unsigned char *att;

	apid = xpmem_get(segid, XPMEM_RDWR, XPMEM_PERMIT_MODE, NULL);
	CHECK(apid > 0);
	att = xpmem_attach(xaddr(apid, 0), PAGES * pg, NULL);
	CHECK(att != (void *)-1);

	/* Pages 1 and 4 are holes; a hole at the end of the window too. */
	CHECK_PATTERN(att, pg, 0);
	CHECK(page_faults(att + 1 * pg, false));
	CHECK(page_faults(att + 1 * pg + 100, true));
	CHECK_PATTERN(att + 2 * pg, pg, 2);
	CHECK_PATTERN(att + 3 * pg, pg, 3);
	CHECK(page_faults(att + 4 * pg, false));
	CHECK(page_faults(att + 5 * pg + pg - 1, false));
	put_u64(ch->up[1], 1);

	/* The owner filled hole 1: the attachment shows it now. */
	CHECK(get_u64(ch->down[0]) == 2);
	CHECK_PATTERN(att + 1 * pg, pg, 11);
	CHECK(page_faults(att + 4 * pg, true));
	att[1 * pg + 5] = 0xee;
	put_u64(ch->up[1], 3);

	CHECK(xpmem_detach(att) == 0);
	CHECK(xpmem_release(apid) == 0);
}

int main(void)
{
	size_t pg;
	struct kstats base;
	struct channel ch;
	unsigned char *mem;
	xpmem_segid_t segid;
	pid_t pid;
	int i;

	require_kernel_backend();
	pg = page_size();
	base = kstats_read();
	mem = anon_pages(PAGES * pg);
	for (i = 0; i < PAGES; i++)
		fill_pattern(mem + i * pg, pg, i);
	CHECK(munmap(mem + 1 * pg, pg) == 0);
	CHECK(munmap(mem + 4 * pg, 2 * pg) == 0);
	segid = xpmem_make(mem, PAGES * pg, XPMEM_PERMIT_MODE, (void *)0600);
	CHECK(segid > 0);

	channel_open(&ch);
	pid = fork_checked();
	if (pid == 0) {
		channel_child(&ch);
		alarm(60);
		attacher(segid, &ch);
		_exit(0);
	}
	channel_parent(&ch);
	CHECK(get_u64(ch.up[0]) == 1);
	CHECK(mmap(mem + 1 * pg, pg, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
	      mem + 1 * pg);
	fill_pattern(mem + 1 * pg, pg, 11);
	put_u64(ch.down[1], 2);
	CHECK(get_u64(ch.up[0]) == 3);
	CHECK(test_wait(pid) == 0);
	CHECK(mem[1 * pg + 5] == 0xee);

	CHECK(xpmem_remove(segid) == 0);
	CHECK_KSTATS_BACK(base, 5);
	return 0;
}
