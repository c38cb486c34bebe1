// SPDX-License-Identifier: MIT
/* API basics and every error path of libmemkind. */
#include <fcntl.h>
#include <memkind/internal/memkind_pmem.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "kind_helpers.h"

static void check_errors_text(void)
{
	static const int codes[] = {
	    MEMKIND_SUCCESS,
	    MEMKIND_ERROR_UNAVAILABLE,
	    MEMKIND_ERROR_MBIND,
	    MEMKIND_ERROR_MMAP,
	    MEMKIND_ERROR_MALLOC,
	    MEMKIND_ERROR_ENVIRON,
	    MEMKIND_ERROR_INVALID,
	    MEMKIND_ERROR_TOOMANY,
	    MEMKIND_ERROR_BADOPS,
	    MEMKIND_ERROR_HUGETLB,
	    MEMKIND_ERROR_MEMTYPE_NOT_AVAILABLE,
	    MEMKIND_ERROR_OPERATION_FAILED,
	    MEMKIND_ERROR_ARENAS_CREATE,
	    MEMKIND_ERROR_RUNTIME,
	};
	char msg[MEMKIND_ERROR_MESSAGE_SIZE], other[MEMKIND_ERROR_MESSAGE_SIZE];
	size_t i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		memkind_error_message(codes[i], msg, sizeof(msg));
		CHECK(strlen(msg) > 10);
		CHECK(!strstr(msg, "undefined"));
		if (i) {
			memkind_error_message(codes[i - 1], other,
					      sizeof(other));
			CHECK(strcmp(msg, other) != 0);
		}
	}
	memkind_error_message(-4242, msg, sizeof(msg));
	CHECK(strstr(msg, "undefined"));
	memkind_error_message(MEMKIND_ERROR_INVALID, msg, 5);
	CHECK(strlen(msg) == 4);
	memkind_error_message(MEMKIND_ERROR_INVALID, NULL, 0);
}

static void check_constants(void)
{
	CHECK(MEMKIND_PMEM_MIN_SIZE == 16 * 1024 * 1024);
	CHECK(MEMKIND_ERROR_INVALID == -13);
	CHECK(MEMKIND_ERROR_TOOMANY == -15);
	CHECK(MEMKIND_ERROR_ARENAS_CREATE == -22);
	CHECK(memkind_get_version() == 1014000);
}

static void check_bad_create(const char *dir)
{
	char path[4096];
	memkind_t kind = NULL;
	struct memkind_config *cfg;
	int fd;

	CHECK(memkind_create_pmem(NULL, 0, &kind) == MEMKIND_ERROR_INVALID);
	CHECK(memkind_create_pmem("/nonexistent/dir", 0, &kind) ==
	      MEMKIND_ERROR_INVALID);
	snprintf(path, sizeof(path), "%s/file", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	CHECK(fd >= 0);
	close(fd);
	CHECK(memkind_create_pmem(path, 0, &kind) == MEMKIND_ERROR_INVALID);
	CHECK(errno == ENOTDIR);
	unlink(path);
	CHECK(memkind_create_pmem(dir, MEMKIND_PMEM_MIN_SIZE - 1, &kind) ==
	      MEMKIND_ERROR_INVALID);
	CHECK(memkind_create_pmem(dir, 1, &kind) == MEMKIND_ERROR_INVALID);
	CHECK(memkind_create_pmem(dir, 0, NULL) == MEMKIND_ERROR_INVALID);
	CHECK(memkind_create_shared(4096, &kind) == MEMKIND_ERROR_INVALID);
	/* More address space than exists: a clear error, nothing left. */
	CHECK(memkind_create_pmem(dir, SIZE_MAX, &kind) == MEMKIND_ERROR_MMAP);
	CHECK(memkind_create_shared(SIZE_MAX / 2, &kind) == MEMKIND_ERROR_MMAP);
	CHECK(dir_entries(dir) == 0);
	CHECK(kind == NULL);
	/* Unwritable directory (root ignores modes: only check as a user). */
	if (geteuid() != 0) {
		snprintf(path, sizeof(path), "%s/ro", dir);
		CHECK(mkdir(path, 0500) == 0);
		CHECK(memkind_create_pmem(path, 0, &kind) ==
		      MEMKIND_ERROR_INVALID);
		rmdir(path);
	}
	CHECK(memkind_create_pmem_with_config(NULL, &kind) ==
	      MEMKIND_ERROR_INVALID);
	cfg = memkind_config_new();
	CHECK(cfg);
	CHECK(memkind_create_pmem_with_config(cfg, &kind) ==
	      MEMKIND_ERROR_INVALID);
	memkind_config_set_path(cfg, dir);
	memkind_config_set_size(cfg, MEMKIND_PMEM_MIN_SIZE / 2);
	CHECK(memkind_create_pmem_with_config(cfg, &kind) ==
	      MEMKIND_ERROR_INVALID);
	memkind_config_set_size(cfg, MEMKIND_PMEM_MIN_SIZE);
	memkind_config_set_memory_usage_policy(cfg, 77);
	CHECK(memkind_create_pmem_with_config(cfg, &kind) ==
	      MEMKIND_ERROR_INVALID);
	memkind_config_set_memory_usage_policy(
	    cfg, MEMKIND_MEM_USAGE_POLICY_CONSERVATIVE);
	CHECK(memkind_create_pmem_with_config(cfg, &kind) == 0);
	CHECK(memkind_destroy_kind(kind) == 0);
	memkind_config_delete(cfg);
	memkind_config_delete(NULL);
	memkind_config_set_path(NULL, dir);
	memkind_config_set_size(NULL, 1);
}

static void check_static_kinds(void)
{
	void *p;

	CHECK(memkind_destroy_kind(MEMKIND_DEFAULT) == MEMKIND_ERROR_INVALID);
	CHECK(memkind_destroy_kind(MEMKIND_REGULAR) == MEMKIND_ERROR_INVALID);
	CHECK(memkind_destroy_kind(NULL) == MEMKIND_ERROR_INVALID);
	CHECK(memkind_check_available(MEMKIND_DEFAULT) == 0);
	CHECK(memkind_check_available(NULL) != 0);
	p = memkind_malloc(MEMKIND_DEFAULT, 100);
	CHECK(p);
	memset(p, 1, 100);
	CHECK(memkind_detect_kind(p) == MEMKIND_DEFAULT);
	CHECK(memkind_malloc_usable_size(MEMKIND_DEFAULT, p) >= 100);
	p = memkind_realloc(NULL, p, 5000);
	CHECK(p);
	memkind_free(NULL, p);
	/* jemalloc's size classes, as memkind's default kind has them. */
	p = memkind_malloc(MEMKIND_DEFAULT, 512);
	CHECK(memkind_malloc_usable_size(MEMKIND_DEFAULT, p) == 512);
	memkind_free(MEMKIND_DEFAULT, p);
	p = memkind_calloc(MEMKIND_REGULAR, 10, 10);
	CHECK(p && ((char *)p)[99] == 0);
	memkind_free(MEMKIND_REGULAR, p);
	CHECK(memkind_calloc(MEMKIND_DEFAULT, SIZE_MAX / 2, 3) == NULL);
	CHECK(memkind_posix_memalign(MEMKIND_DEFAULT, &p, 4096, 10) == 0);
	CHECK(((uintptr_t)p & 4095) == 0);
	memkind_free(NULL, p);
	/* With no kind named, a malloc() block is told apart and freed. */
	p = malloc(10);
	CHECK(memkind_malloc_usable_size(NULL, p) >= 10);
	p = memkind_realloc(NULL, p, 20000);
	CHECK(p);
	memkind_free(NULL, p);
	errno = 0;
	CHECK(memkind_malloc(NULL, 10) == NULL && errno == EINVAL);
	CHECK(memkind_calloc(NULL, 1, 10) == NULL);
	CHECK(memkind_posix_memalign(NULL, &p, 64, 10) == EINVAL);
	memkind_free(NULL, NULL);
	CHECK(memkind_detect_kind(NULL) == NULL);
}

static void check_pmem_kind(const char *dir)
{
	memkind_t kind;
	void *p, *q;
	size_t i;
	int flags = 0;

	CHECK(memkind_create_pmem(dir, 0, &kind) == 0);
	CHECK(memkind_check_available(kind) == 0);
	CHECK(dir_entries(dir) == 0);
	CHECK(memkind_malloc(kind, 0) == NULL);
	p = memkind_malloc(kind, 1000);
	CHECK(p);
	fill_pattern(p, 1000, 1);
	CHECK(memkind_detect_kind(p) == kind);
	CHECK(memkind_malloc_usable_size(kind, p) >= 1000);
	CHECK(memkind_malloc_usable_size(NULL, p) >= 1000);
	p = memkind_realloc(kind, p, 100000);
	CHECK(p && check_pattern(p, 1000, 1));
	CHECK(memkind_detect_kind(p) == kind);
	memkind_free(NULL, p); /* finds the kind itself */

	errno = 0;
	CHECK(memkind_calloc(kind, SIZE_MAX / 2, 4) == NULL && errno == ENOMEM);
	p = memkind_calloc(kind, 1000, 8);
	CHECK(p);
	for (i = 0; i < 8000; i++)
		CHECK(((unsigned char *)p)[i] == 0);
	memkind_free(kind, p);

	CHECK(memkind_posix_memalign(kind, &p, 3, 64) == EINVAL);
	CHECK(memkind_posix_memalign(kind, &p, 2, 64) == EINVAL);
	CHECK(memkind_posix_memalign(kind, &p, 0, 64) == EINVAL);
	CHECK(memkind_posix_memalign(kind, NULL, 64, 64) == EINVAL);
	CHECK(memkind_posix_memalign(kind, &p, (size_t)1 << 62, 64) == ENOMEM);
	CHECK(memkind_posix_memalign(kind, &p, 64, SIZE_MAX - 100) == ENOMEM);
	CHECK(memkind_posix_memalign(kind, &p, 4096, 100) == 0);
	CHECK(((uintptr_t)p & 4095) == 0 && memkind_detect_kind(p) == kind);
	q = memkind_realloc(NULL, p, 0); /* realloc to 0 frees */
	CHECK(q == NULL);
	p = memkind_realloc(kind, NULL, 64);
	CHECK(p && memkind_detect_kind(p) == kind);
	fill_pattern(p, 64, 9);
	errno = 0;
	CHECK(memkind_realloc(kind, p, SIZE_MAX - 100) == NULL &&
	      errno == ENOMEM);
	CHECK(check_pattern(p, 64, 9)); /* a failed realloc keeps the block */
	memkind_free(kind, p);

	CHECK(memkind_pmem_get_mmap_flags(kind, &flags) == 0);
	CHECK(flags == MAP_SHARED);
	p = memkind_pmem_mmap(kind, NULL, 8192);
	CHECK(p != MAP_FAILED && memkind_detect_kind(p) == kind);
	memset(p, 7, 8192);
	CHECK(memkind_pmem_mmap(NULL, NULL, 8192) == MAP_FAILED);
	CHECK(memkind_pmem_destroy(MEMKIND_DEFAULT) == MEMKIND_ERROR_INVALID);
	CHECK(memkind_destroy_kind(kind) == 0);
	CHECK(dir_entries(dir) == 0);
}

static void check_bounded_mmap(const char *dir)
{
	memkind_t kind;
	void *p;

	CHECK(memkind_create_pmem(dir, MEMKIND_PMEM_MIN_SIZE, &kind) == 0);
	errno = 0;
	p = memkind_pmem_mmap(kind, NULL, MEMKIND_PMEM_MIN_SIZE + 4096);
	CHECK(p == MAP_FAILED && errno == ENOMEM);
	CHECK(memkind_destroy_kind(kind) == 0);
}

static void check_dax(const char *dir)
{
	CHECK(memkind_check_dax_path(NULL) != 0);
	CHECK(memkind_check_dax_path("/nonexistent") != 0);
	/* Neither tmpfs nor this test directory is mounted with -o dax. */
	CHECK(memkind_check_dax_path("/dev/shm") != 0);
	CHECK(memkind_check_dax_path(dir) != 0);
}

int main(void)
{
	const char *dir = test_tmpdir(NULL);
	int fds, maps;

	CHECK(dir);
	check_constants();
	check_errors_text();
	/* One kind first: the library's one-time tables and caches settle. */
	check_bounded_mmap(dir);
	fds = count_fds();
	maps = count_maps();
	check_bad_create(dir);
	CHECK(count_fds() == fds); /* failed creates leave nothing open */
	CHECK(count_maps() == maps);
	check_static_kinds();
	check_pmem_kind(dir);
	check_bounded_mmap(dir);
	check_dax(dir);
	CHECK(rmdir(dir) == 0);
	return 0;
}
