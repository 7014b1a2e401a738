/*
 * strset.h - a set of strings, to tell whether one was seen before (the S3
 * listing's progress checks: continuation tokens and keys). Holds copies of
 * what it is given, or borrows them. Not a map, no removal, no order; one
 * thread at a time.
 */
#ifndef NEREID_STRSET_H
#define NEREID_STRSET_H

#include <stddef.h>

typedef struct strset strset;

/* An empty set; NULL on ENOMEM (message set). copy: 1 to keep copies of
 * the strings added, 0 to keep the pointers, which must then stay valid
 * (and unchanged) until the set is freed. */
strset *nrd_strset_new(int copy);
/* Add s: 1 when it was in the set already, 0 when it has been added,
 * NEREID_ERROR on ENOMEM (message set). */
int nrd_strset_add(strset *set, const char *s);
/* Number of strings in the set. */
size_t nrd_strset_count(const strset *set);
/* NULL is a no-op. */
void nrd_strset_free(strset *set);

#endif
