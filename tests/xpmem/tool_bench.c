// SPDX-License-Identifier: MIT
/*
 * `xpmem bench --quick` in its three output formats. The JSON must parse,
 * name every transport at every size with positive bandwidth and latency
 * (CMA may instead be marked unavailable with a reason), and carry the
 * attachment-cache costs; CSV has one row per size; the table shows the
 * ratio columns. Where process_vm_readv is refused (as Docker's default
 * seccomp profile and Yama do), CMA is reported unavailable with the
 * reason and the rest still runs. No timing thresholds: speed is the
 * benchmark's business.
 */
#include <ctype.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "tool_run.h"

/* ---- a small JSON syntax checker -------------------------------------- */

static const char *json_value(const char *p);

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

static const char *json_str(const char *p)
{
	if (*p++ != '"')
		return NULL;
	while (*p && *p != '"') {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\' && !*++p)
			return NULL;
		p++;
	}
	return *p == '"' ? p + 1 : NULL;
}

static const char *json_number(const char *p)
{
	char *end;

	strtod(p, &end);
	return end == p ? NULL : end;
}

static const char *json_list(const char *p, char close, int is_object)
{
	p = skip_ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (is_object) {
			p = json_str(skip_ws(p));
			if (!p)
				return NULL;
			p = skip_ws(p);
			if (*p++ != ':')
				return NULL;
		}
		p = json_value(p);
		if (!p)
			return NULL;
		p = skip_ws(p);
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

static const char *json_value(const char *p)
{
	p = skip_ws(p);
	switch (*p) {
	case '{':
		return json_list(p, '}', 1);
	case '[':
		return json_list(p, ']', 0);
	case '"':
		return json_str(p);
	case 't':
		return strncmp(p, "true", 4) ? NULL : p + 4;
	case 'f':
		return strncmp(p, "false", 5) ? NULL : p + 5;
	case 'n':
		return strncmp(p, "null", 4) ? NULL : p + 4;
	default:
		return json_number(p);
	}
}

/* ---- content checks ---------------------------------------------------- */

/* The number after "key": at or after p; fails when it is missing. */
static double number_after(const char *p, const char *key)
{
	char pat[64];
	const char *k;
	double v;

	snprintf(pat, sizeof(pat), "\"%s\": ", key);
	k = strstr(p, pat);
	if (!k || sscanf(k + strlen(pat), "%lf", &v) != 1)
		test_fail_at(__FILE__, __LINE__, "no number for %s", key);
	return v;
}

static void check_transport(const char *point, const char *end,
			    const char *name, int may_be_null)
{
	char pat[64];
	const char *t;

	snprintf(pat, sizeof(pat), "\"%s\": ", name);
	t = strstr(point, pat);
	if (!t || t > end)
		test_fail_at(__FILE__, __LINE__, "no %s in result", name);
	t += strlen(pat);
	if (!strncmp(t, "null", 4)) {
		if (!may_be_null)
			test_fail_at(__FILE__, __LINE__, "%s is null", name);
		return;
	}
	if (!(number_after(t, "gbps") > 0) ||
	    !(number_after(t, "latency_ns") > 0))
		test_fail_at(__FILE__, __LINE__, "%s: not positive", name);
}

/*
 * Huge pages against small ones: measured on the module (private memory),
 * with a reason on the user-space backend.
 */
static void check_huge_pages(const char *out)
{
	const char *p = strstr(out, "\"huge_pages\": {");

	if (!p)
		test_fail_at(__FILE__, __LINE__, "no huge_pages:\n%s", out);
	if (strstr(out, "\"backend\": \"user\"")) {
		CHECK(strstr(p, "\"available\": false, \"reason\": \"") == p + 15);
		return;
	}
	if (strncmp(p + 15, "\"available\": true", 17) != 0)
		test_fail_at(__FILE__, __LINE__, "huge pages not measured: %s",
			     p);
	CHECK(number_after(p, "thp_bytes") >= 0);
	CHECK(number_after(p, "huge_ns") > 0);
	CHECK(number_after(p, "small_ns") > 0);
}

static void check_json(const char *out, const size_t *sizes, int n)
{
	const char *end = json_value(out), *p;
	int cma_missing;

	if (!end || *skip_ws(end))
		test_fail_at(__FILE__, __LINE__, "invalid JSON:\n%s", out);
	tool_expect_text(out, "\"backend\": ", "bench --json");
	cma_missing = strstr(out, "\"cma\": {\"available\": false, "
				  "\"reason\": \"") != NULL;
	p = strstr(out, "\"results\": [");
	CHECK(p != NULL);
	for (int i = 0; i < n; i++) {
		char pat[64];
		const char *next;

		snprintf(pat, sizeof(pat), "{\"size\": %zu,", sizes[i]);
		p = strstr(p, pat);
		if (!p)
			test_fail_at(__FILE__, __LINE__, "no result for %zu",
				     sizes[i]);
		next = strstr(p + 1, "{\"size\": ");
		if (!next)
			next = p + strlen(p);
		check_transport(p, next, "xpmem", 0);
		check_transport(p, next, "cma", cma_missing);
		check_transport(p, next, "shm", 0);
		check_transport(p, next, "memcpy", 0);
		if (!(number_after(p, "xpmem_memcpy") > 0) ||
		    !(number_after(p, "xpmem_shm") > 0))
			test_fail_at(__FILE__, __LINE__, "bad ratios");
	}
	p = strstr(out, "\"attach_cache\": {\"available\": true");
	if (!p)
		test_fail_at(__FILE__, __LINE__, "no attach_cache:\n%s", out);
	CHECK(number_after(p, "lookup_ns") > 0);
	CHECK(number_after(p, "lookup_same_window_ns") > 0);
	CHECK(number_after(p, "attach_detach_ns") > 0);
	check_huge_pages(out);
}

static void check_csv(const char *out, int n)
{
	const char *line = out;
	int rows = 0, header = 0;

	while (*line) {
		const char *nl = strchr(line, '\n');

		if (!nl)
			test_fail_at(__FILE__, __LINE__, "unterminated line");
		if (!strncmp(line, "size,xpmem_gbps,", 16))
			header++;
		else if (isdigit((unsigned char)*line))
			rows++;
		else if (*line != '#')
			test_fail_at(__FILE__, __LINE__, "stray CSV line: %.*s",
				     (int)(nl - line), line);
		line = nl + 1;
	}
	if (header != 1 || rows != n)
		test_fail_at(__FILE__, __LINE__, "%d headers, %d rows:\n%s",
			     header, rows, out);
}

#if defined(__x86_64__)
#define TEST_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define TEST_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif

#ifdef TEST_AUDIT_ARCH
/* In the child before exec: process_vm_readv fails with EPERM. */
static void refuse_cma(void)
{
	struct sock_filter code[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		     offsetof(struct seccomp_data, arch)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TEST_AUDIT_ARCH, 1, 0),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		     offsetof(struct seccomp_data, nr)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_process_vm_readv, 0, 1),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
	    .len = sizeof(code) / sizeof(code[0]),
	    .filter = code,
	};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
		_exit(126);
}

static void check_cma_refused(void)
{
	static const size_t sizes[] = {8192};
	struct tool_out r;

	r = tool_run_full(NULL, refuse_cma,
			  (const char *[]){"bench", "--quick", "--sizes", "8K",
					   "--json", NULL},
			  120);
	if (r.status == 126) {
		printf("note: no seccomp here, the case without CMA is not "
		       "run\n");
		tool_free(&r);
		return;
	}
	tool_expect_status(&r, 0, "bench --json without process_vm_readv");
	tool_expect_text(r.out,
			 "\"cma\": {\"available\": false, \"reason\": "
			 "\"process_vm_readv: Operation not permitted",
			 "bench --json without process_vm_readv");
	tool_expect_text(r.out, "\"cma\": null", "bench without CMA");
	tool_expect_text(r.out, "\"xpmem_cma\": null", "bench without CMA");
	check_json(r.out, sizes, 1);
	tool_free(&r);
}
#else
static void check_cma_refused(void)
{
}
#endif

int main(void)
{
	static const size_t sizes[] = {4096, 65536, 1048576};
	struct tool_out r;

	r = tool_run((const char *[]){"bench", "--quick", "--json", NULL}, 120);
	tool_expect_status(&r, 0, "xpmem bench --quick --json");
	check_json(r.out, sizes, 3);
	tool_free(&r);

	r = tool_run((const char *[]){"bench", "--sizes", "8K,12345", "--iters",
				      "3", "--time", "0.01", "--csv", NULL},
		     120);
	tool_expect_status(&r, 0, "xpmem bench --csv");
	check_csv(r.out, 2);
	tool_free(&r);

	r = tool_run((const char *[]){"bench", "--sizes", "16K", "--iters", "3",
				      "--time", "0.01", "--progress", NULL},
		     120);
	tool_expect_status(&r, 0, "xpmem bench");
	tool_expect_text(r.out, "xp/memcpy", "xpmem bench table");
	tool_expect_text(r.out, "16 KiB", "xpmem bench table");
	tool_expect_text(r.out, "attachment cache lookup:", "xpmem bench");
	tool_expect_text(r.err, "[1/1] 16 KiB", "bench --progress");
	tool_free(&r);

	check_cma_refused();
	return 0;
}
