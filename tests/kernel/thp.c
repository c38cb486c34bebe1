/* SPDX-License-Identifier: MIT */
/*
 * Transparent huge pages under a live attachment. The owner's range is one
 * PMD-sized, aligned block:
 *   collapse  small pages the attacher has mapped are copied into a huge
 *             page (MADV_COLLAPSE, or khugepaged where that is missing)
 *             and freed: the attacher must follow to the huge page;
 *   split     MADV_DONTNEED of one small page inside the huge page splits
 *             its PMD: that page reads zeros, the others keep their bytes.
 * Each change is checked in the owner's /proc/self/smaps (AnonHugePages)
 * before the attacher looks. THP settings are put back at the end.
 */
#include "ktest.h"

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

#define KHUGEPAGED_DIR THP_DIR "/khugepaged"

enum step { STEP_READ = 1, STEP_COLLAPSED, STEP_SPLIT };

static size_t huge_size;
static int pages;

static void attacher(unsigned char *att, size_t size, struct channel *ch)
{
	unsigned int *want = calloc((size_t)pages, sizeof(*want));

	CHECK(want != NULL);
	want_pages(want, 0, pages, 10);
	CHECK_PAGES(att, want, pages);
	attacher_done(ch, STEP_READ);

	attacher_wait(ch, STEP_COLLAPSED);
	want_pages(want, 0, pages, 20);
	CHECK_PAGES(att, want, pages);
	fill_pages(att, 0, 16, 30);
	fill_pages(att, pages - 16, 16, 30);
	attacher_done(ch, STEP_COLLAPSED);

	attacher_wait(ch, STEP_SPLIT);
	want_pages(want, 0, 16, 30);
	want_pages(want, pages - 16, 16, 30);
	want_pages(want, 5, 1, PAGE_ZERO);
	want_pages(want, 100, 8, 40);
	CHECK_PAGES(att, want, pages);
	attacher_done(ch, STEP_SPLIT);
	free(want);
}

/* khugepaged, for kernels without MADV_COLLAPSE (before 6.1). */
static bool collapse_by_khugepaged(unsigned char *mem)
{
	if (!set_setting(KHUGEPAGED_DIR "/scan_sleep_millisecs", "0") ||
	    !set_setting(KHUGEPAGED_DIR "/alloc_sleep_millisecs", "0") ||
	    !set_setting(KHUGEPAGED_DIR "/pages_to_scan", "4096"))
		test_skip("cannot tune khugepaged");
	return WAIT_UNTIL(anon_huge_bytes(mem, huge_size) == (long)huge_size, 20);
}

static void collapse(unsigned char *mem)
{
	int tries;

	for (tries = 0; tries < 5; tries++) {
		if (madvise(mem, huge_size, MADV_COLLAPSE) == 0)
			return;
		if (errno == EINVAL) {
			if (!collapse_by_khugepaged(mem))
				test_skip("khugepaged did not collapse the range in 20 s");
			return;
		}
		/* EAGAIN, ENOMEM: no huge page free right now. */
		CHECK(errno == EAGAIN || errno == ENOMEM);
		usleep(100000);
	}
	test_skip("MADV_COLLAPSE found no huge page: %s", strerror(errno));
}

int main(void)
{
	struct live_attach t;
	unsigned char *mem;
	unsigned int *want;
	long size;

	require_kernel_backend();
	require_thp();
	size = 2 * 1024 * 1024;
	if (access(THP_DIR "/hpage_pmd_size", R_OK) == 0)
		size = read_long(THP_DIR "/hpage_pmd_size");
	huge_size = (size_t)size;
	pages = (int)(huge_size / page_size());
	want = calloc((size_t)pages, sizeof(*want));
	CHECK(want != NULL);

	/* Small pages first: no huge page until the collapse. */
	mem = aligned_range(huge_size, huge_size);
	CHECK(madvise(mem, huge_size, MADV_NOHUGEPAGE) == 0);
	CHECK(madvise(mem, huge_size, MADV_DONTFORK) == 0);
	fill_pages(mem, 0, pages, 10);
	CHECK(anon_huge_bytes(mem, huge_size) == 0);
	CHECK(madvise(mem, huge_size, MADV_HUGEPAGE) == 0);

	live_attach_start(&t, mem, huge_size, attacher);
	live_attach_wait(&t, STEP_READ);

	collapse(mem);
	if (anon_huge_bytes(mem, huge_size) != (long)huge_size)
		test_fail_at(__FILE__, __LINE__,
			     "collapse reported success, AnonHugePages %ld kB",
			     anon_huge_bytes(mem, huge_size) / 1024);
	want_pages(want, 0, pages, 10);
	CHECK_PAGES(mem, want, pages);
	fill_pages(mem, 0, pages, 20);
	CHECK(anon_huge_bytes(mem, huge_size) == (long)huge_size);
	live_attach_go(&t, STEP_COLLAPSED);
	live_attach_wait(&t, STEP_COLLAPSED);
	want_pages(want, 0, pages, 20);
	want_pages(want, 0, 16, 30);
	want_pages(want, pages - 16, 16, 30);
	CHECK_PAGES(mem, want, pages);

	CHECK(madvise(mem + 5 * page_size(), page_size(), MADV_DONTNEED) == 0);
	if (anon_huge_bytes(mem, huge_size) != 0)
		test_fail_at(__FILE__, __LINE__,
			     "MADV_DONTNEED inside the huge page left AnonHugePages %ld kB",
			     anon_huge_bytes(mem, huge_size) / 1024);
	fill_pages(mem, 100, 8, 40);
	live_attach_go(&t, STEP_SPLIT);
	live_attach_wait(&t, STEP_SPLIT);
	live_attach_finish(&t);
	free(want);
	return 0;
}
