/*
 * test_sqlite_records.c - nrd_records(?), the table-valued function the
 * embedded store inserts an artifact's records through: every record and
 * column arrives as given (NULL size, source and time included), a pull
 * that fails stops the statement with the pull's own code and message,
 * and SQL cannot call it without a bound pull nor from a view or trigger.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "error.h"
#include "records.h"
#include "store/sqlite_records.h"

#define MD5 "9e107d9d372bb6826bd81d3542a419d6"
#define INSERT                                                                                     \
        "INSERT INTO t SELECT ?1, file_path, file_hash, type, size, source, last_modified"         \
        " FROM nrd_records(?2)"

static sqlite3 *open_db(void)
{
        sqlite3 *db = NULL;

        CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK);
        CHECK(nrd_sqlite_records_register(db) == SQLITE_OK);
        CHECK(sqlite3_exec(db,
                           "CREATE TABLE t(a INTEGER NOT NULL, file_path TEXT NOT NULL,"
                           " file_hash TEXT NOT NULL, type TEXT NOT NULL, size INTEGER,"
                           " source TEXT, last_modified TEXT, PRIMARY KEY(a, file_path))"
                           " WITHOUT ROWID",
                           NULL, NULL, NULL) == SQLITE_OK);
        return db;
}

static int run_insert(sqlite3 *db, nrd_records_pull *pull)
{
        sqlite3_stmt *stmt = NULL;
        int rc;

        CHECK(sqlite3_prepare_v2(db, INSERT, -1, &stmt, NULL) == SQLITE_OK);
        sqlite3_bind_int64(stmt, 1, 7);
        sqlite3_bind_pointer(stmt, 2, pull, NRD_RECORDS_POINTER, NULL);
        rc = sqlite3_step(stmt);
        sqlite3_finalize(stmt);
        return rc;
}

static long long count_rows(sqlite3 *db)
{
        sqlite3_stmt *stmt = NULL;
        long long n = -1;

        CHECK(sqlite3_prepare_v2(db, "SELECT count(*) FROM t", -1, &stmt, NULL) == SQLITE_OK);
        if (sqlite3_step(stmt) == SQLITE_ROW)
                n = sqlite3_column_int64(stmt, 0);
        sqlite3_finalize(stmt);
        return n;
}

/* Every record and column as given, in order; count and total kept. */
static void test_rows(int stable)
{
        sqlite3 *db = open_db();
        nereid_files *files = nrd_files_new();
        nrd_records_list list = {files, 0};
        nrd_records_pull pull = {nrd_records_list_next, &list, stable, 0, 0, 0};
        sqlite3_stmt *stmt = NULL;
        struct nereid_file bare;
        int i = 0;

        push(files, "a.txt", MD5, 3);
        push(files, "b/c.bin", MD5, 5);
        /* No size, no source, no time. */
        memset(&bare, 0, sizeof(bare));
        bare.file_path = xdup("d");
        bare.file_hash = xdup(MD5);
        bare.type = xdup("S3");
        CHECK(nrd_files_push(files, &bare) == 0);
        CHECK(run_insert(db, &pull) == SQLITE_DONE);
        CHECK(pull.rc == 0 && pull.count == 3 && pull.total == 8);
        CHECK(sqlite3_prepare_v2(db, "SELECT * FROM t ORDER BY file_path", -1, &stmt, NULL) ==
              SQLITE_OK);
        while (sqlite3_step(stmt) == SQLITE_ROW) {
                const struct nereid_file *f = &files->items[i++];

                CHECK(sqlite3_column_int64(stmt, 0) == 7);
                CHECK_STR((const char *)sqlite3_column_text(stmt, 1), f->file_path);
                CHECK_STR((const char *)sqlite3_column_text(stmt, 2), f->file_hash);
                CHECK_STR((const char *)sqlite3_column_text(stmt, 3), f->type);
                if (f->has_size)
                        CHECK(sqlite3_column_int64(stmt, 4) == (sqlite3_int64)f->size);
                else
                        CHECK(sqlite3_column_type(stmt, 4) == SQLITE_NULL);
                if (f->source)
                        CHECK_STR((const char *)sqlite3_column_text(stmt, 5), f->source);
                else
                        CHECK(sqlite3_column_type(stmt, 5) == SQLITE_NULL);
                if (f->last_modified)
                        CHECK_STR((const char *)sqlite3_column_text(stmt, 6), f->last_modified);
                else
                        CHECK(sqlite3_column_type(stmt, 6) == SQLITE_NULL);
        }
        sqlite3_finalize(stmt);
        CHECK(i == 3);
        nereid_files_free(files);
        sqlite3_close(db);
}

/* A pull that fails at its third record: the statement stops with the
 * pull's code kept and its message given to SQLite; in a transaction
 * rolled back, nothing stays. */
struct failing {
        nrd_records_list list;
        size_t fail_at;
};

static int failing_next(void *payload, const struct nereid_file **file)
{
        struct failing *f = payload;

        if (f->list.at == f->fail_at)
                return nrd_error(NEREID_EINTEGRITY, "record %zu: does not hash", f->fail_at);
        return nrd_records_list_next(&f->list, file);
}

static void test_pull_fails(void)
{
        sqlite3 *db = open_db();
        nereid_files *files = nrd_files_new();
        struct failing f = {{files, 0}, 2};
        nrd_records_pull pull = {failing_next, &f, 0, 0, 0, 0};

        push(files, "a", MD5, 1);
        push(files, "b", MD5, 1);
        push(files, "c", MD5, 1);
        CHECK(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK);
        CHECK(run_insert(db, &pull) == SQLITE_ERROR);
        CHECK(pull.rc == NEREID_EINTEGRITY);
        CHECK(strstr(nereid_error_last(), "record 2: does not hash") != NULL);
        CHECK(strstr(sqlite3_errmsg(db), "record 2: does not hash") != NULL);
        CHECK(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL) == SQLITE_OK);
        CHECK(count_rows(db) == 0);
        /* Failing on the first record (in xFilter) is the same. */
        f.list.at = 0;
        f.fail_at = 0;
        pull.rc = 0;
        CHECK(run_insert(db, &pull) == SQLITE_ERROR && pull.rc == NEREID_EINTEGRITY);
        CHECK(count_rows(db) == 0);
        nereid_files_free(files);
        sqlite3_close(db);
}

/* SQL alone cannot reach it: no pointer from a literal or a text
 * parameter, no use from a view or a trigger, no table of it. */
static void test_not_from_sql(void)
{
        sqlite3 *db = open_db();
        sqlite3_stmt *stmt = NULL;

        CHECK(sqlite3_exec(db, "SELECT * FROM nrd_records(1)", NULL, NULL, NULL) == SQLITE_ERROR);
        CHECK(strstr(sqlite3_errmsg(db), "no records to read") != NULL);
        CHECK(sqlite3_exec(db, "SELECT * FROM nrd_records", NULL, NULL, NULL) == SQLITE_ERROR);
        CHECK(sqlite3_prepare_v2(db, "SELECT * FROM nrd_records(?)", -1, &stmt, NULL) == SQLITE_OK);
        sqlite3_bind_text(stmt, 1, "nereid_records_pull", -1, SQLITE_STATIC);
        CHECK(sqlite3_step(stmt) == SQLITE_ERROR);
        sqlite3_finalize(stmt);
        CHECK(sqlite3_exec(db, "CREATE VIEW v AS SELECT * FROM nrd_records(1)", NULL, NULL, NULL) ==
              SQLITE_OK);
        CHECK(sqlite3_exec(db, "SELECT * FROM v", NULL, NULL, NULL) == SQLITE_ERROR);
        CHECK(strstr(sqlite3_errmsg(db), "unsafe use") != NULL);
        CHECK(sqlite3_exec(db, "CREATE VIRTUAL TABLE x USING nrd_records", NULL, NULL, NULL) ==
              SQLITE_ERROR);
        CHECK(count_rows(db) == 0);
        sqlite3_close(db);
}

int main(void)
{
        test_rows(1);
        test_rows(0);
        test_pull_fails();
        test_not_from_sql();
        return CHECK_DONE();
}
