/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * The ioctl interface of /dev/xpmem. Command numbers and argument layouts
 * are those of upstream XPMEM, so that its library runs on this module and
 * this project's library runs on upstream's module. Shared by kernel/ and
 * lib/xpmem/kmod.c; nothing else should include it.
 */
#ifndef _UAPI_XPMEM_ABI_H
#define _UAPI_XPMEM_ABI_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define XPMEM_DEV_PATH		"/dev/xpmem"

/* The value XPMEM_CMD_VERSION returns: major in bits 16..27, minor below. */
#define XPMEM_ABI_VERSION	0x00026003

#define XPMEM_IOC_MAGIC		'x'
#define XPMEM_CMD_VERSION	_IO(XPMEM_IOC_MAGIC, 0)
#define XPMEM_CMD_MAKE		_IO(XPMEM_IOC_MAGIC, 1)
#define XPMEM_CMD_REMOVE	_IO(XPMEM_IOC_MAGIC, 2)
#define XPMEM_CMD_GET		_IO(XPMEM_IOC_MAGIC, 3)
#define XPMEM_CMD_RELEASE	_IO(XPMEM_IOC_MAGIC, 4)
#define XPMEM_CMD_ATTACH	_IO(XPMEM_IOC_MAGIC, 5)
#define XPMEM_CMD_DETACH	_IO(XPMEM_IOC_MAGIC, 6)
#define XPMEM_CMD_FORK_BEGIN	_IO(XPMEM_IOC_MAGIC, 7)
#define XPMEM_CMD_FORK_END	_IO(XPMEM_IOC_MAGIC, 8)

/*
 * Returned (as a positive errno) to a process that uses a descriptor it
 * inherited across fork: the library reopens the device and retries.
 */
#define XPMEM_ERRNO_NOPROC	2004

/*
 * off_t and size_t are 64-bit long on every 64-bit ABI the module builds
 * for; the kernel spells them __kernel_off_t and __kernel_size_t.
 */
struct xpmem_cmd_make {
	__u64 vaddr;
	__kernel_size_t size;
	int permit_type;
	__u64 permit_value;
	__s64 segid;		/* out */
};

struct xpmem_cmd_remove {
	__s64 segid;
};

struct xpmem_cmd_get {
	__s64 segid;
	int flags;
	int permit_type;
	__u64 permit_value;
	__s64 apid;		/* out */
};

struct xpmem_cmd_release {
	__s64 apid;
};

struct xpmem_cmd_attach {
	__s64 apid;
	__kernel_off_t offset;
	__kernel_size_t size;
	__u64 vaddr;		/* in: wanted address or 0; out: mapped */
	int fd;			/* unused, kept for layout */
	int flags;		/* unused, kept for layout */
};

struct xpmem_cmd_detach {
	__u64 vaddr;
};

#endif /* _UAPI_XPMEM_ABI_H */
