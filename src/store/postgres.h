/*
 * postgres.h - the PostgreSQL store backend's table (postgres.c), for the
 * registry of store.c, and its statements for the EXPLAIN test.
 */
#ifndef NEREID_STORE_POSTGRES_H
#define NEREID_STORE_POSTGRES_H

#include "store.h"

/* postgres:// and postgresql:// (libpq URIs): SPEC section 8. */
extern const store_ops nrd_store_postgres_ops;

/* The SQL of the backend's i-th prepared statement, NULL past the last:
 * for the test that EXPLAINs every one (tests/pg/explain.sh). */
const char *nrd_store_postgres_sql(size_t i);

/* How many times a call that lost a serialisation race (40001) or a
 * deadlock (40P01) is run again before it fails. */
#define PG_RETRIES   12
#define PG_TRACE_MAX 16

/* What the last call of a postgres store did to get through: attempts
 * made (1 when nothing was retried), retries after a serialisation
 * failure or deadlock, and the backoff slept before each (ms). */
typedef struct pg_trace {
        unsigned attempts, retries;
        long backoff_ms[PG_TRACE_MAX];
} pg_trace;

/* Test-only: the next `times` attempts of the store's calls fail with a
 * real error of SQLSTATE sqlstate (NULL: none), raised by the database
 * (a DO block's RAISE) inside the call's transaction, after its
 * statements and before its COMMIT (before the statement of a call that
 * is one statement). */
void nrd_store_postgres_fault(nereid_store *s, const char *sqlstate, unsigned times);
/* What the last call of s did (attempts, retries, backoffs). */
void nrd_store_postgres_trace(nereid_store *s, pg_trace *out);

#endif
