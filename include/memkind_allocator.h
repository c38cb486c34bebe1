/* SPDX-License-Identifier: MIT */
/*
 * libmemkind::static_kind::allocator<T>: a standard-library allocator over
 * one of the static kinds, named by libmemkind::kinds (memkind 1.14's
 * values). See memkindallocator(3).
 *
 *   libmemkind::static_kind::allocator<double> a(libmemkind::kinds::HBW);
 *   std::vector<double, decltype(a)> v(a);
 */
#ifndef _MEMKIND_ALLOCATOR_H
#define _MEMKIND_ALLOCATOR_H

#include <memkind/internal/kind_allocator.h>

namespace libmemkind
{

enum class kinds {
	DEFAULT = 0,
	HUGETLB = 1,
	INTERLEAVE = 2,
	HBW = 3,
	HBW_ALL = 4,
	HBW_HUGETLB = 5,
	HBW_ALL_HUGETLB = 6,
	HBW_PREFERRED = 7,
	HBW_PREFERRED_HUGETLB = 8,
	HBW_INTERLEAVE = 9,
	REGULAR = 10,
	DAX_KMEM = 11,
	DAX_KMEM_ALL = 12,
	DAX_KMEM_PREFERRED = 13,
	DAX_KMEM_INTERLEAVE = 14,
	HIGHEST_CAPACITY = 15,
	HIGHEST_CAPACITY_PREFERRED = 16,
	HIGHEST_CAPACITY_LOCAL = 17,
	HIGHEST_CAPACITY_LOCAL_PREFERRED = 18,
	LOWEST_LATENCY_LOCAL = 19,
	LOWEST_LATENCY_LOCAL_PREFERRED = 20,
	HIGHEST_BANDWIDTH_LOCAL = 21,
	HIGHEST_BANDWIDTH_LOCAL_PREFERRED = 22
};

namespace static_kind
{
namespace internal
{
/* In the order of libmemkind::kinds. */
inline memkind_t kind_of(kinds k)
{
	memkind_t *const table[] = {
	    &MEMKIND_DEFAULT,
	    &MEMKIND_HUGETLB,
	    &MEMKIND_INTERLEAVE,
	    &MEMKIND_HBW,
	    &MEMKIND_HBW_ALL,
	    &MEMKIND_HBW_HUGETLB,
	    &MEMKIND_HBW_ALL_HUGETLB,
	    &MEMKIND_HBW_PREFERRED,
	    &MEMKIND_HBW_PREFERRED_HUGETLB,
	    &MEMKIND_HBW_INTERLEAVE,
	    &MEMKIND_REGULAR,
	    &MEMKIND_DAX_KMEM,
	    &MEMKIND_DAX_KMEM_ALL,
	    &MEMKIND_DAX_KMEM_PREFERRED,
	    &MEMKIND_DAX_KMEM_INTERLEAVE,
	    &MEMKIND_HIGHEST_CAPACITY,
	    &MEMKIND_HIGHEST_CAPACITY_PREFERRED,
	    &MEMKIND_HIGHEST_CAPACITY_LOCAL,
	    &MEMKIND_HIGHEST_CAPACITY_LOCAL_PREFERRED,
	    &MEMKIND_LOWEST_LATENCY_LOCAL,
	    &MEMKIND_LOWEST_LATENCY_LOCAL_PREFERRED,
	    &MEMKIND_HIGHEST_BANDWIDTH_LOCAL,
	    &MEMKIND_HIGHEST_BANDWIDTH_LOCAL_PREFERRED,
	};
	std::size_t i = static_cast<std::size_t>(k);

	if (i >= sizeof(table) / sizeof(table[0]))
		throw std::runtime_error("Unknown libmemkind::kinds");
	return *table[i];
}
} // namespace internal

template <typename T>
class allocator
    : public libmemkind::internal::kind_allocator_base<T, memkind_t, allocator>
{
	using base =
	    libmemkind::internal::kind_allocator_base<T, memkind_t, allocator>;

public:
	explicit allocator(libmemkind::kinds kind)
	    : base(internal::kind_of(kind))
	{
	}
	using base::base;
};

} // namespace static_kind
} // namespace libmemkind

#endif /* _MEMKIND_ALLOCATOR_H */
