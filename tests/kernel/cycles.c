/* SPDX-License-Identifier: MIT */
/*
 * 10,000 make/get/attach/fault/detach/release/remove cycles in one process
 * ($XPMEM_CYCLES overrides the number: the VM harness asks for fewer on
 * the debug kernel, where one cycle costs 25 to 50 ms under TCG).
 * The first cycle checks that each step shows in the module's counters (so
 * that the final check is not vacuous; the touch must count as a fault,
 * whether or not the module keeps pages pinned); every 1,000 cycles and at the end
 * the counters must be back where they started: a leak of one object per
 * cycle would show as thousands.
 */
#include "ktest.h"

#define DEFAULT_CYCLES 10000

static void one_cycle(unsigned char *mem, int n, const struct kstats *base)
{
	size_t pg = page_size();
	xpmem_segid_t segid;
	xpmem_apid_t apid;
	unsigned char *att;
	bool first = base != NULL;
	long faults = first ? kstat("faults") : 0;

	segid = xpmem_make(mem, 2 * pg, XPMEM_PERMIT_MODE, (void *)0600);
	CHECK(segid > 0);
	if (first)
		CHECK(kstats_read().segments == base->segments + 1);
	apid = xpmem_get(segid, n & 1 ? XPMEM_RDWR : XPMEM_RDONLY,
			 XPMEM_PERMIT_MODE, NULL);
	CHECK(apid > 0);
	if (first)
		CHECK(kstats_read().permits == base->permits + 1);
	att = xpmem_attach(xaddr(apid, (off_t)(n & 1) * (off_t)pg), pg, NULL);
	CHECK(att != (void *)-1);
	if (first)
		CHECK(kstats_read().attachments == base->attachments + 1);
	mem[(n & 1) * pg + (size_t)n % pg] = (unsigned char)n;
	CHECK(att[(size_t)n % pg] == (unsigned char)n);
	if (first)
		CHECK(kstat("faults") > faults);
	if (n & 1) {
		att[(size_t)(n + 1) % pg] = (unsigned char)~n;
		CHECK(mem[pg + (size_t)(n + 1) % pg] == (unsigned char)~n);
	}
	CHECK(xpmem_detach(att) == 0);
	CHECK(xpmem_release(apid) == 0);
	CHECK(xpmem_remove(segid) == 0);
}

int main(void)
{
	const char *env = getenv("XPMEM_CYCLES");
	int n, cycles = env ? atoi(env) : DEFAULT_CYCLES;
	struct kstats base;
	unsigned char *mem;

	require_kernel_backend();
	if (cycles < 1000)
		cycles = 1000;
	base = kstats_read();
	mem = anon_pages(2 * page_size());
	for (n = 0; n < cycles; n++) {
		one_cycle(mem, n, n == 0 ? &base : NULL);
		if (n % 1000 == 999)
			CHECK_KSTATS_BACK(base, 5);
	}
	CHECK_KSTATS_BACK(base, 5);
	printf("%d cycles, counters back\n", cycles);
	return 0;
}
