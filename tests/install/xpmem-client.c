/* SPDX-License-Identifier: MIT */
/*
 * A client of the installed libxpmem, built the way a user builds one:
 *   cc xpmem-client.c $(pkg-config --cflags --libs cray-xpmem)
 * Exports a memfd-backed buffer, attaches it in the same process, writes
 * through the attachment and reads the owner's bytes. Prints the backend;
 * with an argument ("kernel" or "user") it must be that one.
 * Exit 0 on success.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xpmem.h>

int main(int argc, char **argv)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t size = 4 * (size_t)page;
	const char *reason = NULL;
	int fd = memfd_create("xpmem-client", 0);
	char *buf, *att;
	struct xpmem_addr addr;
	xpmem_segid_t segid;
	xpmem_apid_t apid;
	int backend;

	if (fd < 0 || ftruncate(fd, (off_t)size) != 0) {
		perror("memfd");
		return 1;
	}
	buf = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (buf == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	memset(buf, 'o', size);
	segid = xpmem_make(buf, size, XPMEM_PERMIT_MODE, (void *)0600);
	if (segid == -1) {
		perror("xpmem_make");
		return 1;
	}
	backend = xpmem_backend(&reason);
	printf("backend: %s (%s)\n",
	       backend == XPMEM_BACKEND_KERNEL ? "kernel" :
	       backend == XPMEM_BACKEND_USER ? "user" : "none",
	       reason ? reason : "no reason given");
	if (argc > 1 && strcmp(argv[1], backend == XPMEM_BACKEND_KERNEL ?
					  "kernel" : "user") != 0) {
		fprintf(stderr, "expected the %s backend\n", argv[1]);
		return 1;
	}
	apid = xpmem_get(segid, XPMEM_RDWR, XPMEM_PERMIT_MODE, NULL);
	if (apid == -1) {
		perror("xpmem_get");
		return 1;
	}
	addr.apid = apid;
	addr.offset = (off_t)page;
	att = xpmem_attach(addr, (size_t)page, NULL);
	if (att == (void *)-1) {
		perror("xpmem_attach");
		return 1;
	}
	if (att[0] != 'o' || att[page - 1] != 'o') {
		fprintf(stderr, "the attachment does not show the owner's bytes\n");
		return 1;
	}
	memset(att, 'a', (size_t)page);
	if (buf[page] != 'a' || buf[2 * page - 1] != 'a' || buf[0] != 'o') {
		fprintf(stderr, "the owner does not see the attacher's bytes\n");
		return 1;
	}
	if (xpmem_detach(att) != 0 || xpmem_release(apid) != 0 ||
	    xpmem_remove(segid) != 0) {
		perror("xpmem_detach/release/remove");
		return 1;
	}
	printf("xpmem-client: passed\n");
	return 0;
}
