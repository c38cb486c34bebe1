/* SPDX-License-Identifier: MIT */
/*
 * Stress: several processes, two threads each, export parts of their own
 * private memory and do random operations on each other's segments (get,
 * attach, read, write, detach, release, remove, remap their own pages,
 * fork), while the parent SIGKILLs a random one every few hundred
 * milliseconds and starts a new one in its place. Runs for
 * $XPMEM_STRESS_SECONDS (default 5, at most 20).
 *
 * Every page a worker owns starts with its signature; a reader may see the
 * signature or zeros (a page the owner just replaced), anything else is
 * another process's memory. Workers may only die by our SIGKILL. At the end
 * the module's counters must be back where they started, and enough
 * operations must have succeeded for the run to mean something.
 */
#include <pthread.h>
#include <sys/prctl.h>

#include "ktest.h"

#define WORKERS		4
#define THREADS		2
#define REGION_PAGES	32
#define SLOTS		2
#define CACHED		6
#define HEADER		64	/* bytes at a page start that peers only read */

struct shared {
	volatile int64_t segid[WORKERS][SLOTS];
	volatile long attaches;
	volatile long reads;
	volatile long ops;
};

struct cached {
	unsigned char *addr;
	size_t size;
	xpmem_apid_t apid;
	int owner;
};

struct worker {
	int index;
	struct shared *sh;
	unsigned char *region;
	pthread_mutex_t region_lock;
};

static uint64_t signature(int owner)
{
	return 0x5354524553530000ull | (uint64_t)owner;
}

static unsigned int rnd(unsigned int *state)
{
	*state = *state * 1103515245u + 12345u;
	return (*state >> 8) & 0xffffff;
}

static void stamp(unsigned char *page, int owner)
{
	*(volatile uint64_t *)page = signature(owner);
}

/* A syscall's failure must come with an errno. */
static void check_failure(long rc)
{
	if (rc == -1 && errno == 0)
		test_fail_at(__FILE__, __LINE__, "-1 without errno");
}

static void churn_own_page(struct worker *w, unsigned int *st)
{
	size_t pg = page_size();
	unsigned char *page = w->region + (rnd(st) % REGION_PAGES) * pg;

	pthread_mutex_lock(&w->region_lock);
	switch (rnd(st) % 3) {
	case 0:
		CHECK(mmap(page, pg, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
		      page);
		break;
	case 1:
		CHECK(madvise(page, pg, MADV_DONTNEED) == 0);
		break;
	default:
		break;
	}
	stamp(page, w->index);
	pthread_mutex_unlock(&w->region_lock);
}

static void make_or_remove(struct worker *w, unsigned int *st)
{
	size_t pg = page_size();
	int slot = rnd(st) % SLOTS;
	xpmem_segid_t id = w->sh->segid[w->index][slot];
	size_t first, pages;

	if (id > 0) {
		w->sh->segid[w->index][slot] = 0;
		errno = 0;
		check_failure(xpmem_remove(id));
		return;
	}
	first = rnd(st) % REGION_PAGES;
	pages = 1 + rnd(st) % (REGION_PAGES - first);
	errno = 0;
	id = xpmem_make(w->region + first * pg, pages * pg, XPMEM_PERMIT_MODE,
			(void *)0600);
	check_failure(id);
	CHECK(id != 0);
	if (id > 0)
		w->sh->segid[w->index][slot] = id;
}

static void attach_peer(struct worker *w, struct cached *c, unsigned int *st)
{
	size_t pg = page_size();
	int owner = rnd(st) % WORKERS;
	xpmem_segid_t id = w->sh->segid[owner][rnd(st) % SLOTS];
	size_t pages = 1 + rnd(st) % 8;
	off_t offset = (off_t)(rnd(st) % 4) * (off_t)pg;
	void *addr;

	if (id <= 0)
		return;
	errno = 0;
	c->apid = xpmem_get(id, XPMEM_RDWR, XPMEM_PERMIT_MODE, NULL);
	check_failure(c->apid);
	if (c->apid <= 0)
		return;
	errno = 0;
	addr = xpmem_attach(xaddr(c->apid, offset), pages * pg, NULL);
	if (addr == (void *)-1) {
		CHECK(errno != 0);
		check_failure(xpmem_release(c->apid));
		c->apid = 0;
		return;
	}
	__atomic_add_fetch(&w->sh->attaches, 1, __ATOMIC_RELAXED);
	c->addr = addr;
	c->size = pages * pg;
	c->owner = owner;
}

/*
 * Reads a page header and writes past it; faults are allowed, lies not.
 * The signature is read with one 8-byte load: the owner stamps it with one
 * store, so a byte-wise read could mix a fresh zero page with its stamp.
 */
static void use_cached(struct worker *w, struct cached *c, unsigned int *st)
{
	size_t pg = page_size();
	unsigned char *page = c->addr + (rnd(st) % (c->size / pg)) * pg;
	unsigned char v;
	uint64_t got;

	if (probe_u64((const volatile uint64_t *)page, &got) != 0)
		return;
	if (got != 0 && got != signature(c->owner))
		test_fail_at(__FILE__, __LINE__,
			     "worker %d read %#llx from worker %d's page",
			     w->index, (unsigned long long)got, c->owner);
	__atomic_add_fetch(&w->sh->reads, 1, __ATOMIC_RELAXED);
	v = (unsigned char)rnd(st);
	probe_byte(page + HEADER + rnd(st) % (pg - HEADER), true, &v);
}

static void drop_cached(struct cached *c, bool release_only)
{
	errno = 0;
	if (!release_only)
		check_failure(xpmem_detach(c->addr));
	errno = 0;
	check_failure(xpmem_release(c->apid));
	memset(c, 0, sizeof(*c));
}

static void child_fault_handler(int sig)
{
	_exit(0);
}

/*
 * A child does not inherit attachments: touching one must fault. The
 * child sets up its own handler, unblocked, rather than rely on the
 * probe's state, which another thread of the parent may have been
 * changing when it forked.
 */
static void fork_and_probe(struct cached *c)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		struct sigaction sa = { .sa_handler = child_fault_handler };
		sigset_t set;

		alarm(10);
		sigemptyset(&sa.sa_mask);
		sigaction(SIGSEGV, &sa, NULL);
		sigaction(SIGBUS, &sa, NULL);
		sigemptyset(&set);
		sigaddset(&set, SIGSEGV);
		sigaddset(&set, SIGBUS);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		(void)*(volatile unsigned char *)c->addr;
		_exit(3);
	}
	CHECK(pid > 0);
	st = test_wait(pid);
	if (st != 0)
		test_fail_at(__FILE__, __LINE__,
			     "child probing %p ended with status %d", c->addr,
			     st);
}

static void *worker_thread(void *arg)
{
	struct worker *w = arg;
	struct cached cache[CACHED] = { { 0 } };
	unsigned int st = (unsigned int)getpid() * 7919u +
			  (unsigned int)(uintptr_t)&cache;
	struct cached *c;

	for (;;) {
		c = &cache[rnd(&st) % CACHED];
		__atomic_add_fetch(&w->sh->ops, 1, __ATOMIC_RELAXED);
		switch (rnd(&st) % 10) {
		case 0:
			make_or_remove(w, &st);
			break;
		case 1:
			churn_own_page(w, &st);
			break;
		case 2:
		case 3:
			if (!c->addr)
				attach_peer(w, c, &st);
			break;
		case 4:
			if (c->addr)
				drop_cached(c, rnd(&st) % 2);
			break;
		case 5:
			if (c->addr && rnd(&st) % 8 == 0)
				fork_and_probe(c);
			break;
		default:
			if (c->addr)
				use_cached(w, c, &st);
			break;
		}
	}
	return NULL;
}

static void worker_main(int index, struct shared *sh)
{
	struct worker w = { .index = index, .sh = sh };
	pthread_t t[THREADS];
	size_t pg = page_size();
	int i;

	pthread_mutex_init(&w.region_lock, NULL);
	w.region = anon_pages(REGION_PAGES * pg);
	for (i = 0; i < REGION_PAGES; i++)
		stamp(w.region + i * pg, index);
	for (i = 1; i < THREADS; i++)
		CHECK(pthread_create(&t[i], NULL, worker_thread, &w) == 0);
	worker_thread(&w);
}

static pid_t spawn(int index, struct shared *sh)
{
	pid_t pid;
	int slot;

	for (slot = 0; slot < SLOTS; slot++)
		sh->segid[index][slot] = 0;
	pid = fork_checked();
	if (pid == 0) {
		/* A failed test must not leave workers running. */
		CHECK(prctl(PR_SET_PDEATHSIG, SIGKILL) == 0);
		if (getppid() == 1)
			_exit(1);
		worker_main(index, sh);
		_exit(0);
	}
	return pid;
}

/* Kills a worker and fails the test unless it was alive until then. */
static void reap(pid_t pid, int index)
{
	int st;

	CHECK(kill(pid, SIGKILL) == 0);
	st = test_wait(pid);
	if (st != 128 + SIGKILL)
		test_fail_at(__FILE__, __LINE__,
			     "worker %d ended with status %d before it was killed",
			     index, st);
}

int main(void)
{
	const char *env = getenv("XPMEM_STRESS_SECONDS");
	double seconds = env ? atof(env) : 5, end;
	unsigned int st = (unsigned int)getpid();
	struct kstats base;
	struct shared *sh;
	pid_t pid[WORKERS];
	long kills = 0;
	int i;

	require_kernel_backend();
	if (seconds <= 0 || seconds > 20)
		seconds = seconds <= 0 ? 5 : 20;
	base = kstats_read();
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(sh != MAP_FAILED);

	for (i = 0; i < WORKERS; i++)
		pid[i] = spawn(i, sh);
	end = now_seconds() + seconds;
	while (now_seconds() < end) {
		usleep(50000 + rnd(&st) % 250000);
		i = rnd(&st) % WORKERS;
		reap(pid[i], i);
		pid[i] = spawn(i, sh);
		kills++;
	}
	for (i = 0; i < WORKERS; i++)
		reap(pid[i], i);

	printf("%.0f s: %ld kills, %ld operations, %ld attaches, %ld checked reads\n",
	       seconds, kills, sh->ops, sh->attaches, sh->reads);
	CHECK(sh->attaches >= 10);
	CHECK(sh->reads >= 10);
	CHECK_KSTATS_BACK(base, 10);
	return 0;
}
