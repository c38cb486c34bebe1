// SPDX-License-Identifier: MIT
/*
 * xpmem bench: one-way copy bandwidth and latency between two processes
 * through XPMEM (attachment cached), CMA, two-copy POSIX shared memory and
 * a local memcpy, with the ratios that say what XPMEM is worth.
 *
 * Fairness: every transport copies into the same destination buffer, on
 * the same CPU, from a source that was written once and read before the
 * timing starts, so page faults and first-touch costs are outside every
 * measurement. Each point is the median of --iters samples; a sample times
 * a batch of transfers long enough for the clock to be exact.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench.h"
#include "xpmem_tool.h"

#define MAX_BATCH 1000000
#define MIN_OWNER_BUF ((size_t)1 << 20) /* room for the cache test */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double median_of(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ---- measurement ------------------------------------------------------- */

static int run_batch(struct bench_ctx *ctx, transfer_fn fn, size_t size,
		     unsigned long batch, double *ns_per_xfer)
{
	uint64_t t0 = now_ns();

	for (unsigned long b = 0; b < batch; b++) {
		int err = fn(ctx, size);

		if (err)
			return err;
	}
	*ns_per_xfer = (double)(now_ns() - t0) / (double)batch;
	return 0;
}

/*
 * Warm-up (attach, page faults, caches), then a batch that lasts at least
 * a tenth of a sample, then the batch size that makes one sample last
 * target nanoseconds.
 */
static int calibrate(struct bench_ctx *ctx, transfer_fn fn, size_t size,
		     double target, unsigned long *batch)
{
	unsigned long b = 1;
	double per;
	int err;

	err = run_batch(ctx, fn, size, 2, &per);
	while (!err) {
		err = run_batch(ctx, fn, size, b, &per);
		if (per * (double)b >= target / 10 || b >= MAX_BATCH)
			break;
		b *= 2;
	}
	if (err)
		return err;
	b = per > 0 ? (unsigned long)(target / per) : MAX_BATCH;
	*batch = b < 1 ? 1 : b > MAX_BATCH ? MAX_BATCH : b;
	return 0;
}

/*
 * The samples of all transports are interleaved, one batch of each in
 * turn, so that noise from the rest of the machine (other jobs, frequency
 * changes) falls on every transport alike instead of on whichever ran
 * while it happened.
 */
static int sample_point(struct bench_ctx *ctx, struct bench_point *pt,
			double *samples, enum transport *failed)
{
	unsigned long n = ctx->opts.iters, batch[T_COUNT];
	double target = ctx->opts.seconds * 1e9 / (double)n / T_COUNT;
	int err = 0;

	for (int t = 0; t < T_COUNT && !err; t++) {
		*failed = t;
		if (ctx->avail[t])
			err = calibrate(ctx, transport_fn(t), pt->size, target,
					&batch[t]);
	}
	for (unsigned long i = 0; i < n && !err; i++) {
		for (int t = 0; t < T_COUNT && !err; t++) {
			*failed = t;
			if (ctx->avail[t])
				err = run_batch(ctx, transport_fn(t), pt->size,
						batch[t], &samples[t * n + i]);
		}
	}
	for (int t = 0; t < T_COUNT && !err; t++) {
		if (!ctx->avail[t])
			continue;
		pt->ns[t] = median_of(&samples[t * n], n);
		pt->ok[t] = true;
	}
	return err;
}

/* The numbers count only if every transport delivers the right bytes. */
static int verify_point(struct bench_ctx *ctx, size_t size,
			enum transport *failed)
{
	for (int t = 0; t < T_COUNT; t++) {
		int err;

		if (!ctx->avail[t])
			continue;
		*failed = t;
		memset(ctx->dst, 0, size);
		err = transport_fn(t)(ctx, size);
		if (err)
			return err;
		if (memcmp(ctx->dst, ctx->local_src, size))
			return -EBADMSG;
	}
	return 0;
}

static int measure_point(struct bench_ctx *ctx, struct bench_point *pt)
{
	double *samples = malloc(T_COUNT * ctx->opts.iters * sizeof(double));
	enum transport failed = T_XPMEM;
	int err, end_err;

	if (!samples)
		return -ENOMEM;
	err = shm_phase_begin(ctx, pt->size);
	if (err) {
		free(samples);
		return err;
	}
	err = sample_point(ctx, pt, samples, &failed);
	if (!err)
		err = verify_point(ctx, pt->size, &failed);
	end_err = shm_phase_end(ctx);
	free(samples);
	if (err)
		tool_err("bench: %s at %zu bytes: %s", transport_names[failed],
			 pt->size,
			 err == -EBADMSG ? "wrong bytes arrived"
					 : strerror(-err));
	else if (end_err)
		tool_err("bench: the owner did not answer: %s",
			 strerror(-end_err));
	return err ? err : end_err;
}

static void show_progress(const struct bench_ctx *ctx, int done, int total,
			  size_t size)
{
	bool tty = isatty(STDERR_FILENO);
	char sz[32];

	if (!ctx->opts.progress)
		return;
	if (done == total) {
		if (tty)
			fprintf(stderr, "\r%-40s\r", "");
		return;
	}
	fprintf(stderr, "%s[%d/%d] %s, all transports...%s", tty ? "\r" : "",
		done + 1, total, format_size(size, sz, sizeof(sz)),
		tty ? "    " : "\n");
}

static int measure_all(struct bench_ctx *ctx, struct bench_point *pts)
{
	int n = ctx->opts.nsizes, err = 0;

	for (int i = 0; i < n && !err; i++) {
		pts[i].size = ctx->opts.sizes[i];
		show_progress(ctx, i, n, pts[i].size);
		err = measure_point(ctx, &pts[i]);
	}
	show_progress(ctx, n, n, 0);
	return err;
}

/* ---- set-up and tear-down ---------------------------------------------- */

static void *map_buffer(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* The shm transport's object, unlinked at once: the mapping is enough. */
static int map_shm(struct bench_ctx *ctx)
{
	char name[64];
	void *p;
	int fd;

	snprintf(name, sizeof(name), "/xpmem-bench.%d", (int)getpid());
	fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	shm_unlink(name);
	ctx->shm_len = SHM_DATA_OFFSET + ctx->max_size;
	if (ftruncate(fd, (off_t)ctx->shm_len)) {
		close(fd);
		return -errno;
	}
	p = mmap(NULL, ctx->shm_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return -errno;
	ctx->shm = p;
	ctx->shm_data = (char *)p + SHM_DATA_OFFSET;
	return 0;
}

/* The first two CPUs this process may run on, or -1 when there is one. */
static void pick_cpus(int *receiver, int *owner)
{
	cpu_set_t set;
	int found = 0;

	*receiver = *owner = -1;
	if (sched_getaffinity(0, sizeof(set), &set))
		return;
	for (int c = 0; c < CPU_SETSIZE && found < 2; c++) {
		if (!CPU_ISSET(c, &set))
			continue;
		if (found++ == 0)
			*receiver = c;
		else
			*owner = c;
	}
	if (*owner < 0)
		*receiver = -1;
}

static void on_sigchld(int sig)
{
	(void)sig;
	bench_peer_gone = 1;
}

static int start_owner(struct bench_ctx *ctx, size_t owner_size, int owner_cpu)
{
	int to_owner[2], from_owner[2];
	pid_t pid;

	if (pipe2(to_owner, O_CLOEXEC) || pipe2(from_owner, O_CLOEXEC))
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		close(to_owner[1]);
		close(from_owner[0]);
		exit(owner_main(&ctx->opts, owner_size, ctx->shm_data, ctx->shm,
				to_owner[0], from_owner[1], owner_cpu));
	}
	close(to_owner[0]);
	close(from_owner[1]);
	ctx->peer.pid = pid;
	ctx->peer.cmd_fd = to_owner[1];
	ctx->peer.info_fd = from_owner[0];
	return pipe_recv(ctx->peer.info_fd, &ctx->peer.info,
			 sizeof(ctx->peer.info), BENCH_TIMEOUT_MS);
}

static int setup_receiver(struct bench_ctx *ctx)
{
	int err;

	ctx->backend = xpmem_backend(&ctx->backend_reason);
	ctx->apid = xpmem_get(ctx->peer.info.segid, XPMEM_RDWR,
			      XPMEM_PERMIT_MODE, NULL);
	if (ctx->apid < 0) {
		err = -errno;
		tool_err("bench: xpmem_get: %s", strerror(errno));
		return err;
	}
	err = attach_cache_init(&ctx->cache, 16);
	ctx->dst = map_buffer(ctx->max_size);
	ctx->local_src = map_buffer(ctx->max_size);
	if (err || !ctx->dst || !ctx->local_src) {
		tool_err("bench: receiver buffers: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	memset(ctx->dst, 0, ctx->max_size);
	pattern_fill(ctx->local_src, ctx->max_size, BENCH_SEED);
	for (int t = 0; t < T_COUNT; t++)
		ctx->avail[t] = true;
	ctx->avail[T_CMA] = cma_probe(ctx) == 0;
	return 0;
}

static int bench_setup(struct bench_ctx *ctx)
{
	size_t owner_size = ctx->max_size;
	int recv_cpu, owner_cpu, err;

	if (owner_size < MIN_OWNER_BUF)
		owner_size = MIN_OWNER_BUF;
	err = map_shm(ctx);
	if (err) {
		tool_err("bench: POSIX shared memory: %s", strerror(-err));
		return err;
	}
	pick_cpus(&recv_cpu, &owner_cpu);
	signal(SIGCHLD, on_sigchld);
	err = start_owner(ctx, owner_size, owner_cpu);
	if (err) {
		tool_err("bench: starting the owner process: %s",
			 strerror(-err));
		return err;
	}
	if (ctx->peer.info.err) {
		tool_err("bench: owner: %s", ctx->peer.info.what);
		return ctx->peer.info.err;
	}
	ctx->cpu = -1;
	if (ctx->opts.pin && recv_cpu >= 0 && !pin_to_cpu(recv_cpu))
		ctx->cpu = recv_cpu;
	/* The cache test attaches windows across the whole owner buffer. */
	ctx->owner_size = owner_size;
	return setup_receiver(ctx);
}

static int bench_teardown(struct bench_ctx *ctx)
{
	int status = 0;

	attach_cache_fini(&ctx->cache);
	if (ctx->apid > 0)
		xpmem_release(ctx->apid);
	if (ctx->peer.pid > 0) {
		owner_command(&ctx->peer, OP_QUIT, 0);
		close(ctx->peer.cmd_fd);
		close(ctx->peer.info_fd);
		status = wait_child(ctx->peer.pid);
		if (status)
			tool_err("bench: the owner process exited with "
				 "status %d",
				 status);
	}
	if (ctx->dst)
		munmap(ctx->dst, ctx->max_size);
	if (ctx->local_src)
		munmap(ctx->local_src, ctx->max_size);
	if (ctx->shm)
		munmap(ctx->shm, ctx->shm_len);
	return status ? -ECHILD : 0;
}

static size_t largest(const size_t *v, int n)
{
	size_t m = 0;

	for (int i = 0; i < n; i++)
		m = v[i] > m ? v[i] : m;
	return m;
}

static void report(const struct bench_ctx *ctx, const struct bench_point *pts,
		   const struct bench_cache_cost *cc,
		   const struct bench_huge_cost *hc)
{
	switch (ctx->opts.format) {
	case FMT_CSV:
		report_csv(ctx, pts, ctx->opts.nsizes, cc, hc);
		break;
	case FMT_JSON:
		report_json(ctx, pts, ctx->opts.nsizes, cc, hc);
		break;
	default:
		report_table(ctx, pts, ctx->opts.nsizes, cc, hc);
		break;
	}
}

int cmd_bench(int argc, char **argv)
{
	static struct bench_ctx ctx;
	struct bench_point pts[BENCH_MAX_SIZES];
	struct bench_cache_cost cc;
	struct bench_huge_cost hc;
	int ret, err;

	ret = parse_bench_opts(argc, argv, &ctx.opts);
	if (ret)
		return ret < 0 ? 0 : ret;
	signal(SIGPIPE, SIG_IGN);
	ctx.max_size = largest(ctx.opts.sizes, ctx.opts.nsizes);
	ctx.apid = -1;
	memset(pts, 0, sizeof(pts));
	err = bench_setup(&ctx);
	if (!err)
		err = measure_all(&ctx, pts);
	if (!err) {
		measure_cache_cost(&ctx, &cc);
		measure_huge_cost(&ctx, &hc);
		report(&ctx, pts, &cc, &hc);
	}
	if (bench_teardown(&ctx) && !err)
		err = -ECHILD;
	return err ? 1 : 0;
}
