/* SPDX-License-Identifier: MIT */
/*
 * Runs the `xpmem` command from the tests of tests/xpmem/tool_*.c. The
 * command is the one built next to this test: $(BUILD)/bin/xpmem, found as
 * ../../bin/xpmem relative to $(BUILD)/tests/xpmem/<test>.
 */
#ifndef TOOL_RUN_H
#define TOOL_RUN_H

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <time.h>

#include "test.h"

struct tool_out {
	int status; /* exit status, or 128+signal */
	char *out;  /* stdout, NUL-terminated */
	char *err;  /* stderr, NUL-terminated */
};

static inline const char *tool_path(void)
{
	static char path[PATH_MAX + 32];
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	CHECK(n > 0);
	self[n] = '\0';
	slash = strrchr(self, '/');
	CHECK(slash != NULL);
	*slash = '\0';
	snprintf(path, sizeof(path), "%s/../../bin/xpmem", self);
	if (access(path, X_OK))
		test_fail_at(__FILE__, __LINE__, "%s is not built", path);
	return path;
}

struct tool_buf {
	char *data;
	size_t len;
};

/* Appends what fd has; returns 0 at end of file, 1 when more may come. */
static inline int tool_drain(int fd, struct tool_buf *b)
{
	char chunk[4096];
	ssize_t n = read(fd, chunk, sizeof(chunk));

	if (n < 0 && errno == EINTR)
		return 1;
	CHECK(n >= 0);
	if (n == 0)
		return 0;
	b->data = realloc(b->data, b->len + (size_t)n + 1);
	CHECK(b->data != NULL);
	memcpy(b->data + b->len, chunk, (size_t)n);
	b->len += (size_t)n;
	b->data[b->len] = '\0';
	return 1;
}

static inline void tool_collect(int out_fd, int err_fd, struct tool_buf *o,
				struct tool_buf *e, int timeout_s)
{
	struct pollfd pfd[2] = {
	    {.fd = out_fd, .events = POLLIN},
	    {.fd = err_fd, .events = POLLIN},
	};
	time_t deadline = time(NULL) + timeout_s;
	int open_fds = 2;

	while (open_fds) {
		int r = poll(pfd, 2, 1000);

		if (time(NULL) > deadline)
			test_fail_at(__FILE__, __LINE__,
				     "xpmem did not finish in %d s", timeout_s);
		if (r < 0 && errno == EINTR)
			continue;
		CHECK(r >= 0);
		for (int i = 0; i < 2; i++) {
			if (pfd[i].fd < 0 || !pfd[i].revents)
				continue;
			if (!tool_drain(pfd[i].fd, i ? e : o)) {
				close(pfd[i].fd);
				pfd[i].fd = -1;
				open_fds--;
			}
		}
	}
}

/*
 * Runs xpmem with the given arguments (NULL-terminated, without argv[0]),
 * an optional extra environment entry "NAME=value" and an optional hook
 * that the child runs just before exec (to restrict it, for instance).
 */
static inline struct tool_out tool_run_full(const char *env, void (*hook)(void),
					    const char *const args[],
					    int timeout_s)
{
	struct tool_buf o = {calloc(1, 1), 0}, e = {calloc(1, 1), 0};
	const char *argv[32] = {tool_path()};
	int out_pipe[2], err_pipe[2];
	struct tool_out r;
	pid_t pid;
	int i;

	for (i = 0; args[i]; i++) {
		CHECK(i + 2 < 32);
		argv[i + 1] = args[i];
	}
	argv[i + 1] = NULL;
	CHECK(o.data && e.data);
	CHECK(pipe(out_pipe) == 0 && pipe(err_pipe) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		dup2(out_pipe[1], STDOUT_FILENO);
		dup2(err_pipe[1], STDERR_FILENO);
		close(out_pipe[0]);
		close(err_pipe[0]);
		if (env)
			putenv((char *)env);
		if (hook)
			hook();
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(out_pipe[1]);
	close(err_pipe[1]);
	tool_collect(out_pipe[0], err_pipe[0], &o, &e, timeout_s);
	r.status = test_wait(pid);
	r.out = o.data;
	r.err = e.data;
	return r;
}

static inline struct tool_out
tool_run_env(const char *env, const char *const args[], int timeout_s)
{
	return tool_run_full(env, NULL, args, timeout_s);
}

static inline struct tool_out tool_run(const char *const args[], int timeout_s)
{
	return tool_run_full(NULL, NULL, args, timeout_s);
}

static inline void tool_free(struct tool_out *r)
{
	free(r->out);
	free(r->err);
}

/* Fails with both outputs shown when the command's status is not want. */
static inline void tool_expect_status(const struct tool_out *r, int want,
				      const char *what)
{
	if (r->status == want)
		return;
	fprintf(stderr, "--- stdout of %s:\n%s--- stderr:\n%s", what, r->out,
		r->err);
	test_fail_at(__FILE__, __LINE__, "%s: exit status %d, want %d", what,
		     r->status, want);
}

static inline void tool_expect_text(const char *text, const char *needle,
				    const char *what)
{
	if (strstr(text, needle))
		return;
	fprintf(stderr, "--- output of %s:\n%s", what, text);
	test_fail_at(__FILE__, __LINE__, "%s: no \"%s\" in the output", what,
		     needle);
}

#endif /* TOOL_RUN_H */
