/* SPDX-License-Identifier: MIT */
/*
 * MAP_SHARED mappings of ordinary files on a disk file system, exported
 * and attached from another process with the bytes checked both ways:
 *   - a named file whose descriptor the owner closed after mmap (the
 *     user-space backend reopens it by path and checks it is the same);
 *   - an unlinked file without a descriptor (only /proc/self/map_files
 *     reaches it, which needs privilege: EOPNOTSUPP otherwise);
 *   - a file the owner may no longer open (mode 000, owner not root): its
 *     open read-write descriptor is passed as is for a read-write permit,
 *     and a read-only permit, which must not get it, is refused;
 *   - a memfd whose descriptor number is reused for another memfd after an
 *     attach: a later attach shows the first file's bytes or fails, never
 *     the second file's.
 */
#include <grp.h>
#include <sys/stat.h>

#include "xpmem_test.h"

#define NPAGES 4

static char dir[4096];

static unsigned char *map_file(const char *name, bool keep_fd, bool unlink_it,
			       int *fd_out)
{
	size_t size = NPAGES * page_size();
	char path[4200];
	unsigned char *p;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	CHECK(fd >= 0);
	CHECK(ftruncate(fd, (off_t)size) == 0);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(p != MAP_FAILED);
	if (unlink_it)
		CHECK(unlink(path) == 0);
	if (keep_fd)
		*fd_out = fd;
	else
		close(fd);
	return p;
}

/*
 * Exports buf, lets a child attach it with the given permit, and returns
 * 0 or the errno of the child's attach. The child writes seed + 1.
 */
static int share(unsigned char *buf, int flags, unsigned int seed)
{
	size_t size = NPAGES * page_size();
	xpmem_segid_t segid;
	pid_t pid;
	int status;

	fill_pattern(buf, size, seed);
	segid = xpmem_make(buf, size, XPMEM_PERMIT_MODE, (void *)0600);
	CHECK(segid > 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		xpmem_apid_t apid = xpmem_get(segid, flags, XPMEM_PERMIT_MODE,
					      NULL);
		unsigned char *p;

		CHECK(apid > 0);
		p = xpmem_attach(xaddr(apid, 0), size, NULL);
		if (p == (void *)-1)
			_exit(errno);
		CHECK_PATTERN(p, size, seed);
		if (flags == XPMEM_RDWR)
			fill_pattern(p, size, seed + 1);
		CHECK(xpmem_detach(p) == 0);
		_exit(0);
	}
	status = test_wait(pid);
	CHECK(status < 128);
	if (status == 0 && flags == XPMEM_RDWR)
		CHECK_PATTERN(buf, size, seed + 1);
	CHECK(xpmem_remove(segid) == 0);
	return status;
}

static void no_permission_to_reopen(void)
{
	pid_t pid;

	if (geteuid() != 0) {
		printf("mode-000 case skipped: needs root to run as nobody\n");
		return;
	}
	CHECK(chmod(dir, 0777) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		unsigned char *buf;
		int fd, rc;

		CHECK(setgroups(0, NULL) == 0);
		CHECK(setresgid(65534, 65534, 65534) == 0);
		CHECK(setresuid(65534, 65534, 65534) == 0);
		buf = map_file("locked", true, false, &fd);
		CHECK(fchmod(fd, 0) == 0);
		CHECK(share(buf, XPMEM_RDWR, 50) == 0);
		rc = share(buf, XPMEM_RDONLY, 60);
		CHECK(rc == (user_backend() ? EOPNOTSUPP : 0));
		_exit(0);
	}
	CHECK(test_wait(pid) == 0);
}

static void reused_descriptor(void)
{
	size_t size = NPAGES * page_size();
	unsigned char *a = shared_buffer(size), *b;
	int fd_a = -1, fd_b, n, rc;

	/* shared_buffer() keeps its memfd open: find its number. */
	for (n = 3; n < 1024 && fd_a < 0; n++) {
		char link[64], target[256];
		ssize_t len;

		snprintf(link, sizeof(link), "/proc/self/fd/%d", n);
		len = readlink(link, target, sizeof(target) - 1);
		if (len > 0) {
			target[len] = '\0';
			if (strstr(target, "xpmem-test"))
				fd_a = n;
		}
	}
	CHECK(fd_a >= 0);
	CHECK(share(a, XPMEM_RDWR, 70) == 0);
	close(fd_a);
	fd_b = memfd_create("other", MFD_CLOEXEC);
	CHECK(fd_b == fd_a);
	CHECK(ftruncate(fd_b, (off_t)size) == 0);
	b = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd_b, 0);
	CHECK(b != MAP_FAILED);
	fill_pattern(b, size, 90);
	rc = share(a, XPMEM_RDWR, 80);	/* the child checks a's bytes */
	CHECK(rc == 0 || (user_backend() && rc == EOPNOTSUPP));
	CHECK_PATTERN(b, size, 90);
	munmap(a, size);
	munmap(b, size);
	close(fd_b);
}

int main(void)
{
	const char *d = test_tmpdir(NULL);
	char cmd[4200];
	int rc;

	CHECK(d != NULL);
	snprintf(dir, sizeof(dir), "%s", d);

	CHECK(share(map_file("named", false, false, NULL), XPMEM_RDWR, 1) == 0);
	CHECK(share(map_file("named-ro", false, false, NULL), XPMEM_RDONLY,
		    3) == 0);

	rc = share(map_file("unlinked", false, true, NULL), XPMEM_RDWR, 5);
	if (user_backend() && geteuid() != 0)
		CHECK(rc == 0 || rc == EOPNOTSUPP);
	else
		CHECK(rc == 0);

	no_permission_to_reopen();
	reused_descriptor();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0);
	return 0;
}
