// SPDX-License-Identifier: GPL-2.0
/*
 * xpmem.ko: cross-process memory. The misc device /dev/xpmem, its ioctl
 * dispatch (upstream XPMEM's ABI, kernel/uapi/xpmem_abi.h) and the state
 * of each open.
 *
 * An open belongs to the thread group that opened it. Another process
 * using the descriptor (a child after fork, or one it was passed to) gets
 * XPMEM_ERRNO_NOPROC and is expected to open the device itself. When the
 * owning process closes the descriptor or exits, its segments are removed
 * and its permits released.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "xpmem_private.h"

/* The i_mmap lock of our mappings nests inside mmu notifier callbacks. */
static struct lock_class_key xpmem_i_mmap_key;

/**
 * xpmem_proc_get() - take a reference to the state of an open
 * @proc: the state
 */
void xpmem_proc_get(struct xpmem_proc *proc)
{
	kref_get(&proc->kref);
}

static void xpmem_proc_free(struct kref *kref)
{
	struct xpmem_proc *proc = container_of(kref, struct xpmem_proc, kref);

	mmdrop(proc->mm);
	put_pid(proc->tgid);
	kfree(proc);
}

/**
 * xpmem_proc_put() - drop a reference to the state of an open
 * @proc: the state
 */
void xpmem_proc_put(struct xpmem_proc *proc)
{
	kref_put(&proc->kref, xpmem_proc_free);
}

static void xpmem_proc_remove_segments(struct xpmem_proc *proc)
{
	struct xpmem_segment *seg;

	for (;;) {
		mutex_lock(&proc->lock);
		seg = list_first_entry_or_null(&proc->segs,
					       struct xpmem_segment,
					       owner_link);
		if (seg)
			list_del_init(&seg->owner_link);
		mutex_unlock(&proc->lock);
		if (!seg)
			break;
		xpmem_seg_remove(seg);
	}
}

static void xpmem_proc_release_permits(struct xpmem_proc *proc)
{
	struct xpmem_access *ap;

	for (;;) {
		mutex_lock(&proc->lock);
		ap = list_first_entry_or_null(&proc->aps, struct xpmem_access,
					      proc_link);
		if (ap) {
			list_del_init(&ap->proc_link);
			xpmem_ap_get(ap);
		}
		mutex_unlock(&proc->lock);
		if (!ap)
			break;
		/* A concurrent XPMEM_CMD_RELEASE may have won the entry. */
		if (xpmem_id_erase(&xpmem_permits, ap->apid, ap) == ap)
			xpmem_ap_release(ap);
		xpmem_ap_put(ap);
	}
}

/* Tear down everything made through this open; later ioctls fail. */
static void xpmem_proc_close(struct xpmem_proc *proc)
{
	mutex_lock(&proc->lock);
	if (proc->closed) {
		mutex_unlock(&proc->lock);
		return;
	}
	proc->closed = true;
	mutex_unlock(&proc->lock);

	xpmem_proc_remove_segments(proc);
	xpmem_proc_release_permits(proc);
}

static struct xpmem_proc *xpmem_proc_alloc(struct inode *inode)
{
	struct xpmem_proc *proc;

	proc = kzalloc(sizeof(*proc), GFP_KERNEL);
	if (!proc)
		return NULL;
	kref_init(&proc->kref);
	mutex_init(&proc->lock);
	INIT_LIST_HEAD(&proc->segs);
	INIT_LIST_HEAD(&proc->aps);
	spin_lock_init(&proc->att_lock);
	INIT_LIST_HEAD(&proc->pending);
	address_space_init_once(&proc->mapping);
	lockdep_set_class(&proc->mapping.i_mmap_rwsem, &xpmem_i_mmap_key);
	proc->mapping.host = inode;
	proc->mapping.a_ops = &empty_aops;
	proc->tgid = get_pid(task_tgid(current));
	proc->mm = current->mm;
	mmgrab(proc->mm);
	return proc;
}

static int xpmem_open(struct inode *inode, struct file *file)
{
	struct xpmem_proc *proc;

	if (!current->mm)
		return -EINVAL;
	proc = xpmem_proc_alloc(inode);
	if (!proc)
		return -ENOMEM;
	file->private_data = proc;
	/* Attachment VMAs link into this open's own mapping. */
	file->f_mapping = &proc->mapping;
	xpmem_stat_inc(XPMEM_STAT_PROCS);
	return 0;
}

static int xpmem_flush(struct file *file, fl_owner_t id)
{
	struct xpmem_proc *proc = file->private_data;

	/* A child closing an inherited descriptor leaves the parent's alone. */
	if (task_tgid(current) == proc->tgid)
		xpmem_proc_close(proc);
	return 0;
}

static int xpmem_release(struct inode *inode, struct file *file)
{
	struct xpmem_proc *proc = file->private_data;

	xpmem_proc_close(proc);
	xpmem_stat_dec(XPMEM_STAT_PROCS);
	xpmem_proc_put(proc);
	return 0;
}

static long xpmem_ioctl(struct file *file, unsigned int cmd,
			unsigned long arg)
{
	struct xpmem_proc *proc = file->private_data;
	void __user *uarg = (void __user *)arg;

	if (cmd == XPMEM_CMD_VERSION)
		return XPMEM_ABI_VERSION;
	if (current->mm != proc->mm)
		return -XPMEM_ERRNO_NOPROC;
	if (READ_ONCE(proc->closed))
		return -EBADF;

	switch (cmd) {
	case XPMEM_CMD_MAKE:
		return xpmem_cmd_make(proc, uarg);
	case XPMEM_CMD_REMOVE:
		return xpmem_cmd_remove(proc, uarg);
	case XPMEM_CMD_GET:
		return xpmem_cmd_get(proc, uarg);
	case XPMEM_CMD_RELEASE:
		return xpmem_cmd_release(proc, uarg);
	case XPMEM_CMD_ATTACH:
		return xpmem_cmd_attach(file, proc, uarg);
	case XPMEM_CMD_DETACH:
		return xpmem_cmd_detach(proc, uarg);
	case XPMEM_CMD_FORK_BEGIN:
	case XPMEM_CMD_FORK_END:
		/*
		 * Upstream brackets fork() with these. Attachments here are
		 * never inherited and the owner's COW is followed by the
		 * notifiers, so there is nothing to prepare.
		 */
		return 0;
	default:
		return -ENOTTY;
	}
}

static const struct file_operations xpmem_fops = {
	.owner = THIS_MODULE,
	.open = xpmem_open,
	.flush = xpmem_flush,
	.release = xpmem_release,
	/*
	 * No compat_ioctl: the argument structs hold size_t and off_t, whose
	 * size differs for 32-bit callers, so they get ENOTTY.
	 */
	.unlocked_ioctl = xpmem_ioctl,
	.mmap = xpmem_mmap,
	.get_unmapped_area = xpmem_get_unmapped_area,
	.llseek = noop_llseek,
};

static struct miscdevice xpmem_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "xpmem",
	.fops = &xpmem_fops,
	/* Access control is per segment; the device is for everyone. */
	.mode = 0666,
};

static int __init xpmem_init(void)
{
	int ret;

	ret = xpmem_notifier_init();
	if (ret)
		return ret;
	ret = xpmem_stats_init();
	if (ret)
		goto out_notifier;
	ret = misc_register(&xpmem_miscdev);
	if (ret)
		goto out_stats;
	return 0;

out_stats:
	xpmem_stats_exit();
out_notifier:
	xpmem_notifier_exit();
	return ret;
}

static void __exit xpmem_exit(void)
{
	misc_deregister(&xpmem_miscdev);
	xpmem_stats_exit();
	xpmem_notifier_exit();
}

module_init(xpmem_init);
module_exit(xpmem_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("XPMEM: cross-process memory attachments");
MODULE_VERSION(XPMEM_VERSION);
