// SPDX-License-Identifier: MIT
/*
 * The machine's memory nodes as the static kinds see them: which nodes
 * exist and have CPUs, their capacity and distances (libnuma), the
 * bandwidth and latency each CPU node measures to each memory node (ACPI
 * HMAT, through hwloc's memory attributes), and the two node classes
 * memkind names: high bandwidth (HBW) and DAX KMEM.
 *
 * Read once, at the first use of a static kind that needs it, and never
 * again: memkind also takes the topology as fixed for the process's life.
 *
 * Node selection follows memkind 1.14's documentation:
 *   - HBW: MEMKIND_HBW_NODES, else every node whose bandwidth from some
 *     CPU node is at least MEMKIND_HBW_THRESHOLD (MiB/s, 204800 default);
 *   - DAX KMEM: MEMKIND_DAX_KMEM_NODES, else the target nodes of device
 *     dax instances bound to the kmem driver;
 *   - "closest": of a class, the nodes nearest (NUMA distance) to the CPU
 *     node of the allocating thread;
 *   - "local": the nodes whose nearest CPU node is the allocating one.
 */
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <hwloc.h>
#include <limits.h>
#include <numa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HBW_THRESHOLD_DEFAULT (200 * 1024) /* MiB/s, as memkind */

struct topo {
	int nnodes; /* highest node + 1, at most NODES_MAX */
	node_mask_t present;
	node_mask_t cpu_nodes;
	long long size[NODES_MAX];
	int dist[NODES_MAX][NODES_MAX];
	/* [initiator CPU node][target], 0: no HMAT value */
	uint64_t bw[NODES_MAX][NODES_MAX];
	uint64_t lat[NODES_MAX][NODES_MAX];
	node_mask_t hbw, dax;
	int hbw_err, dax_err; /* 0, or why the class is empty */
	int err;	      /* no NUMA support at all */
};

static struct topo topo;
static pthread_once_t topo_once = PTHREAD_ONCE_INIT;

/* A node list in numactl's syntax ("1", "1-3,5"); -1 if it is not one. */
static int parse_nodes(const char *s, node_mask_t *out)
{
	struct bitmask *bm;
	int n;

	if (!*s)
		return -1;
	bm = numa_parse_nodestring(s);
	if (!bm)
		return -1;
	*out = 0;
	for (n = 0; n < topo.nnodes; n++)
		if (numa_bitmask_isbitset(bm, n))
			*out |= NODE_BIT(n);
	numa_bitmask_free(bm);
	return *out ? 0 : -1;
}

static bool node_has_cpus(int node)
{
	struct bitmask *cpus = numa_allocate_cpumask();
	bool has;

	if (!cpus)
		return false;
	has =
	    numa_node_to_cpus(node, cpus) == 0 && numa_bitmask_weight(cpus) > 0;
	numa_bitmask_free(cpus);
	return has;
}

static void read_nodes(void)
{
	int n, m;

	topo.nnodes = numa_max_node() + 1;
	if (topo.nnodes > NODES_MAX)
		topo.nnodes = NODES_MAX;
	for (n = 0; n < topo.nnodes; n++) {
		if (!numa_bitmask_isbitset(numa_nodes_ptr, n))
			continue;
		topo.present |= NODE_BIT(n);
		topo.size[n] = numa_node_size64(n, NULL);
		if (node_has_cpus(n))
			topo.cpu_nodes |= NODE_BIT(n);
	}
	for (n = 0; n < topo.nnodes; n++)
		for (m = 0; m < topo.nnodes; m++)
			topo.dist[n][m] = numa_distance(n, m);
}

static uint64_t memattr(hwloc_topology_t t, hwloc_memattr_id_t id,
			hwloc_obj_t target, hwloc_obj_t init)
{
	struct hwloc_location loc = {
	    .type = HWLOC_LOCATION_TYPE_CPUSET,
	    .location.cpuset = init->cpuset,
	};
	hwloc_uint64_t v;

	if (hwloc_memattr_get_value(t, id, target, &loc, 0, &v))
		return 0;
	return v;
}

/* HMAT's bandwidth and latency, for every CPU node and target node. */
static void read_hmat(void)
{
	hwloc_obj_t init = NULL, target;
	hwloc_topology_t t;
	unsigned i, j;

	if (hwloc_topology_init(&t))
		return;
	if (hwloc_topology_load(t)) {
		hwloc_topology_destroy(t);
		return;
	}
	while (
	    (init = hwloc_get_next_obj_by_type(t, HWLOC_OBJ_NUMANODE, init))) {
		i = init->os_index;
		if (i >= (unsigned)topo.nnodes ||
		    !(topo.cpu_nodes & NODE_BIT(i)))
			continue;
		target = NULL;
		while ((target = hwloc_get_next_obj_by_type(
			    t, HWLOC_OBJ_NUMANODE, target))) {
			j = target->os_index;
			if (j >= (unsigned)topo.nnodes)
				continue;
			topo.bw[i][j] = memattr(t, HWLOC_MEMATTR_ID_BANDWIDTH,
						target, init);
			topo.lat[i][j] =
			    memattr(t, HWLOC_MEMATTR_ID_LATENCY, target, init);
		}
	}
	hwloc_topology_destroy(t);
}

static void find_hbw(void)
{
	const char *env = getenv("MEMKIND_HBW_NODES");
	unsigned long long threshold = HBW_THRESHOLD_DEFAULT;
	const char *thr = getenv("MEMKIND_HBW_THRESHOLD");
	char *end;
	int i, j;

	if (env) {
		topo.hbw_err =
		    parse_nodes(env, &topo.hbw) ? MEMKIND_ERROR_ENVIRON : 0;
		return;
	}
	if (thr) {
		errno = 0;
		threshold = strtoull(thr, &end, 10);
		if (errno || end == thr || *end) {
			topo.hbw_err = MEMKIND_ERROR_ENVIRON;
			return;
		}
	}
	for (i = 0; i < topo.nnodes; i++)
		for (j = 0; j < topo.nnodes; j++)
			if (topo.bw[i][j] && topo.bw[i][j] >= threshold)
				topo.hbw |= NODE_BIT(j);
	topo.hbw_err = topo.hbw ? 0 : MEMKIND_ERROR_MEMTYPE_NOT_AVAILABLE;
}

/* Device dax instances in system-ram mode: the kmem driver's devices. */
static void find_dax_kmem_devices(void)
{
	const char *dir = "/sys/bus/dax/drivers/kmem";
	char path[PATH_MAX];
	struct dirent *d;
	int node;
	DIR *dp;
	FILE *f;

	dp = opendir(dir);
	if (!dp)
		return;
	while ((d = readdir(dp))) {
		if (strncmp(d->d_name, "dax", 3))
			continue;
		snprintf(path, sizeof(path), "%s/%s/target_node", dir,
			 d->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fscanf(f, "%d", &node) == 1 && node >= 0 &&
		    node < topo.nnodes)
			topo.dax |= NODE_BIT(node);
		fclose(f);
	}
	closedir(dp);
}

static void find_dax_kmem(void)
{
	const char *env = getenv("MEMKIND_DAX_KMEM_NODES");

	if (env) {
		topo.dax_err =
		    parse_nodes(env, &topo.dax) ? MEMKIND_ERROR_ENVIRON : 0;
		return;
	}
	find_dax_kmem_devices();
	topo.dax_err = topo.dax ? 0 : MEMKIND_ERROR_UNAVAILABLE;
}

static void topo_init(void)
{
	if (numa_available() < 0) {
		topo.err = MEMKIND_ERROR_UNAVAILABLE;
		return;
	}
	read_nodes();
	read_hmat();
	find_hbw();
	find_dax_kmem();
}

static const struct topo *topo_get(void)
{
	pthread_once(&topo_once, topo_init);
	return &topo;
}

/* Of mask, the nodes nearest to CPU node cpu. */
static node_mask_t nearest(const struct topo *t, int cpu, node_mask_t mask)
{
	node_mask_t best = 0;
	int n, d, min = INT_MAX;

	for (n = 0; n < t->nnodes; n++) {
		if (!(mask & NODE_BIT(n)))
			continue;
		d = t->dist[cpu][n];
		if (d < min) {
			min = d;
			best = 0;
		}
		if (d == min)
			best |= NODE_BIT(n);
	}
	return best;
}

/* The nodes local to CPU node cpu: those with cpu among their nearest
 * CPU nodes. */
static node_mask_t local_nodes(const struct topo *t, int cpu)
{
	node_mask_t local = 0;
	int n, c, min;

	for (n = 0; n < t->nnodes; n++) {
		if (!(t->present & NODE_BIT(n)))
			continue;
		min = INT_MAX;
		for (c = 0; c < t->nnodes; c++)
			if ((t->cpu_nodes & NODE_BIT(c)) && t->dist[c][n] < min)
				min = t->dist[c][n];
		if (t->dist[cpu][n] == min)
			local |= NODE_BIT(n);
	}
	return local;
}

/* Of mask, the nodes with the largest capacity. */
static node_mask_t largest(const struct topo *t, node_mask_t mask)
{
	node_mask_t best = 0;
	long long max = -1;
	int n;

	for (n = 0; n < t->nnodes; n++) {
		if (!(mask & NODE_BIT(n)))
			continue;
		if (t->size[n] > max) {
			max = t->size[n];
			best = 0;
		}
		if (t->size[n] == max)
			best |= NODE_BIT(n);
	}
	return best;
}

/* Of mask, the nodes with the best HMAT value seen from cpu (highest
 * when want_max, else lowest); 0 when a node has no value. */
static node_mask_t best_attr(const uint64_t *val, node_mask_t mask, int nnodes,
			     bool want_max)
{
	node_mask_t best = 0;
	uint64_t b = 0;
	int n;

	for (n = 0; n < nnodes; n++) {
		if (!(mask & NODE_BIT(n)))
			continue;
		if (!val[n])
			return 0;
		if (!best || (want_max ? val[n] > b : val[n] < b)) {
			b = val[n];
			best = 0;
		}
		if (val[n] == b)
			best |= NODE_BIT(n);
	}
	return best;
}

/*
 * The nodes of class cls that CPU node cpu allocates from. Returns 0 and
 * sets *out (never empty), or a MEMKIND_ERROR_* code.
 */
int nodes_select(enum node_class cls, int cpu, node_mask_t *out)
{
	const struct topo *t = topo_get();
	node_mask_t m = 0;
	int err = 0;

	if (t->err)
		return t->err;
	if (cpu < 0 || cpu >= t->nnodes || !(t->cpu_nodes & NODE_BIT(cpu)))
		return MEMKIND_ERROR_UNAVAILABLE;
	switch (cls) {
	case NODES_ALL:
		m = t->present;
		break;
	case NODES_CPU:
		m = t->cpu_nodes;
		break;
	case NODES_HBW_ALL:
	case NODES_HBW:
		err = t->hbw_err;
		m = cls == NODES_HBW ? nearest(t, cpu, t->hbw) : t->hbw;
		break;
	case NODES_DAX_ALL:
	case NODES_DAX:
		err = t->dax_err;
		m = cls == NODES_DAX ? nearest(t, cpu, t->dax) : t->dax;
		break;
	case NODES_CAPACITY:
		m = largest(t, t->present);
		break;
	case NODES_CAPACITY_LOCAL:
		m = largest(t, local_nodes(t, cpu));
		break;
	case NODES_LATENCY_LOCAL:
		m = best_attr(t->lat[cpu], local_nodes(t, cpu), t->nnodes,
			      false);
		break;
	case NODES_BANDWIDTH_LOCAL:
		m = best_attr(t->bw[cpu], local_nodes(t, cpu), t->nnodes, true);
		break;
	}
	if (err)
		return err;
	if (!m)
		return MEMKIND_ERROR_MEMTYPE_NOT_AVAILABLE;
	*out = m;
	return 0;
}

/* The CPU node whose view the calling thread takes: where it runs. */
int nodes_current_cpu_node(void)
{
	const struct topo *t = topo_get();
	int cpu = sched_getcpu(), node;

	node = cpu >= 0 ? numa_node_of_cpu(cpu) : -1;
	if (node >= 0 && node < t->nnodes && (t->cpu_nodes & NODE_BIT(node)))
		return node;
	/* Unknown: the first node with CPUs. */
	for (node = 0; node < t->nnodes; node++)
		if (t->cpu_nodes & NODE_BIT(node))
			return node;
	return -1;
}

int nodes_count(void)
{
	return topo_get()->nnodes;
}

/* Total memory of the nodes in mask, in bytes. */
long long nodes_capacity(node_mask_t mask)
{
	const struct topo *t = topo_get();
	long long sum = 0;
	int n;

	for (n = 0; n < t->nnodes; n++)
		if (mask & NODE_BIT(n))
			sum += t->size[n];
	return sum;
}

/* Free memory of the nodes in mask now, in bytes. */
long long nodes_free(node_mask_t mask)
{
	long long sum = 0, f;
	int n, nn = nodes_count();

	for (n = 0; n < nn; n++) {
		if (!(mask & NODE_BIT(n)))
			continue;
		if (numa_node_size64(n, &f) >= 0)
			sum += f;
	}
	return sum;
}
