/* SPDX-License-Identifier: MIT */
/*
 * process_vm_readv and process_vm_writev by a third process at the
 * attacher's addresses, over an attachment of exported file memory (a
 * memfd, a file on tmpfs, a file in $TMPDIR): the kernel reaches the
 * attacher's pages with get_user_pages. The reader gets the owner's bytes
 * and the owner sees the bytes written.
 */
#include <sys/prctl.h>
#include <sys/uio.h>

#include "xpmem_test.h"

#define PAGES 16

/* The owner tells the attacher that the reader is done. */
#define STEP_ACCESSED 1

/* Attaches, says where, and stays until the reader is done. */
static void attacher(struct channel *ch, size_t size)
{
	xpmem_segid_t segid = (xpmem_segid_t)get_u64(ch->down[0]);
	xpmem_apid_t apid = xpmem_get(segid, XPMEM_RDWR, XPMEM_PERMIT_MODE,
				      NULL);
	unsigned char *att;

	CHECK(apid > 0);
	att = xpmem_attach(xaddr(apid, 0), size, NULL);
	CHECK(att != (void *)-1);
	/* Yama, where it is on, lets only ancestors in without this. */
	prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
	put_u64(ch->up[1], (uint64_t)(uintptr_t)att);
	CHECK(get_u64(ch->down[0]) == STEP_ACCESSED);
	/* Our own view agrees with what the reader wrote. */
	CHECK_PATTERN(att + size / 2, size / 2, 3);
	CHECK(xpmem_detach(att) == 0);
	CHECK(xpmem_release(apid) == 0);
}

/* The third process: reads the first half, writes the second. */
static void reader(pid_t pid, uint64_t addr, size_t size, unsigned int seed)
{
	unsigned char *buf = malloc(size / 2);
	struct iovec local = { .iov_base = buf, .iov_len = size / 2 };
	struct iovec remote = { .iov_base = (void *)(uintptr_t)addr,
				.iov_len = size / 2 };
	ssize_t n;

	CHECK(buf != NULL);
	n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
	if (n != (ssize_t)(size / 2))
		test_fail_at(__FILE__, __LINE__,
			     "process_vm_readv of the attachment: %zd (%s)", n,
			     n < 0 ? strerror(errno) : "short");
	CHECK_PATTERN(buf, size / 2, seed);

	fill_pattern(buf, size / 2, 3);
	remote.iov_base = (void *)(uintptr_t)(addr + size / 2);
	n = process_vm_writev(pid, &local, 1, &remote, 1, 0);
	if (n != (ssize_t)(size / 2))
		test_fail_at(__FILE__, __LINE__,
			     "process_vm_writev of the attachment: %zd (%s)", n,
			     n < 0 ? strerror(errno) : "short");
	free(buf);
}

static void remote_access(enum file_sort sort)
{
	size_t size = PAGES * page_size();
	struct channel ch;
	xpmem_segid_t segid;
	unsigned char *mem;
	uint64_t addr;
	pid_t att_pid, reader_pid;
	int fd;

	channel_open(&ch);
	att_pid = fork_checked();
	if (att_pid == 0) {
		channel_child(&ch);
		test_deadline(60);
		attacher(&ch, size);
		fflush(NULL);
		_exit(0);
	}
	channel_parent(&ch);

	mem = file_buffer(sort, size, &fd);
	fill_pattern(mem, size, 1 + sort);
	segid = xpmem_make(mem, size, XPMEM_PERMIT_MODE, (void *)0600);
	CHECK(segid > 0);
	put_u64(ch.down[1], (uint64_t)segid);
	addr = get_u64(ch.up[0]);

	reader_pid = fork_checked();
	if (reader_pid == 0) {
		test_deadline(60);
		reader(att_pid, addr, size, 1 + sort);
		fflush(NULL);
		_exit(0);
	}
	CHECK(test_wait(reader_pid) == 0);
	CHECK_PATTERN(mem + size / 2, size / 2, 3);
	CHECK_PATTERN(mem, size / 2, 1 + sort);

	put_u64(ch.down[1], STEP_ACCESSED);
	CHECK(test_wait(att_pid) == 0);
	close(ch.down[1]);
	close(ch.up[0]);
	CHECK(xpmem_remove(segid) == 0);
	CHECK(munmap(mem, size) == 0);
	close(fd);
}

int main(void)
{
	return run_file_sorts(remote_access, 80);
}
