/* SPDX-License-Identifier: MIT */
/*
 * Re-export: an attacher exports its attachment of the owner's file memory
 * (a memfd, a file on tmpfs, a file in $TMPDIR) with xpmem_make, and a
 * third process attaches that. Bytes go both ways between the third
 * process and the original owner, through the middle one's attachment,
 * and a change the owner makes afterwards reaches the third process.
 * Invalidation goes down the chain: when the owner punches a hole,
 * truncates the file or (module only: the user-space backend maps the
 * files themselves, xpmem(7)) unmaps a page, the third process sees it.
 */
#include <linux/falloc.h>

#include "xpmem_test.h"

#define PAGES 8

enum step { STEP_CHECKED = 1, STEP_CHANGED, STEP_DROPPED, STEP_DONE };

/* Fails, naming the page, where an attachment faults instead of reading. */
static void check_readable(unsigned char *att, size_t size)
{
	size_t pg = page_size(), off;
	unsigned char v;
	int sig;

	for (off = 0; off < size; off += pg)
		if ((sig = probe_byte(att + off, false, &v)) != 0)
			test_fail_at(__FILE__, __LINE__,
				     "page %zu of the re-exported attachment faults (signal %d)",
				     off / pg, sig);
}

/*
 * After the owner's changes: page 0 a hole (zeros), page 1 unmapped, the
 * last page past the end of the file; the others as they were.
 */
static void check_dropped(unsigned char *att, size_t size,
			  unsigned int seed)
{
	size_t pg = page_size(), i;
	unsigned char *want = malloc(size), v;

	CHECK(want != NULL);
	fill_pattern(want, size / 2, seed + 2);
	fill_pattern(want + size / 2, size / 2, seed + 1);
	for (i = 0; i < pg; i++)
		CHECK(probe_byte(att + i, false, &v) == 0 && v == 0);
	if (!user_backend() && probe_byte(att + pg, false, &v) == 0)
		test_fail_at(__FILE__, __LINE__,
			     "page 1, unmapped by the owner, reads 0x%02x", v);
	CHECK(memcmp(att + 2 * pg, want + 2 * pg, size - 3 * pg) == 0);
	if (probe_byte(att + size - pg, false, &v) == 0)
		test_fail_at(__FILE__, __LINE__,
			     "the last page, past the end of the file, reads 0x%02x",
			     v);
	free(want);
}

/* The middle process: attaches and exports its attachment. */
static void middle(struct channel *ch, size_t size, unsigned int seed)
{
	xpmem_segid_t segid = (xpmem_segid_t)get_u64(ch->down[0]), again;
	xpmem_apid_t apid = xpmem_get(segid, XPMEM_RDWR, XPMEM_PERMIT_MODE,
				      NULL);
	unsigned char *att;

	(void)seed;
	CHECK(apid > 0);
	att = xpmem_attach(xaddr(apid, 0), size, NULL);
	CHECK(att != (void *)-1);
	again = xpmem_make(att, size, XPMEM_PERMIT_MODE, (void *)0600);
	if (again <= 0)
		test_fail_at(__FILE__, __LINE__,
			     "xpmem_make of an attachment: %s", strerror(errno));
	put_u64(ch->up[1], (uint64_t)again);
	CHECK(get_u64(ch->down[0]) == STEP_DONE);
	CHECK(xpmem_remove(again) == 0);
	CHECK(xpmem_detach(att) == 0);
	CHECK(xpmem_release(apid) == 0);
}

/* The third process: attaches the middle one's segment. */
static void third(struct channel *ch, size_t size, unsigned int seed)
{
	xpmem_segid_t segid = (xpmem_segid_t)get_u64(ch->down[0]);
	xpmem_apid_t apid = xpmem_get(segid, XPMEM_RDWR, XPMEM_PERMIT_MODE,
				      NULL);
	unsigned char *att;

	CHECK(apid > 0);
	att = xpmem_attach(xaddr(apid, 0), size, NULL);
	CHECK(att != (void *)-1);
	check_readable(att, size);
	CHECK_PATTERN(att, size / 2, seed);
	fill_pattern(att + size / 2, size / 2, seed + 1);
	put_u64(ch->up[1], STEP_CHECKED);
	CHECK(get_u64(ch->down[0]) == STEP_CHANGED);
	CHECK_PATTERN(att, size / 2, seed + 2);
	put_u64(ch->up[1], STEP_CHANGED);
	CHECK(get_u64(ch->down[0]) == STEP_DROPPED);
	check_dropped(att, size, seed);
	CHECK(xpmem_detach(att) == 0);
	CHECK(xpmem_release(apid) == 0);
}

static pid_t start(struct channel *ch,
		   void (*fn)(struct channel *, size_t, unsigned int),
		   size_t size, unsigned int seed)
{
	pid_t pid;

	channel_open(ch);
	pid = fork_checked();
	if (pid == 0) {
		channel_child(ch);
		test_deadline(60);
		fn(ch, size, seed);
		fflush(NULL);
		_exit(0);
	}
	channel_parent(ch);
	return pid;
}

static void finish(struct channel *ch, pid_t pid)
{
	CHECK(test_wait(pid) == 0);
	close(ch->down[1]);
	close(ch->up[0]);
}

static void reexport(enum file_sort sort)
{
	size_t size = PAGES * page_size();
	unsigned int seed = 10 * (1 + sort);
	struct channel mid_ch, third_ch;
	pid_t mid_pid, third_pid;
	xpmem_segid_t segid;
	unsigned char *mem;
	int fd;

	mid_pid = start(&mid_ch, middle, size, 0);
	third_pid = start(&third_ch, third, size, seed);
	mem = file_buffer(sort, size, &fd);
	fill_pattern(mem, size, seed);
	segid = xpmem_make(mem, size, XPMEM_PERMIT_MODE, (void *)0600);
	CHECK(segid > 0);

	put_u64(mid_ch.down[1], (uint64_t)segid);
	put_u64(third_ch.down[1], get_u64(mid_ch.up[0]));
	CHECK(get_u64(third_ch.up[0]) == STEP_CHECKED);
	CHECK_PATTERN(mem + size / 2, size / 2, seed + 1);
	fill_pattern(mem, size / 2, seed + 2);
	put_u64(third_ch.down[1], STEP_CHANGED);
	CHECK(get_u64(third_ch.up[0]) == STEP_CHANGED);
	CHECK(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0,
			(off_t)page_size()) == 0);
	CHECK(munmap(mem + page_size(), page_size()) == 0);
	CHECK(ftruncate(fd, (off_t)(size - page_size())) == 0);
	put_u64(third_ch.down[1], STEP_DROPPED);
	finish(&third_ch, third_pid);
	put_u64(mid_ch.down[1], STEP_DONE);
	finish(&mid_ch, mid_pid);

	CHECK(xpmem_remove(segid) == 0);
	CHECK(munmap(mem, size) == 0);
	close(fd);
}

int main(void)
{
	return run_file_sorts(reexport, 80);
}
