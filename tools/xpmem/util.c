// SPDX-License-Identifier: MIT
/*
 * Small helpers of the command: error messages, clocks, alignment and the
 * defaults that more than one subcommand uses.
 */
#include <getopt.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xpmem.h>

#include "xpmem_tool.h"

void tool_err(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: ", tool_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int tool_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: ", tool_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (cmd)
		fprintf(stderr, "\nTry '%s %s --help' for more information.\n",
			tool_name, cmd);
	else
		fprintf(stderr, "\nTry '%s --help' for more information.\n",
			tool_name);
	return EXIT_USAGE;
}

int option_error(const char *cmd, int c, char **argv)
{
	if (c == ':')
		return tool_usage_error(cmd, "option '%s' needs an argument",
					argv[optind - 1]);
	if (optopt)
		return tool_usage_error(cmd, "invalid option '-%c'", optopt);
	return tool_usage_error(cmd, "invalid option '%s'", argv[optind - 1]);
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

size_t page_size(void)
{
	static size_t ps;

	if (!ps)
		ps = (size_t)sysconf(_SC_PAGESIZE);
	return ps;
}

uintptr_t align_down(uintptr_t v, size_t a)
{
	return v & ~(uintptr_t)(a - 1);
}

uintptr_t align_up(uintptr_t v, size_t a)
{
	return (v + a - 1) & ~(uintptr_t)(a - 1);
}

const char *default_kind_dir(void)
{
	if (access("/dev/shm", W_OK | X_OK) == 0)
		return "/dev/shm";
	return "/tmp";
}

const char *backend_name(int backend)
{
	switch (backend) {
	case XPMEM_BACKEND_KERNEL:
		return "kernel";
	case XPMEM_BACKEND_USER:
		return "user";
	default:
		return "none";
	}
}
