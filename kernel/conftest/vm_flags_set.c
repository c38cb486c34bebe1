// SPDX-License-Identifier: GPL-2.0
/* vm_flags_set() and friends (6.3+); older kernels write vma->vm_flags. */
#include <linux/mm.h>

void xpmem_conftest(struct vm_area_struct *vma);

void xpmem_conftest(struct vm_area_struct *vma)
{
	vm_flags_set(vma, VM_IO);
	vm_flags_clear(vma, VM_MAYWRITE);
}
