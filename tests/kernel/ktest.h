/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the kernel-only tests: they need the module (/dev/xpmem and the
 * library's kernel backend), read its counters in /proc/xpmem/stats, and
 * pass values between the processes of a test through pipes.
 */
#ifndef KTEST_H
#define KTEST_H

#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <time.h>

#include <xpmem.h>

#include "test.h"

#define KTEST_STATS_PATH "/proc/xpmem/stats"

static inline size_t page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

/* Skips unless the module serves this process. */
static inline void require_kernel_backend(void)
{
	const char *why = NULL;

	if (access("/dev/xpmem", R_OK | W_OK) != 0)
		test_skip("/dev/xpmem is not available (module not loaded)");
	if (xpmem_backend(&why) != XPMEM_BACKEND_KERNEL)
		test_skip("libxpmem does not use the kernel backend: %s",
			  why ? why : "?");
}

static inline void require_root(void)
{
	if (geteuid() != 0)
		test_skip("needs root to switch to a second uid");
}

/* Becomes uid/gid 65534 (nobody); used in forked children. */
static inline void drop_to_nobody(void)
{
	CHECK(setgroups(0, NULL) == 0);
	CHECK(setresgid(65534, 65534, 65534) == 0);
	CHECK(setresuid(65534, 65534, 65534) == 0);
}

/* The module's live counters: all of them drop back when nothing is used. */
struct kstats {
	long segments;
	long permits;
	long attachments;
	long pinned_pages;
};

/* Value of one counter, or -1 if the file or the line is missing. */
static inline long kstat(const char *name)
{
	char line[256], key[128];
	long value, found = -1;
	FILE *f = fopen(KTEST_STATS_PATH, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%127s %ld", key, &value) == 2 &&
		    strcmp(key, name) == 0)
			found = value;
	fclose(f);
	return found;
}

static inline struct kstats kstats_read(void)
{
	struct kstats s = {
		.segments = kstat("segments"),
		.permits = kstat("permits"),
		.attachments = kstat("attachments"),
		.pinned_pages = kstat("pinned_pages"),
	};

	if (s.segments < 0 || s.permits < 0 || s.attachments < 0 ||
	    s.pinned_pages < 0)
		test_fail_at(__FILE__, __LINE__,
			     "%s lacks segments/permits/attachments/pinned_pages",
			     KTEST_STATS_PATH);
	return s;
}

static inline bool kstats_equal(struct kstats a, struct kstats b)
{
	return a.segments == b.segments && a.permits == b.permits &&
	       a.attachments == b.attachments &&
	       a.pinned_pages == b.pinned_pages;
}

static inline void kstats_print(const char *what, struct kstats s)
{
	fprintf(stderr, "%s: segments %ld permits %ld attachments %ld pinned_pages %ld\n",
		what, s.segments, s.permits, s.attachments, s.pinned_pages);
}

/*
 * Waits up to `seconds` for the counters to come back to `base` (cleanup at
 * process exit may finish just after the parent reaped the child) and
 * fails the test with both sets printed if they do not.
 */
#define CHECK_KSTATS_BACK(base, seconds)				\
	do {								\
		struct kstats now_;					\
		int tries_ = (seconds) * 10;				\
		while (!kstats_equal(now_ = kstats_read(), (base)) &&	\
		       tries_-- > 0)					\
			usleep(100000);					\
		if (!kstats_equal(now_, (base))) {			\
			kstats_print("before", (base));			\
			kstats_print("after", now_);			\
			test_fail_at(__FILE__, __LINE__,		\
				     "module counters did not come back"); \
		}							\
	} while (0)

static inline unsigned char pattern_byte(size_t i, unsigned int seed)
{
	return (unsigned char)((i * 151 + seed * 13 + (i >> 12)) & 0xff);
}

static inline void fill_pattern(void *p, size_t size, unsigned int seed)
{
	unsigned char *b = p;
	size_t i;

	for (i = 0; i < size; i++)
		b[i] = pattern_byte(i, seed);
}

/* Fails the test at the first byte that differs, naming it. */
#define CHECK_PATTERN(p, size, seed)					\
	do {								\
		const volatile unsigned char *b_ = (const void *)(p);	\
		size_t i_;						\
		for (i_ = 0; i_ < (size_t)(size); i_++)			\
			if (b_[i_] != pattern_byte(i_, (seed)))		\
				test_fail_at(__FILE__, __LINE__,	\
					     "byte %zu is 0x%02x, want 0x%02x (seed %u)", \
					     i_, b_[i_],		\
					     pattern_byte(i_, (seed)),	\
					     (unsigned int)(seed));	\
	} while (0)

/* A pair of pipes between a parent and one child. */
struct channel {
	int down[2];	/* parent writes, child reads */
	int up[2];	/* child writes, parent reads */
};

static inline void channel_open(struct channel *ch)
{
	CHECK(pipe(ch->down) == 0);
	CHECK(pipe(ch->up) == 0);
}

/*
 * After fork, each side closes the ends it does not use, so that a peer's
 * death shows as end-of-file instead of a read that waits forever.
 */
static inline void channel_parent(struct channel *ch)
{
	close(ch->down[0]);
	close(ch->up[1]);
}

static inline void channel_child(struct channel *ch)
{
	close(ch->down[1]);
	close(ch->up[0]);
}

static inline void put_u64(int fd, uint64_t v)
{
	CHECK(write(fd, &v, sizeof(v)) == sizeof(v));
}

/* Reads one value; a closed pipe (the peer died) fails the test. */
static inline uint64_t get_u64(int fd)
{
	uint64_t v;

	CHECK(read(fd, &v, sizeof(v)) == sizeof(v));
	return v;
}

static inline pid_t fork_checked(void)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	CHECK(pid >= 0);
	return pid;
}

static inline bool faulted(int status)
{
	return status == 128 + SIGSEGV || status == 128 + SIGBUS;
}

/*
 * Reads or writes one byte and reports whether that raised SIGSEGV or
 * SIGBUS, without dying: the handler jumps back. For probes of the
 * caller's own attachments, which a forked child would not inherit.
 *
 * The handlers are installed once for the process and never swapped, so
 * threads probing at the same time cannot restore each other's handlers;
 * a fault outside a probe still kills the process as it would have.
 */
static _Thread_local sigjmp_buf ktest_probe_env;
static _Thread_local volatile sig_atomic_t ktest_probing;

static inline void ktest_probe_handler(int sig)
{
	if (!ktest_probing) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	ktest_probing = 0;
	siglongjmp(ktest_probe_env, sig);
}

static inline void ktest_install_probe_handlers(void)
{
	struct sigaction sa = { .sa_handler = ktest_probe_handler };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
}

static inline int probe_byte(volatile unsigned char *addr, bool write,
			     unsigned char *value)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	int sig;

	pthread_once(&once, ktest_install_probe_handlers);
	sig = sigsetjmp(ktest_probe_env, 1);
	if (sig == 0) {
		ktest_probing = 1;
		if (write)
			*addr = *value;
		else
			*value = *addr;
		ktest_probing = 0;
	}
	return sig;
}

/*
 * Like probe_byte(), for one aligned 8-byte read: a single load, so a
 * concurrent 8-byte store is seen entirely or not at all.
 */
static inline int probe_u64(const volatile uint64_t *addr, uint64_t *value)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	int sig;

	pthread_once(&once, ktest_install_probe_handlers);
	sig = sigsetjmp(ktest_probe_env, 1);
	if (sig == 0) {
		ktest_probing = 1;
		*value = *addr;
		ktest_probing = 0;
	}
	return sig;
}

static inline struct xpmem_addr xaddr(xpmem_apid_t apid, off_t offset)
{
	struct xpmem_addr a = { .apid = apid, .offset = offset };

	return a;
}

/* Private anonymous memory, the kind only the module can export. */
static inline void *anon_pages(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(p != MAP_FAILED);
	return p;
}

static inline double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif /* KTEST_H */
