/* SPDX-License-Identifier: MIT */
/*
 * hbw::allocator<T>: a standard-library allocator over hbw_malloc() and
 * hbw_free(), so under the hbwmalloc policy, as in memkind 1.14. See
 * hbwallocator(3).
 */
#ifndef _HBW_ALLOCATOR_H
#define _HBW_ALLOCATOR_H

#include <hbwmalloc.h>

#include <cstddef>
#include <limits>
#include <new>
#include <utility>

namespace hbw
{

template <class T>
class allocator
{
public:
	using value_type = T;
	using pointer = value_type *;
	using const_pointer = const value_type *;
	using reference = value_type &;
	using const_reference = const value_type &;
	using size_type = std::size_t;
	using difference_type = std::ptrdiff_t;

	template <class U>
	struct rebind {
		using other = allocator<U>;
	};

	allocator() noexcept {}
	template <class U>
	allocator(const allocator<U> &) noexcept
	{
	}

	pointer address(reference x) const { return &x; }
	const_pointer address(const_reference x) const { return &x; }

	pointer allocate(size_type n, const void * = nullptr)
	{
		void *p;

		if (n > max_size())
			throw std::bad_alloc();
		p = hbw_malloc(n * sizeof(T));
		if (!p)
			throw std::bad_alloc();
		return static_cast<pointer>(p);
	}

	void deallocate(pointer p, size_type) { hbw_free(p); }

	size_type max_size() const noexcept
	{
		return std::numeric_limits<size_type>::max() / sizeof(T);
	}

	template <class U, class... Args>
	void construct(U *p, Args &&...args)
	{
		::new (static_cast<void *>(p)) U(std::forward<Args>(args)...);
	}

	void destroy(pointer p) { p->~T(); }
};

template <class T, class U>
bool operator==(const allocator<T> &, const allocator<U> &)
{
	return true;
}

template <class T, class U>
bool operator!=(const allocator<T> &, const allocator<U> &)
{
	return false;
}

} // namespace hbw

#endif /* _HBW_ALLOCATOR_H */
