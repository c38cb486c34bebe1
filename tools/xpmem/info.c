// SPDX-License-Identifier: MIT
/*
 * xpmem info: what a program linked against libxpmem gets on this machine.
 * The backend and why, the device and module, versions, limits, and the
 * settings that decide which transports work (Yama for CMA).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memkind.h>
#include <xpmem.h>

#include "xpmem_tool.h"

#ifndef XPMEM_TOOL_VERSION
#define XPMEM_TOOL_VERSION "unknown"
#endif

#define DEV_PATH "/dev/xpmem"

static void info_usage(FILE *f)
{
	fprintf(f,
		"Usage: %s info [--help]\n\n"
		"Prints the XPMEM backend in use and why, /dev/xpmem and the "
		"module,\nversions, limits and the Yama ptrace scope.\n",
		tool_name);
}

/* Reads the first line of a small text file; -errno when it cannot. */
static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	int ret = 0;

	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		ret = ferror(f) ? -EIO : -ENODATA;
	fclose(f);
	if (!ret)
		buf[strcspn(buf, "\n")] = '\0';
	return ret;
}

static void print_backend(void)
{
	const char *reason = NULL;
	int backend = xpmem_backend(&reason);

	if (backend < 0) {
		printf("backend:          none (%s)\n", strerror(errno));
		return;
	}
	printf("backend:          %s\n", backend_name(backend));
	printf("  why:            %s\n", reason ? reason : "(not given)");
	printf("  override:       XPMEM_BACKEND=kernel|user|auto");
	if (getenv("XPMEM_BACKEND"))
		printf(" (set: %s)", getenv("XPMEM_BACKEND"));
	putchar('\n');
}

static void print_device(void)
{
	struct stat st;

	if (stat(DEV_PATH, &st)) {
		printf("%-18s%s\n", DEV_PATH ":", strerror(errno));
		return;
	}
	printf(
	    "%-18s%s, mode %04o, owner %u:%u, %s for this user\n", DEV_PATH ":",
	    S_ISCHR(st.st_mode) ? "character device" : "not a character device",
	    st.st_mode & 07777, (unsigned int)st.st_uid,
	    (unsigned int)st.st_gid,
	    access(DEV_PATH, R_OK | W_OK) ? "not accessible" : "accessible");
}

/* The module's "name value" counters, four to a line. */
static void print_counters(const char *path)
{
	FILE *f = fopen(path, "re");
	char line[128];
	int n = 0;

	if (!f)
		return;
	printf("  counters:      ");
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (n && n % 4 == 0)
			printf(",\n                 ");
		else if (n)
			putchar(',');
		printf(" %s", line);
		n++;
	}
	printf("%s  (%s)\n", n ? "" : " none", path);
	fclose(f);
}

static void print_module(int backend)
{
	char line[256];
	int v;

	if (access("/sys/module/xpmem", F_OK)) {
		printf("module:           not loaded\n");
	} else if (!read_line("/sys/module/xpmem/version", line,
			      sizeof(line))) {
		printf("module:           loaded, version %s\n", line);
	} else {
		printf("module:           loaded\n");
	}
	print_counters("/proc/xpmem/stats");
	v = xpmem_version();
	if (v < 0 && backend == XPMEM_BACKEND_USER)
		printf("xpmem_version():  -1 (%s): no driver, so clients such "
		       "as UCX\n                  use other transports; "
		       "XPMEM_BACKEND=user makes it answer\n", strerror(errno));
	else if (v < 0)
		printf("xpmem_version():  failed: %s\n", strerror(errno));
	else
		printf("xpmem_version():  0x%08x (%s)\n", (unsigned int)v,
		       backend == XPMEM_BACKEND_KERNEL
			   ? "reported by the module"
			   : "interface version of the user-space backend");
}

static void print_versions(void)
{
	int v = memkind_get_version();

	printf("libxpmem:         %s (libxpmem.so.0)\n", XPMEM_TOOL_VERSION);
	printf("libmemkind:       %d.%d.%d (memkind_get_version)\n",
	       v / 1000000, v / 1000 % 1000, v % 1000);
}

/*
 * Whether the CPU has 5-level paging: programs then may map above 47 bits
 * when they ask for it with a high hint, so a segment can be larger.
 */
static bool cpu_has_la57(void)
{
	FILE *f = fopen("/proc/cpuinfo", "re");
	char line[4096];
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = !strncmp(line, "flags", 5) && strstr(line, " la57");
	fclose(f);
	return found;
}

static void print_limits(int backend)
{
	struct rlimit rl;

	printf("limits:\n");
	printf("  page size:      %zu bytes (make/attach addresses and sizes "
	       "are multiples)\n",
	       page_size());
	printf("  XPMEM_MAXADDR_SIZE: 0x%zx: with address NULL, "
	       "xpmem_make exports\n                  the whole address "
	       "space (as MPI and UCX do)\n",
	       XPMEM_MAXADDR_SIZE);
	printf("  largest segment: the user address space: 128 TiB "
	       "(47-bit)%s\n",
	       cpu_has_la57()
		   ? ", 64 PiB for programs that map above 47 bits (la57)"
		   : "");
	if (backend == XPMEM_BACKEND_KERNEL) {
		printf("  shareable:      any memory of the owner (anonymous, "
		       "stack, heap, files);\n                  pages are "
		       "mapped at fault time\n");
	} else {
		if (!getrlimit(RLIMIT_NOFILE, &rl))
			printf("  open files:     %llu (descriptors travel "
			       "with each attach)\n",
			       (unsigned long long)rl.rlim_cur);
		printf("  shareable:      MAP_SHARED file, memfd, tmpfs and "
		       "DAX mappings, every\n                  libmemkind "
		       "kind (pmem, shared); private anonymous memory,\n"
		       "                  stack and malloc heap fail at "
		       "attach time\n");
	}
}

static void print_yama(void)
{
	static const char *const meaning[] = {
	    "classic: CMA to any process of the same user",
	    "restricted: CMA only to descendants (MPI ranks are not)",
	    "admin-only: CMA needs CAP_SYS_PTRACE",
	    "no attach: CMA is disabled",
	};
	char line[32];
	unsigned long v;

	if (read_line("/proc/sys/kernel/yama/ptrace_scope", line,
		      sizeof(line))) {
		printf("yama ptrace_scope: not present (CMA to any process of "
		       "the same user)\n");
		return;
	}
	if (parse_uint(line, 3, &v)) {
		printf("yama ptrace_scope: %s (unknown value)\n", line);
		return;
	}
	printf("yama ptrace_scope: %lu, %s\n", v, meaning[v]);
}

int cmd_info(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *reason;
	int c, backend;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		if (c == 'h') {
			info_usage(stdout);
			return 0;
		}
		return option_error("info", c, argv);
	}
	if (optind < argc)
		return tool_usage_error("info", "unexpected argument '%s'",
					argv[optind]);

	backend = xpmem_backend(&reason);
	print_backend();
	print_device();
	print_module(backend);
	print_versions();
	print_limits(backend);
	print_yama();
	return backend < 0 ? 1 : 0;
}
