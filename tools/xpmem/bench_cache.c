// SPDX-License-Identifier: MIT
/*
 * What an XPMEM client pays per transfer besides the copy: a lookup in its
 * attachment cache when the window is attached already, or an attach and a
 * detach when it is not (or when it does not cache).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "xpmem_tool.h"

#define CACHE_ENTRIES 64
#define LOOKUP_KEYS 4096 /* power of two */
#define LOOKUP_LEN 64

/* Fills the cache with one-page windows spread over the owner's buffer. */
static int fill_cache(struct bench_ctx *ctx, struct attach_cache *c,
		      unsigned int n, uint64_t stride)
{
	for (unsigned int i = 0; i < n; i++) {
		void *p;
		int err = attach_cache_get(c, ctx->apid,
					   ctx->peer.info.buf + i * stride,
					   page_size(), &p);

		if (err)
			return err;
	}
	return 0;
}

/*
 * Lookups of keys spread over the first `spread` cached windows: 1 is the
 * common case of a client sending from one buffer again and again (the
 * most-recent check hits), n makes every lookup search.
 */
static int time_lookups(struct bench_ctx *ctx, struct attach_cache *c,
			unsigned int n, unsigned int spread, uint64_t stride,
			double *ns)
{
	uint64_t *keys = malloc(LOOKUP_KEYS * sizeof(*keys));
	unsigned long count = ctx->opts.quick ? 200000 : 4000000;
	unsigned long misses = 0;
	uint64_t t0, t1;

	if (!keys)
		return -ENOMEM;
	srand(1);
	for (unsigned int k = 0; k < LOOKUP_KEYS; k++)
		keys[k] = ctx->peer.info.buf +
			  (uint64_t)(rand() % spread) * stride +
			  (uint64_t)rand() % (page_size() - LOOKUP_LEN);
	t0 = now_ns();
	for (unsigned long i = 0; i < count; i++) {
		void *p = attach_cache_lookup(
		    c, ctx->apid, keys[i & (LOOKUP_KEYS - 1)], LOOKUP_LEN);

		misses += !p;
	}
	t1 = now_ns();
	free(keys);
	/* Every key is inside a cached window: a miss is a cache bug. */
	if (misses || c->attaches != n)
		return -EFAULT;
	*ns = (double)(t1 - t0) / (double)count;
	return 0;
}

static int measure_lookup(struct bench_ctx *ctx, struct bench_cache_cost *r)
{
	unsigned int n = CACHE_ENTRIES;
	struct attach_cache c;
	uint64_t stride;
	int err;

	if (ctx->owner_size / page_size() < n)
		n = (unsigned int)(ctx->owner_size / page_size());
	stride = align_down(ctx->owner_size / n, page_size());
	err = attach_cache_init(&c, CACHE_ENTRIES);
	if (err)
		return err;
	err = fill_cache(ctx, &c, n, stride);
	if (!err)
		err = time_lookups(ctx, &c, n, 1, stride, &r->lookup_mru_ns);
	if (!err)
		err = time_lookups(ctx, &c, n, n, stride, &r->lookup_ns);
	attach_cache_fini(&c);
	r->entries = n;
	return err;
}

static int measure_attach_detach(struct bench_ctx *ctx,
				 struct bench_cache_cost *r)
{
	size_t reps = ctx->opts.quick ? 50 : 1000;
	struct xpmem_addr addr = {
	    .apid = ctx->apid,
	    .offset = (off_t)ctx->peer.info.buf,
	};
	double *samples = malloc(reps * sizeof(*samples));
	int err = 0;

	if (!samples)
		return -ENOMEM;
	r->attach_size = page_size();
	for (size_t i = 0; i < reps && !err; i++) {
		uint64_t t0 = now_ns();
		void *p = xpmem_attach(addr, r->attach_size, NULL);

		if (p == (void *)-1 || xpmem_detach(p))
			err = -errno;
		samples[i] = (double)(now_ns() - t0);
	}
	if (!err)
		r->attach_detach_ns = median_of(samples, reps);
	free(samples);
	return err;
}

void measure_cache_cost(struct bench_ctx *ctx, struct bench_cache_cost *r)
{
	int err;

	memset(r, 0, sizeof(*r));
	err = measure_lookup(ctx, r);
	if (err) {
		snprintf(r->why_not, sizeof(r->why_not), "lookup: %s",
			 strerror(-err));
		return;
	}
	err = measure_attach_detach(ctx, r);
	if (err) {
		snprintf(r->why_not, sizeof(r->why_not),
			 "xpmem_attach/detach: %s", strerror(-err));
		return;
	}
	r->ok = true;
}
