// SPDX-License-Identifier: MIT
/*
 * Where every static kind's pages land, against what memkind documents,
 * on the two machines the tests have:
 *   - one node (the host, most CI machines): only the kinds of ordinary
 *     memory are available; HBW, DAX KMEM and the HMAT kinds are not;
 *   - the tiered VM (tests/vm): node 0 DDR with the CPUs, node 1 small and
 *     fast (HBM-like), node 2 large and slow (CXL-like), described by
 *     ACPI HMAT, with MEMKIND_DAX_KMEM_NODES=2 (set here).
 * For each kind: memkind_check_available(), then 1 MiB allocated, touched,
 * and its pages' nodes read back with move_pages(). This source is built
 * twice, against our libmemkind (tier/placement) and against Debian's
 * memkind 1.14 (tier/placement_memkind): both must pass, and print the
 * same table.
 */
#include <memkind.h>

#include <dlfcn.h>
#include <numa.h>
#include <numaif.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include "test.h"
#include "tier_test.h"

#define ALLOC_BYTES (1u << 20)
#define PAGE 4096u
#define NPAGES (ALLOC_BYTES / PAGE)
#define N(x) (1u << (x))
#define SKIPPED 0xffffffffu /* no allocation expected */

struct row {
	const char *name;
	memkind_t *kind;
	int avail;	/* memkind_check_available() */
	unsigned nodes; /* nodes the pages must cover exactly */
};

#define K(k) #k, &k

/* Node 0 DDR + CPUs, 1 HBM-like, 2 CXL-like; DAX KMEM nodes = 2. */
static const struct row tiered[] = {
    {K(MEMKIND_DEFAULT), 0, N(0)},
    {K(MEMKIND_REGULAR), 0, N(0)},
    {K(MEMKIND_INTERLEAVE), 0, N(0) | N(1) | N(2)},
    {K(MEMKIND_HBW), 0, N(1)},
    {K(MEMKIND_HBW_ALL), 0, N(1)},
    {K(MEMKIND_HBW_PREFERRED), 0, N(1)},
    {K(MEMKIND_HBW_INTERLEAVE), 0, N(1)},
    {K(MEMKIND_DAX_KMEM), 0, N(2)},
    {K(MEMKIND_DAX_KMEM_ALL), 0, N(2)},
    {K(MEMKIND_DAX_KMEM_PREFERRED), 0, N(2)},
    {K(MEMKIND_DAX_KMEM_INTERLEAVE), 0, N(2)},
    {K(MEMKIND_HIGHEST_CAPACITY), 0, N(2)},
    {K(MEMKIND_HIGHEST_CAPACITY_PREFERRED), 0, N(2)},
    {K(MEMKIND_HIGHEST_CAPACITY_LOCAL), 0, N(2)},
    {K(MEMKIND_HIGHEST_CAPACITY_LOCAL_PREFERRED), 0, N(2)},
    {K(MEMKIND_LOWEST_LATENCY_LOCAL), 0, N(0)},
    {K(MEMKIND_LOWEST_LATENCY_LOCAL_PREFERRED), 0, N(0)},
    {K(MEMKIND_HIGHEST_BANDWIDTH_LOCAL), 0, N(1)},
    {K(MEMKIND_HIGHEST_BANDWIDTH_LOCAL_PREFERRED), 0, N(1)},
};

/* One node, no HMAT, no DAX KMEM device. */
static const struct row single[] = {
    {K(MEMKIND_DEFAULT), 0, N(0)},
    {K(MEMKIND_REGULAR), 0, N(0)},
    {K(MEMKIND_INTERLEAVE), 0, N(0)},
    {K(MEMKIND_HBW), MEMKIND_ERROR_MEMTYPE_NOT_AVAILABLE, SKIPPED},
    {K(MEMKIND_HBW_ALL), MEMKIND_ERROR_MEMTYPE_NOT_AVAILABLE, SKIPPED},
    {K(MEMKIND_HBW_PREFERRED), MEMKIND_ERROR_MEMTYPE_NOT_AVAILABLE, SKIPPED},
    {K(MEMKIND_HBW_INTERLEAVE), MEMKIND_ERROR_MEMTYPE_NOT_AVAILABLE, SKIPPED},
    {K(MEMKIND_HBW_HUGETLB), MEMKIND_ERROR_MEMTYPE_NOT_AVAILABLE, SKIPPED},
    {K(MEMKIND_DAX_KMEM), MEMKIND_ERROR_UNAVAILABLE, SKIPPED},
    {K(MEMKIND_DAX_KMEM_ALL), MEMKIND_ERROR_UNAVAILABLE, SKIPPED},
    {K(MEMKIND_DAX_KMEM_PREFERRED), MEMKIND_ERROR_UNAVAILABLE, SKIPPED},
    {K(MEMKIND_DAX_KMEM_INTERLEAVE), MEMKIND_ERROR_UNAVAILABLE, SKIPPED},
    {K(MEMKIND_HIGHEST_CAPACITY), 0, N(0)},
    {K(MEMKIND_HIGHEST_CAPACITY_PREFERRED), 0, N(0)},
    {K(MEMKIND_HIGHEST_CAPACITY_LOCAL), 0, N(0)},
    {K(MEMKIND_HIGHEST_CAPACITY_LOCAL_PREFERRED), 0, N(0)},
    {K(MEMKIND_LOWEST_LATENCY_LOCAL), MEMKIND_ERROR_MEMTYPE_NOT_AVAILABLE,
     SKIPPED},
    {K(MEMKIND_LOWEST_LATENCY_LOCAL_PREFERRED),
     MEMKIND_ERROR_MEMTYPE_NOT_AVAILABLE, SKIPPED},
    {K(MEMKIND_HIGHEST_BANDWIDTH_LOCAL), MEMKIND_ERROR_MEMTYPE_NOT_AVAILABLE,
     SKIPPED},
    {K(MEMKIND_HIGHEST_BANDWIDTH_LOCAL_PREFERRED),
     MEMKIND_ERROR_MEMTYPE_NOT_AVAILABLE, SKIPPED},
};

/* The nodes holding the pages of [p, p + ALLOC_BYTES). */
static unsigned pages_nodes(char *p)
{
	static void *pages[NPAGES];
	static int status[NPAGES];
	unsigned i, mask = 0;

	for (i = 0; i < NPAGES; i++)
		pages[i] = p + (size_t)i * PAGE;
	CHECK(pages_nodes_of(pages, status, NPAGES) == 0);
	for (i = 0; i < NPAGES; i++) {
		CHECK(status[i] >= 0 && status[i] < 32);
		mask |= N(status[i]);
	}
	return mask;
}

static void print_nodes(char *buf, size_t len, unsigned mask)
{
	size_t n = 0;
	int i;

	if (mask == SKIPPED) {
		snprintf(buf, len, "-");
		return;
	}
	buf[0] = 0;
	for (i = 0; i < 32; i++)
		if (mask & N(i))
			n +=
			    snprintf(buf + n, len - n, "%s%d", n ? "," : "", i);
}

/* One line of every kind's nodes, the end of the output the VM log keeps. */
static char summary[4096];
static size_t summary_len;

/* One kind: 0 when it behaves as the row says. */
static int check_row(const struct row *r)
{
	char got[64], want[64];
	unsigned nodes = SKIPPED;
	int avail = memkind_check_available(*r->kind);
	char *p = NULL;

	if (avail == 0) {
		p = memkind_malloc(*r->kind, ALLOC_BYTES);
		if (p) {
			memset(p, 0x5a, ALLOC_BYTES);
			nodes = pages_nodes(p);
			memkind_free(*r->kind, p);
		} else {
			nodes = 0;
		}
	}
	print_nodes(got, sizeof(got), nodes);
	print_nodes(want, sizeof(want), r->nodes);
	summary_len += snprintf(
	    summary + summary_len, sizeof(summary) - summary_len, " %s=%s",
	    r->name + strlen("MEMKIND_"), avail ? "unavailable" : got);
	printf("%-42s avail %4d nodes %-6s  want %4d %-6s %s\n", r->name, avail,
	       got, r->avail, want,
	       avail == r->avail && nodes == r->nodes ? "ok" : "MISMATCH");
	return !(avail == r->avail && nodes == r->nodes);
}

static bool path_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* The VM's machine: three nodes, CPUs on 0 only, HMAT present. */
static bool is_tiered(void)
{
	return numa_max_node() == 2 &&
	       !path_exists("/sys/devices/system/node/node1/cpu0") &&
	       path_exists("/sys/devices/system/node/node1/access0/initiators/"
			   "read_bandwidth");
}

static bool is_single(void)
{
	return numa_max_node() == 0 &&
	       !path_exists("/sys/devices/system/node/node0/access0/initiators/"
			    "read_bandwidth") &&
	       !path_exists("/sys/bus/dax/drivers/kmem");
}

/* Which libmemkind this run measures: ours or Debian's. */
static void print_library(void)
{
	Dl_info info;

	if (dladdr((void *)memkind_malloc, &info) && info.dli_fname)
		printf("library %s, version %d\n", info.dli_fname,
		       memkind_get_version());
}

int main(int argc, char **argv)
{
	const struct row *rows;
	size_t i, n;
	int bad = 0;

	if (numa_available() < 0)
		test_skip("no NUMA support");
	if (is_tiered()) {
		/* The variable is read once, at the first use of a kind. */
		if (!getenv("MEMKIND_DAX_KMEM_NODES")) {
			setenv("MEMKIND_DAX_KMEM_NODES", "2", 1);
			execv("/proc/self/exe", argv);
			test_fail_at(__FILE__, __LINE__, "execv: %s",
				     strerror(errno));
		}
		rows = tiered;
		n = sizeof(tiered) / sizeof(tiered[0]);
	} else if (is_single()) {
		if (getenv("MEMKIND_HBW_NODES") ||
		    getenv("MEMKIND_DAX_KMEM_NODES"))
			test_skip("node variables set");
		rows = single;
		n = sizeof(single) / sizeof(single[0]);
	} else {
		test_skip("neither one node nor the tiered VM's three");
	}
	print_library();
	for (i = 0; i < n; i++)
		bad += check_row(&rows[i]);
	printf("pages:%s\n", summary);
	return bad ? 1 : 0;
}
