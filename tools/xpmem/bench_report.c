// SPDX-License-Identifier: MIT
/*
 * Output of `xpmem bench`: a table for people, CSV and JSON for scripts.
 * Bandwidth is in GB/s (10^9 bytes per second), latency is the median time
 * of one transfer. Ratios divide XPMEM's bandwidth by the other transport's:
 * above 1 means XPMEM is faster.
 */
#include <math.h>
#include <stdio.h>

#include "bench.h"
#include "xpmem_tool.h"

static double gbps(const struct bench_point *p, enum transport t)
{
	return (double)p->size / p->ns[t];
}

static bool have_ratio(const struct bench_point *p, enum transport t)
{
	return p->ok[T_XPMEM] && p->ok[t] && p->ns[T_XPMEM] > 0;
}

static double ratio(const struct bench_point *p, enum transport t)
{
	return p->ns[t] / p->ns[T_XPMEM];
}

static void print_header(const struct bench_ctx *ctx, const char *prefix)
{
	printf("%sxpmem bench: backend %s (%s)\n", prefix,
	       backend_name(ctx->backend),
	       ctx->backend_reason ? ctx->backend_reason : "no reason given");
	if (ctx->cpu >= 0 && ctx->peer.info.cpu >= 0)
		printf("%sreceiver on CPU %d, owner on CPU %d; ", prefix,
		       ctx->cpu, ctx->peer.info.cpu);
	else
		printf("%sprocesses not pinned; ", prefix);
	printf("median of %lu samples per point, %.3g s per point\n",
	       ctx->opts.iters, ctx->opts.seconds);
	for (int t = 0; t < T_COUNT; t++)
		if (!ctx->avail[t])
			printf("%s%s: unavailable: %s\n", prefix,
			       transport_names[t], ctx->why_not[t]);
}

static void print_cache_lines(const struct bench_cache_cost *cc,
			      const char *prefix)
{
	char sz[32];

	if (!cc->ok) {
		printf("%sattachment cache: not measured: %s\n", prefix,
		       cc->why_not);
		return;
	}
	printf("%sattachment cache lookup: %.1f ns (same window again), "
	       "%.1f ns (random hits\n%s  among %u cached windows)\n",
	       prefix, cc->lookup_mru_ns, cc->lookup_ns, prefix, cc->entries);
	printf("%suncached xpmem_attach + xpmem_detach of %s: %.2f us\n",
	       prefix, format_size(cc->attach_size, sz, sizeof(sz)),
	       cc->attach_detach_ns / 1000);
}

static double huge_mbps(const struct bench_huge_cost *hc, double ns)
{
	return (double)hc->size / (1 << 20) / (ns / 1e9);
}

static void print_huge_lines(const struct bench_huge_cost *hc,
			     const char *prefix)
{
	char sz[32];

	format_size(hc->size, sz, sizeof(sz));
	if (!hc->ok) {
		printf("%sattach + read + detach of %s: not measured: %s\n",
		       prefix, sz, hc->why_not);
		return;
	}
	printf("%sattach + read + detach of %s: huge pages %.0f MiB/s "
	       "(%lld%% THP), small pages\n%s  %.0f MiB/s: %.2fx\n",
	       prefix, sz, huge_mbps(hc, hc->huge_ns),
	       (long long)(hc->thp_bytes * 100 / (int64_t)hc->size), prefix,
	       huge_mbps(hc, hc->small_ns), hc->small_ns / hc->huge_ns);
}

/* ---- table ------------------------------------------------------------- */

static void table_cell(const struct bench_point *p, enum transport t)
{
	if (p->ok[t])
		printf(" %7.2f %9.3f", gbps(p, t), p->ns[t] / 1000);
	else
		printf(" %7s %9s", "n/a", "n/a");
}

static void table_ratio(const struct bench_point *p, enum transport t)
{
	if (have_ratio(p, t))
		printf(" %8.2fx", ratio(p, t));
	else
		printf(" %9s", "n/a");
}

void report_table(const struct bench_ctx *ctx, const struct bench_point *pts,
		  int n, const struct bench_cache_cost *cc,
		  const struct bench_huge_cost *hc)
{
	char sz[32];

	print_header(ctx, "");
	printf("one-way copy into the receiver's buffer: GB/s (10^9 B/s) "
	       "and median latency\n\n");
	printf("%9s", "size");
	for (int t = 0; t < T_COUNT; t++)
		printf(" %7s %9s", transport_names[t], "lat us");
	printf(" %9s %9s %9s\n", "xp/cma", "xp/shm", "xp/memcpy");
	for (int i = 0; i < n; i++) {
		printf("%9s", format_size(pts[i].size, sz, sizeof(sz)));
		for (int t = 0; t < T_COUNT; t++)
			table_cell(&pts[i], t);
		table_ratio(&pts[i], T_CMA);
		table_ratio(&pts[i], T_SHM);
		table_ratio(&pts[i], T_MEMCPY);
		putchar('\n');
	}
	putchar('\n');
	print_cache_lines(cc, "");
	print_huge_lines(hc, "");
}

/* ---- CSV --------------------------------------------------------------- */

static void csv_num(bool ok, double v)
{
	if (ok && isfinite(v))
		printf(",%.6g", v);
	else
		printf(",");
}

void report_csv(const struct bench_ctx *ctx, const struct bench_point *pts,
		int n, const struct bench_cache_cost *cc,
		  const struct bench_huge_cost *hc)
{
	/* Context as comment lines: readers that take "#" comments skip it. */
	print_header(ctx, "# ");
	print_cache_lines(cc, "# ");
	print_huge_lines(hc, "# ");
	printf("size");
	for (int t = 0; t < T_COUNT; t++)
		printf(",%s_gbps,%s_latency_ns", transport_names[t],
		       transport_names[t]);
	printf(",xpmem_cma,xpmem_shm,xpmem_memcpy\n");
	for (int i = 0; i < n; i++) {
		printf("%zu", pts[i].size);
		for (int t = 0; t < T_COUNT; t++) {
			csv_num(pts[i].ok[t], gbps(&pts[i], t));
			csv_num(pts[i].ok[t], pts[i].ns[t]);
		}
		csv_num(have_ratio(&pts[i], T_CMA), ratio(&pts[i], T_CMA));
		csv_num(have_ratio(&pts[i], T_SHM), ratio(&pts[i], T_SHM));
		csv_num(have_ratio(&pts[i], T_MEMCPY),
			ratio(&pts[i], T_MEMCPY));
		putchar('\n');
	}
}

/* ---- JSON -------------------------------------------------------------- */

static void json_string(const char *s)
{
	putchar('"');
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void json_num(double v)
{
	if (isfinite(v))
		printf("%.6g", v);
	else
		printf("null");
}

static void json_transports(const struct bench_ctx *ctx)
{
	printf("  \"transports\": {");
	for (int t = 0; t < T_COUNT; t++) {
		printf("%s\n    \"%s\": {\"available\": %s", t ? "," : "",
		       transport_names[t], ctx->avail[t] ? "true" : "false");
		if (!ctx->avail[t]) {
			printf(", \"reason\": ");
			json_string(ctx->why_not[t]);
		}
		putchar('}');
	}
	printf("\n  },\n");
}

static void json_point(const struct bench_point *p)
{
	printf("    {\"size\": %zu", p->size);
	for (int t = 0; t < T_COUNT; t++) {
		printf(", \"%s\": ", transport_names[t]);
		if (!p->ok[t]) {
			printf("null");
			continue;
		}
		printf("{\"gbps\": ");
		json_num(gbps(p, t));
		printf(", \"latency_ns\": ");
		json_num(p->ns[t]);
		putchar('}');
	}
	printf(", \"ratios\": {");
	for (int t = T_CMA, first = 1; t < T_COUNT; t++, first = 0) {
		printf("%s\"xpmem_%s\": ", first ? "" : ", ",
		       transport_names[t]);
		if (have_ratio(p, t))
			json_num(ratio(p, t));
		else
			printf("null");
	}
	printf("}}");
}

static void json_cache(const struct bench_cache_cost *cc)
{
	printf("  \"attach_cache\": {");
	if (!cc->ok) {
		printf("\"available\": false, \"reason\": ");
		json_string(cc->why_not);
		printf("}");
		return;
	}
	printf("\"available\": true, \"entries\": %u, \"lookup_ns\": ",
	       cc->entries);
	json_num(cc->lookup_ns);
	printf(", \"lookup_same_window_ns\": ");
	json_num(cc->lookup_mru_ns);
	printf(", \"attach_detach_size\": %zu, \"attach_detach_ns\": ",
	       cc->attach_size);
	json_num(cc->attach_detach_ns);
	printf("}");
}

static void json_huge(const struct bench_huge_cost *hc)
{
	printf("  \"huge_pages\": {");
	if (!hc->ok) {
		printf("\"available\": false, \"reason\": ");
		json_string(hc->why_not);
		printf("}\n");
		return;
	}
	printf("\"available\": true, \"size\": %zu, \"thp_bytes\": %lld, "
	       "\"huge_ns\": ", hc->size, (long long)hc->thp_bytes);
	json_num(hc->huge_ns);
	printf(", \"small_ns\": ");
	json_num(hc->small_ns);
	printf("}\n");
}

void report_json(const struct bench_ctx *ctx, const struct bench_point *pts,
		 int n, const struct bench_cache_cost *cc,
		  const struct bench_huge_cost *hc)
{
	printf("{\n  \"backend\": ");
	json_string(backend_name(ctx->backend));
	printf(",\n  \"backend_reason\": ");
	json_string(ctx->backend_reason);
	printf(",\n  \"receiver_cpu\": %d,\n  \"owner_cpu\": %d,\n", ctx->cpu,
	       ctx->peer.info.cpu);
	printf("  \"samples\": %lu,\n  \"seconds_per_point\": ",
	       ctx->opts.iters);
	json_num(ctx->opts.seconds);
	printf(",\n");
	json_transports(ctx);
	printf("  \"results\": [\n");
	for (int i = 0; i < n; i++) {
		json_point(&pts[i]);
		printf("%s\n", i + 1 < n ? "," : "");
	}
	printf("  ],\n");
	json_cache(cc);
	printf(",\n");
	json_huge(hc);
	printf("}\n");
}
