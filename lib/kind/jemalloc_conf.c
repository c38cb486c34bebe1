// SPDX-License-Identifier: MIT
/*
 * jemalloc's start-up options, for when libmemkind is what brings jemalloc
 * into the process (the C library's malloc stays the process's malloc).
 *
 * jemalloc reads the symbol malloc_conf, which it defines itself as a weak
 * empty default. The first definition in the process's symbol lookup
 * order wins: the program's own, then the libraries' in link order. So a
 * program that defines malloc_conf, preloads jemalloc, or links jemalloc
 * ahead of libmemkind keeps jemalloc's defaults or its own settings, and
 * the MALLOC_CONF environment variable applies on top in every case.
 *
 * narenas: jemalloc reserves 4 automatic arenas per CPU out of the 4,095
 * arena indices MALLOCX_ARENA() can name, which on a 256-CPU machine
 * leaves room for only 3,000 kinds. When jemalloc is not the process's
 * malloc, its automatic arenas serve only the library's own small
 * bookkeeping, so two are plenty.
 */
#include "internal.h"

KIND_API const char *malloc_conf = "narenas:2";
