/* SPDX-License-Identifier: MIT */
/*
 * SCM_RIGHTS helpers. The control buffers are sized for XPMEM_MAX_FDS, the
 * most the protocol ever carries in one message.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fdpass.h"
#include "proto.h"

union fd_cmsg {
	struct cmsghdr align;
	char buf[CMSG_SPACE(sizeof(int) * XPMEM_MAX_FDS)];
};

int xpmem_send_with_fds(int sock, const void *buf, size_t len,
			const int *fds, size_t nfds, int flags)
{
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	union fd_cmsg control;
	struct cmsghdr *cmsg;

	if (nfds > XPMEM_MAX_FDS)
		return -E2BIG;
	if (nfds) {
		memset(&control, 0, sizeof(control));
		msg.msg_control = control.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(cmsg), fds, sizeof(int) * nfds);
	}
	if (sendmsg(sock, &msg, flags | MSG_NOSIGNAL) != (ssize_t)len)
		return errno ? -errno : -EIO;
	return 0;
}

/* Collects the descriptors of every SCM_RIGHTS header; closes extras. */
static int take_fds(struct msghdr *msg, int *fds, size_t maxfds,
		    size_t *nfds)
{
	struct cmsghdr *cmsg;
	int rc = 0;

	*nfds = 0;
	for (cmsg = CMSG_FIRSTHDR(msg); cmsg; cmsg = CMSG_NXTHDR(msg, cmsg)) {
		size_t i, n;

		if (cmsg->cmsg_level != SOL_SOCKET ||
		    cmsg->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cmsg) + i * sizeof(int),
			       sizeof(fd));
			if (*nfds < maxfds) {
				fds[(*nfds)++] = fd;
			} else {
				close(fd);
				rc = -EPROTO;
			}
		}
	}
	return rc;
}

ssize_t xpmem_recv_with_fds(int sock, void *buf, size_t len, int *fds,
			    size_t maxfds, size_t *nfds)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	union fd_cmsg control;
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	ssize_t n;
	int rc;

	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);

	*nfds = 0;
	if (n < 0)
		return -errno;
	rc = take_fds(&msg, fds, maxfds, nfds);
	if (rc == 0 && (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)))
		rc = -EPROTO;
	if (rc < 0) {
		while (*nfds)
			close(fds[--(*nfds)]);
		return rc;
	}
	return n;
}
