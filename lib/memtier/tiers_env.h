/* SPDX-License-Identifier: MIT */
/* The tiers libmemtier.so allocates from, as the environment describes them. */
#ifndef MEMTIER_TIERS_ENV_H
#define MEMTIER_TIERS_ENV_H

#include <memkind_memtier.h>

/*
 * The memory MEMKIND_MEM_TIERS (and MEMKIND_MEM_THRESHOLDS) describe.
 * *memory is NULL when MEMKIND_MEM_TIERS is unset. Returns 0, or -1 with
 * a message in err (errlen bytes) naming the variable and the fault.
 */
int tiers_from_env(struct memtier_memory **memory, char *err, size_t errlen);

#endif /* MEMTIER_TIERS_ENV_H */
