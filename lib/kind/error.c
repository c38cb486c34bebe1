// SPDX-License-Identifier: MIT
/* Status codes to text, and the library's version. */
#include "internal.h"

#include <stdio.h>

struct error_text {
	int code;
	const char *text;
};

static const struct error_text error_texts[] = {
    {MEMKIND_SUCCESS, "success"},
    {MEMKIND_ERROR_UNAVAILABLE, "requested memory kind is not available"},
    {MEMKIND_ERROR_MBIND, "call to mbind() failed"},
    {MEMKIND_ERROR_MMAP, "call to mmap() failed"},
    {MEMKIND_ERROR_MALLOC, "call to malloc() failed"},
    {MEMKIND_ERROR_ENVIRON, "error parsing environment variable"},
    {MEMKIND_ERROR_INVALID, "invalid input arguments to memkind routine"},
    {MEMKIND_ERROR_TOOMANY, "too many kinds exist at once"},
    {MEMKIND_ERROR_BADOPS, "memkind_ops structure is poorly formed"},
    {MEMKIND_ERROR_HUGETLB, "unable to allocate huge pages"},
    {MEMKIND_ERROR_MEMTYPE_NOT_AVAILABLE,
     "requested memory type is not available"},
    {MEMKIND_ERROR_OPERATION_FAILED, "operation failed"},
    {MEMKIND_ERROR_ARENAS_CREATE, "call to jemalloc's arenas.create failed"},
    {MEMKIND_ERROR_RUNTIME, "unspecified run-time error"},
};

KIND_API void memkind_error_message(int err, char *msg, size_t size)
{
	size_t i;

	if (!msg || size == 0)
		return;
	for (i = 0; i < sizeof(error_texts) / sizeof(error_texts[0]); i++) {
		if (error_texts[i].code == err) {
			snprintf(msg, size, "<memkind> %s",
				 error_texts[i].text);
			return;
		}
	}
	snprintf(msg, size, "<memkind> undefined error number: %d", err);
}

KIND_API int memkind_get_version(void)
{
	return MEMKIND_VERSION_MAJOR * 1000000 + MEMKIND_VERSION_MINOR * 1000 +
	       MEMKIND_VERSION_PATCH;
}
