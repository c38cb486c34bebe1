/* SPDX-License-Identifier: MIT */
/*
 * Huge pages are mapped as huge pages: an attachment of a THP-backed
 * buffer, read sequentially, takes one 2 MiB entry per huge page
 * (/proc/xpmem/stats: fault_huge, fault_pages), so at least 100 times
 * fewer fault-path mappings than the same read of a buffer of small pages
 * when the whole buffer got huge pages (under TCG the kernel often gives
 * only part of it; the count is then checked against what it gave), and
 * every byte matches. Then,
 * with the 2 MiB entries live:
 *   - a futex on them fails with EFAULT, and process_vm_readv() of them
 *     from another process too: the owner's memory is private anonymous
 *     memory, whose futex keys the attacher can never share;
 *   - the owner splits one huge page (MADV_DONTNEED of one small page):
 *     that page reads zeros, its neighbours keep their bytes;
 *   - the attacher writes into another huge page; the owner sees it.
 * The buffer is up to 1 GiB, a tenth of the available memory at most:
 * huge pages come from the faulting CPU's node only.
 */
#include <linux/futex.h>
#include <sys/uio.h>
#include <time.h>

#include "ktest.h"

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

#define HUGE	(2UL << 20)
#define SPLIT_PAGE 100		/* the small page dropped from huge page 0 */

enum step { STEP_READ = 1, STEP_PROBED, STEP_SPLIT, STEP_WRITTEN };

static size_t size;

/* Mappings the fault path made so far: 2 MiB and 4 KiB entries. */
static long mappings_now(long *huge)
{
	long h = kstat("fault_huge"), s = kstat("fault_pages");

	CHECK(h >= 0 && s >= 0);
	if (huge)
		*huge = h;
	return h + s;
}

/* Reads the attachment through; reports the mappings that took. */
static void read_counting(const uint64_t *att, const char *what,
			  struct channel *ch)
{
	long huge0, huge1, n0, n1;

	n0 = mappings_now(&huge0);
	check_words(att, 0, size / sizeof(*att), 1);
	n1 = mappings_now(&huge1);
	printf("%s: %ld mappings (%ld of 2 MiB) for %zu MiB\n", what,
	       n1 - n0, huge1 - huge0, size >> 20);
	put_u64(ch->up[1], (uint64_t)(n1 - n0));
}

static void attacher_small(unsigned char *att, size_t bytes,
			   struct channel *ch)
{
	(void)bytes;
	read_counting((const uint64_t *)att, "small pages", ch);
	attacher_done(ch, STEP_READ);
}

/* Nothing may take a reference to these pages, a futex included. */
static void probe_futex(uint32_t *addr)
{
	struct timespec ts = { .tv_nsec = 100 * 1000 * 1000 };
	long rc;

	errno = 0;
	rc = syscall(SYS_futex, addr, FUTEX_WAIT, *addr, &ts, NULL, 0);
	if (rc != -1 || errno != EFAULT)
		test_fail_at(__FILE__, __LINE__,
			     "futex on a 2 MiB entry: %ld/%s, want EFAULT", rc,
			     strerror(errno));
}

static void attacher_huge(unsigned char *att, size_t bytes,
			  struct channel *ch)
{
	uint64_t *w = (uint64_t *)att;
	size_t per_page = page_size() / sizeof(*w);
	size_t split = SPLIT_PAGE * per_page;

	(void)bytes;
	read_counting(w, "huge pages", ch);
	put_u64(ch->up[1], (uint64_t)(uintptr_t)att);
	attacher_done(ch, STEP_READ);

	probe_futex((uint32_t *)(att + HUGE));
	attacher_wait(ch, STEP_PROBED);
	attacher_done(ch, STEP_PROBED);

	attacher_wait(ch, STEP_SPLIT);
	check_words(w, 0, split, 1);
	check_words(w, split, per_page, 0);
	check_words(w, split + per_page, HUGE / sizeof(*w) - split - per_page,
		    1);
	attacher_done(ch, STEP_SPLIT);

	attacher_wait(ch, STEP_WRITTEN);
	fill_words(w + HUGE / sizeof(*w), page_size(), 7);
	attacher_done(ch, STEP_WRITTEN);
}

/* The process_vm_readv() of another process, as the one at @addr. */
static void probe_readv(pid_t pid, uint64_t addr)
{
	char buf[64];
	struct iovec local = { buf, sizeof(buf) };
	struct iovec remote = { (void *)(uintptr_t)(addr + HUGE), sizeof(buf) };
	ssize_t rc;

	errno = 0;
	rc = process_vm_readv(pid, &local, 1, &remote, 1, 0);
	if (rc == -1 && errno == ENOSYS)
		return;		/* no CONFIG_CROSS_MEMORY_ATTACH */
	if (rc != -1 || errno != EFAULT)
		test_fail_at(__FILE__, __LINE__,
			     "process_vm_readv of a 2 MiB entry: %zd/%s, want EFAULT",
			     rc, strerror(errno));
}

static long read_small_pages(void)
{
	uint64_t *mem = (uint64_t *)aligned_range(size, HUGE);
	struct live_attach t;
	long n;

	CHECK(madvise(mem, size, MADV_NOHUGEPAGE) == 0);
	CHECK(madvise(mem, size, MADV_DONTFORK) == 0);
	fill_words(mem, size, 1);
	live_attach_start(&t, mem, size, attacher_small);
	n = (long)get_u64(t.ch.up[0]);
	live_attach_wait(&t, STEP_READ);
	live_attach_finish(&t);
	CHECK(munmap(mem, size) == 0);
	return n;
}

static uint64_t *huge_buffer(void)
{
	uint64_t *mem;

	/* Free memory in 2 MiB pieces, as far as the kernel can. */
	write_line("/proc/sys/vm/compact_memory", "1");
	mem = (uint64_t *)aligned_range(size, HUGE);
	CHECK(madvise(mem, size, MADV_HUGEPAGE) == 0);
	CHECK(madvise(mem, size, MADV_DONTFORK) == 0);
	fill_words(mem, size, 1);
	/* Faults may have found no huge page free just then; 6.1+ collapses. */
	if (anon_huge_bytes(mem, size) < (long)size)
		madvise(mem, size, MADV_COLLAPSE);
	if (anon_huge_bytes(mem, size) < (long)(size / 4)) {
		char line[256];
		FILE *f = fopen("/proc/buddyinfo", "r");

		while (f && fgets(line, sizeof(line), f))
			fputs(line, stdout);
		if (f)
			fclose(f);
		test_skip("only %ld of %zu MiB in huge pages",
			  anon_huge_bytes(mem, size) >> 20, size >> 20);
	}
	return mem;
}

static void read_huge_pages(long small)
{
	uint64_t *mem = huge_buffer();
	struct live_attach t;
	size_t per_page = page_size() / sizeof(*mem);
	uint64_t att;
	long n;

	long thp = anon_huge_bytes(mem, size);
	/* What the read may take: a PMD per huge page, a PTE per other page. */
	long most = thp / (long)HUGE + (long)(size - (size_t)thp) /
		    (long)page_size();
	long huge0 = kstat("fault_huge"), huge;

	live_attach_start(&t, mem, size, attacher_huge);
	n = (long)get_u64(t.ch.up[0]);
	att = get_u64(t.ch.up[0]);
	live_attach_wait(&t, STEP_READ);
	huge = kstat("fault_huge") - huge0;
	printf("%ld of %zu MiB in huge pages: %ld mappings, at most %ld expected; %.0fx fewer than small pages\n",
	       thp >> 20, size >> 20, n, most, (double)small / (double)n);
	if (huge < thp / (long)HUGE * 9 / 10 || n > most + 64)
		test_fail_at(__FILE__, __LINE__,
			     "%ld 2 MiB entries for %ld huge pages, %ld mappings in all",
			     huge, thp / (long)HUGE, n);
	if (thp == (long)size && n * 100 > small)
		test_fail_at(__FILE__, __LINE__,
			     "huge pages took %ld mappings, small pages %ld: want 100x fewer",
			     n, small);

	probe_readv(t.pid, att);
	live_attach_go(&t, STEP_PROBED);
	live_attach_wait(&t, STEP_PROBED);

	CHECK(madvise((unsigned char *)mem + SPLIT_PAGE * page_size(),
		      page_size(), MADV_DONTNEED) == 0);
	live_attach_go(&t, STEP_SPLIT);
	live_attach_wait(&t, STEP_SPLIT);

	live_attach_go(&t, STEP_WRITTEN);
	live_attach_wait(&t, STEP_WRITTEN);
	check_words(mem + HUGE / sizeof(*mem), 0, per_page, 7);
	live_attach_finish(&t);
}

int main(void)
{
	long avail_kb;
	long small;

	require_kernel_backend();
	require_thp();
	if (access(THP_DIR "/hpage_pmd_size", R_OK) == 0 &&
	    read_long(THP_DIR "/hpage_pmd_size") != (long)HUGE)
		test_skip("huge pages are not 2 MiB here");
	avail_kb = meminfo_kb("MemAvailable");
	size = (size_t)avail_kb * 1024 / 10;
	if (size > (1UL << 30))
		size = 1UL << 30;
	size &= ~(HUGE - 1);
	if (size < 16 * HUGE)
		test_skip("%ld kB available: too little for the test", avail_kb);

	pin_to_one_cpu();
	small = read_small_pages();
	read_huge_pages(small);
	return 0;
}
