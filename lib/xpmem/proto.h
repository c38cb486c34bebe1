/* SPDX-License-Identifier: MIT */
/*
 * Wire format between a client of the user-space backend and the agent of
 * the process that owns a segment.
 *
 * Transport: a SOCK_SEQPACKET Unix socket in the abstract namespace, named
 * after the owner's pid. One connection carries one request and one reply.
 * Message boundaries are kept by the socket, so a request either arrives
 * whole or is rejected for its length: the agent never waits for the rest
 * of a message. Descriptors for the reply travel as SCM_RIGHTS.
 */
#ifndef XPMEM_PROTO_H
#define XPMEM_PROTO_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>

#include <xpmem.h>

#define XPMEM_PROTO_MAGIC	0x58504d31u	/* "XPM1" */

enum xpmem_proto_op {
	XPMEM_OP_GET = 1,	/* may this peer have a permit? */
	XPMEM_OP_ATTACH = 2,	/* descriptors for a window */
};

struct xpmem_req {
	uint32_t magic;
	uint32_t op;
	int64_t segid;
	uint64_t offset;	/* ATTACH: window start in the segment */
	uint64_t size;		/* ATTACH: window length */
	uint32_t flags;		/* XPMEM_RDONLY or XPMEM_RDWR */
	uint32_t reserved;	/* must be zero */
};

/* One contiguous part of an attach window. */
struct xpmem_piece {
	uint64_t offset;	/* from the start of the window */
	uint64_t length;
	uint64_t file_offset;	/* into the descriptor, when not a hole */
	int32_t fd_index;	/* index into the passed descriptors, -1: hole */
	uint32_t prot;		/* PROT_READ, PROT_WRITE; 0 for holes */
};

/*
 * Bounds that keep every message small: a window more fragmented than this
 * (many different files or mappings) is refused with E2BIG.
 */
#define XPMEM_MAX_PIECES	128
#define XPMEM_MAX_FDS		32

struct xpmem_reply {
	uint32_t magic;
	int32_t error;		/* 0, or a positive errno */
	uint64_t seg_size;	/* GET: size of the segment */
	uint32_t npieces;	/* ATTACH: entries used in pieces[] */
	uint32_t nfds;		/* ATTACH: descriptors passed */
	struct xpmem_piece pieces[XPMEM_MAX_PIECES];
};

#define XPMEM_REPLY_HDR_SIZE	offsetof(struct xpmem_reply, pieces)

/*
 * Segment ids carry the owner's pid, so that a client knows whose agent to
 * ask, and 40 random bits, so that nobody can guess another process's
 * segments. pid_max is at most 2^22, so the id stays positive. Permit ids
 * have the same shape, which tells another process's ids (EACCES, as the
 * kernel module says) from unknown ones (ENOENT).
 */
#define XPMEM_SEGID_RANDOM_BITS	40

static inline pid_t xpmem_segid_owner(xpmem_segid_t segid)
{
	return (pid_t)((uint64_t)segid >> XPMEM_SEGID_RANDOM_BITS);
}

static inline int64_t xpmem_make_id(pid_t pid, uint64_t random)
{
	random &= (1ULL << XPMEM_SEGID_RANDOM_BITS) - 1;
	return (int64_t)(((uint64_t)pid << XPMEM_SEGID_RANDOM_BITS) | random);
}

/* -EACCES for an id of another process, else -ENOENT. */
static inline int xpmem_missing_id_error(int64_t id)
{
	return xpmem_segid_owner(id) != getpid() ? -EACCES : -ENOENT;
}

/* Abstract socket address of the agent of process pid; returns its length. */
static inline socklen_t xpmem_agent_addr(pid_t pid, struct sockaddr_un *sun)
{
	int n;

	sun->sun_family = AF_UNIX;
	sun->sun_path[0] = '\0';
	n = snprintf(sun->sun_path + 1, sizeof(sun->sun_path) - 1,
		     "xpmem-agent-%d", (int)pid);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

#endif /* XPMEM_PROTO_H */
