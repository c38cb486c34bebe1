/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the test programs. A test is a standalone program that
 * exits 0 when it passes, 77 when the machine cannot run it and 1 when it
 * fails; tests/run-tests.sh turns that into a verdict.
 */
#ifndef TEST_H
#define TEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define TEST_SKIP_CODE 77

/*
 * The VM's fault-injection pass sets XPMEM_TEST_FAILINJECT=1: from here on,
 * once the program is loaded, the kernel may fail allocations made for this
 * process and its children (failslab and fail_page_alloc scoped with
 * make-it-fail). Set here rather than before exec, because an allocation
 * that fails after exec's point of no return kills the new program with
 * SIGSEGV, which would hide the failures of the calls under test.
 */
__attribute__((constructor)) static void test_failinject_start(void)
{
	const char *on = getenv("XPMEM_TEST_FAILINJECT");
	int fd;

	if (!on || strcmp(on, "1") != 0)
		return;
	fd = open("/proc/self/make-it-fail", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "1", 1) != 1)
			fprintf(stderr, "make-it-fail: %s\n", strerror(errno));
		close(fd);
	}
}

#define CHECK(cond)							\
	do {								\
		if (!(cond))						\
			test_fail_at(__FILE__, __LINE__, "%s (errno %d: %s)", \
				     #cond, errno, strerror(errno));	\
	} while (0)

#define CHECK_ERRNO(expr, want_errno)					\
	do {								\
		errno = 0;						\
		long check_rv_ = (long)(expr);				\
		if (check_rv_ != -1 || errno != (want_errno))		\
			test_fail_at(__FILE__, __LINE__,		\
				     "%s: want -1/%s, got %ld/%s", #expr, \
				     strerror(want_errno), check_rv_,	\
				     strerror(errno));			\
	} while (0)

__attribute__((noreturn, format(printf, 3, 4)))
static inline void test_fail_at(const char *file, int line,
				const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: check failed: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

__attribute__((noreturn, format(printf, 1, 2)))
static inline void test_skip(const char *fmt, ...)
{
	va_list ap;

	printf("skip: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	exit(TEST_SKIP_CODE);
}

/* Waits for a child and returns its exit status, or 128+signal. */
static inline int test_wait(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

/*
 * Makes a fresh directory below $TMPDIR (or /tmp) and returns its path in a
 * static buffer; the caller removes it.
 */
static inline const char *test_tmpdir(const char *base)
{
	static char path[4096];

	if (!base)
		base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	snprintf(path, sizeof(path), "%s/xpmtest.XXXXXX", base);
	if (!mkdtemp(path))
		return NULL;
	return path;
}

#endif /* TEST_H */
