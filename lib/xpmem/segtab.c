/* SPDX-License-Identifier: MIT */
/*
 * Table of exported segments: a sorted array searched by bisection. Segment
 * ids come from getrandom(), so that a local user cannot guess the ids of
 * another process's segments; the owner's pid in the high bits tells
 * clients which agent to ask.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "proto.h"
#include "segtab.h"

static pthread_mutex_t segtab_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct xpmem_segment *segs;
static size_t nsegs, capacity;

void xpmem_segtab_lock(void)
{
	pthread_mutex_lock(&segtab_mutex);
}

void xpmem_segtab_unlock(void)
{
	pthread_mutex_unlock(&segtab_mutex);
}

/* Index of the first entry with an id >= segid. */
static size_t lower_bound(xpmem_segid_t segid)
{
	size_t lo = 0, hi = nsegs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (segs[mid].segid < segid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool present_at(size_t i, xpmem_segid_t segid)
{
	return i < nsegs && segs[i].segid == segid;
}

static int random_segid(xpmem_segid_t *segid)
{
	uint64_t r;

	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		return -EAGAIN;
	*segid = xpmem_make_id(getpid(), r);
	return 0;
}

static int grow(void)
{
	size_t cap = capacity ? capacity * 2 : 16;
	struct xpmem_segment *n = realloc(segs, cap * sizeof(*n));

	if (!n)
		return -ENOMEM;
	segs = n;
	capacity = cap;
	return 0;
}

int xpmem_segtab_add(struct xpmem_segment *seg)
{
	size_t i;
	int rc = 0;

	xpmem_segtab_lock();
	if (nsegs == capacity)
		rc = grow();
	do {
		if (rc == 0)
			rc = random_segid(&seg->segid);
		if (rc < 0)
			goto out;
		i = lower_bound(seg->segid);
	} while (present_at(i, seg->segid));
	memmove(&segs[i + 1], &segs[i], (nsegs - i) * sizeof(*segs));
	segs[i] = *seg;
	nsegs++;
out:
	xpmem_segtab_unlock();
	return rc;
}

int xpmem_segtab_remove(xpmem_segid_t segid)
{
	size_t i;
	int rc = xpmem_missing_id_error(segid);

	xpmem_segtab_lock();
	i = lower_bound(segid);
	if (present_at(i, segid)) {
		memmove(&segs[i], &segs[i + 1], (nsegs - i - 1) * sizeof(*segs));
		nsegs--;
		rc = 0;
	}
	xpmem_segtab_unlock();
	return rc;
}

int xpmem_segtab_find(xpmem_segid_t segid, struct xpmem_segment *seg)
{
	size_t i;
	int rc = -ENOENT;

	xpmem_segtab_lock();
	i = lower_bound(segid);
	if (present_at(i, segid)) {
		*seg = segs[i];
		rc = 0;
	}
	xpmem_segtab_unlock();
	return rc;
}

size_t xpmem_segtab_count(void)
{
	size_t n;

	xpmem_segtab_lock();
	n = nsegs;
	xpmem_segtab_unlock();
	return n;
}

void xpmem_segtab_clear(void)
{
	nsegs = 0;
}
