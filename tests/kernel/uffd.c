/* SPDX-License-Identifier: MIT */
/*
 * userfaultfd under a live attachment: the owner's range is registered for
 * missing-page faults and a thread of the owner supplies each page
 * (UFFDIO_COPY) when it is first touched. The attacher touches the pages
 * before the owner ever does, so its faults are what the handler answers:
 * it must see the handler's bytes (not a SIGBUS, not zeros), each page
 * supplied once, and the same again after the owner drops pages with
 * MADV_DONTNEED, which makes them missing once more.
 *
 * Every wait is bounded: the handler polls with a timeout and the attacher
 * dies by alarm if a fault never completes.
 */
#include <linux/userfaultfd.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include "ktest.h"

#define PAGES 4

enum step { STEP_READ = 1, STEP_DROPPED };

struct handler {
	pthread_t thread;
	int uffd;
	unsigned char *mem;
	unsigned char *buf;		/* one page, filled per fault */
	volatile unsigned int seed;	/* page p gets seed + p */
	volatile int faults;
	volatile int stop;
	volatile int error;
};

static void *handler_main(void *arg)
{
	struct handler *h = arg;
	size_t pg = page_size();
	struct pollfd pfd = { .fd = h->uffd, .events = POLLIN };
	struct uffd_msg msg;

	while (!h->stop) {
		struct uffdio_copy copy;
		unsigned long addr;

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		if (read(h->uffd, &msg, sizeof(msg)) != sizeof(msg))
			continue;	/* EAGAIN: someone else's wake-up */
		if (msg.event != UFFD_EVENT_PAGEFAULT) {
			h->error = 1;
			continue;
		}
		addr = msg.arg.pagefault.address & ~(unsigned long)(pg - 1);
		fill_pattern(h->buf, pg,
			     h->seed + (unsigned int)((addr - (unsigned long)h->mem) / pg));
		copy = (struct uffdio_copy){
			.dst = addr, .src = (unsigned long)h->buf, .len = pg,
		};
		/*
		 * Counted before the copy wakes the faulting thread: the
		 * attacher may report its step before this thread runs again.
		 */
		h->faults++;
		if (ioctl(h->uffd, UFFDIO_COPY, &copy) != 0 && errno != EEXIST)
			h->error = errno;
	}
	return NULL;
}

static void attacher(unsigned char *att, size_t size, struct channel *ch)
{
	unsigned int want[PAGES];
	unsigned char v;
	int sig;

	sig = probe_byte(att, false, &v);
	if (sig)
		test_fail_at(__FILE__, __LINE__,
			     "signal %d on a page the owner's userfaultfd handler supplies",
			     sig);
	want_pages(want, 0, PAGES, 50);
	CHECK_PAGES(att, want, PAGES);
	attacher_done(ch, STEP_READ);

	attacher_wait(ch, STEP_DROPPED);
	want_pages(want, 1, 2, 60);
	CHECK_PAGES(att, want, PAGES);
	fill_pages(att, 3, 1, 70);
	attacher_done(ch, STEP_DROPPED);
}

static int open_uffd(unsigned char *mem, size_t size)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = {
		.range = { .start = (unsigned long)mem, .len = size },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};
	int fd;

	fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		test_skip("userfaultfd: %s", strerror(errno));
	CHECK(ioctl(fd, UFFDIO_API, &api) == 0);
	CHECK(ioctl(fd, UFFDIO_REGISTER, &reg) == 0);
	return fd;
}

int main(void)
{
	unsigned int want[PAGES];
	struct live_attach t;
	struct handler h = { 0 };
	size_t pg;

	require_kernel_backend();
	pg = page_size();
	h.mem = anon_pages(PAGES * pg);
	h.buf = anon_pages(pg);
	CHECK(madvise(h.mem, PAGES * pg, MADV_DONTFORK) == 0);
	h.uffd = open_uffd(h.mem, PAGES * pg);
	h.seed = 50;
	CHECK(pthread_create(&h.thread, NULL, handler_main, &h) == 0);

	live_attach_start(&t, h.mem, PAGES * pg, attacher);
	live_attach_wait(&t, STEP_READ);
	/* Every page came from the handler, for the attacher's faults. */
	CHECK(h.error == 0);
	CHECK(h.faults == PAGES);
	want_pages(want, 0, PAGES, 50);
	CHECK_PAGES(h.mem, want, PAGES);
	CHECK(h.faults == PAGES);

	h.seed = 60;
	CHECK(madvise(h.mem + 1 * pg, 2 * pg, MADV_DONTNEED) == 0);
	live_attach_go(&t, STEP_DROPPED);
	live_attach_wait(&t, STEP_DROPPED);
	CHECK(h.error == 0);
	CHECK(h.faults == PAGES + 2);
	want_pages(want, 1, 2, 60);
	want_pages(want, 3, 1, 70);
	CHECK_PAGES(h.mem, want, PAGES);

	live_attach_finish(&t);
	h.stop = 1;
	CHECK(pthread_join(h.thread, NULL) == 0);
	close(h.uffd);
	return 0;
}
