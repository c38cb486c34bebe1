/* SPDX-License-Identifier: MIT */
/* One message with descriptors attached (SCM_RIGHTS), each way. */
#ifndef XPMEM_FDPASS_H
#define XPMEM_FDPASS_H

#include <stddef.h>
#include <sys/types.h>

/* Sends len bytes and nfds descriptors; returns 0 or -errno. */
int xpmem_send_with_fds(int sock, const void *buf, size_t len,
			const int *fds, size_t nfds, int flags);

/*
 * Receives one message into buf and at most maxfds descriptors (opened
 * close-on-exec). Returns the message length or -errno. A message or a
 * descriptor list that did not fit is -EPROTO, with every received
 * descriptor already closed.
 */
ssize_t xpmem_recv_with_fds(int sock, void *buf, size_t len, int *fds,
			    size_t maxfds, size_t *nfds);

#endif /* XPMEM_FDPASS_H */
