// SPDX-License-Identifier: GPL-2.0
/*
 * Access permits: XPMEM_CMD_GET checks the caller against a segment's
 * mode and hands out an apid, XPMEM_CMD_RELEASE gives it back.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>

#include "xpmem_private.h"

static void xpmem_ap_free(struct kref *kref)
{
	struct xpmem_access *ap = container_of(kref, struct xpmem_access,
					       kref);

	xpmem_seg_put(ap->seg);
	xpmem_proc_put(ap->proc);
	kfree(ap);
	xpmem_stat_dec(XPMEM_STAT_PERMITS);
}

/**
 * xpmem_ap_get() - take a reference to a permit
 * @ap: the permit
 */
void xpmem_ap_get(struct xpmem_access *ap)
{
	kref_get(&ap->kref);
}

/**
 * xpmem_ap_put() - drop a reference to a permit
 * @ap: the permit
 */
void xpmem_ap_put(struct xpmem_access *ap)
{
	kref_put(&ap->kref, xpmem_ap_free);
}

/**
 * xpmem_ap_lookup() - find a permit by id
 * @apid: id from userspace, not trusted
 *
 * Return: the permit with a reference held, or NULL.
 */
struct xpmem_access *xpmem_ap_lookup(s64 apid)
{
	struct xpmem_access *ap;

	if (apid <= 0)
		return NULL;
	xa_lock(&xpmem_permits);
	ap = xa_load(&xpmem_permits, xpmem_id_index(apid));
	if (ap && ap->apid == apid)
		kref_get(&ap->kref);
	else
		ap = NULL;
	xa_unlock(&xpmem_permits);
	return ap;
}

/*
 * The caller's access class for the segment, decided in the owner's user
 * namespace: a caller whose uid does not map there can only be "other".
 */
static unsigned int xpmem_mode_bits(const struct xpmem_segment *seg)
{
	struct user_namespace *ns = seg->cred->user_ns;
	const struct cred *cred = current_cred();
	uid_t uid = from_kuid(ns, cred->euid);

	if (uid != (uid_t)-1 && uid == from_kuid(ns, seg->cred->euid))
		return (seg->mode >> 6) & 7;
	if (from_kgid(ns, seg->cred->egid) != (gid_t)-1 &&
	    in_egroup_p(seg->cred->egid))
		return (seg->mode >> 3) & 7;
	return seg->mode & 7;
}

/*
 * The mode bits decide, except for a caller with CAP_DAC_OVERRIDE in the
 * owner's user namespace, who may have any permit, as for files. The
 * capability is only consulted when the bits say no, so that an ordinary
 * get is not logged as a use of privilege.
 */
static int xpmem_check_access(const struct xpmem_segment *seg, int flags)
{
	unsigned int need = flags == XPMEM_RDWR ? 6 : 4;

	if ((xpmem_mode_bits(seg) & need) == need)
		return 0;
	if (ns_capable(seg->cred->user_ns, CAP_DAC_OVERRIDE))
		return 0;
	return -EACCES;
}

static struct xpmem_access *xpmem_ap_alloc(struct xpmem_proc *proc,
					   struct xpmem_segment *seg,
					   bool writable)
{
	struct xpmem_access *ap;

	ap = kzalloc(sizeof(*ap), GFP_KERNEL);
	if (!ap)
		return NULL;
	kref_init(&ap->kref);
	spin_lock_init(&ap->lock);
	INIT_LIST_HEAD(&ap->atts);
	INIT_LIST_HEAD(&ap->proc_link);
	INIT_LIST_HEAD(&ap->seg_link);
	ap->writable = writable;
	kref_get(&seg->kref);
	ap->seg = seg;
	xpmem_proc_get(proc);
	ap->proc = proc;
	xpmem_stat_inc(XPMEM_STAT_PERMITS);
	return ap;
}

/* Link a new permit to its segment and its holder, unless either is gone. */
static int xpmem_ap_link(struct xpmem_proc *proc, struct xpmem_access *ap)
{
	struct xpmem_segment *seg = ap->seg;
	int ret = 0;

	mutex_lock(&proc->lock);
	spin_lock(&seg->lock);
	if (seg->removed)
		ret = -ENOENT;
	else if (proc->closed)
		ret = -EBADF;
	else
		list_add_tail(&ap->seg_link, &seg->aps);
	spin_unlock(&seg->lock);
	if (!ret)
		list_add_tail(&ap->proc_link, &proc->aps);
	mutex_unlock(&proc->lock);
	return ret;
}

/**
 * xpmem_cmd_get() - XPMEM_CMD_GET: obtain a permit for a segment
 * @proc: the caller's open of the device
 * @arg: struct xpmem_cmd_get in userspace
 *
 * Return: 0 with the apid stored in @arg; -EINVAL for bad flags or permit
 * type, -ENOENT for an unknown or removed segment, -EACCES when the
 * segment's mode does not grant the access asked for and the caller has
 * no CAP_DAC_OVERRIDE in the owner's user namespace.
 */
int xpmem_cmd_get(struct xpmem_proc *proc, void __user *arg)
{
	struct xpmem_cmd_get __user *uarg = arg;
	struct xpmem_cmd_get cmd;
	struct xpmem_segment *seg;
	struct xpmem_access *ap;
	int ret;

	if (copy_from_user(&cmd, uarg, sizeof(cmd)))
		return -EFAULT;
	if (cmd.flags != XPMEM_RDONLY && cmd.flags != XPMEM_RDWR)
		return -EINVAL;
	if (cmd.permit_type != XPMEM_PERMIT_MODE)
		return -EINVAL;

	seg = xpmem_seg_lookup(cmd.segid);
	if (!seg)
		return -ENOENT;
	ret = xpmem_check_access(seg, cmd.flags);
	if (ret)
		goto out_seg;
	ap = xpmem_ap_alloc(proc, seg, cmd.flags == XPMEM_RDWR);
	ret = -ENOMEM;
	if (!ap)
		goto out_seg;
	ret = xpmem_id_alloc(&xpmem_permits, &xpmem_permits_next, ap,
			     &ap->apid);
	if (ret)
		goto out_ap;
	ret = xpmem_ap_link(proc, ap);
	if (ret) {
		xpmem_id_erase(&xpmem_permits, ap->apid, ap);
		goto out_ap;
	}
	xpmem_seg_put(seg);

	if (put_user(ap->apid, &uarg->apid)) {
		xpmem_ap_release(ap);
		return -EFAULT;
	}
	return 0;

out_ap:
	xpmem_ap_put(ap);
out_seg:
	xpmem_seg_put(seg);
	return ret;
}

/* Next attachment of @ap not yet killed by a revoke, with a reference. */
static struct xpmem_attachment *xpmem_ap_next_live(struct xpmem_access *ap)
{
	struct xpmem_attachment *att;

	list_for_each_entry(att, &ap->atts, ap_link) {
		if (!att->revoke_seen) {
			att->revoke_seen = true;
			kref_get(&att->kref);
			return att;
		}
	}
	return NULL;
}

/**
 * xpmem_ap_revoke() - stop a permit's attachments from giving memory
 * @ap: the permit
 *
 * Attachments lose their PTEs and fault with SIGBUS from now on; they stay
 * mapped (and listed) until detached or released. Later attaches through
 * @ap fail.
 */
void xpmem_ap_revoke(struct xpmem_access *ap)
{
	struct xpmem_attachment *att;

	for (;;) {
		spin_lock(&ap->lock);
		ap->revoked = true;
		att = xpmem_ap_next_live(ap);
		spin_unlock(&ap->lock);
		if (!att)
			break;
		xpmem_att_kill(att);
		xpmem_att_put(att);
	}
}

/* Unmap every attachment of @ap from the caller and drop them. */
static void xpmem_ap_detach_all(struct xpmem_access *ap)
{
	struct xpmem_attachment *att;

	for (;;) {
		/* Each entry's list reference passes to this loop. */
		spin_lock(&ap->lock);
		att = list_first_entry_or_null(&ap->atts,
					       struct xpmem_attachment,
					       ap_link);
		if (att)
			list_del_init(&att->ap_link);
		spin_unlock(&ap->lock);
		if (!att)
			break;
		xpmem_att_kill(att);
		xpmem_att_unmap(att);
		xpmem_att_put(att);
	}
}

/**
 * xpmem_ap_release() - unpublish a permit and drop it
 * @ap: the permit, which must be on its holder's list
 *
 * Revokes and unmaps its attachments and drops the references of the id
 * table and of the holder's list.
 */
void xpmem_ap_release(struct xpmem_access *ap)
{
	struct xpmem_segment *seg = ap->seg;

	xpmem_id_erase(&xpmem_permits, ap->apid, ap);
	mutex_lock(&ap->proc->lock);
	list_del_init(&ap->proc_link);
	mutex_unlock(&ap->proc->lock);

	spin_lock(&seg->lock);
	list_del_init(&ap->seg_link);
	spin_unlock(&seg->lock);

	xpmem_ap_revoke(ap);
	xpmem_ap_detach_all(ap);
	xpmem_ap_put(ap);
}

/**
 * xpmem_cmd_release() - XPMEM_CMD_RELEASE: give back a permit
 * @proc: the caller's open of the device
 * @arg: struct xpmem_cmd_release in userspace
 *
 * Return: 0, or -ENOENT for an id that is not one of the caller's permits
 * (unknown, released, or another process's).
 */
int xpmem_cmd_release(struct xpmem_proc *proc, void __user *arg)
{
	struct xpmem_cmd_release cmd;
	struct xpmem_access *ap;
	bool mine;

	if (copy_from_user(&cmd, arg, sizeof(cmd)))
		return -EFAULT;
	ap = xpmem_ap_lookup(cmd.apid);
	if (!ap)
		return -ENOENT;
	/* Permits are the holder's own, like descriptors: not ours, none. */
	if (ap->proc != proc) {
		xpmem_ap_put(ap);
		return -ENOENT;
	}
	/* Only one releaser wins the race for the table entry. */
	mine = xpmem_id_erase(&xpmem_permits, ap->apid, ap) == ap;
	if (mine)
		xpmem_ap_release(ap);
	xpmem_ap_put(ap);
	return mine ? 0 : -ENOENT;
}
