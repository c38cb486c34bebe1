/* SPDX-License-Identifier: MIT */
/*
 * A client of memkind's interface, built the way a user builds one:
 *   cc memkind-client.c $(pkg-config --cflags --libs memkind)
 * The install test builds it against Debian's libmemkind-dev before our
 * packages replace it, and runs that binary again afterwards, then builds
 * it again against ours. Allocates from the default kind and from a
 * file-backed kind in DIR (argv[1], default /tmp). Exit 0 on success.
 */
#include <memkind.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	struct memkind *kind = NULL;
	char *p, *q;
	int err;

	p = memkind_malloc(MEMKIND_DEFAULT, 4096);
	if (!p) {
		fprintf(stderr, "memkind_malloc(MEMKIND_DEFAULT) failed\n");
		return 1;
	}
	memset(p, 'd', 4096);
	memkind_free(MEMKIND_DEFAULT, p);

	err = memkind_create_pmem(dir, 2 * MEMKIND_PMEM_MIN_SIZE, &kind);
	if (err) {
		char msg[MEMKIND_ERROR_MESSAGE_SIZE];

		memkind_error_message(err, msg, sizeof(msg));
		fprintf(stderr, "memkind_create_pmem(%s): %s\n", dir, msg);
		return 1;
	}
	q = memkind_malloc(kind, 1 << 20);
	if (!q) {
		fprintf(stderr, "memkind_malloc(pmem kind) failed\n");
		return 1;
	}
	memset(q, 'p', 1 << 20);
	if (q[0] != 'p' || q[(1 << 20) - 1] != 'p')
		return 1;
	memkind_free(kind, q);
	err = memkind_destroy_kind(kind);
	if (err) {
		fprintf(stderr, "memkind_destroy_kind failed: %d\n", err);
		return 1;
	}
	printf("memkind-client: passed (memkind %d)\n", memkind_get_version());
	return 0;
}
