/* SPDX-License-Identifier: MIT */
/*
 * Process-shared synchronisation in exported file memory (a memfd, a file
 * on tmpfs, a file in $TMPDIR), used by the owner at its addresses and by
 * two attachers at theirs. A futex of shared memory is keyed by the file
 * page, so the three processes meet only if an attachment maps the owner's
 * pages as ordinary pages:
 *   - raw futexes: FUTEX_WAIT in each process is woken by FUTEX_WAKE in
 *     each other one, each at its own address of the same word. The waker
 *     must find the waiter (FUTEX_WAKE returns 1);
 *   - a PTHREAD_PROCESS_SHARED mutex: each process increments a counter
 *     N times under it, with contention; the total is exact;
 *   - a condition variable passes a token round the three processes; the
 *     waits are timed, so a lost wake-up fails instead of hanging.
 */
#include <linux/futex.h>
#include <sched.h>
#include <time.h>

#include "xpmem_test.h"

#define PAGES 4
#define NPROC 3		/* the owner (0) and two attachers (1, 2) */
#define WAIT_SECONDS 10
/* Not at the start of the segment: offsets into the file must match too. */
#define SHARED_OFFSET(pg) ((pg) + 200)

struct shared {
	pthread_mutex_t mutex;
	pthread_cond_t cond;
	uint64_t counter;
	uint32_t turn;		/* whose turn it is to take the token */
	uint32_t word[NPROC];	/* raw futex words, one per waiter */
};

/* Steps the owner sends; the attachers answer each with the same value. */
enum step { STEP_READY = 1, STEP_COUNT, STEP_TURNS, STEP_DETACH,
	    STEP_FUTEX = 16 /* + waiter * NPROC + waker */ };

static void init_shared(struct shared *s)
{
	pthread_mutexattr_t ma;
	pthread_condattr_t ca;

	CHECK(pthread_mutexattr_init(&ma) == 0);
	CHECK(pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED) == 0);
	CHECK(pthread_mutex_init(&s->mutex, &ma) == 0);
	CHECK(pthread_condattr_init(&ca) == 0);
	CHECK(pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED) == 0);
	CHECK(pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0);
	CHECK(pthread_cond_init(&s->cond, &ca) == 0);
	s->counter = 0;
	s->turn = 0;
	memset(s->word, 0, sizeof(s->word));
}

static void count(struct shared *s, int n)
{
	uint64_t v;
	int i;

	test_doing = "the contended mutex";
	for (i = 0; i < n; i++) {
		CHECK(pthread_mutex_lock(&s->mutex) == 0);
		v = s->counter;
		/* Yielding with the lock held makes the others sleep on it. */
		if (i % 32 == 0)
			sched_yield();
		s->counter = v + 1;
		CHECK(pthread_mutex_unlock(&s->mutex) == 0);
	}
}

/* Takes the token `rounds` times, each time passing it to the next one. */
static void take_turns(struct shared *s, uint32_t me, int rounds)
{
	struct timespec deadline;
	int r, rc;

	test_doing = "the condition variable round";
	for (r = 0; r < rounds; r++) {
		CHECK(pthread_mutex_lock(&s->mutex) == 0);
		while (s->turn != me) {
			CHECK(clock_gettime(CLOCK_MONOTONIC, &deadline) == 0);
			deadline.tv_sec += WAIT_SECONDS;
			rc = pthread_cond_timedwait(&s->cond, &s->mutex,
						    &deadline);
			if (rc == ETIMEDOUT)
				test_fail_at(__FILE__, __LINE__,
					     "process %u: no wake-up in %d s at round %d (turn %u): lost wake-up",
					     me, WAIT_SECONDS, r, s->turn);
			CHECK(rc == 0);
		}
		s->turn = (me + 1) % NPROC;
		s->counter++;
		CHECK(pthread_cond_broadcast(&s->cond) == 0);
		CHECK(pthread_mutex_unlock(&s->mutex) == 0);
	}
}

static long futex(uint32_t *word, int op, uint32_t val,
		  const struct timespec *timeout)
{
	return syscall(SYS_futex, word, op, val, timeout, NULL, 0);
}

static void futex_wait_woken(uint32_t *word, uint32_t me)
{
	struct timespec timeout = { .tv_sec = WAIT_SECONDS };

	if (futex(word, FUTEX_WAIT, 0, &timeout) != 0)
		test_fail_at(__FILE__, __LINE__,
			     "process %u: FUTEX_WAIT at %p: %s", me,
			     (void *)word, strerror(errno));
}

/* Wakes until FUTEX_WAKE finds the waiter: then both used one key. */
static void futex_wake_waiter(uint32_t *word, uint32_t me, int waiter)
{
	double end = (double)time(NULL) + WAIT_SECONDS;
	long n;

	while ((n = futex(word, FUTEX_WAKE, 1, NULL)) == 0 &&
	       (double)time(NULL) < end)
		usleep(1000);
	if (n != 1)
		test_fail_at(__FILE__, __LINE__,
			     "process %u: FUTEX_WAKE at %p found no waiter of process %d (%ld: %s)",
			     me, (void *)word, waiter, n,
			     n < 0 ? strerror(errno) : "timeout");
}

/* Process `me`'s part in step `step`, whoever it is. */
static void run_step(struct shared *s, uint32_t me, uint64_t step)
{
	int waiter, waker;

	switch (step) {
	case STEP_COUNT:
		count(s, test_scaled(10000));
		return;
	case STEP_TURNS:
		take_turns(s, me, test_scaled(200));
		return;
	}
	CHECK(step >= STEP_FUTEX && step < STEP_FUTEX + NPROC * NPROC);
	waiter = (int)(step - STEP_FUTEX) / NPROC;
	waker = (int)(step - STEP_FUTEX) % NPROC;
	test_doing = "the raw futex wait and wake";
	if ((int)me == waiter)
		futex_wait_woken(&s->word[waiter], me);
	else if ((int)me == waker)
		futex_wake_waiter(&s->word[waiter], me, waiter);
}

/* Attacher `me`: one attachment per segment the owner sends, until 0. */
static int attacher(uint32_t me, int down, int up)
{
	size_t pg = page_size();
	xpmem_segid_t segid;
	xpmem_apid_t apid;
	unsigned char *att;
	uint64_t step;

	test_deadline(80);
	while ((segid = (xpmem_segid_t)get_u64(down)) != 0) {
		apid = xpmem_get(segid, XPMEM_RDWR, XPMEM_PERMIT_MODE, NULL);
		CHECK(apid > 0);
		att = xpmem_attach(xaddr(apid, 0), PAGES * pg, NULL);
		CHECK(att != (void *)-1);
		put_u64(up, STEP_READY);
		while ((step = get_u64(down)) != STEP_DETACH) {
			run_step((struct shared *)(att + SHARED_OFFSET(pg)), me,
				 step);
			put_u64(up, step);
		}
		CHECK(xpmem_detach(att) == 0);
		CHECK(xpmem_release(apid) == 0);
		put_u64(up, STEP_DETACH);
	}
	return 0;
}

/* The owner runs its part of the step between telling and hearing back. */
static void step_all(struct channel *ch, struct shared *s, uint64_t step)
{
	int i;

	for (i = 1; i < NPROC; i++)
		put_u64(ch[i].down[1], step);
	run_step(s, 0, step);
	for (i = 1; i < NPROC; i++)
		CHECK(get_u64(ch[i].up[0]) == step);
}

static void share_sort(enum file_sort sort, struct channel *ch)
{
	size_t pg = page_size();
	int fd, i, w, k;
	unsigned char *mem = file_buffer(sort, PAGES * pg, &fd);
	struct shared *s = (struct shared *)(mem + SHARED_OFFSET(pg));
	xpmem_segid_t segid;

	printf("%s\n", file_sort_name(sort));
	init_shared(s);
	segid = xpmem_make(mem, PAGES * pg, XPMEM_PERMIT_MODE, (void *)0600);
	CHECK(segid > 0);
	for (i = 1; i < NPROC; i++)
		put_u64(ch[i].down[1], (uint64_t)segid);
	for (i = 1; i < NPROC; i++)
		CHECK(get_u64(ch[i].up[0]) == STEP_READY);

	/* Raw futexes first: their failure names the call that failed. */
	for (w = 0; w < NPROC; w++)
		for (k = 0; k < NPROC; k++)
			if (w != k) {
				s->word[w] = 0;
				step_all(ch, s,
					 STEP_FUTEX + (uint64_t)(w * NPROC + k));
			}

	step_all(ch, s, STEP_COUNT);
	if (s->counter != (uint64_t)NPROC * test_scaled(10000))
		test_fail_at(__FILE__, __LINE__,
			     "%s: counter %llu after %d increments: the mutex did not exclude",
			     file_sort_name(sort),
			     (unsigned long long)s->counter,
			     NPROC * test_scaled(10000));

	s->counter = 0;
	step_all(ch, s, STEP_TURNS);
	CHECK(s->counter == (uint64_t)NPROC * test_scaled(200));
	CHECK(s->turn == 0);

	for (i = 1; i < NPROC; i++)
		put_u64(ch[i].down[1], STEP_DETACH);
	for (i = 1; i < NPROC; i++)
		CHECK(get_u64(ch[i].up[0]) == STEP_DETACH);
	CHECK(xpmem_remove(segid) == 0);
	CHECK(munmap(mem, PAGES * pg) == 0);
	close(fd);
}

int main(void)
{
	struct channel ch[NPROC];
	pid_t pid[NPROC];
	int i, j, sort;

	test_deadline(80);
	/* Forked before any mapping: they see the memory only attached. */
	for (i = 1; i < NPROC; i++) {
		channel_open(&ch[i]);
		pid[i] = fork_checked();
		if (pid[i] == 0) {
			/* Only the owner may hold the others' pipes. */
			for (j = 1; j < i; j++) {
				close(ch[j].down[1]);
				close(ch[j].up[0]);
			}
			channel_child(&ch[i]);
			_exit(attacher((uint32_t)i, ch[i].down[0],
				       ch[i].up[1]));
		}
		channel_parent(&ch[i]);
	}
	for (sort = 0; sort < FILE_SORTS; sort++)
		share_sort((enum file_sort)sort, ch);
	for (i = 1; i < NPROC; i++) {
		put_u64(ch[i].down[1], 0);
		CHECK(test_wait(pid[i]) == 0);
	}
	return 0;
}
