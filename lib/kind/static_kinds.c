// SPDX-License-Identifier: MIT
/*
 * memkind's static kinds beyond the default one: memory of a class of
 * NUMA nodes (high bandwidth, DAX KMEM, largest, fastest, nearest...),
 * placed with the kernel's NUMA policy (mbind), optionally on huge pages.
 *
 * Each kind is a jemalloc arena like a file-backed kind's, used through
 * the same per-thread caches and thread binding (tcache.c, bind.c), so a
 * static kind is as fast as the default kind. Its extent hooks map fresh
 * private memory and bind it to the kind's nodes as seen from the CPU
 * node the allocating thread runs on. The arena is made at the kind's
 * first allocation: a program that never uses a kind pays nothing, and
 * a kind this machine cannot serve fails then (and in
 * memkind_check_available()) with memkind's status codes.
 *
 * Strict (bind) kinds refuse to grow past the free memory of their nodes:
 * the allocation fails with ENOMEM instead of the kernel's OOM killer
 * stepping in when the pages are touched. Pages are still faulted in on
 * first touch, so two threads racing for the last free memory of a node
 * can both be let through; the check is for the common case.
 */
#include "internal.h"

#include <errno.h>
#include <numaif.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define HUGE_2M_SHIFT 21
#define HUGE_1G_SHIFT 30
/* Free memory a bind kind leaves on its nodes: the kernel's own reserve
 * (its watermarks) must stay untouched, or it turns to the OOM killer. */
#define BIND_RESERVE_MIN ((long long)8 << 20)
#define BIND_RESERVE_SHIFT 4 /* 1/16 of the nodes' size */

static pthread_mutex_t prepare_lock = PTHREAD_MUTEX_INITIALIZER;

/* Private memory of len bytes aligned to align, of 2^page_shift byte
 * huge pages if page_shift is not 0. */
static void *map_aligned(size_t len, size_t align, unsigned page_shift)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS;
	size_t total = len + align;
	char *raw, *p;

	if (page_shift)
		flags |= MAP_HUGETLB | (int)(page_shift << MAP_HUGE_SHIFT);
	raw = mmap(NULL, total, PROT_READ | PROT_WRITE, flags, -1, 0);
	if (raw == MAP_FAILED)
		return NULL;
	p = (char *)(((uintptr_t)raw + align - 1) & ~(uintptr_t)(align - 1));
	if (p > raw)
		munmap(raw, p - raw);
	if (p + len < raw + total)
		munmap(p + len, raw + total - (p + len));
	return p;
}

static int mpol_mode(enum place_policy policy)
{
	switch (policy) {
	case PLACE_PREFERRED:
		return MPOL_PREFERRED;
	case PLACE_INTERLEAVE:
		return MPOL_INTERLEAVE;
	default:
		return MPOL_BIND;
	}
}

/* PREFERRED takes one node: the lowest of the set. */
static node_mask_t policy_mask(enum place_policy policy, node_mask_t mask)
{
	if (policy == PLACE_PREFERRED)
		return mask & -mask;
	return mask;
}

static bool bind_has_room(node_mask_t mask, size_t len)
{
	long long reserve = nodes_capacity(mask) >> BIND_RESERVE_SHIFT;

	if (reserve < BIND_RESERVE_MIN)
		reserve = BIND_RESERVE_MIN;
	return nodes_free(mask) - reserve >= (long long)len;
}

/* Binds [p, p+len) to the kind's nodes for the calling thread's CPU. */
static int place(struct kind_numa *n, void *p, size_t len)
{
	node_mask_t mask, m;

	if (nodes_select(n->nodes, nodes_current_cpu_node(), &mask))
		return -1;
	/* Huge pages are reserved by mmap itself, which fails when short. */
	if (n->policy == PLACE_BIND && !n->page_shift &&
	    !bind_has_room(mask, len))
		return -1;
	/* Interleaving is by pages: huge pages would defeat it. */
	if (n->policy == PLACE_INTERLEAVE && !n->page_shift)
		madvise(p, len, MADV_NOHUGEPAGE);
	m = policy_mask(n->policy, mask);
	if (mbind(p, len, mpol_mode(n->policy), (unsigned long *)&m,
		  NODES_MAX + 1, 0))
		return -1;
	return 0;
}

static void *numa_hook_alloc(extent_hooks_t *hooks, void *new_addr, size_t size,
			     size_t alignment, bool *zero, bool *commit,
			     unsigned arena_ind)
{
	struct memkind *kind = hooks_kind(hooks);
	unsigned shift = kind->numa->page_shift;
	bool huge = shift != 0;
	size_t unit = huge && shift > KIND_GRANULE_SHIFT ? (size_t)1 << shift
							 : KIND_GRANULE;
	size_t len = (size + unit - 1) & ~(unit - 1);
	void *p;

	if (new_addr || len < size)
		return NULL;
	/* jemalloc's own metadata stays in ordinary memory. */
	if (*commit && alignment >= KIND_GRANULE && !huge) {
		p = anon_alloc(size, alignment);
		if (p)
			*zero = true;
		return p;
	}
	p = map_aligned(len, alignment > unit ? alignment : unit, shift);
	if (!p)
		return NULL;
	if (place(kind->numa, p, len)) {
		munmap(p, len);
		return NULL;
	}
	addrmap_set(p, len, kind);
	*zero = true;
	*commit = true;
	return p;
}

/* Kept for reuse, like the default kind's: the kind lives forever. */
static bool numa_hook_dalloc(extent_hooks_t *hooks, void *addr, size_t size,
			     bool committed, unsigned arena_ind)
{
	return true;
}

static bool numa_hook_commit(extent_hooks_t *hooks, void *addr, size_t size,
			     size_t offset, size_t length, unsigned arena_ind)
{
	return false;
}

/* Purged pages come back, on first touch, under the range's policy. */
static bool numa_hook_purge_forced(extent_hooks_t *hooks, void *addr,
				   size_t size, size_t offset, size_t length,
				   unsigned arena_ind)
{
	return madvise((char *)addr + offset, length, MADV_DONTNEED) != 0;
}

static bool numa_hook_split(extent_hooks_t *hooks, void *addr, size_t size,
			    size_t size_a, size_t size_b, bool committed,
			    unsigned arena_ind)
{
	return false;
}

static bool numa_hook_merge(extent_hooks_t *hooks, void *addr_a, size_t size_a,
			    void *addr_b, size_t size_b, bool committed,
			    unsigned arena_ind)
{
	return false;
}

static const extent_hooks_t numa_hooks = {
    .alloc = numa_hook_alloc,
    .dalloc = numa_hook_dalloc,
    .commit = numa_hook_commit,
    .purge_forced = numa_hook_purge_forced,
    .split = numa_hook_split,
    .merge = numa_hook_merge,
};

/* Huge pages of 2^shift bytes the kind's nodes have reserved (the
 * hugetlbfs pool). */
static long long huge_pages(node_mask_t mask, unsigned shift)
{
	char path[128];
	long long sum = 0, v;
	int n, nn = nodes_count();
	FILE *f;

	for (n = 0; n < nn; n++) {
		if (!(mask & NODE_BIT(n)))
			continue;
		snprintf(path, sizeof(path),
			 "/sys/devices/system/node/node%d/hugepages/"
			 "hugepages-%lukB/nr_hugepages",
			 n, ((size_t)1 << shift) >> 10);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fscanf(f, "%lld", &v) == 1)
			sum += v;
		fclose(f);
	}
	return sum;
}

/* Pages the pool may grow by on demand (nr_overcommit_hugepages). */
static long long huge_overcommit(unsigned shift)
{
	char path[128];
	long long v = 0;
	FILE *f;

	snprintf(path, sizeof(path),
		 "/sys/kernel/mm/hugepages/hugepages-%lukB/"
		 "nr_overcommit_hugepages",
		 ((size_t)1 << shift) >> 10);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (fscanf(f, "%lld", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

/*
 * 0 when this machine can serve the kind now, else MEMKIND_ERROR_*. The
 * files read on the way leave errno as it was.
 */
int numa_kind_available(struct memkind *kind)
{
	struct kind_numa *n = kind->numa;
	int err, saved = errno;
	node_mask_t mask;

	err = nodes_select(n->nodes, nodes_current_cpu_node(), &mask);
	/* As memkind: the 1 GiB kinds ask for their pages first. */
	if (n->page_shift == HUGE_1G_SHIFT &&
	    huge_pages(err ? ~(node_mask_t)0 : mask, n->page_shift) +
		    huge_overcommit(n->page_shift) <=
		0)
		err = MEMKIND_ERROR_HUGETLB;
	if (!err && n->page_shift &&
	    huge_pages(mask, n->page_shift) + huge_overcommit(n->page_shift) <=
		0)
		err = MEMKIND_ERROR_HUGETLB;
	errno = saved;
	return err;
}

/* The registry slot first: the arena's flags name the kind's generation. */
static int numa_arena_create(struct memkind *kind)
{
	int ret;

	registry_lock();
	ret = registry_add(kind) ? MEMKIND_ERROR_TOOMANY : 0;
	if (!ret) {
		ret = arena_create_hooked(kind, &numa_hooks);
		if (ret)
			registry_remove(kind);
	}
	registry_unlock();
	return ret;
}

/*
 * Makes the kind's arena at its first use. Returns 0, or the status the
 * kind fails with (the same every time: a kind is set up once).
 */
int numa_kind_prepare(struct memkind *kind)
{
	struct kind_numa *n = kind->numa;
	int ret;

	ret = atomic_load_explicit(&n->ready, memory_order_acquire);
	if (likely(ret == 1))
		return 0;
	pthread_mutex_lock(&prepare_lock);
	ret = atomic_load(&n->ready);
	if (ret == 0) {
		n->err = numa_kind_available(kind);
		if (!n->err)
			n->err = numa_arena_create(kind);
		atomic_store_explicit(&n->ready, n->err ? -1 : 1,
				      memory_order_release);
	}
	pthread_mutex_unlock(&prepare_lock);
	return n->err;
}

/*
 * Bytes the kind can hold: its nodes' memory, or their huge page pool.
 * As memkind: preferred kinds may use any node and report no capacity
 * (-1); of the 2 MiB page kinds only MEMKIND_HUGETLB reports one, and
 * the 1 GiB ones report their nodes' memory (MEMKIND_GBTLB its pool).
 */
ssize_t numa_kind_capacity(struct memkind *kind)
{
	struct kind_numa *n = kind->numa;
	node_mask_t mask;

	if (n->policy == PLACE_PREFERRED ||
	    nodes_select(n->nodes, nodes_current_cpu_node(), &mask))
		return -1;
	if (n->page_shift == HUGE_1G_SHIFT && n->nodes != NODES_ALL)
		return (ssize_t)nodes_capacity(mask);
	if (n->page_shift && n->nodes != NODES_ALL)
		return -1;
	if (n->page_shift)
		return (ssize_t)(huge_pages(mask, n->page_shift)
				 << n->page_shift);
	return (ssize_t)nodes_capacity(mask);
}

/*
 * The heap calls: the arena kinds' own (arena.c) once the arena exists.
 * A kind that cannot be served fails like a full one.
 */
static void *numa_malloc(struct memkind *kind, size_t size)
{
	if (numa_kind_prepare(kind)) {
		errno = ENOMEM;
		return NULL;
	}
	return arena_kind_malloc(kind, size);
}

static void *numa_calloc(struct memkind *kind, size_t num, size_t size)
{
	if (numa_kind_prepare(kind)) {
		errno = ENOMEM;
		return NULL;
	}
	return arena_kind_calloc(kind, num, size);
}

static int numa_posix_memalign(struct memkind *kind, void **memptr,
			       size_t alignment, size_t size)
{
	if (numa_kind_prepare(kind))
		return ENOMEM;
	return arena_kind_posix_memalign(kind, memptr, alignment, size);
}

static void *numa_realloc(struct memkind *kind, void *ptr, size_t size)
{
	if (numa_kind_prepare(kind)) {
		errno = ENOMEM;
		return NULL;
	}
	return arena_kind_realloc(kind, ptr, size);
}

static int numa_get_stat(struct memkind *kind, memkind_stat_type stat,
			 size_t *value)
{
	if (atomic_load(&kind->numa->ready) != 1) {
		*value = 0;
		return MEMKIND_SUCCESS;
	}
	return arena_kind_get_stat(kind, stat, value);
}

const struct memkind_ops numa_kind_ops = {
    .malloc = numa_malloc,
    .calloc = numa_calloc,
    .posix_memalign = numa_posix_memalign,
    .realloc = numa_realloc,
    .free = arena_kind_free,
    .usable_size = arena_kind_usable_size,
    .defrag_reallocate = arena_kind_defrag,
    .get_stat = numa_get_stat,
};

/* clang-format off */
#define STATIC_KIND(var, kname, cls, pol, shift)			\
	static struct kind_numa var##_numa = {				\
		.nodes = cls, .policy = pol, .page_shift = shift,	\
	};								\
	static struct memkind var##_kind = {				\
		.ops = &numa_kind_ops,					\
		.name = kname,						\
		.is_static = true,					\
		.heap = {.fd = -1},					\
		.fork_fd = -1,						\
		.numa = &var##_numa,					\
	};								\
	KIND_API memkind_t var = &var##_kind
/* clang-format on */

STATIC_KIND(MEMKIND_REGULAR, "memkind_regular", NODES_CPU, PLACE_BIND, 0);
STATIC_KIND(MEMKIND_HUGETLB, "memkind_hugetlb", NODES_ALL, PLACE_BIND,
	    HUGE_2M_SHIFT);
STATIC_KIND(MEMKIND_INTERLEAVE, "memkind_interleave", NODES_ALL,
	    PLACE_INTERLEAVE, 0);
STATIC_KIND(MEMKIND_HBW, "memkind_hbw", NODES_HBW, PLACE_BIND, 0);
STATIC_KIND(MEMKIND_HBW_ALL, "memkind_hbw_all", NODES_HBW_ALL, PLACE_BIND, 0);
STATIC_KIND(MEMKIND_HBW_PREFERRED, "memkind_hbw_preferred", NODES_HBW,
	    PLACE_PREFERRED, 0);
STATIC_KIND(MEMKIND_HBW_HUGETLB, "memkind_hbw_hugetlb", NODES_HBW, PLACE_BIND,
	    HUGE_2M_SHIFT);
STATIC_KIND(MEMKIND_HBW_ALL_HUGETLB, "memkind_hbw_all_hugetlb", NODES_HBW_ALL,
	    PLACE_BIND, HUGE_2M_SHIFT);
STATIC_KIND(MEMKIND_HBW_PREFERRED_HUGETLB, "memkind_hbw_preferred_hugetlb",
	    NODES_HBW, PLACE_PREFERRED, HUGE_2M_SHIFT);
STATIC_KIND(MEMKIND_HBW_INTERLEAVE, "memkind_hbw_interleave", NODES_HBW_ALL,
	    PLACE_INTERLEAVE, 0);
STATIC_KIND(MEMKIND_DAX_KMEM, "memkind_dax_kmem", NODES_DAX, PLACE_BIND, 0);
STATIC_KIND(MEMKIND_DAX_KMEM_ALL, "memkind_dax_kmem_all", NODES_DAX_ALL,
	    PLACE_BIND, 0);
STATIC_KIND(MEMKIND_DAX_KMEM_PREFERRED, "memkind_dax_kmem_preferred", NODES_DAX,
	    PLACE_PREFERRED, 0);
STATIC_KIND(MEMKIND_DAX_KMEM_INTERLEAVE, "memkind_dax_kmem_interleave",
	    NODES_DAX_ALL, PLACE_INTERLEAVE, 0);
STATIC_KIND(MEMKIND_HIGHEST_CAPACITY, "memkind_highest_capacity",
	    NODES_CAPACITY, PLACE_BIND, 0);
STATIC_KIND(MEMKIND_HIGHEST_CAPACITY_PREFERRED,
	    "memkind_highest_capacity_preferred", NODES_CAPACITY,
	    PLACE_PREFERRED, 0);
STATIC_KIND(MEMKIND_HIGHEST_CAPACITY_LOCAL, "memkind_highest_capacity_local",
	    NODES_CAPACITY_LOCAL, PLACE_BIND, 0);
STATIC_KIND(MEMKIND_HIGHEST_CAPACITY_LOCAL_PREFERRED,
	    "memkind_highest_capacity_local_preferred", NODES_CAPACITY_LOCAL,
	    PLACE_PREFERRED, 0);
STATIC_KIND(MEMKIND_LOWEST_LATENCY_LOCAL, "memkind_lowest_latency_local",
	    NODES_LATENCY_LOCAL, PLACE_BIND, 0);
STATIC_KIND(MEMKIND_LOWEST_LATENCY_LOCAL_PREFERRED,
	    "memkind_lowest_latency_local_preferred", NODES_LATENCY_LOCAL,
	    PLACE_PREFERRED, 0);
STATIC_KIND(MEMKIND_HIGHEST_BANDWIDTH_LOCAL, "memkind_highest_bandwidth_local",
	    NODES_BANDWIDTH_LOCAL, PLACE_BIND, 0);
STATIC_KIND(MEMKIND_HIGHEST_BANDWIDTH_LOCAL_PREFERRED,
	    "memkind_highest_bandwidth_local_preferred", NODES_BANDWIDTH_LOCAL,
	    PLACE_PREFERRED, 0);

/* memkind's deprecated kinds of 1 GiB pages (memkind_deprecated.h). */
STATIC_KIND(MEMKIND_GBTLB, "memkind_gbtlb", NODES_ALL, PLACE_BIND,
	    HUGE_1G_SHIFT);
STATIC_KIND(MEMKIND_HBW_GBTLB, "memkind_hbw_gbtlb", NODES_HBW, PLACE_BIND,
	    HUGE_1G_SHIFT);
STATIC_KIND(MEMKIND_HBW_PREFERRED_GBTLB, "memkind_hbw_preferred_gbtlb",
	    NODES_HBW, PLACE_PREFERRED, HUGE_1G_SHIFT);

/* memkind_get_kind_by_partition(): memkind's partition numbers. */
static memkind_t *const partitions[] = {
    [MEMKIND_PARTITION_DEFAULT] = &MEMKIND_DEFAULT,
    [MEMKIND_PARTITION_HBW] = &MEMKIND_HBW,
    [MEMKIND_PARTITION_HBW_HUGETLB] = &MEMKIND_HBW_HUGETLB,
    [MEMKIND_PARTITION_HBW_PREFERRED] = &MEMKIND_HBW_PREFERRED,
    [MEMKIND_PARTITION_HBW_PREFERRED_HUGETLB] = &MEMKIND_HBW_PREFERRED_HUGETLB,
    [MEMKIND_PARTITION_HUGETLB] = &MEMKIND_HUGETLB,
    [MEMKIND_PARTITION_HBW_GBTLB] = &MEMKIND_HBW_GBTLB,
    [MEMKIND_PARTITION_HBW_PREFERRED_GBTLB] = &MEMKIND_HBW_PREFERRED_GBTLB,
    [MEMKIND_PARTITION_GBTLB] = &MEMKIND_GBTLB,
    [MEMKIND_PARTITION_HBW_INTERLEAVE] = &MEMKIND_HBW_INTERLEAVE,
    [MEMKIND_PARTITION_INTERLEAVE] = &MEMKIND_INTERLEAVE,
    [MEMKIND_PARTITION_REGULAR] = &MEMKIND_REGULAR,
    [MEMKIND_PARTITION_HBW_ALL] = &MEMKIND_HBW_ALL,
    [MEMKIND_PARTITION_HBW_ALL_HUGETLB] = &MEMKIND_HBW_ALL_HUGETLB,
    [MEMKIND_PARTITION_DAX_KMEM] = &MEMKIND_DAX_KMEM,
    [MEMKIND_PARTITION_DAX_KMEM_ALL] = &MEMKIND_DAX_KMEM_ALL,
    [MEMKIND_PARTITION_DAX_KMEM_PREFERRED] = &MEMKIND_DAX_KMEM_PREFERRED,
    [MEMKIND_PARTITION_DAX_KMEM_INTERLEAVE] = &MEMKIND_DAX_KMEM_INTERLEAVE,
    [MEMKIND_PARTITION_HIGHEST_CAPACITY] = &MEMKIND_HIGHEST_CAPACITY,
    [MEMKIND_PARTITION_HIGHEST_CAPACITY_PREFERRED] =
	&MEMKIND_HIGHEST_CAPACITY_PREFERRED,
    [MEMKIND_PARTITION_HIGHEST_CAPACITY_LOCAL] =
	&MEMKIND_HIGHEST_CAPACITY_LOCAL,
    [MEMKIND_PARTITION_HIGHEST_CAPACITY_LOCAL_PREFERRED] =
	&MEMKIND_HIGHEST_CAPACITY_LOCAL_PREFERRED,
    [MEMKIND_PARTITION_LOWEST_LATENCY_LOCAL] = &MEMKIND_LOWEST_LATENCY_LOCAL,
    [MEMKIND_PARTITION_LOWEST_LATENCY_LOCAL_PREFERRED] =
	&MEMKIND_LOWEST_LATENCY_LOCAL_PREFERRED,
    [MEMKIND_PARTITION_HIGHEST_BANDWIDTH_LOCAL] =
	&MEMKIND_HIGHEST_BANDWIDTH_LOCAL,
    [MEMKIND_PARTITION_HIGHEST_BANDWIDTH_LOCAL_PREFERRED] =
	&MEMKIND_HIGHEST_BANDWIDTH_LOCAL_PREFERRED,
};

KIND_API int memkind_get_kind_by_partition(int partition, memkind_t *kind)
{
	if (!kind || partition < 0 || partition >= MEMKIND_NUM_BASE_KIND)
		return MEMKIND_ERROR_UNAVAILABLE;
	*kind = *partitions[partition];
	return MEMKIND_SUCCESS;
}

/*
 * memkind_create_kind(): memkind 1.14 serves these combinations, each
 * the static kind of the same placement.
 */
KIND_API int memkind_create_kind(memkind_memtype_t memtype_flags,
				 memkind_policy_t policy, memkind_bits_t flags,
				 memkind_t *kind)
{
	bool huge = flags == MEMKIND_MASK_PAGE_SIZE_2MB;
	memkind_t k = NULL;

	if (!kind || (flags && !huge) ||
	    (unsigned)policy >= MEMKIND_POLICY_MAX_VALUE || !memtype_flags)
		return MEMKIND_ERROR_INVALID;
	if (memtype_flags == MEMKIND_MEMTYPE_DEFAULT) {
		if (policy == MEMKIND_POLICY_PREFERRED_LOCAL)
			k = huge ? MEMKIND_HUGETLB : MEMKIND_DEFAULT;
	} else if (memtype_flags == MEMKIND_MEMTYPE_HIGH_BANDWIDTH) {
		if (policy == MEMKIND_POLICY_BIND_LOCAL)
			k = huge ? MEMKIND_HBW_HUGETLB : MEMKIND_HBW;
		else if (policy == MEMKIND_POLICY_BIND_ALL)
			k = huge ? MEMKIND_HBW_ALL_HUGETLB : MEMKIND_HBW_ALL;
		else if (policy == MEMKIND_POLICY_PREFERRED_LOCAL)
			k = huge ? MEMKIND_HBW_PREFERRED_HUGETLB
				 : MEMKIND_HBW_PREFERRED;
		else if (policy == MEMKIND_POLICY_INTERLEAVE_ALL && !huge)
			k = MEMKIND_HBW_INTERLEAVE;
	} else if (memtype_flags ==
		   (MEMKIND_MEMTYPE_DEFAULT | MEMKIND_MEMTYPE_HIGH_BANDWIDTH)) {
		if (policy == MEMKIND_POLICY_INTERLEAVE_ALL && !huge)
			k = MEMKIND_INTERLEAVE;
	}
	if (!k)
		return MEMKIND_ERROR_INVALID;
	if (k->numa && numa_kind_available(k))
		return MEMKIND_ERROR_MEMTYPE_NOT_AVAILABLE;
	*kind = k;
	return MEMKIND_SUCCESS;
}

/*
 * The nodes of pages[0..n): move_pages() in query mode, or, on kernels
 * built without page migration (ENOSYS), get_mempolicy() page by page.
 */
static int pages_nodes(void **pages, int *status, unsigned long n)
{
	unsigned long i;

	if (!move_pages(0, n, pages, NULL, status, 0))
		return 0;
	if (errno != ENOSYS)
		return -EFAULT;
	for (i = 0; i < n; i++)
		if (get_mempolicy(&status[i], NULL, 0, pages[i],
				  MPOL_F_NODE | MPOL_F_ADDR))
			return -EFAULT;
	return 0;
}

#define VERIFY_BATCH 256

/*
 * hbw_verify_memory_region(): every page of [addr, addr+size) on one of
 * kind's nodes. Pages not yet faulted in are touched first when asked
 * (a page that is not there has no node). Returns 0, -1 when a page is
 * elsewhere, or -EINVAL / -EFAULT.
 */
int numa_kind_verify(void *addr, size_t size, struct memkind *kind, bool touch)
{
	long page = sysconf(_SC_PAGESIZE);
	uintptr_t a = (uintptr_t)addr & ~(uintptr_t)(page - 1);
	uintptr_t end = (uintptr_t)addr + size;
	void *pages[VERIFY_BATCH];
	int status[VERIFY_BATCH];
	node_mask_t mask, all = 0;
	int c, nn = nodes_count();
	unsigned long i, n;

	for (c = 0; c < nn; c++)
		if (!nodes_select(kind->numa->nodes, c, &mask))
			all |= mask;
	if (!all)
		return -EINVAL;
	while (a < end) {
		for (n = 0; n < VERIFY_BATCH && a < end; n++, a += page) {
			if (touch)
				*(volatile char *)a = *(volatile char *)a;
			pages[n] = (void *)a;
		}
		if (pages_nodes(pages, status, n))
			return -EFAULT;
		for (i = 0; i < n; i++) {
			if (status[i] < 0)
				return -EFAULT;
			if (status[i] >= NODES_MAX ||
			    !(all & NODE_BIT(status[i])))
				return -1;
		}
	}
	return 0;
}
