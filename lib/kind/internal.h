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
#define KIND_NAME_MAX 64

/* Kinds reserve address space in granules, so lookups are a table index. */
#define KIND_GRANULE_SHIFT 21
#define KIND_GRANULE ((size_t)1 << KIND_GRANULE_SHIFT)

/* An unlimited kind reserves address space in regions of growing size. */
#define HEAP_MAX_REGIONS 40
#define HEAP_FIRST_REGION ((size_t)1 << 30)

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

struct memkind {
	const struct memkind_ops *ops;
	char name[KIND_NAME_MAX];
	unsigned slot;	/* registry slot, index of thread tables */
	uint32_t gen;	/* tells this kind from earlier ones in slot */
	unsigned arena; /* jemalloc arena index */
	bool is_static;
	memkind_mem_usage_policy policy;
	struct kind_heap heap;
	extent_hooks_t hooks;	/* per kind, so a hook can find its kind */
	struct tc_entry direct; /* flags when no thread cache is available */
	unsigned *tc_ids;	/* thread caches of this kind (slot lock) */
	unsigned ntc, tc_cap;
	int fork_fd; /* snapshot taken before fork() */
};

/* registry.c: slots of live kinds */
int registry_add(struct memkind *kind);
void registry_remove(struct memkind *kind);
void registry_lock(void);
void registry_unlock(void);
struct memkind *registry_get(unsigned slot);
struct memkind *registry_slot_kind(unsigned slot);
pthread_mutex_t *registry_slot_lock(unsigned slot);
uint32_t registry_slot_gen(unsigned slot);

/* addrmap.c: address -> kind */
void addrmap_set(const void *base, size_t len, struct memkind *kind);
struct memkind *addrmap_lookup(const void *addr);
void addrmap_fork_child(void);

/* heap.c: the kind's file and its fixed-offset address space */
int heap_init(struct memkind *kind, int fd, size_t max_size);
void heap_fini(struct memkind *kind);
void *heap_take(struct memkind *kind, size_t size, size_t alignment);
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
