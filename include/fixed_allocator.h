/* SPDX-License-Identifier: MIT */
/*
 * libmemkind::fixed::allocator<T>: a standard-library allocator over a
 * kind in memory the caller provides (memkind_create_fixed), as in
 * memkind 1.14. Copies share the kind; the last one destroys it; the
 * caller keeps the memory mapped until then. See fixedallocator(3).
 */
#ifndef _MEMKIND_FIXED_ALLOCATOR_H
#define _MEMKIND_FIXED_ALLOCATOR_H

#include <memkind/internal/kind_allocator.h>

namespace libmemkind
{
namespace fixed
{
namespace internal
{
inline std::shared_ptr<libmemkind::internal::owned_kind>
make_kind(void *addr, std::size_t size)
{
	memkind_t kind = nullptr;

	libmemkind::internal::throw_on_error(
	    memkind_create_fixed(addr, size, &kind), "fixed");
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
	explicit allocator(void *addr, std::size_t size)
	    : base(internal::make_kind(addr, size))
	{
	}
	using base::base;
};

} // namespace fixed
} // namespace libmemkind

#endif /* _MEMKIND_FIXED_ALLOCATOR_H */
