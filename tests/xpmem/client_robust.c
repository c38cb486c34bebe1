/* SPDX-License-Identifier: MIT */
/*
 * The user-space backend's client against a misbehaving owner: a process
 * that serves its own agent socket with malformed replies (bad magic,
 * truncated, inconsistent piece lists, descriptors that do not match,
 * errors with descriptors attached, no reply at all). Each call must fail
 * with EPROTO (or the error sent, or ECONNRESET) without leaking a
 * descriptor or a mapping, and a well-formed reply must still work.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include "xpmem_test.h"
#include "../../lib/xpmem/proto.h"

enum scenario {
	BAD_MAGIC,
	GOOD_GET,
	TRUNCATED,
	SHORT_PIECES,
	MISSING_PIECE,
	BAD_FD_INDEX,
	ERROR_WITH_FD,
	EXTRA_FDS,
	NO_REPLY,
	GOOD_ATTACH,
	NSCENARIOS
};

#define SEG_SIZE (1 << 20)

static void send_reply(int c, struct xpmem_reply *rep, size_t len, int fd,
		       int nfds)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * 4)];
	} control;
	struct iovec iov = { .iov_base = rep, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	int fds[4] = { fd, fd, fd, fd };

	if (nfds) {
		struct cmsghdr *cmsg;

		msg.msg_control = control.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
		memcpy(CMSG_DATA(cmsg), fds, sizeof(int) * (size_t)nfds);
	}
	sendmsg(c, &msg, MSG_NOSIGNAL);
}

static void answer(int c, enum scenario sc, int memfd, size_t ps)
{
	struct xpmem_reply rep = { .magic = XPMEM_PROTO_MAGIC,
				   .seg_size = SEG_SIZE };
	size_t one = XPMEM_REPLY_HDR_SIZE + sizeof(rep.pieces[0]);
	struct xpmem_piece whole = { .length = ps, .fd_index = 0,
				     .prot = PROT_READ | PROT_WRITE };

	rep.pieces[0] = whole;
	switch (sc) {
	case BAD_MAGIC:
		rep.magic = 0;
		send_reply(c, &rep, XPMEM_REPLY_HDR_SIZE, -1, 0);
		break;
	case GOOD_GET:
		send_reply(c, &rep, XPMEM_REPLY_HDR_SIZE, -1, 0);
		break;
	case TRUNCATED:
		send_reply(c, &rep, 6, memfd, 1);
		break;
	case SHORT_PIECES:	/* covers half of the window */
		rep.npieces = rep.nfds = 1;
		send_reply(c, &rep, one, memfd, 1);
		break;
	case MISSING_PIECE:	/* says two pieces, carries one */
		rep.npieces = 2;
		rep.nfds = 1;
		send_reply(c, &rep, one, memfd, 1);
		break;
	case BAD_FD_INDEX:
		rep.npieces = rep.nfds = 1;
		rep.pieces[0].length = 2 * ps;
		rep.pieces[0].fd_index = 3;
		send_reply(c, &rep, one, memfd, 1);
		break;
	case ERROR_WITH_FD:
		rep.error = EACCES;
		send_reply(c, &rep, XPMEM_REPLY_HDR_SIZE, memfd, 2);
		break;
	case EXTRA_FDS:		/* one declared, four sent */
		rep.npieces = rep.nfds = 1;
		rep.pieces[0].length = 2 * ps;
		send_reply(c, &rep, one, memfd, 4);
		break;
	case NO_REPLY:
		break;
	case GOOD_ATTACH:
		rep.npieces = rep.nfds = 1;
		rep.pieces[0].length = 2 * ps;
		send_reply(c, &rep, one, memfd, 1);
		break;
	case NSCENARIOS:
		break;
	}
}

/* The misbehaving owner: one scenario per connection, in order. */
static int fake_owner(int ready_fd)
{
	size_t ps = page_size();
	struct sockaddr_un sun;
	socklen_t len = xpmem_agent_addr(getpid(), &sun);
	int l = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	int memfd = memfd_create("fake-owner", MFD_CLOEXEC);
	unsigned char *p;
	int sc;

	CHECK(l >= 0 && memfd >= 0);
	CHECK(ftruncate(memfd, (off_t)(2 * ps)) == 0);
	p = mmap(NULL, 2 * ps, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	CHECK(p != MAP_FAILED);
	fill_pattern(p, 2 * ps, 12);
	CHECK(bind(l, (struct sockaddr *)&sun, len) == 0);
	CHECK(listen(l, 4) == 0);
	put_u64(ready_fd, 1);
	for (sc = 0; sc < NSCENARIOS; sc++) {
		struct xpmem_req req;
		int c = accept4(l, NULL, NULL, SOCK_CLOEXEC);

		CHECK(c >= 0);
		CHECK(recv(c, &req, sizeof(req), 0) == sizeof(req));
		answer(c, (enum scenario)sc, memfd, ps);
		close(c);
	}
	return 0;
}

static void expect_attach_error(xpmem_apid_t apid, size_t size, int err)
{
	void *p = xpmem_attach(xaddr(apid, 0), size, NULL);

	if (p != (void *)-1 || errno != err)
		test_fail_at(__FILE__, __LINE__, "attach: want %s, got %p/%s",
			     strerror(err), p, strerror(errno));
}

int main(void)
{
	size_t ps = page_size(), win = 2 * ps;
	struct channel ch;
	xpmem_segid_t segid;
	xpmem_apid_t apid;
	unsigned char *p;
	int fds, maps;
	pid_t pid;

	if (!user_backend())
		test_skip("the kernel module serves this process: no agent");
	channel_open(&ch);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		_exit(fake_owner(ch.up[1]));
	get_u64(ch.up[0]);
	fds = count_dir("/proc/self/fd");
	maps = count_lines_with("/proc/self/maps", "fake-owner");
	segid = xpmem_make_id(XPMEM_ID_SEGMENT, pid, 777);

	CHECK_ERRNO(xpmem_get(segid, XPMEM_RDWR, XPMEM_PERMIT_MODE, NULL),
		    EPROTO);
	apid = xpmem_get(segid, XPMEM_RDWR, XPMEM_PERMIT_MODE, NULL);
	CHECK(apid > 0);
	expect_attach_error(apid, win, EPROTO);		/* truncated */
	expect_attach_error(apid, win, EPROTO);		/* short pieces */
	expect_attach_error(apid, win, EPROTO);		/* missing piece */
	expect_attach_error(apid, win, EPROTO);		/* bad fd index */
	expect_attach_error(apid, win, EACCES);		/* error + fds */
	expect_attach_error(apid, win, EPROTO);		/* extra fds */
	expect_attach_error(apid, win, ECONNRESET);	/* no reply */
	CHECK(count_dir("/proc/self/fd") == fds);
	CHECK(count_lines_with("/proc/self/maps", "fake-owner") == maps);

	p = xpmem_attach(xaddr(apid, 0), win, NULL);
	CHECK(p != (void *)-1);
	CHECK_PATTERN(p, win, 12);
	CHECK(count_dir("/proc/self/fd") == fds);
	CHECK(xpmem_detach(p) == 0);
	CHECK(xpmem_release(apid) == 0);
	CHECK(test_wait(pid) == 0);
	channel_close(&ch);
	return 0;
}
