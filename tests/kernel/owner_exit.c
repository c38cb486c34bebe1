/* SPDX-License-Identifier: MIT */
/*
 * The owner exits while another process is attached, once by returning from
 * main and once by SIGKILL. The attacher's access to the attachment then
 * faults (pages it had mapped before included: they must not keep the dead
 * process's memory alive), detach and release return without hanging, the
 * permit gives no new attachment, and the module's counters come back.
 */
#include "ktest.h"

#define PAGES 8

enum msg { MSG_SEGID = 1, MSG_ATTACHED, MSG_OWNER_GONE, MSG_PROBED };

static void owner(struct channel *ch)
{
	size_t pg = page_size();
	unsigned char *mem = anon_pages(PAGES * pg);
	xpmem_segid_t segid;

	fill_pattern(mem, PAGES * pg, 5);
	segid = xpmem_make(mem, PAGES * pg, XPMEM_PERMIT_MODE, (void *)0600);
	CHECK(segid > 0);
	put_u64(ch->up[1], (uint64_t)segid);
	/* Exit when told to, leaving the segment for exit to clean up. */
	get_u64(ch->down[0]);
	exit(0);
}

static void attacher(struct channel *ch)
{
	size_t pg = page_size();
	xpmem_segid_t segid = (xpmem_segid_t)get_u64(ch->down[0]);
	xpmem_apid_t apid;
	unsigned char *att, v;
	int p;

	apid = xpmem_get(segid, XPMEM_RDWR, XPMEM_PERMIT_MODE, NULL);
	CHECK(apid > 0);
	att = xpmem_attach(xaddr(apid, 0), PAGES * pg, NULL);
	CHECK(att != (void *)-1);
	/* Only the first half is mapped in before the owner goes away. */
	CHECK_PATTERN(att, PAGES / 2 * pg, 5);
	put_u64(ch->up[1], MSG_ATTACHED);

	CHECK(get_u64(ch->down[0]) == MSG_OWNER_GONE);
	for (p = 0; p < PAGES; p++) {
		v = 0;
		if (probe_byte(att + p * pg, false, &v) == 0)
			test_fail_at(__FILE__, __LINE__,
				     "page %d still readable after the owner exited (0x%02x)",
				     p, v);
		v = 1;
		CHECK(probe_byte(att + p * pg + 7, true, &v) != 0);
	}
	CHECK(xpmem_attach(xaddr(apid, 0), pg, NULL) == (void *)-1);
	/* Either outcome is fine; returning at all is what counts. */
	(void)xpmem_detach(att);
	(void)xpmem_release(apid);
	put_u64(ch->up[1], MSG_PROBED);
}

static void run(bool kill_owner)
{
	struct channel cho, cha;
	pid_t opid, apid;
	uint64_t segid;

	channel_open(&cho);
	channel_open(&cha);
	opid = fork_checked();
	if (opid == 0) {
		alarm(60);
		channel_child(&cho);
		channel_child(&cha);
		channel_parent(&cha);
		owner(&cho);
	}
	apid = fork_checked();
	if (apid == 0) {
		alarm(60);
		channel_child(&cha);
		channel_child(&cho);
		channel_parent(&cho);
		attacher(&cha);
		_exit(0);
	}
	channel_parent(&cho);
	channel_parent(&cha);
	segid = get_u64(cho.up[0]);
	put_u64(cha.down[1], segid);
	CHECK(get_u64(cha.up[0]) == MSG_ATTACHED);
	if (kill_owner) {
		CHECK(kill(opid, SIGKILL) == 0);
		CHECK(test_wait(opid) == 128 + SIGKILL);
	} else {
		put_u64(cho.down[1], 0);
		CHECK(test_wait(opid) == 0);
	}
	put_u64(cha.down[1], MSG_OWNER_GONE);
	CHECK(get_u64(cha.up[0]) == MSG_PROBED);
	CHECK(test_wait(apid) == 0);
	close(cho.down[1]);
	close(cho.up[0]);
	close(cha.down[1]);
	close(cha.up[0]);
}

int main(void)
{
	struct kstats base;

	require_kernel_backend();
	base = kstats_read();
	run(false);
	CHECK_KSTATS_BACK(base, 5);
	run(true);
	CHECK_KSTATS_BACK(base, 5);
	return 0;
}
