/* SPDX-License-Identifier: MIT */
/*
 * Owner memory of hugetlbfs, 2 MiB pages: a MAP_SHARED | MAP_HUGETLB
 * anonymous mapping, then a memfd made with MFD_HUGETLB. Such memory is
 * shared but not shareable in the sense of xpmem(7): the module attaches it
 * as private memory (raw page frames, VM_PFNMAP; file_attachments does not
 * move). With BLOCKS huge pages exported and attached whole:
 *   - the attachment is 2 MiB aligned, as the owner's range; every word
 *     reads right, and the read takes one 2 MiB entry per huge page and
 *     no 4 KiB entry (/proc/xpmem/stats: fault_huge, fault_pages);
 *   - the attacher's writes reach the owner, the owner's the attacher;
 *   - get_user_pages is refused on it: a futex with a timeout fails at
 *     once with EFAULT, and so do vmsplice() and, from another process,
 *     process_vm_readv() and process_vm_writev();
 *   - the owner unmaps one huge page: that 2 MiB raises SIGBUS, the
 *     others keep their bytes; a new hugetlbfs page mapped there shows
 *     through the same attachment with one new 2 MiB entry;
 *   - the owner unmaps everything: every huge page raises SIGBUS.
 * Then the module's live counters come back and every huge page goes back
 * to the pool (the module keeps no reference). The pool of 2 MiB pages is
 * grown for the test and put back as it was.
 */
#include <linux/futex.h>
#include <sys/uio.h>

#include "ktest.h"

#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB (21 << MAP_HUGE_SHIFT)
#endif
#ifndef MFD_HUGE_2MB
#define MFD_HUGE_2MB (21U << 26)	/* MFD_HUGE_SHIFT */
#endif

#define HUGE		(2UL << 20)
#define BLOCKS		6		/* huge pages exported */
#define BLOCK_WORDS	(HUGE / sizeof(uint64_t))
#define FUTEX_TIMEOUT_MS 200

/*
 * What each block holds: word i of block b is word_at(seed, i), the seed
 * first FILL_SEED + b, then the writes'. Two blocks never look alike.
 */
#define FILL_SEED	16
#define SEED_ATTACHER	2	/* block 0, by the attacher */
#define SEED_OWNER	3	/* block 2, by the owner */
#define SEED_REMAP	4	/* block 1, a new page of the owner */
#define PROBE_BLOCK	3	/* where get_user_pages is tried */

enum sort { SORT_ANON, SORT_MEMFD, SORTS };

enum step { STEP_READ = 1, STEP_WRITTEN, STEP_OWNER_WROTE, STEP_PROBED,
	    STEP_UNMAPPED, STEP_REMAPPED, STEP_GONE };

static uint64_t *block(uint64_t *mem, int b)
{
	return mem + (size_t)b * BLOCK_WORDS;
}

/*
 * Maps @n blocks from block @first of [mem, ...) over what is there: a new
 * hugetlbfs mapping, or the memfd @fd from its block @file_block.
 */
static void map_blocks(uint64_t *mem, int first, int n, int fd,
		       int file_block)
{
	void *at = block(mem, first);
	void *p;

	if (fd < 0)
		p = mmap(at, (size_t)n * HUGE, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB |
			 MAP_HUGE_2MB | MAP_FIXED, -1, 0);
	else
		p = mmap(at, (size_t)n * HUGE, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED, fd, (off_t)file_block * HUGE);
	CHECK(p == at);
}

/*
 * BLOCKS huge pages of hugetlbfs, shared, faulted in by the fill. Block 1,
 * which the owner unmaps, is a mapping of its own (of the memfd's spare
 * last block): unmapping part of a hugetlbfs mapping splits it, and Debian's
 * 6.1 kernel warns on every such split under lockdep (hugetlb_split() runs
 * before __vma_adjust() takes the i_mmap lock it asserts).
 */
static uint64_t *hugetlb_buffer(enum sort sort, int *fd)
{
	size_t size = BLOCKS * HUGE;
	uint64_t *mem = (uint64_t *)aligned_range(size, HUGE);
	int b;

	*fd = -1;
	if (sort == SORT_MEMFD) {
		*fd = memfd_create("xpmem-hugetlb",
				   MFD_CLOEXEC | MFD_HUGETLB | MFD_HUGE_2MB);
		CHECK(*fd >= 0);
		CHECK(ftruncate(*fd, (off_t)(size + HUGE)) == 0);
	}
	map_blocks(mem, 0, 1, *fd, 0);
	map_blocks(mem, 1, 1, *fd, BLOCKS);
	map_blocks(mem, 2, BLOCKS - 2, *fd, 2);
	for (b = 0; b < BLOCKS; b++)
		fill_words(block(mem, b), HUGE, FILL_SEED + (uint64_t)b);
	return mem;
}

/* The fault path's 2 MiB and 4 KiB entries so far. */
static void fault_counts(long *huge, long *small)
{
	*huge = kstat("fault_huge");
	*small = kstat("fault_pages");
	CHECK(*huge >= 0 && *small >= 0);
}

static void check_blocks(uint64_t *att, int first, int n,
			 const uint64_t *want)
{
	int b;

	for (b = first; b < first + n; b++)
		check_words(block(att, b), 0, BLOCK_WORDS, want[b]);
}

/*
 * Checks @n blocks from @first against @want, counting the entries the
 * reads took: one 2 MiB entry per block, no 4 KiB entry.
 */
static void read_blocks(uint64_t *att, int first, int n,
			const uint64_t *want)
{
	long huge0, small0, huge1, small1;

	fault_counts(&huge0, &small0);
	check_blocks(att, first, n, want);
	fault_counts(&huge1, &small1);
	printf("blocks %d-%d: %ld entries of 2 MiB, %ld of 4 KiB\n", first,
	       first + n - 1, huge1 - huge0, small1 - small0);
	if (huge1 - huge0 != n || small1 != small0)
		test_fail_at(__FILE__, __LINE__,
			     "reading %d huge pages took %ld 2 MiB and %ld 4 KiB entries, want %d and 0",
			     n, huge1 - huge0, small1 - small0, n);
}

/* Block @b is a hole: its first, a middle and its last word raise SIGBUS. */
static void check_hole(uint64_t *att, int b)
{
	size_t at[] = { 0, BLOCK_WORDS / 2 + 3, BLOCK_WORDS - 1 };
	uint64_t v;
	size_t i;
	int sig;

	for (i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		v = 0;
		sig = probe_u64(block(att, b) + at[i], &v);
		if (sig != SIGBUS)
			test_fail_at(__FILE__, __LINE__,
				     "block %d word %zu: signal %d (%#llx), want SIGBUS",
				     b, at[i], sig, (unsigned long long)v);
	}
}

/* A futex that waited would hang on a key nobody wakes: EFAULT at once. */
static void check_futex(uint32_t *word)
{
	struct timespec timeout = { .tv_nsec = FUTEX_TIMEOUT_MS * 1000000L };
	double start = now_seconds(), secs;

	CHECK_ERRNO(syscall(SYS_futex, word, FUTEX_WAIT, *word, &timeout,
			    NULL, 0), EFAULT);
	secs = now_seconds() - start;
	if (secs >= FUTEX_TIMEOUT_MS / 1000.0)
		test_fail_at(__FILE__, __LINE__,
			     "FUTEX_WAIT took %.3f s to fail", secs);
	CHECK_ERRNO(syscall(SYS_futex, word, FUTEX_WAKE, 1, NULL, NULL, 0),
		    EFAULT);
}

static void check_gup_refused(uint64_t *att)
{
	struct iovec iov = { block(att, PROBE_BLOCK), HUGE };
	int p[2];

	check_futex((uint32_t *)(block(att, PROBE_BLOCK) + 8));
	CHECK(pipe(p) == 0);
	CHECK_ERRNO(vmsplice(p[1], &iov, 1, 0), EFAULT);
	close(p[0]);
	close(p[1]);
}

static void attacher(unsigned char *bytes, size_t size, struct channel *ch)
{
	uint64_t *att = (uint64_t *)bytes, want[BLOCKS];
	int b;

	(void)size;
	if ((uintptr_t)att & (HUGE - 1))
		test_fail_at(__FILE__, __LINE__,
			     "attachment at %p: not 2 MiB aligned as the owner's range",
			     (void *)att);
	put_u64(ch->up[1], (uint64_t)(uintptr_t)att);
	for (b = 0; b < BLOCKS; b++)
		want[b] = FILL_SEED + (uint64_t)b;
	read_blocks(att, 0, BLOCKS, want);
	attacher_done(ch, STEP_READ);

	/* Through the 2 MiB entry, or through small pages from 6.12 on. */
	attacher_wait(ch, STEP_WRITTEN);
	fill_words(block(att, 0), HUGE, SEED_ATTACHER);
	want[0] = SEED_ATTACHER;
	attacher_done(ch, STEP_WRITTEN);

	attacher_wait(ch, STEP_OWNER_WROTE);
	want[2] = SEED_OWNER;
	check_blocks(att, 0, BLOCKS, want);
	attacher_done(ch, STEP_OWNER_WROTE);

	attacher_wait(ch, STEP_PROBED);
	check_gup_refused(att);
	check_blocks(att, PROBE_BLOCK, 1, want);
	attacher_done(ch, STEP_PROBED);

	attacher_wait(ch, STEP_UNMAPPED);
	check_hole(att, 1);
	check_blocks(att, 0, 1, want);
	check_blocks(att, 2, BLOCKS - 2, want);
	attacher_done(ch, STEP_UNMAPPED);

	attacher_wait(ch, STEP_REMAPPED);
	want[1] = SEED_REMAP;
	read_blocks(att, 1, 1, want);
	attacher_done(ch, STEP_REMAPPED);

	attacher_wait(ch, STEP_GONE);
	for (b = 0; b < BLOCKS; b++)
		check_hole(att, b);
	attacher_done(ch, STEP_GONE);
}

/* get_user_pages from another process: the owner, at the attacher's. */
static void check_process_vm(pid_t pid, uint64_t att)
{
	static char buf[4096];
	struct iovec local = { buf, sizeof(buf) };
	struct iovec remote = {
		(void *)(uintptr_t)(att + PROBE_BLOCK * HUGE + HUGE / 2),
		sizeof(buf),
	};

	if (!have_process_vm()) {
		printf("no process_vm_readv: not tested\n");
		return;
	}
	CHECK_ERRNO(process_vm_readv(pid, &local, 1, &remote, 1, 0), EFAULT);
	CHECK_ERRNO(process_vm_writev(pid, &local, 1, &remote, 1, 0), EFAULT);
}

static void step(struct live_attach *t, enum step s)
{
	live_attach_go(t, s);
	live_attach_wait(t, s);
}

static void share(enum sort sort)
{
	long files = kstat("file_attachments"), free0 = hugetlb_free();
	size_t size = BLOCKS * HUGE;
	struct live_attach t;
	uint64_t *mem;
	uint64_t att;
	int fd;

	printf("%s\n", sort == SORT_ANON ? "MAP_SHARED | MAP_HUGETLB" :
	       "memfd_create(MFD_HUGETLB)");
	mem = hugetlb_buffer(sort, &fd);
	live_attach_start(&t, mem, size, attacher);
	att = get_u64(t.ch.up[0]);
	live_attach_wait(&t, STEP_READ);
	if (kstat("file_attachments") != files)
		test_fail_at(__FILE__, __LINE__,
			     "hugetlbfs attached as file pages (file_attachments %ld, was %ld)",
			     kstat("file_attachments"), files);

	step(&t, STEP_WRITTEN);
	check_words(block(mem, 0), 0, BLOCK_WORDS, SEED_ATTACHER);
	fill_words(block(mem, 2), HUGE, SEED_OWNER);
	step(&t, STEP_OWNER_WROTE);

	check_process_vm(t.pid, att);
	step(&t, STEP_PROBED);

	CHECK(munmap(block(mem, 1), HUGE) == 0);
	step(&t, STEP_UNMAPPED);

	/* A new page: of a new file, or the memfd's block 1, never used. */
	map_blocks(mem, 1, 1, fd, 1);
	fill_words(block(mem, 1), HUGE, SEED_REMAP);
	step(&t, STEP_REMAPPED);

	CHECK(munmap(mem, size) == 0);
	step(&t, STEP_GONE);
	live_attach_finish(&t);
	if (fd >= 0)
		close(fd);
	if (!WAIT_UNTIL(hugetlb_free() == free0, 5))
		test_fail_at(__FILE__, __LINE__,
			     "%ld huge pages free after the test, %ld before: a reference is kept",
			     hugetlb_free(), free0);
}

int main(void)
{
	int sort;

	require_kernel_backend();
	/* Each sort at its turn: BLOCKS pages, and one mapped over a hole. */
	hugetlb_reserve(BLOCKS + 1);
	for (sort = 0; sort < SORTS; sort++)
		share((enum sort)sort);
	return 0;
}
