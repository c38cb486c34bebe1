// SPDX-License-Identifier: MIT
/*
 * fork(): the child gets a private copy of every file-backed kind. It sees
 * the parent's bytes as of the fork, and from then on neither side sees
 * the other's writes, allocations or frees.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/stat.h>

#include "kind_helpers.h"

#define NK 3
#define BLOCK (1 * MiB)

static memkind_t kinds[NK];
static char *blocks[NK];

static ino_t backing_inode(void *p)
{
	struct stat st;
	off_t off;
	size_t len;
	int fd;

	if (memkind_get_backing(p, &fd, &off, &len) || fstat(fd, &st))
		return 0;
	return st.st_ino;
}

static int child(ino_t *parent_ino)
{
	char *more[NK];
	int i;

	for (i = 0; i < NK; i++) {
		if (!check_pattern(blocks[i], BLOCK, (uint32_t)i))
			return 10 + i;
		if (backing_inode(blocks[i]) == parent_ino[i])
			return 20 + i;
		fill_pattern(blocks[i], BLOCK, 100 + i);
		memkind_free(kinds[i], blocks[i]);
		more[i] = memkind_malloc(kinds[i], BLOCK);
		if (!more[i])
			return 30 + i;
		memset(more[i], 0xee, BLOCK);
	}
	for (i = 0; i < NK; i++)
		if (memkind_destroy_kind(kinds[i]))
			return 40 + i;
	return 0;
}

static atomic_int stop;

/* Allocates and frees on every kind until told to stop. */
static void *churn(void *arg)
{
	void *p[32] = {0};
	unsigned i = 0;

	while (!atomic_load(&stop)) {
		memkind_t kind = kinds[i % NK];
		unsigned s = i % 32;

		memkind_free(NULL, p[s]);
		p[s] = memkind_malloc(kind, 16 + (i * 131) % 70000);
		if (p[s])
			memset(p[s], 0x77, 16);
		i++;
	}
	for (i = 0; i < 32; i++)
		memkind_free(NULL, p[i]);
	return NULL;
}

/* Forks while other threads allocate: no deadlock, a working child. */
static void check_fork_under_load(void)
{
	pthread_t th[2];
	pid_t pid;
	int i, k;

	for (i = 0; i < 2; i++)
		CHECK(pthread_create(&th[i], NULL, churn, NULL) == 0);
	for (i = 0; i < 20; i++) {
		pid = fork();
		CHECK(pid >= 0);
		if (pid == 0) {
			alarm(20);
			for (k = 0; k < NK; k++) {
				char *p = memkind_malloc(kinds[k], 5000);

				if (!p || !check_pattern(blocks[k], BLOCK, k))
					_exit(1);
				memset(p, 1, 5000);
				memkind_free(NULL, p);
			}
			_exit(0);
		}
		CHECK(test_wait(pid) == 0);
	}
	atomic_store(&stop, 1);
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
}

int main(void)
{
	char *d1 = strdup(test_tmpdir("/dev/shm"));
	char *d2 = strdup(test_tmpdir("/var/tmp"));
	ino_t ino[NK];
	char *later;
	pid_t pid;
	int i;

	CHECK(memkind_create_pmem(d1, 0, &kinds[0]) == 0);
	CHECK(memkind_create_pmem(d2, 64 * MiB, &kinds[1]) == 0);
	CHECK(memkind_create_shared(0, &kinds[2]) == 0);
	for (i = 0; i < NK; i++) {
		blocks[i] = memkind_malloc(kinds[i], BLOCK);
		CHECK(blocks[i]);
		fill_pattern(blocks[i], BLOCK, (uint32_t)i);
		ino[i] = backing_inode(blocks[i]);
		CHECK(ino[i] != 0);
	}
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		_exit(child(ino));
	CHECK(test_wait(pid) == 0);
	check_fork_under_load();
	for (i = 0; i < NK; i++) {
		/* The child's writes and free did not reach the parent. */
		CHECK(check_pattern(blocks[i], BLOCK, (uint32_t)i));
		CHECK(backing_inode(blocks[i]) == ino[i]);
		/* and the parent's heap still knows the block is in use. */
		later = memkind_malloc(kinds[i], BLOCK);
		CHECK(later);
		CHECK(later + BLOCK <= blocks[i] || later >= blocks[i] + BLOCK);
		memset(later, 0, BLOCK);
		CHECK(check_pattern(blocks[i], BLOCK, (uint32_t)i));
		CHECK(memkind_destroy_kind(kinds[i]) == 0);
	}
	CHECK(dir_entries(d1) == 0 && dir_entries(d2) == 0);
	CHECK(rmdir(d1) == 0 && rmdir(d2) == 0);
	free(d1);
	free(d2);
	return 0;
}
