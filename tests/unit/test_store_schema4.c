/*
 * test_store_schema4.c - the embedded store's schema 4 (run_query): a
 * schema-3 store (no total_size, no sort indexes) answers run_query as it
 * is, summing each artifact's sizes, and is not changed by the read; the
 * first write migrates it, filling every artifact's total size; the table
 * view's sorts use their indexes (no scan, no sort of 100,000 runs).
 * SQLite-specific, so not in the conformance suite.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include "check.h"
#include "records.h"
#include "scratch.h"
#include "error.h"
#include "hash.h"
#include "nereid.h"
#include "store/store.h"

#define P "ws/table"

static long long int_of(const char *home, const char *sql)
{
        sqlite3 *db = NULL;
        sqlite3_stmt *stmt = NULL;
        long long v = -1;

        if (sqlite3_open_v2(path_in(home, "store.db"), &db, SQLITE_OPEN_READONLY, NULL) ==
                SQLITE_OK &&
            sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK &&
            sqlite3_step(stmt) == SQLITE_ROW)
                v = sqlite3_column_int64(stmt, 0);
        sqlite3_finalize(stmt);
        sqlite3_close(db);
        return v;
}

static void exec_on(const char *home, const char *sql)
{
        sqlite3 *db = NULL;

        CHECK(sqlite3_open(path_in(home, "store.db"), &db) == SQLITE_OK);
        CHECK(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK);
        sqlite3_close(db);
}

static void plan_of(const char *home, const char *sql, char *out, size_t cap)
{
        sqlite3 *db = NULL;
        sqlite3_stmt *stmt = NULL;
        char explain[512];
        size_t n = 0;

        out[0] = '\0';
        snprintf(explain, sizeof(explain), "EXPLAIN QUERY PLAN %s", sql);
        if (sqlite3_open_v2(path_in(home, "store.db"), &db, SQLITE_OPEN_READONLY, NULL) ==
                SQLITE_OK &&
            sqlite3_prepare_v2(db, explain, -1, &stmt, NULL) == SQLITE_OK)
                while (sqlite3_step(stmt) == SQLITE_ROW && n < cap)
                        n += (size_t)snprintf(out + n, cap - n, "%s\n",
                                              (const char *)sqlite3_column_text(stmt, 3));
        sqlite3_finalize(stmt);
        sqlite3_close(db);
}

static int total_of(void *payload, const store_run_info *info, uint64_t number,
                    const store_field_summary *fields, size_t nfields)
{
        (void)info;
        (void)number;
        if (nfields == 1)
                *(uint64_t *)payload = fields[0].total_size;
        return 0;
}

static uint64_t total_size(nereid_store *store)
{
        store_run_query q;
        uint64_t total = 0;

        memset(&q, 0, sizeof(q));
        q.limit = 10;
        CHECK(nrd_store_run_query(store, P, &q, total_of, &total) == 0);
        return total;
}

static void test_migration(void)
{
        const char *home = path_in(root, "schema3");
        nereid_store *store = NULL;
        nereid_files *files = nrd_files_new();
        char key[16], id[32], hash[NEREID_HASH_BUFSIZE], content[NEREID_HASH_BUFSIZE];

        CHECK(files != NULL);
        CHECK(nrd_store_open(&store, home, NEREID_MODE_ASYNC) == 0);
        CHECK(nrd_store_project_open(store, P, "TBL", 1, key) == 0);
        CHECK(nrd_store_run_create(store, P, "a", "me", id) == 0);
        push(files, "a", "9e107d9d372bb6826bd81d3542a419d6", 1000);
        push(files, "b", "9e107d9d372bb6826bd81d3542a419d6", 24);
        CHECK(nrd_hash_files_pair(files, hash, content) == 0);
        CHECK(nrd_store_artifact_put(store, P, hash, content, files) == 0);
        CHECK(nrd_store_field_swap(store, P, id, "data", NULL, hash, NULL, 0, STORE_ROOTS_ADD) ==
              0);
        CHECK(total_size(store) == 1024);
        nrd_store_close(store);
        /* As the previous release wrote it. */
        exec_on(home, "DROP INDEX runs_by_name; DROP INDEX runs_by_owner; DROP INDEX runs_by_ctime;"
                      "DROP INDEX runs_by_mtime; ALTER TABLE artifacts DROP COLUMN total_size;"
                      "PRAGMA user_version = 3;");
        CHECK(nrd_store_open(&store, home, NEREID_MODE_READ_ONLY) == 0);
        CHECK(total_size(store) == 1024); /* summed from the records */
        nrd_store_close(store);
        CHECK(int_of(home, "PRAGMA user_version") == 3);
        CHECK(int_of(home, "SELECT count(*) FROM pragma_table_info('artifacts') WHERE name ="
                           " 'total_size'") == 0);
        /* The first write migrates, filling the total sizes. */
        CHECK(nrd_store_open(&store, home, NEREID_MODE_ASYNC) == 0);
        CHECK(nrd_store_run_create(store, P, "b", "me", id) == 0);
        nrd_store_close(store);
        CHECK(int_of(home, "PRAGMA user_version") == 5); /* schema 5 (applied_ops) follows */
        CHECK(int_of(home, "SELECT total_size FROM artifacts") == 1024);
        CHECK(nrd_store_open(&store, home, NEREID_MODE_ASYNC) == 0);
        CHECK(total_size(store) == 1024);
        nrd_store_close(store);
        nereid_files_free(files);
}

/* Each sort of run_query seeks and reads its index in order: no sort. */
static void test_indexes(void)
{
        const char *home = path_in(root, "schema3");
        static const char *const cols[] = {"name", "owner", "creation_time", "modification_time"};
        char plan[2048], sql[256];

        for (size_t i = 0; i < 4; i++) {
                snprintf(sql, sizeof(sql),
                         "SELECT number FROM runs WHERE project_id = 1 AND (%s, number) > ('x', 1)"
                         " ORDER BY %s ASC, number ASC LIMIT 50",
                         cols[i], cols[i]);
                plan_of(home, sql, plan, sizeof(plan));
                CHECK(strstr(plan, "INDEX runs_by_") != NULL);
                CHECK(strstr(plan, "TEMP B-TREE") == NULL);
        }
}

int main(void)
{
        if (scratch_begin("store-schema4") < 0)
                return 1;
        test_migration();
        test_indexes();
        return scratch_end(CHECK_DONE());
}
