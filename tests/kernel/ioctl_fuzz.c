/* SPDX-License-Identifier: MIT */
/*
 * A bounded ioctl fuzzer for /dev/xpmem. A child issues 20,000 raw ioctls:
 * the nine commands and random other numbers of type 'x', with argument
 * pointers that are NULL, small, kernel, non-canonical, unmapped, read-only
 * or straddling into an unmapped page, and argument structs holding random
 * and boundary values: huge sizes, wrap-around of vaddr+size and
 * offset+size, unaligned addresses, stale and random ids, bad permit types
 * and modes. Between the random calls it checks that well-formed calls
 * still work. Every failure must be -1 with an errno; the child must
 * survive, its own memory must be intact, and once it exits the module's
 * counters must be back where they were.
 */
#include <sys/ioctl.h>
#include <xpmem_abi.h>

#include "ktest.h"

#define CALLS		20000
#define POOL		32
#define MEM_PAGES	16
#define ARENA_PAGES	64

struct fuzz {
	int fd;
	unsigned char *mem;	/* exported memory, a known pattern */
	unsigned char *arena;	/* where attaches with an address may go */
	unsigned char *ro;	/* a read-only page */
	unsigned char *edge;	/* last bytes before an unmapped page */
	unsigned char *hole;	/* an unmapped page */
	int64_t segids[POOL], apids[POOL], stale[POOL];
	uint64_t attached[POOL];
	unsigned int nseg, nap, nstale, natt;
	uint64_t state;
	long ok, failed;
};

static uint64_t rnd64(struct fuzz *f)
{
	f->state ^= f->state << 13;
	f->state ^= f->state >> 7;
	f->state ^= f->state << 17;
	return f->state;
}

static unsigned int rnd(struct fuzz *f, unsigned int n)
{
	return (unsigned int)(rnd64(f) % n);
}

static int64_t pick(struct fuzz *f, const int64_t *pool, unsigned int n)
{
	return n ? pool[rnd(f, n < POOL ? n : POOL)] : (int64_t)rnd64(f);
}

static void remember(int64_t *pool, unsigned int *n, int64_t v)
{
	pool[*n % POOL] = v;
	(*n)++;
}

/* A value for an id field: live, stale, or anything. */
static int64_t some_id(struct fuzz *f, const int64_t *live, unsigned int n)
{
	static const int64_t odd[] = { 0, -1, 1, INT64_MIN, INT64_MAX, 4096 };

	switch (rnd(f, 4)) {
	case 0: return pick(f, live, n);
	case 1: return pick(f, f->stale, f->nstale);
	case 2: return odd[rnd(f, sizeof(odd) / sizeof(odd[0]))];
	default: return (int64_t)rnd64(f);
	}
}

/* A value for a size or offset field, boundaries favoured. */
static uint64_t some_size(struct fuzz *f)
{
	size_t pg = page_size();
	const uint64_t odd[] = {
		0, 1, pg - 1, pg, pg + 1, 2 * pg, MEM_PAGES * pg,
		(MEM_PAGES + 1) * pg, ~0ull, ~0ull - pg + 1, 1ull << 47,
		1ull << 63, (uint64_t)INT64_MAX, (uint64_t)-(int64_t)pg,
	};

	if (rnd(f, 3))
		return odd[rnd(f, sizeof(odd) / sizeof(odd[0]))];
	return rnd64(f) >> rnd(f, 64);
}

/* A user address: ours, unaligned, top of user space, kernel, random. */
static uint64_t some_vaddr(struct fuzz *f)
{
	size_t pg = page_size();

	switch (rnd(f, 8)) {
	case 0: return 0;
	case 1: return (uint64_t)(uintptr_t)f->mem + rnd(f, MEM_PAGES) * pg;
	case 2: return (uint64_t)(uintptr_t)f->mem + 1 + rnd(f, 4096);
	case 3: return (1ull << 47) - pg * (1 + rnd(f, 4));
	case 4: return 0xffffffff81000000ull;
	case 5: return ~0ull - pg + 1;
	case 6: return (uint64_t)(uintptr_t)f->hole;
	default: return rnd64(f);
	}
}

/*
 * Where an attach may map with MAP_FIXED semantics: nowhere (0), our arena,
 * or addresses the module must refuse. Never over the program's own memory.
 */
static uint64_t attach_vaddr(struct fuzz *f)
{
	size_t pg = page_size();

	switch (rnd(f, 5)) {
	case 0:
	case 1: return 0;
	case 2: return (uint64_t)(uintptr_t)f->arena + rnd(f, ARENA_PAGES / 2) * pg;
	case 3: return (uint64_t)(uintptr_t)f->arena + 1 + rnd(f, pg - 1);
	default: return 0xffff888000000000ull + rnd(f, 16) * pg;
	}
}

static int some_permit_type(struct fuzz *f)
{
	return rnd(f, 4) ? XPMEM_PERMIT_MODE : (int)rnd64(f);
}

static uint64_t some_mode(struct fuzz *f)
{
	static const uint64_t odd[] = { 0600, 0666, 0777, 0, 01000, 07777, ~0ull };

	return rnd(f, 2) ? odd[rnd(f, sizeof(odd) / sizeof(odd[0]))] : rnd64(f);
}

/* Fills buf with an argument struct for command number nr. */
static void make_args(struct fuzz *f, unsigned int nr, void *buf)
{
	union {
		struct xpmem_cmd_make make;
		struct xpmem_cmd_remove remove;
		struct xpmem_cmd_get get;
		struct xpmem_cmd_release release;
		struct xpmem_cmd_attach attach;
		struct xpmem_cmd_detach detach;
		uint64_t raw[8];
	} *a = buf;
	int i;

	for (i = 0; i < 8; i++)
		a->raw[i] = rnd(f, 2) ? rnd64(f) : 0;
	switch (nr) {
	case 1:
		a->make.vaddr = some_vaddr(f);
		a->make.size = some_size(f);
		a->make.permit_type = some_permit_type(f);
		a->make.permit_value = some_mode(f);
		break;
	case 2:
		a->remove.segid = some_id(f, f->segids, f->nseg);
		break;
	case 3:
		a->get.segid = some_id(f, f->segids, f->nseg);
		a->get.flags = rnd(f, 3) ? (int)(XPMEM_RDWR - rnd(f, 2)) :
					   (int)rnd64(f);
		a->get.permit_type = some_permit_type(f);
		a->get.permit_value = rnd(f, 2) ? 0 : rnd64(f);
		break;
	case 4:
		a->release.apid = some_id(f, f->apids, f->nap);
		break;
	case 6:
		a->detach.vaddr = rnd(f, 2) ?
			(uint64_t)pick(f, (const int64_t *)f->attached, f->natt) :
			some_vaddr(f);
		break;
	default:
		break;
	}
	/*
	 * A command the module might read as ATTACH (garbage numbers too)
	 * gets an address where a mapping cannot hurt this program.
	 */
	if (nr == 5 || nr > 8)
		a->attach.vaddr = attach_vaddr(f);
	if (nr == 5) {
		a->attach.apid = some_id(f, f->apids, f->nap);
		a->attach.offset = (int64_t)some_size(f);
		a->attach.size = some_size(f);
		if (a->attach.size > ARENA_PAGES / 2 * page_size() &&
		    a->attach.vaddr != 0 && rnd(f, 2))
			a->attach.size = page_size();
	}
}

/* The command: one of ours, or another number of type 'x'. */
static unsigned long some_cmd(struct fuzz *f, unsigned int *nr)
{
	unsigned int dir, size;

	if (rnd(f, 4)) {
		*nr = rnd(f, 16);
		return _IO(XPMEM_IOC_MAGIC, *nr);
	}
	*nr = rnd(f, 256);
	dir = rnd(f, 4);
	size = rnd(f, 1 << _IOC_SIZEBITS);
	return _IOC(dir, XPMEM_IOC_MAGIC, *nr, size);
}

/* The argument: a good buffer mostly, else pointers the kernel must reject. */
static void *some_arg(struct fuzz *f, unsigned int nr, void *good)
{
	size_t tail = rnd(f, 40);

	switch (rnd(f, 12)) {
	case 0: return NULL;
	case 1: return (void *)(uintptr_t)(1 + rnd(f, 4095));
	case 2: return (void *)0xffffffff81000000ull;
	case 3: return (void *)0x0000800000000000ull;
	case 4: return f->hole;
	case 5:
		/* Readable arguments, but results cannot be written back. */
		CHECK(mprotect(f->ro, page_size(), PROT_READ | PROT_WRITE) == 0);
		make_args(f, nr, f->ro);
		CHECK(mprotect(f->ro, page_size(), PROT_READ) == 0);
		return f->ro;
	case 6:
		/* The struct runs into the unmapped page after edge. */
		make_args(f, nr, good);
		memcpy(f->edge + 64 - tail, good, tail);
		return f->edge + 64 - tail;
	default:
		make_args(f, nr, good);
		return good;
	}
}

static void note_result(struct fuzz *f, unsigned long cmd, void *arg,
			void *good, int rc, int err)
{
	if (rc == -1) {
		if (err <= 0 || err >= 4096)
			test_fail_at(__FILE__, __LINE__,
				     "ioctl %#lx: -1 with errno %d", cmd, err);
		f->failed++;
		return;
	}
	if (rc < 0)
		test_fail_at(__FILE__, __LINE__, "ioctl %#lx returned %d",
			     cmd, rc);
	f->ok++;
	if (arg != good)
		return;
	/* Keep what the call created for later calls and the cleanup. */
	if (cmd == XPMEM_CMD_MAKE)
		remember(f->segids, &f->nseg, ((struct xpmem_cmd_make *)good)->segid);
	else if (cmd == XPMEM_CMD_GET)
		remember(f->apids, &f->nap, ((struct xpmem_cmd_get *)good)->apid);
	else if (cmd == XPMEM_CMD_ATTACH)
		remember((int64_t *)f->attached, &f->natt,
			 (int64_t)((struct xpmem_cmd_attach *)good)->vaddr);
	else if (cmd == XPMEM_CMD_REMOVE)
		remember(f->stale, &f->nstale,
			 ((struct xpmem_cmd_remove *)good)->segid);
}

/* A well-formed sequence on the same descriptor must still work. */
static void sane_round(struct fuzz *f)
{
	size_t pg = page_size();
	struct xpmem_cmd_make mk = {
		.vaddr = (uintptr_t)f->mem, .size = MEM_PAGES * pg,
		.permit_type = XPMEM_PERMIT_MODE, .permit_value = 0600,
	};
	struct xpmem_cmd_get get = {
		.flags = XPMEM_RDWR, .permit_type = XPMEM_PERMIT_MODE,
	};
	struct xpmem_cmd_attach at = { .size = pg, .offset = (off_t)pg };
	struct xpmem_cmd_release rel;
	struct xpmem_cmd_detach det;
	struct xpmem_cmd_remove rm;
	unsigned char *p;

	CHECK(ioctl(f->fd, XPMEM_CMD_VERSION, NULL) > 0);
	CHECK(ioctl(f->fd, XPMEM_CMD_MAKE, &mk) == 0 && mk.segid > 0);
	get.segid = mk.segid;
	CHECK(ioctl(f->fd, XPMEM_CMD_GET, &get) == 0 && get.apid > 0);
	at.apid = get.apid;
	CHECK(ioctl(f->fd, XPMEM_CMD_ATTACH, &at) == 0 && at.vaddr != 0);
	p = (unsigned char *)(uintptr_t)at.vaddr;
	CHECK_PATTERN(p, pg, 1);	/* page 1 of mem holds seed 1 */
	det.vaddr = at.vaddr;
	CHECK(ioctl(f->fd, XPMEM_CMD_DETACH, &det) == 0);
	rel.apid = get.apid;
	CHECK(ioctl(f->fd, XPMEM_CMD_RELEASE, &rel) == 0);
	rm.segid = mk.segid;
	CHECK(ioctl(f->fd, XPMEM_CMD_REMOVE, &rm) == 0);
	remember(f->stale, &f->nstale, mk.segid);
	CHECK_ERRNO(ioctl(f->fd, XPMEM_CMD_REMOVE, &rm), ENOENT);
}

static void setup(struct fuzz *f)
{
	size_t pg = page_size();
	unsigned char *guard;
	int i;

	f->fd = open("/dev/xpmem", O_RDWR);
	CHECK(f->fd >= 0);
	f->mem = anon_pages(MEM_PAGES * pg);
	for (i = 0; i < MEM_PAGES; i++)
		fill_pattern(f->mem + i * pg, pg, i);
	f->arena = anon_pages(ARENA_PAGES * pg);
	CHECK(mprotect(f->arena, ARENA_PAGES * pg, PROT_NONE) == 0);
	f->ro = anon_pages(pg);
	CHECK(mprotect(f->ro, pg, PROT_READ) == 0);
	guard = anon_pages(2 * pg);
	CHECK(munmap(guard + pg, pg) == 0);
	f->edge = guard + pg - 64;
	f->hole = guard + pg;
	f->state = 0x9e3779b97f4a7c15ull ^ (uint64_t)getpid();
}

static void cleanup(struct fuzz *f)
{
	unsigned int i;

	/* Best effort: what is left is the exit path's job, also tested. */
	for (i = 0; i < (f->natt < POOL ? f->natt : POOL); i++) {
		struct xpmem_cmd_detach d = { .vaddr = f->attached[i] };

		(void)ioctl(f->fd, XPMEM_CMD_DETACH, &d);
	}
	for (i = 0; i < (f->nap < POOL ? f->nap : POOL); i++) {
		struct xpmem_cmd_release r = { .apid = f->apids[i] };

		(void)ioctl(f->fd, XPMEM_CMD_RELEASE, &r);
	}
	for (i = 0; i < (f->nseg < POOL ? f->nseg : POOL); i++) {
		struct xpmem_cmd_remove r = { .segid = f->segids[i] };

		(void)ioctl(f->fd, XPMEM_CMD_REMOVE, &r);
	}
}

static int fuzz_child(void)
{
	struct fuzz f = { 0 };
	uint64_t good[8];
	unsigned long cmd;
	unsigned int nr;
	void *arg;
	int i, rc;

	setup(&f);
	for (i = 0; i < CALLS; i++) {
		if (i % 500 == 0)
			sane_round(&f);
		cmd = some_cmd(&f, &nr);
		arg = some_arg(&f, nr, good);
		errno = 0;
		rc = ioctl(f.fd, cmd, arg);
		note_result(&f, cmd, arg, good, rc, errno);
	}
	sane_round(&f);
	for (i = 0; i < MEM_PAGES; i++)
		CHECK_PATTERN(f.mem + (size_t)i * page_size(), page_size(), i);
	cleanup(&f);
	printf("%d calls: %ld succeeded, %ld failed with an errno\n",
	       CALLS, f.ok, f.failed);
	fflush(stdout);	/* the caller leaves with _exit */
	return 0;
}

int main(void)
{
	struct kstats base;
	pid_t pid;

	require_kernel_backend();
	base = kstats_read();
	pid = fork_checked();
	if (pid == 0) {
		alarm(240);
		_exit(fuzz_child());
	}
	CHECK(test_wait(pid) == 0);
	CHECK_KSTATS_BACK(base, 10);
	return 0;
}
