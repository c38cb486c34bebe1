// SPDX-License-Identifier: GPL-2.0
/* mm_get_unmapped_area() for the current mm, without an mm argument (7.x). */
#include <linux/mm.h>
#include <linux/sched/mm.h>

unsigned long xpmem_conftest(struct file *file, unsigned long len);

unsigned long xpmem_conftest(struct file *file, unsigned long len)
{
	return mm_get_unmapped_area(file, 0, len, 0, 0);
}
