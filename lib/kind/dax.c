// SPDX-License-Identifier: MIT
/* memkind_check_dax_path: is a directory on a DAX (direct access) mount? */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#ifndef STATX_ATTR_DAX
#define STATX_ATTR_DAX 0x00200000
#endif

/* Per-file DAX (ext4/xfs dax=inode or dax=always) shows in statx. */
static bool statx_says_dax(const char *path)
{
	struct statx stx;

	if (statx(AT_FDCWD, path, 0, STATX_BASIC_STATS, &stx))
		return false;
	return (stx.stx_attributes_mask & STATX_ATTR_DAX) &&
	       (stx.stx_attributes & STATX_ATTR_DAX);
}

static bool has_dax_option(const char *opts)
{
	const char *p = opts;
	size_t n;

	while (p && *p) {
		n = strcspn(p, ",");
		if ((n == 3 && !strncmp(p, "dax", 3)) ||
		    (n == 10 && !strncmp(p, "dax=always", 10)))
			return true;
		p += n;
		if (*p == ',')
			p++;
	}
	return false;
}

/* The mount holding path (matched by device) mounted with -o dax. */
static bool mount_says_dax(const char *path)
{
	char line[4096], opts[1024], sopts[1024];
	unsigned maj, min;
	struct stat st;
	bool dax = false;
	FILE *f;

	if (stat(path, &st))
		return false;
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return false;
	while (!dax && fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - ");

		if (sscanf(line, "%*u %*u %u:%u %*s %*s %1023s", &maj, &min,
			   opts) != 3 ||
		    !sep)
			continue;
		if (makedev(maj, min) != st.st_dev)
			continue;
		if (sscanf(sep, " - %*s %*s %1023s", sopts) != 1)
			sopts[0] = 0;
		dax = has_dax_option(opts) || has_dax_option(sopts);
	}
	fclose(f);
	return dax;
}

KIND_API int memkind_check_dax_path(const char *pmem_dir)
{
	struct stat st;

	if (!pmem_dir || stat(pmem_dir, &st) || !S_ISDIR(st.st_mode))
		return MEMKIND_ERROR_INVALID;
	if (statx_says_dax(pmem_dir) || mount_says_dax(pmem_dir))
		return MEMKIND_SUCCESS;
	return MEMKIND_ERROR_UNAVAILABLE;
}
