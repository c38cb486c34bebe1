/* SPDX-License-Identifier: MIT */
/*
 * The user-space backend's agent under hostile clients: garbage, truncated,
 * oversized and malformed requests, descriptors pushed at it, clients that
 * die mid-request or never speak, thousands of connections, and a process
 * squatting an agent's socket name. The owner must neither crash, hang nor
 * leak, and must keep serving honest clients throughout.
 */
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "xpmem_test.h"
#include "../../lib/xpmem/proto.h"

#define TOTAL_CONNS	2000

static xpmem_segid_t segid;
static size_t seg_size;

static int raw_connect(pid_t pid)
{
	struct sockaddr_un sun;
	socklen_t len = xpmem_agent_addr(pid, &sun);
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	CHECK(fd >= 0);
	CHECK(connect(fd, (struct sockaddr *)&sun, len) == 0);
	return fd;
}

/* Sends one message; returns the error of the reply, or -1 if none. */
static int exchange(const void *msg, size_t len)
{
	struct xpmem_reply rep;
	int fd = raw_connect(getpid());
	ssize_t n;

	CHECK(send(fd, msg, len, MSG_NOSIGNAL) == (ssize_t)len);
	n = recv(fd, &rep, sizeof(rep), 0);
	close(fd);
	if (n < (ssize_t)XPMEM_REPLY_HDR_SIZE)
		return -1;
	CHECK(rep.magic == XPMEM_PROTO_MAGIC);
	return rep.error;
}

static struct xpmem_req valid_req(uint32_t op)
{
	struct xpmem_req req = {
		.magic = XPMEM_PROTO_MAGIC,
		.op = op,
		.segid = segid,
		.size = page_size(),
		.flags = XPMEM_RDWR,
	};

	return req;
}

static void malformed(void)
{
	struct xpmem_req req = valid_req(XPMEM_OP_ATTACH);
	static char big[65536];
	unsigned char junk[97];
	size_t i, j;

	CHECK(exchange(&req, 10) == EPROTO);
	CHECK(exchange(big, sizeof(big)) == EPROTO);
	memcpy(big, &req, sizeof(req));
	CHECK(exchange(big, sizeof(req) + 1) == EPROTO);
	req.magic ^= 1;
	CHECK(exchange(&req, sizeof(req)) == EPROTO);
	req = valid_req(99);
	CHECK(exchange(&req, sizeof(req)) == EPROTO);
	req = valid_req(XPMEM_OP_GET);
	req.reserved = 1;
	CHECK(exchange(&req, sizeof(req)) == EPROTO);
	req = valid_req(XPMEM_OP_GET);
	req.flags = 3;
	CHECK(exchange(&req, sizeof(req)) == EINVAL);
	req = valid_req(XPMEM_OP_ATTACH);
	req.offset = seg_size;
	CHECK(exchange(&req, sizeof(req)) == EINVAL);
	req.offset = UINT64_MAX & ~(uint64_t)(page_size() - 1);
	CHECK(exchange(&req, sizeof(req)) == EINVAL);
	req = valid_req(XPMEM_OP_ATTACH);
	req.segid ^= 0x10;
	CHECK(exchange(&req, sizeof(req)) == ENOENT);
	req = valid_req(XPMEM_OP_GET);
	CHECK(exchange(&req, sizeof(req)) == 0);	/* the agent still works */

	srand(42);
	for (i = 0; i < 200; i++) {
		size_t len = 1 + (size_t)rand() % sizeof(junk);

		for (j = 0; j < len; j++)
			junk[j] = (unsigned char)rand();
		CHECK(exchange(junk, len) != 0);
	}
}

/* Descriptors sent to the agent must not stay open in the owner. */
static void pushed_fds(void)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * 8)];
	} control;
	struct xpmem_req req = valid_req(XPMEM_OP_GET);
	struct iovec iov = { .iov_base = &req, .iov_len = sizeof(req) };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
	int fds[8], i, sock;
	char rep[64];

	for (i = 0; i < 8; i++)
		CHECK((fds[i] = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(fds));
	memcpy(CMSG_DATA(cmsg), fds, sizeof(fds));
	for (i = 0; i < 20; i++) {
		sock = raw_connect(getpid());
		CHECK(sendmsg(sock, &msg, MSG_NOSIGNAL) == sizeof(req));
		CHECK(recv(sock, rep, sizeof(rep), 0) > 0);
		close(sock);
	}
	for (i = 0; i < 8; i++)
		close(fds[i]);
}

/* Clients killed right after their request, before reading the reply. */
static void dying_clients(void)
{
	pid_t pids[20];
	int i;

	for (i = 0; i < 20; i++) {
		pids[i] = fork();
		CHECK(pids[i] >= 0);
		if (pids[i] == 0) {
			struct xpmem_req req = valid_req(XPMEM_OP_ATTACH);
			int fd = raw_connect(getppid());

			if (i % 2)
				send(fd, &req, sizeof(req), MSG_NOSIGNAL);
			kill(getpid(), SIGKILL);
		}
	}
	for (i = 0; i < 20; i++)
		CHECK(test_wait(pids[i]) == 128 + SIGKILL);
}

/* A silent connection is closed by the agent after its deadline. */
static void silent_client(void)
{
	int fd = raw_connect(getpid());
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	CHECK(poll(&pfd, 1, 5000) == 1);
	CHECK(pfd.revents & (POLLHUP | POLLIN));
	close(fd);
}

/* An honest client in another process, while the agent is under load. */
static int honest_client(void *arg)
{
	xpmem_apid_t apid = xpmem_get(segid, XPMEM_RDONLY, XPMEM_PERMIT_MODE,
				      NULL);
	unsigned char *p;

	CHECK(apid > 0);
	p = xpmem_attach(xaddr(apid, 0), seg_size, NULL);
	CHECK(p != (void *)-1);
	CHECK_PATTERN(p, seg_size, 11);
	return 0;
}

static void many_connections(void)
{
	struct rlimit rl;
	static int fds[TOTAL_CONNS / 2];
	size_t batch = sizeof(fds) / sizeof(fds[0]), i, round;

	CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0);
	if (rl.rlim_cur < 2 * batch + 256 && rl.rlim_max >= 2 * batch + 256) {
		rl.rlim_cur = 2 * batch + 256;
		CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	}
	if (rl.rlim_cur < 2 * batch + 256)
		batch = (rl.rlim_cur - 256) / 2;
	for (round = 0; round * batch < TOTAL_CONNS; round++) {
		for (i = 0; i < batch; i++)
			fds[i] = raw_connect(getpid());
		CHECK(run_child(honest_client, NULL) == 0);
		for (i = 0; i < batch; i++)
			close(fds[i]);
	}
}

/* A squatter on another process's agent name is not believed. */
static void squatter(void)
{
	struct channel ch;
	pid_t victim, squat;
	xpmem_segid_t fake;

	channel_open(&ch);
	victim = fork();
	CHECK(victim >= 0);
	if (victim == 0) {
		get_u64(ch.down[0]);
		_exit(0);
	}
	squat = fork();
	CHECK(squat >= 0);
	if (squat == 0) {
		struct sockaddr_un sun;
		socklen_t len = xpmem_agent_addr(victim, &sun);
		int l = socket(AF_UNIX, SOCK_SEQPACKET, 0), c;
		struct xpmem_reply rep = { .magic = XPMEM_PROTO_MAGIC,
					   .seg_size = 1 << 20 };
		struct xpmem_req req;

		CHECK(bind(l, (struct sockaddr *)&sun, len) == 0);
		CHECK(listen(l, 8) == 0);
		put_u64(ch.up[1], 1);
		while ((c = accept(l, NULL, NULL)) >= 0) {
			if (recv(c, &req, sizeof(req), 0) > 0)
				send(c, &rep, XPMEM_REPLY_HDR_SIZE, 0);
			close(c);
		}
		_exit(0);
	}
	get_u64(ch.up[0]);
	fake = xpmem_make_id(XPMEM_ID_SEGMENT, victim, 12345);
	CHECK_ERRNO(xpmem_get(fake, XPMEM_RDWR, XPMEM_PERMIT_MODE, NULL),
		    ENOENT);

	/* And the victim, squatted, refuses to export rather than share. */
	kill(squat, SIGKILL);
	test_wait(squat);
	put_u64(ch.down[1], 1);
	test_wait(victim);
	channel_close(&ch);
}

static void squatted_owner(void)
{
	struct channel ch;
	pid_t pid;
	struct sockaddr_un sun;
	int l;

	channel_open(&ch);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		unsigned char *buf = shared_buffer(page_size());

		get_u64(ch.down[0]);
		CHECK_ERRNO(xpmem_make(buf, page_size(), XPMEM_PERMIT_MODE,
				       (void *)0600), EADDRINUSE);
		_exit(0);
	}
	l = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	CHECK(bind(l, (struct sockaddr *)&sun, xpmem_agent_addr(pid, &sun)) == 0);
	put_u64(ch.down[1], 1);
	CHECK(test_wait(pid) == 0);
	close(l);
	channel_close(&ch);
}

static void wait_for_fd_count(int want)
{
	int i;

	for (i = 0; i < 500 && count_dir("/proc/self/fd") != want; i++)
		usleep(10000);
	CHECK(count_dir("/proc/self/fd") == want);
}

int main(void)
{
	unsigned char *buf;
	int fds;

	if (!user_backend())
		test_skip("the kernel module serves this process: no agent");
	seg_size = 4 * page_size();
	buf = shared_buffer(seg_size);
	fill_pattern(buf, seg_size, 11);
	segid = xpmem_make(buf, seg_size, XPMEM_PERMIT_MODE, (void *)0644);
	CHECK(segid > 0);
	fds = count_dir("/proc/self/fd");

	malformed();
	pushed_fds();
	dying_clients();
	silent_client();
	many_connections();
	squatter();
	squatted_owner();

	CHECK(run_child(honest_client, NULL) == 0);
	wait_for_fd_count(fds);
	CHECK(xpmem_remove(segid) == 0);
	return 0;
}
