/* SPDX-License-Identifier: MIT */
/*
 * Backend choice: xpmem_init() and xpmem_backend() agree, the reason is
 * given, xpmem_version() answers, and XPMEM_BACKEND forces the choice.
 * xpmem_version() reports no XPMEM when the library fell back to its
 * user-space backend by itself (clients such as UCX would otherwise attach
 * private memory through it), and the interface version when that backend
 * was asked for.
 * Each setting is checked in a fresh program (exec), since the choice is
 * made once per process.
 */
#include <fcntl.h>
#include <sys/socket.h>

#include "xpmem_test.h"

static bool device_opens(void)
{
	int fd = open("/dev/xpmem", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* The user-space backend needs Unix sockets; minimal kernels lack them. */
static bool unix_sockets_work(void)
{
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* In the exec'd program: want is a backend, or -errno for none. */
static int probe(int want)
{
	const char *env = getenv("XPMEM_BACKEND");
	bool forced = env && (!strcmp(env, "user") || !strcmp(env, "kernel"));
	const char *reason = NULL;
	int b = xpmem_backend(&reason);
	size_t ps = page_size();
	unsigned char *buf = shared_buffer(ps);

	CHECK(reason != NULL && strlen(reason) > 10);
	if (want < 0) {
		CHECK(b == -1 && errno == -want);
		CHECK_ERRNO(xpmem_init(), -want);
		CHECK_ERRNO(xpmem_version(), -want);
		CHECK_ERRNO(xpmem_make(buf, ps, XPMEM_PERMIT_MODE, (void *)0600),
			    -want);
		CHECK_ERRNO(xpmem_get(1, XPMEM_RDWR, XPMEM_PERMIT_MODE, NULL),
			    -want);
		CHECK_ERRNO(xpmem_detach(buf), -want);
		return 0;
	}
	CHECK(b == want);
	CHECK(xpmem_init() == 0);
	CHECK(xpmem_init() == 0);
	if (b == XPMEM_BACKEND_USER && !forced) {
		CHECK_ERRNO(xpmem_version(), ENODEV);
	} else {
		CHECK(xpmem_version() > 0);
		if (b == XPMEM_BACKEND_USER)
			CHECK(xpmem_version() == 0x00026003);
	}
	{
		xpmem_segid_t segid = xpmem_make(buf, ps, XPMEM_PERMIT_MODE,
						 (void *)0600);
		xpmem_apid_t apid;
		unsigned char *p;

		CHECK(segid > 0);
		apid = xpmem_get(segid, XPMEM_RDWR, XPMEM_PERMIT_MODE, NULL);
		CHECK(apid > 0);
		p = xpmem_attach(xaddr(apid, 0), ps, NULL);
		CHECK(p != (void *)-1);
		p[0] = 0x61;
		CHECK(buf[0] == 0x61);
		CHECK(xpmem_detach(p) == 0);
		CHECK(xpmem_release(apid) == 0);
		CHECK(xpmem_remove(segid) == 0);
	}
	return 0;
}

static void run(const char *self, const char *env, int want)
{
	char arg[16];
	pid_t pid;

	snprintf(arg, sizeof(arg), "%d", want);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		if (env)
			setenv("XPMEM_BACKEND", env, 1);
		else
			unsetenv("XPMEM_BACKEND");
		execl(self, self, "probe", arg, (char *)NULL);
		_exit(127);
	}
	if (test_wait(pid) != 0)
		test_fail_at(__FILE__, __LINE__, "XPMEM_BACKEND=%s",
			     env ? env : "(unset)");
}

int main(int argc, char **argv)
{
	int automatic;

	if (argc == 3 && strcmp(argv[1], "probe") == 0)
		return probe(atoi(argv[2]));
	automatic = device_opens() ? XPMEM_BACKEND_KERNEL : XPMEM_BACKEND_USER;
	run("/proc/self/exe", NULL, automatic);
	run("/proc/self/exe", "auto", automatic);
	run("/proc/self/exe", "", automatic);
	if (unix_sockets_work())
		run("/proc/self/exe", "user", XPMEM_BACKEND_USER);
	else
		printf("note: no Unix sockets in this kernel: "
		       "the forced user-space backend is not run\n");
	run("/proc/self/exe", "kernel",
	    automatic == XPMEM_BACKEND_KERNEL ? XPMEM_BACKEND_KERNEL : -ENODEV);
	run("/proc/self/exe", "both", -EINVAL);
	return 0;
}
