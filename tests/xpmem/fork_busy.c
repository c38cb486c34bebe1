/* SPDX-License-Identifier: MIT */
/*
 * fork() while the library is busy: another process attaches and detaches
 * this process's segment in a loop (so the agent, under the user-space
 * backend, is serving), and threads of this process attach and detach
 * their own permits, while the main thread forks repeatedly. Every child
 * must find the library usable (its own make, get, attach, remove) and
 * nobody may deadlock: the locks the library holds across fork are
 * released in parent and child alike.
 */
#include <pthread.h>

#include "xpmem_test.h"

#define FORKS		test_scaled(40)
#define NPAGES		4

static xpmem_segid_t segid;
static size_t seg_size;
static volatile int stop;

static void *attacher(void *arg)
{
	xpmem_apid_t apid = xpmem_get(segid, XPMEM_RDONLY, XPMEM_PERMIT_MODE,
				      NULL);

	CHECK(apid > 0);
	while (!stop) {
		unsigned char *p = xpmem_attach(xaddr(apid, 0), seg_size, NULL);

		CHECK(p != (void *)-1);
		CHECK(p[1] == pattern_byte(1, 13));
		CHECK(xpmem_detach(p) == 0);
	}
	CHECK(xpmem_release(apid) == 0);
	return arg;
}

/* Another process: a permit and an attachment at a time, 300 times. */
static int remote_attacher(void)
{
	int i;

	for (i = 0; i < 300; i++) {
		xpmem_apid_t apid = xpmem_get(segid, XPMEM_RDONLY,
					      XPMEM_PERMIT_MODE, NULL);
		unsigned char *p;

		CHECK(apid > 0);
		p = xpmem_attach(xaddr(apid, 0), seg_size, NULL);
		CHECK(p != (void *)-1);
		CHECK(p[2] == pattern_byte(2, 13));
		CHECK(xpmem_release(apid) == 0);	/* detaches p too */
	}
	return 0;
}

static int child_uses_library(void)
{
	unsigned char *mine = shared_buffer(seg_size), *p;
	xpmem_segid_t own;
	xpmem_apid_t apid;

	own = xpmem_make(mine, seg_size, XPMEM_PERMIT_MODE, (void *)0600);
	CHECK(own > 0 && own != segid);
	apid = xpmem_get(own, XPMEM_RDWR, XPMEM_PERMIT_MODE, NULL);
	CHECK(apid > 0);
	p = xpmem_attach(xaddr(apid, 0), seg_size, NULL);
	CHECK(p != (void *)-1);
	p[0] = 0x11;
	CHECK(mine[0] == 0x11);
	CHECK(xpmem_detach(p) == 0);
	CHECK(xpmem_release(apid) == 0);
	CHECK(xpmem_remove(own) == 0);
	return 0;
}

int main(void)
{
	unsigned char *buf;
	pthread_t tid;
	pid_t remote;
	int i;

#ifdef __SANITIZE_ADDRESS__
	/*
	 * A child forked while another thread is inside the allocator of
	 * GCC 12's AddressSanitizer can block on that allocator's lock
	 * forever; glibc's malloc is fork-safe, so the plain build runs this.
	 */
	test_skip("the AddressSanitizer allocator is not fork-safe with "
		  "threads allocating");
#endif
	seg_size = NPAGES * page_size();
	buf = shared_buffer(seg_size);
	fill_pattern(buf, seg_size, 13);
	segid = xpmem_make(buf, seg_size, XPMEM_PERMIT_MODE, (void *)0600);
	CHECK(segid > 0);

	remote = fork();
	CHECK(remote >= 0);
	if (remote == 0)
		_exit(remote_attacher());
	CHECK(pthread_create(&tid, NULL, attacher, NULL) == 0);
	for (i = 0; i < FORKS; i++) {
		pid_t pid = fork();

		CHECK(pid >= 0);
		if (pid == 0)
			_exit(child_uses_library());
		CHECK(test_wait(pid) == 0);
	}
	stop = 1;
	CHECK(pthread_join(tid, NULL) == 0);
	CHECK(test_wait(remote) == 0);
	CHECK(xpmem_remove(segid) == 0);
	return 0;
}
