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
#include <sched.h>
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

/* AnonHugePages of the mappings inside [addr, addr + len), in bytes. */
static inline long anon_huge_bytes(const void *addr, size_t len)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	unsigned long start, end, lo = (unsigned long)addr, hi = lo + len;
	bool inside = false;
	char line[512];
	long kb, total = 0;

	CHECK(f != NULL);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2 &&
		    strchr(line, '-') < strchr(line, ' '))
			inside = start < hi && lo < end;
		else if (inside &&
			 sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			total += kb * 1024;
	}
	fclose(f);
	return total;
}

/*
 * @size bytes of private anonymous memory starting at a multiple of
 * @align (a power of two), for huge pages.
 */
static inline unsigned char *aligned_range(size_t size, size_t align)
{
	unsigned char *raw, *mem;
	size_t head;

	raw = mmap(NULL, size + align, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(raw != MAP_FAILED);
	mem = (unsigned char *)(((uintptr_t)raw + align - 1) &
				~(uintptr_t)(align - 1));
	head = (size_t)(mem - raw);
	if (head)
		CHECK(munmap(raw, head) == 0);
	CHECK(munmap(mem + size, align - head) == 0);
	return mem;
}

static inline double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Polls @cond every 20 ms for up to @seconds; true if it became true. */
#define WAIT_UNTIL(cond, seconds)					\
	({								\
		double end_ = now_seconds() + (seconds);		\
		bool ok_;						\
		while (!(ok_ = (cond)) && now_seconds() < end_)	\
			usleep(20000);					\
		ok_;							\
	})

/*
 * Word patterns for large buffers: word i is seed * 2^40 + i, cheap to
 * write and to check, and no two words of a buffer (or of two buffers of
 * different seeds) are alike.
 */
static inline uint64_t word_at(uint64_t seed, size_t i)
{
	return (seed << 40) + i;
}

static inline void fill_words(uint64_t *mem, size_t bytes, uint64_t seed)
{
	size_t i;

	for (i = 0; i < bytes / sizeof(uint64_t); i++)
		mem[i] = word_at(seed, i);
}

/* Checks words [first, first + n) of @mem; @seed 0 wants zeros. */
static inline void check_words(const uint64_t *mem, size_t first, size_t n,
			       uint64_t seed)
{
	size_t i;

	for (i = first; i < first + n; i++) {
		uint64_t want = seed ? word_at(seed, i) : 0;

		if (mem[i] != want)
			test_fail_at(__FILE__, __LINE__,
				     "word %zu is %#llx, want %#llx", i,
				     (unsigned long long)mem[i],
				     (unsigned long long)want);
	}
}

/* /proc/<pid>/pagemap bits (pid 0: this process). */
#define PM_PRESENT	(1ULL << 63)
#define PM_SWAPPED	(1ULL << 62)
#define PM_PFN_MASK	((1ULL << 55) - 1)

static inline uint64_t pagemap_entry(pid_t pid, const void *addr)
{
	char path[64];
	uint64_t e;
	int fd;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/pagemap");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0);
	CHECK(pread(fd, &e, sizeof(e),
		    (off_t)((uintptr_t)addr / page_size() * sizeof(e))) ==
	      sizeof(e));
	close(fd);
	return e;
}

/* Pages of [mem, mem + n pages) whose pagemap entry has all of @bits. */
static inline int pagemap_count(pid_t pid, const unsigned char *mem, int n,
				uint64_t bits)
{
	int p, count = 0;

	for (p = 0; p < n; p++)
		if ((pagemap_entry(pid, mem + (size_t)p * page_size()) &
		     bits) == bits)
			count++;
	return count;
}

/*
 * Keeps this process, and the children it forks afterwards, on the CPU it
 * runs on. Pages a task faults in wait in a per-CPU batch before they reach
 * the LRU lists, and madvise(MADV_PAGEOUT) only flushes its own CPU's: a
 * test that wants every page reclaimed runs everything on one CPU.
 */
static inline void pin_to_one_cpu(void)
{
	cpu_set_t set;
	int cpu = sched_getcpu();

	CHECK(cpu >= 0);
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	CHECK(sched_setaffinity(0, sizeof(set), &set) == 0);
}

/* A small sysfs or procfs file: its first line, without the newline. */
static inline bool read_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	bool ok;

	if (!f)
		return false;
	ok = fgets(buf, (int)size, f) != NULL;
	fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = 0;
	return ok;
}

static inline bool write_line(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return false;
	n = write(fd, value, strlen(value));
	close(fd);
	return n == (ssize_t)strlen(value);
}

/* A /proc/meminfo value in kB ("MemAvailable"), failing if missing. */
static inline long meminfo_kb(const char *field)
{
	char line[256], key[64];
	long kb, found = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	CHECK(f != NULL);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63[^:]: %ld", key, &kb) == 2 &&
		    strcmp(key, field) == 0)
			found = kb;
	fclose(f);
	CHECK(found >= 0);
	return found;
}

#define THP_DIR "/sys/kernel/mm/transparent_hugepage"

/* Skips the test unless transparent huge pages are (or can be) on. */
static inline void require_thp(void);

static inline long read_long(const char *path)
{
	char buf[64];

	CHECK(read_line(path, buf, sizeof(buf)));
	return strtol(buf, NULL, 10);
}

/*
 * Global settings a test changes (THP, KSM...): set_setting() keeps the
 * first old value of each file and the process that called it puts them
 * all back when it exits, passing or failing; its forked children do not.
 */
#define KTEST_MAX_SETTINGS 8

struct ktest_setting {
	char path[128];
	char old[256];
};

static struct ktest_setting ktest_settings[KTEST_MAX_SETTINGS];
static int ktest_nr_settings;
static pid_t ktest_settings_pid;

static inline void ktest_restore_settings(void)
{
	int i;

	if (getpid() != ktest_settings_pid)
		return;
	for (i = ktest_nr_settings - 1; i >= 0; i--)
		if (!write_line(ktest_settings[i].path, ktest_settings[i].old))
			fprintf(stderr, "cannot restore %s to %s\n",
				ktest_settings[i].path, ktest_settings[i].old);
	ktest_nr_settings = 0;
}

/*
 * Some files show a choice as "always [madvise] never": the bracketed word
 * is what to write back.
 */
static inline void setting_value(const char *line, char *out, size_t size)
{
	const char *open_ = strchr(line, '['), *close_;

	if (open_ && (close_ = strchr(open_, ']'))) {
		snprintf(out, size, "%.*s", (int)(close_ - open_ - 1),
			 open_ + 1);
		return;
	}
	snprintf(out, size, "%s", line);
}

static inline bool set_setting(const char *path, const char *value)
{
	struct ktest_setting *st;
	char line[256];
	int i;

	for (i = 0; i < ktest_nr_settings; i++)
		if (strcmp(ktest_settings[i].path, path) == 0)
			return write_line(path, value);
	if (!read_line(path, line, sizeof(line)))
		return false;
	CHECK(ktest_nr_settings < KTEST_MAX_SETTINGS);
	st = &ktest_settings[ktest_nr_settings];
	CHECK(strlen(path) < sizeof(st->path));
	memcpy(st->path, path, strlen(path) + 1);
	setting_value(line, st->old, sizeof(st->old));
	if (!ktest_nr_settings++) {
		ktest_settings_pid = getpid();
		atexit(ktest_restore_settings);
	}
	return write_line(path, value);
}

#define HUGETLB_POOL "/sys/kernel/mm/hugepages/hugepages-2048kB"

/* Free 2 MiB hugetlbfs pages: neither in use nor reserved. */
static inline long hugetlb_free(void)
{
	return read_long(HUGETLB_POOL "/free_hugepages");
}

/*
 * Grows the pool of 2 MiB hugetlbfs pages until @need are free (unused
 * and unreserved), or skips saying what the kernel gave. The old size
 * comes back at exit.
 */
static inline void hugetlb_reserve(long need)
{
	long nr, free_now;
	char value[32];

	if (access(HUGETLB_POOL "/nr_hugepages", W_OK) != 0)
		test_skip("no pool of 2 MiB hugetlbfs pages (%s): %s",
			  HUGETLB_POOL, strerror(errno));
	free_now = hugetlb_free();
	if (free_now >= need)
		return;
	nr = read_long(HUGETLB_POOL "/nr_hugepages");
	write_line("/proc/sys/vm/compact_memory", "1");
	snprintf(value, sizeof(value), "%ld", nr + need - free_now);
	if (!set_setting(HUGETLB_POOL "/nr_hugepages", value))
		test_skip("cannot write %s to %s/nr_hugepages: %s", value,
			  HUGETLB_POOL, strerror(errno));
	free_now = hugetlb_free();
	if (free_now < need)
		test_skip("asked for %ld free 2 MiB pages, the kernel has %ld",
			  need, free_now);
	printf("pool: %ld -> %ld huge pages\n", nr,
	       read_long(HUGETLB_POOL "/nr_hugepages"));
}

static inline void require_thp(void)
{
	char enabled[128];

	if (!read_line(THP_DIR "/enabled", enabled, sizeof(enabled)))
		test_skip("no transparent huge pages (%s)", THP_DIR);
	if (strstr(enabled, "[never]") && !set_setting(THP_DIR "/enabled",
						      "madvise"))
		test_skip("THP is disabled and cannot be enabled");
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

/* @permit: XPMEM_RDWR or XPMEM_RDONLY, for the child's permit. */
static inline void live_attach_start_mode(struct live_attach *t, void *mem,
					  size_t size, int permit,
					  live_attacher_fn attacher)
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
		apid = xpmem_get(t->segid, permit, XPMEM_PERMIT_MODE, NULL);
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

static inline void live_attach_start(struct live_attach *t, void *mem,
				     size_t size, live_attacher_fn attacher)
{
	live_attach_start_mode(t, mem, size, XPMEM_RDWR, attacher);
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
