// SPDX-License-Identifier: GPL-2.0
/*
 * The fault path of attachments: a fault in the attacher looks up the
 * owner's pages behind the faulting address and maps them.
 *
 * Two kinds of attachment VMA (chosen at attach time, xpmem_attach.c):
 *  - VM_PFNMAP, for private (anonymous) owner memory: PTEs without page
 *    references or reverse mapping, guarded by the owner's mmu notifier.
 *    get_user_pages() refuses them, so a futex in such an attachment can
 *    never sleep on a key the owner's futex does not share.
 *  - VM_MIXEDMAP, for shareable owner memory (MAP_SHARED files, shmem,
 *    memfd): the owner's page-cache pages are mapped as ordinary pages
 *    (vm_insert_page(): a reference and a reverse-mapping count each), so
 *    get_user_pages() works on them and futexes are keyed by the file page,
 *    as the owner's are. Anonymous pages met there (the owner replaced its
 *    file mapping) are mapped as special PTEs, which get_user_pages()
 *    refuses, as in a VM_PFNMAP attachment.
 * In both, the notifier zaps what is mapped when the owner's range
 * changes, and every mapped page is first referenced by a get_user_pages()
 * on the owner, so nothing is mapped that the owner does not map.
 */
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/userfaultfd_k.h>

#include "xpmem_compat.h"
#include "xpmem_private.h"
/*
 * A write to a read-only PTE of a writable attachment: the page may have
 * been taken for reading (the zero page, a COW page), so it must not just
 * become writable. Drop it; the retried access faults it in for writing.
 */
vm_fault_t xpmem_pfn_mkwrite(struct vm_fault *vmf)
{
	xpmem_zap_pfn_range(vmf->vma, vmf->address & PAGE_MASK, PAGE_SIZE);
	return VM_FAULT_NOPAGE;
}

/*
 * How a fault takes the owner's pages: @write, for writing (a writable
 * attachment); @must_write, the access is a write. A read of a writable
 * VM_PFNMAP attachment where the owner's memory is read-only (mprotect, a
 * read-only mapping) takes the pages for reading and maps them read-only,
 * as the owner sees them; @write says which it was on return. A
 * VM_MIXEDMAP attachment cannot map a page read-only in a writable VMA
 * (its PTEs take the VMA's protection), so it never settles for less than
 * write access there: @must_write is set for all its faults.
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

/*
 * Map one owner page into a VM_MIXEDMAP attachment: a page-cache page as an
 * ordinary page (a reference and a reverse-mapping count of its own), so
 * that get_user_pages() works on it; anything else (anonymous memory the
 * owner put there since the attach) as a special PTE, which
 * get_user_pages() refuses.
 */
static vm_fault_t xpmem_insert_mixed(struct vm_area_struct *vma,
				     unsigned long addr, struct page *page)
{
	int err;

	if (!xpmem_page_is_pagecache(page))
		return xpmem_vmf_insert_mixed(vma, addr, page_to_pfn(page));
	err = vm_insert_page(vma, addr, page);
	if (err == -EBUSY)	/* another thread mapped it first */
		return VM_FAULT_NOPAGE;
	if (err == -ENOMEM)
		return VM_FAULT_OOM;
	return err ? VM_FAULT_SIGBUS : VM_FAULT_NOPAGE;
}

/* Map @nr pages at @addr; returns how many were mapped. */
static long xpmem_fault_insert(struct vm_area_struct *vma, unsigned long addr,
			       struct page **pages, long nr, pgprot_t prot,
			       vm_fault_t *ret)
{
	bool mixed = vma->vm_flags & VM_MIXEDMAP;
	long i;

	for (i = 0; i < nr; i++) {
		unsigned long at = addr + i * PAGE_SIZE;
		vm_fault_t r;

		if (mixed)
			r = xpmem_insert_mixed(vma, at, pages[i]);
		else
			r = vmf_insert_pfn_prot(vma, at,
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
 * The PTE path's inserts, at the faulting address and after it within its
 * PMD. Another thread may have mapped that whole PMD with one 2 MiB entry
 * since the kernel found no page table there and called us: page-table
 * entries must then not go in (they would be written through the 2 MiB
 * entry as if it were a table). The access is simply retried, and finds
 * the 2 MiB entry, or splits it for a write. att->huge_sem keeps the 2 MiB
 * insert out between the check and the inserts.
 */
static long xpmem_fault_insert_small(struct vm_fault *vmf,
				     struct xpmem_attachment *att,
				     struct page **pages, long nr,
				     pgprot_t prot, vm_fault_t *ret)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long addr = vmf->address & PAGE_MASK;
	long mapped = 0;

	if (!(vma->vm_flags & VM_PFNMAP))
		return xpmem_fault_insert(vma, addr, pages, nr, prot, ret);
	down_read(&att->huge_sem);
	if (!pmd_leaf(READ_ONCE(*vmf->pmd)))
		mapped = xpmem_fault_insert(vma, addr, pages, nr, prot, ret);
	up_read(&att->huge_sem);
	return mapped;
}

/*
 * Drop PTEs this fault inserted: through the attacher's file mapping, as
 * invalidations do, which serves both kinds of VMA.
 */
static void xpmem_fault_undo(struct xpmem_attachment *att,
			     struct vm_area_struct *vma, unsigned long addr,
			     long nr)
{
	pgoff_t first = vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT);

	xpmem_unmap_mapping_pages(&att->proc->mapping, first, nr);
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

/*
 * Pages to map for a fault at @addr: up to the fault-around batch, within
 * the VMA and the faulting page's PMD (a page table made in the next one
 * would keep it from a 2 MiB entry).
 */
static unsigned int xpmem_fault_batch(struct vm_area_struct *vma,
				      unsigned long addr)
{
	unsigned long end = min(vma->vm_end, (addr | ~PMD_MASK) + 1);
	unsigned long left = (end - addr) >> PAGE_SHIFT;

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
		.must_write = (vmf->flags & FAULT_FLAG_WRITE) ||
			      ((vma->vm_flags & VM_MIXEDMAP) &&
			       (vma->vm_flags & VM_WRITE)),
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
		mapped = xpmem_fault_insert_small(vmf, att, pages, mapped,
						  prot, &ret);
		*stale = xpmem_fault_commit(att, seq);
		if (*stale && mapped)
			xpmem_fault_undo(att, vma, addr, mapped);
	}
	/* The notifier now guards the PTEs: no reference is kept. */
	xpmem_put_pages(pages, got);
	xpmem_stat_add(XPMEM_STAT_FAULT_PAGES, *stale ? 0 : mapped);
	return ret;
}

/*
 * 2 MiB entries: where the owner's range behind a PMD-sized, PMD-aligned
 * block of a VM_PFNMAP attachment is backed by 512 physically contiguous,
 * aligned pages (a transparent huge page, a hugetlbfs page), the attacher
 * maps them with one PMD. Contiguity is all a PMD needs; the notifier
 * covers every owner page of the block, so any change to one of them
 * (a split, a collapse, an unmap) zaps the whole entry.
 *
 * The PMD goes in from the ordinary fault handler, when the fault finds no
 * page table there: kernels before 6.12 never call .huge_fault for a
 * VM_PFNMAP VMA, and inserting from .fault works on all of them.
 *
 * The entry is inserted with write=false: with write=true the kernel warns
 * when another fault put a page table there meanwhile. Where the insert
 * takes a protection it is writable for pages taken for writing; else a
 * write to the read-only entry splits it (wp_huge_pmd() falls back) and the
 * PTE path maps the pages writable.
 */
#define XPMEM_PMD_PAGES		(1UL << (PMD_SHIFT - PAGE_SHIFT))

/* Owner address behind attacher address @addr of @vma. */
static unsigned long xpmem_fault_src(struct vm_area_struct *vma,
				     struct xpmem_attachment *att,
				     unsigned long addr)
{
	pgoff_t pgoff = vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT);

	return att->owner_start + ((pgoff - att->pgoff) << PAGE_SHIFT);
}

static bool xpmem_pages_contiguous(struct page **pages, unsigned long nr)
{
	unsigned long first = page_to_pfn(pages[0]), i;

	if (!IS_ALIGNED(first, nr))
		return false;
	for (i = 1; i < nr; i++)
		if (page_to_pfn(pages[i]) != first + i)
			return false;
	return true;
}

/*
 * References on the owner's 512 pages from @src if they can be one PMD:
 * the first faulted in if needed, and only if it starts a large enough
 * compound page are the others looked up (present already, as parts of it).
 * Returns how many references were taken: XPMEM_PMD_PAGES, or 0 after
 * dropping them.
 */
static unsigned long xpmem_huge_get_pages(struct mm_struct *owner,
					  unsigned long src, bool write,
					  struct page **pages)
{
	unsigned int flags = write ? FOLL_WRITE : 0;
	struct page *head;
	long got;

	if (xpmem_gup_remote_locked(owner, src, 1, flags, pages, NULL) != 1)
		return 0;
	xpmem_pages_pinned(1);
	head = compound_head(pages[0]);
	if (compound_order(head) < PMD_SHIFT - PAGE_SHIFT) {
		xpmem_put_pages(pages, 1);
		return 0;
	}
	got = xpmem_gup_remote_locked(owner, src + PAGE_SIZE,
				      XPMEM_PMD_PAGES - 1, flags, pages + 1,
				      NULL);
	if (got > 0)
		xpmem_pages_pinned(got);
	got = max(got, 0L) + 1;
	if (got != XPMEM_PMD_PAGES ||
	    !xpmem_pages_contiguous(pages, XPMEM_PMD_PAGES)) {
		xpmem_put_pages(pages, got);
		return 0;
	}
	return XPMEM_PMD_PAGES;
}

/* Map @pages as one PMD under the notifier protocol of xpmem_fault_once(). */
static vm_fault_t xpmem_huge_map(struct vm_fault *vmf,
				 struct xpmem_attachment *att,
				 unsigned long seq, unsigned long src,
				 struct page **pages, bool writable)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long haddr = vmf->address & PMD_MASK;
	vm_fault_t ret = VM_FAULT_NOPAGE;
	bool inserted = false;

	if (xpmem_fault_prepare(att, seq, src, XPMEM_PMD_PAGES))
		return VM_FAULT_NOPAGE;		/* invalidated: fault again */
	/*
	 * A small-page fault may have put a page table there meanwhile: the
	 * access is then retried and takes the PTE path.
	 */
	down_write(&att->huge_sem);
	if (pmd_none(READ_ONCE(*vmf->pmd))) {
		ret = xpmem_insert_pfn_pmd(vmf, page_to_pfn(pages[0]),
					   writable);
		inserted = ret == VM_FAULT_NOPAGE;
	}
	up_write(&att->huge_sem);
	if (xpmem_fault_commit(att, seq)) {
		xpmem_fault_undo(att, vma, haddr, XPMEM_PMD_PAGES);
		return VM_FAULT_NOPAGE;
	}
	if (inserted)
		xpmem_stat_inc(XPMEM_STAT_FAULT_HUGE);
	return ret;
}

static vm_fault_t xpmem_huge_fault_pmd(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct xpmem_attachment *att = vma->vm_private_data;
	struct mm_struct *owner = att->owner_mm;
	unsigned long haddr = vmf->address & PMD_MASK;
	bool write = vma->vm_flags & VM_WRITE;
	bool locked = owner == vma->vm_mm && xpmem_fault_holds_mmap_lock(vmf);
	vm_fault_t ret = VM_FAULT_FALLBACK;
	struct page **pages;
	unsigned long src, seq, got = 0;

	if (!(vma->vm_flags & VM_PFNMAP) || !pmd_none(READ_ONCE(*vmf->pmd)))
		return VM_FAULT_FALLBACK;
	/*
	 * A read-only entry would not serve a write: the write fault splits
	 * it and comes back here with no page table, forever.
	 */
	if ((vmf->flags & FAULT_FLAG_WRITE) && !xpmem_pmd_maps_writable())
		return VM_FAULT_FALLBACK;
	if (haddr < vma->vm_start || haddr + PMD_SIZE > vma->vm_end)
		return VM_FAULT_FALLBACK;
	src = xpmem_fault_src(vma, att, haddr);
	if (!IS_ALIGNED(src, PMD_SIZE) || READ_ONCE(att->dead))
		return VM_FAULT_FALLBACK;
	pages = kmalloc_array(XPMEM_PMD_PAGES, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return VM_FAULT_FALLBACK;
	if (!mmget_not_zero(owner))
		goto out;
	seq = mmu_interval_read_begin(&att->notifier);
	/* Whatever needs waiting is left to the PTE path. */
	if (locked || mmap_read_trylock(owner)) {
		if (!xpmem_owner_fault_waits(owner, src))
			got = xpmem_huge_get_pages(owner, src, write, pages);
		if (!locked)
			mmap_read_unlock(owner);
	}
	if (got) {
		ret = xpmem_huge_map(vmf, att, seq, src, pages, write);
		xpmem_put_pages(pages, got);
	}
	mmput_async(owner);
out:
	kfree(pages);
	return ret;
}

/**
 * xpmem_fault() - fault handler of attachments
 * @vmf: the fault
 *
 * Maps the owner's page behind the faulting address and the present pages
 * after it, or the whole 2 MiB around it with one PMD where it can. Holes,
 * and an owner that is gone, give SIGBUS. Runs with the attacher's
 * mmap_lock held; takes no module lock except att->lock and att->huge_sem.
 *
 * Return: VM_FAULT_NOPAGE when mapped, VM_FAULT_RETRY, or an error.
 */
vm_fault_t xpmem_fault(struct vm_fault *vmf)
{
	struct xpmem_attachment *att = vmf->vma->vm_private_data;
	struct mm_struct *owner = att->owner_mm;
	vm_fault_t ret = VM_FAULT_SIGBUS;
	bool stale = true;
	int tries;

	xpmem_stat_inc(XPMEM_STAT_FAULTS);
	ret = xpmem_huge_fault_pmd(vmf);
	if (ret != VM_FAULT_FALLBACK)
		return ret;
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

