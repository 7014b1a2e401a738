/*
 * postgres.h - the PostgreSQL store backend's table (postgres.c), for the
 * registry of store.c. Nothing else of the backend is shared.
 */
#ifndef NEREID_STORE_POSTGRES_H
#define NEREID_STORE_POSTGRES_H

#include "store.h"

/* postgres:// and postgresql:// (libpq URIs): SPEC section 8. */
extern const store_ops nrd_store_postgres_ops;

#endif
