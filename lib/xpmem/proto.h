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
 * Ids of the user-space backend, segids and apids alike:
 *
 *   bits  0..31  random (getrandom): nobody guesses another's ids
 *   bits 32..53  pid of the process that made the id: for a segid, whose
 *                agent to ask; for an apid, the process that got it
 *   bit  54      kind: 0 for a segid, 1 for an apid
 *   bits 55..63  zero
 *
 * Every id is positive and below 2^55, so at most 14 hex digits, as the
 * kernel module's ids: upstream's tools pass ids as text in small buffers.
 * Linux pids are below 2^22 (the most pid_max allows is 4194304). An id of
 * another shape, or of the other kind, names nothing (ENOENT).
 */
#define XPMEM_ID_RANDOM_BITS	32
#define XPMEM_ID_PID_BITS	22
#define XPMEM_ID_KIND_SHIFT	(XPMEM_ID_RANDOM_BITS + XPMEM_ID_PID_BITS)
#define XPMEM_ID_LIMIT		(1ULL << (XPMEM_ID_KIND_SHIFT + 1))

enum xpmem_id_kind {
	XPMEM_ID_SEGMENT = 0,
	XPMEM_ID_PERMIT = 1,
};

static inline int64_t xpmem_make_id(enum xpmem_id_kind kind, pid_t pid,
				    uint64_t random)
{
	uint64_t p = (uint64_t)pid & ((1ULL << XPMEM_ID_PID_BITS) - 1);

	random &= (1ULL << XPMEM_ID_RANDOM_BITS) - 1;
	return (int64_t)((uint64_t)kind << XPMEM_ID_KIND_SHIFT |
			 p << XPMEM_ID_RANDOM_BITS | random);
}

/* The pid in an id of this kind, or 0 when the id cannot be one. */
static inline pid_t xpmem_id_pid(int64_t id, enum xpmem_id_kind kind)
{
	uint64_t v = (uint64_t)id;

	if (id <= 0 || v >= XPMEM_ID_LIMIT ||
	    (v >> XPMEM_ID_KIND_SHIFT) != (uint64_t)kind)
		return 0;
	return (pid_t)((v >> XPMEM_ID_RANDOM_BITS) &
		       ((1ULL << XPMEM_ID_PID_BITS) - 1));
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
