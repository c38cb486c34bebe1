// SPDX-License-Identifier: MIT
/*
 * The C++ allocators (<pmem_allocator.h>, <fixed_allocator.h>,
 * <memkind_allocator.h>, <hbw_allocator.h>) in standard containers: the
 * elements land in the kind's memory, copies and rebinds share the kind,
 * bad arguments throw, and the file-backed kind goes with its last copy.
 */
#include <fixed_allocator.h>
#include <hbw_allocator.h>
#include <memkind_allocator.h>
#include <pmem_allocator.h>

#include <cstdio>
#include <cstdlib>
#include <list>
#include <map>
#include <string>
#include <sys/mman.h>
#include <unistd.h>
#include <vector>

#define CHECK(c)                                                               \
	do {                                                                   \
		if (!(c)) {                                                    \
			std::fprintf(stderr, "%s:%d: check failed: %s\n",      \
				     __FILE__, __LINE__, #c);                  \
			std::exit(1);                                          \
		}                                                              \
	} while (0)

static void check_pmem(const char *dir)
{
	using alloc_t = libmemkind::pmem::allocator<int>;
	alloc_t alloc(dir, 64 << 20);
	std::vector<int, alloc_t> v(alloc);
	memkind_t kind;

	for (int i = 0; i < 100000; i++)
		v.push_back(i);
	kind = memkind_detect_kind(v.data());
	CHECK(kind == alloc.kind());
	CHECK(kind != MEMKIND_DEFAULT);
	for (int i = 0; i < 100000; i++)
		CHECK(v[i] == i);

	/* A rebound copy (list nodes) shares the kind. */
	std::list<int, alloc_t> l(alloc);
	l.push_back(7);
	CHECK(memkind_detect_kind(&l.front()) == kind);
	libmemkind::pmem::allocator<long> other(alloc);
	CHECK(other == alloc);

	/* A second kind is another heap. */
	alloc_t second(std::string(dir), 32 << 20,
		       libmemkind::allocation_policy::CONSERVATIVE);
	CHECK(second != alloc);

	/* Out of space: std::bad_alloc. */
	std::vector<char, libmemkind::pmem::allocator<char>> big(
	    libmemkind::pmem::allocator<char>(dir, 16 << 20));
	bool threw = false;
	try {
		big.resize(64 << 20);
	} catch (const std::bad_alloc &) {
		threw = true;
	}
	CHECK(threw);
}

static void check_bad_args()
{
	bool threw = false;

	try {
		libmemkind::pmem::allocator<int> a("/nonexistent/dir", 64 << 20);
	} catch (const std::invalid_argument &) {
		threw = true;
	} catch (const std::runtime_error &) {
		threw = true;
	}
	CHECK(threw);
	threw = false;
	try {
		libmemkind::pmem::allocator<int> a("/tmp", 1); /* below min */
	} catch (const std::invalid_argument &) {
		threw = true;
	}
	CHECK(threw);
	threw = false;
	try {
		libmemkind::fixed::allocator<int> a(nullptr, 1 << 20);
	} catch (const std::invalid_argument &) {
		threw = true;
	}
	CHECK(threw);
}

static void check_fixed()
{
	size_t len = 8 << 20;
	void *mem = mmap(nullptr, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(mem != MAP_FAILED);
	{
		using alloc_t = libmemkind::fixed::allocator<int>;
		alloc_t alloc(mem, len);
		std::vector<int, alloc_t> v(alloc);
		for (int i = 0; i < 1000; i++)
			v.push_back(i);
		char *p = reinterpret_cast<char *>(v.data());
		CHECK(p >= static_cast<char *>(mem) &&
		      p < static_cast<char *>(mem) + len);
		CHECK(memkind_get_capacity(alloc.kind()) == (ssize_t)len);
	}
	munmap(mem, len);
}

static void check_static()
{
	using alloc_t = libmemkind::static_kind::allocator<double>;
	alloc_t def(libmemkind::kinds::DEFAULT);
	std::vector<double, alloc_t> v(def);
	v.assign(1000, 1.5);
	CHECK(memkind_detect_kind(v.data()) == MEMKIND_DEFAULT);

	alloc_t reg(libmemkind::kinds::REGULAR);
	std::map<int, int, std::less<int>,
		 libmemkind::static_kind::allocator<std::pair<const int, int>>>
	    m(reg);
	m[1] = 2;
	CHECK(memkind_detect_kind(&m.begin()->second) == MEMKIND_REGULAR);
	CHECK(def != reg);

	bool threw = false;
	try {
		alloc_t bad(static_cast<libmemkind::kinds>(99));
	} catch (const std::runtime_error &) {
		threw = true;
	}
	CHECK(threw);
}

/* hbw::allocator follows the hbwmalloc policy: with the default
 * (preferred) policy it works whether or not the machine has HBW. */
static void check_hbw()
{
	std::vector<int, hbw::allocator<int>> v;
	for (int i = 0; i < 1000; i++)
		v.push_back(i);
	CHECK(v[999] == 999);
	CHECK(hbw::allocator<int>() == hbw::allocator<char>());
}

int main()
{
	char dir[] = "/tmp/xpmtest.XXXXXX";
	const char *tmp = std::getenv("TMPDIR");
	std::string templ = std::string(tmp ? tmp : "/tmp") + "/xpmtest.XXXXXX";
	std::vector<char> buf(templ.begin(), templ.end());

	buf.push_back(0);
	CHECK(mkdtemp(buf.data()));
	(void)dir;
	check_pmem(buf.data());
	check_bad_args();
	check_fixed();
	check_static();
	check_hbw();
	rmdir(buf.data());
	return 0;
}
