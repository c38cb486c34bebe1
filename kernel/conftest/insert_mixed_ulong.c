// SPDX-License-Identifier: GPL-2.0
/* vmf_insert_mixed() takes a plain pfn (7.x), no more a pfn_t. */
#include <linux/mm.h>

vm_fault_t xpmem_conftest(struct vm_area_struct *vma, unsigned long pfn);

vm_fault_t xpmem_conftest(struct vm_area_struct *vma, unsigned long pfn)
{
	return vmf_insert_mixed(vma, vma->vm_start, pfn);
}
