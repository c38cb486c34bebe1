// SPDX-License-Identifier: GPL-2.0
/* vm_operations_struct.may_split (5.11+); before, the hook was .split. */
#include <linux/mm.h>

static int xpmem_conftest_split(struct vm_area_struct *vma, unsigned long a)
{
	return -EINVAL;
}

const struct vm_operations_struct xpmem_conftest_ops = {
	.may_split = xpmem_conftest_split,
};
