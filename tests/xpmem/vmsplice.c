/* SPDX-License-Identifier: MIT */
/*
 * vmsplice from an attachment of exported file memory (a memfd, a file on
 * tmpfs, a file in $TMPDIR) into a pipe: the pipe takes references to the
 * attachment's pages (get_user_pages), and reading the pipe gives their
 * bytes.
 *
 * Pinned pages: the kernel's rule is that a page keeps its bytes for
 * whoever holds a reference to it, even once the file has dropped it. So
 * after the owner punches a hole over pages in the pipe and truncates the
 * file below others, the pipe still delivers the original bytes, while the
 * attachment shows the file as it now is: zeros where the hole was, a
 * fault past the end.
 */
#include <linux/falloc.h>
#include <sys/uio.h>

#include "xpmem_test.h"

#define PAGES 8	/* 0-3 spliced and read; 4-7 spliced, then dropped */

enum step { STEP_SPLICED = 1, STEP_DROPPED };

static void read_pipe(int fd, unsigned char *buf, size_t size)
{
	size_t got = 0;
	ssize_t n;

	while (got < size) {
		n = read(fd, buf + got, size - got);
		CHECK(n > 0);
		got += (size_t)n;
	}
}

static void splice_pages(int pipe_w, unsigned char *att, size_t size)
{
	struct iovec iov = { .iov_base = att, .iov_len = size };
	ssize_t n = vmsplice(pipe_w, &iov, 1, 0);

	if (n != (ssize_t)size)
		test_fail_at(__FILE__, __LINE__,
			     "vmsplice from the attachment: %zd (%s)", n,
			     n < 0 ? strerror(errno) : "short");
}

static void attacher(struct channel *ch, xpmem_segid_t segid,
		     unsigned int seed)
{
	size_t pg = page_size(), half = PAGES / 2 * pg;
	xpmem_apid_t apid = xpmem_get(segid, XPMEM_RDWR, XPMEM_PERMIT_MODE,
				      NULL);
	unsigned char *att, *buf = malloc(half), v;
	int p[2], i;

	CHECK(apid > 0 && buf != NULL);
	CHECK(pipe(p) == 0);
	att = xpmem_attach(xaddr(apid, 0), PAGES * pg, NULL);
	CHECK(att != (void *)-1);

	splice_pages(p[1], att, half);
	read_pipe(p[0], buf, half);
	CHECK_PATTERN(buf, half, seed);

	splice_pages(p[1], att + half, half);
	put_u64(ch->up[1], STEP_SPLICED);
	CHECK(get_u64(ch->down[0]) == STEP_DROPPED);
	read_pipe(p[0], buf, half);
	for (i = 0; i < PAGES / 2; i++)
		CHECK_PATTERN(buf + i * pg, pg, seed + 4 + i);

	/* The attachment itself follows the file: a hole, then the end. */
	for (i = 0; i < 2; i++)
		if (probe_byte(att + (4 + i) * pg, false, &v) || v != 0)
			test_fail_at(__FILE__, __LINE__,
				     "page %d of the attachment: not zeros after the hole was punched",
				     4 + i);
	for (i = 6; i < PAGES; i++)
		if (!probe_byte(att + i * pg, false, &v))
			test_fail_at(__FILE__, __LINE__,
				     "page %d of the attachment reads 0x%02x past the end of the file",
				     i, v);
	CHECK(xpmem_detach(att) == 0);
	CHECK(xpmem_release(apid) == 0);
}

static void splice_sort(enum file_sort sort)
{
	size_t pg = page_size();
	unsigned int seed = 10 * (1 + sort);
	struct channel ch;
	xpmem_segid_t segid;
	unsigned char *mem;
	pid_t pid;
	int fd, i;

	mem = file_buffer(sort, PAGES * pg, &fd);
	fill_pattern(mem, PAGES / 2 * pg, seed);
	for (i = PAGES / 2; i < PAGES; i++)
		fill_pattern(mem + i * pg, pg, seed + (unsigned int)i);
	segid = xpmem_make(mem, PAGES * pg, XPMEM_PERMIT_MODE, (void *)0600);
	CHECK(segid > 0);
	channel_open(&ch);
	pid = fork_checked();
	if (pid == 0) {
		channel_child(&ch);
		test_deadline(60);
		attacher(&ch, segid, seed);
		fflush(NULL);
		_exit(0);
	}
	channel_parent(&ch);

	CHECK(get_u64(ch.up[0]) == STEP_SPLICED);
	CHECK(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			(off_t)(4 * pg), (off_t)(2 * pg)) == 0);
	CHECK(ftruncate(fd, (off_t)(6 * pg)) == 0);
	put_u64(ch.down[1], STEP_DROPPED);
	owner_finish(pid, &ch, segid, mem, PAGES * pg, fd);
}

int main(void)
{
	return run_file_sorts(splice_sort, 80);
}
