// SPDX-License-Identifier: GPL-2.0
/* zap_special_vma_range() (7.x), the new name of zap_vma_ptes(). */
#include <linux/mm.h>

void xpmem_conftest(struct vm_area_struct *vma);

void xpmem_conftest(struct vm_area_struct *vma)
{
	zap_special_vma_range(vma, vma->vm_start, PAGE_SIZE);
}
