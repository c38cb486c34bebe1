// SPDX-License-Identifier: MIT
/*
 * A thread's own jemalloc cache serves the kind it uses most: blocks never
 * cross kinds however a thread alternates between them, and a kind
 * destroyed while another thread's cache serves it gives its file space
 * back at once and the rest (descriptor, arena) when that thread moves on
 * or exits.
 */
#include <pthread.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "kind_helpers.h"

#define BURSTS 50

static const char *dir;
static memkind_t kinds[3];
static pthread_barrier_t step;

/* Bursts of every length up to 200 from each kind in turn. */
static void check_no_crossing(void)
{
	void *p[200];
	int b, i, k, n;

	for (b = 0; b < BURSTS; b++) {
		for (k = 0; k < 3; k++) {
			n = 1 + (b * 37 + k * 11) % 200;
			for (i = 0; i < n; i++) {
				p[i] = memkind_malloc(kinds[k], 16 + i % 300);
				CHECK(p[i]);
				CHECK(memkind_detect_kind(p[i]) == kinds[k]);
			}
			for (i = 0; i < n; i++)
				memkind_free(i % 2 ? NULL : kinds[k], p[i]);
		}
	}
	/* calloc and realloc of each kind, from the same thread. */
	for (k = 0; k < 3; k++) {
		for (i = 0; i < 300; i++) {
			unsigned char *c = memkind_calloc(kinds[k], 1, 64);

			CHECK(c && c[0] == 0 && c[63] == 0);
			CHECK(memkind_detect_kind(c) == kinds[k]);
			c = memkind_realloc(kinds[k], c, 50 + i * 10);
			CHECK(c && memkind_detect_kind(c) == kinds[k]);
			memkind_free(NULL, c);
		}
	}
}

static void *bound_thread(void *arg)
{
	memkind_t other = arg;
	void *p;
	int i;

	for (i = 0; i < 1000; i++)
		memkind_free(kinds[0], memkind_malloc(kinds[0], 64));
	pthread_barrier_wait(&step); /* main destroys kinds[0] */
	pthread_barrier_wait(&step);
	if (other) {
		/* Moving to another kind lets the destroyed one go. */
		for (i = 0; i < 1000; i++) {
			p = memkind_malloc(other, 64);
			CHECK(p && memkind_detect_kind(p) == other);
			memkind_free(other, p);
		}
	}
	return NULL;
}

static int backing_fd(void *p)
{
	off_t off;
	size_t len;
	int fd;

	CHECK(memkind_get_backing(p, &fd, &off, &len) == 0);
	return fd;
}

static size_t fd_used(int fd)
{
	struct stat st;

	CHECK(fstat(fd, &st) == 0);
	return (size_t)st.st_blocks * 512;
}

/*
 * A thread bound to a kind that main destroys: it moves on to another
 * kind (moving_on) or exits; either way, everything is released.
 */
static void check_destroy_while_bound(bool moving_on)
{
	int fds = count_fds(), fd;
	unsigned char vec;
	pthread_t th;
	char *big;

	CHECK(memkind_create_pmem(dir, 0, &kinds[0]) == 0);
	CHECK(pthread_barrier_init(&step, NULL, 2) == 0);
	CHECK(pthread_create(&th, NULL, bound_thread,
			     moving_on ? MEMKIND_DEFAULT : NULL) == 0);
	pthread_barrier_wait(&step);
	big = memkind_malloc(kinds[0], 8 * MiB);
	CHECK(big);
	memset(big, 1, 8 * MiB);
	fd = backing_fd(big);
	CHECK(fd_used(fd) >= 8 * MiB);
	CHECK(memkind_destroy_kind(kinds[0]) == 0);
	/* Still open while the thread's cache serves it, but empty. */
	if (fcntl(fd, F_GETFD) >= 0) {
		printf("destroyed while bound: file kept, %zu KiB\n",
		       fd_used(fd) >> 10);
		CHECK(fd_used(fd) == 0);
	}
	pthread_barrier_wait(&step);
	CHECK(pthread_join(th, NULL) == 0);
	CHECK(count_fds() == fds);
	/* The kind's addresses are unmapped. */
	CHECK(mincore((void *)((uintptr_t)big & ~(uintptr_t)4095), 4096,
		      &vec) == -1 &&
	      errno == ENOMEM);
	CHECK(dir_entries(dir) == 0);
	pthread_barrier_destroy(&step);
}

int main(void)
{
	int k;

	dir = test_tmpdir("/dev/shm");
	CHECK(dir);
	CHECK(memkind_create_pmem(dir, 0, &kinds[0]) == 0);
	CHECK(memkind_create_shared(0, &kinds[1]) == 0);
	kinds[2] = MEMKIND_DEFAULT;
	check_no_crossing();
	for (k = 0; k < 2; k++)
		CHECK(memkind_destroy_kind(kinds[k]) == 0);
	check_destroy_while_bound(true);
	check_destroy_while_bound(false);
	CHECK(rmdir(dir) == 0);
	return 0;
}
