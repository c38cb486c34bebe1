// SPDX-License-Identifier: MIT
/*
 * Byte patterns that both processes of demo and bench compute on their own,
 * so that a check needs no copy of the expected data. The byte depends on
 * the index (a copy at the wrong offset fails) and on the seed (a stale copy
 * from another round fails).
 */
#include <stdint.h>

#include "xpmem_tool.h"

unsigned char pattern_byte(size_t i, unsigned int seed)
{
	uint32_t x = (uint32_t)i * 2654435761u;

	/*
	 * The seed is added after the mix, so two seeds that differ modulo
	 * 256 give different bytes at every index.
	 */
	return (unsigned char)(((x >> 13) ^ (x >> 24)) + seed);
}

void pattern_fill(void *buf, size_t len, unsigned int seed)
{
	unsigned char *p = buf;

	for (size_t i = 0; i < len; i++)
		p[i] = pattern_byte(i, seed);
}

size_t pattern_check(const void *buf, size_t len, unsigned int seed)
{
	const unsigned char *p = buf;

	for (size_t i = 0; i < len; i++)
		if (p[i] != pattern_byte(i, seed))
			return i;
	return len;
}
