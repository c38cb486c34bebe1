/* SPDX-License-Identifier: MIT */
/*
 * Private anonymous memory and stack memory, which only the module can
 * export: a forked child attaches both, and bytes written on either side are
 * seen by the other through the same attachment. The child's own
 * copy-on-write copy of the buffers must stay untouched, which proves the
 * attachment maps the owner's pages and not the child's.
 */
#include "ktest.h"

#define ANON_PAGES	16
#define STACK_PAGES	8

struct region {
	unsigned char *addr;
	size_t size;
	xpmem_segid_t segid;
	unsigned int seed;
};

static void attacher(struct region *r, int nr, struct channel *ch)
{
	unsigned char *att[2];
	xpmem_apid_t apid[2];
	int i;

	for (i = 0; i < nr; i++) {
		apid[i] = xpmem_get(r[i].segid, XPMEM_RDWR, XPMEM_PERMIT_MODE,
				    NULL);
		CHECK(apid[i] > 0);
		att[i] = xpmem_attach(xaddr(apid[i], 0), r[i].size, NULL);
		CHECK(att[i] != (void *)-1);
		CHECK_PATTERN(att[i], r[i].size, r[i].seed);
	}
	put_u64(ch->up[1], 1);

	/* The owner rewrote its memory: the same attachments show it. */
	CHECK(get_u64(ch->down[0]) == 2);
	for (i = 0; i < nr; i++) {
		CHECK_PATTERN(att[i], r[i].size, r[i].seed + 10);
		fill_pattern(att[i], r[i].size, r[i].seed + 20);
		/* Our copy-on-write copy of the buffer is another page. */
		CHECK_PATTERN(r[i].addr, r[i].size, r[i].seed);
	}
	for (i = 0; i < nr; i++) {
		CHECK(xpmem_detach(att[i]) == 0);
		CHECK(xpmem_release(apid[i]) == 0);
	}
	put_u64(ch->up[1], 3);
}

static void owner(struct region *r, int nr, struct channel *ch, pid_t child)
{
	int i;

	CHECK(get_u64(ch->up[0]) == 1);
	for (i = 0; i < nr; i++)
		fill_pattern(r[i].addr, r[i].size, r[i].seed + 10);
	put_u64(ch->down[1], 2);
	CHECK(get_u64(ch->up[0]) == 3);
	CHECK(test_wait(child) == 0);
	for (i = 0; i < nr; i++)
		CHECK_PATTERN(r[i].addr, r[i].size, r[i].seed + 20);
}

static int run(unsigned char *stack_pages)
{
	size_t pg = page_size();
	struct region r[2] = {
		{ anon_pages(ANON_PAGES * pg), ANON_PAGES * pg, 0, 1 },
		{ stack_pages, STACK_PAGES * pg, 0, 2 },
	};
	struct channel ch;
	pid_t pid;
	int i;

	for (i = 0; i < 2; i++) {
		fill_pattern(r[i].addr, r[i].size, r[i].seed);
		r[i].segid = xpmem_make(r[i].addr, r[i].size,
					XPMEM_PERMIT_MODE, (void *)0600);
		CHECK(r[i].segid > 0);
	}
	channel_open(&ch);
	pid = fork_checked();
	if (pid == 0) {
		channel_child(&ch);
		attacher(r, 2, &ch);
		_exit(0);
	}
	channel_parent(&ch);
	owner(r, 2, &ch, pid);
	for (i = 0; i < 2; i++)
		CHECK(xpmem_remove(r[i].segid) == 0);
	return 0;
}

int main(void)
{
	size_t pg;
	struct kstats base;

	require_kernel_backend();
	pg = page_size();
	base = kstats_read();
	{
		/* A page-aligned window inside this function's frame. */
		unsigned char frame[(STACK_PAGES + 1) * 4096 * 4];
		uintptr_t a = ((uintptr_t)frame + pg - 1) & ~(uintptr_t)(pg - 1);

		CHECK(sizeof(frame) >= (STACK_PAGES + 1) * pg);
		run((unsigned char *)a);
	}
	CHECK_KSTATS_BACK(base, 5);
	return 0;
}
