// SPDX-License-Identifier: MIT
/*
 * The options of `xpmem bench` and their defaults. Explicit --iters and
 * --time win over the values --quick implies.
 */
#include <getopt.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "xpmem_tool.h"

#define DEFAULT_ITERS 15
#define DEFAULT_SECONDS 0.2
#define QUICK_ITERS 5
#define QUICK_SECONDS 0.02

static const size_t default_sizes[] = {
    4 << 10, 16 << 10, 64 << 10, 256 << 10,
    1 << 20, 4 << 20,  16 << 20, 64 << 20,
};
static const size_t quick_sizes[] = {4 << 10, 64 << 10, 1 << 20};

static void bench_usage(FILE *f)
{
	fprintf(f,
		"Usage: %s bench [options]\n\n"
		"One-way copy bandwidth and latency between two processes "
		"through XPMEM\n(attachment cached), process_vm_readv (CMA), "
		"two-copy POSIX shared\nmemory, and a local memcpy as the "
		"limit.\n\n"
		"  -s, --sizes LIST  sizes, e.g. 4K,1M,64M (default powers "
		"of 4, 4K..64M)\n"
		"  -n, --iters N     timed samples per point, median "
		"reported (default %d)\n"
		"  -t, --time SEC    time per point (default %.1f)\n"
		"  -q, --quick       4K,64K,1M with few samples: a short "
		"run\n"
		"      --csv         CSV output\n"
		"      --json        JSON output\n"
		"      --progress    progress on stderr (default: when it "
		"is a terminal)\n"
		"      --no-pin      do not pin the two processes to two "
		"CPUs\n"
		"  -h, --help        this text\n",
		tool_name, DEFAULT_ITERS, DEFAULT_SECONDS);
}

enum { OPT_CSV = 256, OPT_JSON, OPT_PROGRESS, OPT_NO_PIN };

static int parse_bench_arg(struct bench_opts *o, int c, char **argv,
			   bool *iters_set, bool *time_set)
{
	switch (c) {
	case 's':
		o->nsizes = parse_size_list(optarg, o->sizes, BENCH_MAX_SIZES);
		if (o->nsizes < 0)
			return tool_usage_error("bench",
						"invalid size list "
						"'%s'",
						optarg);
		for (int i = 0; i < o->nsizes; i++)
			if (o->sizes[i] > ((size_t)1 << 30))
				return tool_usage_error("bench",
							"size '%s' "
							"is over 1 GiB",
							optarg);
		return 0;
	case 'n':
		if (parse_uint(optarg, 100000, &o->iters) || o->iters == 0)
			return tool_usage_error("bench",
						"invalid sample "
						"count '%s'",
						optarg);
		*iters_set = true;
		return 0;
	case 't':
		if (parse_seconds(optarg, &o->seconds))
			return tool_usage_error("bench", "invalid time '%s'",
						optarg);
		*time_set = true;
		return 0;
	case 'q':
		o->quick = true;
		return 0;
	case OPT_CSV:
		o->format = FMT_CSV;
		return 0;
	case OPT_JSON:
		o->format = FMT_JSON;
		return 0;
	case OPT_PROGRESS:
		o->progress = true;
		return 0;
	case OPT_NO_PIN:
		o->pin = false;
		return 0;
	case 'h':
		bench_usage(stdout);
		return -1;
	default:
		return option_error("bench", c, argv);
	}
}

static void apply_defaults(struct bench_opts *o, bool iters_set, bool time_set)
{
	const size_t *sizes = o->quick ? quick_sizes : default_sizes;
	int n = o->quick ? 3 : 8;

	if (!o->nsizes) {
		memcpy(o->sizes, sizes, (size_t)n * sizeof(*sizes));
		o->nsizes = n;
	}
	if (!iters_set)
		o->iters = o->quick ? QUICK_ITERS : DEFAULT_ITERS;
	if (!time_set)
		o->seconds = o->quick ? QUICK_SECONDS : DEFAULT_SECONDS;
}

int parse_bench_opts(int argc, char **argv, struct bench_opts *o)
{
	static const struct option opts[] = {
	    {"sizes", required_argument, NULL, 's'},
	    {"iters", required_argument, NULL, 'n'},
	    {"time", required_argument, NULL, 't'},
	    {"quick", no_argument, NULL, 'q'},
	    {"csv", no_argument, NULL, OPT_CSV},
	    {"json", no_argument, NULL, OPT_JSON},
	    {"progress", no_argument, NULL, OPT_PROGRESS},
	    {"no-pin", no_argument, NULL, OPT_NO_PIN},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	bool iters_set = false, time_set = false;
	int c;

	memset(o, 0, sizeof(*o));
	o->pin = true;
	o->progress = isatty(STDERR_FILENO);
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:s:n:t:qh", opts, NULL)) != -1) {
		int ret = parse_bench_arg(o, c, argv, &iters_set, &time_set);

		if (ret)
			return ret;
	}
	if (optind < argc)
		return tool_usage_error("bench", "unexpected argument '%s'",
					argv[optind]);
	apply_defaults(o, iters_set, time_set);
	return 0;
}
