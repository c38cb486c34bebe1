// SPDX-License-Identifier: MIT
/*
 * `xpmem demo` runs two processes that share a file-backed buffer: it exits
 * 0 and prints both verifications, for the default and for an odd size in
 * a directory of our own, and leaves no file behind there. A directory the
 * kind cannot use makes it fail with status 1, not hang or crash.
 */
#include <dirent.h>

#include "tool_run.h"

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	CHECK(d != NULL);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void expect_demo_passes(const char *const args[], const char *bytes,
			       const char *what)
{
	struct tool_out r = tool_run(args, 60);
	char line[128];

	tool_expect_status(&r, 0, what);
	snprintf(line, sizeof(line),
		 "verified: all %s bytes match the owner's pattern", bytes);
	tool_expect_text(r.out, line, what);
	snprintf(line, sizeof(line),
		 "verified: all %s bytes in the owner's "
		 "buffer carry the attacher's pattern",
		 bytes);
	tool_expect_text(r.out, line, what);
	tool_expect_text(r.out, "xpmem_make: exported", what);
	tool_expect_text(r.out, "xpmem_attach:", what);
	tool_expect_text(r.out, "demo passed", what);
	tool_free(&r);
}

int main(void)
{
	const char *dir;
	char path[4200];
	struct tool_out r;

	expect_demo_passes((const char *[]){"demo", NULL}, "1048576",
			   "xpmem demo");

	dir = test_tmpdir(NULL);
	CHECK(dir != NULL);
	snprintf(path, sizeof(path), "%s", dir);
	expect_demo_passes(
	    (const char *[]){"demo", "--dir", path, "--size", "12345", NULL},
	    "12345", "xpmem demo --dir --size 12345");
	if (count_entries(path))
		test_fail_at(__FILE__, __LINE__, "demo left files in %s", path);

	/* A file where a directory should be: the kind cannot be created. */
	strncat(path, "/not-a-dir", sizeof(path) - strlen(path) - 1);
	{
		int fd = open(path, O_CREAT | O_WRONLY, 0600);

		CHECK(fd >= 0);
		close(fd);
	}
	r = tool_run((const char *[]){"demo", "--dir", path, NULL}, 60);
	tool_expect_status(&r, 1, "xpmem demo --dir <file>");
	tool_expect_text(r.out, "memkind_create_pmem failed", "demo --dir");
	tool_expect_text(r.out, "demo FAILED", "demo --dir");
	tool_free(&r);
	unlink(path);
	*strrchr(path, '/') = '\0';
	CHECK(rmdir(path) == 0);
	return 0;
}
