// SPDX-License-Identifier: MIT
/*
 * Attaching and reading huge pages: a private anonymous buffer of the
 * owner backed by transparent huge pages, against the same buffer in small
 * pages, each attached, read through once and detached. The first touch
 * of every page goes through the module's fault path, which maps a huge
 * page with one 2 MiB entry. Kernel backend only: the user-space backend
 * cannot export private memory.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "xpmem_tool.h"

#define HUGE_BUF (64UL << 20)
#define HUGE_ALIGN (2UL << 20)

/* What the owner tells the receiver: [0] huge pages, [1] small pages. */
struct huge_info {
	int32_t err;
	int64_t segid[2];
	uint64_t addr[2];
	int64_t thp_bytes; /* AnonHugePages over the huge buffer */
};

/* Private anonymous memory aligned to 2 MiB, with or without THP. */
static void *aligned_anon(bool huge)
{
	char *raw = mmap(NULL, HUGE_BUF + HUGE_ALIGN, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *p;

	if (raw == MAP_FAILED)
		return NULL;
	p = (char *)align_up((uintptr_t)raw, HUGE_ALIGN);
	if (p > raw)
		munmap(raw, (size_t)(p - raw));
	munmap(p + HUGE_BUF, (size_t)(raw + HUGE_ALIGN - p));
	if (madvise(p, HUGE_BUF, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE)) {
		munmap(p, HUGE_BUF);
		return NULL;
	}
	return p;
}

/* AnonHugePages of this process's mappings inside [p, p + len), bytes. */
static int64_t anon_huge_bytes(const void *p, size_t len)
{
	uintptr_t lo = (uintptr_t)p, hi = lo + len, start, end;
	FILE *f = fopen("/proc/self/smaps", "r");
	bool inside = false;
	int64_t total = 0;
	char line[512];
	long kb;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2 &&
		    strchr(line, '-') < strchr(line, ' '))
			inside = start < hi && lo < end;
		else if (inside &&
			 sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			total += (int64_t)kb * 1024;
	}
	fclose(f);
	return total;
}

static int huge_owner_setup(struct huge_info *info, void **bufs)
{
	for (int i = 0; i < 2; i++) {
		bufs[i] = aligned_anon(i == 0);
		if (!bufs[i])
			return -errno;
		pattern_fill(bufs[i], HUGE_BUF, BENCH_SEED);
		info->segid[i] = xpmem_make(bufs[i], HUGE_BUF,
					    XPMEM_PERMIT_MODE, (void *)0600);
		if (info->segid[i] < 0)
			return -errno;
		info->addr[i] = (uintptr_t)bufs[i];
	}
	info->thp_bytes = anon_huge_bytes(bufs[0], HUGE_BUF);
	return 0;
}

/* The owner: exports both buffers, then waits for the receiver's EOF. */
static void huge_owner(int info_fd, int quit_fd)
{
	struct huge_info info = {.segid = {-1, -1}};
	void *bufs[2] = {NULL, NULL};
	char c;

	info.err = huge_owner_setup(&info, bufs);
	if (pipe_send(info_fd, &info, sizeof(info)))
		_exit(1);
	while (read(quit_fd, &c, 1) > 0)
		;
	_exit(0);
}

/* Attach, read every byte (a sum the compiler cannot drop), detach. */
static int attach_and_read(xpmem_apid_t apid, double *ns)
{
	struct xpmem_addr addr = {.apid = apid, .offset = 0};
	volatile uint64_t sink;
	uint64_t sum = 0, t0 = now_ns();
	const uint64_t *p = xpmem_attach(addr, HUGE_BUF, NULL);

	if (p == (void *)-1)
		return -errno;
	for (size_t i = 0; i < HUGE_BUF / sizeof(*p); i++)
		sum += p[i];
	if (xpmem_detach((void *)p))
		return -errno;
	*ns = (double)(now_ns() - t0);
	sink = sum;
	(void)sink;
	return 0;
}

/* Median time of `reps` rounds of attach_and_read() of each buffer. */
static int time_buffers(const struct huge_info *info, size_t reps,
			struct bench_huge_cost *r)
{
	double *samples = malloc(reps * sizeof(*samples));
	int err = samples ? 0 : -ENOMEM;

	for (int b = 0; b < 2 && !err; b++) {
		xpmem_apid_t apid = xpmem_get(info->segid[b], XPMEM_RDONLY,
					      XPMEM_PERMIT_MODE, NULL);

		if (apid < 0) {
			err = -errno;
			break;
		}
		for (size_t i = 0; i < reps && !err; i++)
			err = attach_and_read(apid, &samples[i]);
		if (!err)
			*(b ? &r->small_ns : &r->huge_ns) =
				median_of(samples, reps);
		xpmem_release(apid);
	}
	free(samples);
	return err;
}

static int measure_huge(struct bench_ctx *ctx, struct bench_huge_cost *r)
{
	int info_fds[2], quit_fds[2], err;
	struct huge_info info;
	pid_t pid;

	if (pipe(info_fds))
		return -errno;
	if (pipe(quit_fds)) {
		err = -errno;
		goto close_info;
	}
	pid = fork();
	if (pid == 0) {
		close(info_fds[0]);
		close(quit_fds[1]);
		huge_owner(info_fds[1], quit_fds[0]);
	}
	err = pid < 0 ? -errno : 0;
	if (!err)
		err = pipe_recv(info_fds[0], &info, sizeof(info),
				BENCH_TIMEOUT_MS);
	if (!err)
		err = info.err;
	if (!err) {
		r->thp_bytes = info.thp_bytes;
		err = time_buffers(&info, ctx->opts.quick ? 3 : 11, r);
	}
	close(quit_fds[1]);
	close(quit_fds[0]);
	if (pid > 0 && wait_child(pid) && !err)
		err = -ECHILD;
close_info:
	close(info_fds[0]);
	close(info_fds[1]);
	return err;
}

void measure_huge_cost(struct bench_ctx *ctx, struct bench_huge_cost *r)
{
	int err;

	memset(r, 0, sizeof(*r));
	r->size = HUGE_BUF;
	if (ctx->backend != XPMEM_BACKEND_KERNEL) {
		snprintf(r->why_not, sizeof(r->why_not),
			 "needs the kernel module (private memory)");
		return;
	}
	err = measure_huge(ctx, r);
	if (err) {
		snprintf(r->why_not, sizeof(r->why_not), "%s", strerror(-err));
		return;
	}
	r->ok = true;
}
