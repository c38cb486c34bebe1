/* SPDX-License-Identifier: MIT */
/*
 * The agent: a thread of the exporting process that answers GET and ATTACH
 * requests of other processes on a Unix socket.
 *
 * It must stay responsive whatever clients do, so it never blocks on one:
 * every socket is non-blocking, a single poll() watches them all, and a
 * request is one SOCK_SEQPACKET message, complete when poll() reports it.
 * A connection that sends nothing is closed after a deadline; when too many
 * are open, the oldest is closed to make room. Requests are authenticated
 * with the peer's SO_PEERCRED credentials, taken at connect time.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "fdpass.h"
#include "internal.h"
#include "peer.h"
#include "proto.h"
#include "segtab.h"
#include "window.h"

#define AGENT_MAX_CONNS		64
#define AGENT_CONN_TIMEOUT_MS	2000
#define AGENT_BACKOFF_MS	100	/* after accept() ran out of resources */

struct conn {
	int fd;
	struct ucred cred;
	int64_t deadline;	/* CLOCK_MONOTONIC, milliseconds */
};

struct agent_state {
	struct conn conns[AGENT_MAX_CONNS];
	size_t nconns;
	int64_t accept_paused_until;
	struct pollfd pfds[2 + AGENT_MAX_CONNS];
};

static int listen_fd = -1, wake_fd = -1;
static pthread_t agent_thread;
static struct agent_state *agent_st;	/* owned by the thread while it runs */
static bool running;

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Owner bits when the effective uids match, else group bits when the peer
 * is in the owner's effective group (as its egid or a supplementary
 * group), else other bits; a privileged peer passes whatever the bits say
 * (peer.c): the rule of the kernel module.
 */
static int check_access(const struct xpmem_segment *seg,
			const struct conn *c, uint32_t flags)
{
	unsigned int bits, need = flags == XPMEM_RDWR ? 06 : 04;

	if (c->cred.uid == seg->uid)
		bits = (seg->mode >> 6) & 07;
	else if (c->cred.gid == seg->gid ||
		 xpmem_peer_in_group(c->fd, seg->gid))
		bits = (seg->mode >> 3) & 07;
	else
		bits = seg->mode & 07;
	if ((bits & need) == need ||
	    xpmem_peer_overrides_dac(c->fd, &c->cred))
		return 0;
	return -EACCES;
}

static int check_window(const struct xpmem_segment *seg,
			const struct xpmem_req *req)
{
	if (req->size == 0 || !xpmem_page_aligned(req->offset) ||
	    !xpmem_page_aligned(req->size) ||
	    req->offset + req->size < req->offset ||
	    req->offset + req->size > seg->size ||
	    seg->vaddr + req->offset + req->size < seg->vaddr)
		return -EINVAL;
	return 0;
}

static int handle(const struct conn *c, const struct xpmem_req *req,
		  struct xpmem_reply *rep, struct xpmem_window *win)
{
	struct xpmem_segment seg;
	int rc;

	if (req->magic != XPMEM_PROTO_MAGIC || req->reserved != 0)
		return -EPROTO;
	if (req->flags != XPMEM_RDONLY && req->flags != XPMEM_RDWR)
		return -EINVAL;
	rc = xpmem_segtab_find(req->segid, &seg);
	if (rc == 0)
		rc = check_access(&seg, c, req->flags);
	if (rc < 0)
		return rc;
	switch (req->op) {
	case XPMEM_OP_GET:
		rep->seg_size = seg.size;
		return 0;
	case XPMEM_OP_ATTACH:
		rc = check_window(&seg, req);
		if (rc < 0)
			return rc;
		win->start = seg.vaddr + req->offset;
		win->size = req->size;
		win->writable = req->flags == XPMEM_RDWR;
		rc = xpmem_window_resolve(win);
		if (rc < 0)
			return rc;
		rep->npieces = win->npieces;
		rep->nfds = (uint32_t)win->nfds;
		memcpy(rep->pieces, win->pieces,
		       win->npieces * sizeof(win->pieces[0]));
		return 0;
	default:
		return -EPROTO;
	}
}

/*
 * Reads and answers the one request of a connection. Returns false when
 * the request has not arrived yet, true when the connection is done with.
 */
static bool serve(const struct conn *c)
{
	struct xpmem_window *win = NULL;
	struct xpmem_reply *rep = NULL;
	struct xpmem_req req;
	ssize_t n;
	int rc;

	n = recv(c->fd, &req, sizeof(req), MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return false;
	win = calloc(1, sizeof(*win));
	rep = calloc(1, sizeof(*rep));
	if (n <= 0 || !win || !rep)
		goto out;
	rc = n == (ssize_t)sizeof(req) ? handle(c, &req, rep, win) : -EPROTO;
	rep->magic = XPMEM_PROTO_MAGIC;
	rep->error = rc < 0 ? -rc : 0;
	if (rc < 0)
		rep->npieces = rep->nfds = 0;
	/* A client that died or stopped reading loses its reply; no retry. */
	xpmem_send_with_fds(c->fd, rep, XPMEM_REPLY_HDR_SIZE +
			    rep->npieces * sizeof(rep->pieces[0]),
			    win->fds, rep->nfds, MSG_DONTWAIT);
	xpmem_window_close_fds(win);
out:
	free(rep);
	free(win);
	return true;
}

static void drop_conn(struct agent_state *st, size_t i)
{
	close(st->conns[i].fd);
	st->conns[i] = st->conns[--st->nconns];
}

static void drop_oldest(struct agent_state *st)
{
	size_t i, oldest = 0;

	for (i = 1; i < st->nconns; i++)
		if (st->conns[i].deadline < st->conns[oldest].deadline)
			oldest = i;
	drop_conn(st, oldest);
}

/*
 * Accepts what is waiting, a bounded number per round, so that a client
 * connecting in a loop cannot keep the agent from its other connections or
 * from noticing that it should stop.
 */
static void accept_some(struct agent_state *st)
{
	int round;

	for (round = 0; round < AGENT_MAX_CONNS; round++) {
		struct conn c;
		socklen_t len = sizeof(c.cred);

		c.fd = accept4(listen_fd, NULL, NULL,
			       SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (c.fd < 0) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM)
				st->accept_paused_until = now_ms() +
							  AGENT_BACKOFF_MS;
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return;
		}
		if (getsockopt(c.fd, SOL_SOCKET, SO_PEERCRED, &c.cred,
			       &len) < 0) {
			close(c.fd);
			continue;
		}
		/* Clients send at once: most requests are already here. */
		if (serve(&c)) {
			close(c.fd);
			continue;
		}
		if (st->nconns == AGENT_MAX_CONNS)
			drop_oldest(st);
		c.deadline = now_ms() + AGENT_CONN_TIMEOUT_MS;
		st->conns[st->nconns++] = c;
	}
}

static int poll_timeout(const struct agent_state *st, int64_t now)
{
	int64_t next = INT64_MAX;
	size_t i;

	for (i = 0; i < st->nconns; i++)
		if (st->conns[i].deadline < next)
			next = st->conns[i].deadline;
	if (st->accept_paused_until > now && st->accept_paused_until < next)
		next = st->accept_paused_until;
	if (next == INT64_MAX)
		return -1;
	return next <= now ? 0 : (int)(next - now);
}

/* Serves readable connections and expires idle ones. */
static void serve_ready(struct agent_state *st, size_t polled)
{
	int64_t now = now_ms();
	size_t i = polled;

	/* Backwards, so that dropping entry i moves an already seen one. */
	while (i-- > 0) {
		short ev = st->pfds[2 + i].revents;

		if ((ev & POLLIN) ? serve(&st->conns[i]) :
		    ev || st->conns[i].deadline <= now)
			drop_conn(st, i);
	}
}

static void *agent_main(void *arg)
{
	struct agent_state *st = arg;

	for (;;) {
		int64_t now = now_ms();
		size_t i, polled = st->nconns;
		bool accepting = st->accept_paused_until <= now;

		st->pfds[0] = (struct pollfd){ .fd = wake_fd, .events = POLLIN };
		st->pfds[1] = (struct pollfd){ .fd = accepting ? listen_fd : -1,
					       .events = POLLIN };
		for (i = 0; i < polled; i++)
			st->pfds[2 + i] = (struct pollfd){
				.fd = st->conns[i].fd, .events = POLLIN };
		if (poll(st->pfds, 2 + polled, poll_timeout(st, now)) < 0 &&
		    errno != EINTR)
			break;
		if (st->pfds[0].revents)
			break;
		serve_ready(st, polled);
		if (st->pfds[1].revents & POLLIN)
			accept_some(st);
	}
	while (st->nconns)
		drop_conn(st, st->nconns - 1);
	free(st);
	return NULL;
}

static int bind_socket(void)
{
	struct sockaddr_un sun;
	socklen_t len = xpmem_agent_addr(getpid(), &sun);
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK,
			0);

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sun, len) < 0 ||
	    listen(fd, SOMAXCONN) < 0) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	return fd;
}

/* The agent takes no signals: the application's threads handle them. */
static int spawn_thread(struct agent_state *st)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = -pthread_create(&agent_thread, NULL, agent_main, st);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

int xpmem_agent_start(void)
{
	struct agent_state *st = calloc(1, sizeof(*st));
	int rc = -ENOMEM;

	if (!st)
		return rc;
	rc = bind_socket();
	if (rc < 0)
		goto out_free;
	listen_fd = rc;
	wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	rc = wake_fd < 0 ? -errno : spawn_thread(st);
	if (rc < 0)
		goto out_close;
	agent_st = st;
	running = true;
	return 0;
out_close:
	if (wake_fd >= 0)
		close(wake_fd);
	close(listen_fd);
	listen_fd = wake_fd = -1;
out_free:
	free(st);
	return rc;
}

void xpmem_agent_stop(void)
{
	uint64_t one = 1;

	if (!running)
		return;
	while (write(wake_fd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
	pthread_join(agent_thread, NULL);
	agent_st = NULL;
	close(wake_fd);
	close(listen_fd);
	listen_fd = wake_fd = -1;
	running = false;
}

void xpmem_agent_forget(void)
{
	if (!running)
		return;
	/*
	 * The thread may have been halfway through changing its connection
	 * table when the parent forked, so the child must not trust it: the
	 * few client sockets stay open until exec (close-on-exec) or exit.
	 * The listening socket and the wake-up descriptor only change under
	 * owner.c's lock, which fork holds, so they are safe to close.
	 */
	free(agent_st);
	agent_st = NULL;
	close(wake_fd);
	close(listen_fd);
	listen_fd = wake_fd = -1;
	running = false;
}

bool xpmem_agent_running(void)
{
	return running;
}
