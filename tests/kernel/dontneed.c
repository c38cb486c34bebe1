/* SPDX-License-Identifier: MIT */
/*
 * The owner drops pages under a live attachment, and the attacher must see
 * what the owner sees afterwards:
 *   - MADV_DONTNEED on private anonymous memory: zeros, then the owner's
 *     new bytes;
 *   - MADV_DONTNEED on a MAP_SHARED memfd: the file's bytes, which the
 *     owner then changes through the descriptor (pwrite, a punched hole,
 *     ftruncate: pages past the end fault, as they do for the owner);
 *   - MADV_FREE, with the freed pages reclaimed at once (MADV_PAGEOUT):
 *     zeros, except where the owner wrote again before the reclaim.
 */
#include <linux/falloc.h>

#include "ktest.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

#define PAGES 8

enum step { STEP_READ = 1, STEP_DROPPED, STEP_CHANGED, STEP_TRUNCATED };

static void anon_attacher(unsigned char *att, size_t size, struct channel *ch)
{
	size_t pg = page_size();
	unsigned int want[PAGES];

	want_pages(want, 0, PAGES, 10);
	CHECK_PAGES(att, want, PAGES);
	attacher_done(ch, STEP_READ);

	attacher_wait(ch, STEP_DROPPED);
	want_pages(want, 0, 4, PAGE_ZERO);
	CHECK_PAGES(att, want, PAGES);
	attacher_done(ch, STEP_DROPPED);

	attacher_wait(ch, STEP_CHANGED);
	want_pages(want, 0, 2, 20);
	want_pages(want, 7, 1, PAGE_ZERO);
	CHECK_PAGES(att, want, PAGES);
	fill_pattern(att + 2 * pg, pg, 30);
	fill_pattern(att + 7 * pg, pg, 37);
	attacher_done(ch, STEP_CHANGED);
}

static void anon_dontneed(void)
{
	size_t pg = page_size();
	unsigned char *mem = anon_pages(PAGES * pg);
	struct live_attach t;
	unsigned int want[PAGES];

	CHECK(madvise(mem, PAGES * pg, MADV_DONTFORK) == 0);
	fill_pages(mem, 0, PAGES, 10);
	live_attach_start(&t, mem, PAGES * pg, anon_attacher);
	live_attach_wait(&t, STEP_READ);

	CHECK(madvise(mem, 4 * pg, MADV_DONTNEED) == 0);
	want_pages(want, 0, 4, PAGE_ZERO);
	want_pages(want, 4, 4, 10);
	CHECK_PAGES(mem, want, PAGES);
	live_attach_go(&t, STEP_DROPPED);
	live_attach_wait(&t, STEP_DROPPED);

	fill_pages(mem, 0, 2, 20);
	CHECK(madvise(mem + 7 * pg, pg, MADV_DONTNEED) == 0);
	live_attach_go(&t, STEP_CHANGED);
	live_attach_wait(&t, STEP_CHANGED);
	CHECK_PATTERN(mem + 2 * pg, pg, 30);
	CHECK_PATTERN(mem + 7 * pg, pg, 37);
	live_attach_finish(&t);
	CHECK(munmap(mem, PAGES * pg) == 0);
}

static void file_attacher(unsigned char *att, size_t size, struct channel *ch)
{
	size_t pg = page_size();
	unsigned int want[PAGES];

	want_pages(want, 0, PAGES, 40);
	CHECK_PAGES(att, want, PAGES);
	attacher_done(ch, STEP_READ);

	/* The owner's PTEs are gone, the file's pages are not. */
	attacher_wait(ch, STEP_DROPPED);
	CHECK_PAGES(att, want, PAGES);
	attacher_done(ch, STEP_DROPPED);

	attacher_wait(ch, STEP_CHANGED);
	want_pages(want, 0, 4, 50);
	want_pages(want, 4, 2, PAGE_ZERO);
	CHECK_PAGES(att, want, PAGES);
	fill_pattern(att + 6 * pg, pg, 60);
	attacher_done(ch, STEP_CHANGED);

	attacher_wait(ch, STEP_TRUNCATED);
	want_pages(want, 4, 4, PAGE_HOLE);
	CHECK_PAGES(att, want, PAGES);
	attacher_done(ch, STEP_TRUNCATED);
}

static void memfd_dontneed(void)
{
	size_t pg = page_size();
	int fd = memfd_create("xpmem-dontneed", MFD_CLOEXEC);
	unsigned int want[PAGES];
	unsigned char *mem, *buf;
	struct live_attach t;

	CHECK(fd >= 0);
	CHECK(ftruncate(fd, (off_t)(PAGES * pg)) == 0);
	mem = mmap(NULL, PAGES * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		   0);
	CHECK(mem != MAP_FAILED);
	fill_pages(mem, 0, PAGES, 40);
	live_attach_start(&t, mem, PAGES * pg, file_attacher);
	live_attach_wait(&t, STEP_READ);

	CHECK(madvise(mem, PAGES * pg, MADV_DONTNEED) == 0);
	want_pages(want, 0, PAGES, 40);
	CHECK_PAGES(mem, want, PAGES);
	live_attach_go(&t, STEP_DROPPED);
	live_attach_wait(&t, STEP_DROPPED);

	/* Through the descriptor, not the mapping. */
	buf = malloc(4 * pg);
	CHECK(buf != NULL);
	fill_pages(buf, 0, 4, 50);
	CHECK(pwrite(fd, buf, 4 * pg, 0) == (ssize_t)(4 * pg));
	CHECK(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			(off_t)(4 * pg), (off_t)(2 * pg)) == 0);
	live_attach_go(&t, STEP_CHANGED);
	live_attach_wait(&t, STEP_CHANGED);
	CHECK(pread(fd, buf, pg, (off_t)(6 * pg)) == (ssize_t)pg);
	CHECK_PATTERN(buf, pg, 60);

	CHECK(ftruncate(fd, (off_t)(4 * pg)) == 0);
	live_attach_go(&t, STEP_TRUNCATED);
	live_attach_wait(&t, STEP_TRUNCATED);
	live_attach_finish(&t);
	free(buf);
	CHECK(munmap(mem, PAGES * pg) == 0);
	close(fd);
}

static void free_attacher(unsigned char *att, size_t size, struct channel *ch)
{
	unsigned int want[PAGES];

	want_pages(want, 0, PAGES, 70);
	CHECK_PAGES(att, want, PAGES);
	attacher_done(ch, STEP_READ);

	attacher_wait(ch, STEP_DROPPED);
	want_pages(want, 0, 2, 80);
	want_pages(want, 2, PAGES - 2, PAGE_ZERO);
	CHECK_PAGES(att, want, PAGES);
	attacher_done(ch, STEP_DROPPED);
}

/* Pages 2.. of @mem, lazily freed, are gone from the owner's page table. */
static bool discarded(unsigned char *mem)
{
	return pagemap_count(0, mem + 2 * page_size(), PAGES - 2,
			     PM_PRESENT) == 0 &&
	       pagemap_count(0, mem + 2 * page_size(), PAGES - 2,
			     PM_SWAPPED) == 0;
}

static void anon_free(void)
{
	size_t pg = page_size();
	unsigned char *mem = anon_pages(PAGES * pg);
	unsigned int want[PAGES];
	struct live_attach t;
	int tries;

	if (madvise(mem, pg, MADV_PAGEOUT) != 0) {
		CHECK(errno == EINVAL);
		printf("no MADV_PAGEOUT (before 5.4): MADV_FREE not tested\n");
		CHECK(munmap(mem, PAGES * pg) == 0);
		return;
	}
	CHECK(madvise(mem, PAGES * pg, MADV_DONTFORK) == 0);
	fill_pages(mem, 0, PAGES, 70);
	live_attach_start(&t, mem, PAGES * pg, free_attacher);
	live_attach_wait(&t, STEP_READ);

	/* Written again after MADV_FREE: pages 0 and 1 must survive. */
	CHECK(madvise(mem, PAGES * pg, MADV_FREE) == 0);
	fill_pages(mem, 0, 2, 80);
	for (tries = 0; tries < 20 && !discarded(mem); tries++)
		CHECK(madvise(mem, PAGES * pg, MADV_PAGEOUT) == 0);
	if (!discarded(mem))
		test_fail_at(__FILE__, __LINE__,
			     "reclaim kept lazily freed pages: %d present",
			     pagemap_count(0, mem + 2 * pg, PAGES - 2,
					   PM_PRESENT));
	want_pages(want, 0, 2, 80);
	want_pages(want, 2, PAGES - 2, PAGE_ZERO);
	CHECK_PAGES(mem, want, PAGES);
	live_attach_go(&t, STEP_DROPPED);
	live_attach_wait(&t, STEP_DROPPED);
	live_attach_finish(&t);
	CHECK(munmap(mem, PAGES * pg) == 0);
}

int main(void)
{
	require_kernel_backend();
	/* MADV_PAGEOUT flushes the per-CPU page batches of its CPU only. */
	pin_to_one_cpu();
	anon_dontneed();
	memfd_dontneed();
	anon_free();
	return 0;
}
