/* SPDX-License-Identifier: MIT */
/*
 * The owner changes its file memory (a memfd, a file on tmpfs, a file in
 * $TMPDIR) under a live attachment whose pages the attacher has all read.
 * The same attachment, never re-attached, must show the truth after each
 * change, never bytes the file no longer has:
 *
 *   truncate  pages past the new end fault; grown again they read zeros,
 *             then what either side writes, both see;
 *   punch     a hole reads zeros, then the one new page both sides share;
 *   munmap    the owner unmaps a page and writes the file with pwrite;
 *   remap     a page of another file put over one (mmap MAP_FIXED), and
 *             one moved over another (mremap MREMAP_FIXED).
 *
 * Truncation and holes change the file, so both backends follow them. An
 * unmap or a remap changes only the owner's address space: the module
 * follows it (the page becomes a hole, or shows the new mapping), while
 * the user-space backend's attachment keeps mapping the file it was given
 * at attach time (xpmem(7)).
 */
#include <linux/falloc.h>

#include "xpmem_test.h"

#define PAGES 8

enum step { STEP_READ = 1, STEP_TRUNCATED, STEP_REGROWN, STEP_PUNCHED,
	    STEP_WRITTEN, STEP_UNMAPPED, STEP_REMAPPED };

/* Bytes written after a change, each step its own seed. */
#define SEED_OTHER 100	/* the other file, page by page */
#define SEED_REGROWN 200
#define SEED_ATT 300
#define SEED_PWRITE 400

static void attacher(unsigned char *att, struct channel *ch, unsigned int seed)
{
	size_t pg = page_size();
	unsigned int want[PAGES];

	want_pages(want, 0, PAGES, seed);
	CHECK_PAGES(att, want, PAGES);
	put_u64(ch->up[1], STEP_READ);

	CHECK(get_u64(ch->down[0]) == STEP_TRUNCATED);
	want_pages(want, 6, 2, PAGE_HOLE);
	CHECK_PAGES(att, want, PAGES);
	put_u64(ch->up[1], STEP_TRUNCATED);

	CHECK(get_u64(ch->down[0]) == STEP_REGROWN);
	want[6] = PAGE_ZERO;
	want[7] = SEED_REGROWN + 7;
	CHECK_PAGES(att, want, PAGES);
	fill_pattern(att + 6 * pg, pg, SEED_ATT + 6);
	put_u64(ch->up[1], STEP_REGROWN);

	CHECK(get_u64(ch->down[0]) == STEP_PUNCHED);
	want[2] = PAGE_ZERO;
	want[6] = SEED_ATT + 6;
	CHECK_PAGES(att, want, PAGES);
	fill_pattern(att + 2 * pg, pg, SEED_ATT + 2);
	put_u64(ch->up[1], STEP_PUNCHED);

	CHECK(get_u64(ch->down[0]) == STEP_WRITTEN);
	want[2] = SEED_PWRITE + 2;
	CHECK_PAGES(att, want, PAGES);
	put_u64(ch->up[1], STEP_WRITTEN);

	CHECK(get_u64(ch->down[0]) == STEP_UNMAPPED);
	/* The module follows the owner; the user backend maps the file. */
	want[4] = user_backend() ? SEED_PWRITE + 4 : PAGE_HOLE;
	CHECK_PAGES(att, want, PAGES);
	put_u64(ch->up[1], STEP_UNMAPPED);

	CHECK(get_u64(ch->down[0]) == STEP_REMAPPED);
	if (!user_backend()) {
		want[3] = SEED_OTHER + 2;
		want[5] = SEED_OTHER + 1;
		CHECK_PAGES(att, want, PAGES);
		/* Our writes go to the other file now. */
		fill_pattern(att + 5 * pg, pg, SEED_ATT + 5);
	} else {
		CHECK_PAGES(att, want, PAGES);
	}
	put_u64(ch->up[1], STEP_REMAPPED);
}

/* One step: the owner's change done, the attacher checks, we wait. */
static void step(struct channel *ch, uint64_t s)
{
	put_u64(ch->down[1], s);
	CHECK(get_u64(ch->up[0]) == s);
}

static void pwrite_page(int fd, int page, unsigned int seed)
{
	size_t pg = page_size();
	unsigned char *buf = malloc(pg);

	CHECK(buf != NULL);
	fill_pattern(buf, pg, seed);
	CHECK(pwrite(fd, buf, pg, (off_t)(page * pg)) == (ssize_t)pg);
	free(buf);
}

static void check_file_page(int fd, int page, unsigned int seed)
{
	size_t pg = page_size();
	unsigned char *buf = malloc(pg);

	CHECK(buf != NULL);
	CHECK(pread(fd, buf, pg, (off_t)(page * pg)) == (ssize_t)pg);
	CHECK_PATTERN(buf, pg, seed);
	free(buf);
}

/* Another file, 4 pages, page p filled with SEED_OTHER + p. */
static unsigned char *other_file(int *fd)
{
	size_t pg = page_size();
	unsigned char *mem = file_buffer(FILE_MEMFD, 4 * pg, fd);

	fill_pages(mem, 0, 4, SEED_OTHER);
	return mem;
}

static void owner_changes(struct channel *ch, unsigned char *mem, int fd)
{
	size_t pg = page_size();
	const int rw = PROT_READ | PROT_WRITE;
	unsigned char *other;
	int other_fd;

	CHECK(ftruncate(fd, (off_t)(6 * pg)) == 0);
	step(ch, STEP_TRUNCATED);

	CHECK(ftruncate(fd, (off_t)(PAGES * pg)) == 0);
	fill_pattern(mem + 7 * pg, pg, SEED_REGROWN + 7);
	step(ch, STEP_REGROWN);
	CHECK_PATTERN(mem + 6 * pg, pg, SEED_ATT + 6);

	CHECK(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			(off_t)(2 * pg), (off_t)pg) == 0);
	step(ch, STEP_PUNCHED);
	check_file_page(fd, 2, SEED_ATT + 2);
	pwrite_page(fd, 2, SEED_PWRITE + 2);
	step(ch, STEP_WRITTEN);

	CHECK(munmap(mem + 4 * pg, pg) == 0);
	pwrite_page(fd, 4, SEED_PWRITE + 4);
	step(ch, STEP_UNMAPPED);

	other = other_file(&other_fd);
	CHECK(mmap(mem + 5 * pg, pg, rw, MAP_SHARED | MAP_FIXED, other_fd,
		   (off_t)pg) == mem + 5 * pg);
	CHECK(mremap(other + 2 * pg, pg, pg, MREMAP_MAYMOVE | MREMAP_FIXED,
		     mem + 3 * pg) == mem + 3 * pg);
	step(ch, STEP_REMAPPED);
	check_file_page(other_fd, 1,
			user_backend() ? SEED_OTHER + 1 : SEED_ATT + 5);
	CHECK(munmap(other, 2 * pg) == 0);
	CHECK(munmap(other + 3 * pg, pg) == 0);
	close(other_fd);
}

static void invalidate(enum file_sort sort)
{
	size_t pg = page_size();
	unsigned int seed = 10 * (1 + sort);
	xpmem_segid_t segid;
	xpmem_apid_t apid;
	unsigned char *mem, *att;
	struct channel ch;
	pid_t pid;
	int fd;

	mem = file_buffer(sort, PAGES * pg, &fd);
	fill_pages(mem, 0, PAGES, seed);
	segid = xpmem_make(mem, PAGES * pg, XPMEM_PERMIT_MODE, (void *)0600);
	CHECK(segid > 0);
	channel_open(&ch);
	pid = fork_checked();
	if (pid == 0) {
		channel_child(&ch);
		test_deadline(60);
		apid = xpmem_get(segid, XPMEM_RDWR, XPMEM_PERMIT_MODE, NULL);
		CHECK(apid > 0);
		att = xpmem_attach(xaddr(apid, 0), PAGES * pg, NULL);
		CHECK(att != (void *)-1);
		attacher(att, &ch, seed);
		CHECK(xpmem_detach(att) == 0);
		CHECK(xpmem_release(apid) == 0);
		fflush(NULL);
		_exit(0);
	}
	channel_parent(&ch);
	CHECK(get_u64(ch.up[0]) == STEP_READ);
	owner_changes(&ch, mem, fd);
	owner_finish(pid, &ch, segid, mem, PAGES * pg, fd);
}

int main(void)
{
	return run_file_sorts(invalidate, 80);
}
