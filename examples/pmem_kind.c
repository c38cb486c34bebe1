// SPDX-License-Identifier: MIT
/*
 * A file-backed memory kind: a heap in a temporary file of a directory.
 *
 *   pmem_kind [DIR]     DIR defaults to /tmp
 *
 * Creates a kind limited to 32 MiB in DIR, allocates from it, writes and
 * reads the memory, frees it and destroys the kind. Exit status 0 on
 * success.
 */
#include <memkind.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	char msg[MEMKIND_ERROR_MESSAGE_SIZE];
	memkind_t kind;
	char *text;
	int *numbers;
	int err, i, sum = 0;

	err = memkind_create_pmem(dir, 32 << 20, &kind);
	if (err) {
		memkind_error_message(err, msg, sizeof(msg));
		fprintf(stderr, "pmem_kind: cannot create a kind in %s: %s\n",
			dir, msg);
		return 1;
	}

	text = memkind_malloc(kind, 64);
	numbers = memkind_calloc(kind, 1000, sizeof(int));
	if (!text || !numbers) {
		perror("pmem_kind: allocation");
		return 1;
	}
	snprintf(text, 64, "hello from a file-backed kind in %s", dir);
	for (i = 0; i < 1000; i++)
		numbers[i] = i;
	for (i = 0; i < 1000; i++)
		sum += numbers[i];
	printf("%s\n", text);
	printf("sum of 0..999 read back from the kind: %d\n", sum);

	/* The kind finds itself from the pointer; NULL works as the kind. */
	memkind_free(NULL, text);
	memkind_free(kind, numbers);

	err = memkind_destroy_kind(kind);
	if (err) {
		memkind_error_message(err, msg, sizeof(msg));
		fprintf(stderr, "pmem_kind: destroy: %s\n", msg);
		return 1;
	}
	return sum == 999 * 1000 / 2 ? 0 : 1;
}
