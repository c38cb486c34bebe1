// SPDX-License-Identifier: MIT
/*
 * The attachment cache that `xpmem bench` uses the way XPMEM clients do:
 * a miss attaches the page-aligned window, a hit inside it gives the right
 * address without attaching, a longer request at the same start replaces
 * the window, other permits never hit, a full cache flushes, and bad
 * ranges are errors. The bytes read through the returned pointers are
 * checked against the owner's pattern.
 */
#include <stdint.h>
#include <sys/mman.h>

#include "test.h"

/* The cache is part of the command, not of a library: build it in. */
#include "../../tools/xpmem/attach_cache.c"
#include "../../tools/xpmem/util.c"

#define PAGES 64

const char *tool_name = "tool_cache";

static unsigned char byte_at(uint64_t off)
{
	return (unsigned char)(off * 7 + (off >> 12));
}

/* The owner: a memfd window with a known pattern, exported until EOF. */
static void owner(int wr, int rd)
{
	size_t len = PAGES * page_size();
	int fd = memfd_create("tool_cache", 0);
	unsigned char *p;
	xpmem_segid_t segid;
	char c;

	CHECK(fd >= 0 && ftruncate(fd, (off_t)len) == 0);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(p != MAP_FAILED);
	for (size_t i = 0; i < len; i++)
		p[i] = byte_at(i);
	segid = xpmem_make(p, len, XPMEM_PERMIT_MODE, (void *)0600);
	CHECK(segid > 0);
	CHECK(write(wr, &segid, sizeof(segid)) == sizeof(segid));
	CHECK(read(rd, &c, 1) == 0);
	CHECK(xpmem_remove(segid) == 0);
	exit(0);
}

static void expect_bytes(const void *ptr, uint64_t off, size_t len)
{
	const unsigned char *p = ptr;

	for (size_t i = 0; i < len; i++)
		if (p[i] != byte_at(off + i))
			test_fail_at(__FILE__, __LINE__,
				     "offset %llu: 0x%02x, want 0x%02x",
				     (unsigned long long)(off + i), p[i],
				     byte_at(off + i));
}

static void check_hits_and_replace(struct attach_cache *c, xpmem_apid_t apid)
{
	size_t ps = page_size();
	void *p1, *p2, *p3;

	CHECK(attach_cache_get(c, apid, 100, 10, &p1) == 0);
	expect_bytes(p1, 100, 10);
	CHECK(c->attaches == 1 && c->count == 1);
	/* Inside the window: no attach, the address follows the offset. */
	CHECK(attach_cache_lookup(c, apid, 200, 100) == (char *)p1 + 100);
	CHECK(attach_cache_get(c, apid, 0, ps, &p2) == 0);
	CHECK(p2 == (char *)p1 - 100 && c->attaches == 1);
	/* Crossing the window's end is a miss... */
	CHECK(attach_cache_lookup(c, apid, ps - 96, 200) == NULL);
	/* ...and the longer window replaces the one at the same start. */
	CHECK(attach_cache_get(c, apid, ps - 96, 200, &p3) == 0);
	expect_bytes(p3, ps - 96, 200);
	CHECK(c->attaches == 2 && c->count == 1);
	CHECK(c->entries[0].end == 2 * ps);
	/* Another permit never hits this one's windows. */
	CHECK(attach_cache_lookup(c, apid + 1, 100, 10) == NULL);
}

static void check_search_and_flush(struct attach_cache *c, xpmem_apid_t apid)
{
	size_t ps = page_size();
	void *p, *q;

	/* Windows out of order: the search finds each, not just the last. */
	CHECK(attach_cache_get(c, apid, 40 * ps + 1, 1, &p) == 0);
	CHECK(attach_cache_get(c, apid, 20 * ps + 5, ps, &q) == 0);
	CHECK(c->count == 3);
	p = attach_cache_lookup(c, apid, 40 * ps + 8, 8);
	CHECK(p != NULL);
	expect_bytes(p, 40 * ps + 8, 8);
	q = attach_cache_lookup(c, apid, 10, 10);
	CHECK(q != NULL);
	expect_bytes(q, 10, 10);
	CHECK(attach_cache_lookup(c, apid, 30 * ps, 8) == NULL);
	/* The fourth window fills the cache, the fifth flushes it. */
	CHECK(attach_cache_get(c, apid, 50 * ps, 8, &p) == 0 && c->count == 4);
	CHECK(attach_cache_get(c, apid, 60 * ps, 8, &p) == 0);
	CHECK(c->count == 1);
	expect_bytes(p, 60 * ps, 8);
	CHECK(attach_cache_lookup(c, apid, 10, 10) == NULL);
}

static void check_bad_ranges(struct attach_cache *c, xpmem_apid_t apid)
{
	unsigned int count = c->count;
	void *p;

	CHECK(attach_cache_get(c, apid, 0, 0, &p) == -EINVAL);
	CHECK(attach_cache_get(c, apid, UINT64_MAX - 10, 100, &p) == -EINVAL);
	/* Outside the segment: the attach fails and nothing is cached. */
	CHECK(attach_cache_get(c, apid, PAGES * page_size(), 8, &p) < 0);
	CHECK(c->count == count);
}

int main(void)
{
	int to_owner[2], from_owner[2];
	struct attach_cache c;
	xpmem_segid_t segid;
	xpmem_apid_t apid;
	pid_t pid;

	CHECK(pipe(to_owner) == 0 && pipe(from_owner) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		close(to_owner[1]);
		close(from_owner[0]);
		owner(from_owner[1], to_owner[0]);
	}
	close(to_owner[0]);
	close(from_owner[1]);
	CHECK(read(from_owner[0], &segid, sizeof(segid)) == sizeof(segid));
	apid = xpmem_get(segid, XPMEM_RDWR, XPMEM_PERMIT_MODE, NULL);
	CHECK(apid > 0);

	CHECK(attach_cache_init(&c, 0) == -EINVAL);
	CHECK(attach_cache_init(&c, 4) == 0);
	CHECK(attach_cache_lookup(&c, apid, 0, 1) == NULL);
	check_hits_and_replace(&c, apid);
	check_search_and_flush(&c, apid);
	check_bad_ranges(&c, apid);
	attach_cache_fini(&c);

	CHECK(xpmem_release(apid) == 0);
	close(to_owner[1]);
	CHECK(test_wait(pid) == 0);
	return 0;
}
