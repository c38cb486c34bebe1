/* SPDX-License-Identifier: MIT */
/*
 * A streaming parser of /proc/self/maps. The agent reads only as far as the
 * end of the window it resolves, so a process with many mappings does not
 * pay for reading all of them on every attach.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "maps.h"

#define DELETED_SUFFIX " (deleted)"

int xpmem_maps_open(struct xpmem_maps *maps)
{
	maps->fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	maps->head = maps->tail = 0;
	return maps->fd < 0 ? -errno : 0;
}

void xpmem_maps_close(struct xpmem_maps *maps)
{
	close(maps->fd);
	maps->fd = -1;
}

/* Returns the next line (NUL-terminated in place), NULL at EOF or error. */
static char *next_line(struct xpmem_maps *maps, int *err)
{
	for (;;) {
		char *start = maps->buf + maps->head;
		char *nl = memchr(start, '\n', maps->tail - maps->head);
		ssize_t n;

		if (nl) {
			*nl = '\0';
			maps->head = (size_t)(nl - maps->buf) + 1;
			return start;
		}
		memmove(maps->buf, start, maps->tail - maps->head);
		maps->tail -= maps->head;
		maps->head = 0;
		if (maps->tail == sizeof(maps->buf)) {
			*err = -EOVERFLOW;	/* a line longer than the buffer */
			return NULL;
		}
		do
			n = read(maps->fd, maps->buf + maps->tail,
				 sizeof(maps->buf) - maps->tail);
		while (n < 0 && errno == EINTR);
		if (n <= 0) {
			*err = n < 0 ? -errno : 0;
			return NULL;
		}
		maps->tail += (size_t)n;
	}
}

static int parse_prot(const char *perms, bool *shared)
{
	int prot = 0;

	if (perms[0] == 'r')
		prot |= PROT_READ;
	if (perms[1] == 'w')
		prot |= PROT_WRITE;
	if (perms[2] == 'x')
		prot |= PROT_EXEC;
	*shared = perms[3] == 's';
	return prot;
}

static void parse_path(const char *p, struct xpmem_vma *vma)
{
	size_t len, suffix = strlen(DELETED_SUFFIX);

	while (*p == ' ')
		p++;
	len = strlen(p);
	vma->deleted = len >= suffix &&
		       strcmp(p + len - suffix, DELETED_SUFFIX) == 0;
	if (vma->deleted)
		len -= suffix;
	if (*p != '/' || len >= sizeof(vma->path))
		len = 0;
	memcpy(vma->path, p, len);
	vma->path[len] = '\0';
}

/* Parses a hexadecimal or decimal field ending in sep; NULL if malformed. */
static const char *parse_num(const char *p, int base, char sep, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(p, &end, base);
	if (end == p || errno || *end != sep)
		return NULL;
	return end + 1;
}

/*
 * "start-end perms offset major:minor inode   path". Hand-parsed: sscanf
 * costs more than the rest of an attach's work in the agent.
 */
static int parse_line(const char *p, struct xpmem_vma *vma)
{
	uint64_t major, minor, ino;

	p = parse_num(p, 16, '-', &vma->start);
	if (p)
		p = parse_num(p, 16, ' ', &vma->end);
	if (!p || strlen(p) < 5 || p[4] != ' ')
		return -EPROTO;
	vma->prot = parse_prot(p, &vma->shared);
	p = parse_num(p + 5, 16, ' ', &vma->offset);
	if (p)
		p = parse_num(p, 16, ':', &major);
	if (p)
		p = parse_num(p, 16, ' ', &minor);
	if (!p)
		return -EPROTO;
	errno = 0;
	ino = strtoull(p, (char **)&p, 10);
	if (errno || (*p != ' ' && *p != '\0'))
		return -EPROTO;
	vma->dev = makedev((unsigned int)major, (unsigned int)minor);
	vma->ino = (ino_t)ino;
	parse_path(p, vma);
	return 0;
}

int xpmem_maps_next(struct xpmem_maps *maps, struct xpmem_vma *vma)
{
	int err = 0;
	char *line = next_line(maps, &err);

	if (!line)
		return err;
	return parse_line(line, vma) < 0 ? -EPROTO : 1;
}
