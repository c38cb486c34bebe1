/* SPDX-License-Identifier: MIT */
/*
 * Public entry points: argument checks common to both backends, the choice
 * of backend (made once per process), and the conversion of internal
 * -errno results to the -1 + errno convention of the API.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

static pthread_once_t backend_once = PTHREAD_ONCE_INIT;
static const struct xpmem_backend_ops *backend;
static int backend_kind;
static bool backend_forced;	/* chosen by XPMEM_BACKEND, not by fallback */
static int backend_error;	/* positive errno when no backend is usable */
static const char *backend_reason = "no XPMEM call made yet";
static size_t page_size;

size_t xpmem_page_size(void)
{
	return page_size;
}

static void atfork_prepare(void)
{
	xpmem_owner_atfork_prepare();
	xpmem_user_atfork_prepare();
}

static void atfork_parent(void)
{
	xpmem_user_atfork_parent();
	xpmem_owner_atfork_parent();
}

static void atfork_child(void)
{
	xpmem_user_atfork_child();
	xpmem_owner_atfork_child();
}

static void use_kernel(const char *reason)
{
	backend = &xpmem_kmod_ops;
	backend_kind = XPMEM_BACKEND_KERNEL;
	backend_reason = reason;
}

static void use_user(const char *reason)
{
	backend = &xpmem_user_ops;
	backend_kind = XPMEM_BACKEND_USER;
	backend_reason = reason;
}

static void choose_backend(void)
{
	const char *env = getenv("XPMEM_BACKEND");

	page_size = (size_t)sysconf(_SC_PAGESIZE);
	pthread_atfork(atfork_prepare, atfork_parent, atfork_child);

	if (env && strcmp(env, "user") == 0) {
		use_user("XPMEM_BACKEND=user forces the user-space backend");
		backend_forced = true;
	} else if (env && strcmp(env, "kernel") == 0) {
		if (xpmem_kmod_open() == 0) {
			use_kernel("XPMEM_BACKEND=kernel forces the kernel module");
			backend_forced = true;
		} else {
			backend_error = ENODEV;
			backend_reason = "XPMEM_BACKEND=kernel, but /dev/xpmem "
					 "cannot be opened";
		}
	} else if (env && *env && strcmp(env, "auto") != 0) {
		backend_error = EINVAL;
		backend_reason = "XPMEM_BACKEND has a value other than "
				 "kernel, user or auto";
	} else if (xpmem_kmod_open() == 0) {
		use_kernel("/dev/xpmem opened: the kernel module is loaded");
	} else {
		use_user("/dev/xpmem cannot be opened: no kernel module, "
			 "using the user-space backend");
	}
}

/* Returns the backend, or NULL with errno set when none can serve. */
static const struct xpmem_backend_ops *get_backend(void)
{
	pthread_once(&backend_once, choose_backend);
	if (!backend)
		errno = backend_error;
	return backend;
}

static long to_api(long rc)
{
	if (rc < 0) {
		errno = (int)-rc;
		return -1;
	}
	return rc;
}

XPMEM_EXPORT int xpmem_init(void)
{
	return get_backend() ? 0 : -1;
}

XPMEM_EXPORT int xpmem_backend(const char **reason)
{
	const struct xpmem_backend_ops *ops = get_backend();

	if (reason)
		*reason = backend_reason;
	return ops ? backend_kind : -1;
}

/*
 * Upstream clients (UCX above all) take a version as the promise that any
 * memory can be attached, private anonymous memory included, and probe
 * nothing else before relying on it. Only the module keeps that promise,
 * so when this library fell back to the user-space backend by itself, the
 * answer is upstream's without a driver: -1 with ENODEV, and such clients
 * use their other transports. Every other call still works; a program that
 * wants the user-space backend asks xpmem_backend() or sets
 * XPMEM_BACKEND=user.
 */
XPMEM_EXPORT int xpmem_version(void)
{
	const struct xpmem_backend_ops *ops = get_backend();

	if (!ops)
		return -1;
	if (backend_kind == XPMEM_BACKEND_USER && !backend_forced) {
		errno = ENODEV;
		return -1;
	}
	return (int)to_api(ops->version());
}

static int check_make(uintptr_t vaddr, size_t size, int permit_type,
		      uintptr_t mode)
{
	if (permit_type != XPMEM_PERMIT_MODE || (mode & ~(uintptr_t)0777))
		return -EINVAL;
	if (vaddr == 0 && size == XPMEM_MAXADDR_SIZE)
		return 0;
	if (size == 0 || !xpmem_page_aligned(vaddr) ||
	    !xpmem_page_aligned(size) || vaddr + size < vaddr)
		return -EINVAL;
	return 0;
}

XPMEM_EXPORT xpmem_segid_t xpmem_make(void *vaddr, size_t size,
				      int permit_type, void *permit_value)
{
	const struct xpmem_backend_ops *ops = get_backend();
	uintptr_t addr = (uintptr_t)vaddr, mode = (uintptr_t)permit_value;
	xpmem_segid_t segid;
	int rc;

	if (!ops)
		return -1;
	rc = check_make(addr, size, permit_type, mode);
	if (rc == 0)
		rc = ops->make(addr, size, (mode_t)mode, &segid);
	return rc < 0 ? to_api(rc) : segid;
}

XPMEM_EXPORT int xpmem_remove(xpmem_segid_t segid)
{
	const struct xpmem_backend_ops *ops = get_backend();

	if (!ops)
		return -1;
	if (segid <= 0)
		return (int)to_api(-EINVAL);
	return (int)to_api(ops->remove(segid));
}

XPMEM_EXPORT xpmem_apid_t xpmem_get(xpmem_segid_t segid, int flags,
				    int permit_type, void *permit_value)
{
	const struct xpmem_backend_ops *ops = get_backend();
	xpmem_apid_t apid;
	int rc;

	if (!ops)
		return -1;
	if (segid <= 0 || permit_type != XPMEM_PERMIT_MODE ||
	    (flags != XPMEM_RDONLY && flags != XPMEM_RDWR))
		return to_api(-EINVAL);
	rc = ops->get(segid, flags, &apid);
	return rc < 0 ? to_api(rc) : apid;
}

XPMEM_EXPORT int xpmem_release(xpmem_apid_t apid)
{
	const struct xpmem_backend_ops *ops = get_backend();

	if (!ops)
		return -1;
	if (apid <= 0)
		return (int)to_api(-EINVAL);
	return (int)to_api(ops->release(apid));
}

XPMEM_EXPORT void *xpmem_attach(struct xpmem_addr addr, size_t size,
				void *vaddr)
{
	const struct xpmem_backend_ops *ops = get_backend();
	void *mapped;
	int rc = -EINVAL;

	if (!ops)
		return (void *)-1;
	if (addr.apid > 0 && addr.offset >= 0 && size > 0 &&
	    xpmem_page_aligned((uint64_t)addr.offset) &&
	    xpmem_page_aligned(size) && xpmem_page_aligned((uintptr_t)vaddr) &&
	    (uint64_t)addr.offset + size > (uint64_t)addr.offset &&
	    (uintptr_t)vaddr + size - 1 >= (uintptr_t)vaddr)
		rc = ops->attach(addr.apid, (uint64_t)addr.offset, size, vaddr,
				 &mapped);
	if (rc < 0) {
		errno = -rc;
		return (void *)-1;
	}
	return mapped;
}

XPMEM_EXPORT int xpmem_detach(void *vaddr)
{
	const struct xpmem_backend_ops *ops = get_backend();

	if (!ops)
		return -1;
	return (int)to_api(ops->detach(vaddr));
}
