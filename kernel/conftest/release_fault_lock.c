// SPDX-License-Identifier: GPL-2.0
/* Faults under the per-VMA lock (6.4+) and release_fault_lock(). */
#include <linux/mm.h>

void xpmem_conftest(struct vm_fault *vmf);

void xpmem_conftest(struct vm_fault *vmf)
{
	if (vmf->flags & FAULT_FLAG_VMA_LOCK)
		release_fault_lock(vmf);
}
