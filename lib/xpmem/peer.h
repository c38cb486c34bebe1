/* SPDX-License-Identifier: MIT */
/*
 * What the agent may believe about the process at the other end of a
 * connection, beyond the SO_PEERCRED credentials taken at connect time
 * (peer.c).
 */
#ifndef XPMEM_PEER_H
#define XPMEM_PEER_H

#include <stdbool.h>
#include <sys/socket.h>
#include <sys/types.h>

/* Whether gid is one of the peer's supplementary groups. */
bool xpmem_peer_in_group(int fd, gid_t gid);

/*
 * Whether the peer may have any permit whatever the mode, as a caller with
 * CAP_DAC_OVERRIDE in the owner's user namespace may under the module.
 */
bool xpmem_peer_overrides_dac(int fd, const struct ucred *cred);

#endif /* XPMEM_PEER_H */
