// SPDX-License-Identifier: GPL-2.0
/* vmf_insert_pfn_pmd() takes a plain pfn (7.x), no more a pfn_t. */
#include <linux/mm.h>
#include <linux/huge_mm.h>

vm_fault_t xpmem_conftest(struct vm_fault *vmf, unsigned long pfn);

vm_fault_t xpmem_conftest(struct vm_fault *vmf, unsigned long pfn)
{
	return vmf_insert_pfn_pmd(vmf, pfn, false);
}
