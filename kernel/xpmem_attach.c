// SPDX-License-Identifier: GPL-2.0
/*
 * Attachments: XPMEM_CMD_ATTACH maps (part of) a segment into the caller,
 * XPMEM_CMD_DETACH unmaps it. The mapping is a VMA of the device file
 * whose PTEs are filled at fault time from the owner's pages
 * (xpmem_fault.c) and dropped by the owner's mmu notifier
 * (xpmem_notifier.c). Where the owner's range is shareable memory the VMA
 * is VM_MIXEDMAP and maps the owner's page-cache pages as ordinary pages;
 * otherwise it is VM_PFNMAP (see xpmem_fault.c for why).
 *
 * Each attachment owns a range of file offsets in its process's open of
 * the device; the fault handler turns a file offset
 * into an owner address, and invalidation zaps by file offset, which
 * stays right when the VMA is moved.
 */
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/userfaultfd_k.h>

#include "xpmem_compat.h"
#include "xpmem_private.h"

static const struct vm_operations_struct xpmem_pfn_vm_ops;
static const struct vm_operations_struct xpmem_file_vm_ops;

static void xpmem_att_release(struct kref *kref)
{
	struct xpmem_attachment *att = container_of(kref,
						    struct xpmem_attachment,
						    kref);

	/*
	 * Nothing reaches the permit through @att any more (no VMA, off the
	 * permit's list): let it go now so that the counters are exact when
	 * the detach, release or exit that got here returns.
	 */
	xpmem_ap_put(att->ap);
	att->ap = NULL;
	xpmem_stat_dec(XPMEM_STAT_ATTACHMENTS);
	if (att->file_mode)
		xpmem_stat_dec(XPMEM_STAT_FILE_ATTACHMENTS);
	/* Removing the notifier sleeps; the last put may hold mmap_lock. */
	xpmem_att_defer_free(att);
}

/**
 * xpmem_att_put() - drop a reference to an attachment
 * @att: the attachment
 *
 * Safe under mmap_lock and in VMA callbacks: the memory is freed from a
 * workqueue.
 */
void xpmem_att_put(struct xpmem_attachment *att)
{
	kref_put(&att->kref, xpmem_att_release);
}

static unsigned long xpmem_att_pages(const struct xpmem_attachment *att)
{
	return att->size >> PAGE_SHIFT;
}

/**
 * xpmem_att_kill() - make an attachment fault with SIGBUS from now on
 * @att: the attachment
 *
 * Drops every PTE it has. Process context, no locks held.
 */
void xpmem_att_kill(struct xpmem_attachment *att)
{
	spin_lock(&att->lock);
	att->dead = true;
	att->mapped_lo = 0;
	att->mapped_hi = 0;
	spin_unlock(&att->lock);
	xpmem_att_unstash(att);
	xpmem_unmap_mapping_pages(&att->proc->mapping, att->pgoff,
				  xpmem_att_pages(att));
}

/**
 * xpmem_vma_is_attachment() - whether a VMA is an attachment of this module
 * @vma: the VMA, or NULL
 *
 * Return: true for the VMAs that xpmem_mmap() made.
 */
bool xpmem_vma_is_attachment(const struct vm_area_struct *vma)
{
	return vma && (vma->vm_ops == &xpmem_pfn_vm_ops ||
		       vma->vm_ops == &xpmem_file_vm_ops);
}

/* The attachment of @vma if it is one of @proc's, else NULL. */
static struct xpmem_attachment *xpmem_vma_att(struct vm_area_struct *vma,
					      struct xpmem_proc *proc)
{
	if (!xpmem_vma_is_attachment(vma))
		return NULL;
	if (vma->vm_file->private_data != proc)
		return NULL;
	return vma->vm_private_data;
}

/*
 * Unmap the VMA containing @addr in the caller's address space if it is
 * attachment @att (any attachment of @proc when @att is NULL).
 */
static int xpmem_unmap_at(struct xpmem_proc *proc,
			  struct xpmem_attachment *att, unsigned long addr)
{
	struct mm_struct *mm = current->mm;
	struct xpmem_attachment *found;
	struct vm_area_struct *vma;
	unsigned long start = 0, len = 0;

	if (!mm || mm != proc->mm)
		return -EINVAL;
	mmap_read_lock(mm);
	vma = xpmem_vma_lookup(mm, addr);
	found = xpmem_vma_att(vma, proc);
	if (found && (!att || found == att)) {
		start = vma->vm_start;
		len = vma->vm_end - vma->vm_start;
	}
	mmap_read_unlock(mm);
	if (!len)
		return -EINVAL;
	return vm_munmap(start, len);
}

/**
 * xpmem_att_unmap() - unmap an attachment from the caller's address space
 * @att: the attachment
 *
 * Does nothing unless the caller is the process that attached.
 */
void xpmem_att_unmap(struct xpmem_attachment *att)
{
	unsigned long vaddr;
	bool mapped;

	spin_lock(&att->lock);
	mapped = att->state == XPMEM_ATT_MAPPED;
	vaddr = att->vaddr;
	spin_unlock(&att->lock);
	if (mapped)
		xpmem_unmap_at(att->proc, att, vaddr);
}

static struct xpmem_attachment *xpmem_att_alloc(struct xpmem_proc *proc,
						struct xpmem_access *ap,
						unsigned long owner_start,
						unsigned long size)
{
	struct xpmem_attachment *att;

	att = kzalloc(sizeof(*att), GFP_KERNEL);
	if (!att)
		return NULL;
	kref_init(&att->kref);
	init_rwsem(&att->huge_sem);
	spin_lock_init(&att->lock);
	INIT_LIST_HEAD(&att->ap_link);
	INIT_LIST_HEAD(&att->pending_link);
	INIT_LIST_HEAD(&att->stashes);
	xpmem_ap_get(ap);
	att->ap = ap;
	xpmem_proc_get(proc);
	att->proc = proc;
	att->owner_mm = ap->seg->mm;
	att->owner_start = owner_start;
	att->size = size;
	att->writable = ap->writable;
	att->state = XPMEM_ATT_PENDING;
	att->mapper = current;
	xpmem_stat_inc(XPMEM_STAT_ATTACHMENTS);
	return att;
}

/*
 * File offsets are handed out in increasing order (with a one-page gap) and
 * start over when the open has no attachment left. The limit keeps byte
 * offsets below 2^63.
 */
#define XPMEM_PGOFF_LIMIT	(1ULL << (63 - PAGE_SHIFT))

static int xpmem_att_alloc_pgoff(struct xpmem_attachment *att)
{
	struct xpmem_proc *proc = att->proc;
	u64 pages = xpmem_att_pages(att) + 1;
	int ret = 0;

	spin_lock(&proc->att_lock);
	if (pages > XPMEM_PGOFF_LIMIT - proc->next_pgoff) {
		ret = -ENOSPC;
	} else {
		att->pgoff = proc->next_pgoff;
		proc->next_pgoff += pages;
		proc->nr_atts++;
		list_add_tail(&att->pending_link, &proc->pending);
	}
	spin_unlock(&proc->att_lock);
	return ret;
}

/**
 * xpmem_att_release_pgoff() - give back an attachment's file offsets
 * @att: the attachment, whose VMA is gone
 */
void xpmem_att_release_pgoff(struct xpmem_attachment *att)
{
	struct xpmem_proc *proc = att->proc;

	if (!att->pgoff_live)
		return;
	spin_lock(&proc->att_lock);
	list_del_init(&att->pending_link);
	if (!--proc->nr_atts)
		proc->next_pgoff = 0;
	spin_unlock(&proc->att_lock);
}

/* Not pending any more: vm_mmap() returned. */
static void xpmem_att_mapped(struct xpmem_attachment *att)
{
	spin_lock(&att->proc->att_lock);
	list_del_init(&att->pending_link);
	spin_unlock(&att->proc->att_lock);
}

/* Give the attachment its file offsets and watch the owner's range. */
static int xpmem_att_register(struct xpmem_attachment *att)
{
	int ret;

	ret = xpmem_att_alloc_pgoff(att);
	if (ret)
		return ret;
	att->pgoff_live = true;

	/* Inserting the first notifier registers on the mm: users > 0. */
	if (!mmget_not_zero(att->owner_mm))
		return -ENOENT;
	ret = mmu_interval_notifier_insert(&att->notifier, att->owner_mm,
					   att->owner_start, att->size,
					   &xpmem_notifier_ops);
	mmput(att->owner_mm);
	if (ret)
		return ret;
	att->notifier_live = true;
	return 0;
}

/* Put a new attachment on its permit's list unless the permit is gone. */
static int xpmem_att_link(struct xpmem_attachment *att)
{
	struct xpmem_access *ap = att->ap;
	int ret = 0;

	spin_lock(&ap->lock);
	if (ap->revoked) {
		ret = -ENOENT;
	} else {
		kref_get(&att->kref);
		list_add_tail(&att->ap_link, &ap->atts);
	}
	spin_unlock(&ap->lock);
	return ret;
}

/* Take an attachment off its permit's list; drops the list's reference. */
static void xpmem_att_unlink(struct xpmem_attachment *att)
{
	struct xpmem_access *ap = att->ap;
	bool linked;

	spin_lock(&ap->lock);
	linked = !list_empty(&att->ap_link);
	list_del_init(&att->ap_link);
	spin_unlock(&ap->lock);
	if (linked)
		xpmem_att_put(att);
}

static int xpmem_attach_check(const struct xpmem_cmd_attach *cmd,
			      const struct xpmem_segment *seg)
{
	if (cmd->offset < 0 || !cmd->size)
		return -EINVAL;
	if (!PAGE_ALIGNED(cmd->offset) || !PAGE_ALIGNED(cmd->size) ||
	    !PAGE_ALIGNED(cmd->vaddr))
		return -EINVAL;
	if (cmd->size > seg->size || cmd->offset > seg->size - cmd->size)
		return -EINVAL;
	if (cmd->vaddr && (cmd->size > TASK_SIZE ||
			   cmd->vaddr > TASK_SIZE - cmd->size))
		return -EINVAL;
	return 0;
}

/*
 * Whether the owner's @vma may back a VM_MIXEDMAP attachment: shared
 * page-cache memory (a MAP_SHARED file, shmem, memfd) or such an
 * attachment itself (a re-export). Not hugetlbfs (its pages are never
 * mapped by PTEs of other VMAs), DAX (device pages) or driver mappings.
 * A writable attachment needs the owner's mapping writable, because a
 * VM_MIXEDMAP attachment cannot map pages read-only in a writable VMA.
 */
static bool xpmem_vma_shareable(struct vm_area_struct *vma, bool writable)
{
	if (writable && !(vma->vm_flags & VM_WRITE))
		return false;
	if (xpmem_vma_is_attachment(vma))
		return vma->vm_ops == &xpmem_file_vm_ops;
	if (!(vma->vm_flags & VM_SHARED) || !vma->vm_file)
		return false;
	if (vma->vm_flags & (VM_PFNMAP | VM_IO | VM_MIXEDMAP | VM_HUGETLB))
		return false;
	return !vma_is_dax(vma);
}

/*
 * Choose the kind of VMA for @att from the owner's mappings now: VM_MIXEDMAP
 * if every mapping in the range is shareable (holes do not count), else
 * VM_PFNMAP. The owner may map other memory there later; the fault path
 * copes with either (xpmem_fault.c).
 */
static int xpmem_att_choose_mode(struct xpmem_attachment *att)
{
	struct mm_struct *mm = att->owner_mm;
	unsigned long addr = att->owner_start;
	unsigned long end = att->owner_start + att->size;
	struct vm_area_struct *vma;
	bool shareable = false;

	if (!mmget_not_zero(mm))
		return -ENOENT;
	if (mmap_read_lock_killable(mm)) {
		mmput(mm);
		return -EINTR;
	}
	for (vma = find_vma(mm, addr); vma && vma->vm_start < end;
	     vma = find_vma(mm, addr)) {
		shareable = xpmem_vma_shareable(vma, att->writable);
		if (!shareable)
			break;
		addr = vma->vm_end;
	}
	mmap_read_unlock(mm);
	mmput(mm);
	att->file_mode = shareable;
	if (shareable)
		xpmem_stat_inc(XPMEM_STAT_FILE_ATTACHMENTS);
	return 0;
}

static unsigned long xpmem_attach_map(struct file *file,
				      struct xpmem_attachment *att,
				      unsigned long vaddr)
{
	unsigned long prot = PROT_READ | (att->writable ? PROT_WRITE : 0);
	unsigned long flags = MAP_SHARED | (vaddr ? MAP_FIXED : 0);

	return vm_mmap(file, vaddr, att->size, prot, flags,
		       att->pgoff << PAGE_SHIFT);
}

/**
 * xpmem_cmd_attach() - XPMEM_CMD_ATTACH: map part of a segment
 * @file: the device file the ioctl came through; the mapping is of it
 * @proc: the caller's open of the device
 * @arg: struct xpmem_cmd_attach in userspace
 *
 * No module lock is held across vm_mmap(): the mmap handler finds the
 * pending attachment by its file offset.
 *
 * Return: 0 with the address stored in @arg; -EINVAL for unaligned,
 * empty or out-of-segment ranges, -ENOENT for unknown, revoked or another
 * process's permits, or what vm_mmap() returned.
 */
int xpmem_cmd_attach(struct file *file, struct xpmem_proc *proc,
		     void __user *arg)
{
	struct xpmem_cmd_attach __user *uarg = arg;
	struct xpmem_attachment *att;
	struct xpmem_cmd_attach cmd;
	struct xpmem_access *ap;
	unsigned long addr;
	int ret;

	if (copy_from_user(&cmd, uarg, sizeof(cmd)))
		return -EFAULT;
	ap = xpmem_ap_lookup(cmd.apid);
	if (!ap)
		return -ENOENT;
	ret = -ENOENT;		/* another process's permit is none of ours */
	if (ap->proc != proc)
		goto out_ap;
	ret = xpmem_attach_check(&cmd, ap->seg);
	if (ret)
		goto out_ap;

	ret = -ENOMEM;
	att = xpmem_att_alloc(proc, ap, ap->seg->vaddr + cmd.offset,
			      cmd.size);
	if (!att)
		goto out_ap;
	ret = xpmem_att_choose_mode(att);
	if (ret)
		goto out_att;
	ret = xpmem_att_register(att);
	if (ret)
		goto out_att;
	ret = xpmem_att_link(att);
	if (ret)
		goto out_att;

	addr = xpmem_attach_map(file, att, cmd.vaddr);
	xpmem_att_mapped(att);
	if (IS_ERR_VALUE(addr)) {
		ret = (int)addr;
		xpmem_att_unlink(att);
		goto out_att;
	}
	if (put_user((u64)addr, &uarg->vaddr)) {
		xpmem_unmap_at(proc, att, addr);
		xpmem_att_unlink(att);
		ret = -EFAULT;
		goto out_att;
	}
	ret = 0;
out_att:
	xpmem_att_put(att);
out_ap:
	xpmem_ap_put(ap);
	return ret;
}

/**
 * xpmem_cmd_detach() - XPMEM_CMD_DETACH: unmap the attachment at an address
 * @proc: the caller's open of the device
 * @arg: struct xpmem_cmd_detach in userspace
 *
 * Return: 0, or -EINVAL if no attachment of the caller contains the address.
 */
int xpmem_cmd_detach(struct xpmem_proc *proc, void __user *arg)
{
	struct xpmem_cmd_detach cmd;

	if (copy_from_user(&cmd, arg, sizeof(cmd)))
		return -EFAULT;
	if (cmd.vaddr >= TASK_SIZE)
		return -EINVAL;
	return xpmem_unmap_at(proc, NULL, cmd.vaddr);
}

/* Find the pending attachment this mmap call is for, with a reference. */
static struct xpmem_attachment *xpmem_mmap_att(struct xpmem_proc *proc,
					       struct vm_area_struct *vma)
{
	struct xpmem_attachment *att, *found = NULL;

	spin_lock(&proc->att_lock);
	list_for_each_entry(att, &proc->pending, pending_link) {
		if (att->mapper == current && att->pgoff == vma->vm_pgoff) {
			if (kref_get_unless_zero(&att->kref))
				found = att;
			break;
		}
	}
	spin_unlock(&proc->att_lock);
	return found;
}

/* The owner address a pending attachment of the caller at @pgoff maps. */
static bool xpmem_pending_owner_start(struct xpmem_proc *proc, pgoff_t pgoff,
				      unsigned long *owner_start)
{
	struct xpmem_attachment *att;
	bool found = false;

	spin_lock(&proc->att_lock);
	list_for_each_entry(att, &proc->pending, pending_link) {
		if (att->mapper == current && att->pgoff == pgoff) {
			*owner_start = att->owner_start;
			found = true;
			break;
		}
	}
	spin_unlock(&proc->att_lock);
	return found;
}

/**
 * xpmem_get_unmapped_area() - placement of attachments
 * @file: the device file
 * @addr: the caller's hint
 * @len: length of the mapping
 * @pgoff: file offset, which names the pending attachment
 * @flags: mmap flags
 *
 * An attachment of 2 MiB or more is placed at an address congruent to the
 * owner's modulo 2 MiB, so that the owner's huge pages can be mapped with
 * one PMD each. MAP_FIXED requests keep their address.
 *
 * Return: the address, or a negative errno.
 */
unsigned long xpmem_get_unmapped_area(struct file *file, unsigned long addr,
				      unsigned long len, unsigned long pgoff,
				      unsigned long flags)
{
	unsigned long owner_start, base;

	if ((flags & MAP_FIXED) || len < PMD_SIZE || len > TASK_SIZE - PMD_SIZE ||
	    !xpmem_pending_owner_start(file->private_data, pgoff, &owner_start))
		return xpmem_default_unmapped_area(file, addr, len, pgoff,
						   flags);
	base = xpmem_default_unmapped_area(file, 0, len + PMD_SIZE, pgoff,
					   flags);
	if (IS_ERR_VALUE(base))
		return xpmem_default_unmapped_area(file, addr, len, pgoff,
						   flags);
	return base + ((owner_start - base) & (PMD_SIZE - 1));
}

/**
 * xpmem_mmap() - mmap handler of /dev/xpmem
 * @file: the device file
 * @vma: the new VMA
 *
 * Only the vm_mmap() of XPMEM_CMD_ATTACH may map the device: the offset
 * must name a pending attachment created by the calling task, with its
 * exact size. Read-only attachments lose VM_MAYWRITE, so mprotect() cannot
 * make them writable.
 *
 * Return: 0 or -EINVAL, -EACCES.
 */
int xpmem_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct xpmem_proc *proc = file->private_data;
	struct xpmem_attachment *att;
	int ret = -EINVAL;

	att = xpmem_mmap_att(proc, vma);
	if (!att)
		return -EINVAL;
	if (!(vma->vm_flags & VM_SHARED))
		goto out;
	if (!att->writable && (vma->vm_flags & VM_WRITE)) {
		ret = -EACCES;
		goto out;
	}
	spin_lock(&att->lock);
	if (att->state == XPMEM_ATT_PENDING && att->mapper == current &&
	    vma->vm_pgoff == att->pgoff &&
	    vma->vm_end - vma->vm_start == att->size) {
		att->state = XPMEM_ATT_MAPPED;
		att->vaddr = vma->vm_start;
		att->nr_vmas = 1;
		ret = 0;
	}
	spin_unlock(&att->lock);
	if (ret)
		goto out;

	if (att->file_mode) {
		xpmem_vm_flags_set(vma, VM_MIXEDMAP | VM_DONTEXPAND |
				   VM_DONTDUMP | VM_DONTCOPY);
		vma->vm_ops = &xpmem_file_vm_ops;
	} else {
		xpmem_vm_flags_set(vma, VM_PFNMAP | VM_IO | VM_DONTEXPAND |
				   VM_DONTDUMP | VM_DONTCOPY);
		vma->vm_ops = &xpmem_pfn_vm_ops;
	}
	if (!att->writable)
		xpmem_vm_flags_clear(vma, VM_MAYWRITE);
	/* The VMA keeps the reference taken by the lookup. */
	vma->vm_private_data = att;
	return 0;
out:
	xpmem_att_put(att);
	return ret;
}

static void xpmem_vma_open(struct vm_area_struct *vma)
{
	struct xpmem_attachment *att = vma->vm_private_data;

	kref_get(&att->kref);
	spin_lock(&att->lock);
	att->nr_vmas++;
	spin_unlock(&att->lock);
}

static void xpmem_vma_close(struct vm_area_struct *vma)
{
	struct xpmem_attachment *att = vma->vm_private_data;
	bool last;

	spin_lock(&att->lock);
	last = --att->nr_vmas == 0;
	if (last)
		att->state = XPMEM_ATT_UNMAPPED;
	spin_unlock(&att->lock);
	if (last)
		xpmem_att_unlink(att);
	xpmem_att_put(att);
}

/* One VMA per attachment: no partial munmap or mprotect, no mremap. */
static int xpmem_vma_may_split(struct vm_area_struct *vma, unsigned long addr)
{
	return -EINVAL;
}

static int xpmem_vma_mremap(struct vm_area_struct *vma)
{
	return -EINVAL;
}

static const struct vm_operations_struct xpmem_pfn_vm_ops = {
	.open = xpmem_vma_open,
	.close = xpmem_vma_close,
	XPMEM_VM_OPS_MAY_SPLIT(xpmem_vma_may_split),
	.mremap = xpmem_vma_mremap,
	.fault = xpmem_fault,
	.pfn_mkwrite = xpmem_pfn_mkwrite,
};

/*
 * No mkwrite operation: the pages are taken for writing when the VMA is
 * writable, and a VMA with one would refuse long-term writable pins
 * (RDMA registration) from 6.5 on.
 */
static const struct vm_operations_struct xpmem_file_vm_ops = {
	.open = xpmem_vma_open,
	.close = xpmem_vma_close,
	XPMEM_VM_OPS_MAY_SPLIT(xpmem_vma_may_split),
	.mremap = xpmem_vma_mremap,
	.fault = xpmem_fault,
};
