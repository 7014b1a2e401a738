/*
 * alloc.h - the library's only way to allocate memory: malloc, calloc,
 * realloc, strdup and strndup behind wrappers that check size arithmetic
 * and set the "out of memory" message, so a caller only returns
 * NEREID_ERROR. Built with NEREID_ALLOC_FAIL, a test can make the Nth
 * allocation fail (nrd_alloc_fail_at) to run every error path. Memory from
 * these wrappers is released with free(). Not for the memory SQLite,
 * OpenSSL, libcurl, expat or jansson allocate for themselves (see
 * docs/api/errors.md).
 */
#ifndef NEREID_ALLOC_H
#define NEREID_ALLOC_H

#include <stddef.h>

/* malloc(size); NULL with the message set on failure. size 0 gives a
 * distinct 1-byte block, never NULL. */
void *nrd_malloc(size_t size);
/* calloc(count, size) with count * size checked for overflow. */
void *nrd_calloc(size_t count, size_t size);
/* realloc(ptr, count * size) with the product checked; on failure ptr is
 * left as it was (still the caller's to free). */
void *nrd_realloc_array(void *ptr, size_t count, size_t size);
/* strdup(s) and strndup(s, n). */
char *nrd_strdup(const char *s);
char *nrd_strndup(const char *s, size_t n);

/*
 * Failure injection, for tests; does nothing unless the library is built
 * with NEREID_ALLOC_FAIL. nrd_alloc_fail_at(n): the nth allocation from now
 * (1 = the next one) fails, and so does every later one until
 * nrd_alloc_fail_at(0) turns failures off. Counts every thread.
 * nrd_alloc_count(): allocations made since the last nrd_alloc_fail_at.
 * nrd_alloc_injected(): 1 when the library was built with NEREID_ALLOC_FAIL.
 */
void nrd_alloc_fail_at(unsigned long n);
unsigned long nrd_alloc_count(void);
int nrd_alloc_injected(void);

#endif
