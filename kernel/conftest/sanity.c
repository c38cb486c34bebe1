// SPDX-License-Identifier: GPL-2.0
/*
 * Compiles against every kernel: if it does not, the feature tests cannot
 * be trusted (wrong compiler, broken tree) and the build stops.
 */
#include <linux/mm.h>

unsigned long xpmem_conftest(struct vm_area_struct *vma);

unsigned long xpmem_conftest(struct vm_area_struct *vma)
{
	return vma->vm_end - vma->vm_start;
}
