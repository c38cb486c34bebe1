/* SPDX-License-Identifier: MIT */
/*
 * Holes: pages of the segment that the owner has not mapped fault in the
 * attacher (SIGSEGV or SIGBUS), never read as some other memory; the pages
 * around them attach normally. Under the user-space backend a range the
 * owner keeps inaccessible (PROT_NONE) is a hole too.
 */
#include "xpmem_test.h"

#define NPAGES 8

int main(void)
{
	size_t ps = page_size(), size = NPAGES * ps, i;
	unsigned char *buf = shared_buffer(size), *p;
	xpmem_segid_t segid;
	xpmem_apid_t apid;
	struct channel ch;
	pid_t pid;

	fill_pattern(buf, size, 4);
	CHECK(munmap(buf + 3 * ps, ps) == 0);
	CHECK(munmap(buf + 7 * ps, ps) == 0);
	if (user_backend())
		CHECK(mprotect(buf + 5 * ps, ps, PROT_NONE) == 0);
	segid = xpmem_make(buf, size, XPMEM_PERMIT_MODE, (void *)0600);
	CHECK(segid > 0);
	channel_open(&ch);

	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		apid = xpmem_get(segid, XPMEM_RDWR, XPMEM_PERMIT_MODE, NULL);
		CHECK(apid > 0);
		p = xpmem_attach(xaddr(apid, 0), size, NULL);
		CHECK(p != (void *)-1);
		for (i = 0; i < NPAGES; i++) {
			bool hole = i == 3 || i == 7 ||
				    (i == 5 && user_backend());

			if (hole) {
				CHECK(faulted(touch_probe(p + i * ps, false)));
				CHECK(faulted(touch_probe(p + i * ps + 9,
							     true)));
				continue;
			}
			for (size_t k = 0; k < ps; k++)
				CHECK(p[i * ps + k] == pattern_byte(i * ps + k, 4));
			p[i * ps] = (unsigned char)(0xa0 + i);
		}
		CHECK(xpmem_detach(p + 2 * ps) == 0);
		_exit(0);
	}
	CHECK(test_wait(pid) == 0);
	for (i = 0; i < NPAGES; i++)
		if (i != 3 && i != 7 && !(i == 5 && user_backend()))
			CHECK(buf[i * ps] == 0xa0 + i);
	CHECK(xpmem_remove(segid) == 0);
	return 0;
}
