/* SPDX-License-Identifier: MIT */
/*
 * Several threads fault the same attachment at the same time, each walking
 * the pages in its own order, first reading, then writing bytes of their
 * own. Every thread must read the owner's bytes, and the owner must see
 * every thread's writes: concurrent faults on one page may not map two
 * different pages or lose one.
 */
#include <pthread.h>

#include "ktest.h"

#define PAGES	256
#define THREADS	4
#define ROUNDS	3

struct worker {
	pthread_t thread;
	int index;
	unsigned char *att;
};

static pthread_barrier_t start;

/* Page visited at step i by thread t: each thread strides differently. */
static size_t page_at(int t, size_t i)
{
	static const size_t stride[THREADS] = { 1, 7, 31, 255 };

	return (i * stride[t] + (size_t)t * 17) % PAGES;
}

static void *walk(void *arg)
{
	struct worker *w = arg;
	size_t pg = page_size(), i, p, off;

	pthread_barrier_wait(&start);
	for (i = 0; i < PAGES; i++) {
		p = page_at(w->index, i);
		off = p * pg + (size_t)w->index * 64;
		if (w->att[p * pg + pg - 1] != pattern_byte(p * pg + pg - 1, 1))
			return (void *)"wrong byte at the end of a page";
		w->att[off] = (unsigned char)(0xa0 + w->index);
	}
	return NULL;
}

static void attacher(xpmem_segid_t segid)
{
	size_t pg = page_size();
	struct worker w[THREADS];
	xpmem_apid_t apid;
	void *err;
	int r, t;

	apid = xpmem_get(segid, XPMEM_RDWR, XPMEM_PERMIT_MODE, NULL);
	CHECK(apid > 0);
	/* A fresh attachment each round, so every round faults from scratch. */
	for (r = 0; r < ROUNDS; r++) {
		unsigned char *att = xpmem_attach(xaddr(apid, 0), PAGES * pg,
						  NULL);

		CHECK(att != (void *)-1);
		CHECK(pthread_barrier_init(&start, NULL, THREADS) == 0);
		for (t = 0; t < THREADS; t++) {
			w[t] = (struct worker){ .index = t, .att = att };
			CHECK(pthread_create(&w[t].thread, NULL, walk, &w[t]) == 0);
		}
		for (t = 0; t < THREADS; t++) {
			CHECK(pthread_join(w[t].thread, &err) == 0);
			if (err)
				test_fail_at(__FILE__, __LINE__, "thread %d: %s",
					     t, (const char *)err);
		}
		pthread_barrier_destroy(&start);
		CHECK(xpmem_detach(att) == 0);
	}
	CHECK(xpmem_release(apid) == 0);
}

int main(void)
{
	size_t pg, p;
	struct kstats base;
	unsigned char *mem;
	xpmem_segid_t segid;
	pid_t pid;
	int t;

	require_kernel_backend();
	pg = page_size();
	base = kstats_read();
	mem = anon_pages(PAGES * pg);
	fill_pattern(mem, PAGES * pg, 1);
	segid = xpmem_make(mem, PAGES * pg, XPMEM_PERMIT_MODE, (void *)0600);
	CHECK(segid > 0);

	pid = fork_checked();
	if (pid == 0) {
		alarm(120);
		attacher(segid);
		_exit(0);
	}
	CHECK(test_wait(pid) == 0);
	for (p = 0; p < PAGES; p++)
		for (t = 0; t < THREADS; t++)
			CHECK(mem[p * pg + (size_t)t * 64] == 0xa0 + t);
	CHECK(xpmem_remove(segid) == 0);
	CHECK_KSTATS_BACK(base, 5);
	return 0;
}
