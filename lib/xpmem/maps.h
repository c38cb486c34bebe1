/* SPDX-License-Identifier: MIT */
/* Reading this process's mappings from /proc/self/maps, in address order. */
#ifndef XPMEM_MAPS_H
#define XPMEM_MAPS_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct xpmem_vma {
	uint64_t start, end;
	uint64_t offset;	/* file offset of start */
	dev_t dev;
	ino_t ino;
	int prot;		/* PROT_READ | PROT_WRITE | PROT_EXEC */
	bool shared;		/* MAP_SHARED ('s') */
	bool deleted;		/* the path ended in " (deleted)" */
	char path[PATH_MAX];	/* empty for anonymous and [special] */
};

struct xpmem_maps {
	int fd;
	size_t head, tail;	/* unparsed bytes are buf[head..tail) */
	char buf[16384];
};

int xpmem_maps_open(struct xpmem_maps *maps);
/* 1 with the next mapping in *vma, 0 at the end, or -errno. */
int xpmem_maps_next(struct xpmem_maps *maps, struct xpmem_vma *vma);
void xpmem_maps_close(struct xpmem_maps *maps);

#endif /* XPMEM_MAPS_H */
