/* SPDX-License-Identifier: MIT */
/*
 * Many threads attach and detach concurrently, on a shared permit and on
 * permits of their own, each verifying the bytes it sees; at the end no
 * attachment is left (detaching any of them again fails).
 */
#include <pthread.h>

#include "xpmem_test.h"

#define NTHREADS	4
#define ROUNDS		test_scaled(150)
#define NPAGES		16

static xpmem_segid_t segid;
static xpmem_apid_t shared_apid;
static size_t seg_size;
static void *last_seen[NTHREADS];

static void *worker(void *arg)
{
	size_t ps = page_size(), idx = (size_t)(uintptr_t)arg;
	xpmem_apid_t own = xpmem_get(segid, XPMEM_RDONLY, XPMEM_PERMIT_MODE,
				     NULL);
	int i;

	CHECK(own > 0);
	for (i = 0; i < ROUNDS; i++) {
		size_t page = (idx + (size_t)i) % NPAGES;
		xpmem_apid_t apid = i % 2 ? own : shared_apid;
		unsigned char *p = xpmem_attach(xaddr(apid, (off_t)(page * ps)),
						ps, NULL);

		CHECK(p != (void *)-1);
		CHECK(p[0] == pattern_byte(page * ps, 7));
		CHECK(p[ps - 1] == pattern_byte(page * ps + ps - 1, 7));
		CHECK(xpmem_detach(p + ps / 2) == 0);
		last_seen[idx] = p;
	}
	CHECK(xpmem_release(own) == 0);
	return NULL;
}

int main(void)
{
	pthread_t tids[NTHREADS];
	unsigned char *buf;
	pid_t owner;
	struct channel ch;
	size_t i;

	seg_size = NPAGES * page_size();
	channel_open(&ch);
	owner = fork();
	CHECK(owner >= 0);
	if (owner == 0) {
		buf = shared_buffer(seg_size);
		fill_pattern(buf, seg_size, 7);
		segid = xpmem_make(buf, seg_size, XPMEM_PERMIT_MODE,
				   (void *)0600);
		CHECK(segid > 0);
		put_u64(ch.up[1], (uint64_t)segid);
		get_u64(ch.down[0]);
		_exit(xpmem_remove(segid) == 0 ? 0 : 1);
	}
	segid = (xpmem_segid_t)get_u64(ch.up[0]);
	shared_apid = xpmem_get(segid, XPMEM_RDWR, XPMEM_PERMIT_MODE, NULL);
	CHECK(shared_apid > 0);
	for (i = 0; i < NTHREADS; i++)
		CHECK(pthread_create(&tids[i], NULL, worker,
				     (void *)(uintptr_t)i) == 0);
	for (i = 0; i < NTHREADS; i++)
		CHECK(pthread_join(tids[i], NULL) == 0);
	for (i = 0; i < NTHREADS; i++)
		CHECK_ERRNO(xpmem_detach(last_seen[i]), EINVAL);
	CHECK(xpmem_release(shared_apid) == 0);
	put_u64(ch.down[1], 1);
	CHECK(test_wait(owner) == 0);
	return 0;
}
