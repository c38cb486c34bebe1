/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces of xpmem.ko.
 *
 * Objects and their references:
 *   struct xpmem_proc        one per open of /dev/xpmem (file->private_data)
 *   struct xpmem_segment     made by xpmem_make, owned by a proc
 *   struct xpmem_access      a permit from xpmem_get, holds its segment
 *   struct xpmem_attachment  a mapping of (part of) a segment, holds its
 *                            permit and the attaching proc
 *
 * Lock order, outermost first:
 *   proc->lock (mutex) -> mmap_lock -> seg->lock -> ap->lock -> att->lock
 * seg->lock, ap->lock and att->lock are spinlocks: nothing sleeps or
 * allocates under them. No module lock is held across vm_mmap()/vm_munmap()
 * or taken while waiting for another process's mmap_lock. The fault
 * handler (attacher's mmap_lock held) only takes att->lock, around the
 * notifier sequence check and its stash of looked-up pages.
 */
#ifndef _XPMEM_PRIVATE_H
#define _XPMEM_PRIVATE_H

#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "uapi/xpmem_abi.h"

/* Permit types and access flags of the ABI (same values as upstream). */
#define XPMEM_PERMIT_MODE	0x1
#define XPMEM_RDONLY		0x1
#define XPMEM_RDWR		0x2
#define XPMEM_MAXADDR_SIZE	((size_t)-1)

/* Pages mapped per fault: the faulting page and those after it. */
#define XPMEM_FAULT_AROUND	16

struct xpmem_proc {
	struct kref kref;
	struct pid *tgid;		/* thread group that opened the device */
	struct mm_struct *mm;		/* its address space (mmgrab) */
	/*
	 * file->f_mapping of the open: attachment VMAs are linked here, each
	 * attachment owning its own range of file offsets, so that
	 * unmap_mapping_pages() can drop exactly one attachment's PTEs while
	 * the i_mmap lock keeps its page tables from being freed.
	 */
	struct address_space mapping;
	spinlock_t att_lock;		/* the four fields below */
	struct list_head pending;	/* attachments inside vm_mmap() */
	u64 next_pgoff;			/* first free file page */
	unsigned long nr_atts;		/* attachments holding file pages */
	struct mutex lock;		/* segs, aps, closed */
	struct list_head segs;
	struct list_head aps;
	bool closed;
};

struct xpmem_segment {
	struct kref kref;
	s64 segid;
	struct xpmem_proc *owner;	/* reference */
	struct mm_struct *mm;		/* owner's address space (mmgrab) */
	const struct cred *cred;	/* owner's credentials at make time */
	unsigned long vaddr;
	unsigned long size;
	umode_t mode;
	struct list_head owner_link;	/* owner->segs */
	spinlock_t lock;		/* aps, removed */
	struct list_head aps;
	bool removed;
};

struct xpmem_access {
	struct kref kref;
	s64 apid;
	struct xpmem_segment *seg;	/* reference */
	struct xpmem_proc *proc;	/* getter, reference */
	bool writable;
	struct list_head proc_link;	/* proc->aps */
	struct list_head seg_link;	/* seg->aps */
	spinlock_t lock;		/* atts, revoked */
	struct list_head atts;		/* each entry holds a reference */
	bool revoked;
};

enum xpmem_att_state {
	XPMEM_ATT_PENDING,		/* created, vm_mmap() not done yet */
	XPMEM_ATT_MAPPED,
	XPMEM_ATT_UNMAPPED,
};

struct xpmem_attachment {
	struct kref kref;
	struct xpmem_access *ap;	/* reference */
	struct xpmem_proc *proc;	/* attacher, reference */
	struct mm_struct *owner_mm;	/* == ap->seg->mm */
	struct mmu_interval_notifier notifier;	/* on owner_mm */
	bool notifier_live;
	bool pgoff_live;		/* holds file pages of proc */
	unsigned long owner_start;	/* first owner address mapped */
	unsigned long size;
	pgoff_t pgoff;			/* first file page of the mapping */
	struct list_head pending_link;	/* proc->pending */
	bool writable;
	bool file_mode;			/* VM_MIXEDMAP of page-cache pages */
	unsigned int depth;		/* re-exports of attachments below */
	struct task_struct *mapper;	/* task inside vm_mmap() while pending */
	struct list_head ap_link;	/* ap->atts */
	bool revoke_seen;		/* under ap->lock: killed by revoke */
	struct work_struct free_work;
	/*
	 * Small-page inserts of the fault path take it shared, a 2 MiB
	 * insert exclusive: neither may find the other's entry half made.
	 */
	struct rw_semaphore huge_sem;
	spinlock_t lock;		/* everything below */
	enum xpmem_att_state state;
	unsigned int nr_vmas;
	unsigned long vaddr;		/* attacher address while mapped */
	/* Owner addresses that may have PTEs in the attacher: [lo, hi). */
	unsigned long mapped_lo;
	unsigned long mapped_hi;
	bool dead;			/* owner gone or permit revoked */
	/* struct xpmem_stash: batches left by faults for their retries. */
	struct list_head stashes;
};

/*
 * Owner pages looked up by a fault that had to drop the attacher's
 * mmap_lock, left on att->stashes for the retry of the same task: @nr
 * referenced pages from owner address @src, valid while the notifier
 * sequence is still @seq; or @err, the lookup's error, when it found no
 * page. @write and @must_write are what the fault asked for (pages for
 * writing; the access is a write), @writable what it got.
 */
struct xpmem_stash {
	struct list_head link;
	struct task_struct *task;	/* compared, never dereferenced */
	unsigned long src;
	unsigned long seq;
	unsigned int nr;
	int err;
	bool write;
	bool must_write;
	bool writable;
	struct page *pages[XPMEM_FAULT_AROUND];
};

/* xpmem_main.c */
void xpmem_proc_get(struct xpmem_proc *proc);
void xpmem_proc_put(struct xpmem_proc *proc);

/* xpmem_ids.c: 24 index bits under 32 random bits, so ids stay < 2^56. */
#define XPMEM_ID_INDEX_BITS	24
#define XPMEM_ID_INDEX_MASK	((1U << XPMEM_ID_INDEX_BITS) - 1)
#define XPMEM_ID_MAX		((s64)((1ULL << (XPMEM_ID_INDEX_BITS + 32)) - 1))

/* Where an id from userspace would sit in its table; 0 for no valid id. */
static inline u32 xpmem_id_index(s64 id)
{
	if (id <= 0 || id > XPMEM_ID_MAX)
		return 0;
	return (u32)id & XPMEM_ID_INDEX_MASK;
}

int xpmem_id_alloc(struct xarray *xa, u32 *next, void *obj, s64 *id);
void *xpmem_id_erase(struct xarray *xa, s64 id, void *obj);
extern struct xarray xpmem_segments;
extern struct xarray xpmem_permits;
extern u32 xpmem_segments_next;
extern u32 xpmem_permits_next;

/* xpmem_segment.c */
int xpmem_cmd_make(struct xpmem_proc *proc, void __user *arg);
int xpmem_cmd_remove(struct xpmem_proc *proc, void __user *arg);
struct xpmem_segment *xpmem_seg_lookup(s64 segid);
void xpmem_seg_put(struct xpmem_segment *seg);
void xpmem_seg_remove(struct xpmem_segment *seg);

/* xpmem_access.c */
int xpmem_cmd_get(struct xpmem_proc *proc, void __user *arg);
int xpmem_cmd_release(struct xpmem_proc *proc, void __user *arg);
struct xpmem_access *xpmem_ap_lookup(s64 apid);
void xpmem_ap_get(struct xpmem_access *ap);
void xpmem_ap_put(struct xpmem_access *ap);
void xpmem_ap_revoke(struct xpmem_access *ap);
void xpmem_ap_release(struct xpmem_access *ap);

/* xpmem_attach.c */
bool xpmem_vma_is_attachment(const struct vm_area_struct *vma);
int xpmem_cmd_attach(struct file *file, struct xpmem_proc *proc,
		     void __user *arg);
int xpmem_cmd_detach(struct xpmem_proc *proc, void __user *arg);
int xpmem_mmap(struct file *file, struct vm_area_struct *vma);
unsigned long xpmem_get_unmapped_area(struct file *file, unsigned long addr,
				      unsigned long len, unsigned long pgoff,
				      unsigned long flags);
void xpmem_att_put(struct xpmem_attachment *att);
void xpmem_att_kill(struct xpmem_attachment *att);
void xpmem_att_unmap(struct xpmem_attachment *att);
void xpmem_att_release_pgoff(struct xpmem_attachment *att);

/* xpmem_fault.c */
vm_fault_t xpmem_fault(struct vm_fault *vmf);
vm_fault_t xpmem_pfn_mkwrite(struct vm_fault *vmf);
void xpmem_att_unstash(struct xpmem_attachment *att);

/* xpmem_notifier.c */
extern const struct mmu_interval_notifier_ops xpmem_notifier_ops;
int xpmem_notifier_init(void);
void xpmem_notifier_exit(void);
void xpmem_att_zap(struct xpmem_attachment *att, unsigned long start,
		   unsigned long end);
void xpmem_att_defer_free(struct xpmem_attachment *att);

/* xpmem_stats.c */
enum xpmem_stat {
	XPMEM_STAT_PROCS,
	XPMEM_STAT_SEGMENTS,
	XPMEM_STAT_PERMITS,
	XPMEM_STAT_ATTACHMENTS,
	XPMEM_STAT_PINNED_PAGES,
	XPMEM_STAT_FAULTS,
	XPMEM_STAT_FAULT_PAGES,
	XPMEM_STAT_FAULT_RETRIES,
	XPMEM_STAT_FAULT_SIGBUS,
	XPMEM_STAT_INVALIDATIONS,
	XPMEM_STAT_ZAPS,
	XPMEM_STAT_FILE_ATTACHMENTS,
	XPMEM_STAT_FAULT_HUGE,
	XPMEM_STAT_NR,
};

void xpmem_stat_add(enum xpmem_stat stat, long n);
static inline void xpmem_stat_inc(enum xpmem_stat stat)
{
	xpmem_stat_add(stat, 1);
}

static inline void xpmem_stat_dec(enum xpmem_stat stat)
{
	xpmem_stat_add(stat, -1);
}

void xpmem_pages_pinned(long nr);
void xpmem_pages_unpinned(long nr);
int xpmem_stats_init(void);
void xpmem_stats_exit(void);

#endif /* _XPMEM_PRIVATE_H */
