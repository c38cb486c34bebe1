/* SPDX-License-Identifier: MIT */
/*
 * Read-only permits: the attachment reads the owner's bytes and follows
 * its writes, but a store faults and mprotect() cannot make it writable.
 * Mode bits decide which permits the owner's own uid may take, unless the
 * caller has CAP_DAC_OVERRIDE (root), who may take any.
 */
#include "xpmem_test.h"

struct args {
	xpmem_segid_t segid;
	unsigned char *owner_buf;
	size_t size;
};

static int reader(void *arg)
{
	const struct args *a = arg;
	xpmem_apid_t apid = xpmem_get(a->segid, XPMEM_RDONLY,
				      XPMEM_PERMIT_MODE, NULL);
	unsigned char *p;

	CHECK(apid > 0);
	p = xpmem_attach(xaddr(apid, 0), a->size, NULL);
	CHECK(p != (void *)-1);
	CHECK_PATTERN(p, a->size, 3);
	CHECK(touch_probe(p + 5, false) == 0);
	CHECK(faulted(touch_probe(p + 5, true)));
	CHECK(faulted(touch_probe(p + a->size - 1, true)));
	errno = 0;
	CHECK(mprotect(p, a->size, PROT_READ | PROT_WRITE) == -1);
	CHECK(errno == EACCES);
	CHECK(mprotect(p, page_size(), PROT_WRITE) == -1);
	CHECK(faulted(touch_probe(p, true)));
	/* The owner's pages are shared, not copied: its writes show. */
	a->owner_buf[9] = 0x99;
	CHECK(p[9] == 0x99);
	CHECK(xpmem_detach(p) == 0);
	CHECK(xpmem_release(apid) == 0);
	return 0;
}

/* Mode 0400: the owner's uid may read but not write. */
static void mode_0400(xpmem_segid_t ro)
{
	xpmem_apid_t apid;

	CHECK_ERRNO(xpmem_get(ro, XPMEM_RDWR, XPMEM_PERMIT_MODE, NULL), EACCES);
	apid = xpmem_get(ro, XPMEM_RDONLY, XPMEM_PERMIT_MODE, NULL);
	CHECK(apid > 0);
	CHECK(xpmem_release(apid) == 0);
}

/* Mode 0: nobody, not even the owner's uid. */
static void mode_0(xpmem_segid_t none)
{
	CHECK_ERRNO(xpmem_get(none, XPMEM_RDONLY, XPMEM_PERMIT_MODE, NULL),
		    EACCES);
}

/* Without CAP_DAC_OVERRIDE, the owner's uid obeys the bits. */
static int unprivileged(void *arg)
{
	const xpmem_segid_t *ids = arg;

	drop_dac_override();
	mode_0400(ids[0]);
	mode_0(ids[1]);
	return 0;
}

/* With it (root), any permit, whatever the bits. */
static void privileged(const xpmem_segid_t *ids)
{
	int i;

	for (i = 0; i < 2; i++) {
		xpmem_apid_t apid = xpmem_get(ids[i], XPMEM_RDWR,
					      XPMEM_PERMIT_MODE, NULL);

		CHECK(apid > 0);
		CHECK(xpmem_release(apid) == 0);
	}
}

int main(void)
{
	xpmem_segid_t ids[2];
	struct args a = { .size = 4 * page_size() };

	a.owner_buf = shared_buffer(a.size);
	fill_pattern(a.owner_buf, a.size, 3);
	a.segid = xpmem_make(a.owner_buf, a.size, XPMEM_PERMIT_MODE,
			     (void *)0600);
	CHECK(a.segid > 0);
	CHECK(run_child(reader, &a) == 0);
	CHECK(a.owner_buf[9] == 0x99);
	a.owner_buf[9] = pattern_byte(9, 3);
	CHECK_PATTERN(a.owner_buf, a.size, 3);	/* no write got through */

	ids[0] = xpmem_make(a.owner_buf, a.size, XPMEM_PERMIT_MODE,
			    (void *)0400);
	ids[1] = xpmem_make(a.owner_buf, a.size, XPMEM_PERMIT_MODE, (void *)0);
	CHECK(ids[0] > 0 && ids[1] > 0);
	CHECK(run_child(unprivileged, ids) == 0);
	if (geteuid() == 0)
		privileged(ids);
	CHECK(xpmem_remove(ids[0]) == 0);
	CHECK(xpmem_remove(ids[1]) == 0);
	CHECK(xpmem_remove(a.segid) == 0);
	return 0;
}
