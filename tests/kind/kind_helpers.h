/* SPDX-License-Identifier: MIT */
/* Small helpers shared by the kind tests (header only, one per program). */
#ifndef KIND_HELPERS_H
#define KIND_HELPERS_H

#include <dirent.h>
#include <memkind.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "test.h"

#define MiB ((size_t)1 << 20)

/* Entries in dir other than . and .. */
static inline int dir_entries(const char *dir)
{
	struct dirent *de;
	int n = 0;
	DIR *d = opendir(dir);

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

/* Number of lines of a /proc file or entries of a /proc directory. */
static inline int count_fds(void)
{
	return dir_entries("/proc/self/fd");
}

static inline int count_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	int c, n = 0;

	if (!f)
		return -1;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

static inline void fill_pattern(void *p, size_t n, uint32_t seed)
{
	unsigned char *c = p;
	size_t i;

	for (i = 0; i < n; i++)
		c[i] = (unsigned char)(seed * 31 + i * 7);
}

static inline int check_pattern(const void *p, size_t n, uint32_t seed)
{
	const unsigned char *c = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (c[i] != (unsigned char)(seed * 31 + i * 7))
			return 0;
	return 1;
}

/* Seconds on the monotonic clock. */
static inline double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Bytes the file behind a kind's address holds on its file system. */
static inline size_t file_bytes(const void *anchor)
{
	struct stat st;
	off_t off;
	size_t len;
	int fd;

	CHECK(memkind_get_backing(anchor, &fd, &off, &len) == 0);
	CHECK(fstat(fd, &st) == 0);
	return (size_t)st.st_blocks * 512;
}

#endif /* KIND_HELPERS_H */
