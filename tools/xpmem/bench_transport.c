// SPDX-License-Identifier: MIT
/*
 * One transfer of `size` bytes from the owner's buffer into the receiver's
 * buffer, through each transport. Every transport ends with the bytes in
 * the same destination buffer, copied by the receiver's CPU, so the numbers
 * compare the way the data gets there and nothing else:
 *
 *   xpmem   cache lookup of the attachment, then one memcpy out of it
 *   cma     one process_vm_readv (the kernel copies)
 *   shm     the owner copies into POSIX shared memory, raises a flag, the
 *           receiver waits for it and copies out: two copies
 *   memcpy  one memcpy from a local buffer: the limit
 */
#include <errno.h>
#include <string.h>
#include <sys/uio.h>

#include "bench.h"
#include "xpmem_tool.h"

const char *const transport_names[T_COUNT] = {
    [T_XPMEM] = "xpmem",
    [T_CMA] = "cma",
    [T_SHM] = "shm",
    [T_MEMCPY] = "memcpy",
};

static int xfer_xpmem(struct bench_ctx *ctx, size_t size)
{
	void *src;
	int err;

	err = attach_cache_get(&ctx->cache, ctx->apid, ctx->peer.info.buf, size,
			       &src);
	if (err)
		return err;
	memcpy(ctx->dst, src, size);
	return 0;
}

static int cma_read(struct bench_ctx *ctx, char *dst, size_t size)
{
	size_t done = 0;

	while (done < size) {
		struct iovec local = {dst + done, size - done};
		struct iovec remote = {
		    (void *)(uintptr_t)(ctx->peer.info.buf + done),
		    size - done};
		ssize_t n =
		    process_vm_readv(ctx->peer.pid, &local, 1, &remote, 1, 0);

		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		done += (size_t)n;
	}
	return 0;
}

static int xfer_cma(struct bench_ctx *ctx, size_t size)
{
	return cma_read(ctx, ctx->dst, size);
}

static int xfer_shm(struct bench_ctx *ctx, size_t size)
{
	uint64_t seq = ++ctx->shm_seq;

	atomic_store_explicit(&ctx->shm->req, seq, memory_order_release);
	if (spin_while(&ctx->shm->ready, seq - 1) != seq)
		return -EPIPE;
	memcpy(ctx->dst, ctx->shm_data, size);
	return 0;
}

static int xfer_memcpy(struct bench_ctx *ctx, size_t size)
{
	memcpy(ctx->dst, ctx->local_src, size);
	return 0;
}

transfer_fn transport_fn(enum transport t)
{
	static const transfer_fn fns[T_COUNT] = {
	    [T_XPMEM] = xfer_xpmem,
	    [T_CMA] = xfer_cma,
	    [T_SHM] = xfer_shm,
	    [T_MEMCPY] = xfer_memcpy,
	};

	return fns[t];
}

/* The owner serves shm transfers of one size between begin and end. */
int shm_phase_begin(struct bench_ctx *ctx, size_t size)
{
	return owner_command(&ctx->peer, OP_SHM_SERVE, size);
}

int shm_phase_end(struct bench_ctx *ctx)
{
	struct owner_info ack;
	int err;

	atomic_store_explicit(&ctx->shm->req, SHM_STOP, memory_order_release);
	err = pipe_recv(ctx->peer.info_fd, &ack, sizeof(ack), BENCH_TIMEOUT_MS);
	/* Back to the last served request: the owner waits for a change. */
	atomic_store_explicit(&ctx->shm->req, ctx->shm_seq,
			      memory_order_release);
	return err;
}

/*
 * Yama's ptrace_scope, or a missing CAP_SYS_PTRACE across users, makes
 * process_vm_readv fail with EPERM: then CMA is reported as unavailable.
 */
int cma_probe(struct bench_ctx *ctx)
{
	char byte;
	int err = cma_read(ctx, &byte, 1);

	if (!err)
		return 0;
	snprintf(ctx->why_not[T_CMA], sizeof(ctx->why_not[T_CMA]),
		 "process_vm_readv: %s%s", strerror(-err),
		 err == -EPERM ? " (Yama ptrace_scope, seccomp or "
				 "missing CAP_SYS_PTRACE)"
			       : "");
	return err;
}
