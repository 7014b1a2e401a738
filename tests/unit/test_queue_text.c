/*
 * test_queue_text.c - what the queue keeps beside a put's records so the
 * sender can send their text as it is (src/queue.c, table sums): the
 * records' hashes as the track computed them, and a checksum of hashes
 * and text; nrd_queue_each_text hands the text and hashes over only when
 * the checksum holds, and refuses an operation whose text, hashes or
 * checksum were damaged on disk (EINTEGRITY, a message naming the queue
 * and the operation, nothing of it or after it handed over); queues of
 * earlier builds (no sums table, or a put without sums) are read record by
 * record; the sums go with their operation, whoever deletes it. Not for the
 * records' codec (test_queue_codec.c).
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "records.h"
#include "scratch.h"
#include "error.h"
#include "hash.h"
#include "nereid.h"
#include "queue.h"
#include "queue_ops.h"
#include "same_records.h"

#define U1 "5d0b8e0a-51c3-4a8e-9d35-2f7fd2b0a6c1"

static const char *db_path(const char *home)
{
        char *folder = nrd_queue_folder(home);
        const char *path;

        if (!folder)
                abort();
        path = path_in(folder, U1 ".db");
        free(folder);
        return path;
}

/* Run sql on the queue's file from outside, as damage or another build
 * would change it. */
static void raw_sql(const char *home, const char *sql)
{
        sqlite3 *db = NULL;
        char *err = NULL;

        CHECK(sqlite3_open_v2(db_path(home), &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK);
        sqlite3_busy_timeout(db, 10000);
        if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
                fprintf(stderr, "raw_sql: %s: %s\n", sql, err ? err : "?");
        CHECK(err == NULL);
        sqlite3_free(err);
        sqlite3_close(db);
}

static long long raw_count(const char *home, const char *sql)
{
        sqlite3 *db = NULL;
        sqlite3_stmt *stmt = NULL;
        long long n = -1;

        CHECK(sqlite3_open_v2(db_path(home), &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
        if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK &&
            sqlite3_step(stmt) == SQLITE_ROW)
                n = sqlite3_column_int64(stmt, 0);
        sqlite3_finalize(stmt);
        sqlite3_close(db);
        return n;
}

static nereid_files *some_records(void)
{
        nereid_files *files = nrd_files_new();

        if (!files)
                abort();
        for (int i = 0; i < 40; i++) {
                char path[32];

                snprintf(path, sizeof(path), "d/%04d.bin", i);
                push(files, path, QUEUE_OPS_MD5, (uint64_t)i * 7919u);
        }
        return files;
}

static uint64_t append_files(nrd_queue *q, const char *field, const nereid_files *files)
{
        store_root where = {(char *)"file:///x", (char *)""};
        queue_op op;
        uint64_t seq = 0;

        memset(&op, 0, sizeof(op));
        op.kind = QUEUE_PUT;
        op.field = (char *)field;
        op.files = (nereid_files *)files;
        op.roots = &where;
        op.nroots = 1;
        CHECK(nrd_queue_append(q, &op, &seq) == 0);
        return seq;
}

/* What nrd_queue_each_text handed over. */
struct text_seen {
        nrd_queue *q;
        int ops;                  /* operations */
        int sums;                 /* of them with has_sums */
        uint64_t last;            /* the last one's number */
        const nereid_files *want; /* the records every put must decode to */
        char hash[NEREID_HASH_HEXLEN + 1];
        char content[NEREID_HASH_HEXLEN + 1];
        int same; /* puts whose text decoded to want and whose sums (if any) matched */
};

static int text_cb(void *payload, const queue_op *op)
{
        struct text_seen *s = payload;
        nereid_files *files = NULL;

        s->ops++;
        s->last = op->seq;
        if (op->kind != QUEUE_PUT)
                return 0;
        CHECK(op->files == NULL);
        CHECK(op->text != NULL && op->text_len > 0);
        s->sums += op->has_sums;
        if (nrd_queue_op_records(s->q, op, &files) == 0 && same_records(files, s->want) &&
            (!op->has_sums ||
             (strcmp(op->hash, s->hash) == 0 && strcmp(op->content, s->content) == 0)))
                s->same++;
        nereid_files_free(files);
        return 0;
}

static nrd_queue *fresh_queue(const char *home)
{
        store_run_spec spec = spec_of(U1);
        nrd_queue *q = NULL;

        CHECK(nrd_queue_create(&q, home, "ws/p", &spec, NULL) == 0);
        return q;
}

static void walk(nrd_queue *q, const nereid_files *files, struct text_seen *s)
{
        memset(s, 0, sizeof(*s));
        s->q = q;
        s->want = files;
        CHECK(nrd_hash_files_pair(files, s->hash, s->content) == 0);
}

/* Written by this build: the text is the upload's body (the codec's bytes),
 * the hashes those of the records, and both survive the checksum. */
static void test_sums_kept(const char *home)
{
        nereid_files *files = some_records();
        nrd_queue *q = fresh_queue(home);
        struct text_seen s;

        append_files(q, "a", files);
        CHECK(append_remove(q, "a") == 0);
        append_files(q, "b", files);
        walk(q, files, &s);
        CHECK(nrd_queue_each_text(q, 0, text_cb, &s) == 0);
        CHECK(s.ops == 3);
        CHECK(s.sums == 2);
        CHECK(s.same == 2);
        CHECK(raw_count(home, "SELECT count(*) FROM sums") == 2);
        /* The sums go with their operation: the queue's ack, and a plain
         * DELETE as an earlier build's ack does it. */
        CHECK(nrd_queue_ack(q, 1) == 0);
        CHECK(raw_count(home, "SELECT count(*) FROM sums") == 1);
        raw_sql(home, "DELETE FROM ops WHERE seq = 3");
        CHECK(raw_count(home, "SELECT count(*) FROM sums") == 0);
        nereid_files_free(files);
        CHECK(nrd_queue_remove(q) == 0);
        nrd_queue_close(q);
}

/* Damage on disk, each to the second of three puts: refused with
 * EINTEGRITY naming the queue and operation 2, the first handed over,
 * nothing after; the decoding walk (offline views) is not fooled into
 * trusting the sums either way. */
static void test_damaged(const char *home)
{
        static const char *const damage[] = {
            /* one digit of a size in the text: still valid JSON */
            "UPDATE ops SET records = replace(records, '\"size\":7919', '\"size\":7918') "
            "WHERE seq = 2",
            /* a record dropped from the text */
            "UPDATE ops SET records = replace(records, "
            "substr(records, instr(records, '{'), instr(records, '},') + 1 - instr(records, "
            "'{')), '') WHERE seq = 2",
            /* the hashes */
            "UPDATE sums SET hash = replace(hash, substr(hash, 1, 1), "
            "CASE substr(hash, 1, 1) WHEN 'a' THEN 'b' ELSE 'a' END) WHERE seq = 2",
            "UPDATE sums SET content = '0000000000000000000000000000000000000000000000000000000"
            "000000000' WHERE seq = 2",
            /* the checksum itself, or not a checksum at all */
            "UPDATE sums SET sum = replace(sum, substr(sum, 5, 1), "
            "CASE substr(sum, 5, 1) WHEN 'a' THEN 'b' ELSE 'a' END) WHERE seq = 2",
            "UPDATE sums SET sum = 'x' WHERE seq = 2",
            "UPDATE sums SET hash = NULL WHERE seq = 2",
            "UPDATE sums SET sum = upper(sum) WHERE seq = 2",
        };
        nereid_files *files = some_records();

        for (size_t i = 0; i < sizeof(damage) / sizeof(damage[0]); i++) {
                nrd_queue *q = fresh_queue(home);
                struct text_seen s;
                const char *msg;
                int rc;

                append_files(q, "a", files);
                append_files(q, "b", files);
                append_files(q, "c", files);
                /* A table made without NOT NULL lets "hash = NULL" be tried. */
                if (strstr(damage[i], "NULL"))
                        raw_sql(home,
                                "DROP TRIGGER ops_gone;"
                                "CREATE TABLE s2(seq INTEGER PRIMARY KEY, hash, content, sum);"
                                "INSERT INTO s2 SELECT * FROM sums; DROP TABLE sums;"
                                "ALTER TABLE s2 RENAME TO sums;");
                raw_sql(home, damage[i]);
                walk(q, files, &s);
                rc = nrd_queue_each_text(q, 0, text_cb, &s);
                msg = nereid_error_last();
                if (rc != NEREID_EINTEGRITY || s.ops != 1 ||
                    !strstr(msg, "operation 2: records damaged on disk"))
                        fprintf(stderr, "damage %zu: rc %d, %d handed over, \"%s\"\n", i, rc, s.ops,
                                msg);
                CHECK(rc == NEREID_EINTEGRITY);
                CHECK(s.ops == 1 && s.same == 1);
                CHECK(strstr(msg, "operation 2: records damaged on disk") != NULL);
                CHECK(strstr(msg, U1 ".db") != NULL);
                CHECK(strchr(msg, '\n') == NULL);
                /* Nothing was forgotten: all three still queued. */
                CHECK(raw_count(home, "SELECT count(*) FROM ops") == 3);
                CHECK(nrd_queue_remove(q) == 0);
                nrd_queue_close(q);
        }
        nereid_files_free(files);
}

/* A queue an earlier build made (no sums table) and wrote into: its puts
 * are handed over as text without sums, and decode; an append by this
 * build makes the table and keeps its sums. */
static void test_earlier_build(const char *home)
{
        nereid_files *files = some_records();
        nrd_queue *q = fresh_queue(home);
        struct text_seen s;

        append_files(q, "a", files);
        raw_sql(home, "DROP TRIGGER ops_gone; DROP TABLE sums;");
        nrd_queue_close(q);
        CHECK(nrd_queue_open(&q, home, U1, 1) == 0);
        walk(q, files, &s);
        CHECK(nrd_queue_each_text(q, 0, text_cb, &s) == 0);
        CHECK(s.ops == 1 && s.sums == 0 && s.same == 1);
        append_files(q, "b", files);
        walk(q, files, &s);
        CHECK(nrd_queue_each_text(q, 0, text_cb, &s) == 0);
        CHECK(s.ops == 2 && s.sums == 1 && s.same == 2);
        /* A put an earlier build appends into this build's queue: no sums. */
        raw_sql(home, "INSERT INTO ops SELECT NULL, kind, 'c', replace, records, roots, queued "
                      "FROM ops WHERE seq = 1");
        walk(q, files, &s);
        CHECK(nrd_queue_each_text(q, 0, text_cb, &s) == 0);
        CHECK(s.ops == 3 && s.sums == 1 && s.same == 3 && s.last == 3);
        nereid_files_free(files);
        CHECK(nrd_queue_remove(q) == 0);
        nrd_queue_close(q);
}

int main(void)
{
        char *home;
        int rc;

        if (scratch_begin("queue-text") < 0)
                return 1;
        home = xdup(path_in(root, "home"));
        test_sums_kept(home);
        test_damaged(home);
        test_earlier_build(home);
        rc = scratch_end(CHECK_DONE());
        free(home);
        return rc;
}
