/* SPDX-License-Identifier: MIT */
/*
 * Attachers that exit with live attachments and permits: one returns from
 * main, one is killed by SIGKILL while faulting pages in a loop. Each time
 * the module must drop their attachments, permits and pinned pages, while
 * the owner's segment and the bytes they wrote stay. While an attacher is
 * live the counters must show its permits and attachments, so that "back
 * to the old value" means something.
 */
#include "ktest.h"

#define PAGES 64

enum msg { MSG_READY = 1, MSG_EXIT };

static void attacher(xpmem_segid_t segid, struct channel *ch, bool spin,
		     unsigned int seed)
{
	size_t pg = page_size();
	const size_t sizes[3] = { PAGES * pg, PAGES / 2 * pg, pg };
	const off_t offsets[3] = { 0, PAGES / 4 * pg, 3 * pg };
	unsigned char *att[3];
	xpmem_apid_t apid;
	size_t i;
	int a;

	apid = xpmem_get(segid, XPMEM_RDWR, XPMEM_PERMIT_MODE, NULL);
	CHECK(apid > 0);
	CHECK(xpmem_get(segid, XPMEM_RDONLY, XPMEM_PERMIT_MODE, NULL) > 0);
	for (a = 0; a < 3; a++) {
		att[a] = xpmem_attach(xaddr(apid, offsets[a]), sizes[a], NULL);
		CHECK(att[a] != (void *)-1);
		for (i = 0; i < sizes[a]; i += pg)
			CHECK(att[a][i] == pattern_byte(offsets[a] + i, 9));
	}
	fill_pattern(att[0] + 8 * pg, pg, seed);
	put_u64(ch->up[1], MSG_READY);
	/* Exit (with everything live) only once the parent has looked. */
	if (!spin)
		CHECK(get_u64(ch->down[0]) == MSG_EXIT);
	while (spin) {
		volatile unsigned char *v = att[0];

		for (i = 0; i < PAGES * pg; i += 64)
			v[i] = v[i];
	}
}

static void run(xpmem_segid_t segid, unsigned char *mem, bool kill_it,
		unsigned int seed, struct kstats owner_only)
{
	struct channel ch;
	struct kstats live;
	size_t i;
	pid_t pid;

	channel_open(&ch);
	pid = fork_checked();
	if (pid == 0) {
		channel_child(&ch);
		alarm(60);
		attacher(segid, &ch, kill_it, seed);
		_exit(0);
	}
	channel_parent(&ch);
	CHECK(get_u64(ch.up[0]) == MSG_READY);
	live = kstats_read();
	if (live.permits < owner_only.permits + 2 ||
	    live.attachments < owner_only.attachments + 3) {
		kstats_print("owner only", owner_only);
		kstats_print("attacher live", live);
		test_fail_at(__FILE__, __LINE__,
			     "the attacher's 2 permits and 3 attachments do not show");
	}
	if (kill_it) {
		usleep(200000);
		CHECK(kill(pid, SIGKILL) == 0);
		CHECK(test_wait(pid) == 128 + SIGKILL);
	} else {
		put_u64(ch.down[1], MSG_EXIT);
		CHECK(test_wait(pid) == 0);
	}
	CHECK_KSTATS_BACK(owner_only, 5);
	CHECK_PATTERN(mem + 8 * page_size(), page_size(), seed);
	/* Put the original bytes back for the next attacher's checks. */
	for (i = 8 * page_size(); i < 9 * page_size(); i++)
		mem[i] = pattern_byte(i, 9);
	close(ch.up[0]);
	close(ch.down[1]);
}

int main(void)
{
	size_t pg;
	struct kstats base, owner_only;
	unsigned char *mem;
	xpmem_segid_t segid;

	require_kernel_backend();
	pg = page_size();
	base = kstats_read();
	mem = anon_pages(PAGES * pg);
	fill_pattern(mem, PAGES * pg, 9);
	segid = xpmem_make(mem, PAGES * pg, XPMEM_PERMIT_MODE, (void *)0600);
	CHECK(segid > 0);
	owner_only = kstats_read();
	CHECK(owner_only.segments == base.segments + 1);

	run(segid, mem, false, 40, owner_only);
	run(segid, mem, true, 41, owner_only);

	CHECK(xpmem_remove(segid) == 0);
	CHECK_KSTATS_BACK(base, 5);
	return 0;
}
