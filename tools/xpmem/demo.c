// SPDX-License-Identifier: MIT
/*
 * xpmem demo: the smallest complete use of XPMEM between two processes.
 *
 * The owner allocates a buffer from a file-backed (pmem) kind, fills it and
 * exports the page-aligned window around it. The attacher, a forked
 * process with its own XPMEM state, gets a permit, attaches the window,
 * checks every byte and writes a second pattern back, which the owner then
 * checks in its own buffer. Each step is printed; the exit status is 0 only
 * when both sides saw the right bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <memkind.h>
#include <xpmem.h>

#include "xpmem_tool.h"

#define OWNER_SEED 0x5a
#define ATTACHER_SEED 0xa5
#define PEER_TIMEOUT_MS 60000
#define DEFAULT_SIZE ((size_t)1 << 20)
#define MAX_SIZE ((size_t)1 << 30)

struct demo_opts {
	const char *dir;
	size_t size;
};

/* Owner to attacher: where the buffer is, or why there is none. */
struct demo_offer {
	int64_t segid;
	uint64_t window_len; /* bytes exported, page multiple */
	uint64_t offset;     /* of the buffer inside the window */
	uint64_t size;	     /* of the buffer */
	int32_t err;	     /* 0, or -errno when the owner failed */
};

/* Attacher to owner: the outcome of its side. */
struct demo_reply {
	int32_t err;	    /* 0: verified and wrote back */
	uint64_t bad_index; /* first wrong byte when err is -EBADMSG */
};

struct demo_pipes {
	int rd;
	int wr;
};

static const char *role = "owner";

__attribute__((format(printf, 1, 2))) static void say(const char *fmt, ...)
{
	va_list ap;

	printf("%-8s [%d] ", role, (int)getpid());
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static void demo_usage(FILE *f)
{
	fprintf(f,
		"Usage: %s demo [--dir DIR] [--size SIZE]\n\n"
		"Two processes share a buffer from a file-backed kind "
		"through XPMEM.\n\n"
		"  -d, --dir DIR    directory of the kind's file "
		"(default /dev/shm if\n"
		"                   writable, else /tmp)\n"
		"  -s, --size SIZE  bytes to share, e.g. 4096, 64K, 1M "
		"(default 1M)\n"
		"  -h, --help       this text\n",
		tool_name);
}

static int parse_demo_opts(int argc, char **argv, struct demo_opts *o)
{
	static const struct option opts[] = {
	    {"dir", required_argument, NULL, 'd'},
	    {"size", required_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	o->dir = NULL;
	o->size = DEFAULT_SIZE;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:d:s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o->dir = optarg;
			break;
		case 's':
			if (parse_size(optarg, &o->size) || o->size == 0 ||
			    o->size > MAX_SIZE)
				return tool_usage_error(
				    "demo",
				    "invalid size '%s' (1 byte to 1 GiB)",
				    optarg);
			break;
		case 'h':
			demo_usage(stdout);
			return -1;
		default:
			return option_error("demo", c, argv);
		}
	}
	if (optind < argc)
		return tool_usage_error("demo", "unexpected argument '%s'",
					argv[optind]);
	if (!o->dir)
		o->dir = default_kind_dir();
	return 0;
}

static void say_memkind_error(const char *what, int err)
{
	char msg[MEMKIND_ERROR_MESSAGE_SIZE];

	memkind_error_message(err, msg, sizeof(msg));
	say("%s failed: %s", what, msg);
}

/* ---- attacher ---------------------------------------------------------- */

static int attacher_check_and_write(void *base, const struct demo_offer *of,
				    struct demo_reply *rep)
{
	unsigned char *buf = (unsigned char *)base + of->offset;
	size_t bad = pattern_check(buf, of->size, OWNER_SEED);

	if (bad != of->size) {
		say("byte %zu of the buffer is 0x%02x, expected 0x%02x", bad,
		    buf[bad], pattern_byte(bad, OWNER_SEED));
		rep->bad_index = bad;
		return -EBADMSG;
	}
	say("verified: all %" PRIu64 " bytes match the owner's pattern",
	    of->size);
	pattern_fill(buf, of->size, ATTACHER_SEED);
	say("wrote a different pattern (seed 0x%02x) into all %" PRIu64
	    " bytes",
	    ATTACHER_SEED, of->size);
	return 0;
}

static int attacher_use_segment(const struct demo_offer *of,
				struct demo_reply *rep)
{
	struct xpmem_addr addr;
	void *base;
	int err;

	addr.apid = xpmem_get(of->segid, XPMEM_RDWR, XPMEM_PERMIT_MODE, NULL);
	if (addr.apid < 0) {
		err = -errno;
		say("xpmem_get(segid 0x%" PRIx64 ", XPMEM_RDWR) failed: %s",
		    (uint64_t)of->segid, strerror(errno));
		return err;
	}
	say("xpmem_get: read-write permit, apid 0x%" PRIx64,
	    (uint64_t)addr.apid);
	addr.offset = 0;
	base = xpmem_attach(addr, of->window_len, NULL);
	if (base == (void *)-1) {
		err = -errno;
		say("xpmem_attach(%" PRIu64 " bytes) failed: %s",
		    of->window_len, strerror(errno));
		xpmem_release(addr.apid);
		return err;
	}
	say("xpmem_attach: %" PRIu64 " bytes at %p, buffer at %p",
	    of->window_len, base, (char *)base + of->offset);
	err = attacher_check_and_write(base, of, rep);
	if (xpmem_detach(base) && !err)
		err = -errno;
	if (xpmem_release(addr.apid) && !err)
		err = -errno;
	if (!err)
		say("detached the window and released the permit");
	return err;
}

static int attacher_main(struct demo_pipes p)
{
	struct demo_reply rep = {0};
	struct demo_offer of;
	int err;

	role = "attacher";
	err = pipe_recv(p.rd, &of, sizeof(of), PEER_TIMEOUT_MS);
	if (err) {
		say("no offer from the owner: %s", strerror(-err));
		return 1;
	}
	if (of.err)
		return 1;
	say("received segid 0x%" PRIx64 " (window %" PRIu64 " bytes, "
	    "buffer at offset %" PRIu64 ")",
	    (uint64_t)of.segid, of.window_len, of.offset);
	rep.err = attacher_use_segment(&of, &rep);
	if (pipe_send(p.wr, &rep, sizeof(rep)))
		return 1;
	return rep.err ? 1 : 0;
}

/* ---- owner ------------------------------------------------------------- */

struct owner_state {
	memkind_t kind;
	unsigned char *buf;
	xpmem_segid_t segid;
};

static int owner_export(struct owner_state *st, const struct demo_opts *o,
			struct demo_offer *of)
{
	uintptr_t start = align_down((uintptr_t)st->buf, page_size());
	uintptr_t end = align_up((uintptr_t)st->buf + o->size, page_size());

	st->segid = xpmem_make((void *)start, end - start, XPMEM_PERMIT_MODE,
			       (void *)(uintptr_t)0600);
	if (st->segid < 0) {
		say("xpmem_make(%#lx, %lu bytes) failed: %s",
		    (unsigned long)start, (unsigned long)(end - start),
		    strerror(errno));
		return -errno;
	}
	say("xpmem_make: exported %#lx..%#lx (%lu bytes, mode 0600) as "
	    "segid 0x%" PRIx64,
	    (unsigned long)start, (unsigned long)end,
	    (unsigned long)(end - start), (uint64_t)st->segid);
	of->segid = st->segid;
	of->window_len = end - start;
	of->offset = (uintptr_t)st->buf - start;
	of->size = o->size;
	return 0;
}

static int owner_setup(struct owner_state *st, const struct demo_opts *o,
		       struct demo_offer *of)
{
	size_t limit = o->size * 2 + ((size_t)4 << 20);
	int err;

	if (limit < MEMKIND_PMEM_MIN_SIZE)
		limit = MEMKIND_PMEM_MIN_SIZE;
	err = memkind_create_pmem(o->dir, limit, &st->kind);
	if (err) {
		say_memkind_error("memkind_create_pmem", err);
		return -EIO;
	}
	say("memkind_create_pmem: file-backed kind in %s (limit %zu MiB)",
	    o->dir, limit >> 20);
	st->buf = memkind_malloc(st->kind, o->size);
	if (!st->buf) {
		say("memkind_malloc(%zu) failed: %s", o->size, strerror(errno));
		return -ENOMEM;
	}
	say("memkind_malloc: %zu bytes at %p", o->size, (void *)st->buf);
	pattern_fill(st->buf, o->size, OWNER_SEED);
	say("filled the buffer with a pattern (seed 0x%02x)", OWNER_SEED);
	return owner_export(st, o, of);
}

static void owner_cleanup(struct owner_state *st)
{
	if (st->segid > 0) {
		if (xpmem_remove(st->segid))
			say("xpmem_remove failed: %s", strerror(errno));
		else
			say("xpmem_remove: segment revoked");
	}
	if (st->buf)
		memkind_free(st->kind, st->buf);
	if (st->kind) {
		int err = memkind_destroy_kind(st->kind);

		if (err)
			say_memkind_error("memkind_destroy_kind", err);
		else
			say("freed the buffer and destroyed the kind (its "
			    "file is gone)");
	}
}

static int owner_check_reply(const struct owner_state *st,
			     const struct demo_opts *o, struct demo_pipes p)
{
	struct demo_reply rep;
	size_t bad;
	int err;

	err = pipe_recv(p.rd, &rep, sizeof(rep), PEER_TIMEOUT_MS);
	if (err) {
		say("no answer from the attacher: %s", strerror(-err));
		return err;
	}
	if (rep.err) {
		say("the attacher failed: %s", strerror(-rep.err));
		return rep.err;
	}
	bad = pattern_check(st->buf, o->size, ATTACHER_SEED);
	if (bad != o->size) {
		say("byte %zu of the buffer is 0x%02x, expected 0x%02x from "
		    "the attacher",
		    bad, st->buf[bad], pattern_byte(bad, ATTACHER_SEED));
		return -EBADMSG;
	}
	say("verified: all %zu bytes in the owner's buffer carry the "
	    "attacher's pattern",
	    o->size);
	return 0;
}

static int owner_main(const struct demo_opts *o, struct demo_pipes p)
{
	struct owner_state st = {.kind = NULL, .buf = NULL, .segid = -1};
	struct demo_offer of = {0};
	int err;

	err = owner_setup(&st, o, &of);
	of.err = err;
	if (pipe_send(p.wr, &of, sizeof(of)) && !err)
		err = -EPIPE;
	if (!err)
		err = owner_check_reply(&st, o, p);
	owner_cleanup(&st);
	return err;
}

/* ---- both -------------------------------------------------------------- */

static void print_backend(void)
{
	const char *reason = NULL;
	int backend = xpmem_backend(&reason);

	if (backend < 0)
		say("no XPMEM backend: %s", strerror(errno));
	else
		say("backend: %s (%s)", backend_name(backend),
		    reason ? reason : "no reason given");
}

static int run_demo(const struct demo_opts *o)
{
	int to_attacher[2], to_owner[2];
	int err, status;
	pid_t pid;

	if (pipe2(to_attacher, O_CLOEXEC) || pipe2(to_owner, O_CLOEXEC)) {
		tool_err("pipe: %s", strerror(errno));
		return 1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		tool_err("fork: %s", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		close(to_attacher[1]);
		close(to_owner[0]);
		exit(attacher_main(
		    (struct demo_pipes){to_attacher[0], to_owner[1]}));
	}
	close(to_attacher[0]);
	close(to_owner[1]);
	print_backend();
	err = owner_main(o, (struct demo_pipes){to_owner[0], to_attacher[1]});
	close(to_attacher[1]);
	close(to_owner[0]);
	status = wait_child(pid);
	if (status)
		say("the attacher exited with status %d", status);
	if (err || status) {
		printf("demo FAILED\n");
		return 1;
	}
	printf("demo passed: both processes saw the right bytes\n");
	return 0;
}

int cmd_demo(int argc, char **argv)
{
	struct demo_opts o;
	int ret = parse_demo_opts(argc, argv, &o);

	if (ret)
		return ret < 0 ? 0 : ret;
	signal(SIGPIPE, SIG_IGN);
	return run_demo(&o);
}
