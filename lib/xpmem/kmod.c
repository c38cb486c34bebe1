/* SPDX-License-Identifier: MIT */
/*
 * The kernel backend: every call is one ioctl on /dev/xpmem, with the
 * argument structs of upstream XPMEM (kernel/uapi/xpmem_abi.h). The module
 * itself maps the attachment in XPMEM_CMD_ATTACH and unmaps it in
 * XPMEM_CMD_DETACH, so this file keeps no state but the descriptor.
 *
 * The module binds a descriptor to the process that opened it. A child that
 * inherited the descriptor across fork gets XPMEM_ERRNO_NOPROC; then the
 * child opens the device for itself and repeats the call.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <xpmem_abi.h>

#include "internal.h"

static int dev_fd = -1;
static pthread_mutex_t dev_lock = PTHREAD_MUTEX_INITIALIZER;

int xpmem_kmod_open(void)
{
	int fd = open(XPMEM_DEV_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	dev_fd = fd;
	return 0;
}

/* Replaces a descriptor inherited from the parent by one of our own. */
static int reopen(int stale_fd)
{
	int rc = 0, fd;

	pthread_mutex_lock(&dev_lock);
	if (dev_fd == stale_fd) {
		fd = open(XPMEM_DEV_PATH, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			rc = -errno;
		} else {
			close(stale_fd);
			dev_fd = fd;
		}
	}
	pthread_mutex_unlock(&dev_lock);
	return rc;
}

/* Issues one command; returns the ioctl's value or -errno. */
static int kmod_ioctl(unsigned long cmd, void *arg)
{
	int attempt, fd, rc;

	for (attempt = 0; attempt < 2; attempt++) {
		fd = __atomic_load_n(&dev_fd, __ATOMIC_ACQUIRE);
		rc = ioctl(fd, cmd, arg);
		if (rc >= 0)
			return rc;
		if (errno != XPMEM_ERRNO_NOPROC)
			return -errno;
		rc = reopen(fd);
		if (rc < 0)
			return rc;
	}
	return -XPMEM_ERRNO_NOPROC;
}

static int kmod_version(void)
{
	return kmod_ioctl(XPMEM_CMD_VERSION, NULL);
}

static int kmod_make(uintptr_t vaddr, size_t size, mode_t mode,
		     xpmem_segid_t *segid)
{
	struct xpmem_cmd_make cmd = {
		.vaddr = vaddr,
		.size = size,
		.permit_type = XPMEM_PERMIT_MODE,
		.permit_value = mode,
	};
	int rc = kmod_ioctl(XPMEM_CMD_MAKE, &cmd);

	if (rc < 0)
		return rc;
	*segid = cmd.segid;
	return 0;
}

static int kmod_remove(xpmem_segid_t segid)
{
	struct xpmem_cmd_remove cmd = { .segid = segid };
	int rc = kmod_ioctl(XPMEM_CMD_REMOVE, &cmd);

	return rc < 0 ? rc : 0;
}

static int kmod_get(xpmem_segid_t segid, int flags, xpmem_apid_t *apid)
{
	struct xpmem_cmd_get cmd = {
		.segid = segid,
		.flags = flags,
		.permit_type = XPMEM_PERMIT_MODE,
		.permit_value = 0,
	};
	int rc = kmod_ioctl(XPMEM_CMD_GET, &cmd);

	if (rc < 0)
		return rc;
	*apid = cmd.apid;
	return 0;
}

static int kmod_release(xpmem_apid_t apid)
{
	struct xpmem_cmd_release cmd = { .apid = apid };
	int rc = kmod_ioctl(XPMEM_CMD_RELEASE, &cmd);

	return rc < 0 ? rc : 0;
}

static int kmod_attach(xpmem_apid_t apid, uint64_t offset, size_t size,
		       void *vaddr, void **mapped)
{
	struct xpmem_cmd_attach cmd = {
		.apid = apid,
		.offset = (__kernel_off_t)offset,
		.size = size,
		.vaddr = (uintptr_t)vaddr,
		/* upstream's library passes its descriptor; do the same */
		.fd = __atomic_load_n(&dev_fd, __ATOMIC_ACQUIRE),
	};
	int rc = kmod_ioctl(XPMEM_CMD_ATTACH, &cmd);

	if (rc < 0)
		return rc;
	*mapped = (void *)(uintptr_t)cmd.vaddr;
	return 0;
}

static int kmod_detach(void *vaddr)
{
	struct xpmem_cmd_detach cmd = { .vaddr = (uintptr_t)vaddr };
	int rc = kmod_ioctl(XPMEM_CMD_DETACH, &cmd);

	return rc < 0 ? rc : 0;
}

const struct xpmem_backend_ops xpmem_kmod_ops = {
	.version = kmod_version,
	.make = kmod_make,
	.remove = kmod_remove,
	.get = kmod_get,
	.release = kmod_release,
	.attach = kmod_attach,
	.detach = kmod_detach,
};
