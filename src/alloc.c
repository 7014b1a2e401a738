/*
 * alloc.c - the allocation wrappers of alloc.h and, when built with
 * NEREID_ALLOC_FAIL, their failure injection (curl's torture tests, jq's
 * inject_errors.c). The counter is atomic: hashing and downloads allocate
 * from worker threads. Not a memory pool or an allocator of its own.
 */
/* The one file that calls the C library's allocator (banned.h). */
#define NEREID_ALLOC_RAW
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "alloc.h"
#include "error.h"

#ifdef NEREID_ALLOC_FAIL
#include <stdatomic.h>

static atomic_ulong alloc_count;   /* allocations since nrd_alloc_fail_at */
static atomic_ulong alloc_fail_at; /* the one that fails first; 0: none */

/* 1 when this allocation is to fail. */
static int alloc_fails(void)
{
        unsigned long n = atomic_fetch_add(&alloc_count, 1) + 1;
        unsigned long at = atomic_load(&alloc_fail_at);

        return at != 0 && n >= at;
}

void nrd_alloc_fail_at(unsigned long n)
{
        atomic_store(&alloc_fail_at, 0);
        atomic_store(&alloc_count, 0);
        atomic_store(&alloc_fail_at, n);
}

unsigned long nrd_alloc_count(void)
{
        return atomic_load(&alloc_count);
}

int nrd_alloc_injected(void)
{
        return 1;
}
#else
static int alloc_fails(void)
{
        return 0;
}

void nrd_alloc_fail_at(unsigned long n)
{
        (void)n;
}

unsigned long nrd_alloc_count(void)
{
        return 0;
}

int nrd_alloc_injected(void)
{
        return 0;
}
#endif

void *nrd_malloc(size_t size)
{
        void *p = alloc_fails() ? NULL : malloc(size ? size : 1);

        if (!p)
                nrd_error_oom();
        return p;
}

void *nrd_calloc(size_t count, size_t size)
{
        void *p;

        if (size && count > SIZE_MAX / size) {
                nrd_error(NEREID_ERROR, "allocation: size overflow");
                return NULL;
        }
        p = alloc_fails() ? NULL : calloc(count ? count : 1, size ? size : 1);
        if (!p)
                nrd_error_oom();
        return p;
}

void *nrd_realloc_array(void *ptr, size_t count, size_t size)
{
        void *p;

        if (size && count > SIZE_MAX / size) {
                nrd_error(NEREID_ERROR, "allocation: size overflow");
                return NULL;
        }
        size *= count;
        p = alloc_fails() ? NULL : realloc(ptr, size ? size : 1);
        if (!p)
                nrd_error_oom();
        return p;
}

char *nrd_strdup(const char *s)
{
        return nrd_strndup(s, strlen(s));
}

char *nrd_strndup(const char *s, size_t n)
{
        size_t len = strnlen(s, n);
        char *copy;

        if (len == SIZE_MAX) {
                nrd_error(NEREID_ERROR, "allocation: size overflow");
                return NULL;
        }
        copy = nrd_malloc(len + 1);
        if (!copy)
                return NULL;
        memcpy(copy, s, len);
        copy[len] = '\0';
        return copy;
}
