/* SPDX-License-Identifier: MIT */
/* The configuration object behind struct memkind_config. */
#ifndef KIND_CONFIG_H
#define KIND_CONFIG_H

#include <memkind.h>

struct memkind_config {
	const char *path;
	size_t size;
	memkind_mem_usage_policy policy;
};

#endif /* KIND_CONFIG_H */
