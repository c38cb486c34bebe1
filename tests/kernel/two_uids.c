/* SPDX-License-Identifier: MIT */
/*
 * Permissions between two uids: root owns segments with modes 0644, 0600
 * and 0666; a child running as nobody (65534) may read the 0644 one but not
 * write it, not even by making its read-only attachment writable with
 * mprotect, gets nothing from the 0600 one, and may write the 0666 one.
 * Another root process may use the 0600 one.
 */
#include "ktest.h"

#define PAGES 4

struct segs {
	xpmem_segid_t rw_r, owner_only, all_rw;
};

static unsigned char *attach_whole(xpmem_segid_t segid, int flags)
{
	xpmem_apid_t apid = xpmem_get(segid, flags, XPMEM_PERMIT_MODE, NULL);
	unsigned char *att;

	CHECK(apid > 0);
	att = xpmem_attach(xaddr(apid, 0), PAGES * page_size(), NULL);
	CHECK(att != (void *)-1);
	return att;
}

static int as_nobody(const struct segs *s)
{
	size_t size = PAGES * page_size();
	unsigned char *ro, *rw, v = 1;

	drop_to_nobody();
	CHECK(getuid() == 65534 && geteuid() == 65534);

	CHECK_ERRNO(xpmem_get(s->rw_r, XPMEM_RDWR, XPMEM_PERMIT_MODE, NULL),
		    EACCES);
	ro = attach_whole(s->rw_r, XPMEM_RDONLY);
	CHECK_PATTERN(ro, size, 21);
	CHECK(probe_byte(ro + 10, true, &v) != 0);
	CHECK(mprotect(ro, size, PROT_READ | PROT_WRITE) == -1);
	CHECK(probe_byte(ro + 10, true, &v) != 0);
	CHECK_PATTERN(ro, size, 21);

	CHECK_ERRNO(xpmem_get(s->owner_only, XPMEM_RDONLY, XPMEM_PERMIT_MODE,
			      NULL), EACCES);
	CHECK_ERRNO(xpmem_get(s->owner_only, XPMEM_RDWR, XPMEM_PERMIT_MODE,
			      NULL), EACCES);

	rw = attach_whole(s->all_rw, XPMEM_RDWR);
	CHECK_PATTERN(rw, size, 23);
	fill_pattern(rw, size, 33);
	return 0;
}

static int as_root(const struct segs *s)
{
	unsigned char *rw = attach_whole(s->owner_only, XPMEM_RDWR);

	CHECK_PATTERN(rw, PAGES * page_size(), 22);
	fill_pattern(rw, PAGES * page_size(), 32);
	return 0;
}

int main(void)
{
	size_t size;
	struct kstats base;
	unsigned char *mem[3];
	const long mode[3] = { 0644, 0600, 0666 };
	xpmem_segid_t id[3];
	struct segs s;
	pid_t pid;
	int i;

	require_kernel_backend();
	require_root();
	size = PAGES * page_size();
	base = kstats_read();
	for (i = 0; i < 3; i++) {
		mem[i] = anon_pages(size);
		fill_pattern(mem[i], size, 21 + i);
		id[i] = xpmem_make(mem[i], size, XPMEM_PERMIT_MODE,
				   (void *)mode[i]);
		CHECK(id[i] > 0);
	}
	s = (struct segs){ id[0], id[1], id[2] };

	pid = fork_checked();
	if (pid == 0) {
		alarm(60);
		_exit(as_nobody(&s));
	}
	CHECK(test_wait(pid) == 0);
	pid = fork_checked();
	if (pid == 0) {
		alarm(60);
		_exit(as_root(&s));
	}
	CHECK(test_wait(pid) == 0);

	CHECK_PATTERN(mem[0], size, 21);
	CHECK_PATTERN(mem[1], size, 32);
	CHECK_PATTERN(mem[2], size, 33);
	for (i = 0; i < 3; i++)
		CHECK(xpmem_remove(id[i]) == 0);
	CHECK_KSTATS_BACK(base, 5);
	return 0;
}
