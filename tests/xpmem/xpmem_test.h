/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the XPMEM tests: shareable buffers, byte patterns, pipes that
 * carry 64-bit values between the processes of a test.
 */
#ifndef XPMEM_TEST_H
#define XPMEM_TEST_H

#include <dirent.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include <xpmem.h>

#include "test.h"

static inline size_t page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

/*
 * Repetition counts of the longer tests, scaled by XPMEM_TEST_SCALE (a
 * percentage, default 100): the VM harness lowers it on kernels with heavy
 * debugging, where each operation costs many times more.
 */
static inline int test_scaled(int n)
{
	const char *s = getenv("XPMEM_TEST_SCALE");
	long pct = s ? strtol(s, NULL, 10) : 100;

	if (pct < 1 || pct > 100)
		pct = 100;
	n = (int)(n * pct / 100);
	return n > 0 ? n : 1;
}

/*
 * A MAP_SHARED memfd mapping: memory both backends can export. The
 * descriptor stays open, as memory kinds keep theirs.
 */
static inline void *shared_buffer(size_t size)
{
	int fd = memfd_create("xpmem-test", MFD_CLOEXEC);
	void *p;

	CHECK(fd >= 0);
	CHECK(ftruncate(fd, (off_t)size) == 0);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(p != MAP_FAILED);
	return p;
}

/*
 * Shareable owner memory of each sort of file: a memfd, a file on tmpfs
 * (/dev/shm) and a file in $TMPDIR (a disk file system on most hosts). The
 * file is unlinked at once; its descriptor is left in *fd, for the tests
 * that truncate or punch it, and the file goes when it is closed.
 */
enum file_sort { FILE_MEMFD, FILE_SHM, FILE_TMPDIR, FILE_SORTS };

static inline const char *file_sort_name(enum file_sort sort)
{
	static const char *const names[] = { "memfd", "/dev/shm", "$TMPDIR" };

	return names[sort];
}

static inline void *file_buffer(enum file_sort sort, size_t size, int *fd)
{
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char path[4096];
	void *p;

	if (sort == FILE_MEMFD) {
		*fd = memfd_create("xpmem-test", MFD_CLOEXEC);
	} else {
		snprintf(path, sizeof(path), "%s/xpmtest.XXXXXX",
			 sort == FILE_SHM ? "/dev/shm" : dir);
		*fd = mkostemp(path, O_CLOEXEC);
		if (*fd >= 0)
			CHECK(unlink(path) == 0);
	}
	CHECK(*fd >= 0);
	CHECK(ftruncate(*fd, (off_t)size) == 0);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, *fd, 0);
	CHECK(p != MAP_FAILED);
	return p;
}

static inline unsigned char pattern_byte(size_t i, unsigned int seed)
{
	return (unsigned char)((i * 131 + seed * 7 + (i >> 12)) & 0xff);
}

static inline void fill_pattern(void *p, size_t size, unsigned int seed)
{
	unsigned char *b = p;
	size_t i;

	for (i = 0; i < size; i++)
		b[i] = pattern_byte(i, seed);
}

/*
 * Index of the first wrong byte, or size when all match. Volatile reads:
 * the bytes may be an attachment whose pages change under us.
 */
static inline size_t check_pattern(const void *p, size_t size,
				   unsigned int seed)
{
	const volatile unsigned char *b = p;
	size_t i;

	for (i = 0; i < size; i++)
		if (b[i] != pattern_byte(i, seed))
			return i;
	return size;
}

/* Fails the test at the first byte that differs, naming it. */
#define CHECK_PATTERN(p, size, seed)					\
	do {								\
		const volatile unsigned char *b_ = (const void *)(p);	\
		size_t n_ = (size_t)(size);				\
		unsigned int s_ = (unsigned int)(seed);			\
		size_t i_ = check_pattern((const void *)b_, n_, s_);	\
		if (i_ != n_)						\
			test_fail_at(__FILE__, __LINE__,		\
				     "%s: byte %zu is 0x%02x, want 0x%02x (seed %u)", \
				     #p, i_, b_[i_], pattern_byte(i_, s_), s_); \
	} while (0)

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

/* A pair of pipes between a parent and one child. */
struct channel {
	int down[2];	/* parent writes, child reads */
	int up[2];	/* child writes, parent reads */
};

static inline void channel_open(struct channel *ch)
{
	CHECK(pipe2(ch->down, O_CLOEXEC) == 0);
	CHECK(pipe2(ch->up, O_CLOEXEC) == 0);
}

static inline void channel_close(struct channel *ch)
{
	close(ch->down[0]);
	close(ch->down[1]);
	close(ch->up[0]);
	close(ch->up[1]);
}

/*
 * After fork, each side may close the ends it does not use, so that a
 * peer's death shows as end-of-file instead of a read that waits forever.
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

/*
 * The owner's end of a test over a file-backed window: the attacher @pid
 * passed, then the channel, the segment, the mapping and the file go.
 */
static inline void owner_finish(pid_t pid, struct channel *ch,
				xpmem_segid_t segid, void *mem, size_t size,
				int fd)
{
	CHECK(test_wait(pid) == 0);
	close(ch->down[1]);
	close(ch->up[0]);
	CHECK(xpmem_remove(segid) == 0);
	CHECK(munmap(mem, size) == 0);
	close(fd);
}

/* fork() with the stdio buffers flushed first, so nothing prints twice. */
static inline pid_t fork_checked(void)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	CHECK(pid >= 0);
	return pid;
}

/* Runs fn in a forked child; returns its exit status (128+sig if killed). */
static inline int run_child(int (*fn)(void *), void *arg)
{
	pid_t pid = fork();

	CHECK(pid >= 0);
	if (pid == 0) {
		int rc = fn(arg);

		fflush(NULL);
		_exit(rc);
	}
	return test_wait(pid);
}

/*
 * Reads or writes one byte and returns 0, or the signal (SIGSEGV, SIGBUS)
 * the access raised, without dying: the handler jumps back. In-process
 * because attachments of the kernel module are not inherited across fork:
 * a child would fault on any address.
 *
 * The handlers are installed once for the process and never swapped, so
 * threads probing at the same time cannot restore each other's handlers;
 * a fault outside a probe still kills the process as it would have.
 */
static _Thread_local sigjmp_buf test_probe_env;
static _Thread_local volatile sig_atomic_t test_probing;

static inline void test_probe_handler(int sig)
{
	if (!test_probing) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	test_probing = 0;
	siglongjmp(test_probe_env, sig);
}

static inline void test_install_probe_handlers(void)
{
	struct sigaction sa = { .sa_handler = test_probe_handler };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
}

static inline int probe_byte(volatile unsigned char *addr, bool write,
			     unsigned char *value)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	int sig;

	pthread_once(&once, test_install_probe_handlers);
	sig = sigsetjmp(test_probe_env, 1);
	if (sig == 0) {
		test_probing = 1;
		if (write)
			*addr = *value;
		else
			*value = *addr;
		test_probing = 0;
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

	pthread_once(&once, test_install_probe_handlers);
	sig = sigsetjmp(test_probe_env, 1);
	if (sig == 0) {
		test_probing = 1;
		*value = *addr;
		test_probing = 0;
	}
	return sig;
}

/* probe_byte() as an exit status: 0, or 128 + the signal. */
static inline int touch_probe(volatile unsigned char *addr, bool write)
{
	unsigned char v = 0x5a;
	int sig = probe_byte(addr, write, &v);

	return sig ? 128 + sig : 0;
}

static inline bool faulted(int status)
{
	return status == 128 + SIGSEGV || status == 128 + SIGBUS;
}

/*
 * test_deadline(): a process still running @seconds later fails with a
 * message naming what it was doing (test_doing), instead of hanging until
 * the harness kills it. alarm() is not inherited: forked children that
 * wait on others arm their own.
 */
static const char *volatile test_doing = "the test";

static inline void test_deadline_handler(int sig)
{
	static const char msg[] = "check failed: timed out in ";
	const char *what = test_doing;

	(void)sig;
	if (write(2, msg, sizeof(msg) - 1) < 0 ||
	    write(2, what, strlen(what)) < 0 || write(2, "\n", 1) < 0)
		_exit(1);
	_exit(1);
}

static inline void test_deadline(unsigned int seconds)
{
	signal(SIGALRM, test_deadline_handler);
	alarm(seconds);
}

static inline int count_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	int n = 0;

	CHECK(d != NULL);
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* Lines of a text file that contain needle. */
static inline int count_lines_with(const char *path, const char *needle)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	int n = 0;

	CHECK(f != NULL);
	while (fgets(line, sizeof(line), f))
		n += strstr(line, needle) != NULL;
	fclose(f);
	return n;
}

/*
 * What a test expects of each page of an attachment: a pattern seed
 * (fill_pattern() over that page alone), zeros, or a hole where an access
 * faults.
 */
#define PAGE_ZERO	(~0u - 1)
#define PAGE_HOLE	(~0u)

static inline void fill_pages(unsigned char *mem, int first, int n,
			      unsigned int seed)
{
	size_t pg = page_size();
	int p;

	for (p = first; p < first + n; p++)
		fill_pattern(mem + (size_t)p * pg, pg, seed + (unsigned int)p);
}

/* Fails at the first page of @mem that is not what @want says. */
#define CHECK_PAGES(mem, want, n)					\
	check_pages_at(__FILE__, __LINE__, (mem), (want), (n))

static inline void check_pages_at(const char *file, int line,
				  unsigned char *mem, const unsigned int *want,
				  int n)
{
	size_t pg = page_size(), i;
	unsigned char v;
	int p, sig;

	for (p = 0; p < n; p++) {
		unsigned char *page = mem + (size_t)p * pg;

		if (want[p] == PAGE_HOLE) {
			if (probe_byte(page, false, &v) == 0)
				test_fail_at(file, line,
					     "page %d reads 0x%02x, want a fault (hole)",
					     p, v);
			continue;
		}
		sig = probe_byte(page, false, &v);
		if (sig)
			test_fail_at(file, line, "page %d faults with signal %d",
				     p, sig);
		if (want[p] == PAGE_ZERO) {
			for (i = 0; i < pg; i++)
				if (((volatile unsigned char *)page)[i])
					test_fail_at(file, line,
						     "page %d byte %zu is 0x%02x, want 0",
						     p, i, page[i]);
			continue;
		}
		i = check_pattern(page, pg, want[p]);
		if (i != pg)
			test_fail_at(file, line,
				     "page %d byte %zu is 0x%02x, want 0x%02x (seed %u)",
				     p, i, page[i], pattern_byte(i, want[p]),
				     want[p]);
	}
}

/* Sets want[first .. first + n) as fill_pages() fills them. */
static inline void want_pages(unsigned int *want, int first, int n,
			      unsigned int seed)
{
	int p;

	for (p = first; p < first + n; p++)
		want[p] = seed == PAGE_ZERO || seed == PAGE_HOLE ?
			  seed : seed + (unsigned int)p;
}

/*
 * The main of a test that runs on each sort of file memory: @fn once for
 * each, named on stdout, the whole within @seconds (test_deadline()).
 */
static inline int run_file_sorts(void (*fn)(enum file_sort),
				 unsigned int seconds)
{
	int sort;

	test_deadline(seconds);
	for (sort = 0; sort < FILE_SORTS; sort++) {
		printf("%s\n", file_sort_name((enum file_sort)sort));
		fn((enum file_sort)sort);
	}
	return 0;
}

/*
 * Whether process_vm_readv/writev exist: kernels built without
 * CONFIG_CROSS_MEMORY_ATTACH (the debug kernels) answer ENOSYS.
 */
static inline bool have_process_vm(void)
{
	struct iovec none = { 0 };

	return syscall(SYS_process_vm_readv, getpid(), &none, 1, &none, 1,
		       0) >= 0 || errno != ENOSYS;
}

static inline bool user_backend(void)
{
	int b = xpmem_backend(NULL);

	CHECK(b == XPMEM_BACKEND_USER || b == XPMEM_BACKEND_KERNEL);
	return b == XPMEM_BACKEND_USER;
}

/*
 * Takes CAP_DAC_OVERRIDE out of the calling thread's effective set: a root
 * process is then held to the mode bits of segments, like everyone else.
 */
static inline void drop_dac_override(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	CHECK(syscall(SYS_capget, &hdr, data) == 0);
	data[0].effective &= ~(1U << CAP_DAC_OVERRIDE);
	CHECK(syscall(SYS_capset, &hdr, data) == 0);
}

static inline struct xpmem_addr xaddr(xpmem_apid_t apid, off_t offset)
{
	struct xpmem_addr a = { .apid = apid, .offset = offset };

	return a;
}

#endif /* XPMEM_TEST_H */
