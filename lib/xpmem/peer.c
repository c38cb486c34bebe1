/* SPDX-License-Identifier: MIT */
/*
 * Facts about a connected peer that SO_PEERCRED does not give.
 *
 * Privilege. The module lets a caller with CAP_DAC_OVERRIDE in the owner's
 * user namespace have any permit. The agent cannot ask the kernel that
 * question about another process, so it decides from two facts:
 *
 *   - the peer's effective uid, as SO_PEERCRED translates it into the
 *     agent's user namespace, is 0: the peer is root here, not root of a
 *     user namespace of its own (whose uid 0 maps to another uid, or to
 *     the overflow uid, seen from here);
 *   - CAP_DAC_OVERRIDE is in the peer's effective set (CapEff in
 *     /proc/<pid>/status), so a root that dropped it is refused, as the
 *     module refuses it.
 *
 * The status file is found by pid, and a pid can be reused once its
 * process is gone. Where the kernel hands out a pidfd for the peer
 * (SO_PEERPIDFD, Linux 6.5), the pidfd is checked after the read: if the
 * peer still exists then, the pid named it throughout and the read was
 * its own. Older kernels have no race-free way; there the read is taken
 * as it is, which can only matter for a peer that is root already, and
 * only if it exits and its pid is reused within the read.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "peer.h"

/* The value of the architectures that take asm-generic's socket options. */
#if !defined(SO_PEERPIDFD) &&						\
	(defined(__x86_64__) || defined(__i386__) || defined(__aarch64__) || \
	 defined(__arm__) || defined(__riscv) || defined(__powerpc__) ||	\
	 defined(__s390__) || defined(__loongarch__))
#define SO_PEERPIDFD 77
#endif

#define CAP_DAC_OVERRIDE_BIT 1	/* CAP_DAC_OVERRIDE of linux/capability.h */

bool xpmem_peer_in_group(int fd, gid_t gid)
{
	gid_t small[64], *groups = small;
	socklen_t len = sizeof(small);
	bool found = false;
	size_t i;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0) {
		if (errno != ERANGE || !(groups = malloc(len)))
			return false;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0)
			len = 0;
	}
	for (i = 0; i < len / sizeof(gid_t) && !found; i++)
		found = groups[i] == gid;
	if (groups != small)
		free(groups);
	return found;
}

/*
 * The peer's pidfd; -ENOPROTOOPT where the kernel has none to give, another
 * -errno when it has but the peer is gone.
 */
static int peer_pidfd(int fd)
{
#ifdef SO_PEERPIDFD
	int pidfd = -1;
	socklen_t len = sizeof(pidfd);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len) == 0)
		return pidfd;
	return errno == ENOPROTOOPT ? -ENOPROTOOPT : -ESRCH;
#else
	(void)fd;
	return -ENOPROTOOPT;
#endif
}

/* Whether the process of pidfd exists (a zombie still holds its pid). */
static bool pidfd_alive(int pidfd)
{
	return syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) == 0 ||
	       errno == EPERM;
}

/* CapEff of process pid, or 0 when it cannot be read. */
static uint64_t read_capeff(pid_t pid)
{
	char path[64], line[256];
	uint64_t caps = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %" SCNx64, &caps) == 1)
			break;
	fclose(f);
	return caps;
}

bool xpmem_peer_overrides_dac(int fd, const struct ucred *cred)
{
	uint64_t caps;
	int pidfd;

	if (cred->uid != 0 || cred->pid <= 0)
		return false;
	pidfd = peer_pidfd(fd);
	if (pidfd < 0 && pidfd != -ENOPROTOOPT)
		return false;
	caps = read_capeff(cred->pid);
	if (pidfd >= 0) {
		if (!pidfd_alive(pidfd))
			caps = 0;
		close(pidfd);
	}
	return caps & (1ULL << CAP_DAC_OVERRIDE_BIT);
}
