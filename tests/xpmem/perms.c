/* SPDX-License-Identifier: MIT */
/*
 * Permissions with two uids: a root owner exports segments with different
 * modes; forked children drop to nobody (65534) and, for the group bits,
 * keep group 0. xpmem_get must follow the owner/group/other bits, read for
 * XPMEM_RDONLY and write for XPMEM_RDWR, and a permitted writer's bytes
 * must reach the owner. The other way round, root (CAP_DAC_OVERRIDE) may
 * take any permit on a segment of nobody's, whatever its mode, and root
 * without that capability obeys the bits like everyone else.
 */
#include <grp.h>

#include "xpmem_test.h"

#define NOBODY 65534

struct perm_case {
	mode_t mode;
	gid_t gid;	/* the child's group */
	gid_t supp;	/* its one supplementary group */
	int want_ro;	/* 0 or the errno of xpmem_get(RDONLY) */
	int want_rw;	/* 0 or the errno of xpmem_get(RDWR) */
};

static const struct perm_case cases[] = {
	{ 0600, NOBODY, NOBODY, EACCES, EACCES },
	{ 0644, NOBODY, NOBODY, 0, EACCES },
	{ 0666, NOBODY, NOBODY, 0, 0 },
	{ 0640, 0, NOBODY, 0, EACCES },		/* group bits */
	{ 0660, 0, NOBODY, 0, 0 },
	{ 0660, NOBODY, 0, 0, 0 },		/* through a supplementary group */
	{ 0640, NOBODY, NOBODY, EACCES, EACCES },
	{ 0604, 0, NOBODY, EACCES, EACCES },	/* group bits win over other */
	{ 0604, NOBODY, 0, EACCES, EACCES },
	{ 0602, NOBODY, NOBODY, EACCES, EACCES },	/* write alone is not enough */
};

static void drop_to(gid_t gid, gid_t supp)
{
	CHECK(setgroups(1, &supp) == 0);
	CHECK(setresgid(gid, gid, gid) == 0);
	CHECK(setresuid(NOBODY, NOBODY, NOBODY) == 0);
	CHECK(geteuid() == NOBODY);
}

static void expect_get(xpmem_segid_t segid, int flags, int want)
{
	xpmem_apid_t apid = xpmem_get(segid, flags, XPMEM_PERMIT_MODE, NULL);

	if (want) {
		CHECK(apid == -1 && errno == want);
		return;
	}
	CHECK(apid > 0);
	CHECK(xpmem_release(apid) == 0);
}

static void run_case(const struct perm_case *c, unsigned char *buf,
		     size_t size)
{
	xpmem_segid_t segid = xpmem_make(buf, size, XPMEM_PERMIT_MODE,
					 (void *)(uintptr_t)c->mode);
	pid_t pid;

	CHECK(segid > 0);
	memset(buf, 0, size);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		drop_to(c->gid, c->supp);
		expect_get(segid, XPMEM_RDONLY, c->want_ro);
		expect_get(segid, XPMEM_RDWR, c->want_rw);
		if (c->want_rw == 0) {
			xpmem_apid_t apid = xpmem_get(segid, XPMEM_RDWR,
						      XPMEM_PERMIT_MODE, NULL);
			unsigned char *p;

			CHECK(apid > 0);
			p = xpmem_attach(xaddr(apid, 0), size, NULL);
			CHECK(p != (void *)-1);
			fill_pattern(p, size, c->mode);
			CHECK(xpmem_detach(p) == 0);
		}
		_exit(0);
	}
	if (test_wait(pid) != 0)
		test_fail_at(__FILE__, __LINE__, "mode %03o, gid %u, group %u",
			     (unsigned int)c->mode, (unsigned int)c->gid,
			     (unsigned int)c->supp);
	if (c->want_rw == 0)
		CHECK_PATTERN(buf, size, c->mode);
	CHECK(xpmem_remove(segid) == 0);
}

/* As nobody: exports buf with mode 0 until told to check and go. */
static int nobody_owner(unsigned char *buf, size_t size, struct channel *ch)
{
	xpmem_segid_t segid;

	drop_to(NOBODY, NOBODY);
	segid = xpmem_make(buf, size, XPMEM_PERMIT_MODE, (void *)0);
	CHECK(segid > 0);
	put_u64(ch->up[1], (uint64_t)segid);
	get_u64(ch->down[0]);
	CHECK_PATTERN(buf, size, 0400);
	CHECK(xpmem_remove(segid) == 0);
	return 0;
}

static int without_dac_override(void *arg)
{
	drop_dac_override();
	expect_get(*(xpmem_segid_t *)arg, XPMEM_RDONLY, EACCES);
	return 0;
}

static void root_passes_any_mode(unsigned char *buf, size_t size)
{
	struct channel ch;
	xpmem_segid_t segid;
	xpmem_apid_t apid;
	unsigned char *p;
	pid_t pid;

	channel_open(&ch);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		_exit(nobody_owner(buf, size, &ch));
	segid = (xpmem_segid_t)get_u64(ch.up[0]);
	apid = xpmem_get(segid, XPMEM_RDWR, XPMEM_PERMIT_MODE, NULL);
	CHECK(apid > 0);
	p = xpmem_attach(xaddr(apid, 0), size, NULL);
	CHECK(p != (void *)-1);
	fill_pattern(p, size, 0400);
	CHECK(xpmem_detach(p) == 0);
	CHECK(xpmem_release(apid) == 0);
	CHECK(run_child(without_dac_override, &segid) == 0);
	put_u64(ch.down[1], 1);
	CHECK(test_wait(pid) == 0);
	channel_close(&ch);
}

int main(void)
{
	size_t size = 2 * page_size(), i;
	unsigned char *buf;

	if (geteuid() != 0)
		test_skip("needs root to run children as uid %d", NOBODY);
	if (getegid() != 0)
		test_skip("needs group 0 for the group-bit cases");
	buf = shared_buffer(size);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i], buf, size);
	root_passes_any_mode(buf, size);
	return 0;
}
