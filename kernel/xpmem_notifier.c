// SPDX-License-Identifier: GPL-2.0
/*
 * Invalidation: an mmu interval notifier on the owner's mm per attachment
 * drops the attacher's PTEs before the owner's pages change or go away.
 *
 * The fault handler follows the pattern of HMM mirrors: it reads the
 * notifier sequence, takes page references, records the range it maps,
 * inserts PTEs, then checks the sequence under att->lock and undoes its
 * work if an invalidation began meanwhile. So the callback only has to
 * bump the sequence under att->lock, drop the pages faults left for their
 * retries and zap what may be mapped; no page stays referenced after a
 * fault.
 *
 * Zapping another process's PTEs goes through unmap_mapping_range() on the
 * attacher's file mapping (its i_mmap lock keeps the page tables alive),
 * which itself calls the attacher's mmu notifiers. Doing that inside this
 * callback would nest invalidations (and i_mmap locks of one class), so the
 * zap runs on a worker and the callback waits for it.
 *
 * The worker's zap is itself an invalidation of the attacher's range. It
 * matters when that range is exported again (a VM_MIXEDMAP attachment's
 * pages can be attached by a third process): the third process's
 * attachment is then zapped by a worker of the next level, each level a
 * workqueue of its own with its own rescuer, so that a waiting worker never
 * waits for its own pool. Past the last level an attachment is only marked
 * dead: its PTEs are all ordinary pages with references of their own (a
 * fault of an attachment of an attachment maps nothing else, since
 * get_user_pages() refuses special PTEs), so leaving them until the detach
 * is stale but safe.
 */
#include <linux/completion.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "xpmem_compat.h"
#include "xpmem_private.h"

#define XPMEM_ZAP_LEVELS	4

static struct workqueue_struct *xpmem_zap_wq[XPMEM_ZAP_LEVELS];
static struct workqueue_struct *xpmem_free_wq;

struct xpmem_zap {
	struct work_struct work;
	struct completion done;
	struct address_space *mapping;
	pgoff_t first;
	pgoff_t nr;
	unsigned int level;
};

static void xpmem_zap_fn(struct work_struct *work)
{
	struct xpmem_zap *zap = container_of(work, struct xpmem_zap, work);

	xpmem_unmap_mapping_pages(zap->mapping, zap->first, zap->nr);
	complete(&zap->done);
}

/* The level a zap started from here runs at: 0 outside zap workers. */
static unsigned int xpmem_zap_level(void)
{
	struct work_struct *work = current_work();

	if (!work || work->func != xpmem_zap_fn)
		return 0;
	return container_of(work, struct xpmem_zap, work)->level + 1;
}

/**
 * xpmem_att_zap() - drop an attachment's PTEs for a range of owner addresses
 * @att: the attachment
 * @start: first owner address, inside the attachment
 * @end: end of the range, inside the attachment
 *
 * Runs the zap on a worker and waits for it (see the comment at the top).
 * May sleep.
 */
void xpmem_att_zap(struct xpmem_attachment *att, unsigned long start,
		   unsigned long end)
{
	struct xpmem_zap zap = {
		.mapping = &att->proc->mapping,
		.first = att->pgoff + ((start - att->owner_start) >> PAGE_SHIFT),
		.nr = (end - start) >> PAGE_SHIFT,
		.level = min_t(unsigned int, xpmem_zap_level(),
			       XPMEM_ZAP_LEVELS - 1),
	};

	INIT_WORK_ONSTACK(&zap.work, xpmem_zap_fn);
	init_completion(&zap.done);
	queue_work(xpmem_zap_wq[zap.level], &zap.work);
	wait_for_completion(&zap.done);
	destroy_work_on_stack(&zap.work);
	xpmem_stat_inc(XPMEM_STAT_ZAPS);
}

static bool xpmem_invalidate(struct mmu_interval_notifier *mni,
			     const struct mmu_notifier_range *range,
			     unsigned long cur_seq)
{
	struct xpmem_attachment *att = container_of(mni,
						    struct xpmem_attachment,
						    notifier);
	unsigned long start = max(range->start, att->owner_start);
	unsigned long end = min(range->end, att->owner_start + att->size);
	bool zap, too_deep = xpmem_zap_level() >= XPMEM_ZAP_LEVELS;

	start &= PAGE_MASK;
	end = PAGE_ALIGN(end);
	if (start >= end)
		return true;

	spin_lock(&att->lock);
	zap = att->mapped_lo < end && start < att->mapped_hi;
	if (zap && !mmu_notifier_range_blockable(range)) {
		spin_unlock(&att->lock);
		return false;
	}
	mmu_interval_set_seq(mni, cur_seq);
	if (range->event == MMU_NOTIFY_RELEASE || (zap && too_deep))
		att->dead = true;
	if (zap && start <= att->mapped_lo && end >= att->mapped_hi) {
		att->mapped_lo = 0;
		att->mapped_hi = 0;
	}
	spin_unlock(&att->lock);
	/* Pages that faults looked up for their retries may be stale. */
	xpmem_att_unstash(att);

	if (zap) {
		xpmem_stat_inc(XPMEM_STAT_INVALIDATIONS);
		if (!too_deep)
			xpmem_att_zap(att, start, end);
	}
	return true;
}

const struct mmu_interval_notifier_ops xpmem_notifier_ops = {
	.invalidate = xpmem_invalidate,
};

static void xpmem_att_free_fn(struct work_struct *work)
{
	struct xpmem_attachment *att = container_of(work,
						    struct xpmem_attachment,
						    free_work);
	struct xpmem_proc *proc = att->proc;

	if (att->notifier_live)
		mmu_interval_notifier_remove(&att->notifier);
	xpmem_att_unstash(att);
	xpmem_att_release_pgoff(att);
	xpmem_proc_put(proc);
	kfree(att);
}

/**
 * xpmem_att_defer_free() - free an attachment whose last reference is gone
 * @att: the attachment
 *
 * Removing the notifier waits for running invalidations, so it is done on
 * a worker rather than wherever the last reference dropped.
 */
void xpmem_att_defer_free(struct xpmem_attachment *att)
{
	INIT_WORK(&att->free_work, xpmem_att_free_fn);
	queue_work(xpmem_free_wq, &att->free_work);
}

/**
 * xpmem_notifier_init() - create the workqueues of invalidation and freeing
 *
 * Return: 0 or -ENOMEM.
 */
int xpmem_notifier_init(void)
{
	unsigned int i;

	/* Invalidations happen during reclaim: the zap workers must progress. */
	for (i = 0; i < XPMEM_ZAP_LEVELS; i++) {
		xpmem_zap_wq[i] = alloc_workqueue("xpmem_zap%u",
						  WQ_MEM_RECLAIM | WQ_UNBOUND,
						  0, i);
		if (!xpmem_zap_wq[i])
			goto fail;
	}
	xpmem_free_wq = alloc_workqueue("xpmem_free", WQ_UNBOUND, 0);
	if (xpmem_free_wq)
		return 0;
fail:
	while (i--)
		destroy_workqueue(xpmem_zap_wq[i]);
	return -ENOMEM;
}

/**
 * xpmem_notifier_exit() - wait for pending frees and destroy the workqueues
 */
void xpmem_notifier_exit(void)
{
	unsigned int i;

	destroy_workqueue(xpmem_free_wq);
	for (i = 0; i < XPMEM_ZAP_LEVELS; i++)
		destroy_workqueue(xpmem_zap_wq[i]);
}
