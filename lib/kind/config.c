// SPDX-License-Identifier: MIT
/* Configuration of a file-backed kind: directory, size limit, policy. */
#include "internal.h"
#include "config.h"

#include <stdlib.h>

KIND_API struct memkind_config *memkind_config_new(void)
{
	struct memkind_config *cfg = calloc(1, sizeof(*cfg));

	if (cfg)
		cfg->policy = MEMKIND_MEM_USAGE_POLICY_DEFAULT;
	return cfg;
}

KIND_API void memkind_config_delete(struct memkind_config *cfg)
{
	free(cfg);
}

/* Like memkind, the string is referenced, not copied, until the create. */
KIND_API void memkind_config_set_path(struct memkind_config *cfg,
				      const char *pmem_dir)
{
	if (cfg)
		cfg->path = pmem_dir;
}

KIND_API void memkind_config_set_size(struct memkind_config *cfg,
				      size_t pmem_size)
{
	if (cfg)
		cfg->size = pmem_size;
}

KIND_API void
memkind_config_set_memory_usage_policy(struct memkind_config *cfg,
				       memkind_mem_usage_policy policy)
{
	if (cfg)
		cfg->policy = policy;
}
