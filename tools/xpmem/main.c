// SPDX-License-Identifier: MIT
/*
 * xpmem: status, demonstration and benchmark of cross-process memory.
 *
 * This file only dispatches to the subcommands. Exit status: 0 success,
 * 1 the operation failed, 2 the command line was wrong.
 */
#include <stdlib.h>
#include <string.h>

#include "xpmem_tool.h"

#ifndef XPMEM_TOOL_VERSION
#define XPMEM_TOOL_VERSION "unknown"
#endif

const char *tool_name = "xpmem";

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
    {"info", cmd_info, "backend, device, module version and limits"},
    {"demo", cmd_demo, "two processes share a file-backed buffer"},
    {"bench", cmd_bench, "XPMEM against CMA, shared memory and memcpy"},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [--help | --version] <command> [options]\n\n"
		"Commands:\n",
		tool_name);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-6s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(f,
		"\n'%s <command> --help' describes a command's options; "
		"see xpmem(1).\n",
		tool_name);
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const struct command *cmd;
	const char *arg;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	arg = argv[1];
	if (!strcmp(arg, "-h") || !strcmp(arg, "--help") ||
	    !strcmp(arg, "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(arg, "-V") || !strcmp(arg, "--version")) {
		printf("%s %s\n", tool_name, XPMEM_TOOL_VERSION);
		return 0;
	}
	if (arg[0] == '-')
		return tool_usage_error(NULL, "unknown option '%s'", arg);
	cmd = find_command(arg);
	if (!cmd)
		return tool_usage_error(NULL, "unknown command '%s'", arg);
	return cmd->run(argc - 1, argv + 1);
}
