/* SPDX-License-Identifier: MIT */
/*
 * The file-backed ("pmem") kind's operations. The library drives every kind
 * through a table of operations; these are the file-backed kind's entries,
 * with memkind's signatures. See memkind_pmem(3).
 */
#ifndef _MEMKIND_INTERNAL_MEMKIND_PMEM_H
#define _MEMKIND_INTERNAL_MEMKIND_PMEM_H

#include <memkind.h>

#ifdef __cplusplus
extern "C" {
#endif

struct memkind;
struct memkind_ops;

int memkind_pmem_create(struct memkind *kind, struct memkind_ops *ops,
			const char *name);
int memkind_pmem_destroy(struct memkind *kind);
void *memkind_pmem_mmap(struct memkind *kind, void *addr, size_t size);
int memkind_pmem_get_mmap_flags(struct memkind *kind, int *flags);

#ifdef __cplusplus
}
#endif

#endif /* _MEMKIND_INTERNAL_MEMKIND_PMEM_H */
