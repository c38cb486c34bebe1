/* SPDX-License-Identifier: MIT */
/*
 * Internals of `xpmem bench`, shared by its files:
 *   bench.c            the two processes and the measurement loop
 *   bench_opts.c       options and defaults
 *   bench_owner.c      the exporting process (the sender)
 *   bench_transport.c  one transfer through each transport
 *   bench_cache.c      attachment-cache lookup and uncached attach cost
 *   bench_huge.c       attaching and reading huge pages against small ones
 *   bench_report.c     table, CSV and JSON output
 *
 * The receiver (the parent process) measures everything; the owner (a
 * forked child) owns the source buffer and exports it.
 */
#ifndef XPMEM_BENCH_H
#define XPMEM_BENCH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

#include <xpmem.h>

#include "attach_cache.h"

#define BENCH_MAX_SIZES 32
#define BENCH_SEED 0x3c
#define BENCH_TIMEOUT_MS 60000

enum transport {
	T_XPMEM,
	T_CMA,
	T_SHM,
	T_MEMCPY,
	T_COUNT,
};

extern const char *const transport_names[T_COUNT];

enum bench_format { FMT_TABLE, FMT_CSV, FMT_JSON };

struct bench_opts {
	size_t sizes[BENCH_MAX_SIZES];
	int nsizes;
	unsigned long iters; /* timed samples per point */
	double seconds;	     /* target time per point */
	enum bench_format format;
	bool progress;
	bool pin;
	bool quick;
};

/*
 * The shared-memory transport's control block, at the start of the POSIX
 * shared memory object. Each counter has its own cache line so that the
 * two processes do not slow each other down through false sharing.
 */
#define SHM_STOP UINT64_MAX
struct shm_ctl {
	_Alignas(64) _Atomic uint64_t req;   /* receiver: transfer wanted */
	_Alignas(64) _Atomic uint64_t ready; /* owner: data is in place */
};
#define SHM_DATA_OFFSET 4096

/* Commands from the receiver to the owner, over a pipe. */
enum owner_op { OP_SHM_SERVE = 1, OP_QUIT = 2 };
struct owner_cmd {
	uint32_t op;
	uint64_t size;
};

/* The owner's answer after setting up, and after each command. */
struct owner_info {
	int32_t err; /* 0 or -errno */
	int32_t cpu; /* CPU the owner is pinned to, or -1 */
	int64_t segid;
	uint64_t buf;	/* address of the source buffer */
	char what[192]; /* what failed and why, when err is set */
};

struct bench_peer {
	pid_t pid;
	int cmd_fd;  /* to the owner */
	int info_fd; /* from the owner */
	struct owner_info info;
};

/* Everything a transfer needs; one per run, in the receiver. */
struct bench_ctx {
	struct bench_opts opts;
	size_t max_size;   /* largest transfer */
	size_t owner_size; /* the owner's exported buffer */
	struct bench_peer peer;
	xpmem_apid_t apid;
	struct attach_cache cache;
	struct shm_ctl *shm; /* control block */
	char *shm_data;	     /* after the control block */
	size_t shm_len;
	char *dst;	 /* receiver buffer, every transport */
	char *local_src; /* memcpy source, also the reference */
	uint64_t shm_seq;
	int backend;
	const char *backend_reason;
	int cpu;
	bool avail[T_COUNT];
	char why_not[T_COUNT][128];
};

struct bench_point {
	size_t size;
	bool ok[T_COUNT];
	double ns[T_COUNT]; /* median time per transfer */
};

struct bench_cache_cost {
	unsigned int entries;
	double lookup_ns;     /* keys spread over all entries */
	double lookup_mru_ns; /* keys in one window */
	size_t attach_size;
	double attach_detach_ns;
	bool ok;
	char why_not[128];
};

/* Attach + read + detach of a buffer in huge pages and in small pages. */
struct bench_huge_cost {
	size_t size;
	int64_t thp_bytes; /* how much of the buffer the kernel gave THPs */
	double huge_ns;	   /* median, THP-backed */
	double small_ns;   /* median, small pages */
	bool ok;
	char why_not[128];
};

void measure_huge_cost(struct bench_ctx *ctx, struct bench_huge_cost *r);

/* bench_owner.c */
int owner_main(const struct bench_opts *o, size_t max_size, char *shm_data,
	       struct shm_ctl *shm, int cmd_fd, int info_fd, int cpu);
int owner_command(struct bench_peer *peer, uint32_t op, uint64_t size);

/* bench_transport.c */
typedef int (*transfer_fn)(struct bench_ctx *ctx, size_t size);
transfer_fn transport_fn(enum transport t);
int shm_phase_begin(struct bench_ctx *ctx, size_t size);
int shm_phase_end(struct bench_ctx *ctx);
int cma_probe(struct bench_ctx *ctx);

/* bench_opts.c: 0, -1 after --help, or EXIT_USAGE after a message. */
int parse_bench_opts(int argc, char **argv, struct bench_opts *o);

/* bench.c: sorts v and returns its median. */
double median_of(double *v, size_t n);

/* bench_cache.c */
void measure_cache_cost(struct bench_ctx *ctx, struct bench_cache_cost *r);

/* bench_report.c */
void report_table(const struct bench_ctx *ctx, const struct bench_point *pts,
		  int n, const struct bench_cache_cost *cc,
		  const struct bench_huge_cost *hc);
void report_csv(const struct bench_ctx *ctx, const struct bench_point *pts,
		int n, const struct bench_cache_cost *cc,
		  const struct bench_huge_cost *hc);
void report_json(const struct bench_ctx *ctx, const struct bench_point *pts,
		 int n, const struct bench_cache_cost *cc,
		  const struct bench_huge_cost *hc);

/*
 * Spins while *v == old and returns the new value; yields now and then so
 * that the benchmark still finishes on a single CPU. Returns SHM_STOP when
 * bench_peer_gone is set (the receiver's SIGCHLD handler sets it), so a
 * dead owner cannot hang the receiver.
 */
extern volatile sig_atomic_t bench_peer_gone;
uint64_t spin_while(_Atomic uint64_t *v, uint64_t old);
/* Pins the calling thread to one CPU; -errno when it cannot. */
int pin_to_cpu(int cpu);

#endif /* XPMEM_BENCH_H */
