// SPDX-License-Identifier: GPL-2.0
/*
 * Counters in /proc/xpmem/stats, one "name value" line each, readable by
 * everyone. Live counts (procs, segments, permits, attachments,
 * file_attachments, pinned_pages) return to 0 when no process uses the module, which is
 * what tests check to prove that nothing leaks; the others are totals
 * since load.
 *
 * /proc/xpmem/pages has the two lines upstream XPMEM's test script reads
 * from the files under /proc/xpmem/: "pages pinned: N" and "pages
 * unpinned: N", page references taken and dropped since load, equal when
 * the module holds none. They live in their own file so that every line
 * of stats stays "name value", and each exists exactly once.
 */
#include <linux/atomic.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>

#include "xpmem_private.h"

static atomic_long_t xpmem_stats[XPMEM_STAT_NR];
static atomic64_t xpmem_pages_pinned_total;
static atomic64_t xpmem_pages_unpinned_total;
static struct proc_dir_entry *xpmem_proc_dir;

static const char *const xpmem_stat_names[XPMEM_STAT_NR] = {
	[XPMEM_STAT_PROCS] = "procs",
	[XPMEM_STAT_SEGMENTS] = "segments",
	[XPMEM_STAT_PERMITS] = "permits",
	[XPMEM_STAT_ATTACHMENTS] = "attachments",
	[XPMEM_STAT_PINNED_PAGES] = "pinned_pages",
	[XPMEM_STAT_FAULTS] = "faults",
	[XPMEM_STAT_FAULT_PAGES] = "fault_pages",
	[XPMEM_STAT_FAULT_RETRIES] = "fault_retries",
	[XPMEM_STAT_FAULT_SIGBUS] = "fault_sigbus",
	[XPMEM_STAT_INVALIDATIONS] = "invalidations",
	[XPMEM_STAT_ZAPS] = "zaps",
	[XPMEM_STAT_FILE_ATTACHMENTS] = "file_attachments",
	[XPMEM_STAT_FAULT_HUGE] = "fault_huge",
};

/**
 * xpmem_stat_add() - add to a counter
 * @stat: which one
 * @n: amount, negative to subtract
 */
void xpmem_stat_add(enum xpmem_stat stat, long n)
{
	atomic_long_add(n, &xpmem_stats[stat]);
}

/**
 * xpmem_pages_pinned() - count page references the module took
 * @nr: how many, at least 0
 */
void xpmem_pages_pinned(long nr)
{
	atomic64_add(nr, &xpmem_pages_pinned_total);
	xpmem_stat_add(XPMEM_STAT_PINNED_PAGES, nr);
}

/**
 * xpmem_pages_unpinned() - count page references the module dropped
 * @nr: how many, at least 0
 */
void xpmem_pages_unpinned(long nr)
{
	atomic64_add(nr, &xpmem_pages_unpinned_total);
	xpmem_stat_add(XPMEM_STAT_PINNED_PAGES, -nr);
}

static int xpmem_pages_show(struct seq_file *m, void *v)
{
	s64 unpinned = atomic64_read(&xpmem_pages_unpinned_total);
	s64 pinned = atomic64_read(&xpmem_pages_pinned_total);

	seq_printf(m, "pages pinned: %lld\n", (long long)pinned);
	seq_printf(m, "pages unpinned: %lld\n", (long long)unpinned);
	return 0;
}

static int xpmem_stats_show(struct seq_file *m, void *v)
{
	int i;

	for (i = 0; i < XPMEM_STAT_NR; i++)
		seq_printf(m, "%s %ld\n", xpmem_stat_names[i],
			   atomic_long_read(&xpmem_stats[i]));
	return 0;
}

/**
 * xpmem_stats_init() - create /proc/xpmem/stats and /proc/xpmem/pages
 *
 * Return: 0 or -ENOMEM.
 */
int xpmem_stats_init(void)
{
	xpmem_proc_dir = proc_mkdir("xpmem", NULL);
	if (!xpmem_proc_dir)
		return -ENOMEM;
	if (!proc_create_single("stats", 0444, xpmem_proc_dir,
				xpmem_stats_show) ||
	    !proc_create_single("pages", 0444, xpmem_proc_dir,
				xpmem_pages_show)) {
		remove_proc_subtree("xpmem", NULL);
		return -ENOMEM;
	}
	return 0;
}

/**
 * xpmem_stats_exit() - remove /proc/xpmem
 */
void xpmem_stats_exit(void)
{
	remove_proc_subtree("xpmem", NULL);
}
