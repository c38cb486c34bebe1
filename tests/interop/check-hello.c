// SPDX-License-Identifier: MIT
/*
 * check-hello: checks the bytes that UCX's ucp_hello_world client received.
 *
 *   ucp_hello_world -n HOST -s SIZE ... | check-hello SIZE
 *
 * The example's server sends a SIZE-byte message holding 'A' + i % 26 for
 * i < SIZE - 1 and a final NUL; the client prints it between a success
 * banner and a closing rule, and checks nothing itself. This program finds
 * the banner and compares every printed byte with the pattern, so a
 * transport that loses, shifts or corrupts data fails the run. Exit 0 when
 * all SIZE - 1 bytes are right, 1 otherwise, 2 on bad usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BANNER "----- UCP TEST SUCCESS ----\n\n"
#define CLOSING "\n\n-----"

/* The whole output: the message plus the example's few lines of chatter. */
static char *read_all(FILE *f, size_t *len)
{
	size_t cap = 1 << 16, n = 0, got;
	char *buf = malloc(cap + 1), *bigger;

	while (buf) {
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (n < cap) {
			if (ferror(f))
				break;
			buf[n] = '\0';
			*len = n;
			return buf;
		}
		cap *= 2;
		bigger = realloc(buf, cap + 1);
		if (!bigger)
			break;
		buf = bigger;
	}
	free(buf);
	return NULL;
}

/* Returns the offset of the first wrong byte, or -1 if all are right. */
static long first_mismatch(const char *msg, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (msg[i] != (char)('A' + i % 26))
			return (long)i;
	return -1;
}

static int check(const char *out, size_t len, size_t size)
{
	const char *banner = strstr(out, BANNER), *msg;
	size_t count = size - 1, avail;
	long bad;

	if (!banner) {
		fprintf(stderr, "check-hello: no success banner in the output\n");
		return 1;
	}
	msg = banner + strlen(BANNER);
	avail = len - (size_t)(msg - out);
	if (avail < count + strlen(CLOSING)) {
		fprintf(stderr, "check-hello: %zu bytes after the banner, want %zu\n",
			avail, count);
		return 1;
	}
	bad = first_mismatch(msg, count);
	if (bad >= 0) {
		fprintf(stderr, "check-hello: byte %ld is 0x%02x, want 0x%02x\n",
			bad, (unsigned char)msg[bad], 'A' + (unsigned)(bad % 26));
		return 1;
	}
	/* A longer message than sent would also be wrong. */
	if (memcmp(msg + count, CLOSING, strlen(CLOSING))) {
		fprintf(stderr, "check-hello: message longer than %zu bytes\n",
			count);
		return 1;
	}
	printf("check-hello: %zu bytes received intact\n", count);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long long size;
	size_t len;
	char *out, *end;
	int ret;

	errno = 0;
	size = argc == 2 ? strtoull(argv[1], &end, 10) : 0;
	if (argc != 2 || errno || *end || size < 2 || size > (1ULL << 30)) {
		fprintf(stderr, "usage: check-hello <message size, 2..1 GiB>\n");
		return 2;
	}
	out = read_all(stdin, &len);
	if (!out) {
		fprintf(stderr, "check-hello: cannot read the output: %s\n",
			strerror(errno ? errno : ENOMEM));
		return 1;
	}
	ret = check(out, len, (size_t)size);
	free(out);
	return ret;
}
