// SPDX-License-Identifier: MIT
/*
 * The owner process of `xpmem bench`: it allocates the source buffer from
 * the shareable memfd kind (memory that both XPMEM backends can export),
 * fills it, exports its whole address space as MPI and UCX do, and serves
 * the copies of the two-copy shared-memory transport on request.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <memkind.h>

#include "bench.h"
#include "xpmem_tool.h"

#define SPINS_BEFORE_YIELD 4096

volatile sig_atomic_t bench_peer_gone;

uint64_t spin_while(_Atomic uint64_t *v, uint64_t old)
{
	unsigned int spins = 0;
	uint64_t cur;

	while ((cur = atomic_load_explicit(v, memory_order_acquire)) == old) {
#if defined(__x86_64__) || defined(__i386__)
		__builtin_ia32_pause();
#endif
		if (++spins == SPINS_BEFORE_YIELD) {
			spins = 0;
			if (bench_peer_gone)
				return SHM_STOP;
			sched_yield();
		}
	}
	return cur;
}

int pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		return -errno;
	return 0;
}

struct owner {
	memkind_t kind;
	void *buf;
	xpmem_segid_t segid;
};

/* Records a failed call with its errno for the receiver to print. */
static int fail(struct owner_info *info, int err, const char *what)
{
	info->err = err;
	snprintf(info->what, sizeof(info->what), "%s: %s", what,
		 strerror(-err));
	return err;
}

/* memkind reports its own codes; its message says more than an errno. */
static int fail_memkind(struct owner_info *info, int code, const char *what)
{
	char msg[MEMKIND_ERROR_MESSAGE_SIZE];

	memkind_error_message(code, msg, sizeof(msg));
	info->err = -EIO;
	snprintf(info->what, sizeof(info->what), "%s: %s", what, msg);
	return info->err;
}

static int owner_setup(struct owner *ow, size_t max_size,
		       struct owner_info *info)
{
	size_t limit = 2 * max_size + MEMKIND_PMEM_MIN_SIZE;
	int err;

	err = memkind_create_shared(limit, &ow->kind);
	if (err)
		return fail_memkind(info, err, "memkind_create_shared");
	err = memkind_posix_memalign(ow->kind, &ow->buf, page_size(), max_size);
	if (err)
		return fail(info, -err, "memkind_posix_memalign");
	pattern_fill(ow->buf, max_size, BENCH_SEED);
	ow->segid = xpmem_make(NULL, XPMEM_MAXADDR_SIZE, XPMEM_PERMIT_MODE,
			       (void *)(uintptr_t)0600);
	if (ow->segid < 0)
		return fail(info, -errno,
			    "xpmem_make(NULL, XPMEM_MAXADDR_SIZE)");
	info->segid = ow->segid;
	info->buf = (uintptr_t)ow->buf;
	return 0;
}

static void owner_cleanup(struct owner *ow)
{
	if (ow->segid > 0)
		xpmem_remove(ow->segid);
	if (ow->buf)
		memkind_free(ow->kind, ow->buf);
	if (ow->kind)
		memkind_destroy_kind(ow->kind);
}

/*
 * One transfer per request: copy into the shared segment, then publish the
 * request's number. Ends when the receiver asks for SHM_STOP.
 */
static void serve_shm(struct shm_ctl *shm, char *shm_data, const void *src,
		      size_t size)
{
	/*
	 * The last request served, not the current one: the receiver may
	 * have asked for the next transfer already.
	 */
	uint64_t seen = atomic_load_explicit(&shm->ready, memory_order_acquire);

	for (;;) {
		uint64_t req = spin_while(&shm->req, seen);

		if (req == SHM_STOP)
			return;
		memcpy(shm_data, src, size);
		atomic_store_explicit(&shm->ready, req, memory_order_release);
		seen = req;
	}
}

static int serve(struct owner *ow, size_t max_size, struct shm_ctl *shm,
		 char *shm_data, int cmd_fd, int info_fd,
		 struct owner_info *info)
{
	struct owner_cmd cmd;

	for (;;) {
		int err = pipe_recv(cmd_fd, &cmd, sizeof(cmd), -1);
		if (err)
			return err;
		if (cmd.op == OP_QUIT)
			return 0;
		if (cmd.op != OP_SHM_SERVE || cmd.size > max_size)
			return -EINVAL;
		serve_shm(shm, shm_data, ow->buf, cmd.size);
		err = pipe_send(info_fd, info, sizeof(*info));
		if (err)
			return err;
	}
}

int owner_main(const struct bench_opts *o, size_t max_size, char *shm_data,
	       struct shm_ctl *shm, int cmd_fd, int info_fd, int cpu)
{
	struct owner ow = {.kind = NULL, .buf = NULL, .segid = -1};
	struct owner_info info = {.cpu = -1};
	int err;

	/* A receiver that dies must not leave the owner spinning. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (cpu >= 0 && o->pin && !pin_to_cpu(cpu))
		info.cpu = cpu;
	err = owner_setup(&ow, max_size, &info);
	if (pipe_send(info_fd, &info, sizeof(info)) == 0 && !err)
		err =
		    serve(&ow, max_size, shm, shm_data, cmd_fd, info_fd, &info);
	owner_cleanup(&ow);
	return err ? 1 : 0;
}

int owner_command(struct bench_peer *peer, uint32_t op, uint64_t size)
{
	struct owner_cmd cmd = {.op = op, .size = size};

	return pipe_send(peer->cmd_fd, &cmd, sizeof(cmd));
}
