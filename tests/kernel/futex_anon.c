/* SPDX-License-Identifier: MIT */
/*
 * Private memory (anonymous, or a MAP_PRIVATE mapping of a file) is
 * attached as raw page frames (VM_PFNMAP): nothing can look an
 * attachment's pages up with get_user_pages, and a futex there could
 * never meet the owner's anyway (it would be keyed by the attacher's
 * address space). So every call that needs the pages fails at once with
 * EFAULT, rather than waiting on a key nobody wakes or working on the
 * wrong page (xpmem(7)):
 *   - FUTEX_WAIT with a timeout, and FUTEX_WAKE, on a word of the
 *     attachment (raw system calls: glibc's process-shared mutex aborts
 *     on this error, "The futex facility returned an unexpected error");
 *   - process_vm_readv and process_vm_writev at the attacher's addresses;
 *   - vmsplice from the attachment;
 *   - O_DIRECT from and into the attachment, where a block device exists.
 * Loads and stores through the attachment keep working throughout. The
 * same holds, page by page, for anonymous memory the owner maps later
 * inside an attachment of a memfd, whose file pages stay ordinary.
 */
#include <linux/futex.h>
#include <sys/uio.h>

#include "../xpmem/blockdev.h"
#include "ktest.h"

#define PAGES 4
#define FUTEX_TIMEOUT_MS 200

enum step { STEP_PVR = 1, STEP_DONE };

static int dev = -1;	/* a block device opened O_DIRECT, or -1 */

/*
 * The futex calls fail at once with @err. Where anonymous memory replaced
 * a file page in an attachment of file memory, the kernel's lookup finds
 * a page table entry without a page and says so with EEXIST from 5.13 on
 * (follow_pfn_pte() in mm/gup.c), with EFAULT before; glibc treats both
 * alike (it aborts). @err is EEXIST for that case, and either is taken.
 */
static void check_futex_call(long rc, int err, const char *what)
{
	bool ok = rc == -1 && (errno == err ||
			       (err == EEXIST && errno == EFAULT));

	if (!ok)
		test_fail_at(__FILE__, __LINE__, "%s: want -1/%s, got %ld/%s",
			     what, strerror(err), rc, strerror(errno));
}

static void check_futex(uint32_t *word, int err)
{
	struct timespec timeout = { .tv_nsec = FUTEX_TIMEOUT_MS * 1000000L };
	double start = now_seconds(), secs;
	long rc;

	/* The word's own value: a futex that found a key would sleep. */
	errno = 0;
	rc = syscall(SYS_futex, word, FUTEX_WAIT, *word, &timeout, NULL, 0);
	check_futex_call(rc, err, "FUTEX_WAIT");
	secs = now_seconds() - start;
	if (secs > FUTEX_TIMEOUT_MS / 1000.0)
		test_fail_at(__FILE__, __LINE__,
			     "FUTEX_WAIT took %.3f s to fail", secs);
	errno = 0;
	rc = syscall(SYS_futex, word, FUTEX_WAKE, 1, NULL, NULL, 0);
	check_futex_call(rc, err, "FUTEX_WAKE");
}

static void check_vmsplice(unsigned char *att, size_t size)
{
	struct iovec iov = { .iov_base = att, .iov_len = size };
	int p[2];

	CHECK(pipe(p) == 0);
	CHECK_ERRNO(vmsplice(p[1], &iov, 1, 0), EFAULT);
	close(p[0]);
	close(p[1]);
}

static void attacher(unsigned char *att, size_t size, struct channel *ch)
{
	size_t pg = page_size();

	put_u64(ch->up[1], (uint64_t)(uintptr_t)att);
	attacher_wait(ch, STEP_PVR);

	check_futex((uint32_t *)(att + pg + 64), EFAULT);
	check_vmsplice(att, size);
	if (dev >= 0) {
		CHECK_ERRNO(pwrite(dev, att, size, 0), EFAULT);
		CHECK_ERRNO(pread(dev, att, size, 0), EFAULT);
	}
	CHECK_PATTERN(att, size, 5);
	fill_pattern(att, size, 6);
	attacher_done(ch, STEP_DONE);
}

/* Private memory of each sort: checks the calls above on it. */
static void private_memory(unsigned char *mem, size_t size)
{
	struct iovec local, remote;
	struct live_attach t;
	unsigned char *buf = calloc(1, size);

	CHECK(buf != NULL);
	live_attach_start(&t, mem, size, attacher);
	/* We are the attacher's parent: ptrace access needs nothing more. */
	remote.iov_base = (void *)(uintptr_t)get_u64(t.ch.up[0]);
	remote.iov_len = size;
	local.iov_base = buf;
	local.iov_len = size;
	if (have_process_vm()) {
		CHECK_ERRNO(process_vm_readv(t.pid, &local, 1, &remote, 1, 0),
			    EFAULT);
		CHECK_ERRNO(process_vm_writev(t.pid, &local, 1, &remote, 1, 0),
			    EFAULT);
	}
	live_attach_go(&t, STEP_PVR);
	live_attach_wait(&t, STEP_DONE);
	CHECK_PATTERN(mem, size, 6);
	live_attach_finish(&t);
	free(buf);
}

/*
 * A MAP_PRIVATE mapping of a file, never written by the owner: its pages
 * are still the file's, but a futex on them is keyed by the address space.
 */
static unsigned char *private_file(size_t size)
{
	int fd = memfd_create("xpmem-private", MFD_CLOEXEC);
	unsigned char *buf = malloc(size), *mem;

	CHECK(fd >= 0 && buf != NULL);
	fill_pattern(buf, size, 5);
	CHECK(pwrite(fd, buf, size, 0) == (ssize_t)size);
	mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(mem != MAP_FAILED);
	close(fd);
	free(buf);
	return mem;
}

static void replaced_attacher(unsigned char *att, size_t size,
			      struct channel *ch)
{
	struct timespec timeout = { .tv_nsec = 50 * 1000000L };
	uint32_t *file_word = (uint32_t *)(att + 64);

	CHECK_PATTERN(att, size, 5);
	attacher_done(ch, STEP_PVR);
	attacher_wait(ch, STEP_DONE);
	/* The file page is ordinary: the futex finds a key, and times out. */
	CHECK_ERRNO(syscall(SYS_futex, file_word, FUTEX_WAIT, *file_word,
			    &timeout, NULL, 0), ETIMEDOUT);
	CHECK_PATTERN(att + size / 2, size / 2, 7);
	check_futex((uint32_t *)(att + size / 2 + 64), EEXIST);
	attacher_done(ch, STEP_DONE);
}

/*
 * An attachment of a memfd, half of which the owner then replaces with
 * anonymous memory: that half behaves as private memory.
 */
static void replaced_by_anon(size_t size)
{
	int fd;
	unsigned char *mem = file_buffer(FILE_MEMFD, size, &fd);
	struct live_attach t;

	fill_pattern(mem, size, 5);
	live_attach_start(&t, mem, size, replaced_attacher);
	live_attach_wait(&t, STEP_PVR);
	CHECK(mmap(mem + size / 2, size / 2, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
	      mem + size / 2);
	fill_pattern(mem + size / 2, size / 2, 7);
	live_attach_go(&t, STEP_DONE);
	live_attach_wait(&t, STEP_DONE);
	live_attach_finish(&t);
	CHECK(munmap(mem, size) == 0);
	close(fd);
}

int main(void)
{
	size_t size = PAGES * page_size();
	unsigned char *mem;

	require_kernel_backend();
	dev = blockdev_try_open();
	if (dev < 0)
		printf("no block device: O_DIRECT not tested\n");
	if (!have_process_vm())
		printf("no process_vm_readv: not tested\n");

	printf("anonymous memory\n");
	mem = anon_pages(size);
	fill_pattern(mem, size, 5);
	private_memory(mem, size);
	CHECK(munmap(mem, size) == 0);

	printf("MAP_PRIVATE file\n");
	mem = private_file(size);
	private_memory(mem, size);
	CHECK(munmap(mem, size) == 0);

	printf("memfd, half replaced by anonymous memory\n");
	replaced_by_anon(size);
	if (dev >= 0)
		close(dev);
	return 0;
}
