// SPDX-License-Identifier: MIT
/*
 * Registry of live kinds. Each kind occupies a slot; the slot number
 * indexes the per-thread cache tables, and a generation number tells a
 * kind from the earlier ones that used the same slot. The slot locks are
 * never destroyed, so a thread that exits can safely check a slot whose
 * kind was destroyed meanwhile.
 */
#include "internal.h"

#include <errno.h>

struct kind_slot {
	pthread_mutex_t lock; /* kind's thread caches */
	struct memkind *kind;
	uint32_t gen;
};

/* One more than kinds can take: the default kind's (KIND_DEFAULT_SLOT). */
static struct kind_slot slots[KIND_SLOTS + 1];
static pthread_mutex_t registry_mutex = PTHREAD_MUTEX_INITIALIZER;
static uint32_t next_gen = 1;
static unsigned slot_hint;
static _Atomic unsigned slot_limit; /* past the highest slot ever used */
static pthread_once_t slots_once = PTHREAD_ONCE_INIT;

static void slots_init(void)
{
	unsigned i;

	for (i = 0; i <= KIND_SLOTS; i++)
		pthread_mutex_init(&slots[i].lock, NULL);
}

/*
 * The default kind has a slot of its own, outside the range created kinds
 * take, so that its per-thread caches are kept like theirs (tcache.c).
 * It is never removed, and fork and statistics never see it.
 */
void registry_add_default(struct memkind *kind)
{
	pthread_once(&slots_once, slots_init);
	kind->slot = KIND_DEFAULT_SLOT;
	kind->gen = 1;
	slots[KIND_DEFAULT_SLOT].kind = kind;
	slots[KIND_DEFAULT_SLOT].gen = kind->gen;
}

void registry_lock(void)
{
	pthread_once(&slots_once, slots_init);
	pthread_mutex_lock(&registry_mutex);
}

void registry_unlock(void)
{
	pthread_mutex_unlock(&registry_mutex);
}

/*
 * Gives the kind a free slot and a fresh generation. Callers hold the
 * registry lock across the kind's whole set-up or tear-down, so that
 * fork() (which takes it) only ever sees complete kinds.
 */
int registry_add(struct memkind *kind)
{
	unsigned i, s;
	int ret = -EMFILE;

	for (i = 0; i < KIND_SLOTS; i++) {
		s = (slot_hint + i) % KIND_SLOTS;
		if (slots[s].kind)
			continue;
		if (++next_gen == 0)
			next_gen = 1;
		pthread_mutex_lock(&slots[s].lock);
		slots[s].kind = kind;
		slots[s].gen = next_gen;
		pthread_mutex_unlock(&slots[s].lock);
		kind->slot = s;
		kind->gen = next_gen;
		slot_hint = s + 1;
		if (s + 1 > slot_limit)
			slot_limit = s + 1;
		ret = 0;
		break;
	}
	return ret;
}

/* Caller holds the registry lock. */
void registry_remove(struct memkind *kind)
{
	pthread_mutex_lock(&slots[kind->slot].lock);
	slots[kind->slot].kind = NULL;
	slots[kind->slot].gen = 0;
	pthread_mutex_unlock(&slots[kind->slot].lock);
}

/* Caller holds the registry lock. */
struct memkind *registry_get(unsigned slot)
{
	return slots[slot].kind;
}

pthread_mutex_t *registry_slot_lock(unsigned slot)
{
	return &slots[slot].lock;
}

/* Slots from here up have never held a kind. */
unsigned registry_limit(void)
{
	return slot_limit;
}

/* Caller holds the slot lock. */
uint32_t registry_slot_gen(unsigned slot)
{
	return slots[slot].gen;
}

/* Caller holds the slot lock. */
struct memkind *registry_slot_kind(unsigned slot)
{
	return slots[slot].kind;
}
