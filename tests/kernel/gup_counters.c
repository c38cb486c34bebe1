/* SPDX-License-Identifier: MIT */
/*
 * The counters of the file-backed attachments in /proc/xpmem/stats:
 *   file_attachments  live attachments that map the owner's file pages
 *                     as ordinary pages: 0 when nothing is attached; one
 *                     for each attachment of file memory (a memfd, a file
 *                     on tmpfs; two of one segment count twice), none for
 *                     private anonymous memory; back to 0 after detach,
 *                     and after an attacher exits without detaching;
 *   fault_huge        2 MiB entries mapped by the fault path: a line is
 *                     there (its value is thp's business).
 */
#include "ktest.h"

#define PAGES 4

enum step { STEP_ATTACHED = 1, STEP_DETACHED, STEP_AGAIN, STEP_EXIT };

/* The segments of one memfd, one tmpfs file and one anonymous range. */
enum { SEG_MEMFD, SEG_SHM, SEG_ANON, NSEGS };

static unsigned char *attach_touched(xpmem_apid_t apid, size_t size)
{
	unsigned char *att = xpmem_attach(xaddr(apid, 0), size, NULL);

	CHECK(att != (void *)-1);
	CHECK_PATTERN(att, size, 3);
	return att;
}

static void attacher(const xpmem_segid_t *segid, size_t size,
		     struct channel *ch)
{
	xpmem_apid_t apid[NSEGS];
	unsigned char *att[4];
	int i;

	for (i = 0; i < NSEGS; i++) {
		apid[i] = xpmem_get(segid[i], XPMEM_RDWR, XPMEM_PERMIT_MODE,
				    NULL);
		CHECK(apid[i] > 0);
	}
	/* Every page read, whether a file attachment counts at attach time
	 * or at its first fault. */
	att[0] = attach_touched(apid[SEG_MEMFD], size);
	att[1] = attach_touched(apid[SEG_MEMFD], size);
	att[2] = attach_touched(apid[SEG_SHM], size);
	att[3] = attach_touched(apid[SEG_ANON], size);
	attacher_done(ch, STEP_ATTACHED);

	attacher_wait(ch, STEP_DETACHED);
	for (i = 0; i < 4; i++)
		CHECK(xpmem_detach(att[i]) == 0);
	attacher_done(ch, STEP_DETACHED);

	/* Once more, left for the exit to clean up. */
	attacher_wait(ch, STEP_AGAIN);
	attach_touched(apid[SEG_SHM], size);
	attach_touched(apid[SEG_ANON], size);
	attacher_done(ch, STEP_AGAIN);
	attacher_wait(ch, STEP_EXIT);
}

static void check_files(long want, const char *when)
{
	long n;

	/* Cleanup at exit may finish just after the parent reaped us. */
	if (!WAIT_UNTIL((n = kstat("file_attachments")) == want, 5))
		test_fail_at(__FILE__, __LINE__,
			     "file_attachments is %ld %s, want %ld", n, when,
			     want);
}

int main(void)
{
	size_t size = PAGES * page_size();
	xpmem_segid_t segid[NSEGS];
	unsigned char *mem[NSEGS];
	struct channel ch;
	struct kstats base;
	int fd[2], i;
	pid_t pid;

	require_kernel_backend();
	if (kstat("fault_huge") < 0)
		test_fail_at(__FILE__, __LINE__, "%s has no fault_huge line",
			     KTEST_STATS_PATH);
	if (kstat("file_attachments") < 0)
		test_fail_at(__FILE__, __LINE__,
			     "%s has no file_attachments line",
			     KTEST_STATS_PATH);
	check_files(0, "with nothing attached");
	base = kstats_read();

	mem[SEG_MEMFD] = file_buffer(FILE_MEMFD, size, &fd[0]);
	mem[SEG_SHM] = file_buffer(FILE_SHM, size, &fd[1]);
	mem[SEG_ANON] = anon_pages(size);
	for (i = 0; i < NSEGS; i++) {
		fill_pattern(mem[i], size, 3);
		segid[i] = xpmem_make(mem[i], size, XPMEM_PERMIT_MODE,
				      (void *)0600);
		CHECK(segid[i] > 0);
	}
	channel_open(&ch);
	pid = fork_checked();
	if (pid == 0) {
		channel_child(&ch);
		test_deadline(60);
		attacher(segid, size, &ch);
		fflush(NULL);
		_exit(0);
	}
	channel_parent(&ch);

	CHECK(get_u64(ch.up[0]) == STEP_ATTACHED);
	check_files(3, "with three attachments of files and one of anonymous memory");
	put_u64(ch.down[1], STEP_DETACHED);
	CHECK(get_u64(ch.up[0]) == STEP_DETACHED);
	check_files(0, "after the detaches");
	put_u64(ch.down[1], STEP_AGAIN);
	CHECK(get_u64(ch.up[0]) == STEP_AGAIN);
	check_files(1, "with one attachment of a file");
	put_u64(ch.down[1], STEP_EXIT);
	CHECK(test_wait(pid) == 0);
	check_files(0, "after the attacher's exit");

	close(ch.down[1]);
	close(ch.up[0]);
	for (i = 0; i < NSEGS; i++) {
		CHECK(xpmem_remove(segid[i]) == 0);
		CHECK(munmap(mem[i], size) == 0);
	}
	close(fd[0]);
	close(fd[1]);
	CHECK_KSTATS_BACK(base, 5);
	return 0;
}
