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
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>

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

/* Index of the first wrong byte, or size when all match. */
static inline size_t check_pattern(const void *p, size_t size,
				   unsigned int seed)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < size; i++)
		if (b[i] != pattern_byte(i, seed))
			return i;
	return size;
}

#define CHECK_PATTERN(p, size, seed) \
	CHECK(check_pattern((p), (size), (seed)) == (size))

static inline void put_u64(int fd, uint64_t v)
{
	CHECK(write(fd, &v, sizeof(v)) == sizeof(v));
}

static inline uint64_t get_u64(int fd)
{
	uint64_t v;

	CHECK(read(fd, &v, sizeof(v)) == sizeof(v));
	return v;
}

/* Two pipes: parent-to-child and child-to-parent. */
struct channel {
	int down[2];
	int up[2];
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

static sigjmp_buf probe_env;

static inline void probe_handler(int sig)
{
	siglongjmp(probe_env, sig);
}

/*
 * Touches addr in this process and returns 0, or 128 + the signal the
 * access raised. In-process because attachments of the kernel module are
 * not inherited across fork: a child would fault on any address.
 */
static inline int touch_probe(volatile unsigned char *addr, bool write)
{
	struct sigaction sa, old_segv, old_bus;
	volatile int sig;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = probe_handler;
	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGSEGV, &sa, &old_segv) == 0);
	CHECK(sigaction(SIGBUS, &sa, &old_bus) == 0);
	sig = sigsetjmp(probe_env, 1);
	if (sig == 0) {
		if (write)
			*addr = 0x5a;
		else
			(void)*addr;
	}
	CHECK(sigaction(SIGSEGV, &old_segv, NULL) == 0);
	CHECK(sigaction(SIGBUS, &old_bus, NULL) == 0);
	return sig ? 128 + sig : 0;
}

static inline bool faulted(int status)
{
	return status == 128 + SIGSEGV || status == 128 + SIGBUS;
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
