/* SPDX-License-Identifier: MIT */
/*
 * Table of exported segments, sorted by segid (a sorted vector searched by
 * bisection). Segment ids have random low bits from getrandom(), so that
 * a local user cannot guess the ids of another process's segments; the
 * owner's pid above them tells clients which agent to ask (proto.h).
 */
#include <errno.h>
#include <pthread.h>
#include <sys/random.h>
#include <unistd.h>

#include "proto.h"
#include "segtab.h"
#include "sortvec.h"

static pthread_mutex_t segtab_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct xpmem_sortvec segs = XPMEM_SORTVEC_INIT(struct xpmem_segment);

void xpmem_segtab_lock(void)
{
	pthread_mutex_lock(&segtab_mutex);
}

void xpmem_segtab_unlock(void)
{
	pthread_mutex_unlock(&segtab_mutex);
}

static int random_segid(xpmem_segid_t *segid)
{
	uint64_t r;

	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		return -EAGAIN;
	*segid = xpmem_make_id(XPMEM_ID_SEGMENT, getpid(), r);
	return 0;
}

int xpmem_segtab_add(struct xpmem_segment *seg)
{
	int rc;

	xpmem_segtab_lock();
	do {
		rc = random_segid(&seg->segid);
		if (rc == 0)
			rc = xpmem_sortvec_insert(&segs, seg);
	} while (rc == -EEXIST);
	xpmem_segtab_unlock();
	return rc;
}

int xpmem_segtab_remove(xpmem_segid_t segid)
{
	struct xpmem_segment *seg;
	int rc = -ENOENT;

	xpmem_segtab_lock();
	seg = xpmem_sortvec_find(&segs, (uint64_t)segid);
	if (seg) {
		xpmem_sortvec_remove_at(&segs, xpmem_sortvec_index(&segs, seg));
		rc = 0;
	}
	xpmem_segtab_unlock();
	return rc;
}

int xpmem_segtab_find(xpmem_segid_t segid, struct xpmem_segment *out)
{
	struct xpmem_segment *seg;

	xpmem_segtab_lock();
	seg = xpmem_sortvec_find(&segs, (uint64_t)segid);
	if (seg)
		*out = *seg;
	xpmem_segtab_unlock();
	return seg ? 0 : -ENOENT;
}

size_t xpmem_segtab_count(void)
{
	size_t n;

	xpmem_segtab_lock();
	n = segs.count;
	xpmem_segtab_unlock();
	return n;
}

void xpmem_segtab_clear(void)
{
	segs.count = 0;
}
