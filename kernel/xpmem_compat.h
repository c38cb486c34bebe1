/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The only place that knows how kernel interfaces differ between versions.
 * Each difference is detected by compiling a test program from conftest/
 * against the target tree (see Makefile), never by version numbers:
 * distributions backport interfaces.
 */
#ifndef _XPMEM_COMPAT_H
#define _XPMEM_COMPAT_H

#include <linux/mm.h>
#include <linux/mmap_lock.h>

#include "xpmem_conftest.h"

#include <linux/huge_mm.h>
#include <linux/sched/mm.h>
#ifndef XPMEM_HAVE_INSERT_MIXED_ULONG
#include <linux/pfn_t.h>
#endif

/* vm_flags became read-only behind accessors in 6.3. */
static inline void xpmem_vm_flags_set(struct vm_area_struct *vma,
				      unsigned long flags)
{
#ifdef XPMEM_HAVE_VM_FLAGS_SET
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

static inline void xpmem_vm_flags_clear(struct vm_area_struct *vma,
					unsigned long flags)
{
#ifdef XPMEM_HAVE_VM_FLAGS_SET
	vm_flags_clear(vma, flags);
#else
	vma->vm_flags &= ~flags;
#endif
}

/*
 * get_user_pages_remote() with its "locked" argument: the fault it makes
 * in @mm may then drop @mm's mmap_lock and retry (FAULT_FLAG_ALLOW_RETRY),
 * which a userfaultfd-registered range needs to wait for its handler (it
 * gives SIGBUS otherwise, with a stack dump on CONFIG_DEBUG_VM), and which
 * lets swap-in and page-cache reads wait without the lock. The caller
 * holds the lock and sets *@locked to 1; it is 0 on return if the lock was
 * dropped, and then not held any more. With @locked NULL the lock stays
 * held throughout.
 */
static inline long xpmem_gup_remote_locked(struct mm_struct *mm,
					   unsigned long start,
					   unsigned long nr,
					   unsigned int gup_flags,
					   struct page **pages, int *locked)
{
#ifdef XPMEM_HAVE_GUP_REMOTE_VMAS
	return get_user_pages_remote(mm, start, nr, gup_flags, pages, NULL,
				     locked);
#else
	return get_user_pages_remote(mm, start, nr, gup_flags, pages, locked);
#endif
}

/*
 * Faults may run under the per-VMA lock instead of mmap_lock (6.4+). The
 * fault handler needs to know which lock it holds and how to drop it
 * before returning VM_FAULT_RETRY.
 */
static inline bool xpmem_fault_holds_mmap_lock(struct vm_fault *vmf)
{
#ifdef XPMEM_HAVE_RELEASE_FAULT_LOCK
	return !(vmf->flags & FAULT_FLAG_VMA_LOCK);
#else
	return true;
#endif
}

static inline void xpmem_release_fault_lock(struct vm_fault *vmf)
{
#ifdef XPMEM_HAVE_RELEASE_FAULT_LOCK
	release_fault_lock(vmf);
#else
	mmap_read_unlock(vmf->vma->vm_mm);
#endif
}

/* vma_lookup() came in 5.14: the VMA that contains @addr, or NULL. */
static inline struct vm_area_struct *xpmem_vma_lookup(struct mm_struct *mm,
						      unsigned long addr)
{
#ifdef XPMEM_HAVE_VMA_LOOKUP
	return vma_lookup(mm, addr);
#else
	struct vm_area_struct *vma = find_vma(mm, addr);

	return vma && addr >= vma->vm_start ? vma : NULL;
#endif
}

/*
 * References on the pages of @mm from @start that are present now, none
 * faulted in (fault-around). FOLL_NOFAULT came in 5.16; without it there is
 * no way to ask for present pages only, so no page is taken and every
 * fault maps its own page.
 */
static inline long xpmem_gup_remote_present(struct mm_struct *mm,
					    unsigned long start,
					    unsigned long nr,
					    unsigned int gup_flags,
					    struct page **pages)
{
#ifdef XPMEM_HAVE_FOLL_NOFAULT
	return xpmem_gup_remote_locked(mm, start, nr, gup_flags | FOLL_NOFAULT,
				       pages, NULL);
#else
	return 0;
#endif
}

/* Removes the PTEs of a VM_PFNMAP range; zap_vma_ptes() until 7.x. */
static inline void xpmem_zap_pfn_range(struct vm_area_struct *vma,
				       unsigned long addr, unsigned long size)
{
#ifdef XPMEM_HAVE_ZAP_SPECIAL_VMA_RANGE
	zap_special_vma_range(vma, addr, size);
#else
	zap_vma_ptes(vma, addr, size);
#endif
}

/*
 * Zaps pages @first..@first + @nr - 1 of @mapping in every process that
 * maps them. unmap_mapping_pages() is exported only from 5.13 on;
 * unmap_mapping_range() everywhere, in bytes. even_cows is set: without
 * it, kernels before 5.18 skip every page whose own mapping is not
 * @mapping, which is every page an attachment maps (the owner's file
 * pages); attachments are shared mappings and have no COW pages to keep.
 */
static inline void xpmem_unmap_mapping_pages(struct address_space *mapping,
					     pgoff_t first, pgoff_t nr)
{
	unmap_mapping_range(mapping, (loff_t)first << PAGE_SHIFT,
			    (loff_t)nr << PAGE_SHIFT, 1);
}

/*
 * The VMA operation that may refuse a split is .may_split since 5.11, .split
 * before; both take the same arguments.
 */
#ifdef XPMEM_HAVE_VM_OPS_MAY_SPLIT
#define XPMEM_VM_OPS_MAY_SPLIT(fn) .may_split = (fn)
#else
#define XPMEM_VM_OPS_MAY_SPLIT(fn) .split = (fn)
#endif

/*
 * A special PTE for @pfn in a VM_MIXEDMAP VMA, with the VMA's protection.
 * The pfn is a plain number from 7.x on, a pfn_t before.
 */
static inline vm_fault_t xpmem_vmf_insert_mixed(struct vm_area_struct *vma,
						unsigned long addr,
						unsigned long pfn)
{
#ifdef XPMEM_HAVE_INSERT_MIXED_ULONG
	return vmf_insert_mixed(vma, addr, pfn);
#else
	return vmf_insert_mixed(vma, addr, __pfn_to_pfn_t(pfn, PFN_DEV));
#endif
}

/*
 * Whether @page is an ordinary page-cache page (shmem, memfd, a regular
 * file), which a VMA may map with a reference and a reverse-mapping count:
 * not anonymous (KSM included), not hugetlb, not the zero page or any
 * other page without a mapping.
 */
static inline bool xpmem_page_is_pagecache(struct page *page)
{
	struct page *head = compound_head(page);

	return !PageAnon(head) && !PageHuge(head) && READ_ONCE(head->mapping);
}

/* Whether xpmem_insert_pfn_pmd() can map writable (it takes a protection). */
static inline bool xpmem_pmd_maps_writable(void)
{
#ifdef XPMEM_HAVE_INSERT_PFN_PMD_PROT
	return true;
#else
	return false;
#endif
}

/*
 * A 2 MiB entry for the pfns from @pfn in a VM_PFNMAP VMA, at the PMD of
 * vmf->address, never replacing what is there (write=false; see
 * xpmem_fault.c). get_user_pages_fast() must refuse it as it refuses the
 * special PTEs: from 6.12 on the entry is special; before, there is no
 * special bit for PMDs, and a devmap entry whose pfn has no dev_pagemap
 * makes it give up and leave the decision to the slow path, which refuses
 * VM_PFNMAP. Those kernels take a protection, so pages taken for writing
 * are mapped writable at once.
 */
static inline vm_fault_t xpmem_insert_pfn_pmd(struct vm_fault *vmf,
					      unsigned long pfn,
					      bool writable)
{
#if defined(XPMEM_HAVE_INSERT_PFN_PMD_PROT)
	struct vm_area_struct *vma = vmf->vma;
	pgprot_t prot = writable ? vm_get_page_prot(vma->vm_flags) :
			vma->vm_page_prot;

	return vmf_insert_pfn_pmd_prot(vmf, __pfn_to_pfn_t(pfn, PFN_DEV | PFN_MAP),
				       prot, false);
#elif defined(XPMEM_HAVE_INSERT_PFN_PMD_ULONG)
	return vmf_insert_pfn_pmd(vmf, pfn, false);
#else
	return vmf_insert_pfn_pmd(vmf, __pfn_to_pfn_t(pfn, PFN_DEV), false);
#endif
}

/*
 * The default placement of a new mapping in the caller's address space:
 * mm->get_unmapped_area until 6.9, mm_get_unmapped_area() with the mm
 * after, without it in 7.x.
 */
static inline unsigned long xpmem_default_unmapped_area(struct file *file,
							unsigned long addr,
							unsigned long len,
							unsigned long pgoff,
							unsigned long flags)
{
#if defined(XPMEM_HAVE_MM_GUA_NOMM)
	return mm_get_unmapped_area(file, addr, len, pgoff, flags);
#elif defined(XPMEM_HAVE_MM_GUA_MM)
	return mm_get_unmapped_area(current->mm, file, addr, len, pgoff, flags);
#else
	return current->mm->get_unmapped_area(file, addr, len, pgoff, flags);
#endif
}

#endif /* _XPMEM_COMPAT_H */
