// SPDX-License-Identifier: MIT
/*
 * The `xpmem` command rejects what it does not understand: an unknown
 * command or option, a missing or malformed option value or a stray
 * argument exits with status 2, a message on stderr and nothing on stdout.
 * --help exits 0 with the usage on stdout.
 */
#include "tool_run.h"

static void expect_usage_error(const char *const args[], const char *msg)
{
	struct tool_out r = tool_run(args, 30);
	char what[256] = "xpmem";

	for (int i = 0; args[i]; i++) {
		strncat(what, " ", sizeof(what) - strlen(what) - 1);
		strncat(what, args[i], sizeof(what) - strlen(what) - 1);
	}
	tool_expect_status(&r, 2, what);
	tool_expect_text(r.err, msg, what);
	if (r.out[0])
		test_fail_at(__FILE__, __LINE__, "%s wrote to stdout: %s", what,
			     r.out);
	tool_free(&r);
}

static void expect_help(const char *const args[], const char *text)
{
	struct tool_out r = tool_run(args, 30);

	tool_expect_status(&r, 0, args[0]);
	tool_expect_text(r.out, text, args[0]);
	tool_free(&r);
}

int main(void)
{
	expect_usage_error((const char *[]){NULL}, "Usage:");
	expect_usage_error((const char *[]){"frobnicate", NULL},
			   "unknown command 'frobnicate'");
	expect_usage_error((const char *[]){"--bogus", NULL},
			   "unknown option '--bogus'");
	expect_usage_error((const char *[]){"info", "--bogus", NULL},
			   "invalid option '--bogus'");
	expect_usage_error((const char *[]){"info", "extra", NULL},
			   "unexpected argument 'extra'");
	expect_usage_error((const char *[]){"demo", "-x", NULL},
			   "invalid option '-x'");
	expect_usage_error((const char *[]){"demo", "--size", NULL},
			   "needs an argument");
	expect_usage_error((const char *[]){"demo", "--size", "0", NULL},
			   "invalid size '0'");
	expect_usage_error((const char *[]){"demo", "--size", "12Q", NULL},
			   "invalid size '12Q'");
	expect_usage_error((const char *[]){"bench", "--sizes", "4K,,8K", NULL},
			   "invalid size list");
	expect_usage_error((const char *[]){"bench", "--sizes", "2G", NULL},
			   "over 1 GiB");
	expect_usage_error((const char *[]){"bench", "--iters", "abc", NULL},
			   "invalid sample count 'abc'");
	expect_usage_error((const char *[]){"bench", "--iters", "0", NULL},
			   "invalid sample count '0'");
	expect_usage_error((const char *[]){"bench", "--time", "-1", NULL},
			   "invalid time '-1'");
	expect_usage_error((const char *[]){"bench", "--jsn", NULL},
			   "invalid option '--jsn'");

	expect_help((const char *[]){"--help", NULL}, "Commands:");
	expect_help((const char *[]){"info", "--help", NULL}, "Usage:");
	expect_help((const char *[]){"demo", "--help", NULL}, "--dir");
	expect_help((const char *[]){"bench", "--help", NULL}, "--json");
	return 0;
}
