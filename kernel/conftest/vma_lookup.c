// SPDX-License-Identifier: GPL-2.0
/* vma_lookup() (5.14+); older kernels have find_vma() only. */
#include <linux/mm.h>

struct vm_area_struct *xpmem_conftest(struct mm_struct *mm, unsigned long a);

struct vm_area_struct *xpmem_conftest(struct mm_struct *mm, unsigned long a)
{
	return vma_lookup(mm, a);
}
