/* SPDX-License-Identifier: MIT */
/*
 * No leaks: after hundreds of make/get/attach/detach/release/remove cycles,
 * in one process and between two, the owner has the same descriptors and
 * mappings as before. Under the user-space backend the agent thread exists
 * exactly while something is exported.
 */
#include "xpmem_test.h"

#define CYCLES test_scaled(300)

static int threads(void)
{
	return count_dir("/proc/self/task");
}

static void cycle(unsigned char *buf, size_t size)
{
	xpmem_segid_t segid = xpmem_make(buf, size, XPMEM_PERMIT_MODE,
					 (void *)0600);
	xpmem_apid_t apid;
	unsigned char *p;

	CHECK(segid > 0);
	apid = xpmem_get(segid, XPMEM_RDWR, XPMEM_PERMIT_MODE, NULL);
	CHECK(apid > 0);
	p = xpmem_attach(xaddr(apid, 0), size, NULL);
	CHECK(p != (void *)-1);
	CHECK(p[size - 1] == buf[size - 1]);
	CHECK(xpmem_detach(p) == 0);
	/* A second attachment left for xpmem_release to clean up. */
	CHECK(xpmem_attach(xaddr(apid, 0), size, NULL) != (void *)-1);
	CHECK(xpmem_release(apid) == 0);
	CHECK(xpmem_remove(segid) == 0);
}

/* The owner's side of cross-process cycles: the child attaches. */
static void remote_cycles(unsigned char *buf, size_t size)
{
	xpmem_segid_t segid = xpmem_make(buf, size, XPMEM_PERMIT_MODE,
					 (void *)0600);
	pid_t pid;
	int i;

	CHECK(segid > 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		for (i = 0; i < CYCLES; i++) {
			xpmem_apid_t apid = xpmem_get(segid, XPMEM_RDWR,
						      XPMEM_PERMIT_MODE, NULL);
			unsigned char *p;

			CHECK(apid > 0);
			p = xpmem_attach(xaddr(apid, 0), size, NULL);
			CHECK(p != (void *)-1);
			p[i % size] = (unsigned char)i;
			CHECK(xpmem_detach(p) == 0);
			CHECK(xpmem_release(apid) == 0);
		}
		_exit(0);
	}
	CHECK(test_wait(pid) == 0);
	CHECK(buf[(CYCLES - 1) % size] == (unsigned char)(CYCLES - 1));
	CHECK(xpmem_remove(segid) == 0);
}

int main(void)
{
	size_t size = 4 * page_size();
	unsigned char *buf = shared_buffer(size);
	int fds, maps, tasks, i;
	xpmem_segid_t segid;

	cycle(buf, size);	/* warm-up: the library's one-time state */
	fds = count_dir("/proc/self/fd");
	maps = count_lines_with("/proc/self/maps", "xpmem-test");
	tasks = threads();

	for (i = 0; i < CYCLES; i++)
		cycle(buf, size);
	remote_cycles(buf, size);
	CHECK(count_dir("/proc/self/fd") == fds);
	CHECK(count_lines_with("/proc/self/maps", "xpmem-test") == maps);
	CHECK(maps == 1);	/* the owner's buffer, no attachment */
	CHECK(threads() == tasks);

	if (user_backend()) {
		segid = xpmem_make(buf, size, XPMEM_PERMIT_MODE, (void *)0600);
		CHECK(segid > 0);
		CHECK(threads() == tasks + 1);	/* the agent */
		CHECK(count_dir("/proc/self/fd") > fds);	/* its socket */
		CHECK(xpmem_remove(segid) == 0);
		CHECK(threads() == tasks);
		CHECK(count_dir("/proc/self/fd") == fds);
	}
	return 0;
}
