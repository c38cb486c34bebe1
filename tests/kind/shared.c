// SPDX-License-Identifier: MIT
/*
 * The shareable kind: another process that maps the kind's memfd (here
 * through /proc/<pid>/fd) sees this process's writes, and addresses keep
 * their file offsets while blocks are freed and reallocated, so its
 * mapping stays coherent.
 */
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>

#include "kind_helpers.h"

#define SPAN (64 * MiB) /* the whole kind */

struct req {
	off_t off;     /* file offset to look at */
	uint32_t seed; /* pattern expected there */
	uint32_t len;
};

/* The observer maps the owner's file once and checks what it is told. */
static int observer(pid_t owner, int fd, off_t base, int rd, int wr)
{
	char path[64];
	struct req q;
	char *map;
	int f;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)owner, fd);
	f = open(path, O_RDWR);
	if (f < 0)
		return 2;
	map = mmap(NULL, SPAN, PROT_READ | PROT_WRITE, MAP_SHARED, f, base);
	if (map == MAP_FAILED)
		return 3;
	while (read(rd, &q, sizeof(q)) == sizeof(q)) {
		char ok = check_pattern(map + (q.off - base), q.len, q.seed);

		if (write(wr, &ok, 1) != 1)
			return 4;
	}
	return 0;
}

static off_t offset_of(void *p)
{
	off_t off;
	size_t len;
	int fd;

	CHECK(memkind_get_backing(p, &fd, &off, &len) == 0);
	return off;
}

static void ask(int wr, int rd, void *p, uint32_t seed, uint32_t len)
{
	struct req q = {offset_of(p), seed, len};
	char ok = 0;

	CHECK(write(wr, &q, sizeof(q)) == sizeof(q));
	CHECK(read(rd, &ok, 1) == 1);
	CHECK(ok == 1);
}

int main(void)
{
	int to[2], from[2], fd, i;
	memkind_t kind;
	char *first, *p;
	off_t off, base;
	size_t len;
	pid_t pid;

	CHECK(memkind_create_shared(SPAN, &kind) == 0);
	first = memkind_malloc(kind, 4096);
	CHECK(first);
	CHECK(memkind_get_backing(first, &fd, &off, &len) == 0);
	CHECK(len >= 4096 && off + (off_t)len <= (off_t)SPAN);
	base = 0;
	CHECK(memkind_get_backing(first + 100, &fd, &off, &len) == 0);
	CHECK(off == offset_of(first) + 100);
	CHECK(pipe(to) == 0 && pipe(from) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		close(to[1]);
		close(from[0]);
		_exit(observer(getppid(), fd, base, to[0], from[1]));
	}
	close(to[0]);
	close(from[1]);

	fill_pattern(first, 4096, 1);
	ask(to[1], from[0], first, 1, 4096);
	fill_pattern(first, 4096, 2); /* a change is seen, not a copy */
	ask(to[1], from[0], first, 2, 4096);
	/* Free and reallocate many times: every address keeps its offset. */
	for (i = 0; i < 200; i++) {
		size_t size = 64 + (size_t)i * 997 % 60000;

		p = memkind_malloc(kind, size);
		CHECK(p);
		CHECK(offset_of(p) - offset_of(first) == p - first);
		if (offset_of(p) + (off_t)size > base + (off_t)SPAN) {
			memkind_free(kind, p);
			continue;
		}
		fill_pattern(p, size, 10 + i);
		ask(to[1], from[0], p, 10 + i, size);
		if (i % 3)
			memkind_free(NULL, p);
	}
	close(to[1]);
	CHECK(test_wait(pid) == 0);
	CHECK(memkind_destroy_kind(kind) == 0);
	return 0;
}
