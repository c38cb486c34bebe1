/* SPDX-License-Identifier: MIT */
/*
 * The agent's half of an attach: which of this process's pages a window
 * covers, and descriptors through which another process maps the same ones.
 */
#ifndef XPMEM_WINDOW_H
#define XPMEM_WINDOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"

struct xpmem_window {
	uint64_t start, size;	/* page aligned, inside the segment */
	bool writable;		/* the permit is XPMEM_RDWR */
	uint32_t npieces;
	struct xpmem_piece pieces[XPMEM_MAX_PIECES];
	size_t nfds;
	int fds[XPMEM_MAX_FDS];
};

/*
 * Fills in pieces and fds. Fails with -EOPNOTSUPP when part of the window is
 * private memory (it cannot be shared faithfully), -E2BIG when it needs more
 * pieces or descriptors than a reply carries. On failure no descriptor is
 * left open; on success the caller closes win->fds.
 */
int xpmem_window_resolve(struct xpmem_window *win);
void xpmem_window_close_fds(struct xpmem_window *win);

#endif /* XPMEM_WINDOW_H */
