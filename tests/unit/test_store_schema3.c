/*
 * test_store_schema3.c - the embedded store's schema 3 (store ops version
 * 4): a schema-2 store (as the previous release wrote it) is read as it is
 * (runs without metadata, no tokens, no settings) and never changed by a
 * read or in read-only mode; the first write migrates it, giving every
 * old run a distinct version-4 UUID; the queries of the new ops use their
 * indexes. SQLite-specific, so not in the conformance suite.
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
#include "nereid.h"
#include "store/store.h"

#define P "ml-team/classification"

static long long pragma_of(const char *home, const char *sql)
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
        char *err = NULL;

        CHECK(sqlite3_open(path_in(home, "store.db"), &db) == SQLITE_OK);
        CHECK(sqlite3_exec(db, sql, NULL, NULL, &err) == SQLITE_OK);
        if (err)
                fprintf(stderr, "sql: %s\n", err);
        sqlite3_free(err);
        sqlite3_close(db);
}

/* The query plan of sql, one "detail" a line. */
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

/* Make a store of schema 2: one with runs, then the schema-3 parts taken out. */
static void make_schema2(const char *home)
{
        nereid_store *store = NULL;
        char key[16], id[32];

        CHECK(nrd_store_open(&store, home, NEREID_MODE_ASYNC) == 0);
        CHECK(nrd_store_project_open(store, P, NULL, 1, key) == 0);
        CHECK(nrd_store_run_create(store, P, "a", "me", id) == 0);
        CHECK(nrd_store_run_create(store, P, "b", "me", id) == 0);
        nrd_store_close(store);
        exec_on(home,
                "DROP INDEX runs_uuid; DROP INDEX runs_custom_run_id;"
                "ALTER TABLE runs DROP COLUMN uuid; ALTER TABLE runs DROP COLUMN custom_run_id;"
                "ALTER TABLE runs DROP COLUMN description; ALTER TABLE runs DROP COLUMN tags;"
                "DROP TABLE tokens; DROP TABLE settings; PRAGMA user_version = 2;");
        CHECK(pragma_of(home, "PRAGMA user_version") == 2);
}

static void test_migration(void)
{
        const char *home = path_in(root, "schema2");
        nereid_store *store = NULL;
        store_run_info a, b;
        store_token t;
        char *value = NULL, id[32];
        int created = 0;
        store_run_spec spec;

        make_schema2(home);
        /* Read as it is, in read-only mode and in a writable one. */
        CHECK(nrd_store_open(&store, home, NEREID_MODE_READ_ONLY) == 0);
        CHECK(nrd_store_run_get(store, P, "CLS-1", &a) == 0);
        CHECK_STR(a.name, "a");
        CHECK_STR(a.uuid, "");
        CHECK(a.custom_run_id == NULL && a.ntags == 0);
        nrd_store_run_info_clear(&a);
        nrd_store_close(store);
        CHECK(nrd_store_open(&store, home, NEREID_MODE_ASYNC) == 0);
        CHECK(nrd_store_token_find_by_hash(store,
                                           "0000000000000000000000000000000000000000000000"
                                           "000000000000000000",
                                           &t) == NEREID_ENOTFOUND);
        CHECK(nrd_store_meta_get(store, "server.url", &value) == NEREID_ENOTFOUND);
        CHECK(nrd_store_run_get(store, P, "CLS-2", &b) == 0);
        nrd_store_run_info_clear(&b);
        CHECK(pragma_of(home, "PRAGMA user_version") == 2);
        /* The first write migrates, and old runs get distinct UUIDs. */
        memset(&spec, 0, sizeof(spec));
        spec.uuid = "11111111-2222-4333-8444-555555555555";
        spec.owner = "me";
        spec.custom_run_id = "c";
        CHECK(nrd_store_run_new(store, P, &spec, id, &created) == 0);
        CHECK_STR(id, "CLS-3");
        CHECK(pragma_of(home, "PRAGMA user_version") == 5);
        CHECK(nrd_store_run_get(store, P, "CLS-1", &a) == 0);
        CHECK(nrd_store_run_get(store, P, "CLS-2", &b) == 0);
        CHECK(nrd_store_uuid_check(a.uuid) == 0 && nrd_store_uuid_check(b.uuid) == 0);
        CHECK(a.uuid[14] == '4' && strchr("89ab", a.uuid[19]) != NULL);
        CHECK(strcmp(a.uuid, b.uuid) != 0);
        CHECK_STR(a.name, "a");
        CHECK_STR(a.description, "");
        nrd_store_run_info_clear(&a);
        nrd_store_run_info_clear(&b);
        CHECK(nrd_store_meta_set(store, "server.url", "http://127.0.0.1:1") == 0);
        nrd_store_close(store);
}

static void test_indexes(void)
{
        const char *home = path_in(root, "schema2");
        char plan[1024];

        plan_of(home, "SELECT number FROM runs WHERE project_id = 1 AND uuid = 'x'", plan,
                sizeof(plan));
        CHECK(strstr(plan, "runs_uuid") != NULL);
        plan_of(home, "SELECT number FROM runs WHERE project_id = 1 AND custom_run_id = 'x'", plan,
                sizeof(plan));
        CHECK(strstr(plan, "runs_custom_run_id") != NULL);
        /* artifact_page's query (sqlite.c) seeks to the page's start. */
        plan_of(home,
                "SELECT file_path FROM artifact_files WHERE artifact_id = 1 AND file_path > 'x'"
                " ORDER BY file_path LIMIT 10",
                plan, sizeof(plan));
        CHECK(strstr(plan, "PRIMARY KEY (artifact_id=? AND file_path>?)") != NULL);
        CHECK(strstr(plan, "TEMP B-TREE") == NULL); /* no sort: the index's order */
        plan_of(home, "SELECT id FROM tokens WHERE hash = 'x'", plan, sizeof(plan));
        CHECK(strstr(plan, "tokens_hash") != NULL);
}

int main(void)
{
        if (scratch_begin("store-schema3") < 0)
                return 1;
        test_migration();
        test_indexes();
        return scratch_end(CHECK_DONE());
}
