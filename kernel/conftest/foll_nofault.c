// SPDX-License-Identifier: GPL-2.0
/* FOLL_NOFAULT (5.16+): take only pages that are present, fault none in. */
#include <linux/mm.h>

unsigned int xpmem_conftest(void);

unsigned int xpmem_conftest(void)
{
	return FOLL_NOFAULT;
}
