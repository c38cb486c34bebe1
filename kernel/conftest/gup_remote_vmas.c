// SPDX-License-Identifier: GPL-2.0
/* get_user_pages_remote() with a vmas argument (removed in 6.5). */
#include <linux/mm.h>

long xpmem_conftest(struct mm_struct *mm, struct page **pages);

long xpmem_conftest(struct mm_struct *mm, struct page **pages)
{
	return get_user_pages_remote(mm, 0, 1, 0, pages, NULL, NULL);
}
