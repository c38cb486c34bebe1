/* SPDX-License-Identifier: MIT */
/*
 * The client side of the user-space backend: permits (xpmem_get,
 * xpmem_release) and attachments (xpmem_attach, xpmem_detach).
 *
 * A permit is local bookkeeping after the owner's agent agreed to it; the
 * agent checks the caller's credentials again on every attach, so a forged
 * permit gains nothing. An attachment is a PROT_NONE reservation of the
 * window with the owner's files mapped MAP_SHARED over the parts that are
 * not holes. Permits and attachments live in sorted vectors under one lock;
 * the lock is never held while talking to an agent.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <xpmem_abi.h>

#include "fdpass.h"
#include "internal.h"
#include "proto.h"
#include "sortvec.h"

/* A client waits this long for an agent before giving up with ETIMEDOUT. */
#define CLIENT_TIMEOUT_S	10

struct permit {
	uint64_t apid;		/* key */
	xpmem_segid_t segid;
	uint64_t seg_size;
	uint32_t flags;
};

struct attachment {
	uint64_t addr;		/* key */
	uint64_t size;
	xpmem_apid_t apid;
};

static pthread_mutex_t client_lock = PTHREAD_MUTEX_INITIALIZER;
static struct xpmem_sortvec permits = XPMEM_SORTVEC_INIT(struct permit);
static struct xpmem_sortvec attachments =
	XPMEM_SORTVEC_INIT(struct attachment);

static int connect_agent(pid_t owner)
{
	struct timeval tv = { .tv_sec = CLIENT_TIMEOUT_S };
	struct sockaddr_un sun;
	socklen_t len = xpmem_agent_addr(owner, &sun), credlen;
	struct ucred cred;
	int fd, rc;

	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sun, len) < 0) {
		/* No agent: the owner exited or exports nothing. */
		rc = errno == ECONNREFUSED || errno == ENOENT ? -ENOENT
							       : -errno;
		goto out_close;
	}
	/*
	 * Abstract socket names are first come, first served: make sure the
	 * name is held by the process the segid names, not a squatter.
	 */
	credlen = sizeof(cred);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &credlen) < 0) {
		rc = -errno;
		goto out_close;
	}
	if (cred.pid != owner) {
		rc = -ENOENT;
		goto out_close;
	}
	return fd;
out_close:
	close(fd);
	return rc;
}

/* The reply's error, or -EPROTO when its framing is not to be trusted. */
static int reply_error(const struct xpmem_reply *rep, ssize_t n)
{
	if (n < (ssize_t)XPMEM_REPLY_HDR_SIZE || rep->magic != XPMEM_PROTO_MAGIC)
		return -EPROTO;
	if (rep->error < 0 || rep->error > 4095)
		return -EPROTO;
	if (rep->error == 0 && (rep->npieces > XPMEM_MAX_PIECES ||
				(size_t)n != XPMEM_REPLY_HDR_SIZE +
				rep->npieces * sizeof(rep->pieces[0])))
		return -EPROTO;
	return -rep->error;
}

/*
 * One request, one reply. On success with descriptors, the caller closes
 * fds[0..*nfds).
 */
static int ask_agent(const struct xpmem_req *req, struct xpmem_reply *rep,
		     int *fds, size_t *nfds)
{
	pid_t owner = xpmem_id_pid(req->segid, XPMEM_ID_SEGMENT);
	ssize_t n;
	int fd, rc;

	*nfds = 0;
	if (owner <= 0)
		return -ENOENT;
	fd = connect_agent(owner);
	if (fd < 0)
		return fd;
	do
		n = send(fd, req, sizeof(*req), MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n != sizeof(*req)) {
		rc = errno == EAGAIN ? -ETIMEDOUT : -errno;
		goto out_close;
	}
	n = xpmem_recv_with_fds(fd, rep, sizeof(*rep), fds, XPMEM_MAX_FDS,
				nfds);
	if (n < 0)
		rc = n == -EAGAIN ? -ETIMEDOUT : (int)n;
	else if (n == 0)
		rc = -ECONNRESET;	/* the owner went away mid-request */
	else
		rc = reply_error(rep, n);
	if (rc == 0 && rep->nfds != *nfds)
		rc = -EPROTO;
	if (rc < 0)
		while (*nfds)
			close(fds[--(*nfds)]);
out_close:
	close(fd);
	return rc;
}

static int user_version(void)
{
	return XPMEM_ABI_VERSION;
}

/*
 * Ranges past the end of the user address space are refused, as the module
 * refuses them; the whole address space is exported up to that end.
 */
static int user_make(uintptr_t vaddr, size_t size, mode_t mode,
		     xpmem_segid_t *segid)
{
	if (vaddr == 0 && size == XPMEM_MAXADDR_SIZE)
		size = (size_t)xpmem_user_top();
	else if (xpmem_past_user_top(vaddr, size))
		return -EINVAL;
	return xpmem_owner_make(vaddr, size, mode, segid);
}

/* Whether the agent of the segid's owner knows it, whatever its mode. */
static bool segment_exists(xpmem_segid_t segid)
{
	struct xpmem_req req = {
		.magic = XPMEM_PROTO_MAGIC,
		.op = XPMEM_OP_GET,
		.segid = segid,
		.flags = XPMEM_RDONLY,
	};
	struct xpmem_reply *rep = calloc(1, sizeof(*rep));
	int fds[XPMEM_MAX_FDS];
	size_t nfds;
	int rc;

	if (!rep)
		return false;
	rc = ask_agent(&req, rep, fds, &nfds);
	while (rc == 0 && nfds)
		close(fds[--nfds]);
	free(rep);
	/* Refused for its mode or not, the segment is there. */
	return rc == 0 || rc == -EACCES;
}

/*
 * Only the owner removes a segment: another process's live segment is
 * EACCES, as under the module, and anything else is ENOENT. The agent of
 * the pid in the segid says which.
 */
static int user_remove(xpmem_segid_t segid)
{
	int rc = xpmem_owner_remove(segid);

	if (rc == -ENOENT &&
	    xpmem_id_pid(segid, XPMEM_ID_SEGMENT) != getpid() &&
	    segment_exists(segid))
		rc = -EACCES;
	return rc;
}

static int new_apid(uint64_t *apid)
{
	uint64_t r;

	do {
		if (getrandom(&r, sizeof(r), 0) != sizeof(r))
			return -EAGAIN;
		*apid = (uint64_t)xpmem_make_id(XPMEM_ID_PERMIT, getpid(), r);
	} while (xpmem_sortvec_find(&permits, *apid));
	return 0;
}

static int user_get(xpmem_segid_t segid, int flags, xpmem_apid_t *apid)
{
	struct xpmem_req req = {
		.magic = XPMEM_PROTO_MAGIC,
		.op = XPMEM_OP_GET,
		.segid = segid,
		.flags = (uint32_t)flags,
	};
	struct xpmem_reply *rep = calloc(1, sizeof(*rep));
	struct permit p = { .segid = segid, .flags = (uint32_t)flags };
	int fds[XPMEM_MAX_FDS];
	size_t nfds;
	int rc;

	if (!rep)
		return -ENOMEM;
	rc = ask_agent(&req, rep, fds, &nfds);
	if (rc == 0 && nfds)
		rc = -EPROTO;
	p.seg_size = rep->seg_size;
	free(rep);
	if (rc < 0) {
		while (nfds)
			close(fds[--nfds]);
		return rc;
	}
	pthread_mutex_lock(&client_lock);
	rc = new_apid(&p.apid);
	if (rc == 0)
		rc = xpmem_sortvec_insert(&permits, &p);
	pthread_mutex_unlock(&client_lock);
	if (rc == 0)
		*apid = (xpmem_apid_t)p.apid;
	return rc;
}

/* Unmaps and forgets every attachment made through apid. */
static void drop_attachments_of(xpmem_apid_t apid)
{
	size_t i = attachments.count;

	while (i-- > 0) {
		struct attachment *att = xpmem_sortvec_at(&attachments, i);

		if (att->apid != apid)
			continue;
		munmap((void *)(uintptr_t)att->addr, att->size);
		xpmem_sortvec_remove_at(&attachments, i);
	}
}

static int user_release(xpmem_apid_t apid)
{
	struct permit *p;
	int rc = -ENOENT;

	pthread_mutex_lock(&client_lock);
	p = xpmem_sortvec_find(&permits, (uint64_t)apid);
	if (p) {
		xpmem_sortvec_remove_at(&permits,
					xpmem_sortvec_index(&permits, p));
		drop_attachments_of(apid);
		rc = 0;
	}
	pthread_mutex_unlock(&client_lock);
	return rc;
}

/* The reply must describe exactly the window, with valid pieces. */
static int check_pieces(const struct xpmem_reply *rep, uint64_t size,
			uint32_t flags)
{
	uint32_t allowed = PROT_READ | (flags == XPMEM_RDWR ? PROT_WRITE : 0);
	uint64_t expect = 0;
	uint32_t i;

	if (rep->npieces == 0 || rep->npieces > XPMEM_MAX_PIECES)
		return -EPROTO;
	for (i = 0; i < rep->npieces; i++) {
		const struct xpmem_piece *pc = &rep->pieces[i];

		if (pc->offset != expect || pc->length == 0 ||
		    pc->length > size - expect ||
		    !xpmem_page_aligned(pc->length) ||
		    !xpmem_page_aligned(pc->file_offset) ||
		    pc->fd_index < -1 || pc->fd_index >= (int32_t)rep->nfds ||
		    (pc->prot & ~allowed))
			return -EPROTO;
		expect += pc->length;
	}
	return expect == size ? 0 : -EPROTO;
}

/* Reserves the window, then maps the owner's files over its pieces. */
static int map_window(const struct xpmem_reply *rep, const int *fds,
		      size_t size, void *vaddr, void **mapped)
{
	int mflags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
		     (vaddr ? MAP_FIXED : 0);
	char *base = mmap(vaddr, size, PROT_NONE, mflags, -1, 0);
	uint32_t i;

	if (base == MAP_FAILED)
		return -errno;
	for (i = 0; i < rep->npieces; i++) {
		const struct xpmem_piece *pc = &rep->pieces[i];

		if (pc->fd_index < 0)
			continue;
		if (mmap(base + pc->offset, pc->length, (int)pc->prot,
			 MAP_SHARED | MAP_FIXED, fds[pc->fd_index],
			 (off_t)pc->file_offset) == MAP_FAILED) {
			int rc = -errno;

			munmap(base, size);
			return rc;
		}
	}
	*mapped = base;
	return 0;
}

/*
 * A MAP_FIXED attach over older attachments replaced them: forget those
 * whose start lies in the new range, so they cannot be detached twice.
 */
static void forget_overlapped(uint64_t addr, uint64_t size)
{
	size_t i = xpmem_sortvec_lower_bound(&attachments, addr);
	struct attachment *prev = i ? xpmem_sortvec_at(&attachments, i - 1)
				    : NULL;

	if (prev && prev->addr + prev->size > addr)
		i--;
	while (i < attachments.count) {
		struct attachment *att = xpmem_sortvec_at(&attachments, i);

		if (att->addr >= addr + size)
			break;
		xpmem_sortvec_remove_at(&attachments, i);
	}
}

static int lookup_permit(xpmem_apid_t apid, struct permit *out)
{
	struct permit *p;

	pthread_mutex_lock(&client_lock);
	p = xpmem_sortvec_find(&permits, (uint64_t)apid);
	if (p)
		*out = *p;
	pthread_mutex_unlock(&client_lock);
	return p ? 0 : -ENOENT;
}

static int record_attachment(void *base, size_t size, xpmem_apid_t apid)
{
	struct attachment att = {
		.addr = (uintptr_t)base,
		.size = size,
		.apid = apid,
	};
	int rc;

	pthread_mutex_lock(&client_lock);
	forget_overlapped(att.addr, size);
	/* Released meanwhile: the attachment must not outlive its permit. */
	rc = xpmem_sortvec_find(&permits, (uint64_t)apid) ?
	     xpmem_sortvec_insert(&attachments, &att) : -ENOENT;
	if (rc < 0)
		munmap(base, size);
	pthread_mutex_unlock(&client_lock);
	return rc;
}

static int user_attach(xpmem_apid_t apid, uint64_t offset, size_t size,
		       void *vaddr, void **mapped)
{
	struct xpmem_req req = {
		.magic = XPMEM_PROTO_MAGIC,
		.op = XPMEM_OP_ATTACH,
		.offset = offset,
		.size = size,
	};
	struct xpmem_reply *rep;
	struct permit p;
	int fds[XPMEM_MAX_FDS];
	size_t nfds = 0;
	int rc;

	rc = lookup_permit(apid, &p);
	if (rc < 0)
		return rc;
	if (offset + size > p.seg_size ||
	    (vaddr && xpmem_past_user_top((uintptr_t)vaddr, size)))
		return -EINVAL;
	rep = calloc(1, sizeof(*rep));
	if (!rep)
		return -ENOMEM;
	req.segid = p.segid;
	req.flags = p.flags;
	rc = ask_agent(&req, rep, fds, &nfds);
	if (rc == 0)
		rc = check_pieces(rep, size, p.flags);
	if (rc == 0)
		rc = map_window(rep, fds, size, vaddr, mapped);
	while (nfds)
		close(fds[--nfds]);
	free(rep);
	if (rc == 0)
		rc = record_attachment(*mapped, size, apid);
	return rc;
}

static int user_detach(void *vaddr)
{
	struct attachment *att;
	uint64_t addr = (uintptr_t)vaddr;
	int rc = -EINVAL;

	pthread_mutex_lock(&client_lock);
	att = xpmem_sortvec_floor(&attachments, addr);
	if (att && addr < att->addr + att->size) {
		munmap((void *)(uintptr_t)att->addr, att->size);
		xpmem_sortvec_remove_at(&attachments,
					xpmem_sortvec_index(&attachments, att));
		rc = 0;
	}
	pthread_mutex_unlock(&client_lock);
	return rc;
}

void xpmem_user_atfork_prepare(void)
{
	pthread_mutex_lock(&client_lock);
}

void xpmem_user_atfork_parent(void)
{
	pthread_mutex_unlock(&client_lock);
}

/*
 * The child keeps copies of the permits and attachments: the mappings are
 * inherited as ordinary shared mappings, and the child may use, detach and
 * release them like its own.
 */
void xpmem_user_atfork_child(void)
{
	pthread_mutex_unlock(&client_lock);
}

const struct xpmem_backend_ops xpmem_user_ops = {
	.version = user_version,
	.make = user_make,
	.remove = user_remove,
	.get = user_get,
	.release = user_release,
	.attach = user_attach,
	.detach = user_detach,
};
