/* SPDX-License-Identifier: MIT */
/*
 * RDMA on an attachment. The attacher registers the attached memory with
 * ibv_reg_mr, then two RC queue pairs of the first RDMA device, connected
 * to each other (soft-RoCE loops the packets back inside the device), do
 * an RDMA WRITE into it and an RDMA READ from it. The written bytes must
 * land in the owner's pages, and the READ must return what the owner wrote
 * after the registration: the MR holds the owner's pages, not copies.
 *
 * Shareable owner memory (a memfd) must work on both backends. On private
 * anonymous memory the module's attachment maps bare page frames that
 * get_user_pages cannot pin, so ibv_reg_mr must fail with EFAULT, cleanly.
 * The user-space backend refuses to attach such memory at all
 * (private_mem.c), so that half runs on the module only.
 *
 * Teardown follows the order that exercises the module's invalidation of
 * pinned attachments: deregister, the owner unmaps, then detach. The VM
 * harness checks the module's counters and kmemleak afterwards.
 * Without an RDMA device the test skips.
 */
#include <infiniband/verbs.h>
#include <time.h>

#include "xpmem_test.h"

#define NPAGES		16
#define PORT		1
#define CQ_DEPTH	8
/* Generous: a debug kernel under TCG moves a few MB/s through rxe. */
#define CQ_TIMEOUT_S	30
/* The guest's setup waits for the port; this covers a slow GID update. */
#define PORT_TIMEOUT_S	10
#define MR_ACCESS	(IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | \
			 IBV_ACCESS_REMOTE_READ)

/* Pattern seeds: the owner's bytes, the WRITE's, the owner's later ones. */
enum { SEED_OWNER = 1, SEED_WRITE = 2, SEED_LATER = 3, SEED_PRIVATE = 4 };

/* Steps of the shareable case, sent over the channel. */
enum { STEP_REGISTERED = 1, STEP_REWRITTEN, STEP_TRANSFERRED, STEP_CHECKED,
       STEP_DEREGISTERED, STEP_UNMAPPED };

/*
 * The regions the transfers cover: neither starts on a page boundary and
 * each spans several pages, so MR page lists and packet splits (path MTU)
 * both matter; bytes between and around them must stay untouched.
 */
struct layout {
	size_t size, woff, wlen, roff, rlen;
};

static struct layout layout_of(size_t ps)
{
	struct layout l = {
		.size = NPAGES * ps,
		.woff = ps / 2 + 3, .wlen = 5 * ps,
		.roff = 8 * ps + 17, .rlen = 6 * ps,
	};

	return l;
}

/* One device, one CQ, two RC QPs connected to each other. */
struct rdma {
	struct ibv_context *ctx;
	struct ibv_pd *pd;
	struct ibv_cq *cq;
	struct ibv_qp *qp[2];
	struct ibv_port_attr port;
	union ibv_gid gid;
	int gid_index;
};

static bool rdma_device_present(void)
{
	int n = 0;
	struct ibv_device **list = ibv_get_device_list(&n);

	if (list)
		ibv_free_device_list(list);
	return list && n > 0;
}

static void rdma_open(struct rdma *r)
{
	int n = 0;
	struct ibv_device **list = ibv_get_device_list(&n);

	CHECK(list != NULL && n > 0);
	r->ctx = ibv_open_device(list[0]);
	CHECK(r->ctx != NULL);
	ibv_free_device_list(list);
	r->pd = ibv_alloc_pd(r->ctx);
	CHECK(r->pd != NULL);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = ms * 1000000L };

	nanosleep(&ts, NULL);
}

static bool gid_is_ipv4_mapped(const union ibv_gid *gid)
{
	static const uint8_t prefix[12] = { [10] = 0xff, [11] = 0xff };

	return memcmp(gid->raw, prefix, sizeof(prefix)) == 0;
}

/*
 * Picks the RoCEv2 GID to address both QPs with, and returns whether one
 * was found. On rxe both the link-local IPv6 GID (index 0) and the
 * IPv4-mapped one of the interface's address (index 1) carry the loopback;
 * the IPv4 one is taken first because its route does not depend on IPv6
 * being enabled on the interface, index 0 is the fallback.
 */
static bool rdma_pick_gid(struct rdma *r)
{
	struct ibv_gid_entry e;
	int i, fallback = -1;

	for (i = 0; i < r->port.gid_tbl_len; i++) {
		if (ibv_query_gid_ex(r->ctx, PORT, (uint32_t)i, &e, 0) != 0 ||
		    e.gid_type != IBV_GID_TYPE_ROCE_V2)
			continue;
		if (gid_is_ipv4_mapped(&e.gid)) {
			r->gid = e.gid;
			r->gid_index = i;
			return true;
		}
		if (fallback < 0)
			fallback = i;
	}
	if (fallback < 0)
		return false;
	CHECK(ibv_query_gid(r->ctx, PORT, fallback, &r->gid) == 0);
	r->gid_index = fallback;
	return true;
}

/* Waits, bounded, for the port to be active with a RoCEv2 GID. */
static void rdma_wait_port(struct rdma *r)
{
	double deadline = now_s() + PORT_TIMEOUT_S;

	for (;;) {
		CHECK(ibv_query_port(r->ctx, PORT, &r->port) == 0);
		if (r->port.state == IBV_PORT_ACTIVE && rdma_pick_gid(r))
			return;
		if (now_s() > deadline)
			test_fail_at(__FILE__, __LINE__,
				     "port %d: state %s, no RoCEv2 GID after %d s",
				     PORT, ibv_port_state_str(r->port.state),
				     PORT_TIMEOUT_S);
		sleep_ms(100);
	}
}

static struct ibv_qp *rdma_create_qp(struct rdma *r)
{
	struct ibv_qp_init_attr a = {
		.send_cq = r->cq,
		.recv_cq = r->cq,
		.cap = { .max_send_wr = 4, .max_recv_wr = 1,
			 .max_send_sge = 1, .max_recv_sge = 1 },
		.qp_type = IBV_QPT_RC,
		.sq_sig_all = 1,
	};
	struct ibv_qp *qp = ibv_create_qp(r->pd, &a);

	CHECK(qp != NULL);
	return qp;
}

/* RESET -> INIT -> RTR -> RTS, the peer being dest_qpn on this device. */
static void rdma_qp_ready(struct rdma *r, struct ibv_qp *qp, uint32_t dest_qpn)
{
	struct ibv_qp_attr init = {
		.qp_state = IBV_QPS_INIT,
		.port_num = PORT,
		.qp_access_flags = MR_ACCESS,
	};
	struct ibv_qp_attr rtr = {
		.qp_state = IBV_QPS_RTR,
		.path_mtu = r->port.active_mtu,
		.dest_qp_num = dest_qpn,
		.max_dest_rd_atomic = 1,
		.min_rnr_timer = 12,
		.ah_attr = {
			.is_global = 1,
			.port_num = PORT,
			.grh = { .dgid = r->gid,
				 .sgid_index = (uint8_t)r->gid_index,
				 .hop_limit = 64 },
		},
	};
	struct ibv_qp_attr rts = {
		.qp_state = IBV_QPS_RTS,
		.timeout = 14,
		.retry_cnt = 7,
		.rnr_retry = 7,
		.max_rd_atomic = 1,
	};

	CHECK(ibv_modify_qp(qp, &init, IBV_QP_STATE | IBV_QP_PKEY_INDEX |
			    IBV_QP_PORT | IBV_QP_ACCESS_FLAGS) == 0);
	CHECK(ibv_modify_qp(qp, &rtr, IBV_QP_STATE | IBV_QP_AV |
			    IBV_QP_PATH_MTU | IBV_QP_DEST_QPN |
			    IBV_QP_RQ_PSN | IBV_QP_MAX_DEST_RD_ATOMIC |
			    IBV_QP_MIN_RNR_TIMER) == 0);
	CHECK(ibv_modify_qp(qp, &rts, IBV_QP_STATE | IBV_QP_TIMEOUT |
			    IBV_QP_RETRY_CNT | IBV_QP_RNR_RETRY |
			    IBV_QP_SQ_PSN | IBV_QP_MAX_QP_RD_ATOMIC) == 0);
}

static void rdma_connect(struct rdma *r)
{
	rdma_wait_port(r);
	r->cq = ibv_create_cq(r->ctx, CQ_DEPTH, NULL, NULL, 0);
	CHECK(r->cq != NULL);
	r->qp[0] = rdma_create_qp(r);
	r->qp[1] = rdma_create_qp(r);
	rdma_qp_ready(r, r->qp[0], r->qp[1]->qp_num);
	rdma_qp_ready(r, r->qp[1], r->qp[0]->qp_num);
}

/* Polls for one completion until the deadline; fails on timeout or error. */
static void rdma_wait_completion(struct rdma *r, enum ibv_wc_opcode want)
{
	double deadline = now_s() + CQ_TIMEOUT_S;
	struct ibv_wc wc;
	int n;

	while ((n = ibv_poll_cq(r->cq, 1, &wc)) == 0) {
		if (now_s() > deadline)
			test_fail_at(__FILE__, __LINE__,
				     "no completion after %d s", CQ_TIMEOUT_S);
		sleep_ms(1);
	}
	CHECK(n == 1);
	if (wc.status != IBV_WC_SUCCESS)
		test_fail_at(__FILE__, __LINE__, "work request failed: %s",
			     ibv_wc_status_str(wc.status));
	CHECK(wc.opcode == want);
}

/*
 * One RDMA operation from QP 0 to QP 1: len bytes between the local MR at
 * local and the remote address raddr of the MR with rkey.
 */
static void rdma_transfer(struct rdma *r, enum ibv_wr_opcode op,
			  struct ibv_mr *mr, void *local, size_t len,
			  void *raddr, uint32_t rkey)
{
	struct ibv_sge sge = {
		.addr = (uintptr_t)local,
		.length = (uint32_t)len,
		.lkey = mr->lkey,
	};
	struct ibv_send_wr wr = {
		.sg_list = &sge,
		.num_sge = 1,
		.opcode = op,
		.wr.rdma = { .remote_addr = (uintptr_t)raddr, .rkey = rkey },
	};
	struct ibv_send_wr *bad = NULL;

	CHECK(ibv_post_send(r->qp[0], &wr, &bad) == 0);
	rdma_wait_completion(r, op == IBV_WR_RDMA_WRITE ? IBV_WC_RDMA_WRITE :
			     IBV_WC_RDMA_READ);
}

static void rdma_close(struct rdma *r)
{
	int i;

	for (i = 0; i < 2; i++)
		if (r->qp[i])
			CHECK(ibv_destroy_qp(r->qp[i]) == 0);
	if (r->cq)
		CHECK(ibv_destroy_cq(r->cq) == 0);
	CHECK(ibv_dealloc_pd(r->pd) == 0);
	CHECK(ibv_close_device(r->ctx) == 0);
}

static void *anon_pages(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(p != MAP_FAILED);
	return p;
}

/* Bytes [from, to) of buf get the pattern of seed at their own offsets. */
static void fill_range(unsigned char *buf, size_t from, size_t to,
		       unsigned int seed)
{
	size_t i;

	for (i = from; i < to; i++)
		buf[i] = pattern_byte(i, seed);
}

/* Bytes [from, to) of buf hold the pattern of seed at their own offsets. */
static void check_range(const unsigned char *buf, size_t from, size_t to,
			unsigned int seed, const char *what)
{
	size_t i;

	for (i = from; i < to; i++)
		if (buf[i] != pattern_byte(i, seed))
			test_fail_at(__FILE__, __LINE__,
				     "%s: byte %zu is 0x%02x, want 0x%02x",
				     what, i, buf[i], pattern_byte(i, seed));
}

/* Next step from the attacher; if it died instead, its status says why. */
static void expect_step(struct channel *ch, pid_t pid, uint64_t step)
{
	uint64_t v;

	if (read(ch->up[0], &v, sizeof(v)) != sizeof(v))
		test_fail_at(__FILE__, __LINE__,
			     "attacher gone before step %llu (status %d)",
			     (unsigned long long)step, test_wait(pid));
	CHECK(v == step);
}

static unsigned char *attach_all(xpmem_segid_t segid, size_t size,
				 xpmem_apid_t *apid)
{
	unsigned char *p;

	*apid = xpmem_get(segid, XPMEM_RDWR, XPMEM_PERMIT_MODE, NULL);
	CHECK(*apid > 0);
	p = xpmem_attach(xaddr(*apid, 0), size, NULL);
	CHECK(p != (void *)-1);
	return p;
}

/*
 * The attacher of the shareable case: registers the attachment, waits for
 * the owner to rewrite the READ's region, transfers, checks what it can
 * see itself, then tears down in the order the owner paces.
 */
static int shared_attacher(xpmem_segid_t segid, struct channel *ch)
{
	struct layout l = layout_of(page_size());
	unsigned char *src = anon_pages(l.size), *dst = anon_pages(l.size);
	struct ibv_mr *att_mr, *src_mr, *dst_mr;
	struct rdma r = { 0 };
	xpmem_apid_t apid;
	unsigned char *att = attach_all(segid, l.size, &apid);

	rdma_open(&r);
	att_mr = ibv_reg_mr(r.pd, att, l.size, MR_ACCESS);
	CHECK(att_mr != NULL);
	src_mr = ibv_reg_mr(r.pd, src, l.size, IBV_ACCESS_LOCAL_WRITE);
	dst_mr = ibv_reg_mr(r.pd, dst, l.size, IBV_ACCESS_LOCAL_WRITE);
	CHECK(src_mr != NULL && dst_mr != NULL);
	rdma_connect(&r);
	put_u64(ch->up[1], STEP_REGISTERED);
	CHECK(get_u64(ch->down[0]) == STEP_REWRITTEN);

	fill_pattern(src, l.size, SEED_WRITE);
	rdma_transfer(&r, IBV_WR_RDMA_WRITE, src_mr, src + l.woff, l.wlen,
		      att + l.woff, att_mr->rkey);
	rdma_transfer(&r, IBV_WR_RDMA_READ, dst_mr, dst + l.roff, l.rlen,
		      att + l.roff, att_mr->rkey);
	/* The WRITE shows through the attachment too. */
	CHECK(memcmp(att + l.woff, src + l.woff, l.wlen) == 0);
	check_range(dst, l.roff, l.roff + l.rlen, SEED_LATER, "the READ");
	printf("%s port %d, GID index %d: WRITE %zu bytes, READ %zu bytes\n",
	       ibv_get_device_name(r.ctx->device), PORT, r.gid_index, l.wlen,
	       l.rlen);
	put_u64(ch->up[1], STEP_TRANSFERRED);
	CHECK(get_u64(ch->down[0]) == STEP_CHECKED);

	CHECK(ibv_dereg_mr(att_mr) == 0);
	CHECK(ibv_dereg_mr(src_mr) == 0);
	CHECK(ibv_dereg_mr(dst_mr) == 0);
	rdma_close(&r);
	put_u64(ch->up[1], STEP_DEREGISTERED);
	CHECK(get_u64(ch->down[0]) == STEP_UNMAPPED);
	CHECK(xpmem_detach(att) == 0);
	CHECK(xpmem_release(apid) == 0);
	return 0;
}

/* The owner's side of the shareable case. */
static void shared_case(void)
{
	struct layout l = layout_of(page_size());
	unsigned char *buf = shared_buffer(l.size);
	xpmem_segid_t segid;
	struct channel ch;
	pid_t pid;

	fill_pattern(buf, l.size, SEED_OWNER);
	segid = xpmem_make(buf, l.size, XPMEM_PERMIT_MODE, (void *)0600);
	CHECK(segid > 0);
	channel_open(&ch);
	pid = fork_checked();
	if (pid == 0) {
		int rc;

		channel_child(&ch);
		rc = shared_attacher(segid, &ch);
		fflush(NULL);
		_exit(rc);
	}
	channel_parent(&ch);

	expect_step(&ch, pid, STEP_REGISTERED);
	/* After the registration: the READ must see these, not a copy. */
	fill_range(buf, l.roff, l.roff + l.rlen, SEED_LATER);
	put_u64(ch.down[1], STEP_REWRITTEN);

	expect_step(&ch, pid, STEP_TRANSFERRED);
	check_range(buf, 0, l.woff, SEED_OWNER, "before the WRITE");
	check_range(buf, l.woff, l.woff + l.wlen, SEED_WRITE, "the WRITE");
	check_range(buf, l.woff + l.wlen, l.roff, SEED_OWNER, "between");
	check_range(buf, l.roff, l.roff + l.rlen, SEED_LATER, "READ region");
	check_range(buf, l.roff + l.rlen, l.size, SEED_OWNER, "after the READ");
	put_u64(ch.down[1], STEP_CHECKED);

	expect_step(&ch, pid, STEP_DEREGISTERED);
	CHECK(munmap(buf, l.size) == 0);
	put_u64(ch.down[1], STEP_UNMAPPED);
	CHECK(test_wait(pid) == 0);
	channel_close(&ch);
	CHECK(xpmem_remove(segid) == 0);
}

/*
 * The attacher of the private case: the registration fails with EFAULT,
 * and the attachment still shows the owner's bytes afterwards.
 */
static int private_attacher(xpmem_segid_t segid, size_t size)
{
	struct rdma r = { 0 };
	struct ibv_mr *mr;
	xpmem_apid_t apid;
	unsigned char *att = attach_all(segid, size, &apid);

	rdma_open(&r);
	errno = 0;
	mr = ibv_reg_mr(r.pd, att, size, MR_ACCESS);
	if (mr)
		test_fail_at(__FILE__, __LINE__,
			     "ibv_reg_mr on private memory succeeded");
	CHECK(errno == EFAULT);
	rdma_close(&r);
	CHECK_PATTERN(att, size, SEED_PRIVATE);
	CHECK(xpmem_detach(att) == 0);
	CHECK(xpmem_release(apid) == 0);
	return 0;
}

static void private_case(void)
{
	size_t size = NPAGES * page_size();
	unsigned char *buf = anon_pages(size);
	xpmem_segid_t segid;
	pid_t pid;

	fill_pattern(buf, size, SEED_PRIVATE);
	segid = xpmem_make(buf, size, XPMEM_PERMIT_MODE, (void *)0600);
	CHECK(segid > 0);
	pid = fork_checked();
	if (pid == 0)
		_exit(private_attacher(segid, size));
	CHECK(test_wait(pid) == 0);
	CHECK(xpmem_remove(segid) == 0);
	CHECK(munmap(buf, size) == 0);
}

int main(void)
{
	if (!rdma_device_present())
		test_skip("no RDMA device (the VM sets up soft-RoCE: tests/vm/README.md)");
	if (!user_backend())
		private_case();
	shared_case();
	return 0;
}
