// SPDX-License-Identifier: GPL-2.0
/* vmf_insert_pfn_pmd_prot(): a PMD with a protection of the caller's (<6.3). */
#include <linux/mm.h>
#include <linux/huge_mm.h>
#include <linux/pfn_t.h>

vm_fault_t xpmem_conftest(struct vm_fault *vmf, unsigned long pfn);

vm_fault_t xpmem_conftest(struct vm_fault *vmf, unsigned long pfn)
{
	return vmf_insert_pfn_pmd_prot(vmf, __pfn_to_pfn_t(pfn, PFN_DEV),
				       vmf->vma->vm_page_prot, false);
}
