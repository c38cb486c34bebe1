/* SPDX-License-Identifier: MIT */
/*
 * The exporting side of the user-space backend: xpmem_make and
 * xpmem_remove, and the agent's lifetime, which is exactly that of the
 * non-empty segment table: started by the first make, stopped by the last
 * remove. owner_lock serialises these transitions; the agent thread never
 * takes it, so stopping (which joins the thread) cannot deadlock.
 */
#include <errno.h>
#include <pthread.h>
#include <unistd.h>

#include "agent.h"
#include "internal.h"
#include "segtab.h"

static pthread_mutex_t owner_lock = PTHREAD_MUTEX_INITIALIZER;

int xpmem_owner_make(uintptr_t vaddr, size_t size, mode_t mode,
		     xpmem_segid_t *segid)
{
	struct xpmem_segment seg = {
		.vaddr = vaddr,
		.size = size,
		.mode = mode,
		.uid = geteuid(),
		.gid = getegid(),
	};
	int rc = 0;

	pthread_mutex_lock(&owner_lock);
	if (!xpmem_agent_running())
		rc = xpmem_agent_start();
	if (rc == 0)
		rc = xpmem_segtab_add(&seg);
	if (rc < 0 && xpmem_segtab_count() == 0)
		xpmem_agent_stop();
	pthread_mutex_unlock(&owner_lock);
	if (rc == 0)
		*segid = seg.segid;
	return rc;
}

int xpmem_owner_remove(xpmem_segid_t segid)
{
	int rc;

	pthread_mutex_lock(&owner_lock);
	rc = xpmem_segtab_remove(segid);
	if (rc == 0 && xpmem_segtab_count() == 0)
		xpmem_agent_stop();
	pthread_mutex_unlock(&owner_lock);
	return rc;
}

void xpmem_owner_atfork_prepare(void)
{
	pthread_mutex_lock(&owner_lock);
	xpmem_segtab_lock();
}

void xpmem_owner_atfork_parent(void)
{
	xpmem_segtab_unlock();
	pthread_mutex_unlock(&owner_lock);
}

/*
 * The child owns no segment: the ids name the parent, whose agent keeps
 * serving them. Its own first xpmem_make starts its own agent.
 */
void xpmem_owner_atfork_child(void)
{
	xpmem_segtab_clear();
	xpmem_agent_forget();
	xpmem_segtab_unlock();
	pthread_mutex_unlock(&owner_lock);
}
