// SPDX-License-Identifier: MIT
/*
 * libmemtier.so on the tiered VM: an unmodified program's malloc() served
 * from DRAM and the DAX KMEM node (node 2, MEMKIND_DAX_KMEM_NODES=2) in
 * the ratio 1:4, read back page by page: four blocks in five on node 2,
 * the rest on the CPUs' node 0. Then with DYNAMIC_THRESHOLD at a fixed
 * threshold: small blocks on node 0, large ones on node 2. The program
 * runs itself with the preload.
 */
#include <memkind.h>
#include <numa.h>
#include <stdint.h>

#include "memtier_preload.h"
#include "test.h"
#include "tier_test.h"

#define NBLOCKS 200

/* Child: blocks of size bytes from malloc(); counts per node to stdout. */
static int child(size_t size)
{
	static void *blocks[NBLOCKS];
	int status[NBLOCKS], count[3] = {0};
	int i;

	for (i = 0; i < NBLOCKS; i++) {
		blocks[i] = malloc(size);
		CHECK(blocks[i]);
		memset(blocks[i], 1, size);
	}
	CHECK(pages_nodes_of(blocks, status, NBLOCKS) == 0);
	for (i = 0; i < NBLOCKS; i++) {
		CHECK(status[i] >= 0 && status[i] <= 2);
		count[status[i]]++;
	}
	printf("%d %d %d\n", count[0], count[1], count[2]);
	for (i = 0; i < NBLOCKS; i++)
		free(blocks[i]);
	return 0;
}

static char preload[4096];

static void find_preload(void)
{
	memtier_preload_path(preload, sizeof(preload));
}

/* Runs the child with the preload; its per-node counts into count. */
static void run(const char *size, const char *tiers, const char *thresholds,
		int count[3])
{
	char out[64] = "";
	int fd[2];
	pid_t pid;
	ssize_t n;

	CHECK(pipe(fd) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		dup2(fd[1], 1);
		setenv("LD_PRELOAD", preload, 1);
		setenv("MEMKIND_DAX_KMEM_NODES", "2", 1);
		setenv("MEMKIND_MEM_TIERS", tiers, 1);
		if (thresholds)
			setenv("MEMKIND_MEM_THRESHOLDS", thresholds, 1);
		execl("/proc/self/exe", "memtier_kmem", size, (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	n = read(fd[0], out, sizeof(out) - 1);
	close(fd[0]);
	CHECK(test_wait(pid) == 0);
	CHECK(n > 0);
	CHECK(sscanf(out, "%d %d %d", &count[0], &count[1], &count[2]) == 3);
	printf("%s bytes, %s%s%s: node0 %d node1 %d node2 %d\n", size, tiers,
	       thresholds ? " " : "", thresholds ? thresholds : "", count[0],
	       count[1], count[2]);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	int c[3];

	if (argc == 2)
		return child(strtoul(argv[1], NULL, 0));
#if defined(__SANITIZE_ADDRESS__)
	test_skip("a preloaded malloc and ASan's cannot both serve a program");
#endif
	if (numa_available() < 0 || numa_max_node() != 2 ||
	    numa_node_size64(2, NULL) <= 0)
		test_skip("not the tiered VM (three nodes, node 2 memory-only)");
	find_preload();

	run("64", "KIND:DRAM,RATIO:1;KIND:KMEM_DAX,RATIO:4;"
		  "POLICY:DYNAMIC_THRESHOLD",
	    "INIT_VAL:4096,MIN_VAL:4096,MAX_VAL:4096", c);
	CHECK(c[0] == NBLOCKS);
	run("65536", "KIND:DRAM,RATIO:1;KIND:KMEM_DAX,RATIO:4;"
		     "POLICY:DYNAMIC_THRESHOLD",
	    "INIT_VAL:4096,MIN_VAL:4096,MAX_VAL:4096", c);
	CHECK(c[2] == NBLOCKS);
	/* Last: the guest shows a passing test's last two lines. */
	run("65536", "KIND:DRAM,RATIO:1;KIND:KMEM_DAX,RATIO:4;"
		     "POLICY:STATIC_RATIO", NULL, c);
	CHECK(c[1] == 0);
	CHECK(c[2] >= NBLOCKS * 4 / 5 - NBLOCKS / 20 &&
	      c[2] <= NBLOCKS * 4 / 5 + NBLOCKS / 20);
	CHECK(c[0] == NBLOCKS - c[2]);
	return 0;
}
