// SPDX-License-Identifier: MIT
/* memkind_get_backing: which file, at which offset, backs an address. */
#include "internal.h"

#include <errno.h>

KIND_API int memkind_get_backing(const void *addr, int *fd, off_t *offset,
				 size_t *len)
{
	struct memkind *kind = addr ? addrmap_lookup(addr) : NULL;
	const struct heap_region *r;

	if (!fd || !offset || !len) {
		errno = EINVAL;
		return -1;
	}
	r = kind ? heap_find_region(&kind->heap, addr) : NULL;
	if (!r) {
		errno = ENOENT;
		return -1;
	}
	*fd = kind->heap.fd;
	*offset = r->file_off + ((const char *)addr - r->base);
	*len = r->len - (size_t)((const char *)addr - r->base);
	return 0;
}
