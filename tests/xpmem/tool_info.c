// SPDX-License-Identifier: MIT
/*
 * `xpmem info` names the backend the library chose, and follows the
 * XPMEM_BACKEND override; it reports the page size the system really uses.
 */
#include "tool_run.h"

/* The word after "backend:" on its own line of the report. */
static void backend_word(const char *out, char *word, size_t len)
{
	const char *line = strstr(out, "\nbackend:");

	if (!line && !strncmp(out, "backend:", 8))
		line = out - 1;
	if (!line)
		test_fail_at(__FILE__, __LINE__, "no backend line in:\n%s",
			     out);
	CHECK(sscanf(line + 1, "backend: %31s", word) == 1);
	(void)len;
}

int main(void)
{
	struct tool_out r = tool_run((const char *[]){"info", NULL}, 30);
	char word[32], page_line[64];

	tool_expect_status(&r, 0, "xpmem info");
	backend_word(r.out, word, sizeof(word));
	if (strcmp(word, "user") && strcmp(word, "kernel"))
		test_fail_at(__FILE__, __LINE__, "backend '%s'", word);
	tool_expect_text(r.out, "why:", "xpmem info");
	tool_expect_text(r.out, "yama ptrace_scope:", "xpmem info");
	snprintf(page_line, sizeof(page_line), "page size:      %ld bytes",
		 sysconf(_SC_PAGESIZE));
	tool_expect_text(r.out, page_line, "xpmem info");
	tool_free(&r);

	/* The override is honoured and the report says so. */
	r = tool_run_env("XPMEM_BACKEND=user", (const char *[]){"info", NULL},
			 30);
	tool_expect_status(&r, 0, "XPMEM_BACKEND=user xpmem info");
	backend_word(r.out, word, sizeof(word));
	if (strcmp(word, "user"))
		test_fail_at(__FILE__, __LINE__,
			     "XPMEM_BACKEND=user gave backend '%s'", word);
	tool_expect_text(r.out, "(set: user)", "XPMEM_BACKEND=user xpmem info");
	tool_expect_text(r.out, "memfd", "XPMEM_BACKEND=user xpmem info");
	tool_free(&r);
	return 0;
}
