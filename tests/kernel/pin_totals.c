/* SPDX-License-Identifier: MIT */
/*
 * The leak check of upstream XPMEM's test script: among all the files
 * under /proc/xpmem/ exactly one line holds "pages pinned: N" and one
 * "pages unpinned: N", and the two are equal when nothing is held. Faults
 * on an attachment take page references, so the totals grow, and give
 * them all back.
 */
#include <dirent.h>

#include "ktest.h"

#define PAGES 32

struct pin_totals {
	long long pinned, unpinned;
};

/* Adds the matching lines of one file; counts them in *lines. */
static void scan_file(const char *path, struct pin_totals *t, int lines[2])
{
	FILE *f = fopen(path, "r");
	char line[256];

	CHECK(f != NULL);
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "pages pinned")) {
			CHECK(sscanf(line, "pages pinned: %lld",
				     &t->pinned) == 1);
			lines[0]++;
		}
		if (strstr(line, "pages unpinned")) {
			CHECK(sscanf(line, "pages unpinned: %lld",
				     &t->unpinned) == 1);
			lines[1]++;
		}
	}
	fclose(f);
}

/* The lines grep "pages pinned" finds under /proc/xpmem, and its twin. */
static struct pin_totals read_totals(void)
{
	struct pin_totals t = { -1, -1 };
	int lines[2] = { 0, 0 };
	DIR *d = opendir("/proc/xpmem");
	struct dirent *de;
	char path[512];

	CHECK(d != NULL);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/xpmem/%s", de->d_name);
		scan_file(path, &t, lines);
	}
	closedir(d);
	if (lines[0] != 1 || lines[1] != 1)
		test_fail_at(__FILE__, __LINE__,
			     "%d 'pages pinned' and %d 'pages unpinned' lines, want one each",
			     lines[0], lines[1]);
	return t;
}

static void touch_through_attachment(unsigned char *mem, size_t size)
{
	xpmem_segid_t segid = xpmem_make(mem, size, XPMEM_PERMIT_MODE,
					 (void *)0600);
	xpmem_apid_t apid;
	unsigned char *att;

	CHECK(segid > 0);
	apid = xpmem_get(segid, XPMEM_RDONLY, XPMEM_PERMIT_MODE, NULL);
	CHECK(apid > 0);
	att = xpmem_attach(xaddr(apid, 0), size, NULL);
	CHECK(att != (void *)-1);
	CHECK_PATTERN(att, size, 7);
	CHECK(xpmem_detach(att) == 0);
	CHECK(xpmem_release(apid) == 0);
	CHECK(xpmem_remove(segid) == 0);
}

int main(void)
{
	size_t size = PAGES * page_size();
	struct pin_totals before, after;
	struct kstats base;
	unsigned char *mem;

	require_kernel_backend();
	base = kstats_read();
	before = read_totals();
	mem = anon_pages(size);
	fill_pattern(mem, size, 7);
	touch_through_attachment(mem, size);
	CHECK_KSTATS_BACK(base, 5);
	after = read_totals();
	printf("pages pinned: %lld -> %lld, unpinned: %lld -> %lld\n",
	       before.pinned, after.pinned, before.unpinned, after.unpinned);
	CHECK(after.pinned > before.pinned);
	CHECK(after.pinned == after.unpinned);
	return 0;
}
