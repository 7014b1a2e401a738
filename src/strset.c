/*
 * strset.c - the string set of strset.h: open addressing with linear
 * probing, grown at half load. The hash (FNV-1a) starts from a random
 * seed per set, so that a hostile service cannot choose keys that all
 * land in one slot. Not for anything that needs removal or order.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "buf.h"
#include "error.h"
#include "fs.h"
#include "os/os.h"
#include "strset.h"

struct strset {
        char **slots;  /* NULL: empty slot; else a string, owned when copy */
        size_t cap;    /* number of slots, a power of two (0 before the first add) */
        size_t count;  /* strings held */
        uint64_t seed; /* start of every hash of this set */
        int copy;      /* 1: the strings are copies, freed with the set */
};

#define STRSET_FIRST_CAP 64

static uint64_t strset_hash(const strset *set, const char *s)
{
        uint64_t h = set->seed;

        for (; *s; s++) {
                h ^= (unsigned char)*s;
                h *= 0x100000001b3ULL;
        }
        /* Mix the high bits down: the slot is taken from the low ones. */
        h ^= h >> 29;
        h *= 0xbf58476d1ce4e5b9ULL;
        h ^= h >> 32;
        return h;
}

strset *nrd_strset_new(int copy)
{
        strset *set = nrd_calloc(1, sizeof(*set));

        if (!set)
                return NULL;
        set->copy = copy;
        if (nrd_os_random(&set->seed, sizeof(set->seed)) != 0)
                set->seed = (uint64_t)nrd_fs_now_ns() ^ (uint64_t)(uintptr_t)set;
        set->seed ^= 0xcbf29ce484222325ULL;
        return set;
}

/* The slot holding s, or the empty slot where it would go. */
static size_t strset_slot(const strset *set, char *const *slots, size_t cap, const char *s)
{
        size_t i = (size_t)strset_hash(set, s) & (cap - 1);

        while (slots[i] && strcmp(slots[i], s) != 0)
                i = (i + 1) & (cap - 1);
        return i;
}

static int strset_grow(strset *set)
{
        size_t cap = set->cap ? set->cap * 2 : STRSET_FIRST_CAP, i;
        char **slots;

        if (cap < set->cap)
                return nrd_error_oom();
        slots = nrd_calloc(cap, sizeof(*slots));
        if (!slots)
                return NEREID_ERROR;
        for (i = 0; i < set->cap; i++)
                if (set->slots[i])
                        slots[strset_slot(set, slots, cap, set->slots[i])] = set->slots[i];
        free(set->slots);
        set->slots = slots;
        set->cap = cap;
        return 0;
}

int nrd_strset_add(strset *set, const char *s)
{
        size_t i;

        if ((set->count + 1) * 2 > set->cap && strset_grow(set) < 0)
                return NEREID_ERROR;
        i = strset_slot(set, set->slots, set->cap, s);
        if (set->slots[i])
                return 1;
        if (!set->copy)
                set->slots[i] = (char *)s;
        else if (!(set->slots[i] = nrd_strdup(s)))
                return NEREID_ERROR;
        set->count++;
        return 0;
}

size_t nrd_strset_count(const strset *set)
{
        return set->count;
}

void nrd_strset_free(strset *set)
{
        size_t i;

        if (!set)
                return;
        for (i = 0; set->copy && i < set->cap; i++)
                free(set->slots[i]);
        free(set->slots);
        free(set);
}
