/* SPDX-License-Identifier: MIT */
/*
 * XPMEM: cross-process memory. A process exports a range of its address
 * space (xpmem_make), another obtains a permit (xpmem_get) and maps the
 * range (xpmem_attach), then uses it with plain loads and stores.
 *
 * Source and binary compatible with upstream XPMEM's <xpmem.h> and
 * libxpmem.so.0. See xpmem(7) for the semantics and the two backends.
 */
#ifndef _XPMEM_H
#define _XPMEM_H

#include <linux/types.h>
#include <stddef.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef __s64 xpmem_segid_t;	/* returned by xpmem_make() */
typedef __s64 xpmem_apid_t;	/* returned by xpmem_get() */

struct xpmem_addr {
	xpmem_apid_t apid;	/* permit for the segment */
	off_t offset;		/* byte offset into the segment */
};

/* Size that, with a NULL address, exports the whole address space. */
#define XPMEM_MAXADDR_SIZE	((size_t)(-1L))

/* Access wanted by xpmem_get(). */
#define XPMEM_RDONLY		0x1
#define XPMEM_RDWR		0x2

/* Permit types: the value is a mode_t with unix permission bits (0777). */
#define XPMEM_PERMIT_MODE	0x1

/* errno of a child using a device descriptor inherited across fork(). */
#define XPMEM_ERRNO_NOPROC	2004

int xpmem_init(void);
int xpmem_version(void);
xpmem_segid_t xpmem_make(void *vaddr, size_t size, int permit_type,
			 void *permit_value);
int xpmem_remove(xpmem_segid_t segid);
xpmem_apid_t xpmem_get(xpmem_segid_t segid, int flags, int permit_type,
		       void *permit_value);
int xpmem_release(xpmem_apid_t apid);
void *xpmem_attach(struct xpmem_addr addr, size_t size, void *vaddr);
int xpmem_detach(void *vaddr);

/*
 * Extensions of this implementation, not in upstream XPMEM.
 *
 * xpmem_backend() tells which backend serves this process: the kernel
 * module (/dev/xpmem) or the user-space backend. If reason is not NULL it
 * receives a static, human-readable sentence saying why that one was
 * chosen. The choice is made once, at the first XPMEM call; the
 * environment variable XPMEM_BACKEND=kernel|user|auto forces it.
 */
#define XPMEM_BACKEND_KERNEL	1
#define XPMEM_BACKEND_USER	2

int xpmem_backend(const char **reason);

#ifdef __cplusplus
}
#endif

#endif /* _XPMEM_H */
