// SPDX-License-Identifier: GPL-2.0
/* mm_get_unmapped_area() with the mm as its first argument (6.10-6.x). */
#include <linux/mm.h>
#include <linux/sched/mm.h>

unsigned long xpmem_conftest(struct file *file, unsigned long len);

unsigned long xpmem_conftest(struct file *file, unsigned long len)
{
	return mm_get_unmapped_area(current->mm, file, 0, len, 0, 0);
}
