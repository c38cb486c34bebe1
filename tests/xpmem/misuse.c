/* SPDX-License-Identifier: MIT */
/*
 * Every misuse and the one errno it gives, whichever backend serves the
 * process: the table of xpmem(7). The unit run checks it on the user-space
 * backend, the VM run on the module (and on the debug kernels once more
 * with XPMEM_BACKEND=user), so a backend that answers differently fails.
 * Every row runs and every wrong answer is printed before the verdict.
 *
 * The ids a row uses: ours (a segment of this process and a permit on
 * it), another live process's (a child that exported a segment and took
 * a permit on ours), an exited process's, removed and released ones, and
 * made-up ones.
 */
#include <grp.h>

#include "xpmem_test.h"

#define MODE(m)		((void *)(uintptr_t)(m))
#define NOBODY		65534
#define SKIPPED		(-1)	/* a row this machine cannot run */
#define FAILED		((void *)-1)

/* Past the end of every Linux user address space, 64-bit or not. */
#define FAR_PAGE	((uintptr_t)1 << (sizeof(uintptr_t) == 8 ? 56 : 31))

struct ctx {
	size_t ps, size;
	unsigned char *buf;		/* our exported memory */
	unsigned char *att;		/* one page of it, attached */
	unsigned char *detached;	/* where an attachment was */
	xpmem_segid_t seg;		/* ours, mode 0600 */
	xpmem_segid_t ro_seg;		/* ours, mode 0400 */
	xpmem_segid_t removed_seg;
	xpmem_segid_t other_seg;	/* of a live child */
	xpmem_segid_t exited_seg;	/* of a child that exited */
	xpmem_segid_t whole_seg;	/* our whole address space */
	xpmem_apid_t apid;		/* ours, on seg */
	xpmem_apid_t released_apid;
	xpmem_apid_t revoked_apid;	/* ours, on removed_seg */
	xpmem_apid_t orphan_apid;	/* ours, on exited_seg */
	xpmem_apid_t other_apid;	/* the live child's, on seg */
	xpmem_apid_t exited_apid;	/* the exited child's, on seg */
	xpmem_apid_t whole_apid;	/* ours, on whole_seg */
};

static int err_of(long rv)
{
	return rv == -1 ? errno : 0;
}

static int make_err(uintptr_t vaddr, size_t size, int type, uintptr_t mode)
{
	errno = 0;
	return err_of(xpmem_make((void *)vaddr, size, type, MODE(mode)));
}

static int get_err(xpmem_segid_t segid, int flags, int type)
{
	errno = 0;
	return err_of(xpmem_get(segid, flags, type, NULL));
}

static int remove_err(xpmem_segid_t segid)
{
	errno = 0;
	return err_of(xpmem_remove(segid));
}

static int release_err(xpmem_apid_t apid)
{
	errno = 0;
	return err_of(xpmem_release(apid));
}

static int attach_err(xpmem_apid_t apid, off_t offset, size_t size,
		      uintptr_t vaddr)
{
	void *p;

	errno = 0;
	p = xpmem_attach(xaddr(apid, offset), size, (void *)vaddr);
	return p == FAILED ? errno : 0;
}

static int detach_err(const void *vaddr)
{
	errno = 0;
	return err_of(xpmem_detach((void *)vaddr));
}

static xpmem_segid_t made_up(xpmem_segid_t id)
{
	return id ^ 0x5a5a5;		/* other random (and index) bits */
}

static xpmem_segid_t too_wide(xpmem_segid_t id)
{
	return id | (xpmem_segid_t)1 << 60;
}

/* xpmem_make */
static int mk_vaddr(const struct ctx *c)
{
	return make_err((uintptr_t)c->buf + 1, c->ps, XPMEM_PERMIT_MODE, 0600);
}

static int mk_size(const struct ctx *c)
{
	return make_err((uintptr_t)c->buf, c->ps + 1, XPMEM_PERMIT_MODE, 0600);
}

static int mk_empty(const struct ctx *c)
{
	return make_err((uintptr_t)c->buf, 0, XPMEM_PERMIT_MODE, 0600);
}

static int mk_wrap(const struct ctx *c)
{
	uintptr_t top = UINTPTR_MAX & ~(uintptr_t)(c->ps - 1);

	return make_err(top, 2 * c->ps, XPMEM_PERMIT_MODE, 0600);
}

static int mk_past_end(const struct ctx *c)
{
	return make_err(FAR_PAGE, c->ps, XPMEM_PERMIT_MODE, 0600);
}

static int mk_past_end_size(const struct ctx *c)
{
	return make_err((uintptr_t)c->buf, FAR_PAGE, XPMEM_PERMIT_MODE, 0600);
}

static int mk_maxaddr(const struct ctx *c)
{
	return make_err((uintptr_t)c->buf, XPMEM_MAXADDR_SIZE,
			XPMEM_PERMIT_MODE, 0600);
}

static int mk_type(const struct ctx *c)
{
	return make_err((uintptr_t)c->buf, c->ps, 2, 0600);
}

static int mk_mode(const struct ctx *c)
{
	return make_err((uintptr_t)c->buf, c->ps, XPMEM_PERMIT_MODE, 04600);
}

/* xpmem_get */
static int get_zero(const struct ctx *c)
{
	return get_err(0, XPMEM_RDWR, XPMEM_PERMIT_MODE);
}

static int get_negative(const struct ctx *c)
{
	return get_err(-c->seg, XPMEM_RDWR, XPMEM_PERMIT_MODE);
}

static int get_flags0(const struct ctx *c)
{
	return get_err(c->seg, 0, XPMEM_PERMIT_MODE);
}

static int get_flags_both(const struct ctx *c)
{
	return get_err(c->seg, XPMEM_RDONLY | XPMEM_RDWR, XPMEM_PERMIT_MODE);
}

static int get_type(const struct ctx *c)
{
	return get_err(c->seg, XPMEM_RDWR, 2);
}

static int get_made_up(const struct ctx *c)
{
	return get_err(made_up(c->seg), XPMEM_RDWR, XPMEM_PERMIT_MODE);
}

static int get_too_wide(const struct ctx *c)
{
	return get_err(too_wide(c->seg), XPMEM_RDWR, XPMEM_PERMIT_MODE);
}

static int get_removed(const struct ctx *c)
{
	return get_err(c->removed_seg, XPMEM_RDONLY, XPMEM_PERMIT_MODE);
}

static int get_exited(const struct ctx *c)
{
	return get_err(c->exited_seg, XPMEM_RDONLY, XPMEM_PERMIT_MODE);
}

static int get_apid(const struct ctx *c)
{
	return get_err(c->apid, XPMEM_RDONLY, XPMEM_PERMIT_MODE);
}

static int as_nobody(void *arg)
{
	const struct ctx *c = arg;

	CHECK(setgroups(0, NULL) == 0);
	CHECK(setresgid(NOBODY, NOBODY, NOBODY) == 0);
	CHECK(setresuid(NOBODY, NOBODY, NOBODY) == 0);
	return get_err(c->seg, XPMEM_RDONLY, XPMEM_PERMIT_MODE);
}

static int get_other_uid(const struct ctx *c)
{
	if (geteuid() != 0)
		return SKIPPED;
	return run_child(as_nobody, (void *)c);
}

static int unprivileged_rw(void *arg)
{
	const struct ctx *c = arg;

	drop_dac_override();
	return get_err(c->ro_seg, XPMEM_RDWR, XPMEM_PERMIT_MODE);
}

static int get_mode(const struct ctx *c)
{
	return run_child(unprivileged_rw, (void *)c);
}

/* xpmem_remove */
static int rm_zero(const struct ctx *c)
{
	return remove_err(0);
}

static int rm_negative(const struct ctx *c)
{
	return remove_err(-c->seg);
}

static int rm_made_up(const struct ctx *c)
{
	return remove_err(made_up(c->seg));
}

static int rm_too_wide(const struct ctx *c)
{
	return remove_err(too_wide(c->seg));
}

static int rm_removed(const struct ctx *c)
{
	return remove_err(c->removed_seg);
}

static int rm_exited(const struct ctx *c)
{
	return remove_err(c->exited_seg);
}

static int rm_apid(const struct ctx *c)
{
	return remove_err(c->apid);
}

static int rm_other(const struct ctx *c)
{
	return remove_err(c->other_seg);
}

/* xpmem_release */
static int rel_zero(const struct ctx *c)
{
	return release_err(0);
}

static int rel_negative(const struct ctx *c)
{
	return release_err(-c->apid);
}

static int rel_made_up(const struct ctx *c)
{
	return release_err(made_up(c->apid));
}

static int rel_too_wide(const struct ctx *c)
{
	return release_err(too_wide(c->apid));
}

static int rel_released(const struct ctx *c)
{
	return release_err(c->released_apid);
}

static int rel_segid(const struct ctx *c)
{
	return release_err(c->seg);
}

static int rel_other(const struct ctx *c)
{
	return release_err(c->other_apid);
}

static int rel_exited(const struct ctx *c)
{
	return release_err(c->exited_apid);
}

/* xpmem_attach */
static int at_zero(const struct ctx *c)
{
	return attach_err(0, 0, c->ps, 0);
}

static int at_made_up(const struct ctx *c)
{
	return attach_err(made_up(c->apid), 0, c->ps, 0);
}

static int at_too_wide(const struct ctx *c)
{
	return attach_err(too_wide(c->apid), 0, c->ps, 0);
}

static int at_released(const struct ctx *c)
{
	return attach_err(c->released_apid, 0, c->ps, 0);
}

static int at_segid(const struct ctx *c)
{
	return attach_err(c->seg, 0, c->ps, 0);
}

static int at_other(const struct ctx *c)
{
	return attach_err(c->other_apid, 0, c->ps, 0);
}

static int at_exited(const struct ctx *c)
{
	return attach_err(c->exited_apid, 0, c->ps, 0);
}

static int at_revoked(const struct ctx *c)
{
	return attach_err(c->revoked_apid, 0, c->ps, 0);
}

static int at_orphan(const struct ctx *c)
{
	return attach_err(c->orphan_apid, 0, c->ps, 0);
}

static int at_offset(const struct ctx *c)
{
	return attach_err(c->apid, 1, c->ps, 0);
}

static int at_size(const struct ctx *c)
{
	return attach_err(c->apid, 0, c->ps - 1, 0);
}

static int at_empty(const struct ctx *c)
{
	return attach_err(c->apid, 0, 0, 0);
}

static int at_negative(const struct ctx *c)
{
	return attach_err(c->apid, -(off_t)c->ps, c->ps, 0);
}

static int at_past_seg(const struct ctx *c)
{
	return attach_err(c->apid, (off_t)(c->size - c->ps), 2 * c->ps, 0);
}

static int at_wrap(const struct ctx *c)
{
	return attach_err(c->apid, (off_t)c->ps, SIZE_MAX & ~(c->ps - 1), 0);
}

static int at_vaddr(const struct ctx *c)
{
	return attach_err(c->apid, 0, c->ps, c->ps + 8);
}

static int at_vaddr_past_end(const struct ctx *c)
{
	return attach_err(c->apid, 0, c->ps, FAR_PAGE);
}

static int at_whole_past_end(const struct ctx *c)
{
	return attach_err(c->whole_apid, (off_t)FAR_PAGE, c->ps, 0);
}

/* xpmem_detach */
static int dt_null(const struct ctx *c)
{
	return detach_err(NULL);
}

static int dt_owned(const struct ctx *c)
{
	return detach_err(c->buf);
}

static int dt_past(const struct ctx *c)
{
	return detach_err(c->att + c->ps);
}

static int dt_detached(const struct ctx *c)
{
	return detach_err(c->detached);
}

struct misuse {
	const char *call;
	const char *what;
	int want;
	int (*run)(const struct ctx *c);
};

static const struct misuse table[] = {
	{ "xpmem_make", "vaddr not page aligned", EINVAL, mk_vaddr },
	{ "xpmem_make", "size not page aligned", EINVAL, mk_size },
	{ "xpmem_make", "size 0", EINVAL, mk_empty },
	{ "xpmem_make", "range wraps around", EINVAL, mk_wrap },
	{ "xpmem_make", "range past the end of user space", EINVAL,
	  mk_past_end },
	{ "xpmem_make", "size past the end of user space", EINVAL,
	  mk_past_end_size },
	{ "xpmem_make", "XPMEM_MAXADDR_SIZE with vaddr not NULL", EINVAL,
	  mk_maxaddr },
	{ "xpmem_make", "permit type not XPMEM_PERMIT_MODE", EINVAL, mk_type },
	{ "xpmem_make", "mode bits outside 0777", EINVAL, mk_mode },

	{ "xpmem_get", "segid 0", EINVAL, get_zero },
	{ "xpmem_get", "negative segid", EINVAL, get_negative },
	{ "xpmem_get", "flags 0", EINVAL, get_flags0 },
	{ "xpmem_get", "flags XPMEM_RDONLY|XPMEM_RDWR", EINVAL,
	  get_flags_both },
	{ "xpmem_get", "permit type not XPMEM_PERMIT_MODE", EINVAL, get_type },
	{ "xpmem_get", "made-up segid", ENOENT, get_made_up },
	{ "xpmem_get", "segid of 2^56 or more", ENOENT, get_too_wide },
	{ "xpmem_get", "removed segid", ENOENT, get_removed },
	{ "xpmem_get", "segid of an exited owner", ENOENT, get_exited },
	{ "xpmem_get", "an apid for a segid", ENOENT, get_apid },
	{ "xpmem_get", "mode refuses another uid", EACCES, get_other_uid },
	{ "xpmem_get", "RDWR on 0400 without CAP_DAC_OVERRIDE", EACCES,
	  get_mode },

	{ "xpmem_remove", "segid 0", EINVAL, rm_zero },
	{ "xpmem_remove", "negative segid", EINVAL, rm_negative },
	{ "xpmem_remove", "made-up segid", ENOENT, rm_made_up },
	{ "xpmem_remove", "segid of 2^56 or more", ENOENT, rm_too_wide },
	{ "xpmem_remove", "removed segid", ENOENT, rm_removed },
	{ "xpmem_remove", "segid of an exited owner", ENOENT, rm_exited },
	{ "xpmem_remove", "an apid for a segid", ENOENT, rm_apid },
	{ "xpmem_remove", "another live process's segid", EACCES, rm_other },

	{ "xpmem_release", "apid 0", EINVAL, rel_zero },
	{ "xpmem_release", "negative apid", EINVAL, rel_negative },
	{ "xpmem_release", "made-up apid", ENOENT, rel_made_up },
	{ "xpmem_release", "apid of 2^56 or more", ENOENT, rel_too_wide },
	{ "xpmem_release", "released apid", ENOENT, rel_released },
	{ "xpmem_release", "a segid for an apid", ENOENT, rel_segid },
	{ "xpmem_release", "another live process's apid", ENOENT, rel_other },
	{ "xpmem_release", "apid of an exited process", ENOENT, rel_exited },

	{ "xpmem_attach", "apid 0", EINVAL, at_zero },
	{ "xpmem_attach", "made-up apid", ENOENT, at_made_up },
	{ "xpmem_attach", "apid of 2^56 or more", ENOENT, at_too_wide },
	{ "xpmem_attach", "released apid", ENOENT, at_released },
	{ "xpmem_attach", "a segid for an apid", ENOENT, at_segid },
	{ "xpmem_attach", "another live process's apid", ENOENT, at_other },
	{ "xpmem_attach", "apid of an exited process", ENOENT, at_exited },
	{ "xpmem_attach", "permit of a removed segment", ENOENT, at_revoked },
	{ "xpmem_attach", "permit of an exited owner's segment", ENOENT,
	  at_orphan },
	{ "xpmem_attach", "offset not page aligned", EINVAL, at_offset },
	{ "xpmem_attach", "size not page aligned", EINVAL, at_size },
	{ "xpmem_attach", "size 0", EINVAL, at_empty },
	{ "xpmem_attach", "negative offset", EINVAL, at_negative },
	{ "xpmem_attach", "window past the segment's end", EINVAL,
	  at_past_seg },
	{ "xpmem_attach", "offset + size wraps around", EINVAL, at_wrap },
	{ "xpmem_attach", "vaddr not page aligned", EINVAL, at_vaddr },
	{ "xpmem_attach", "vaddr past the end of user space", EINVAL,
	  at_vaddr_past_end },
	{ "xpmem_attach", "whole-space window past the end of user space",
	  EINVAL, at_whole_past_end },

	{ "xpmem_detach", "NULL", EINVAL, dt_null },
	{ "xpmem_detach", "the caller's own exported memory", EINVAL,
	  dt_owned },
	{ "xpmem_detach", "just past an attachment", EINVAL, dt_past },
	{ "xpmem_detach", "already detached", EINVAL, dt_detached },
};

/* Ids are positive and below 2^56: 14 hex digits at most. */
static void check_width(long long id)
{
	if (id <= 0 || id >= 1LL << 56)
		test_fail_at(__FILE__, __LINE__, "id %#llx is not in 1..2^56-1",
			     id);
}

static xpmem_apid_t get_rw(xpmem_segid_t segid)
{
	xpmem_apid_t apid = xpmem_get(segid, XPMEM_RDWR, XPMEM_PERMIT_MODE,
				      NULL);

	CHECK(apid > 0);
	check_width(apid);
	return apid;
}

static xpmem_segid_t make(void *vaddr, size_t size, mode_t mode)
{
	xpmem_segid_t segid = xpmem_make(vaddr, size, XPMEM_PERMIT_MODE,
					 MODE(mode));

	CHECK(segid > 0);
	check_width(segid);
	return segid;
}

/*
 * A child that exports its own memory, takes a permit on our segment and
 * reports both ids, then waits for a word from us before it exits.
 */
static pid_t start_peer(const struct ctx *c, struct channel *ch,
			xpmem_segid_t *segid, xpmem_apid_t *apid)
{
	pid_t pid;

	channel_open(ch);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		unsigned char *mem = shared_buffer(c->ps);

		put_u64(ch->up[1], (uint64_t)make(mem, c->ps, 0666));
		put_u64(ch->up[1], (uint64_t)get_rw(c->seg));
		get_u64(ch->down[0]);
		_exit(0);
	}
	*segid = (xpmem_segid_t)get_u64(ch->up[0]);
	*apid = (xpmem_apid_t)get_u64(ch->up[0]);
	return pid;
}

static void stop_peer(pid_t pid, struct channel *ch)
{
	put_u64(ch->down[1], 1);
	CHECK(test_wait(pid) == 0);
	channel_close(ch);
}

static void setup_own(struct ctx *c)
{
	c->seg = make(c->buf, c->size, 0600);
	c->ro_seg = make(c->buf, c->size, 0400);
	c->apid = get_rw(c->seg);
	c->att = xpmem_attach(xaddr(c->apid, 0), c->ps, NULL);
	c->detached = xpmem_attach(xaddr(c->apid, 0), c->ps, NULL);
	CHECK(c->att != FAILED && c->detached != FAILED);
	CHECK(xpmem_detach(c->detached) == 0);
	c->released_apid = get_rw(c->seg);
	CHECK(xpmem_release(c->released_apid) == 0);
	c->removed_seg = make(c->buf, c->size, 0600);
	c->revoked_apid = get_rw(c->removed_seg);
	CHECK(xpmem_remove(c->removed_seg) == 0);
	c->whole_seg = make(NULL, XPMEM_MAXADDR_SIZE, 0600);
	c->whole_apid = get_rw(c->whole_seg);
}

/* The exited child's ids, and our permit on its segment, outlive it. */
static void setup_exited(struct ctx *c)
{
	struct channel ch;
	pid_t pid = start_peer(c, &ch, &c->exited_seg, &c->exited_apid);

	c->orphan_apid = get_rw(c->exited_seg);
	stop_peer(pid, &ch);
}

static void teardown_own(struct ctx *c)
{
	CHECK(xpmem_detach(c->att) == 0);
	CHECK(xpmem_release(c->apid) == 0);
	CHECK(xpmem_release(c->whole_apid) == 0);
	/* Permits of removed or gone segments are still ours to release. */
	CHECK(xpmem_release(c->revoked_apid) == 0);
	CHECK(xpmem_release(c->orphan_apid) == 0);
	CHECK(xpmem_remove(c->whole_seg) == 0);
	CHECK(xpmem_remove(c->ro_seg) == 0);
	CHECK(xpmem_remove(c->seg) == 0);
}

static int run_table(const struct ctx *c)
{
	size_t i, n = sizeof(table) / sizeof(table[0]);
	int bad = 0;

	for (i = 0; i < n; i++) {
		const struct misuse *m = &table[i];
		int got = m->run(c);

		if (got == SKIPPED) {
			printf("skip %s: %s\n", m->call, m->what);
			continue;
		}
		printf("%s %s: %s: want %s, got %s\n",
		       got == m->want ? "ok  " : "FAIL", m->call, m->what,
		       strerror(m->want), got ? strerror(got) : "success");
		bad += got != m->want;
	}
	printf("%zu rows, %d wrong (%s backend)\n", n, bad,
	       user_backend() ? "user-space" : "kernel");
	return bad;
}

int main(void)
{
	struct ctx c = { .ps = page_size() };
	struct channel ch;
	pid_t other;
	int bad;

	/* Rows fork: no buffered line may be printed twice. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	c.size = 4 * c.ps;
	c.buf = shared_buffer(c.size);
	setup_own(&c);
	setup_exited(&c);
	other = start_peer(&c, &ch, &c.other_seg, &c.other_apid);
	bad = run_table(&c);
	stop_peer(other, &ch);
	teardown_own(&c);
	return bad ? 1 : 0;
}
