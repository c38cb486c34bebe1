// SPDX-License-Identifier: MIT
/*
 * libmemtier.so preloaded into programs: the program's own malloc family
 * is served from the tiers MEMKIND_MEM_TIERS names. Where each block went
 * is read from /proc/self/maps (is it inside the FS_DAX file's mapping?),
 * not from the library. Checked:
 * - STATIC_RATIO DRAM:4, FS_DAX:1 puts a fifth of the bytes in the file;
 * - DYNAMIC_THRESHOLD with a fixed threshold splits by size;
 * - every call of the family (calloc zeroes, realloc keeps bytes,
 *   posix_memalign/aligned_alloc/memalign/valloc align, usable size);
 * - threads allocating at once;
 * - an unmodified program (sort) gives the same output with the preload;
 * - each malformed MEMKIND_MEM_TIERS stops the program with a message.
 * The program runs itself (exec) with the preload for each case.
 */
#include <inttypes.h>
#include <malloc.h>
#include <memkind.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "memtier_preload.h"
#include "test.h"

#define NBLOCKS 20000

struct range {
	uintptr_t lo, hi;
};

static struct range file_ranges[64];
static int nranges;

/* The mappings of files below dir: the FS_DAX tier's heap. */
static void read_file_ranges(const char *dir)
{
	char line[4096], path[4096];
	uintptr_t lo, hi;
	FILE *f = fopen("/proc/self/maps", "r");

	CHECK(f);
	nranges = 0;
	while (fgets(line, sizeof(line), f) && nranges < 64) {
		path[0] = '\0';
		if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %*s %*s %*s %*s %4095s",
			   &lo, &hi, path) < 2)
			continue;
		if (!strncmp(path, dir, strlen(dir)))
			file_ranges[nranges++] = (struct range){lo, hi};
	}
	fclose(f);
}

static bool in_file(const void *p)
{
	uintptr_t a = (uintptr_t)p;
	int i;

	for (i = 0; i < nranges; i++)
		if (a >= file_ranges[i].lo && a < file_ranges[i].hi)
			return true;
	return false;
}

/* Child: how many of NBLOCKS blocks of size bytes landed in the file. */
static int count_in_file(const char *dir, size_t size)
{
	static void *blocks[NBLOCKS];
	int i, n = 0;

	for (i = 0; i < NBLOCKS; i++) {
		blocks[i] = malloc(size);
		CHECK(blocks[i]);
		memset(blocks[i], i & 0xff, size);
	}
	read_file_ranges(dir);
	for (i = 0; i < NBLOCKS; i++)
		n += in_file(blocks[i]);
	for (i = 0; i < NBLOCKS; i++)
		free(blocks[i]);
	return n;
}

static void check_aligned(void *p, size_t align)
{
	CHECK(p && ((uintptr_t)p & (align - 1)) == 0);
	memset(p, 0x5a, 100);
	free(p);
}

/* Child: every function of the family, on whichever tier it lands. */
static void family(void)
{
	unsigned char *p, *q;
	void *a = NULL;
	int i;

	for (i = 0; i < 200; i++) {
		p = calloc(1000, 3);
		CHECK(p && p[0] == 0 && p[2999] == 0);
		memset(p, 7, 3000);
		q = realloc(p, 100000);
		CHECK(q && q[0] == 7 && q[2999] == 7);
		CHECK(malloc_usable_size(q) >= 100000);
		q = realloc(q, 10);
		CHECK(q && q[9] == 7);
		free(q);
	}
	CHECK(posix_memalign(&a, 4096, 5000) == 0);
	check_aligned(a, 4096);
	CHECK(posix_memalign(&a, 3, 10) == EINVAL);
	check_aligned(aligned_alloc(64, 640), 64);
	check_aligned(memalign(1 << 16, 100), 1 << 16);
	check_aligned(valloc(100), 4096);
	p = malloc(0);
	CHECK(p);
	free(p);
	CHECK(realloc(malloc(10), 0) == NULL);
	free(NULL);
}

static void *thread_churn(void *arg)
{
	void *keep[32] = {0};
	unsigned i, s = (unsigned)(uintptr_t)arg;

	for (i = 0; i < 50000; i++) {
		s = s * 1103515245u + 12345u;
		free(keep[s % 32]);
		keep[s % 32] = malloc(16 + (s >> 16) % 5000);
		if (!keep[s % 32])
			return "malloc failed";
	}
	for (i = 0; i < 32; i++)
		free(keep[i]);
	return NULL;
}

static void threads(void)
{
	pthread_t t[4];
	void *ret;
	int i;

	for (i = 0; i < 4; i++)
		CHECK(pthread_create(&t[i], NULL, thread_churn,
				     (void *)(uintptr_t)(i + 1)) == 0);
	for (i = 0; i < 4; i++) {
		CHECK(pthread_join(t[i], &ret) == 0);
		CHECK(ret == NULL);
	}
}

static int child(const char *mode, const char *dir)
{
	if (!strcmp(mode, "ratio")) {
		printf("%d\n", count_in_file(dir, 1000));
	} else if (!strcmp(mode, "split")) {
		printf("%d %d\n", count_in_file(dir, 32),
		       count_in_file(dir, 128));
	} else if (!strcmp(mode, "family")) {
		family();
		threads();
		printf("ok\n");
	}
	return 0;
}

static char self[4096], preload[4096];

static void find_preload(void)
{
	memtier_preload_path(preload, sizeof(preload));
	CHECK(readlink("/proc/self/exe", self, sizeof(self) - 1) > 0);
}

/*
 * Runs argv with the preload and MEMKIND_MEM_TIERS=tiers (and thresholds,
 * if given). Returns the exit status (128+signal); the first line of its
 * stdout goes to out, its stderr to err.
 */
static int run(char *const argv[], const char *tiers, const char *thresholds,
	       char *out, size_t outlen, char *err, size_t errlen)
{
	int po[2], pe[2];
	pid_t pid;
	ssize_t n;
	FILE *f;

	CHECK(pipe(po) == 0 && pipe(pe) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		dup2(po[1], 1);
		dup2(pe[1], 2);
		setenv("LD_PRELOAD", preload, 1);
		if (tiers)
			setenv("MEMKIND_MEM_TIERS", tiers, 1);
		if (thresholds)
			setenv("MEMKIND_MEM_THRESHOLDS", thresholds, 1);
		execv(argv[0], argv);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	f = fdopen(po[0], "r");
	CHECK(f);
	out[0] = '\0';
	if (!fgets(out, (int)outlen, f))
		out[0] = '\0';
	while (fgetc(f) != EOF)
		;
	fclose(f);
	n = read(pe[0], err, errlen - 1);
	err[n > 0 ? n : 0] = '\0';
	close(pe[0]);
	return test_wait(pid);
}

static int run_self(const char *mode, const char *dir, const char *tiers,
		    const char *thresholds, char *out, size_t outlen)
{
	char *argv[] = {self, (char *)mode, (char *)dir, NULL};
	char err[4096];
	int rc = run(argv, tiers, thresholds, out, outlen, err, sizeof(err));

	if (rc)
		fprintf(stderr, "%s: exit %d: %s\n", mode, rc, err);
	return rc;
}

static void check_ratio(const char *dir)
{
	char tiers[4200], out[64];
	int n;

	snprintf(tiers, sizeof(tiers),
		 "KIND:DRAM,RATIO:4;KIND:FS_DAX,PATH:%s,RATIO:1;"
		 "POLICY:STATIC_RATIO", dir);
	CHECK(run_self("ratio", dir, tiers, NULL, out, sizeof(out)) == 0);
	n = atoi(out);
	printf("STATIC_RATIO 4:1: %d of %d blocks in the file\n", n, NBLOCKS);
	CHECK(n >= NBLOCKS / 5 - NBLOCKS / 50 && n <= NBLOCKS / 5 + NBLOCKS / 50);

	/* Without MEMKIND_MEM_TIERS nothing is tiered. */
	CHECK(run_self("ratio", dir, NULL, NULL, out, sizeof(out)) == 0);
	CHECK(atoi(out) == 0);
}

static void check_split(const char *dir)
{
	char tiers[4200], out[64];
	int small, large;

	snprintf(tiers, sizeof(tiers),
		 "KIND:DRAM,RATIO:1;KIND:FS_DAX,PATH:%s,RATIO:1;"
		 "POLICY:DYNAMIC_THRESHOLD", dir);
	CHECK(run_self("split", dir, tiers,
		       "INIT_VAL:64,MIN_VAL:64,MAX_VAL:64", out,
		       sizeof(out)) == 0);
	CHECK(sscanf(out, "%d %d", &small, &large) == 2);
	printf("DYNAMIC_THRESHOLD at 64: %d small, %d large blocks in the "
	       "file\n", small, large);
	CHECK(small == 0 && large == NBLOCKS);
}

static void check_family(const char *dir)
{
	char tiers[4200], out[64];

	snprintf(tiers, sizeof(tiers),
		 "KIND:DRAM,RATIO:1;KIND:FS_DAX,PATH:%s,RATIO:1;"
		 "POLICY:STATIC_RATIO", dir);
	CHECK(run_self("family", dir, tiers, NULL, out, sizeof(out)) == 0);
	CHECK(!strcmp(out, "ok\n"));
}

/* sort(1), unmodified, sorts the same with half its heap in the file. */
static void check_sort(const char *dir)
{
	char in[4200], cmd[8600], tiers[4200], out[64], err[4096];
	char *argv[] = {"/bin/sh", "-c", cmd, NULL};
	FILE *f;
	int i;

	snprintf(in, sizeof(in), "%s/lines", dir);
	f = fopen(in, "w");
	CHECK(f);
	for (i = 0; i < 50000; i++)
		fprintf(f, "%08x line %d\n", (unsigned)(i * 2654435761u), i);
	fclose(f);
	snprintf(tiers, sizeof(tiers),
		 "KIND:DRAM,RATIO:1;KIND:FS_DAX,PATH:%s,RATIO:1;"
		 "POLICY:STATIC_RATIO", dir);
	snprintf(cmd, sizeof(cmd),
		 "sort -S 64M %s | md5sum | cut -c1-32; "
		 "env -u LD_PRELOAD sort %s | md5sum | cut -c1-32 >&2",
		 in, in);
	CHECK(run(argv, tiers, NULL, out, sizeof(out), err, sizeof(err)) ==
	      0);
	CHECK(strlen(out) == 33 && !strncmp(out, err, 32));
	unlink(in);
}

/* Each of these stops the program with a message naming the variable. */
static void check_bad(const char *dir)
{
	char bad[16][4200], out[64], err[4096];
	char *argv[] = {"/bin/true", NULL};
	int i, n = 0;

	snprintf(bad[n++], 4200, "KIND:DRAM,RATIO:1");
	snprintf(bad[n++], 4200, "KIND:DRAM,RATIO:1;POLICY:NONE");
	snprintf(bad[n++], 4200, "KIND:HBM,RATIO:1;POLICY:STATIC_RATIO");
	snprintf(bad[n++], 4200, "KIND:FS_DAX,RATIO:1;POLICY:STATIC_RATIO");
	snprintf(bad[n++], 4200, "KIND:DRAM,PATH:%s,RATIO:1;"
		 "POLICY:STATIC_RATIO", dir);
	snprintf(bad[n++], 4200, "KIND:DRAM,RATIO:0;POLICY:STATIC_RATIO");
	snprintf(bad[n++], 4200, "KIND:DRAM,RATIO:x;POLICY:STATIC_RATIO");
	snprintf(bad[n++], 4200, "KIND:DRAM,KIND:DRAM,RATIO:1;"
		 "POLICY:STATIC_RATIO");
	snprintf(bad[n++], 4200, "KIND:DRAM,RATIO:1;KIND:DRAM,RATIO:1;"
		 "POLICY:STATIC_RATIO");
	snprintf(bad[n++], 4200, "KIND:FS_DAX,PATH:%s/none,RATIO:1;"
		 "POLICY:STATIC_RATIO", dir);
	snprintf(bad[n++], 4200, "KIND:FS_DAX,PATH:%s,PMEM_SIZE_LIMIT:1,"
		 "RATIO:1;POLICY:STATIC_RATIO", dir);
	snprintf(bad[n++], 4200, "KIND:DRAM,RATIO:1;POLICY:DYNAMIC_THRESHOLD");
	snprintf(bad[n++], 4200, "KIND:DRAM,RATIO:1,SPEED:9;"
		 "POLICY:STATIC_RATIO");
	for (i = 0; i < n; i++) {
		CHECK(run(argv, bad[i], NULL, out, sizeof(out), err,
			  sizeof(err)) != 0);
		if (!strstr(err, "libmemtier: MEMKIND_MEM_TIERS")) {
			fprintf(stderr, "for %s: %s\n", bad[i], err);
			CHECK(!"message names MEMKIND_MEM_TIERS");
		}
	}
	/* Thresholds need the dynamic policy. */
	snprintf(bad[0], 4200, "KIND:DRAM,RATIO:1;KIND:FS_DAX,PATH:%s,RATIO:1;"
		 "POLICY:STATIC_RATIO", dir);
	CHECK(run(argv, bad[0], "INIT_VAL:64", out, sizeof(out), err,
		  sizeof(err)) != 0);
	CHECK(strstr(err, "MEMKIND_MEM_THRESHOLDS"));
	snprintf(bad[0], 4200, "KIND:DRAM,RATIO:1;KIND:FS_DAX,PATH:%s,RATIO:1;"
		 "POLICY:DYNAMIC_THRESHOLD", dir);
	CHECK(run(argv, bad[0], "INIT_VAL:64,INIT_VAL:65", out, sizeof(out),
		  err, sizeof(err)) != 0);
	CHECK(strstr(err, "MEMKIND_MEM_THRESHOLDS"));
	CHECK(run(argv, bad[0], "INIT_VAL:64;INIT_VAL:9000", out, sizeof(out),
		  err, sizeof(err)) != 0);
}

int main(int argc, char **argv)
{
	const char *dir;

	if (argc == 3)
		return child(argv[1], argv[2]);
#if defined(__SANITIZE_ADDRESS__)
	test_skip("a preloaded malloc and ASan's cannot both serve a program");
#endif
	find_preload();
	dir = test_tmpdir(NULL);
	CHECK(dir);
	check_ratio(dir);
	check_split(dir);
	check_family(dir);
	check_sort(dir);
	check_bad(dir);
	CHECK(rmdir(dir) == 0);
	return 0;
}
