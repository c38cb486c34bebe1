// SPDX-License-Identifier: MIT
/*
 * A process killed with SIGKILL while it has kinds leaves no file behind
 * in their directory, on tmpfs and on a disk file system.
 */
#include <signal.h>

#include "kind_helpers.h"

static void child(const char *dir, int ready)
{
	memkind_t kind;
	int i;

	for (i = 0; i < 8; i++) {
		if (memkind_create_pmem(dir, i % 2 ? 0 : 64 * MiB, &kind))
			_exit(2);
		char *p = memkind_malloc(kind, 4 * MiB);

		if (!p)
			_exit(3);
		memset(p, 0x11, 4 * MiB);
	}
	if (write(ready, "r", 1) != 1)
		_exit(4);
	for (;;)
		pause();
}

static void check_dir(const char *base)
{
	const char *dir = test_tmpdir(base);
	int fds[2];
	char c;
	pid_t pid;

	CHECK(dir);
	CHECK(pipe(fds) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		child(dir, fds[1]);
	}
	close(fds[1]);
	CHECK(read(fds[0], &c, 1) == 1);
	close(fds[0]);
	/* While the kinds live, they are already nameless. */
	CHECK(dir_entries(dir) == 0);
	CHECK(kill(pid, SIGKILL) == 0);
	CHECK(test_wait(pid) == 128 + SIGKILL);
	CHECK(dir_entries(dir) == 0);
	CHECK(rmdir(dir) == 0);
}

int main(void)
{
	check_dir("/dev/shm");
	check_dir("/var/tmp");
	return 0;
}
