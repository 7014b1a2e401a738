/*
 * test_queue_codec.c - how the queue (src/queue.c) writes a put's records
 * and reads them back: the bytes jansson's encoder gives, whatever the
 * record's shape; queues written by older builds (jansson's encoder, or
 * any JSON array of records, spaced out) still read back the same; and
 * every malformed records text refused with a message naming the queue
 * and the operation, no operation after it delivered. Not for the queue's
 * other duties (test_queue.c).
 */
#include <jansson.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "records.h"
#include "scratch.h"
#include "buf.h"
#include "error.h"
#include "json.h"
#include "nereid.h"
#include "queue.h"
#include "queue_ops.h"
#include "same_records.h"

#define U1    "3b241101-e2bb-4255-8caf-4136c566a962"
#define MD5_A "9e107d9d372bb6826bd81d3542a419d6"
#define REC_A "{\"file_path\":\"a\",\"file_hash\":\"" MD5_A "\",\"type\":\"Local\",\"size\":1}"

/* Records of every shape: the common one, and the ones the fast codec
 * hands to jansson (escapes, non-ASCII, a null size, no metadata). */
static nereid_files *mixed_records(void)
{
        nereid_files *files = nrd_files_new();
        struct nereid_file f;

        if (!files)
                abort();
        push(files, "a/plain.bin", MD5_A, 12);
        push(files, "b/caf\xc3\xa9 \xe2\x82\xac.txt", MD5_A, 0);
        push(files, "c/quote\" back\\slash\ttab", MD5_A, 9223372036854775807u);
        f = make("d/no-size", MD5_A, 0);
        f.has_size = 0;
        CHECK(nrd_files_push(files, &f) == 0);
        f = make("e/no-metadata", "\"etag-ish\"", 7);
        free(f.source);
        free(f.last_modified);
        f.source = f.last_modified = NULL;
        free(f.type);
        f.type = xdup("S3");
        CHECK(nrd_files_push(files, &f) == 0);
        for (int i = 0; i < 50; i++) {
                char path[32];

                snprintf(path, sizeof(path), "f/%04d.bin", i);
                push(files, path, MD5_A, (uint64_t)i * 1000003u);
        }
        return files;
}

/* The records as the previous build's encoder wrote them: jansson, one
 * record after the other; flags other than 0 re-dump the array with
 * jansson's own layout (indented, spaced), as any JSON writer might. */
static char *old_text(const nereid_files *files, size_t flags)
{
        nereid_buf buf = NEREID_BUF_INIT;
        json_t *tree;
        char *text;

        nrd_buf_putc(&buf, '[');
        for (size_t i = 0; i < files->count; i++) {
                if (i)
                        nrd_buf_putc(&buf, ',');
                CHECK(nrd_json_record_append(&buf, &files->items[i]) == 0);
        }
        nrd_buf_putc(&buf, ']');
        text = nrd_buf_detach(&buf);
        if (!text || !flags)
                return text;
        tree = json_loads(text, 0, NULL);
        free(text);
        text = tree ? json_dumps(tree, flags) : NULL;
        json_decref(tree);
        return text;
}

/* The queue's file (a path_in buffer: not freed). */
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

/* Insert a put whose records column is text (NULL: SQL NULL), as a queue
 * file of another build holds it. */
static void insert_raw(const char *home, const char *field, const char *text)
{
        const char *path = db_path(home);
        sqlite3 *db = NULL;
        sqlite3_stmt *stmt = NULL;

        CHECK(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK);
        sqlite3_busy_timeout(db, 10000);
        CHECK(sqlite3_prepare_v2(db,
                                 "INSERT INTO ops VALUES(NULL, 1, ?, 0, ?, "
                                 "'[[\"file:///x\",\"\"]]', '2026-01-01T00:00:00Z')",
                                 -1, &stmt, NULL) == SQLITE_OK);
        sqlite3_bind_text(stmt, 1, field, -1, SQLITE_STATIC);
        if (text)
                sqlite3_bind_text(stmt, 2, text, -1, SQLITE_STATIC);
        else
                sqlite3_bind_null(stmt, 2);
        CHECK(sqlite3_step(stmt) == SQLITE_DONE);
        sqlite3_finalize(stmt);
        sqlite3_close(db);
}

/* The records column of operation seq, as stored. */
static char *stored_text(const char *home, uint64_t seq)
{
        const char *path = db_path(home);
        char *text = NULL;
        sqlite3 *db = NULL;
        sqlite3_stmt *stmt = NULL;

        CHECK(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
        CHECK(sqlite3_prepare_v2(db, "SELECT records FROM ops WHERE seq = ?", -1, &stmt, NULL) ==
              SQLITE_OK);
        sqlite3_bind_int64(stmt, 1, (sqlite3_int64)seq);
        if (sqlite3_step(stmt) == SQLITE_ROW)
                text = xdup((const char *)sqlite3_column_text(stmt, 0));
        sqlite3_finalize(stmt);
        sqlite3_close(db);
        return text;
}

struct got {
        nereid_files *want;
        int ops, same;
};

static int each_compare(void *payload, const queue_op *op)
{
        struct got *g = payload;

        g->ops++;
        if (op->kind == QUEUE_PUT && same_records(op->files, g->want) && op->nroots == 1)
                g->same++;
        return 0;
}

static nrd_queue *fresh_queue(const char *home)
{
        store_run_spec spec = spec_of(U1);
        nrd_queue *q = NULL;

        CHECK(nrd_queue_create(&q, home, "ws/p", &spec, NULL) == 0);
        return q;
}

/* Written by this build: jansson's bytes exactly, read back the same. */
static void test_round_trip(const char *home)
{
        nereid_files *files = mixed_records(), *empty = nrd_files_new();
        store_root where = {(char *)"file:///x", (char *)""};
        struct got g = {files, 0, 0};
        queue_op op;
        uint64_t seq = 0;
        char *want = old_text(files, 0), *got;
        nrd_queue *q = fresh_queue(home);

        memset(&op, 0, sizeof(op));
        op.kind = QUEUE_PUT;
        op.field = (char *)"data";
        op.files = files;
        op.roots = &where;
        op.nroots = 1;
        CHECK(nrd_queue_append(q, &op, &seq) == 0);
        got = stored_text(home, seq);
        CHECK_STR(got, want);
        CHECK(nrd_queue_each(q, 0, each_compare, &g) == 0);
        CHECK(g.ops == 1 && g.same == 1);

        /* An empty put is "[]" and reads back empty. */
        free(got);
        op.files = empty;
        CHECK(nrd_queue_append(q, &op, &seq) == 0);
        got = stored_text(home, seq);
        CHECK_STR(got, "[]");
        g.want = empty;
        g.ops = g.same = 0;
        CHECK(nrd_queue_each(q, 1, each_compare, &g) == 0);
        CHECK(g.ops == 1 && g.same == 1);

        /* A record no JSON can carry (not UTF-8) is refused, nothing queued. */
        CHECK(nrd_files_push_copy(empty, &files->items[0]) == 0);
        free(empty->items[0].file_path);
        empty->items[0].file_path = xdup("bad\xff");
        CHECK(nrd_queue_append(q, &op, &seq) == NEREID_EINVALID);
        CHECK(strstr(nereid_error_last(), "data: the records") != NULL);
        g.ops = 0;
        CHECK(nrd_queue_each(q, 2, each_compare, &g) == 0);
        CHECK(g.ops == 0);

        free(got);
        free(want);
        nereid_files_free(files);
        nereid_files_free(empty);
        CHECK(nrd_queue_remove(q) == 0);
        nrd_queue_close(q);
}

/* Queues the previous build wrote: jansson's compact array, and the same
 * array spaced out and indented; each reads back record for record. */
static void test_old_queue(const char *home)
{
        nereid_files *files = mixed_records();
        struct got g = {files, 0, 0};
        char *compact = old_text(files, 0);
        char *indented = old_text(files, JSON_INDENT(2));
        char *spaced = old_text(files, JSON_INDENT(0));
        nrd_queue *q = fresh_queue(home);

        CHECK(compact && indented && spaced);
        CHECK(strchr(indented, '\n') != NULL);
        insert_raw(home, "a", compact);
        insert_raw(home, "b", indented);
        insert_raw(home, "c", spaced);
        CHECK(nrd_queue_each(q, 0, each_compare, &g) == 0);
        CHECK(g.ops == 3 && g.same == 3);
        free(compact);
        free(indented);
        free(spaced);
        nereid_files_free(files);
        CHECK(nrd_queue_remove(q) == 0);
        nrd_queue_close(q);
}

static int each_count(void *payload, const queue_op *op)
{
        (void)op;
        ++*(int *)payload;
        return 0;
}

/* Every malformed records text: the operation is refused with a message
 * naming the queue and its number; the good one before it was delivered,
 * none after it. */
static void test_malformed(const char *home)
{
        static const char *const bad[] = {
            "",
            "   ",
            "{}",
            "[",
            "[{}",
            "[{\"file_path\":\"a\"",
            "[1]",
            "[\"x\"]",
            "[[]]",
            "[{}]",
            "[,]",
            "[{\"file_path\":1}]",
            "[" REC_A ",]",
            "[" REC_A " " REC_A "]",
            "[" REC_A "] x",
            "[" REC_A "]]",
            "[" REC_A "}",
            "[{\"file_path\":\"a\",\"file_hash\":\"" MD5_A "\",\"type\":\"Local\",\"size\":1,"
            "\"metadata\":{},\"extra\":1}]",
            "[{\"file_path\":\"a\",\"file_path\":\"b\",\"file_hash\":\"" MD5_A
            "\",\"type\":\"Local\",\"size\":1}]",
            "[{\"file_path\":\"a\\u0000b\",\"file_hash\":\"" MD5_A "\",\"type\":\"Local\","
            "\"size\":1}]",
            "[{\"file_path\":\"a\",\"file_hash\":\"" MD5_A "\",\"type\":\"Local\",\"size\":1]}",
            NULL, /* SQL NULL */
        };

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                nrd_queue *q = fresh_queue(home);
                int count = 0, rc;
                const char *msg;

                insert_raw(home, "good", "[" REC_A "]");
                insert_raw(home, "bad", bad[i]);
                insert_raw(home, "after", "[" REC_A "]");
                rc = nrd_queue_each(q, 0, each_count, &count);
                msg = nereid_error_last();
                if (rc >= 0 || count != 1 || !strstr(msg, "operation 2: records unreadable") ||
                    !strstr(msg, U1 ".db"))
                        fprintf(stderr, "case %zu (%s): rc %d, %d delivered, \"%s\"\n", i,
                                bad[i] ? bad[i] : "NULL", rc, count, msg);
                CHECK(rc < 0);
                CHECK(count == 1);
                CHECK(strstr(msg, "operation 2: records unreadable") != NULL);
                CHECK(strstr(msg, U1 ".db") != NULL);
                CHECK(nrd_queue_remove(q) == 0);
                nrd_queue_close(q);
        }
}

int main(void)
{
        char *home;
        int rc;

        if (scratch_begin("queue-codec") < 0)
                return 1;
        home = xdup(path_in(root, "home")); /* kept: db_path reuses path_in's buffers */
        test_round_trip(home);
        test_old_queue(home);
        test_malformed(home);
        rc = scratch_end(CHECK_DONE());
        free(home);
        return rc;
}
