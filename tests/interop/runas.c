// SPDX-License-Identifier: MIT
/*
 * runas: runs a program with other user and group ids, for the
 * unprivileged half of the interop runs in the VM (busybox has no chpst or
 * setuidgid, and su needs a login shell and a password database).
 *
 *   runas <uid> <gid> <program> [args...]
 *
 * Supplementary groups are dropped too, so nothing of root's is left. The
 * environment is kept: the library paths and UCX settings must reach the
 * program unchanged.
 */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int parse_id(const char *s, unsigned int *id)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v >= UINT_MAX)
		return -EINVAL;
	*id = (unsigned int)v;
	return 0;
}

/* Group first: once the uid is dropped, setgid is no longer allowed. */
static int drop_to(uid_t uid, gid_t gid)
{
	if (setgroups(0, NULL) || setgid(gid) || setuid(uid))
		return -errno;
	/* A failed drop must not let the program run as root. */
	if (getuid() != uid || geteuid() != uid || getgid() != gid ||
	    getegid() != gid)
		return -EPERM;
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int uid, gid;
	int err;

	if (argc < 4 || parse_id(argv[1], &uid) || parse_id(argv[2], &gid)) {
		fprintf(stderr, "usage: runas <uid> <gid> <program> [args...]\n");
		return 2;
	}
	err = drop_to(uid, gid);
	if (err) {
		fprintf(stderr, "runas: cannot become %u:%u: %s\n", uid, gid,
			strerror(-err));
		return 126;
	}
	execvp(argv[3], argv + 3);
	fprintf(stderr, "runas: %s: %s\n", argv[3], strerror(errno));
	return 127;
}
