/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the kernel-only tests, on top of those every XPMEM test shares
 * (xpmem_test.h): they need the module (/dev/xpmem and the library's kernel
 * backend), read its counters in /proc/xpmem/stats, and run an attacher in
 * a forked child against memory the parent exports.
 */
#ifndef KTEST_H
#define KTEST_H

#include <grp.h>
#include <time.h>

#include "../xpmem/xpmem_test.h"

#define KTEST_STATS_PATH "/proc/xpmem/stats"

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

/*
 * A live attachment: the parent exports [mem, mem + size) and a forked
 * child attaches the whole range once (read-write) and runs `attacher` on
 * it, talking to the parent through `ch`; the child then detaches,
 * releases and exits 0. The parent changes its memory between the steps
 * and finally checks, with live_attach_finish(), that the child passed and
 * that the module's counters are back where they were.
 */
struct live_attach {
	struct kstats base;
	xpmem_segid_t segid;
	struct channel ch;
	pid_t pid;
};

typedef void (*live_attacher_fn)(unsigned char *att, size_t size,
				 struct channel *ch);

/* The child is killed after this many seconds: no test can hang. */
#define LIVE_ATTACH_ALARM 60

static inline void live_attach_start(struct live_attach *t, void *mem,
				     size_t size, live_attacher_fn attacher)
{
	xpmem_apid_t apid;
	unsigned char *att;

	t->base = kstats_read();
	t->segid = xpmem_make(mem, size, XPMEM_PERMIT_MODE, (void *)0600);
	CHECK(t->segid > 0);
	channel_open(&t->ch);
	t->pid = fork_checked();
	if (t->pid == 0) {
		channel_child(&t->ch);
		alarm(LIVE_ATTACH_ALARM);
		apid = xpmem_get(t->segid, XPMEM_RDWR, XPMEM_PERMIT_MODE, NULL);
		CHECK(apid > 0);
		att = xpmem_attach(xaddr(apid, 0), size, NULL);
		CHECK(att != (void *)-1);
		attacher(att, size, &t->ch);
		CHECK(xpmem_detach(att) == 0);
		CHECK(xpmem_release(apid) == 0);
		fflush(NULL);
		_exit(0);
	}
	channel_parent(&t->ch);
}

/* Tells the attacher that step `step` may start. */
static inline void live_attach_go(struct live_attach *t, uint64_t step)
{
	put_u64(t->ch.down[1], step);
}

/* Waits until the attacher reports `step` done; its death fails the test. */
static inline void live_attach_wait(struct live_attach *t, uint64_t step)
{
	CHECK(get_u64(t->ch.up[0]) == step);
}

static inline void live_attach_finish(struct live_attach *t)
{
	CHECK(test_wait(t->pid) == 0);
	close(t->ch.down[1]);
	close(t->ch.up[0]);
	CHECK(xpmem_remove(t->segid) == 0);
	CHECK_KSTATS_BACK(t->base, 5);
}

/* The attacher's side of the steps. */
static inline void attacher_wait(struct channel *ch, uint64_t step)
{
	CHECK(get_u64(ch->down[0]) == step);
}

static inline void attacher_done(struct channel *ch, uint64_t step)
{
	put_u64(ch->up[1], step);
}

#endif /* KTEST_H */
