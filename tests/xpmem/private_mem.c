/* SPDX-License-Identifier: MIT */
/*
 * Private memory (anonymous or a MAP_PRIVATE file mapping). The kernel
 * module shares any memory, so the attach must work and show the owner's
 * bytes both ways. The user-space backend cannot share such pages
 * faithfully and must refuse the attach with EOPNOTSUPP rather than map
 * something that differs from the owner's memory.
 */
#include "xpmem_test.h"

#define NPAGES 4

static void *private_file_mapping(size_t size)
{
	char path[] = "/tmp/xpmem-private.XXXXXX";
	int fd = mkstemp(path);
	void *p;

	CHECK(fd >= 0);
	CHECK(unlink(path) == 0);
	CHECK(ftruncate(fd, (off_t)size) == 0);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(p != MAP_FAILED);
	close(fd);
	return p;
}

static void try_attach(unsigned char *buf, size_t size, unsigned int seed)
{
	xpmem_segid_t segid;
	pid_t pid;

	fill_pattern(buf, size, seed);
	segid = xpmem_make(buf, size, XPMEM_PERMIT_MODE, (void *)0600);
	CHECK(segid > 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		xpmem_apid_t apid = xpmem_get(segid, XPMEM_RDWR,
					      XPMEM_PERMIT_MODE, NULL);
		unsigned char *p;

		CHECK(apid > 0);
		p = xpmem_attach(xaddr(apid, 0), size, NULL);
		if (user_backend()) {
			CHECK(p == (void *)-1 && errno == EOPNOTSUPP);
			_exit(0);
		}
		CHECK(p != (void *)-1);
		CHECK_PATTERN(p, size, seed);
		fill_pattern(p, size, seed + 1);
		CHECK(xpmem_detach(p) == 0);
		_exit(0);
	}
	CHECK(test_wait(pid) == 0);
	if (!user_backend())
		CHECK_PATTERN(buf, size, seed + 1);
	CHECK(xpmem_remove(segid) == 0);
}

int main(void)
{
	size_t ps = page_size(), size = NPAGES * ps;
	unsigned char *anon, *mixed;

	anon = mmap(NULL, size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(anon != MAP_FAILED);
	try_attach(anon, size, 10);
	try_attach(private_file_mapping(size), size, 20);

	/* One private page in an otherwise shareable window. */
	mixed = shared_buffer(size);
	CHECK(mmap(mixed + ps, ps, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == mixed + ps);
	try_attach(mixed, size, 30);
	return 0;
}
