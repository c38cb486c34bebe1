/* SPDX-License-Identifier: MIT */
/*
 * Private definitions of libmemkind: the kind object, its operations table
 * and the helpers the source files share. Nothing here is exported.
 */
#ifndef KIND_INTERNAL_H
#define KIND_INTERNAL_H

#include <memkind.h>
#include <memkind/internal/memkind_pmem.h>

#include <jemalloc/jemalloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define KIND_API __attribute__((visibility("default")))

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/*
 * MALLOCX_ARENA() holds 12 bits, so jemalloc has at most 4095 arenas; a
 * few are its automatic ones. Slots index the per-thread cache tables.
 */
#define KIND_SLOTS 4096
#define KIND_ARENAS_LIMIT 4095
#define KIND_DEFAULT_SLOT KIND_SLOTS /* one past them: the default kind */
#define KIND_NAME_MAX 64

/* Kinds reserve address space in granules, so lookups are a table index. */
#define KIND_GRANULE_SHIFT 21
#define KIND_GRANULE ((size_t)1 << KIND_GRANULE_SHIFT)

/* An unlimited kind reserves address space in regions of growing size. */
#define HEAP_MAX_REGIONS 40
#define HEAP_FIRST_REGION ((size_t)1 << 30)
/* Committed extents up to this size are filled at once, after the */
/* kind's first HEAP_PREFAULT_AFTER of them (heap.c). */
#define HEAP_PREFAULT_MAX ((size_t)64 << 10)
#define HEAP_PREFAULT_AFTER 64U

struct memkind_ops {
	int (*create)(struct memkind *kind, struct memkind_ops *ops,
		      const char *name);
	int (*destroy)(struct memkind *kind);
	void *(*malloc)(struct memkind *kind, size_t size);
	void *(*calloc)(struct memkind *kind, size_t num, size_t size);
	int (*posix_memalign)(struct memkind *kind, void **memptr,
			      size_t alignment, size_t size);
	void *(*realloc)(struct memkind *kind, void *ptr, size_t size);
	void (*free)(struct memkind *kind, void *ptr);
	size_t (*usable_size)(struct memkind *kind, void *ptr);
	void *(*defrag_reallocate)(struct memkind *kind, void *ptr);
	void *(*mmap)(struct memkind *kind, void *addr, size_t size);
	int (*get_mmap_flags)(struct memkind *kind, int *flags);
	int (*get_stat)(struct memkind *kind, memkind_stat_type stat,
			size_t *value);
};

/* One contiguous reservation: addresses [base, base+len) map to file
 * offsets [file_off, file_off+len), fixed for the kind's lifetime. */
struct heap_region {
	char *base;
	size_t len;
	off_t file_off;
};

/* The backing file of a file-backed kind and the address space over it. */
struct kind_heap {
	int fd;
	size_t max_size; /* 0: unlimited */
	size_t used;	 /* bytes handed to the arena (bump offset) */
	off_t file_size; /* current length of the file */
	unsigned commits; /* small extents committed, up to a limit */
	unsigned nregions;
	struct heap_region regions[HEAP_MAX_REGIONS];
	pthread_mutex_t lock; /* used, file_size, regions, snap_* */
	bool snap_active;     /* a fork copy is taken, fork() not done */
	int snap_fd;	      /* that copy, while snap_active */
	bool is_memfd;
	char *dir; /* pmem: directory of the file (for fork) */
};

/* Flags of one thread's cache for one kind (see tcache.c). */
struct tc_entry {
	uint32_t gen;	    /* kind generation, 0: unused */
	unsigned tc;	    /* jemalloc tcache id, or TC_NONE */
	int alloc_flags;    /* MALLOCX_ARENA | MALLOCX_TCACHE */
	int free_flags;	    /* MALLOCX_TCACHE */
	uint32_t probe_gen; /* kind whose uses are being counted */
	uint32_t probes;    /* uncached uses before a cache is made */
};
#define TC_NONE (~0u)
#define TC_PROBATION 4

/* numa_nodes.c: memory nodes, their classes and attributes */
#define NODES_MAX 64 /* nodes above this are not used by the static kinds */
typedef uint64_t node_mask_t;
#define NODE_BIT(n) ((node_mask_t)1 << (n))

enum node_class {
	NODES_ALL,	       /* every node with memory */
	NODES_CPU,	       /* nodes with CPUs */
	NODES_HBW,	       /* high bandwidth, closest to the CPU */
	NODES_HBW_ALL,	       /* high bandwidth, all */
	NODES_DAX,	       /* DAX KMEM, closest to the CPU */
	NODES_DAX_ALL,	       /* DAX KMEM, all */
	NODES_CAPACITY,	       /* largest nodes */
	NODES_CAPACITY_LOCAL,  /* largest of the CPU's local nodes */
	NODES_LATENCY_LOCAL,   /* lowest latency of the local nodes */
	NODES_BANDWIDTH_LOCAL, /* highest bandwidth of the local nodes */
};

int nodes_select(enum node_class cls, int cpu_node, node_mask_t *out);
int nodes_current_cpu_node(void);
int nodes_count(void);
long long nodes_capacity(node_mask_t mask);
long long nodes_free(node_mask_t mask);

/* How a static kind places its pages (static_kinds.c). */
enum place_policy {
	PLACE_BIND,	  /* only the nodes; ENOMEM when they are full */
	PLACE_PREFERRED,  /* the first of the nodes, others when it is full */
	PLACE_INTERLEAVE, /* round robin over the nodes */
};

struct kind_numa {
	enum node_class nodes;
	enum place_policy policy;
	unsigned char page_shift; /* 0: base pages; 21, 30: huge pages */
	atomic_int ready; /* 0: not set up, 1: arena made, -1: failed */
	int err;	  /* set up failure (MEMKIND_ERROR_*) */
};

/* A kind over memory the caller provides (fixed.c). */
struct kind_fixed {
	char *base;
	size_t size;
	size_t used; /* handed to the arena, from base on */
	pthread_mutex_t lock;
};

/* Arenas a kind spreads its bound threads over, the first included. */
#define KIND_ARENAS_MAX 8
#define KIND_THREAD_ARENAS (KIND_ARENAS_MAX - 1)

struct memkind {
	const struct memkind_ops *ops;
	char name[KIND_NAME_MAX];
	unsigned slot;	/* registry slot, index of thread tables */
	uint32_t gen;	/* tells this kind from earlier ones in slot */
	unsigned arena; /* jemalloc arena index: the first, used by every path */
	/* More arenas for threads bound to the kind (thread_arena.c); 0: none */
	_Atomic unsigned thread_arenas[KIND_THREAD_ARENAS];
	bool file_backed; /* arenas over the kind's heap (arena_create()) */
	bool is_static;
	memkind_mem_usage_policy policy;
	struct kind_heap heap;
	extent_hooks_t hooks;	/* per kind, so a hook can find its kind */
	struct tc_entry direct; /* flags when no thread cache is available */
	unsigned *tc_ids;	/* thread caches of this kind (slot lock) */
	unsigned ntc, tc_cap;
	int fork_fd; /* snapshot taken before fork() */
	atomic_bool arena_ready; /* the arena has had its first allocation */
	bool purge;		 /* decayed by the purge thread (slot lock) */
	/* Thread binding (bind.c), under its lock: */
	unsigned nbound; /* threads whose jemalloc cache serves this kind */
	bool dying;	 /* destroyed while bound: torn down by the last */
	bool released;	 /* memkind_destroy_kind() is done with it */
	struct kind_numa *numa;	 /* static kinds placed by NUMA policy */
	struct kind_fixed fixed; /* memkind_create_fixed() kinds */
	atomic_size_t tier_bytes; /* allocated through memtier_* (memtier.c) */
};

/* registry.c: slots of live kinds */
int registry_add(struct memkind *kind);
void registry_remove(struct memkind *kind);
void registry_add_default(struct memkind *kind);
void registry_lock(void);
void registry_unlock(void);
struct memkind *registry_get(unsigned slot);
struct memkind *registry_slot_kind(unsigned slot);
pthread_mutex_t *registry_slot_lock(unsigned slot);
uint32_t registry_slot_gen(unsigned slot);
unsigned registry_limit(void);

/* addrmap.c: address -> kind, a two-level table of 2 MiB granules */
#define ADDRMAP_ADDR_BITS 47
#define ADDRMAP_LEAF_BITS 13
#define ADDRMAP_TOP_BITS                                                     \
	(ADDRMAP_ADDR_BITS - KIND_GRANULE_SHIFT - ADDRMAP_LEAF_BITS)
#define ADDRMAP_LEAF_SIZE ((size_t)1 << ADDRMAP_LEAF_BITS)
typedef _Atomic(struct memkind *) addrmap_leaf[ADDRMAP_LEAF_SIZE];
extern _Atomic(addrmap_leaf *) addrmap_top[(size_t)1 << ADDRMAP_TOP_BITS];

/* Bookkeeping memory that never goes through malloc() (meta.c). */
void *meta_calloc(size_t num, size_t size);
void *meta_realloc(void *ptr, size_t size);
void meta_free(void *ptr);

void addrmap_set(const void *base, size_t len, struct memkind *kind);
void addrmap_fork_child(void);

/* Inline: every memkind_free() asks, so two loads and no call. */
static inline struct memkind *addrmap_lookup(const void *addr)
{
	uintptr_t g = (uintptr_t)addr >> KIND_GRANULE_SHIFT;
	addrmap_leaf *leaf;

	if (unlikely((g >> ADDRMAP_LEAF_BITS) >= ((size_t)1 << ADDRMAP_TOP_BITS)))
		return NULL;
	leaf = atomic_load_explicit(&addrmap_top[g >> ADDRMAP_LEAF_BITS],
				    memory_order_acquire);
	if (unlikely(!leaf))
		return NULL;
	return atomic_load_explicit(&(*leaf)[g & (ADDRMAP_LEAF_SIZE - 1)],
				    memory_order_acquire);
}

/* heap.c: the kind's file and its fixed-offset address space */
int heap_init(struct memkind *kind, int fd, size_t max_size);
void heap_fini(struct memkind *kind);
void heap_discard(struct memkind *kind);
void *heap_take(struct memkind *kind, size_t size, size_t alignment);
void heap_untake(struct memkind *kind, void *addr, size_t size);
int heap_punch(struct kind_heap *heap, void *addr, size_t size);
int heap_commit(struct kind_heap *heap, void *addr, size_t size);
const struct heap_region *heap_find_region(const struct kind_heap *heap,
					   const void *addr);
int heap_remap(struct kind_heap *heap, int fd);
void heap_revoke(struct kind_heap *heap);

/* anon.c: private, zeroed, aligned memory (arena metadata, default kind) */
void *anon_alloc(size_t size, size_t alignment);
int anon_free(void *addr, size_t size);
void anon_fork_child(void);

/* arena.c: jemalloc arena with extent hooks over the heap */
int arena_create(struct memkind *kind);
void arena_destroy(struct memkind *kind);
int arena_purge(struct memkind *kind);
void *arena_take(struct memkind *kind, size_t size);
int arena_set_ssize(unsigned arena, const char *name, ssize_t v);
int arena_create_hooked(struct memkind *kind, const extent_hooks_t *hooks);
int arena_add(struct memkind *kind, unsigned *arena);
void arena_destroy_index(unsigned arena);

/* thread_arena.c: the arenas of one kind for its bound threads */
unsigned thread_arena_pick(struct memkind *kind, bool spread);
unsigned kind_arenas(struct memkind *kind, unsigned *out);
void thread_arenas_destroy(struct memkind *kind);

/* The kind whose extent hooks these are (each kind has its own copy). */
static inline struct memkind *hooks_kind(extent_hooks_t *hooks)
{
	return (struct memkind *)((char *)hooks -
				  offsetof(struct memkind, hooks));
}
extern const struct memkind_ops arena_kind_ops_template;
void *arena_kind_malloc(struct memkind *kind, size_t size);
void *arena_kind_calloc(struct memkind *kind, size_t num, size_t size);
int arena_kind_posix_memalign(struct memkind *kind, void **memptr,
			      size_t alignment, size_t size);
void *arena_kind_realloc(struct memkind *kind, void *ptr, size_t size);
void arena_kind_free(struct memkind *kind, void *ptr);
size_t arena_kind_usable_size(struct memkind *kind, void *ptr);
void *arena_kind_defrag(struct memkind *kind, void *ptr);
int arena_kind_get_stat(struct memkind *kind, memkind_stat_type stat,
			size_t *value);

/*
 * MALLOCX_ARENA() shifts a signed int, which overflows for arenas from
 * 2047 up; the same bits, computed unsigned.
 */
static inline int arena_flag(unsigned arena)
{
	return (int)((arena + 1u) << 20);
}

/* tcache.c: per-thread, per-kind jemalloc thread caches */
extern __thread struct tc_entry *tc_table
    __attribute__((tls_model("initial-exec")));
struct tc_entry *tcache_slow_get(struct memkind *kind);
void tcache_kind_release(struct memkind *kind);
void tcache_flush_thread(struct memkind *kind);
void tcache_flush_thread_all(void);

static inline const struct tc_entry *tcache_get(struct memkind *kind)
{
	struct tc_entry *t = tc_table;

	if (likely(t && t[kind->slot].gen == kind->gen))
		return &t[kind->slot];
	return tcache_slow_get(kind);
}

/* purge.c: when freed space goes back to the file system */
int purge_setup(struct memkind *kind);
int purge_arena_setup(struct memkind *kind, unsigned arena);
void purge_forget(struct memkind *kind);
void purge_fork_child(void);

/* bind.c: a thread's own jemalloc cache serves one kind */
struct je_fns {
	void *(*malloc)(size_t size);
	void (*free)(void *ptr);
	void *(*realloc)(void *ptr, size_t size);
};
extern struct je_fns je;

struct bind_state {
	struct memkind *kind; /* served by the thread's cache; never NULL */
	unsigned misses;      /* uses of other kinds since kind's last */
};
extern __thread struct bind_state bind_tls
    __attribute__((tls_model("initial-exec")));

void bind_setup(void);
bool bind_want(struct memkind *kind);
void bind_flush(struct memkind *kind);
bool bind_retire(struct memkind *kind);
void bind_release(struct memkind *kind);
void bind_fork_prepare(void);
void bind_fork_parent(void);
void bind_fork_child(void);

/* Small calloc()s of the bound kind are malloc() + memset(). */
#define BIND_CALLOC_MAX 4096

/* static_kinds.c, fixed.c */
extern const struct memkind_ops numa_kind_ops;
extern const struct memkind_ops fixed_ops;
int numa_kind_prepare(struct memkind *kind);
int numa_kind_available(struct memkind *kind);
ssize_t numa_kind_capacity(struct memkind *kind);
int numa_kind_verify(void *addr, size_t size, struct memkind *kind,
		     bool touch);

/* shared.c / pmem.c */
extern const struct memkind_ops pmem_ops;
extern const struct memkind_ops shared_ops;
int pmem_open_tmpfile(const char *dir, int *fd);
int shared_open_memfd(int *fd);

/* default.c, stats.c: the static kinds */
extern struct memkind default_kind;
int default_get_stat(struct memkind *kind, memkind_stat_type stat,
		     size_t *value);

#endif /* KIND_INTERNAL_H */
