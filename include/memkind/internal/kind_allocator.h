/* SPDX-License-Identifier: MIT */
/*
 * What the C++ allocators of <pmem_allocator.h>, <fixed_allocator.h> and
 * <memkind_allocator.h> share: standard-library allocator members over a
 * memkind kind. Not a public interface of its own.
 */
#ifndef _MEMKIND_INTERNAL_KIND_ALLOCATOR_H
#define _MEMKIND_INTERNAL_KIND_ALLOCATOR_H

#include <memkind.h>

#include <cstddef>
#include <limits>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <utility>

namespace libmemkind
{
namespace internal
{

/* A kind the allocators made, destroyed when the last copy goes. */
class owned_kind
{
public:
	explicit owned_kind(memkind_t kind) : kind_(kind) {}
	owned_kind(const owned_kind &) = delete;
	void operator=(const owned_kind &) = delete;
	~owned_kind() { memkind_destroy_kind(kind_); }
	memkind_t get() const { return kind_; }

private:
	memkind_t kind_;
};

/* A creation status as memkind's allocators report it: an exception. */
inline void throw_on_error(int err, const char *what)
{
	if (err == MEMKIND_ERROR_INVALID)
		throw std::invalid_argument(
		    std::string("An invalid argument was passed to create ") +
		    what + " kind; error code: " + std::to_string(err));
	if (err)
		throw std::runtime_error(
		    std::string("An error occurred while creating ") + what +
		    " kind; error code: " + std::to_string(err));
}

/*
 * Allocator members common to every kind allocator. Holder keeps the kind
 * (memkind_t for static kinds, a shared owned_kind otherwise); Self is the
 * allocator template itself, for rebind. An allocator derives from this
 * and inherits its constructors.
 */
template <typename T, typename Holder, template <typename> class Self>
class kind_allocator_base
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
		using other = Self<U>;
	};

	/* Copies of other element types share the kind. */
	template <typename U>
	kind_allocator_base(const kind_allocator_base<U, Holder, Self> &other) noexcept
	    : holder_(other.holder())
	{
	}

	pointer allocate(size_type n) const
	{
		void *p;

		if (n > std::numeric_limits<size_type>::max() / sizeof(T))
			throw std::bad_alloc();
		p = memkind_malloc(kind(), n * sizeof(T));
		if (!p)
			throw std::bad_alloc();
		return static_cast<pointer>(p);
	}

	void deallocate(pointer p, size_type) const
	{
		memkind_free(kind(), static_cast<void *>(p));
	}

	template <class U, class... Args>
	void construct(U *p, Args &&...args) const
	{
		::new (static_cast<void *>(p)) U(std::forward<Args>(args)...);
	}

	void destroy(pointer p) const { p->~value_type(); }

	memkind_t kind() const { return get_kind(holder_); }

	const Holder &holder() const { return holder_; }

protected:
	explicit kind_allocator_base(Holder h) : holder_(std::move(h)) {}

	Holder holder_;

private:
	static memkind_t get_kind(memkind_t k) { return k; }
	static memkind_t get_kind(const std::shared_ptr<owned_kind> &k)
	{
		return k->get();
	}
};

template <typename T, typename U, typename H, template <typename> class S>
bool operator==(const kind_allocator_base<T, H, S> &a,
		const kind_allocator_base<U, H, S> &b)
{
	return a.kind() == b.kind();
}

template <typename T, typename U, typename H, template <typename> class S>
bool operator!=(const kind_allocator_base<T, H, S> &a,
		const kind_allocator_base<U, H, S> &b)
{
	return !(a == b);
}

} // namespace internal
} // namespace libmemkind

#endif /* _MEMKIND_INTERNAL_KIND_ALLOCATOR_H */
