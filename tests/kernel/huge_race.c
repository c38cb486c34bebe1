// SPDX-License-Identifier: MIT
/*
 * Two threads of one attacher fault the same fresh 2 MiB block at once,
 * one reading, one writing, round after round on new attachments of a
 * hugetlbfs buffer. One fault maps the block with a 2 MiB entry while
 * the other may already be on its way to map small pages there: the
 * small pages must then not go in (they would be written through the
 * 2 MiB entry as if it were a page table: a lockup, or a page-table
 * entry written into the owner's data; on 6.12 and later the insert fails
 * and the fault returns VM_FAULT_OOM). Every word read must match, the
 * owner's data must be intact afterwards, the 2 MiB path must have been
 * taken, and no fault of the run may have ended in VM_FAULT_OOM (the
 * kernel says so in its log: read here, since under fault injection the
 * same message is a fair answer to a failed allocation).
 */
#include <pthread.h>
#include <stdbool.h>
#include <sys/mman.h>

#include "ktest.h"

#define HUGE	(2UL << 20)
#define BLOCKS	6
#define ROUNDS	300
#define SEED	40

static pthread_barrier_t start;
static uint64_t *att_words;

/* Thread 0 reads, thread 1 writes back what it reads: both check it. */
static void *toucher(void *arg)
{
	long t = (long)arg;
	size_t i;
	int b;

	pthread_barrier_wait(&start);
	for (b = 0; b < BLOCKS; b++) {
		/* Different small pages of the same block. */
		i = (b * HUGE + (size_t)t * 37 * 4096) / sizeof(uint64_t);
		if (att_words[i] != word_at(SEED, i))
			return "wrong word";
		if (t == 1)
			((volatile uint64_t *)att_words)[i] = word_at(SEED, i);
	}
	return NULL;
}

/* /dev/kmsg, positioned after the last record so far. */
static int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	CHECK(fd >= 0);
	CHECK(lseek(fd, 0, SEEK_END) >= 0);
	return fd;
}

/* Whether a kernel log record since kmsg_open() contains @what. */
static bool kmsg_since_has(int fd, const char *what)
{
	char rec[8192];
	bool found = false;
	ssize_t n;

	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)	/* records were overwritten */
			continue;
		if (n <= 0)
			break;
		rec[n] = '\0';
		found |= strstr(rec, what) != NULL;
	}
	return found;
}

static void race(xpmem_apid_t apid, size_t size)
{
	pthread_t th[2];
	void *ret;
	long t;
	int r;

	for (r = 0; r < ROUNDS; r++) {
		att_words = xpmem_attach(xaddr(apid, 0), size, NULL);
		CHECK(att_words != (void *)-1);
		CHECK(pthread_barrier_init(&start, NULL, 2) == 0);
		for (t = 0; t < 2; t++)
			CHECK(pthread_create(&th[t], NULL, toucher,
					     (void *)t) == 0);
		for (t = 0; t < 2; t++) {
			CHECK(pthread_join(th[t], &ret) == 0);
			if (ret)
				test_fail_at(__FILE__, __LINE__,
					     "round %d: %s", r, (char *)ret);
		}
		pthread_barrier_destroy(&start);
		CHECK(xpmem_detach(att_words) == 0);
	}
}

int main(void)
{
	size_t size = BLOCKS * HUGE;
	long huge0 = kstat("fault_huge");
	xpmem_segid_t segid;
	xpmem_apid_t apid;
	uint64_t *mem;
	pid_t pid;
	int kmsg;

	require_kernel_backend();
	require_root();
	hugetlb_reserve(BLOCKS);
	kmsg = kmsg_open();
	mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	CHECK(mem != MAP_FAILED);
	fill_words(mem, size, SEED);
	segid = xpmem_make(mem, size, XPMEM_PERMIT_MODE, (void *)0600);
	CHECK(segid > 0);
	pid = fork_checked();
	if (pid == 0) {
		alarm(120);
		apid = xpmem_get(segid, XPMEM_RDWR, XPMEM_PERMIT_MODE, NULL);
		CHECK(apid > 0);
		race(apid, size);
		CHECK(xpmem_release(apid) == 0);
		_exit(0);
	}
	CHECK(test_wait(pid) == 0);
	check_words(mem, 0, size / sizeof(*mem), SEED);
	printf("%d rounds, %ld faults took the 2 MiB path\n", ROUNDS,
	       kstat("fault_huge") - huge0);
	CHECK(kstat("fault_huge") > huge0);
	CHECK(!kmsg_since_has(kmsg, "VM_FAULT_OOM leaked"));
	close(kmsg);
	CHECK(xpmem_remove(segid) == 0);
	CHECK(munmap(mem, size) == 0);
	return 0;
}
