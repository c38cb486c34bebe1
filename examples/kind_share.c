/* SPDX-License-Identifier: MIT */
/*
 * Memory from a memory kind, shared through XPMEM the way MPI libraries
 * and UCX do it: the owner exports its whole address space once, and a
 * peer attaches the page-aligned window around each buffer it is told
 * about. The kind is memkind_create_shared()'s memfd-backed kind; a pmem
 * kind (memkind_create_pmem) works the same way.
 *
 *   cc kind_share.c -o kind_share -lxpmem -lmemkind && ./kind_share
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memkind.h>
#include <xpmem.h>

#define MSG_SIZE 100000

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* The peer: attach the pages around [addr, addr + len) and use them. */
static int peer(xpmem_segid_t segid, uintptr_t addr, size_t len)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t start = addr & ~(page - 1);
	uintptr_t end = (addr + len + page - 1) & ~(page - 1);
	struct xpmem_addr xa;
	char *win, *msg;

	xa.apid = xpmem_get(segid, XPMEM_RDWR, XPMEM_PERMIT_MODE, NULL);
	if (xa.apid < 0)
		die("xpmem_get");
	xa.offset = (off_t)start;	/* offsets are the owner's addresses */
	win = xpmem_attach(xa, end - start, NULL);
	if (win == (void *)-1)
		die("xpmem_attach");
	msg = win + (addr - start);
	printf("peer:  %.40s...\n", msg);
	memset(msg, 'B', len - 1);
	xpmem_detach(win);
	xpmem_release(xa.apid);
	return 0;
}

int main(void)
{
	xpmem_segid_t segid;
	memkind_t kind;
	int status, err;
	char *buf;
	pid_t pid;
	size_t i;

	err = memkind_create_shared(0, &kind);
	if (err) {
		fprintf(stderr, "memkind_create_shared: error %d\n", err);
		return 1;
	}
	buf = memkind_malloc(kind, MSG_SIZE);
	if (!buf)
		die("memkind_malloc");
	memset(buf, 'A', MSG_SIZE - 1);
	buf[MSG_SIZE - 1] = '\0';

	segid = xpmem_make(NULL, XPMEM_MAXADDR_SIZE, XPMEM_PERMIT_MODE,
			   (void *)0600);
	if (segid < 0)
		die("xpmem_make");
	printf("owner: %d bytes at %p, whole address space exported\n",
	       MSG_SIZE, (void *)buf);

	fflush(stdout);	/* the child must not print our buffered lines */
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0)
		exit(peer(segid, (uintptr_t)buf, MSG_SIZE));
	if (waitpid(pid, &status, 0) < 0 || status != 0)
		die("peer");
	for (i = 0; i < MSG_SIZE - 1 && buf[i] == 'B'; i++)
		;
	printf("owner: the peer rewrote %zu of %d bytes\n", i, MSG_SIZE - 1);
	xpmem_remove(segid);
	memkind_free(kind, buf);
	memkind_destroy_kind(kind);
	return i == MSG_SIZE - 1 ? 0 : 1;
}
