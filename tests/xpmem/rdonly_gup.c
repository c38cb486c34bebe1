/* SPDX-License-Identifier: MIT */
/*
 * A read-only attachment of file memory (a memfd, a file on tmpfs, a file
 * in $TMPDIR) whose pages the kernel can look up: every way of reading
 * through the kernel works, and no way of writing through it does, even
 * those that override the protection of private mappings:
 *   - reading /proc/self/mem at the attachment gives the owner's bytes;
 *     writing it (which forces its way past PROT_READ, FOLL_FORCE) fails;
 *   - process_vm_writev from another process fails with EFAULT;
 *   - vmsplice from it gives the owner's bytes;
 *   - FUTEX_WAIT on it is woken by FUTEX_WAKE at the owner's address.
 * The owner's bytes never change.
 */
#include <linux/futex.h>
#include <sys/prctl.h>
#include <sys/uio.h>
#include <time.h>

#include "xpmem_test.h"

#define PAGES 4

static unsigned char *att;
static size_t att_size;

static void check_proc_mem(unsigned int seed)
{
	int fd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	unsigned char *buf = malloc(att_size);

	CHECK(fd >= 0 && buf != NULL);
	CHECK(pread(fd, buf, att_size, (off_t)(uintptr_t)att) ==
	      (ssize_t)att_size);
	CHECK_PATTERN(buf, att_size, seed);
	memset(buf, 0xee, att_size);
	if (pwrite(fd, buf, att_size, (off_t)(uintptr_t)att) >= 0)
		test_fail_at(__FILE__, __LINE__,
			     "/proc/self/mem wrote to a read-only attachment");
	close(fd);
	free(buf);
}

/* Another process tries to write the attachment; it must be refused. */
static void check_remote_write(void)
{
	pid_t parent = getpid(), pid;

	prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
	pid = fork_checked();
	if (pid == 0) {
		unsigned char junk[64];
		struct iovec local = { .iov_base = junk,
				       .iov_len = sizeof(junk) };
		struct iovec remote = { .iov_base = att,
					.iov_len = sizeof(junk) };

		memset(junk, 0xee, sizeof(junk));
		CHECK_ERRNO(process_vm_writev(parent, &local, 1, &remote, 1,
					      0), EFAULT);
		_exit(0);
	}
	CHECK(test_wait(pid) == 0);
}

static void check_vmsplice(unsigned int seed)
{
	struct iovec iov = { .iov_base = att, .iov_len = att_size };
	unsigned char *buf = malloc(att_size);
	size_t got = 0;
	ssize_t n;
	int p[2];

	CHECK(buf != NULL);
	CHECK(pipe(p) == 0);
	n = vmsplice(p[1], &iov, 1, 0);
	if (n != (ssize_t)att_size)
		test_fail_at(__FILE__, __LINE__,
			     "vmsplice from a read-only attachment: %zd (%s)",
			     n, n < 0 ? strerror(errno) : "short");
	while (got < att_size) {
		CHECK((n = read(p[0], buf + got, att_size - got)) > 0);
		got += (size_t)n;
	}
	CHECK_PATTERN(buf, att_size, seed);
	close(p[0]);
	close(p[1]);
	free(buf);
}

static void *futex_waiter(void *word)
{
	struct timespec timeout = { .tv_sec = 10 };
	long rc = syscall(SYS_futex, word, FUTEX_WAIT,
			  *(volatile uint32_t *)word, &timeout, NULL, 0);

	return (void *)(intptr_t)(rc == 0 ? 0 : errno);
}

/* A waiter at the attachment, woken at the owner's address. */
static void check_futex(unsigned char *mem)
{
	double end = (double)time(NULL) + 10;
	pthread_t thread;
	void *err;
	long n;

	CHECK(pthread_create(&thread, NULL, futex_waiter, att + 128) == 0);
	while ((n = syscall(SYS_futex, mem + 128, FUTEX_WAKE, 1, NULL, NULL,
			    0)) == 0 && (double)time(NULL) < end)
		usleep(1000);
	CHECK(pthread_join(thread, &err) == 0);
	if (n != 1 || err)
		test_fail_at(__FILE__, __LINE__,
			     "FUTEX_WAKE at the owner's address woke %ld; the waiter at the read-only attachment: %s",
			     n, err ? strerror((int)(intptr_t)err) : "woken");
}

static void rdonly(enum file_sort sort)
{
	unsigned int seed = 10 * (1 + sort);
	xpmem_segid_t segid;
	xpmem_apid_t apid;
	unsigned char *mem;
	int fd;

	att_size = PAGES * page_size();
	mem = file_buffer(sort, att_size, &fd);
	fill_pattern(mem, att_size, seed);
	segid = xpmem_make(mem, att_size, XPMEM_PERMIT_MODE, (void *)0600);
	CHECK(segid > 0);
	apid = xpmem_get(segid, XPMEM_RDONLY, XPMEM_PERMIT_MODE, NULL);
	CHECK(apid > 0);
	att = xpmem_attach(xaddr(apid, 0), att_size, NULL);
	CHECK(att != (void *)-1);

	check_proc_mem(seed);
	check_remote_write();
	check_vmsplice(seed);
	CHECK_PATTERN(mem, att_size, seed);
	check_futex(mem);
	CHECK_PATTERN(att, att_size, seed);

	CHECK(xpmem_detach(att) == 0);
	CHECK(xpmem_release(apid) == 0);
	CHECK(xpmem_remove(segid) == 0);
	CHECK(munmap(mem, att_size) == 0);
	close(fd);
}

int main(void)
{
	return run_file_sorts(rdonly, 80);
}
