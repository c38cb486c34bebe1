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
 * Take references on @nr pages of @mm from @start. The caller holds @mm's
 * mmap_lock and it stays held (no "locked" argument).
 */
static inline long xpmem_gup_remote(struct mm_struct *mm, unsigned long start,
				    unsigned long nr, unsigned int gup_flags,
				    struct page **pages)
{
#ifdef XPMEM_HAVE_GUP_REMOTE_VMAS
	return get_user_pages_remote(mm, start, nr, gup_flags, pages, NULL,
				     NULL);
#else
	return get_user_pages_remote(mm, start, nr, gup_flags, pages, NULL);
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

#endif /* _XPMEM_COMPAT_H */
