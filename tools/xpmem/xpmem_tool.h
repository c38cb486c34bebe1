/* SPDX-License-Identifier: MIT */
/*
 * Declarations shared by the files of the `xpmem` command. Each subcommand
 * lives in its own file and is entered through a cmd_*() function that
 * returns the process exit status: 0 success, 1 failure, 2 usage error.
 */
#ifndef XPMEM_TOOL_H
#define XPMEM_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define EXIT_USAGE 2

extern const char *tool_name;

int cmd_info(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_bench(int argc, char **argv);

/* Messages on stderr, prefixed with the command name. */
__attribute__((format(printf, 1, 2))) void tool_err(const char *fmt, ...);
/* Prints the message and a hint to use --help; returns EXIT_USAGE. */
__attribute__((format(printf, 2, 3))) int
tool_usage_error(const char *cmd, const char *fmt, ...);

/*
 * After getopt_long() returned '?' or ':' (opterr is 0 and the option
 * string starts with "+:"): prints what was wrong; returns EXIT_USAGE.
 */
int option_error(const char *cmd, int c, char **argv);

/* Sizes: "4096", "4K", "4KiB", "64M", "1G" (binary units). */
int parse_size(const char *s, size_t *out);
/* A comma-separated list of sizes; returns the count or -errno. */
int parse_size_list(const char *s, size_t *out, int max);
int parse_uint(const char *s, unsigned long max, unsigned long *out);
int parse_seconds(const char *s, double *out);
/* "4 KiB", "64 MiB", or bytes when not a round binary unit. */
const char *format_size(size_t n, char *buf, size_t len);

uint64_t now_ns(void);
size_t page_size(void);
uintptr_t align_down(uintptr_t v, size_t a);
uintptr_t align_up(uintptr_t v, size_t a);

/*
 * Deterministic byte patterns: the byte at index i of a buffer filled with
 * seed s. Different seeds give different bytes at every index, so a stale
 * or misplaced copy is caught by pattern_check().
 */
void pattern_fill(void *buf, size_t len, unsigned int seed);
/* Returns the index of the first wrong byte, or len when all are right. */
size_t pattern_check(const void *buf, size_t len, unsigned int seed);
unsigned char pattern_byte(size_t i, unsigned int seed);

/*
 * Messages between the two processes of demo and bench travel over pipes.
 * Both helpers give up with -ETIMEDOUT after timeout_ms and with -EPIPE when
 * the peer has gone, so a dead peer never hangs the command.
 */
int pipe_send(int fd, const void *msg, size_t len);
int pipe_recv(int fd, void *msg, size_t len, int timeout_ms);

/* Waits for a child; returns its exit status or 128+signal, -errno. */
int wait_child(pid_t pid);

/* Default directory for file-backed kinds: /dev/shm if writable, else /tmp. */
const char *default_kind_dir(void);

const char *backend_name(int backend);

#endif /* XPMEM_TOOL_H */
