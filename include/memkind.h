/* SPDX-License-Identifier: MIT */
/*
 * Memory kinds: heaps with different backing memory behind one malloc-like
 * API. Source compatible with memkind 1.14's <memkind.h> for the calls
 * declared here: the static kinds (memory tiers through NUMA policy),
 * file-backed ("pmem") kinds in a temporary file of a directory, kinds
 * over memory the caller provides (fixed), and, as an extension of this
 * implementation, a memfd-backed shareable kind. See memkind(7).
 */
#ifndef _MEMKIND_H
#define _MEMKIND_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef MEMKIND_MALLOC_USABLE_SIZE_CONST
#define MEMKIND_MALLOC_USABLE_SIZE_CONST
#endif

/* API level implemented: memkind 1.14.0 (memkind_get_version() encoding). */
#define MEMKIND_VERSION_MAJOR 1
#define MEMKIND_VERSION_MINOR 14
#define MEMKIND_VERSION_PATCH 0

/* A kind. Kinds are created by the library and used through this handle. */
typedef struct memkind *memkind_t;

/* Table of a kind's operations; defined in <memkind/internal/memkind_pmem.h>.
 */
struct memkind_ops;

enum memkind_const {
	MEMKIND_MAX_KIND = 512, /* memkind's limit; ours is larger */
	MEMKIND_ERROR_MESSAGE_SIZE = 128,
	MEMKIND_PMEM_MIN_SIZE = (1024 * 1024 * 16),
};

/* Status codes: 0 on success, one of these on failure. */
enum {
	MEMKIND_SUCCESS = 0,
	MEMKIND_ERROR_UNAVAILABLE = -1,
	MEMKIND_ERROR_MBIND = -2,
	MEMKIND_ERROR_MMAP = -3,
	MEMKIND_ERROR_MALLOC = -6,
	MEMKIND_ERROR_ENVIRON = -12,
	MEMKIND_ERROR_INVALID = -13,
	MEMKIND_ERROR_TOOMANY = -15,
	MEMKIND_ERROR_BADOPS = -17,
	MEMKIND_ERROR_HUGETLB = -18,
	MEMKIND_ERROR_MEMTYPE_NOT_AVAILABLE = -20,
	MEMKIND_ERROR_OPERATION_FAILED = -21,
	MEMKIND_ERROR_ARENAS_CREATE = -22,
	MEMKIND_ERROR_RUNTIME = -255,
};

/* What memkind_create_kind() combines: memory types, a placement policy and
 * page-size bits (the base-2 logarithm of the page size, 0: default). */
typedef enum memkind_memtype_t {
	MEMKIND_MEMTYPE_DEFAULT = 1 << 0,
	MEMKIND_MEMTYPE_HIGH_BANDWIDTH = 1 << 1,
} memkind_memtype_t;

typedef enum memkind_policy_t {
	MEMKIND_POLICY_BIND_LOCAL = 0,
	MEMKIND_POLICY_BIND_ALL,
	MEMKIND_POLICY_PREFERRED_LOCAL,
	MEMKIND_POLICY_INTERLEAVE_LOCAL,
	MEMKIND_POLICY_INTERLEAVE_ALL,
	MEMKIND_POLICY_MAX_VALUE
} memkind_policy_t;

typedef enum memkind_bits_t {
	MEMKIND_MASK_PAGE_SIZE_2MB = 21ull,
} memkind_bits_t;

typedef enum memkind_mem_usage_policy {
	MEMKIND_MEM_USAGE_POLICY_DEFAULT = 0,
	/* Give freed memory back to the file system at once. */
	MEMKIND_MEM_USAGE_POLICY_CONSERVATIVE = 1,
	MEMKIND_MEM_USAGE_POLICY_MAX_VALUE
} memkind_mem_usage_policy;

typedef enum memkind_stat_type {
	MEMKIND_STAT_TYPE_RESIDENT = 0,
	MEMKIND_STAT_TYPE_ACTIVE = 1,
	MEMKIND_STAT_TYPE_ALLOCATED = 2,
	MEMKIND_STAT_TYPE_MAX_VALUE
} memkind_stat_type;

/* Options of memkind_stats_print(): jemalloc's, one bit each. */
typedef enum memkind_stat_print_opt {
	MEMKIND_STAT_PRINT_ALL = 0,
	MEMKIND_STAT_PRINT_JSON_FORMAT = 1U << 0,
	MEMKIND_STAT_PRINT_OMIT_GENERAL = 1U << 1,
	MEMKIND_STAT_PRINT_OMIT_MERGED_ARENA = 1U << 2,
	MEMKIND_STAT_PRINT_OMIT_DESTROYED_MERGED_ARENA = 1U << 3,
	MEMKIND_STAT_PRINT_OMIT_PER_ARENA = 1U << 4,
	MEMKIND_STAT_PRINT_OMIT_PER_SIZE_CLASS_BINS = 1U << 5,
	MEMKIND_STAT_PRINT_OMIT_PER_SIZE_CLASS_LARGE = 1U << 6,
	MEMKIND_STAT_PRINT_OMIT_MUTEX = 1U << 7,
	MEMKIND_STAT_PRINT_OMIT_EXTENT = 1U << 8,
} memkind_stat_print_opt;

struct memkind_config;

struct memkind_config *memkind_config_new(void);
void memkind_config_delete(struct memkind_config *cfg);
void memkind_config_set_path(struct memkind_config *cfg, const char *pmem_dir);
void memkind_config_set_size(struct memkind_config *cfg, size_t pmem_size);
void memkind_config_set_memory_usage_policy(struct memkind_config *cfg,
					    memkind_mem_usage_policy policy);

/*
 * The static kinds. Placement is the kernel's NUMA policy on the kind's
 * nodes (see memkind(7)): HBW nodes are the ones with the highest
 * bandwidth (ACPI HMAT) or MEMKIND_HBW_NODES, DAX_KMEM nodes are memory
 * of a device dax in system-ram mode (kmem) or MEMKIND_DAX_KMEM_NODES.
 * memkind_check_available() tells whether this machine has them.
 */
#include <memkind_deprecated.h>

extern memkind_t MEMKIND_DEFAULT;
extern memkind_t MEMKIND_REGULAR;
extern memkind_t MEMKIND_HUGETLB;
extern memkind_t MEMKIND_INTERLEAVE;
extern memkind_t MEMKIND_HBW;
extern memkind_t MEMKIND_HBW_ALL;
extern memkind_t MEMKIND_HBW_PREFERRED;
extern memkind_t MEMKIND_HBW_HUGETLB;
extern memkind_t MEMKIND_HBW_ALL_HUGETLB;
extern memkind_t MEMKIND_HBW_PREFERRED_HUGETLB;
extern memkind_t MEMKIND_HBW_INTERLEAVE;
extern memkind_t MEMKIND_DAX_KMEM;
extern memkind_t MEMKIND_DAX_KMEM_ALL;
extern memkind_t MEMKIND_DAX_KMEM_PREFERRED;
extern memkind_t MEMKIND_DAX_KMEM_INTERLEAVE;
extern memkind_t MEMKIND_HIGHEST_CAPACITY;
extern memkind_t MEMKIND_HIGHEST_CAPACITY_PREFERRED;
extern memkind_t MEMKIND_HIGHEST_CAPACITY_LOCAL;
extern memkind_t MEMKIND_HIGHEST_CAPACITY_LOCAL_PREFERRED;
extern memkind_t MEMKIND_LOWEST_LATENCY_LOCAL;
extern memkind_t MEMKIND_LOWEST_LATENCY_LOCAL_PREFERRED;
extern memkind_t MEMKIND_HIGHEST_BANDWIDTH_LOCAL;
extern memkind_t MEMKIND_HIGHEST_BANDWIDTH_LOCAL_PREFERRED;

int memkind_get_version(void);
void memkind_error_message(int err, char *msg, size_t size);

int memkind_create_pmem(const char *dir, size_t max_size, memkind_t *kind);
int memkind_create_pmem_with_config(struct memkind_config *cfg,
				    memkind_t *kind);
int memkind_create_kind(memkind_memtype_t memtype_flags,
			memkind_policy_t policy, memkind_bits_t flags,
			memkind_t *kind);
int memkind_create_fixed(void *addr, size_t size, memkind_t *kind);
int memkind_destroy_kind(memkind_t kind);
int memkind_check_available(memkind_t kind);
ssize_t memkind_get_capacity(memkind_t kind);
int memkind_check_dax_path(const char *pmem_dir);
memkind_t memkind_detect_kind(void *ptr);

int memkind_update_cached_stats(void);
int memkind_get_stat(memkind_t kind, memkind_stat_type stat, size_t *value);
int memkind_stats_print(void (*write_cb)(void *, const char *), void *cbopaque,
			memkind_stat_print_opt opts);
int memkind_set_bg_threads(bool state);

void *memkind_malloc(memkind_t kind, size_t size);
void *memkind_calloc(memkind_t kind, size_t num, size_t size);
int memkind_posix_memalign(memkind_t kind, void **memptr, size_t alignment,
			   size_t size);
void *memkind_realloc(memkind_t kind, void *ptr, size_t size);
void memkind_free(memkind_t kind, void *ptr);
size_t memkind_malloc_usable_size(memkind_t kind,
				  MEMKIND_MALLOC_USABLE_SIZE_CONST void *ptr);
void *memkind_defrag_reallocate(memkind_t kind, void *ptr);

/*
 * Extensions of this implementation, not in memkind.
 *
 * memkind_create_shared() creates a kind backed by an anonymous memory file
 * (memfd): no directory is needed, and every address of the kind keeps the
 * same file offset for the kind's lifetime, so another process that maps
 * the file (through XPMEM, or /proc/<pid>/fd) sees the same bytes while
 * this one frees and reallocates. max_size is 0 (unlimited) or at least
 * MEMKIND_PMEM_MIN_SIZE.
 *
 * memkind_get_backing() tells which file backs addr: the kind's descriptor
 * (owned by the kind, valid until it is destroyed), the file offset of
 * addr, and how many bytes from addr on are backed contiguously. Returns 0,
 * or -1 with errno ENOENT when addr is in no file-backed kind.
 */
#define MEMKIND_HAVE_SHARED_KIND 1
int memkind_create_shared(size_t max_size, memkind_t *kind);
int memkind_get_backing(const void *addr, int *fd, off_t *offset, size_t *len);

#ifdef __cplusplus
}
#endif

#endif /* _MEMKIND_H */
