/*
 * sqlite_records.h - the embedded store's table-valued function
 * nrd_records(?), which hands SQLite an artifact's records one at a time
 * from a pull (store_file_next), so that one INSERT ... SELECT stores them
 * all through one statement and one open cursor (sqlite_records.c). Not
 * the store itself (sqlite.c).
 */
#ifndef NEREID_SQLITE_RECORDS_H
#define NEREID_SQLITE_RECORDS_H

#include <sqlite3.h>
#include <stdint.h>
#include "store.h"

/* The pointer type of nrd_records' one argument (sqlite3_bind_pointer). */
#define NRD_RECORDS_POINTER "nereid_records_pull"

/* What a statement binds as nrd_records' argument: the pull, and what the
 * rows it gave came to. rc is the pull's own failure (a negative code,
 * its message set), 0 otherwise: after a statement fails, the caller
 * returns rc when it is set rather than SQLite's message. Records are
 * borrowed until the next pull unless stable (alive until the statement
 * ends): their strings are then given to SQLite without a copy. */
typedef struct nrd_records_pull {
        store_file_next next;
        void *payload;
        int stable;
        int rc;
        int64_t count;  /* records given */
        uint64_t total; /* their sizes added, UINT64_MAX when that overflows */
} nrd_records_pull;

/* Make nrd_records known to db (on every connection the store opens). */
int nrd_sqlite_records_register(sqlite3 *db);

/* A pull over a list's records in order (payload: a nrd_records_list). */
typedef struct nrd_records_list {
        const nereid_files *files;
        size_t at;
} nrd_records_list;
int nrd_records_list_next(void *payload, const struct nereid_file **file);

#endif
