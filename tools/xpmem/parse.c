// SPDX-License-Identifier: MIT
/*
 * Parsing and formatting of the numbers users type: sizes with binary
 * units, counts and durations. Every parser rejects trailing garbage,
 * negative numbers and overflow with -EINVAL or -ERANGE.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xpmem_tool.h"

static int unit_shift(const char *unit, unsigned int *shift)
{
	static const struct {
		const char *name;
		unsigned int shift;
	} units[] = {
	    {"", 0},	 {"B", 0},   {"K", 10},	  {"KB", 10},
	    {"KiB", 10}, {"M", 20},  {"MB", 20},  {"MiB", 20},
	    {"G", 30},	 {"GB", 30}, {"GiB", 30},
	};

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (!strcasecmp(unit, units[i].name)) {
			*shift = units[i].shift;
			return 0;
		}
	}
	return -EINVAL;
}

int parse_size(const char *s, size_t *out)
{
	unsigned long long v;
	unsigned int shift;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -ERANGE;
	if (unit_shift(end, &shift))
		return -EINVAL;
	if (v > (SIZE_MAX >> shift))
		return -ERANGE;
	*out = (size_t)v << shift;
	return 0;
}

int parse_size_list(const char *s, size_t *out, int max)
{
	char item[64];
	int n = 0;

	while (*s) {
		size_t len = strcspn(s, ",");

		if (len == 0 || len >= sizeof(item))
			return -EINVAL;
		if (n == max)
			return -E2BIG;
		memcpy(item, s, len);
		item[len] = '\0';
		if (parse_size(item, &out[n]) || out[n] == 0)
			return -EINVAL;
		n++;
		s += len;
		if (*s == ',' && !*++s)
			return -EINVAL;
	}
	return n ? n : -EINVAL;
}

int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || v > max)
		return -ERANGE;
	if (*end)
		return -EINVAL;
	*out = v;
	return 0;
}

int parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v <= 0 || v > 3600)
		return -EINVAL;
	*out = v;
	return 0;
}

const char *format_size(size_t n, char *buf, size_t len)
{
	static const char *const names[] = {"B", "KiB", "MiB", "GiB"};
	unsigned int u = 0;

	while (u + 1 < sizeof(names) / sizeof(names[0]) && n >= 1024 &&
	       n % 1024 == 0) {
		n /= 1024;
		u++;
	}
	snprintf(buf, len, "%zu %s", n, names[u]);
	return buf;
}
