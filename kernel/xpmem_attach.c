// SPDX-License-Identifier: GPL-2.0
/*
 * Attachments: XPMEM_CMD_ATTACH maps (part of) a segment into the caller,
 * XPMEM_CMD_DETACH unmaps it. The mapping is a VM_PFNMAP VMA of the
 * device file whose PTEs are filled at fault time from the owner's pages
 * and dropped by the owner's mmu notifier (xpmem_notifier.c).
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

static const struct vm_operations_struct xpmem_vm_ops;

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

/* The attachment of @vma if it is one of @proc's, else NULL. */
static struct xpmem_attachment *xpmem_vma_att(struct vm_area_struct *vma,
					      struct xpmem_proc *proc)
{
	if (!vma || vma->vm_ops != &xpmem_vm_ops)
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

	xpmem_vm_flags_set(vma, VM_PFNMAP | VM_IO | VM_DONTEXPAND |
			   VM_DONTDUMP | VM_DONTCOPY);
	if (!att->writable)
		xpmem_vm_flags_clear(vma, VM_MAYWRITE);
	vma->vm_ops = &xpmem_vm_ops;
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

/*
 * A write to a read-only PTE of a writable attachment: the page may have
 * been taken for reading (the zero page, a COW page), so it must not just
 * become writable. Drop it; the retried access faults it in for writing.
 */
static vm_fault_t xpmem_pfn_mkwrite(struct vm_fault *vmf)
{
	xpmem_zap_pfn_range(vmf->vma, vmf->address & PAGE_MASK, PAGE_SIZE);
	return VM_FAULT_NOPAGE;
}

/*
 * How a fault takes the owner's pages: @write, for writing (a writable
 * attachment); @must_write, the access is a write. A read of a writable
 * attachment where the owner's memory is read-only (mprotect, a read-only
 * mapping) takes the pages for reading and maps them read-only, as the
 * owner sees them; @write says which it was on return.
 */
struct xpmem_gup_mode {
	bool write;
	bool must_write;
};

/*
 * Take references on the owner's pages: the faulting one (faulted in if
 * needed) and up to @nr - 1 following ones that are already present.
 * @locked is NULL when the caller's locks forbid dropping the owner's
 * mmap_lock, else as for xpmem_gup_remote_locked().
 */
static long xpmem_fault_get_pages(struct mm_struct *owner, unsigned long src,
				  unsigned int nr, struct xpmem_gup_mode *mode,
				  struct page **pages, int *locked)
{
	unsigned int flags = mode->write ? FOLL_WRITE : 0;
	long got, more;

	got = xpmem_gup_remote_locked(owner, src, 1, flags, pages, locked);
	if (got == -EFAULT && mode->write && !mode->must_write) {
		if (locked && !*locked) {
			if (mmap_read_lock_killable(owner))
				return got;
			*locked = 1;
		}
		mode->write = false;
		flags = 0;
		got = xpmem_gup_remote_locked(owner, src, 1, flags, pages,
					      locked);
	}
	if (got != 1 || nr == 1 || (locked && !*locked))
		return got;
	more = xpmem_gup_remote_present(owner, src + PAGE_SIZE, nr - 1, flags,
					pages + 1);
	return more > 0 ? 1 + more : 1;
}

/*
 * Whether faulting in the owner's page at @src may need to drop the
 * owner's mmap_lock and wait: a userfaultfd-registered range waits for its
 * handler. Such faults are not made with the attacher's lock held. The
 * caller holds @owner's mmap_lock.
 */
static bool xpmem_owner_fault_waits(struct mm_struct *owner,
				    unsigned long src)
{
	struct vm_area_struct *vma = xpmem_vma_lookup(owner, src);

	return vma && userfaultfd_armed(vma);
}

static void xpmem_put_pages(struct page **pages, long nr)
{
	long i;

	for (i = 0; i < nr; i++)
		put_page(pages[i]);
	if (nr > 0)
		xpmem_pages_unpinned(nr);
}

static void xpmem_stash_free(struct xpmem_stash *st)
{
	xpmem_put_pages(st->pages, st->nr);
	kfree(st);
}

/**
 * xpmem_att_unstash() - drop what faults left for their retries
 * @att: the attachment
 *
 * Called when the owner's range changes, when the attachment dies and
 * when it is freed. Does not sleep.
 */
void xpmem_att_unstash(struct xpmem_attachment *att)
{
	struct xpmem_stash *st, *tmp;
	LIST_HEAD(list);

	spin_lock(&att->lock);
	list_splice_init(&att->stashes, &list);
	spin_unlock(&att->lock);
	list_for_each_entry_safe(st, tmp, &list, link)
		xpmem_stash_free(st);
}

/* Take the calling task's stash of @att, if any. */
static struct xpmem_stash *xpmem_stash_take(struct xpmem_attachment *att)
{
	struct xpmem_stash *st, *found = NULL;

	spin_lock(&att->lock);
	list_for_each_entry(st, &att->stashes, link) {
		if (st->task == current) {
			list_del(&st->link);
			found = st;
			break;
		}
	}
	spin_unlock(&att->lock);
	return found;
}

/* Leave @st for the retry of the calling task, replacing an older one. */
static void xpmem_stash_put(struct xpmem_attachment *att,
			    struct xpmem_stash *st)
{
	struct xpmem_stash *old = xpmem_stash_take(att);

	if (old)
		xpmem_stash_free(old);
	spin_lock(&att->lock);
	if (!att->dead) {
		list_add(&st->link, &att->stashes);
		st = NULL;
	}
	spin_unlock(&att->lock);
	if (st)
		xpmem_stash_free(st);
}

/*
 * The owner's mmap_lock is needed to look up its pages while the
 * attacher's is held. Waiting for it could deadlock (two processes
 * attached to each other, or a writer queued on the owner), so it is only
 * tried. On failure the fault drops the attacher's lock, takes the owner's
 * with nothing else held, looks the pages up, leaves them on the
 * attachment for its retry and returns VM_FAULT_RETRY. The retry maps them
 * without the owner's lock, so a busy owner cannot make the fault retry
 * forever; an invalidation meanwhile drops them and the retry starts over.
 *
 * Faults in the owner that must wait with its lock dropped (userfaultfd:
 * the owner's handler supplies the page) take this way too: only here may
 * the lookup drop the owner's lock, which it needs to wait.
 */
static vm_fault_t xpmem_fault_wait_owner(struct vm_fault *vmf,
					 struct xpmem_attachment *att,
					 struct mm_struct *owner,
					 unsigned long src, unsigned int nr,
					 struct xpmem_gup_mode mode)
{
	struct xpmem_stash *st;
	int locked = 1;
	long got;

	if (!(vmf->flags & FAULT_FLAG_ALLOW_RETRY))
		return VM_FAULT_SIGBUS;
	if (vmf->flags & FAULT_FLAG_RETRY_NOWAIT)
		return VM_FAULT_RETRY;
	/* The VMA may go away once its lock is dropped; @att stays. */
	kref_get(&att->kref);
	xpmem_release_fault_lock(vmf);
	xpmem_stat_inc(XPMEM_STAT_FAULT_RETRIES);
	st = kzalloc(sizeof(*st), GFP_KERNEL);
	/* A killed attacher returns at once and exits. */
	if (!st || fatal_signal_pending(current))
		goto out;
	st->task = current;
	st->src = src;
	st->write = mode.write;
	st->must_write = mode.must_write;
	st->seq = mmu_interval_read_begin(&att->notifier);
	if (mmap_read_lock_killable(owner))
		goto out;
	/* Nothing else is held: the owner's fault may drop its lock. */
	got = xpmem_fault_get_pages(owner, src, nr, &mode, st->pages, &locked);
	if (locked)
		mmap_read_unlock(owner);
	st->writable = mode.write;
	if (got > 0) {
		xpmem_pages_pinned(got);
		st->nr = got;
	} else {
		st->err = got ? (int)got : -EFAULT;
	}
	xpmem_stash_put(att, st);
	st = NULL;
out:
	kfree(st);
	xpmem_att_put(att);
	return VM_FAULT_RETRY;
}

static vm_fault_t xpmem_gup_error(long err)
{
	if (err == -ENOMEM)
		return VM_FAULT_OOM;
	if (err == -EAGAIN || err == -EBUSY)
		return VM_FAULT_NOPAGE;
	/* A hole, or memory of the owner that has no pages: SIGBUS. */
	xpmem_stat_inc(XPMEM_STAT_FAULT_SIGBUS);
	return VM_FAULT_SIGBUS;
}

/* Map @nr pages at @addr; returns how many were mapped. */
static long xpmem_fault_insert(struct vm_area_struct *vma, unsigned long addr,
			       struct page **pages, long nr, pgprot_t prot,
			       vm_fault_t *ret)
{
	long i;

	for (i = 0; i < nr; i++) {
		vm_fault_t r;

		r = vmf_insert_pfn_prot(vma, addr + i * PAGE_SIZE,
					page_to_pfn(pages[i]), prot);
		if (r & VM_FAULT_ERROR) {
			if (!i)
				*ret = r;
			break;
		}
	}
	return i;
}

/*
 * Before inserting: record the range, so that an invalidation that starts
 * while the PTEs go in zaps them. After inserting, xpmem_fault_commit()
 * tells whether one started since @seq, in which case the caller drops
 * what it inserted itself (the invalidation may have zapped before the
 * PTEs were there).
 */
static bool xpmem_fault_prepare(struct xpmem_attachment *att,
				unsigned long seq, unsigned long src, long nr)
{
	unsigned long end = src + nr * PAGE_SIZE;
	bool stale;

	spin_lock(&att->lock);
	stale = att->dead || mmu_interval_read_retry(&att->notifier, seq);
	if (!stale) {
		if (att->mapped_lo == att->mapped_hi) {
			att->mapped_lo = src;
			att->mapped_hi = end;
		} else {
			att->mapped_lo = min(att->mapped_lo, src);
			att->mapped_hi = max(att->mapped_hi, end);
		}
	}
	spin_unlock(&att->lock);
	return stale;
}

static bool xpmem_fault_commit(struct xpmem_attachment *att,
			       unsigned long seq)
{
	bool stale;

	spin_lock(&att->lock);
	stale = att->dead || mmu_interval_read_retry(&att->notifier, seq);
	spin_unlock(&att->lock);
	return stale;
}

/* Pages to map for a fault at @addr: up to the fault-around batch. */
static unsigned int xpmem_fault_batch(struct vm_area_struct *vma,
				      unsigned long addr)
{
	unsigned long left = (vma->vm_end - addr) >> PAGE_SHIFT;

	return min_t(unsigned long, left, XPMEM_FAULT_AROUND);
}

static vm_fault_t xpmem_fault_once(struct vm_fault *vmf,
				   struct xpmem_attachment *att,
				   struct mm_struct *owner, bool *stale)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long addr = vmf->address & PAGE_MASK;
	unsigned long src = att->owner_start +
			    ((vmf->pgoff - att->pgoff) << PAGE_SHIFT);
	unsigned int nr = xpmem_fault_batch(vma, addr);
	/* Writable VMAs get pages taken for writing, mapped writable. */
	struct xpmem_gup_mode mode = {
		.write = vma->vm_flags & VM_WRITE,
		.must_write = vmf->flags & FAULT_FLAG_WRITE,
	};
	bool locked = owner == vma->vm_mm && xpmem_fault_holds_mmap_lock(vmf);
	struct page *pages[XPMEM_FAULT_AROUND];
	vm_fault_t ret = VM_FAULT_NOPAGE;
	struct xpmem_stash *st;
	unsigned long seq;
	long got, mapped;
	pgprot_t prot;

	st = (vmf->flags & FAULT_FLAG_TRIED) ? xpmem_stash_take(att) : NULL;
	if (st && (st->src != src || st->write != mode.write ||
		   st->must_write != mode.must_write)) {
		xpmem_stash_free(st);
		st = NULL;
	}
	if (st) {
		/* The retry of a fault that looked the pages up unlocked. */
		seq = st->seq;
		got = st->nr ? st->nr : st->err;
		mode.write = st->writable;
		memcpy(pages, st->pages, st->nr * sizeof(*pages));
		kfree(st);
		if (got < 0)
			return xpmem_gup_error(got);
	} else {
		seq = mmu_interval_read_begin(&att->notifier);
		if (!locked && !mmap_read_trylock(owner))
			return xpmem_fault_wait_owner(vmf, att, owner, src, nr,
						      mode);
		if (xpmem_owner_fault_waits(owner, src)) {
			if (!locked)
				mmap_read_unlock(owner);
			return xpmem_fault_wait_owner(vmf, att, owner, src, nr,
						      mode);
		}
		got = xpmem_fault_get_pages(owner, src, nr, &mode, pages,
					    NULL);
		if (!locked)
			mmap_read_unlock(owner);
		if (got <= 0)
			return xpmem_gup_error(got ? got : -EFAULT);
		xpmem_pages_pinned(got);
	}
	/*
	 * Pages taken for writing are mapped writable; others read-only
	 * (vm_page_prot: pfn_mkwrite makes the VMA write-notify), so that a
	 * write faults again and takes them for writing.
	 */
	prot = mode.write ? vm_get_page_prot(vma->vm_flags) :
	       vma->vm_page_prot;

	/* A stashed batch may be longer than what is left of the VMA. */
	mapped = min_t(long, got, nr);
	*stale = xpmem_fault_prepare(att, seq, src, mapped);
	if (!*stale) {
		mapped = xpmem_fault_insert(vma, addr, pages, mapped, prot,
					    &ret);
		*stale = xpmem_fault_commit(att, seq);
		if (*stale && mapped)
			xpmem_zap_pfn_range(vma, addr, mapped * PAGE_SIZE);
	}
	/* The notifier now guards the PTEs: no reference is kept. */
	xpmem_put_pages(pages, got);
	xpmem_stat_add(XPMEM_STAT_FAULT_PAGES, *stale ? 0 : mapped);
	return ret;
}

/**
 * xpmem_fault() - fault handler of attachments
 * @vmf: the fault
 *
 * Maps the owner's page behind the faulting address and the present pages
 * after it. Holes, and an owner that is gone, give SIGBUS. Runs with the
 * attacher's mmap_lock held; takes no module lock except att->lock.
 *
 * Return: VM_FAULT_NOPAGE when mapped, VM_FAULT_RETRY, or an error.
 */
static vm_fault_t xpmem_fault(struct vm_fault *vmf)
{
	struct xpmem_attachment *att = vmf->vma->vm_private_data;
	struct mm_struct *owner = att->owner_mm;
	vm_fault_t ret = VM_FAULT_SIGBUS;
	bool stale = true;
	int tries;

	xpmem_stat_inc(XPMEM_STAT_FAULTS);
	if (READ_ONCE(att->dead) || !mmget_not_zero(owner)) {
		xpmem_stat_inc(XPMEM_STAT_FAULT_SIGBUS);
		return VM_FAULT_SIGBUS;
	}
	for (tries = 0; tries < 4 && stale; tries++) {
		stale = false;
		ret = xpmem_fault_once(vmf, att, owner, &stale);
		if (ret != VM_FAULT_NOPAGE)
			break;
		if (stale && READ_ONCE(att->dead)) {
			xpmem_stat_inc(XPMEM_STAT_FAULT_SIGBUS);
			ret = VM_FAULT_SIGBUS;
			break;
		}
	}
	/*
	 * Dropping the last user of the owner's mm tears its address space
	 * down; not under the attacher's mmap_lock.
	 */
	mmput_async(owner);
	return ret;
}

static const struct vm_operations_struct xpmem_vm_ops = {
	.open = xpmem_vma_open,
	.close = xpmem_vma_close,
	XPMEM_VM_OPS_MAY_SPLIT(xpmem_vma_may_split),
	.mremap = xpmem_vma_mremap,
	.fault = xpmem_fault,
	.pfn_mkwrite = xpmem_pfn_mkwrite,
};
