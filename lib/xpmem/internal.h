/* SPDX-License-Identifier: MIT */
/*
 * Private declarations of libxpmem shared between its files. Nothing here is
 * exported: the public contract is include/xpmem.h and libxpmem.map.
 *
 * Every function below returns 0 (or a value) on success and -errno on
 * failure; only api.c converts to the public -1 + errno convention.
 */
#ifndef XPMEM_INTERNAL_H
#define XPMEM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <xpmem.h>

#define XPMEM_EXPORT __attribute__((visibility("default")))

/*
 * One backend serves the whole process. Arguments reaching these functions
 * have passed the checks common to both backends in api.c.
 */
struct xpmem_backend_ops {
	int (*version)(void);
	int (*make)(uintptr_t vaddr, size_t size, mode_t mode,
		    xpmem_segid_t *segid);
	int (*remove)(xpmem_segid_t segid);
	int (*get)(xpmem_segid_t segid, int flags, xpmem_apid_t *apid);
	int (*release)(xpmem_apid_t apid);
	int (*attach)(xpmem_apid_t apid, uint64_t offset, size_t size,
		      void *vaddr, void **mapped);
	int (*detach)(void *vaddr);
};

extern const struct xpmem_backend_ops xpmem_kmod_ops;
extern const struct xpmem_backend_ops xpmem_user_ops;

/* kmod.c: opens /dev/xpmem; 0 when the kernel backend can serve us. */
int xpmem_kmod_open(void);

/* user.c: fork handlers of the user-space backend's client tables. */
void xpmem_user_atfork_prepare(void);
void xpmem_user_atfork_parent(void);
void xpmem_user_atfork_child(void);

/* owner.c: segments this process exports, and the agent's lifecycle. */
int xpmem_owner_make(uintptr_t vaddr, size_t size, mode_t mode,
		     xpmem_segid_t *segid);
int xpmem_owner_remove(xpmem_segid_t segid);
void xpmem_owner_atfork_prepare(void);
void xpmem_owner_atfork_parent(void);
void xpmem_owner_atfork_child(void);

size_t xpmem_page_size(void);

/*
 * addrspace.c: the end of the user address space (TASK_SIZE), and whether
 * [vaddr, vaddr + size) goes past it.
 */
uint64_t xpmem_user_top(void);
bool xpmem_past_user_top(uint64_t vaddr, uint64_t size);

static inline bool xpmem_page_aligned(uint64_t v)
{
	return (v & (xpmem_page_size() - 1)) == 0;
}

#endif /* XPMEM_INTERNAL_H */
