/* SPDX-License-Identifier: MIT */
/*
 * KSM under a live attachment. Four of the owner's pages and one page of a
 * bystander process hold the same bytes; ksmd merges them into one
 * write-protected page, which the attacher must then see through a
 * read-only attachment. When the owner writes one of them (copy on write)
 * the attacher sees the owner's new page; when the attacher writes one
 * through a writable attachment, the write lands in the owner's own copy
 * and neither the other merged pages nor the bystander's page change.
 *
 * The merge is checked in the page tables (the pages share one frame,
 * /proc/<pid>/pagemap) and in pages_sharing. KSM settings are put back.
 */
#include "ktest.h"

#ifndef MADV_MERGEABLE
#define MADV_MERGEABLE 12
#endif

#define KSM_DIR "/sys/kernel/mm/ksm"
#define PAGES 8
#define SAME 4		/* pages 0..3 hold the same bytes */
#define SAME_SEED 77

enum step { STEP_READ = 1, STEP_MERGED, STEP_OWNER_WROTE, STEP_WE_WROTE };

static struct live_attach t;

static void want_initial(unsigned int *want)
{
	int p;

	for (p = 0; p < SAME; p++)
		want[p] = SAME_SEED;
	want_pages(want, SAME, PAGES - SAME, 10);
}

static void fill_initial(unsigned char *mem)
{
	int p;

	for (p = 0; p < SAME; p++)
		fill_pattern(mem + (size_t)p * page_size(), page_size(),
			     SAME_SEED);
	fill_pages(mem, SAME, PAGES - SAME, 10);
}

static void attacher(unsigned char *ro, size_t size, struct channel *ch)
{
	size_t pg = page_size();
	unsigned int want[PAGES];
	xpmem_apid_t apid;
	unsigned char *rw;

	want_initial(want);
	CHECK_PAGES(ro, want, PAGES);
	attacher_done(ch, STEP_READ);

	attacher_wait(ch, STEP_MERGED);
	CHECK_PAGES(ro, want, PAGES);
	attacher_done(ch, STEP_MERGED);

	attacher_wait(ch, STEP_OWNER_WROTE);
	want[1] = 88;
	CHECK_PAGES(ro, want, PAGES);

	/* Now a writable attachment: our write is the owner's COW. */
	apid = xpmem_get(t.segid, XPMEM_RDWR, XPMEM_PERMIT_MODE, NULL);
	CHECK(apid > 0);
	rw = xpmem_attach(xaddr(apid, 0), size, NULL);
	CHECK(rw != (void *)-1);
	fill_pattern(rw + 2 * pg, pg, 99);
	want[2] = 99;
	CHECK_PAGES(rw, want, PAGES);
	CHECK_PAGES(ro, want, PAGES);
	CHECK(xpmem_detach(rw) == 0);
	CHECK(xpmem_release(apid) == 0);
	attacher_done(ch, STEP_WE_WROTE);
}

/* Another process with a mergeable page of the same bytes. */
static pid_t start_bystander(struct channel *ch)
{
	unsigned char *page;
	pid_t pid;

	channel_open(ch);
	pid = fork_checked();
	if (pid == 0) {
		channel_child(ch);
		alarm(LIVE_ATTACH_ALARM);
		page = anon_pages(page_size());
		fill_pattern(page, page_size(), SAME_SEED);
		CHECK(madvise(page, page_size(), MADV_MERGEABLE) == 0);
		put_u64(ch->up[1], (uintptr_t)page);
		get_u64(ch->down[0]);
		CHECK_PATTERN(page, page_size(), SAME_SEED);
		_exit(0);
	}
	channel_parent(ch);
	return pid;
}

static uint64_t pfn_of(pid_t pid, const void *addr)
{
	uint64_t e = pagemap_entry(pid, addr);

	return e & PM_PRESENT ? e & PM_PFN_MASK : 0;
}

/* Pages 0..SAME-1 of the owner and the bystander's page share one frame. */
static bool merged(unsigned char *mem, pid_t bystander, const void *theirs)
{
	uint64_t pfn = pfn_of(bystander, theirs);
	int p;

	if (!pfn)
		return false;
	for (p = 0; p < SAME; p++)
		if (pfn_of(0, mem + (size_t)p * page_size()) != pfn)
			return false;
	return true;
}

int main(void)
{
	unsigned int want[PAGES];
	struct channel bch;
	unsigned char *mem;
	long sharing;
	pid_t bystander;
	void *theirs;
	size_t pg;

	require_kernel_backend();
	if (access(KSM_DIR "/run", W_OK) != 0)
		test_skip("no KSM (%s/run)", KSM_DIR);
	pg = page_size();
	mem = anon_pages(PAGES * pg);
	CHECK(madvise(mem, PAGES * pg, MADV_DONTFORK) == 0);
	if (madvise(mem, PAGES * pg, MADV_MERGEABLE) != 0)
		test_skip("MADV_MERGEABLE: %s", strerror(errno));
	fill_initial(mem);
	/* Frame numbers in pagemap are for CAP_SYS_ADMIN only. */
	if (!pfn_of(0, mem))
		test_skip("pagemap shows no frame numbers (needs root)");

	bystander = start_bystander(&bch);
	theirs = (void *)(uintptr_t)get_u64(bch.up[0]);
	live_attach_start_mode(&t, mem, PAGES * pg, XPMEM_RDONLY, attacher);
	live_attach_wait(&t, STEP_READ);

	sharing = read_long(KSM_DIR "/pages_sharing");
	CHECK(set_setting(KSM_DIR "/pages_to_scan", "10000"));
	CHECK(set_setting(KSM_DIR "/sleep_millisecs", "0"));
	CHECK(set_setting(KSM_DIR "/run", "1"));
	if (!WAIT_UNTIL(merged(mem, bystander, theirs), 30))
		test_fail_at(__FILE__, __LINE__,
			     "ksmd did not merge the identical pages in 30 s");
	CHECK(read_long(KSM_DIR "/pages_sharing") >= sharing + SAME);
	/* Stop merging: the checks below expect the pages as they are. */
	CHECK(set_setting(KSM_DIR "/run", "0"));
	live_attach_go(&t, STEP_MERGED);
	live_attach_wait(&t, STEP_MERGED);

	fill_pattern(mem + 1 * pg, pg, 88);
	CHECK(pfn_of(0, mem + 1 * pg) != pfn_of(0, mem));
	live_attach_go(&t, STEP_OWNER_WROTE);
	live_attach_wait(&t, STEP_WE_WROTE);

	want_initial(want);
	want[1] = 88;
	want[2] = 99;
	CHECK_PAGES(mem, want, PAGES);
	put_u64(bch.down[1], 1);
	CHECK(test_wait(bystander) == 0);
	live_attach_finish(&t);
	return 0;
}
