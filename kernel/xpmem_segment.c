// SPDX-License-Identifier: GPL-2.0
/*
 * Segments: a range of the owner's address space made available to
 * others (XPMEM_CMD_MAKE), revoked by XPMEM_CMD_REMOVE or when the owner
 * closes the device.
 */
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "xpmem_private.h"

static void xpmem_seg_free(struct kref *kref)
{
	struct xpmem_segment *seg = container_of(kref, struct xpmem_segment,
						 kref);

	mmdrop(seg->mm);
	put_cred(seg->cred);
	xpmem_proc_put(seg->owner);
	kfree(seg);
	xpmem_stat_dec(XPMEM_STAT_SEGMENTS);
}

/**
 * xpmem_seg_put() - drop a reference to a segment
 * @seg: the segment
 */
void xpmem_seg_put(struct xpmem_segment *seg)
{
	kref_put(&seg->kref, xpmem_seg_free);
}

/**
 * xpmem_seg_lookup() - find a live segment by id
 * @segid: id from userspace, not trusted
 *
 * Return: the segment with a reference held, or NULL.
 */
struct xpmem_segment *xpmem_seg_lookup(s64 segid)
{
	struct xpmem_segment *seg;

	if (segid <= 0)
		return NULL;
	xa_lock(&xpmem_segments);
	seg = xa_load(&xpmem_segments, xpmem_id_index(segid));
	if (seg && seg->segid == segid)
		kref_get(&seg->kref);
	else
		seg = NULL;
	xa_unlock(&xpmem_segments);
	return seg;
}

/*
 * Check and normalise the exported range. vaddr 0 with XPMEM_MAXADDR_SIZE
 * is the whole address space, the usual request of MPI libraries.
 */
static int xpmem_make_range(u64 vaddr, u64 size, unsigned long *start,
			    unsigned long *len)
{
	if (vaddr == 0 && size == XPMEM_MAXADDR_SIZE) {
		*start = 0;
		*len = TASK_SIZE & PAGE_MASK;
		return 0;
	}
	if (!size || !PAGE_ALIGNED(vaddr) || !PAGE_ALIGNED(size))
		return -EINVAL;
	if (size > TASK_SIZE || vaddr > TASK_SIZE - size)
		return -EINVAL;
	*start = vaddr;
	*len = size;
	return 0;
}

static struct xpmem_segment *xpmem_seg_alloc(struct xpmem_proc *proc,
					     unsigned long start,
					     unsigned long len, umode_t mode)
{
	struct xpmem_segment *seg;

	seg = kzalloc(sizeof(*seg), GFP_KERNEL);
	if (!seg)
		return NULL;
	kref_init(&seg->kref);
	spin_lock_init(&seg->lock);
	INIT_LIST_HEAD(&seg->aps);
	INIT_LIST_HEAD(&seg->owner_link);
	seg->vaddr = start;
	seg->size = len;
	seg->mode = mode;
	seg->cred = get_current_cred();
	seg->mm = proc->mm;
	mmgrab(seg->mm);
	xpmem_proc_get(proc);
	seg->owner = proc;
	xpmem_stat_inc(XPMEM_STAT_SEGMENTS);
	return seg;
}

/**
 * xpmem_cmd_make() - XPMEM_CMD_MAKE: export a range of the caller's memory
 * @proc: the caller's open of the device
 * @arg: struct xpmem_cmd_make in userspace
 *
 * Return: 0 with the new segid stored in @arg, or a negative errno.
 */
int xpmem_cmd_make(struct xpmem_proc *proc, void __user *arg)
{
	struct xpmem_cmd_make __user *uarg = arg;
	struct xpmem_cmd_make cmd;
	struct xpmem_segment *seg;
	unsigned long start, len;
	int ret;

	if (copy_from_user(&cmd, uarg, sizeof(cmd)))
		return -EFAULT;
	if (cmd.permit_type != XPMEM_PERMIT_MODE ||
	    cmd.permit_value & ~(u64)0777)
		return -EINVAL;
	ret = xpmem_make_range(cmd.vaddr, cmd.size, &start, &len);
	if (ret)
		return ret;

	seg = xpmem_seg_alloc(proc, start, len, (umode_t)cmd.permit_value);
	if (!seg)
		return -ENOMEM;
	ret = xpmem_id_alloc(&xpmem_segments, &xpmem_segments_next, seg,
			     &seg->segid);
	if (ret) {
		xpmem_seg_put(seg);
		return ret;
	}

	mutex_lock(&proc->lock);
	if (proc->closed) {
		mutex_unlock(&proc->lock);
		xpmem_seg_remove(seg);
		return -EBADF;
	}
	list_add_tail(&seg->owner_link, &proc->segs);
	mutex_unlock(&proc->lock);

	if (put_user(seg->segid, &uarg->segid)) {
		mutex_lock(&proc->lock);
		list_del_init(&seg->owner_link);
		mutex_unlock(&proc->lock);
		xpmem_seg_remove(seg);
		return -EFAULT;
	}
	return 0;
}

/**
 * xpmem_seg_remove() - revoke a segment and everything made from it
 * @seg: the segment, already off its owner's list
 *
 * Unpublishes the id, revokes every permit (their attachments stop giving
 * the owner's memory) and drops the reference the id table held. The
 * permits themselves stay with their holders until released.
 */
void xpmem_seg_remove(struct xpmem_segment *seg)
{
	struct xpmem_access *ap;

	spin_lock(&seg->lock);
	if (seg->removed) {
		spin_unlock(&seg->lock);
		return;
	}
	seg->removed = true;
	spin_unlock(&seg->lock);

	xpmem_id_erase(&xpmem_segments, seg->segid, seg);

	for (;;) {
		spin_lock(&seg->lock);
		ap = list_first_entry_or_null(&seg->aps, struct xpmem_access,
					      seg_link);
		if (ap) {
			list_del_init(&ap->seg_link);
			xpmem_ap_get(ap);
		}
		spin_unlock(&seg->lock);
		if (!ap)
			break;
		xpmem_ap_revoke(ap);
		xpmem_ap_put(ap);
	}
	xpmem_seg_put(seg);
}

/**
 * xpmem_cmd_remove() - XPMEM_CMD_REMOVE: revoke one of the caller's segments
 * @proc: the caller's open of the device
 * @arg: struct xpmem_cmd_remove in userspace
 *
 * Return: 0, -ENOENT for an unknown id, -EACCES for another's segment.
 */
int xpmem_cmd_remove(struct xpmem_proc *proc, void __user *arg)
{
	struct xpmem_cmd_remove cmd;
	struct xpmem_segment *seg;
	bool mine;

	if (copy_from_user(&cmd, arg, sizeof(cmd)))
		return -EFAULT;
	seg = xpmem_seg_lookup(cmd.segid);
	if (!seg)
		return -ENOENT;
	if (seg->owner != proc) {
		xpmem_seg_put(seg);
		return -EACCES;
	}

	mutex_lock(&proc->lock);
	mine = !list_empty(&seg->owner_link);
	list_del_init(&seg->owner_link);
	mutex_unlock(&proc->lock);

	if (mine)
		xpmem_seg_remove(seg);
	xpmem_seg_put(seg);
	return mine ? 0 : -ENOENT;
}
