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

#endif
