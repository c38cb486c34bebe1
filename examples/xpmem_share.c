/* SPDX-License-Identifier: MIT */
/*
 * Two processes share a buffer through XPMEM.
 *
 * The parent exports a buffer and writes a message into it; the child
 * takes a permit, attaches the buffer, reads the message and writes a
 * reply that the parent then reads from its own memory. The buffer is a
 * MAP_SHARED memfd mapping, which both XPMEM backends can export (the
 * kernel module could export any memory, malloc's included).
 *
 *   cc xpmem_share.c -o xpmem_share -lxpmem && ./xpmem_share
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* memfd_create */
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <xpmem.h>

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static int child(xpmem_segid_t segid, size_t size)
{
	struct xpmem_addr addr;
	char *p;

	addr.apid = xpmem_get(segid, XPMEM_RDWR, XPMEM_PERMIT_MODE, NULL);
	if (addr.apid < 0)
		die("xpmem_get");
	addr.offset = 0;
	p = xpmem_attach(addr, size, NULL);
	if (p == (void *)-1)
		die("xpmem_attach");
	printf("child:  read \"%s\"\n", p);
	snprintf(p, size, "hello back from process %d", (int)getpid());
	xpmem_detach(p);
	xpmem_release(addr.apid);
	return 0;
}

int main(void)
{
	size_t size = (size_t)sysconf(_SC_PAGESIZE);
	const char *reason;
	xpmem_segid_t segid;
	int fd, status;
	char *buf;
	pid_t pid;

	fd = memfd_create("xpmem-example", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, (off_t)size) < 0)
		die("memfd");
	buf = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (buf == MAP_FAILED)
		die("mmap");
	snprintf(buf, size, "hello from process %d", (int)getpid());

	segid = xpmem_make(buf, size, XPMEM_PERMIT_MODE, (void *)0600);
	if (segid < 0)
		die("xpmem_make");
	xpmem_backend(&reason);
	printf("parent: exported segment %#llx (%s)\n", (long long)segid,
	       reason);

	fflush(stdout);	/* the child must not print our buffered lines */
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0)
		exit(child(segid, size));
	if (waitpid(pid, &status, 0) < 0 || status != 0)
		die("child");
	printf("parent: read \"%s\"\n", buf);
	xpmem_remove(segid);
	return strncmp(buf, "hello back", 10) == 0 ? 0 : 1;
}
