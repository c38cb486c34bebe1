/* SPDX-License-Identifier: MIT */
/*
 * Swap under a live attachment: the owner's anonymous pages go out to swap
 * (MADV_PAGEOUT) while the attacher has them mapped. The attacher must not
 * keep the freed pages: it reads the owner's bytes back through swap-in,
 * sees the owner's later writes, and its own writes survive the next trip
 * to swap.
 *
 * Needs swap: an active one is used as it is, else zram0 becomes swap for
 * the test (it is not loaded here, so no zram0 means skip) and is reset at
 * the end.
 */
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/sysmacros.h>

#include "ktest.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

#define PAGES 16
#define ZRAM_SIZE "32M"

enum step { STEP_READ = 1, STEP_SWAPPED, STEP_WRITTEN, STEP_OWNER_WROTE,
	    STEP_CHECKED };

static char zram_dev[64];
static pid_t swap_owner;

static void zram_off(void)
{
	if (getpid() != swap_owner || !zram_dev[0])
		return;
	if (swapoff(zram_dev) != 0)
		fprintf(stderr, "swapoff %s: %s\n", zram_dev, strerror(errno));
	else if (!write_line("/sys/block/zram0/reset", "1"))
		fprintf(stderr, "cannot reset zram0\n");
	if (strncmp(zram_dev, "/tmp/", 5) == 0)
		unlink(zram_dev);
}

static bool swap_active(void)
{
	FILE *f = fopen("/proc/swaps", "r");
	char line[256];
	int n = 0;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n > 1;	/* a header line, then one per swap area */
}

/* What mkswap writes: the version-1 header in the first page. */
static void write_swap_header(int fd, uint64_t bytes)
{
	size_t pg = page_size();
	unsigned char *hdr = calloc(1, pg);
	uint32_t version = 1, last_page = (uint32_t)(bytes / pg - 1);

	CHECK(hdr != NULL);
	memcpy(hdr + 1024, &version, sizeof(version));
	memcpy(hdr + 1028, &last_page, sizeof(last_page));
	memcpy(hdr + pg - 10, "SWAPSPACE2", 10);
	CHECK(pwrite(fd, hdr, pg, 0) == (ssize_t)pg);
	CHECK(fsync(fd) == 0);
	free(hdr);
}

/* The zram0 block device node, made in /tmp if devtmpfs lacks it. */
static void zram_node(void)
{
	unsigned int major_, minor_;
	char dev[32];

	snprintf(zram_dev, sizeof(zram_dev), "/dev/zram0");
	if (access(zram_dev, R_OK | W_OK) == 0)
		return;
	CHECK(read_line("/sys/block/zram0/dev", dev, sizeof(dev)));
	CHECK(sscanf(dev, "%u:%u", &major_, &minor_) == 2);
	snprintf(zram_dev, sizeof(zram_dev), "/tmp/xpmem-zram0");
	unlink(zram_dev);
	CHECK(mknod(zram_dev, S_IFBLK | 0600, makedev(major_, minor_)) == 0);
}

static void zram_on(void)
{
	int fd;

	if (geteuid() != 0)
		test_skip("no active swap, and setting up zram needs root");
	if (access("/sys/block/zram0", F_OK) != 0)
		test_skip("no active swap and no zram0 (zram not loaded)");
	if (read_long("/sys/block/zram0/disksize") != 0)
		test_skip("no active swap and zram0 is already in use");
	if (!write_line("/sys/block/zram0/disksize", ZRAM_SIZE))
		test_skip("cannot size zram0: %s", strerror(errno));
	swap_owner = getpid();
	zram_node();
	atexit(zram_off);
	fd = open(zram_dev, O_RDWR | O_CLOEXEC);
	CHECK(fd >= 0);
	write_swap_header(fd, (uint64_t)read_long("/sys/block/zram0/disksize"));
	close(fd);
	if (swapon(zram_dev, 0) != 0) {
		int err = errno;

		zram_dev[0] = 0;
		write_line("/sys/block/zram0/reset", "1");
		test_skip("swapon zram0: %s", strerror(err));
	}
}

/*
 * Sends the owner's pages to swap and checks they went: every page of the
 * range is a swap entry in the owner's page table. Reclaim may skip a page
 * that is busy for a moment, so it is asked again a few times.
 */
static void page_out(unsigned char *mem)
{
	int tries;

	for (tries = 0; tries < 20; tries++) {
		if (madvise(mem, PAGES * page_size(), MADV_PAGEOUT) != 0) {
			if (errno == EINVAL)
				test_skip("MADV_PAGEOUT is not supported");
			CHECK(0);
		}
		if (pagemap_count(0, mem, PAGES, PM_SWAPPED) == PAGES)
			return;
		usleep(50000);
	}
	test_fail_at(__FILE__, __LINE__, "only %d of %d pages went to swap",
		     pagemap_count(0, mem, PAGES, PM_SWAPPED), PAGES);
}

static void attacher(unsigned char *att, size_t size, struct channel *ch)
{
	unsigned int want[PAGES];

	want_pages(want, 0, PAGES, 10);
	CHECK_PAGES(att, want, PAGES);
	attacher_done(ch, STEP_READ);

	/* Our PTEs went with the pages: these faults swap them back in. */
	attacher_wait(ch, STEP_SWAPPED);
	CHECK_PAGES(att, want, PAGES);
	fill_pages(att, 0, PAGES / 2, 30);
	attacher_done(ch, STEP_WRITTEN);

	/* The owner wrote the other half after another trip to swap. */
	attacher_wait(ch, STEP_OWNER_WROTE);
	want_pages(want, 0, PAGES / 2, 30);
	want_pages(want, PAGES / 2, PAGES / 2, 40);
	CHECK_PAGES(att, want, PAGES);
	attacher_done(ch, STEP_CHECKED);
}

int main(void)
{
	unsigned int want[PAGES];
	struct live_attach t;
	unsigned char *mem;
	size_t pg;

	require_kernel_backend();
	if (!swap_active())
		zram_on();
	pin_to_one_cpu();
	pg = page_size();
	mem = anon_pages(PAGES * pg);
	/* The attacher is forked: it must not share these pages (COW). */
	CHECK(madvise(mem, PAGES * pg, MADV_DONTFORK) == 0);
	fill_pages(mem, 0, PAGES, 10);

	live_attach_start(&t, mem, PAGES * pg, attacher);
	live_attach_wait(&t, STEP_READ);
	page_out(mem);
	live_attach_go(&t, STEP_SWAPPED);
	live_attach_wait(&t, STEP_WRITTEN);
	/* The attacher's reads faulted every page back in. */
	CHECK(pagemap_count(0, mem, PAGES, PM_PRESENT) == PAGES);

	/* Its writes must be on the pages that go to swap now. */
	page_out(mem);
	want_pages(want, 0, PAGES / 2, 30);
	want_pages(want, PAGES / 2, PAGES / 2, 10);
	CHECK_PAGES(mem, want, PAGES);
	page_out(mem);
	fill_pages(mem, PAGES / 2, PAGES / 2, 40);
	live_attach_go(&t, STEP_OWNER_WROTE);
	live_attach_wait(&t, STEP_CHECKED);
	live_attach_finish(&t);
	return 0;
}
