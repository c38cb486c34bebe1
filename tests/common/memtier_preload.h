/* SPDX-License-Identifier: MIT */
/* Where the tests find libmemtier.so.0 to preload. */
#ifndef MEMTIER_PRELOAD_H
#define MEMTIER_PRELOAD_H

#include <dlfcn.h>
#include <libgen.h>
#include <memkind.h>
#include <stdio.h>
#include <unistd.h>

#include "test.h"

/*
 * libmemtier.so.0 beside the libmemkind.so.0 this program runs on, into
 * path; skips the test when there is none.
 */
static inline void memtier_preload_path(char *path, size_t len)
{
	Dl_info info;
	char dir[4096];

	CHECK(dladdr((void *)memkind_malloc, &info) && info.dli_fname);
	snprintf(dir, sizeof(dir), "%s", info.dli_fname);
	snprintf(path, len, "%s/libmemtier.so.0", dirname(dir));
	if (access(path, R_OK))
		test_skip("no %s", path);
}

#endif /* MEMTIER_PRELOAD_H */
