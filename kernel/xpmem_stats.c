// SPDX-License-Identifier: GPL-2.0
/*
 * Counters in /proc/xpmem/stats, one "name value" line each, readable by
 * everyone. Live counts (procs, segments, permits, attachments,
 * pinned_pages) return to 0 when no process uses the module, which is
 * what tests check to prove that nothing leaks; the others are totals
 * since load.
 */
#include <linux/atomic.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>

#include "xpmem_private.h"

static atomic_long_t xpmem_stats[XPMEM_STAT_NR];
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

static int xpmem_stats_show(struct seq_file *m, void *v)
{
	int i;

	for (i = 0; i < XPMEM_STAT_NR; i++)
		seq_printf(m, "%s %ld\n", xpmem_stat_names[i],
			   atomic_long_read(&xpmem_stats[i]));
	return 0;
}

/**
 * xpmem_stats_init() - create /proc/xpmem/stats
 *
 * Return: 0 or -ENOMEM.
 */
int xpmem_stats_init(void)
{
	xpmem_proc_dir = proc_mkdir("xpmem", NULL);
	if (!xpmem_proc_dir)
		return -ENOMEM;
	if (!proc_create_single("stats", 0444, xpmem_proc_dir,
				xpmem_stats_show)) {
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
