/*
 * test_sqlwait.c - statements that SQLite answers "busy" at once, without
 * its busy handler, are run again until the lock is free or the time is
 * up; what a failed try left open is rolled back before the next one.
 * Two connections in one process lock each other as two processes would.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sqlite3.h>
#include "check.h"
#include "scratch.h"
#include "sqlwait.h"

static int64_t now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static sqlite3 *open_db(const char *path)
{
        sqlite3 *db = NULL;

        CHECK(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) ==
              SQLITE_OK);
        return db;
}

/* The holder: ends its write transaction after a pause. */
struct holder {
        sqlite3 *db;
        int after_ms;
};

static void *release_later(void *arg)
{
        struct holder *h = arg;

        usleep((useconds_t)h->after_ms * 1000);
        sqlite3_exec(h->db, "COMMIT", NULL, NULL, NULL);
        return NULL;
}

/* No busy timeout at all, so every "busy" comes back at once, as SQLite
 * answers where its busy handler is not called: sqlwait must wait. */
static void test_waits_for_the_lock(void)
{
        sqlite3 *a = open_db(path_in(root, "wait.db")), *b = open_db(path_in(root, "wait.db"));
        struct holder h = {a, 300};
        pthread_t thread;
        int64_t start;
        int rc;

        CHECK(sqlite3_exec(a, "CREATE TABLE t (x)", NULL, NULL, NULL) == SQLITE_OK);
        CHECK(sqlite3_exec(a, "BEGIN IMMEDIATE; INSERT INTO t VALUES (1)", NULL, NULL, NULL) ==
              SQLITE_OK);
        /* Plain SQLite fails at once. */
        CHECK(sqlite3_exec(b, "INSERT INTO t VALUES (2)", NULL, NULL, NULL) == SQLITE_BUSY);

        CHECK(pthread_create(&thread, NULL, release_later, &h) == 0);
        start = now_ms();
        /* A transaction of several statements, retried as a whole. */
        rc = nrd_sqlwait_exec(b, "BEGIN IMMEDIATE; INSERT INTO t VALUES (2); COMMIT", 10000);
        CHECK(rc == SQLITE_OK);
        CHECK(now_ms() - start >= 250);
        CHECK(now_ms() - start < 5000);
        pthread_join(thread, NULL);
        CHECK(sqlite3_get_autocommit(b));
        CHECK(nrd_sqlwait_exec(a, "SELECT count(*) FROM t", 1000) == SQLITE_OK);
        sqlite3_close(a);
        sqlite3_close(b);
}

/* The time is up: busy is returned, after about timeout_ms, with SQLite's
 * message; a transaction the try began may be open (the caller rolls it
 * back). */
static void test_gives_up(void)
{
        sqlite3 *a = open_db(path_in(root, "up.db")), *b = open_db(path_in(root, "up.db"));
        int64_t start, took;
        int rc;

        CHECK(sqlite3_exec(a, "CREATE TABLE t (x); BEGIN IMMEDIATE", NULL, NULL, NULL) ==
              SQLITE_OK);
        start = now_ms();
        rc = nrd_sqlwait_exec(b, "INSERT INTO t VALUES (1)", 300);
        took = now_ms() - start;
        CHECK(rc == SQLITE_BUSY);
        CHECK(took >= 300 && took < 3000);
        CHECK(strstr(sqlite3_errmsg(b), "locked") != NULL);

        /* A failed try of a transaction is rolled back before the next, so
         * a retry never runs inside the leftovers of the last one. */
        rc = nrd_sqlwait_exec(b, "BEGIN; INSERT INTO t VALUES (1); COMMIT", 200);
        CHECK(rc == SQLITE_BUSY);
        sqlite3_exec(b, "ROLLBACK", NULL, NULL, NULL);
        CHECK(sqlite3_exec(a, "COMMIT", NULL, NULL, NULL) == SQLITE_OK);
        CHECK(nrd_sqlwait_exec(b, "BEGIN; INSERT INTO t VALUES (1); COMMIT", 200) == SQLITE_OK);
        CHECK(sqlite3_get_autocommit(b));

        /* Other failures are returned at once, not retried. */
        start = now_ms();
        CHECK(nrd_sqlwait_exec(b, "INSERT INTO missing VALUES (1)", 5000) == SQLITE_ERROR);
        CHECK(now_ms() - start < 1000);
        sqlite3_close(a);
        sqlite3_close(b);
}

int main(void)
{
        if (scratch_begin("sqlwait") < 0)
                return 1;
        test_waits_for_the_lock();
        test_gives_up();
        return scratch_end(CHECK_DONE());
}
