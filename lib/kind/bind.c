// SPDX-License-Identifier: MIT
/*
 * Thread binding: each thread's own jemalloc cache (the one jemalloc's
 * malloc() and free() use) serves one kind at a time, the kind the thread
 * uses most. Those calls are jemalloc's fast path, about half the
 * instructions of mallocx()/dallocx() with explicit arena and cache flags,
 * which take the general path whatever the flags say. Other kinds go
 * through per-kind explicit caches (tcache.c) as before.
 *
 * A thread cache hands out whatever it holds for a size class, so it must
 * hold blocks of one kind only: binding a thread to a kind moves the
 * thread to the kind's arena ("thread.arena") after flushing the cache.
 * A thread rebinds when it has used other kinds BIND_SWITCH times in a row
 * without allocating from its own (switching costs a cache flush, so a
 * thread alternating between two kinds keeps the first).
 *
 * jemalloc refuses to destroy an arena a thread is bound to, and only the
 * thread itself can move. So a kind destroyed while other threads are
 * bound to it is emptied at once (its file is punched out, its explicit
 * caches destroyed) and marked dying; the last bound thread to move away
 * (on its next allocation from another kind, or at its exit) destroys the
 * arena and frees the kind. A thread that neither allocates again nor
 * exits keeps an empty file open and its address range reserved.
 *
 * Binding is off when jemalloc is also the process's malloc: its thread
 * cache then serves the program's own malloc() too.
 */
#include "internal.h"

#include <dlfcn.h>
#include <stdlib.h>

#define BIND_SWITCH 64

struct je_fns je;
struct memkind bind_none; /* what an unbound thread is bound to */
__thread struct bind_state bind_tls
    __attribute__((tls_model("initial-exec"))) = {.kind = &bind_none};

static bool bind_on;
static pthread_mutex_t bind_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_key_t bind_key;
static pthread_once_t bind_key_once = PTHREAD_ONCE_INIT;

static void bind_thread_exit(void *arg);

static void bind_key_init(void)
{
	pthread_key_create(&bind_key, bind_thread_exit);
}

/*
 * jemalloc's malloc, free and realloc: the library's own definitions, not
 * the process's (the C library's, normally), found through the library
 * that defines mallocx.
 */
static bool je_resolve(void)
{
	Dl_info info;
	void *lib;

	if (!dladdr((void *)mallocx, &info) || !info.dli_fname)
		return false;
	lib = dlopen(info.dli_fname, RTLD_LAZY | RTLD_NOLOAD);
	if (!lib)
		return false;
	je.malloc = (void *(*)(size_t))dlsym(lib, "malloc");
	je.free = (void (*)(void *))dlsym(lib, "free");
	je.realloc = (void *(*)(void *, size_t))dlsym(lib, "realloc");
	if (!je.malloc || !je.free || !je.realloc)
		return false;
	return (void *)je.malloc != dlsym(RTLD_DEFAULT, "malloc");
}

/* Called once the default kind's arena exists (default.c). */
void bind_setup(void)
{
	bind_on = je_resolve();
}

/* Teardown of a dying kind nobody is bound to any more. */
static void kind_finish(struct memkind *kind)
{
	arena_destroy(kind);
	heap_fini(kind);
	free(kind);
}

/* Caller holds bind_lock. Returns the kind to finish, if any. */
static struct memkind *bind_leave_locked(struct memkind *kind)
{
	if (kind == &bind_none || kind->is_static)
		return NULL;
	kind->nbound--;
	return kind->released && kind->nbound == 0 ? kind : NULL;
}

/*
 * Moves the calling thread's jemalloc cache to kind: to the thread's own
 * arena of the kind when spread (thread_arena.c), else to its first.
 * Returns 0 or -1.
 */
static int bind_switch(struct memkind *to, bool spread)
{
	struct memkind *from = bind_tls.kind, *done;
	unsigned arena;

	pthread_once(&bind_key_once, bind_key_init);
	if (pthread_setspecific(bind_key, &bind_tls))
		return -1;
	pthread_mutex_lock(&bind_lock);
	arena = thread_arena_pick(to, spread);
	/*
	 * Even an unbound thread's cache may hold blocks: the default kind's
	 * allocations before its arena exists (libmemtier.so's malloc() in
	 * the loader and in other libraries' constructors) use it.
	 */
	mallctl("thread.tcache.flush", NULL, NULL, NULL, 0);
	if (mallctl("thread.arena", NULL, NULL, &arena, sizeof(arena))) {
		pthread_mutex_unlock(&bind_lock);
		bind_tls.misses = 0;
		return -1;
	}
	done = bind_leave_locked(from);
	if (!to->is_static)
		to->nbound++;
	bind_tls.kind = to;
	bind_tls.misses = 0;
	pthread_mutex_unlock(&bind_lock);
	if (done)
		kind_finish(done);
	return 0;
}

/*
 * Slow path of an allocation from kind: true when the thread's own cache
 * serves kind, now or after switching to it.
 */
bool bind_want(struct memkind *kind)
{
	if (bind_tls.kind == kind)
		return true;
	if (!bind_on || ++bind_tls.misses < BIND_SWITCH)
		return false;
	/*
	 * A fixed kind's granules may hold memory of others (fixed.c), which
	 * the bound fast path would hand to jemalloc's free() unchecked.
	 */
	if (kind->ops == &fixed_ops)
		return false;
	return bind_switch(kind, true) == 0;
}

/* Empties the thread's own cache if it serves kind. */
void bind_flush(struct memkind *kind)
{
	if (bind_tls.kind == kind || (!kind && bind_tls.kind != &bind_none))
		mallctl("thread.tcache.flush", NULL, NULL, NULL, 0);
}

/*
 * Kind destroy, before the arena goes: the calling thread moves to the
 * default kind. Returns true when other threads are still bound; the kind
 * then stays (dying) until bind_release() and the last of them are done.
 */
bool bind_retire(struct memkind *kind)
{
	bool busy;

	if (bind_tls.kind == kind)
		bind_switch(&default_kind, false);
	pthread_mutex_lock(&bind_lock);
	busy = kind->nbound > 0;
	kind->dying = busy;
	pthread_mutex_unlock(&bind_lock);
	return busy;
}

/* memkind_destroy_kind() is done with kind: free it, or leave it dying. */
void bind_release(struct memkind *kind)
{
	bool last;

	pthread_mutex_lock(&bind_lock);
	kind->released = true;
	last = kind->nbound == 0;
	pthread_mutex_unlock(&bind_lock);
	if (!last)
		return;
	if (kind->dying)
		kind_finish(kind);
	else
		free(kind);
}

/* Thread exit: leave the bound kind, finishing it if it is dying. */
static void bind_thread_exit(void *arg)
{
	struct memkind *kind = bind_tls.kind;

	if (kind == &bind_none || kind->is_static)
		return;
	/* Off the kind's arena, so that it can be destroyed. */
	bind_switch(&default_kind, false);
	bind_tls.kind = &bind_none;
}

void bind_fork_prepare(void)
{
	pthread_mutex_lock(&bind_lock);
}

void bind_fork_parent(void)
{
	pthread_mutex_unlock(&bind_lock);
}

/*
 * The child has one thread: kinds are bound to it or to nobody (jemalloc
 * resets its own counts the same way). Dying kinds other threads were
 * bound to stay behind in the child.
 */
void bind_fork_child(void)
{
	struct memkind *kind;
	unsigned s;

	pthread_mutex_init(&bind_lock, NULL);
	for (s = 0; s < KIND_SLOTS; s++) {
		kind = registry_get(s);
		if (kind)
			kind->nbound = 0;
	}
	kind = bind_tls.kind;
	if (kind != &bind_none && !kind->is_static)
		kind->nbound = 1;
}
