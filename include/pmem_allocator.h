/* SPDX-License-Identifier: MIT */
/*
 * libmemkind::pmem::allocator<T>: a standard-library allocator over a
 * file-backed kind in a directory, as in memkind 1.14. Copies share the
 * kind; the last one destroys it. See pmemallocator(3).
 *
 *   libmemkind::pmem::allocator<int> alloc("/mnt/pmem", 1 << 30);
 *   std::vector<int, libmemkind::pmem::allocator<int>> v(alloc);
 */
#ifndef _MEMKIND_PMEM_ALLOCATOR_H
#define _MEMKIND_PMEM_ALLOCATOR_H

#include <memkind/internal/kind_allocator.h>

namespace libmemkind
{

enum class allocation_policy {
	DEFAULT = MEMKIND_MEM_USAGE_POLICY_DEFAULT,
	CONSERVATIVE = MEMKIND_MEM_USAGE_POLICY_CONSERVATIVE,
	MAX
};

namespace pmem
{
namespace internal
{
inline std::shared_ptr<libmemkind::internal::owned_kind>
make_kind(const char *dir, std::size_t max_size, allocation_policy policy)
{
	struct memkind_config *cfg = memkind_config_new();
	memkind_t kind = nullptr;
	int err;

	if (!cfg)
		throw std::runtime_error(
		    "An error occurred while creating pmem config");
	memkind_config_set_path(cfg, dir);
	memkind_config_set_size(cfg, max_size);
	memkind_config_set_memory_usage_policy(
	    cfg, static_cast<memkind_mem_usage_policy>(policy));
	err = memkind_create_pmem_with_config(cfg, &kind);
	memkind_config_delete(cfg);
	libmemkind::internal::throw_on_error(err, "pmem");
	return std::make_shared<libmemkind::internal::owned_kind>(kind);
}
} // namespace internal

template <typename T>
class allocator
    : public libmemkind::internal::kind_allocator_base<
	  T, std::shared_ptr<libmemkind::internal::owned_kind>, allocator>
{
	using base = libmemkind::internal::kind_allocator_base<
	    T, std::shared_ptr<libmemkind::internal::owned_kind>, allocator>;

public:
	explicit allocator(const char *dir, std::size_t max_size,
			   allocation_policy policy = allocation_policy::DEFAULT)
	    : base(internal::make_kind(dir, max_size, policy))
	{
	}
	explicit allocator(const std::string &dir, std::size_t max_size,
			   allocation_policy policy = allocation_policy::DEFAULT)
	    : allocator(dir.c_str(), max_size, policy)
	{
	}
	using base::base;
};

} // namespace pmem
} // namespace libmemkind

#endif /* _MEMKIND_PMEM_ALLOCATOR_H */
