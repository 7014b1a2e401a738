/*
 * queue.c - the durable local queue of a run's writes (queue.h, SPEC
 * section 9, docs/internals/queue.md). NEREID_HOME/queue/<uuid>.db is one
 * SQLite file per run in WAL mode with synchronous=FULL, so an operation is
 * on disk before the call that queued it returns; several processes of one
 * run append at once (IMMEDIATE transactions, a busy timeout), each
 * operation getting the next number (AUTOINCREMENT: a number is never
 * reused, even after acknowledged operations are deleted). Beside it,
 * <uuid>.lock carries two flock locks: writers hold it shared, a delivery
 * holds <uuid>.send exclusive. Records are stored as SPEC section 2's JSON,
 * as they were hashed at track time: nothing is ever scanned again. Not
 * for delivering (sender.c) nor for the modes (run.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include "buf.h"
#include "error.h"
#include "fs.h"
#include "hash.h"
#include "json.h"
#include "os/os.h"
#include "queue.h"
#include "record.h"
#include "sqlwait.h"
#include "store/http_page.h"

/* How long an append waits for another process's transaction. */
#define QUEUE_BUSY_MS 60000
/* The queue file's mark (PRAGMA application_id), "NRDQ". */
#define QUEUE_APP_ID 0x4E524451

/* What an append knows of its records besides their text (docs/internals/
 * queue.md): their artifact and content hashes, and a SHA-256 of the two
 * and the text, so the sender can send the text as the upload's body
 * without reading the records again, and never sends text damaged on
 * disk. A table of its own, so queues of earlier builds (no such table,
 * made here when such a queue is appended to) and their appends (no row:
 * read record by record, as before) go on working; its row goes with the
 * operation's, whoever deletes it. */
#define QUEUE_SUMS_SCHEMA                                                                          \
        "CREATE TABLE IF NOT EXISTS sums(seq INTEGER PRIMARY KEY, hash TEXT NOT NULL,"             \
        " content TEXT NOT NULL, sum TEXT NOT NULL);"                                              \
        "CREATE TRIGGER IF NOT EXISTS ops_gone AFTER DELETE ON ops"                                \
        " BEGIN DELETE FROM sums WHERE seq = old.seq; END;"

static const char queue_schema[] =
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS ops(seq INTEGER PRIMARY KEY AUTOINCREMENT, kind INTEGER NOT NULL,"
    " field TEXT NOT NULL, replace INTEGER NOT NULL, records TEXT, roots TEXT,"
    " queued TEXT NOT NULL);" QUEUE_SUMS_SCHEMA;

struct nrd_queue {
        sqlite3 *db;
        char uuid[40];
        char *path;    /* .../queue/<uuid>.db */
        int writer_fd; /* <uuid>.lock, held shared by a writer; -1 */
        int send_fd;   /* <uuid>.send, held exclusive while delivering; -1 */
        char *project; /* from meta, for nrd_queue_spec */
        char *name;    /* idem */
        char *owner;   /* idem */
        char *desc;    /* idem */
        char *custom;  /* idem; NULL when none */
        char *key;     /* the operations' key on the server (meta "key", else uuid) */
};

void nrd_queue_info_clear(queue_info *info)
{
        free(info->project);
        free(info->created);
        memset(info, 0, sizeof(*info));
}

char *nrd_queue_folder(const char *home)
{
        return nrd_fs_join(home, "queue");
}

/* home/queue/<uuid><ext>; caller frees. */
static char *queue_file(const char *home, const char *uuid, const char *ext)
{
        nereid_buf buf = NEREID_BUF_INIT;

        nrd_buf_printf(&buf, "%s/queue/%s%s", home, uuid, ext);
        return nrd_buf_detach(&buf);
}

static int queue_fail(nrd_queue *q, const char *what)
{
        return nrd_error(NEREID_ERROR, "queue %s: %s: %s", q->path, what, sqlite3_errmsg(q->db));
}

static int queue_exec(nrd_queue *q, const char *sql)
{
        if (sqlite3_exec(q->db, sql, NULL, NULL, NULL) != SQLITE_OK)
                return queue_fail(q, "write");
        return 0;
}

static void queue_rollback(nrd_queue *q)
{
        if (!sqlite3_get_autocommit(q->db))
                sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
}

static int queue_meta_put(nrd_queue *q, const char *key, const char *value)
{
        sqlite3_stmt *stmt = NULL;
        int rc = 0;

        if (sqlite3_prepare_v2(q->db, "INSERT OR REPLACE INTO meta VALUES(?, ?)", -1, &stmt,
                               NULL) != SQLITE_OK)
                return queue_fail(q, "prepare");
        sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 2, value ? value : "", -1, SQLITE_STATIC);
        if (sqlite3_step(stmt) != SQLITE_DONE)
                rc = queue_fail(q, "write meta");
        sqlite3_finalize(stmt);
        return rc;
}

/* A copy of meta's value for key, or NULL (none: *missing set). */
static char *queue_meta_get(nrd_queue *q, const char *key, int *missing)
{
        sqlite3_stmt *stmt = NULL;
        char *value = NULL;
        int step;

        *missing = 0;
        if (sqlite3_prepare_v2(q->db, "SELECT value FROM meta WHERE key = ?", -1, &stmt, NULL) !=
            SQLITE_OK)
                return queue_fail(q, "prepare"), NULL;
        sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
        step = sqlite3_step(stmt);
        if (step == SQLITE_ROW)
                value = nrd_strdup((const char *)sqlite3_column_text(stmt, 0));
        else if (step == SQLITE_DONE)
                *missing = 1;
        else
                queue_fail(q, "read meta");
        sqlite3_finalize(stmt);
        return value;
}

static int queue_lock_writer(nrd_queue *q, const char *home)
{
        char *lock = queue_file(home, q->uuid, ".lock");
        char why[128];
        int rc = 0, tries;

        if (!lock)
                return NEREID_ERROR;
        /* A removal (nrd_queue_remove) unlinks the lock file while holding
         * it exclusive: a lock taken on a file no longer at that path is
         * taken again on the new one, so no writer hides in a deleted
         * queue. */
        for (tries = 0; tries < 100; tries++) {
                struct stat a, b;

                q->writer_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
                if (q->writer_fd < 0 || nrd_os_lock_shared(q->writer_fd) < 0) {
                        rc = nrd_error(NEREID_ERROR, "queue %s: %s", lock,
                                       nrd_strerror(errno, why, sizeof(why)));
                        break;
                }
                if (fstat(q->writer_fd, &a) == 0 && stat(lock, &b) == 0 && a.st_ino == b.st_ino &&
                    a.st_dev == b.st_dev)
                        break;
                close(q->writer_fd);
                q->writer_fd = -1;
        }
        if (rc == 0 && q->writer_fd < 0)
                rc = nrd_error(NEREID_ERROR, "queue %s: removed and made again too often", lock);
        free(lock);
        return rc;
}

static int queue_connect(nrd_queue *q, int create)
{
        int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
        sqlite3_int64 app = 0, tables = -1;
        sqlite3_stmt *stmt = NULL;

        if (sqlite3_open_v2(q->path, &q->db, flags, NULL) != SQLITE_OK)
                return queue_fail(q, "open");
        sqlite3_busy_timeout(q->db, QUEUE_BUSY_MS);
        /* A queue holds few rows of large text: large pages make a
         * track's records fewer pages to write, read and free. Only a new
         * file takes it (a no-op on a queue that exists). */
        if (create && sqlite3_exec(q->db, "PRAGMA page_size=65536", NULL, NULL, NULL) != SQLITE_OK)
                return queue_fail(q, "open");
        /* Several processes of one run open it at once: the journal mode
         * may need a lock SQLite will not wait for (sqlwait.h). */
        /* secure_delete=FAST: an acknowledged operation's pages are freed,
         * not overwritten with zeros first (a track's text is megabytes,
         * written again for nothing on the way to the user's prompt; the
         * file is removed once empty). */
        if (nrd_sqlwait_exec(q->db,
                             "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                             " PRAGMA secure_delete=FAST;",
                             QUEUE_BUSY_MS) != SQLITE_OK)
                return queue_fail(q, "open");
        if (create)
                return 0;
        /* The mark and the number of tables in one statement, so one read
         * of one snapshot: read apart, a queue committed in between
         * (nrd_queue_join makes it in place, in one transaction) would show
         * no mark and then tables, and pass for foreign. No table at all is
         * a queue processes of one run are making together, seen before
         * its first commit: not there yet, rather than foreign. */
        if (sqlite3_prepare_v2(q->db,
                               "SELECT (SELECT application_id FROM pragma_application_id),"
                               " (SELECT count(*) FROM sqlite_master)",
                               -1, &stmt, NULL) != SQLITE_OK)
                return queue_fail(q, "open");
        if (sqlite3_step(stmt) == SQLITE_ROW) {
                app = sqlite3_column_int64(stmt, 0);
                tables = sqlite3_column_int64(stmt, 1);
        }
        sqlite3_finalize(stmt);
        if (app == QUEUE_APP_ID)
                return 0;
        if (tables == 0)
                return nrd_error(NEREID_ENOTFOUND, "offline/%s: being made", q->uuid);
        return nrd_error(NEREID_ERROR, "queue %s: not a Nereid queue", q->path);
}

static nrd_queue *queue_new(const char *home, const char *uuid)
{
        nrd_queue *q = nrd_calloc(1, sizeof(*q));

        if (!q)
                return NULL;
        q->writer_fd = -1;
        q->send_fd = -1;
        snprintf(q->uuid, sizeof(q->uuid), "%s", uuid);
        if (!(q->path = queue_file(home, uuid, ".db"))) {
                free(q);
                return NULL;
        }
        return q;
}

/* Read the spec's strings from meta into the handle. */
static int queue_load(nrd_queue *q)
{
        int missing = 0;

        if (!(q->project = queue_meta_get(q, "project", &missing)) ||
            !(q->name = queue_meta_get(q, "name", &missing)) ||
            !(q->owner = queue_meta_get(q, "owner", &missing)) ||
            !(q->desc = queue_meta_get(q, "description", &missing)))
                return missing ? nrd_error(NEREID_ERROR, "queue %s: incomplete", q->path)
                               : NEREID_ERROR;
        q->custom = queue_meta_get(q, "custom_run_id", &missing);
        if (!q->custom && !missing)
                return NEREID_ERROR;
        q->key = queue_meta_get(q, "key", &missing);
        if (!q->key && !missing)
                return NEREID_ERROR;
        return 0;
}

/* Remove a queue file being made, with its journal files. */
static void queue_unlink_new(const char *path)
{
        static const char *const exts[] = {"-wal", "-shm", "-journal", ""};
        nereid_buf buf = NEREID_BUF_INIT;
        size_t i;
        char *name;

        for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
                nrd_buf_printf(&buf, "%s%s", path, exts[i]);
                if ((name = nrd_buf_detach(&buf)) != NULL)
                        unlink(name);
                free(name);
        }
}

/* Make NEREID_HOME and its queue folder (0700) when missing. */
static int queue_folder_make(const char *home)
{
        char *folder = nrd_queue_folder(home), why[128];
        int rc = 0;

        if (!folder)
                return NEREID_ERROR;
        if ((mkdir(home, 0700) < 0 && errno != EEXIST) ||
            (mkdir(folder, 0700) < 0 && errno != EEXIST))
                rc = nrd_error(NEREID_ERROR, "queue %s: %s", folder,
                               nrd_strerror(errno, why, sizeof(why)));
        free(folder);
        return rc;
}

/* A new queue's tables and meta, inside the caller's transaction; key is
 * the operations' key on the server (NULL: the queue's UUID). */
static int queue_make_tables(nrd_queue *q, const char *project, const store_run_spec *spec,
                             const char *run_id, const char *key)
{
        char now[32], sql[96];
        int rc;

        nrd_fs_now_iso8601(now);
        snprintf(sql, sizeof(sql), "PRAGMA application_id = %d;", QUEUE_APP_ID);
        if ((rc = queue_exec(q, sql)) < 0 || (rc = queue_exec(q, queue_schema)) < 0 ||
            (rc = queue_meta_put(q, "uuid", spec->uuid)) < 0 ||
            (key && (rc = queue_meta_put(q, "key", key)) < 0) ||
            (rc = queue_meta_put(q, "project", project)) < 0 ||
            (rc = queue_meta_put(q, "name", spec->name)) < 0 ||
            (rc = queue_meta_put(q, "owner", spec->owner)) < 0 ||
            (rc = queue_meta_put(q, "description", spec->description)) < 0 ||
            (spec->custom_run_id &&
             (rc = queue_meta_put(q, "custom_run_id", spec->custom_run_id)) < 0) ||
            (rc = queue_meta_put(q, "run_id", run_id ? run_id : "")) < 0 ||
            (rc = queue_meta_put(q, "created", now)) < 0)
                return rc;
        return 0;
}

int nrd_queue_create(nrd_queue **out, const char *home, const char *project,
                     const store_run_spec *spec, const char *run_id)
{
        char *final = NULL, why[128];
        nereid_buf tmp = NEREID_BUF_INIT;
        nrd_queue *q = NULL;
        struct stat st;
        int rc = 0;

        *out = NULL;
        if ((rc = queue_folder_make(home)) < 0)
                return rc;
        if (!(q = queue_new(home, spec->uuid))) {
                rc = NEREID_ERROR;
                goto cleanup;
        }
        if (stat(q->path, &st) == 0) {
                rc = nrd_error(NEREID_EEXISTS, "queue offline/%s: exists", spec->uuid);
                goto cleanup;
        }
        /* Made whole under a name of its own, then linked into place: a
         * sync listing the folder meanwhile never opens a queue that has no
         * schema or meta yet (link, unlike rename, never replaces a queue
         * made meanwhile under this UUID). */
        final = q->path;
        nrd_buf_printf(&tmp, "%s.new-%ld-%p", final, (long)getpid(), (void *)q);
        if (!(q->path = nrd_buf_detach(&tmp))) {
                q->path = final;
                final = NULL;
                rc = NEREID_ERROR;
                goto cleanup;
        }
        if ((rc = queue_lock_writer(q, home)) < 0 || (rc = queue_connect(q, 1)) < 0)
                goto cleanup;
        if ((rc = queue_exec(q, "BEGIN IMMEDIATE")) < 0 ||
            (rc = queue_make_tables(q, project, spec, run_id, NULL)) < 0 ||
            (rc = queue_exec(q, "COMMIT")) < 0)
                goto cleanup;
        /* The last connection's close folds the WAL into the file and
         * removes it: the file alone is the queue. */
        if (sqlite3_close(q->db) != SQLITE_OK) {
                rc = queue_fail(q, "close");
                goto cleanup;
        }
        q->db = NULL;
        if (link(q->path, final) < 0)
                rc = errno == EEXIST
                         ? nrd_error(NEREID_EEXISTS, "queue offline/%s: exists", spec->uuid)
                         : nrd_error(NEREID_ERROR, "queue %s: %s", final,
                                     nrd_strerror(errno, why, sizeof(why)));
        queue_unlink_new(q->path);
        free(q->path);
        q->path = final;
        final = NULL;
        if (rc < 0 || (rc = queue_connect(q, 0)) < 0 || (rc = queue_load(q)) < 0)
                goto cleanup;
cleanup:
        if (final) { /* failed before the link: the new file goes */
                if (q->db) {
                        queue_rollback(q);
                        sqlite3_close(q->db);
                        q->db = NULL;
                }
                queue_unlink_new(q->path);
                free(q->path);
                q->path = final;
        }
        if (rc < 0) {
                if (q && q->db) {
                        queue_rollback(q);
                        nrd_queue_close(q);
                        q = NULL;
                }
                if (q)
                        nrd_queue_close(q);
                return rc;
        }
        *out = q;
        return 0;
}

int nrd_queue_join(nrd_queue **out, const char *home, const char *project,
                   const store_run_spec *spec, const char *run_id)
{
        char key[40];
        nrd_queue *q = NULL;
        sqlite3_stmt *stmt = NULL;
        int rc = 0, made = 0;

        *out = NULL;
        if ((rc = queue_folder_make(home)) < 0)
                return rc;
        if (!(q = queue_new(home, spec->uuid))) {
                rc = NEREID_ERROR;
                goto cleanup;
        }
        /* The writer's lock first (a removal cannot start under it), then
         * one IMMEDIATE transaction decides who makes the tables: the
         * processes of one run that come at once all end in one queue. */
        if ((rc = queue_lock_writer(q, home)) < 0 || (rc = queue_connect(q, 1)) < 0)
                goto cleanup;
        if (nrd_sqlwait_exec(q->db, "BEGIN IMMEDIATE", QUEUE_BUSY_MS) != SQLITE_OK) {
                rc = queue_fail(q, "open");
                goto cleanup;
        }
        if (sqlite3_prepare_v2(q->db, "SELECT count(*) FROM sqlite_master WHERE name = 'meta'", -1,
                               &stmt, NULL) != SQLITE_OK ||
            sqlite3_step(stmt) != SQLITE_ROW) {
                rc = queue_fail(q, "open");
                goto cleanup;
        }
        made = sqlite3_column_int(stmt, 0) > 0;
        sqlite3_finalize(stmt);
        stmt = NULL;
        if (!made && ((rc = nrd_store_uuid_make(key)) < 0 ||
                      (rc = queue_make_tables(q, project, spec, run_id, key)) < 0))
                goto cleanup;
        if ((rc = queue_exec(q, "COMMIT")) < 0)
                goto cleanup;
        if (made) {
                sqlite3_int64 app = 0;

                if (sqlite3_prepare_v2(q->db, "PRAGMA application_id", -1, &stmt, NULL) ==
                        SQLITE_OK &&
                    sqlite3_step(stmt) == SQLITE_ROW)
                        app = sqlite3_column_int64(stmt, 0);
                sqlite3_finalize(stmt);
                stmt = NULL;
                if (app != QUEUE_APP_ID) {
                        rc = nrd_error(NEREID_ERROR, "queue %s: not a Nereid queue", q->path);
                        goto cleanup;
                }
        }
        rc = queue_load(q);
cleanup:
        sqlite3_finalize(stmt);
        if (rc < 0) {
                if (q && q->db)
                        queue_rollback(q);
                nrd_queue_close(q);
                return rc;
        }
        *out = q;
        return 0;
}

int nrd_queue_first(nrd_queue *q, uint64_t *seq)
{
        sqlite3_stmt *stmt = NULL;
        int rc = 0;

        *seq = 0;
        if (sqlite3_prepare_v2(q->db, "SELECT coalesce(min(seq), 0) FROM ops", -1, &stmt, NULL) !=
                SQLITE_OK ||
            sqlite3_step(stmt) != SQLITE_ROW)
                rc = queue_fail(q, "read operations");
        else
                *seq = (uint64_t)sqlite3_column_int64(stmt, 0);
        sqlite3_finalize(stmt);
        return rc;
}

int nrd_queue_open(nrd_queue **out, const char *home, const char *uuid, int writer)
{
        nrd_queue *q;
        struct stat st;
        int rc;

        *out = NULL;
        if (nrd_store_uuid_check(uuid) < 0)
                return nrd_error(NEREID_EINVALID, "offline/%s: not a queued run's ID", uuid);
        if (!(q = queue_new(home, uuid)))
                return NEREID_ERROR;
        if (stat(q->path, &st) < 0) {
                nrd_queue_close(q);
                return nrd_error(NEREID_ENOTFOUND, "offline/%s: no such queued run", uuid);
        }
        if ((writer && (rc = queue_lock_writer(q, home)) < 0) || (rc = queue_connect(q, 0)) < 0 ||
            (rc = queue_load(q)) < 0) {
                nrd_queue_close(q);
                return rc;
        }
        *out = q;
        return 0;
}

void nrd_queue_close(nrd_queue *q)
{
        if (!q)
                return;
        sqlite3_close(q->db);
        if (q->writer_fd >= 0)
                close(q->writer_fd);
        if (q->send_fd >= 0)
                close(q->send_fd);
        free(q->path);
        free(q->project);
        free(q->name);
        free(q->owner);
        free(q->desc);
        free(q->custom);
        free(q->key);
        free(q);
}

const char *nrd_queue_uuid(const nrd_queue *q)
{
        return q->uuid;
}

const char *nrd_queue_key(const nrd_queue *q)
{
        return q->key ? q->key : q->uuid;
}

int nrd_queue_spec(nrd_queue *q, store_run_spec *spec)
{
        memset(spec, 0, sizeof(*spec));
        spec->uuid = q->uuid;
        spec->name = q->name;
        spec->owner = q->owner;
        spec->description = q->desc;
        spec->custom_run_id = q->custom;
        return 0;
}

static uint64_t queue_file_size(const char *path, const char *ext)
{
        nereid_buf buf = NEREID_BUF_INIT;
        struct stat st;
        char *name;
        uint64_t size = 0;

        nrd_buf_printf(&buf, "%s%s", path, ext);
        if ((name = nrd_buf_detach(&buf)) && stat(name, &st) == 0)
                size = (uint64_t)st.st_size;
        free(name);
        return size;
}

int nrd_queue_info(nrd_queue *q, queue_info *info)
{
        sqlite3_stmt *stmt = NULL;
        char *run_id;
        int missing = 0, rc = 0;

        memset(info, 0, sizeof(*info));
        snprintf(info->uuid, sizeof(info->uuid), "%s", q->uuid);
        if (!(info->project = nrd_strdup(q->project)) ||
            !(info->created = queue_meta_get(q, "created", &missing)) ||
            !(run_id = queue_meta_get(q, "run_id", &missing))) {
                nrd_queue_info_clear(info);
                return missing ? nrd_error(NEREID_ERROR, "queue %s: incomplete", q->path)
                               : NEREID_ERROR;
        }
        snprintf(info->run_id, sizeof(info->run_id), "%s", run_id);
        free(run_id);
        if (sqlite3_prepare_v2(q->db, "SELECT count(*) FROM ops", -1, &stmt, NULL) != SQLITE_OK ||
            sqlite3_step(stmt) != SQLITE_ROW)
                rc = queue_fail(q, "count operations");
        else
                info->ops = (uint64_t)sqlite3_column_int64(stmt, 0);
        sqlite3_finalize(stmt);
        info->bytes = queue_file_size(q->path, "") + queue_file_size(q->path, "-wal");
        info->live = nrd_queue_live(q);
        if (rc < 0)
                nrd_queue_info_clear(info);
        return rc;
}

int nrd_queue_set_run_id(nrd_queue *q, const char *run_id)
{
        return queue_meta_put(q, "run_id", run_id);
}

/* The records as a JSON array, SPEC section 2's form, into buf: the bytes
 * jansson's encoder gives (store/http_page.h's codec, which hands any
 * record it does not write directly to it), so a queue written by any
 * build reads back the same. */
static int queue_records_text(const nereid_files *files, nereid_buf *buf)
{
        size_t i;

        if (nrd_buf_putc(buf, '[') < 0)
                return NEREID_ERROR;
        for (i = 0; i < files->count; i++) {
                if (i && nrd_buf_putc(buf, ',') < 0)
                        return NEREID_ERROR;
                if (nrd_http_page_record_encode(buf, &files->items[i]) < 0)
                        return NEREID_ERROR;
        }
        return nrd_buf_putc(buf, ']');
}

/* The end of the JSON object that starts at t[i]: the index after the
 * bracket that closes it, 0 when the text ends first. */
static size_t queue_value_end(const char *t, size_t n, size_t i)
{
        struct nrd_json_span span = {0, 0, 0};
        size_t end = nrd_json_span_scan(&span, t + i, n - i);

        return end ? i + end : 0;
}

static size_t queue_skip_space(const char *t, size_t n, size_t i)
{
        while (i < n && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r'))
                i++;
        return i;
}

/* Read back queue_records_text's array (or any JSON array of records, as
 * older builds wrote it) one record at a time, straight from text: the
 * common shape by store/http_page.h's decoder, any other record by
 * jansson, which refuses what is not a valid record. No tree of the whole
 * array and no copy of its text. NEREID_EINVALID when the text is not an
 * array of records (the caller names the operation); caller frees *out. */
static int queue_records_parse(const char *t, size_t n, nereid_files **out)
{
        nereid_files *files = nrd_files_new();
        size_t i = 0;
        int rc = 0;

        *out = NULL;
        if (!files)
                return NEREID_ERROR;
        i = queue_skip_space(t, n, i);
        if (i >= n || t[i] != '[') {
                rc = NEREID_EINVALID;
                goto cleanup;
        }
        i = queue_skip_space(t, n, i + 1);
        if (i < n && t[i] == ']')
                goto end;
        for (;;) {
                struct nereid_file file;
                size_t end = i < n && t[i] == '{' ? queue_value_end(t, n, i) : 0;

                if (!end) {
                        rc = NEREID_EINVALID;
                        goto cleanup;
                }
                if ((rc = nrd_http_page_record_decode(t + i, end - i, &file)) == 0)
                        rc = nrd_json_record_parse(t + i, end - i, &file);
                else if (rc > 0)
                        rc = 0;
                if (rc < 0 || (rc = nrd_files_push(files, &file)) < 0)
                        goto cleanup;
                i = queue_skip_space(t, n, end);
                if (i < n && t[i] == ',') {
                        i = queue_skip_space(t, n, i + 1);
                        continue;
                }
                if (i < n && t[i] == ']')
                        break;
                rc = NEREID_EINVALID;
                goto cleanup;
        }
end:
        if (queue_skip_space(t, n, i + 1) != n) {
                rc = NEREID_EINVALID;
                goto cleanup;
        }
        *out = files;
        files = NULL;
cleanup:
        nereid_files_free(files);
        return rc;
}

static char *queue_roots_text(const store_root *roots, size_t nroots)
{
        json_t *list = json_array();
        char *text = NULL;
        size_t i;

        if (!list)
                return NULL;
        for (i = 0; i < nroots; i++)
                if (json_array_append_new(
                        list, json_pack("[s,s]", roots[i].location,
                                        roots[i].destination ? roots[i].destination : "")) < 0)
                        goto cleanup;
        text = json_dumps(list, JSON_COMPACT);
cleanup:
        json_decref(list);
        return text;
}

/* The checksum of a queued operation's hashes and records text: hex
 * SHA-256 of hash, content and text, one after the other. */
static int queue_text_sum(const char *hash, const char *content, const char *text, size_t len,
                          char out[NEREID_HASH_HEXLEN + 1])
{
        static const char hex[] = "0123456789abcdef";
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int mdlen = 0, i;
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        int ok;

        if (!ctx)
                return nrd_error(NEREID_ERROR, "queue: out of memory");
        ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
             EVP_DigestUpdate(ctx, hash, NEREID_HASH_HEXLEN) == 1 &&
             EVP_DigestUpdate(ctx, content, NEREID_HASH_HEXLEN) == 1 &&
             EVP_DigestUpdate(ctx, text, len) == 1 && EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 &&
             mdlen == NEREID_HASH_HEXLEN / 2;
        EVP_MD_CTX_free(ctx);
        if (!ok)
                return nrd_error(NEREID_ERROR, "queue: SHA-256 failed");
        for (i = 0; i < mdlen; i++) {
                out[2 * i] = hex[md[i] >> 4];
                out[2 * i + 1] = hex[md[i] & 15];
        }
        out[2 * mdlen] = '\0';
        return 0;
}

/* The sums row of the operation just inserted (QUEUE_SUMS_SCHEMA), in the
 * append's transaction. */
static int queue_put_sums(nrd_queue *q, sqlite3_int64 seq, const char *hash, const char *content,
                          const char *sum)
{
        sqlite3_stmt *stmt = NULL;
        int rc = 0;

        if (sqlite3_prepare_v2(q->db, "INSERT INTO sums VALUES(?, ?, ?, ?)", -1, &stmt, NULL) !=
            SQLITE_OK)
                return queue_fail(q, "prepare");
        sqlite3_bind_int64(stmt, 1, seq);
        sqlite3_bind_text(stmt, 2, hash, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 3, content, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 4, sum, -1, SQLITE_STATIC);
        if (sqlite3_step(stmt) != SQLITE_DONE)
                rc = queue_fail(q, "queue operation");
        sqlite3_finalize(stmt);
        return rc;
}

int nrd_queue_append(nrd_queue *q, const queue_op *op, uint64_t *seq_out)
{
        char hash[NEREID_HASH_HEXLEN + 1], content[NEREID_HASH_HEXLEN + 1];
        char sum[NEREID_HASH_HEXLEN + 1];
        nereid_buf records = NEREID_BUF_INIT;
        char *roots = NULL, now[32];
        sqlite3_stmt *stmt = NULL;
        sqlite3_int64 seq = 0;
        int rc = 0;

        if (op->kind == QUEUE_PUT && (queue_records_text(op->files, &records) < 0 ||
                                      !(roots = queue_roots_text(op->roots, op->nroots)))) {
                rc = nrd_error(NEREID_EINVALID,
                               "%s: the records or tracked locations cannot be queued (not "
                               "valid UTF-8?)",
                               op->field);
                goto cleanup;
        }
        /* What the sender would compute again, computed once here. */
        if (op->kind == QUEUE_PUT &&
            ((rc = nrd_hash_files_pair(op->files, hash, content)) < 0 ||
             (rc = queue_text_sum(hash, content, records.ptr, records.len, sum)) < 0))
                goto cleanup;
        nrd_fs_now_iso8601(now);
        /* One transaction (one fsync: WAL, synchronous=FULL), waited for by
         * the busy timeout, on disk when COMMIT is done. The sums table is
         * made here in a queue an earlier build made. */
        if ((rc = queue_exec(q, "BEGIN IMMEDIATE")) < 0 ||
            (op->kind == QUEUE_PUT && (rc = queue_exec(q, QUEUE_SUMS_SCHEMA)) < 0))
                goto cleanup;
        if (sqlite3_prepare_v2(q->db, "INSERT INTO ops VALUES(NULL, ?, ?, ?, ?, ?, ?)", -1, &stmt,
                               NULL) != SQLITE_OK) {
                rc = queue_fail(q, "prepare");
                goto cleanup;
        }
        sqlite3_bind_int(stmt, 1, op->kind);
        sqlite3_bind_text(stmt, 2, op->field, -1, SQLITE_STATIC);
        sqlite3_bind_int(stmt, 3, op->replace);
        if (op->kind == QUEUE_PUT)
                sqlite3_bind_text(stmt, 4, records.ptr, (int)records.len, SQLITE_STATIC);
        else
                sqlite3_bind_null(stmt, 4);
        sqlite3_bind_text(stmt, 5, roots, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 6, now, -1, SQLITE_STATIC);
        if (sqlite3_step(stmt) != SQLITE_DONE) {
                rc = queue_fail(q, "queue operation");
                goto cleanup;
        }
        seq = sqlite3_last_insert_rowid(q->db);
        if ((op->kind == QUEUE_PUT && (rc = queue_put_sums(q, seq, hash, content, sum)) < 0) ||
            (rc = queue_exec(q, "COMMIT")) < 0)
                goto cleanup;
        if (seq_out)
                *seq_out = (uint64_t)seq;
cleanup:
        if (rc < 0)
                queue_rollback(q);
        sqlite3_finalize(stmt);
        nrd_buf_free(&records);
        free(roots);
        return rc;
}

static int queue_parse_roots(const char *text, store_root **out, size_t *count)
{
        json_t *list = text ? json_loads(text, 0, NULL) : NULL;
        size_t i, n;
        int rc = 0;

        *out = NULL;
        *count = 0;
        if (!list || !json_is_array(list)) {
                json_decref(list);
                return nrd_error(NEREID_ERROR, "queue: tracked locations unreadable");
        }
        n = json_array_size(list);
        if (n && !(*out = nrd_calloc(n, sizeof(**out)))) {
                json_decref(list);
                return NEREID_ERROR;
        }
        for (i = 0; i < n && rc == 0; i++) {
                const char *loc = NULL, *dst = NULL;

                if (json_unpack(json_array_get(list, i), "[ss]", &loc, &dst) < 0)
                        rc = nrd_error(NEREID_ERROR, "queue: tracked locations unreadable");
                else if (!((*out)[i].location = nrd_strdup(loc)) ||
                         !((*out)[i].destination = nrd_strdup(dst)))
                        rc = NEREID_ERROR;
                *count = i + 1;
        }
        json_decref(list);
        if (rc < 0) {
                nrd_store_roots_free(*out, *count);
                *out = NULL;
                *count = 0;
        }
        return rc;
}

static void queue_op_clear(queue_op *op)
{
        nereid_files_free(op->files);
        nrd_store_roots_free(op->roots, op->nroots);
        free(op->field);
        memset(op, 0, sizeof(*op));
}

/* 1 when the queue has the sums table (QUEUE_SUMS_SCHEMA), 0 when an
 * earlier build made it and nothing appended since made it. */
static int queue_has_sums(nrd_queue *q)
{
        sqlite3_stmt *stmt = NULL;
        int step;

        /* A lookup that fails is an error, never "no sums": the checksums
         * of a queue that has them are always checked. */
        if (sqlite3_prepare_v2(q->db, "SELECT 1 FROM sqlite_master WHERE name = 'sums'", -1, &stmt,
                               NULL) != SQLITE_OK)
                return queue_fail(q, "prepare");
        step = sqlite3_step(stmt);
        sqlite3_finalize(stmt);
        if (step != SQLITE_ROW && step != SQLITE_DONE)
                return queue_fail(q, "read");
        return step == SQLITE_ROW;
}

/* 1 when s is 64 lowercase hex digits. */
static int queue_is_hash(const unsigned char *s)
{
        return s && nrd_hash_is_sha256((const char *)s);
}

/* The sums of a row read by queue_walk (columns 6-8) into op: 0 with
 * has_sums set when they are there and check with the text, 0 without
 * when there is no row, EINTEGRITY when they do not check. */
static int queue_row_sums(nrd_queue *q, sqlite3_stmt *stmt, queue_op *op)
{
        const unsigned char *hash = sqlite3_column_text(stmt, 6);
        const unsigned char *content = sqlite3_column_text(stmt, 7);
        const unsigned char *sum = sqlite3_column_text(stmt, 8);
        char want[NEREID_HASH_HEXLEN + 1];
        int rc;

        if (sqlite3_column_type(stmt, 6) == SQLITE_NULL &&
            sqlite3_column_type(stmt, 7) == SQLITE_NULL &&
            sqlite3_column_type(stmt, 8) == SQLITE_NULL)
                return 0;
        if (queue_is_hash(hash) && queue_is_hash(content) && queue_is_hash(sum)) {
                if ((rc = queue_text_sum((const char *)hash, (const char *)content, op->text,
                                         op->text_len, want)) < 0)
                        return rc;
                if (strcmp(want, (const char *)sum) == 0) {
                        memcpy(op->hash, hash, sizeof(op->hash));
                        memcpy(op->content, content, sizeof(op->content));
                        op->has_sums = 1;
                        return 0;
                }
        }
        return nrd_error(NEREID_EINTEGRITY,
                         "queue %s: operation %llu: records damaged on disk (their checksum does "
                         "not match); not sent",
                         q->path, (unsigned long long)op->seq);
}

static int queue_unreadable(nrd_queue *q, uint64_t seq)
{
        return nrd_error(NEREID_ERROR, "queue %s: operation %llu: records unreadable", q->path,
                         (unsigned long long)seq);
}

/* Every operation after `after`, in order: with text set, the records'
 * text and sums as stored (nrd_queue_each_text), else the records. */
static int queue_walk(nrd_queue *q, uint64_t after, int text,
                      int (*cb)(void *payload, const queue_op *op), void *payload)
{
        sqlite3_stmt *stmt = NULL;
        int rc = 0, step, sums = 0;

        if (text && (sums = queue_has_sums(q)) < 0)
                return sums;
        if (sqlite3_prepare_v2(q->db,
                               sums ? "SELECT o.seq, kind, field, replace, records, roots, s.hash,"
                                      " s.content, s.sum FROM ops o LEFT JOIN sums s"
                                      " ON s.seq = o.seq WHERE o.seq > ? ORDER BY o.seq"
                                    : "SELECT seq, kind, field, replace, records, roots, NULL,"
                                      " NULL, NULL FROM ops WHERE seq > ? ORDER BY seq",
                               -1, &stmt, NULL) != SQLITE_OK)
                return queue_fail(q, "prepare");
        sqlite3_bind_int64(stmt, 1, (sqlite3_int64)after);
        while (rc == 0 && (step = sqlite3_step(stmt)) == SQLITE_ROW) {
                queue_op op;
                const char *records = (const char *)sqlite3_column_text(stmt, 4);
                const char *roots = (const char *)sqlite3_column_text(stmt, 5);

                memset(&op, 0, sizeof(op));
                op.seq = (uint64_t)sqlite3_column_int64(stmt, 0);
                op.kind = sqlite3_column_int(stmt, 1);
                op.replace = sqlite3_column_int(stmt, 3);
                if (!(op.field = nrd_strdup((const char *)sqlite3_column_text(stmt, 2))))
                        rc = NEREID_ERROR;
                if (rc == 0 && op.kind == QUEUE_PUT && !records)
                        rc = queue_unreadable(q, op.seq);
                else if (rc == 0 && op.kind == QUEUE_PUT && text) {
                        op.text = records;
                        op.text_len = (size_t)sqlite3_column_bytes(stmt, 4);
                        rc = queue_row_sums(q, stmt, &op);
                } else if (rc == 0 && op.kind == QUEUE_PUT &&
                           queue_records_parse(records, (size_t)sqlite3_column_bytes(stmt, 4),
                                               &op.files) < 0) {
                        rc = queue_unreadable(q, op.seq);
                }
                if (rc == 0 && op.kind == QUEUE_PUT)
                        rc = queue_parse_roots(roots, &op.roots, &op.nroots);
                if (rc == 0)
                        rc = cb(payload, &op);
                queue_op_clear(&op);
        }
        if (rc == 0 && step != SQLITE_DONE)
                rc = queue_fail(q, "read operations");
        sqlite3_finalize(stmt);
        return rc;
}

int nrd_queue_each(nrd_queue *q, uint64_t after, int (*cb)(void *payload, const queue_op *op),
                   void *payload)
{
        return queue_walk(q, after, 0, cb, payload);
}

int nrd_queue_each_text(nrd_queue *q, uint64_t after, int (*cb)(void *payload, const queue_op *op),
                        void *payload)
{
        return queue_walk(q, after, 1, cb, payload);
}

int nrd_queue_op_records(nrd_queue *q, const queue_op *op, nereid_files **out)
{
        *out = NULL;
        if (!op->text || queue_records_parse(op->text, op->text_len, out) < 0)
                return queue_unreadable(q, op->seq);
        return 0;
}

int nrd_queue_ack(nrd_queue *q, uint64_t seq)
{
        sqlite3_stmt *stmt = NULL;
        int rc = 0;

        if (sqlite3_prepare_v2(q->db, "DELETE FROM ops WHERE seq = ?", -1, &stmt, NULL) !=
            SQLITE_OK)
                return queue_fail(q, "prepare");
        sqlite3_bind_int64(stmt, 1, (sqlite3_int64)seq);
        if (sqlite3_step(stmt) != SQLITE_DONE)
                rc = queue_fail(q, "forget delivered operation");
        sqlite3_finalize(stmt);
        return rc;
}

/* --- offline mode's view: the queue replayed on an empty run --- */

/* 1 when field is path or below it (path a namespace). */
static int queue_below(const char *field, const char *path)
{
        size_t n = strlen(path);

        return strncmp(field, path, n) == 0 && (field[n] == '\0' || field[n] == '/');
}

struct queue_view {
        const char *field;   /* the one field wanted, or NULL: all */
        char **names;        /* the fields of the view */
        nereid_files **sets; /* their records */
        size_t count;        /* entries */
};

static int queue_view_apply(void *payload, const queue_op *op)
{
        struct queue_view *v = payload;
        size_t i;

        if (op->kind == QUEUE_REMOVE) {
                for (i = 0; i < v->count; i++)
                        if (v->names[i] && queue_below(v->names[i], op->field)) {
                                free(v->names[i]);
                                nereid_files_free(v->sets[i]);
                                v->names[i] = NULL;
                                v->sets[i] = NULL;
                        }
                return 0;
        }
        if (v->field && strcmp(v->field, op->field) != 0)
                return 0;
        for (i = 0; i < v->count; i++)
                if (v->names[i] && strcmp(v->names[i], op->field) == 0)
                        break;
        if (i == v->count) {
                char **names = nrd_realloc_array(v->names, v->count + 1, sizeof(*names));
                nereid_files **sets;

                if (!names)
                        return NEREID_ERROR;
                v->names = names;
                if (!(sets = nrd_realloc_array(v->sets, v->count + 1, sizeof(*sets))))
                        return NEREID_ERROR;
                v->sets = sets;
                v->names[i] = NULL;
                v->sets[i] = NULL;
                v->count++;
        }
        if (!v->names[i] && !(v->names[i] = nrd_strdup(op->field)))
                return NEREID_ERROR;
        if (op->replace || !v->sets[i]) {
                nereid_files *empty = nrd_files_new(), *copy = NULL;
                int rc;

                if (!empty)
                        return NEREID_ERROR;
                rc = nrd_files_merge(empty, op->files, &copy);
                nereid_files_free(empty);
                if (rc < 0)
                        return rc;
                nereid_files_free(v->sets[i]);
                v->sets[i] = copy;
                return 0;
        }
        {
                nereid_files *merged = NULL;
                int rc = nrd_files_merge(v->sets[i], op->files, &merged);

                if (rc < 0)
                        return rc;
                nereid_files_free(v->sets[i]);
                v->sets[i] = merged;
        }
        return 0;
}

static void queue_view_clear(struct queue_view *v)
{
        size_t i;

        for (i = 0; i < v->count; i++) {
                free(v->names[i]);
                nereid_files_free(v->sets[i]);
        }
        free(v->names);
        free(v->sets);
}

int nrd_queue_view_field(nrd_queue *q, const char *field, nereid_files **out)
{
        struct queue_view v;
        size_t i;
        int rc;

        *out = NULL;
        memset(&v, 0, sizeof(v));
        v.field = field;
        rc = nrd_queue_each(q, 0, queue_view_apply, &v);
        for (i = 0; rc == 0 && i < v.count; i++)
                if (v.names[i] && strcmp(v.names[i], field) == 0) {
                        *out = v.sets[i];
                        v.sets[i] = NULL;
                        break;
                }
        queue_view_clear(&v);
        if (rc == 0 && !*out)
                rc = nrd_error(NEREID_ENOTFOUND, "offline/%s:%s: no such field", q->uuid, field);
        return rc;
}

static int queue_name_cmp(const void *a, const void *b)
{
        const char *const *x = a, *const *y = b;

        if (!*x || !*y)
                return !*x - !*y;
        return strcmp(*x, *y);
}

int nrd_queue_view_fields(nrd_queue *q,
                          int (*cb)(void *payload, const char *field, const char *hash),
                          void *payload)
{
        char hash[NEREID_HASH_HEXLEN + 1];
        struct queue_view v;
        size_t i, j;
        int rc;

        memset(&v, 0, sizeof(v));
        rc = nrd_queue_each(q, 0, queue_view_apply, &v);
        /* Sort by name: a field's set moves with it. */
        for (i = 1; rc == 0 && i < v.count; i++)
                for (j = i; j > 0 && queue_name_cmp(&v.names[j - 1], &v.names[j]) > 0; j--) {
                        char *n = v.names[j];
                        nereid_files *f = v.sets[j];

                        v.names[j] = v.names[j - 1];
                        v.sets[j] = v.sets[j - 1];
                        v.names[j - 1] = n;
                        v.sets[j - 1] = f;
                }
        for (i = 0; rc == 0 && i < v.count; i++) {
                if (!v.names[i])
                        continue;
                if ((rc = nrd_hash_files(v.sets[i], 0, hash)) == 0)
                        rc = cb(payload, v.names[i], hash);
        }
        queue_view_clear(&v);
        return rc;
}

/* --- locks and removal --- */

int nrd_queue_lock_delivery(nrd_queue *q)
{
        nereid_buf buf = NEREID_BUF_INIT;
        char *name, why[128];
        size_t n = strlen(q->path);

        if (q->send_fd >= 0)
                return 0;
        nrd_buf_printf(&buf, "%.*s.send", (int)(n - 3), q->path);
        if (!(name = nrd_buf_detach(&buf)))
                return NEREID_ERROR;
        q->send_fd = open(name, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (q->send_fd < 0) {
                int rc = nrd_error(NEREID_ERROR, "queue %s: %s", name,
                                   nrd_strerror(errno, why, sizeof(why)));
                free(name);
                return rc;
        }
        free(name);
        if (nrd_os_lock_try(q->send_fd) < 0) {
                close(q->send_fd);
                q->send_fd = -1;
                return nrd_error(NEREID_EEXISTS,
                                 "offline/%s: another process is delivering this queue now",
                                 q->uuid);
        }
        return 0;
}

void nrd_queue_unlock_delivery(nrd_queue *q)
{
        if (q->send_fd >= 0)
                close(q->send_fd);
        q->send_fd = -1;
}

void nrd_queue_release_writer(nrd_queue *q)
{
        if (q->writer_fd >= 0)
                close(q->writer_fd);
        q->writer_fd = -1;
}

int nrd_queue_live(nrd_queue *q)
{
        nereid_buf buf = NEREID_BUF_INIT;
        size_t n = strlen(q->path);
        char *name;
        int fd, live = 0;

        /* This handle's own writer's lock would answer for itself. */
        if (q->writer_fd >= 0)
                return 1;
        nrd_buf_printf(&buf, "%.*s.lock", (int)(n - 3), q->path);
        if (!(name = nrd_buf_detach(&buf)))
                return 1;
        fd = open(name, O_RDWR | O_CLOEXEC);
        if (fd >= 0) {
                live = nrd_os_lock_try(fd) < 0;
                close(fd); /* releases the probe's lock */
        }
        free(name);
        return live;
}

int nrd_queue_remove(nrd_queue *q)
{
        static const char *const exts[] = {".db-wal", ".db-shm", ".lock", ".db", ".send"};
        nereid_buf buf = NEREID_BUF_INIT;
        size_t n = strlen(q->path), i;
        char *name, why[128];
        int rc = 0, excl;

        /* Writers out for the whole removal: one that comes now waits, then
         * finds no queue (an error), rather than writing into a file being
         * deleted. */
        nrd_queue_release_writer(q);
        nrd_buf_printf(&buf, "%.*s.lock", (int)(n - 3), q->path);
        if (!(name = nrd_buf_detach(&buf)))
                return NEREID_ERROR;
        excl = open(name, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        free(name);
        if (excl < 0 || nrd_os_lock_try(excl) < 0) {
                if (excl >= 0)
                        close(excl);
                return nrd_error(NEREID_EEXISTS, "offline/%s: a process still writes into it",
                                 q->uuid);
        }
        /* Every operation is acknowledged and the files go: the WAL is
         * not copied into the file first (a track's text, megabytes). */
        sqlite3_db_config(q->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
        sqlite3_close(q->db);
        q->db = NULL;
        /* The .db after its journal: a crash in between leaves a queue
         * that reads whole, or the file as of its last checkpoint, whose
         * operations were all acknowledged since (the server knows their
         * keys: delivered again, they change nothing), or none. The .send
         * last: the caller holds it. */
        for (i = 0; i < sizeof(exts) / sizeof(exts[0]) && rc == 0; i++) {
                nrd_buf_printf(&buf, "%.*s%s", (int)(n - 3), q->path, exts[i]);
                if (!(name = nrd_buf_detach(&buf)))
                        return NEREID_ERROR;
                if (unlink(name) < 0 && errno != ENOENT)
                        rc = nrd_error(NEREID_ERROR, "queue %s: %s", name,
                                       nrd_strerror(errno, why, sizeof(why)));
                free(name);
        }
        close(excl);
        return rc;
}

/* --- listing --- */

struct queue_entry {
        char uuid[40];
        int64_t mtime;
};

static int queue_entry_cmp(const void *a, const void *b)
{
        const struct queue_entry *x = a, *y = b;

        if (x->mtime != y->mtime)
                return x->mtime < y->mtime ? -1 : 1;
        return strcmp(x->uuid, y->uuid);
}

int nrd_queue_list(const char *home, int (*cb)(void *payload, const char *uuid), void *payload)
{
        char *folder = nrd_queue_folder(home), why[128];
        struct queue_entry *list = NULL;
        size_t count = 0, i;
        struct dirent *de;
        DIR *dir;
        int rc = 0;

        if (!folder)
                return NEREID_ERROR;
        if (!(dir = opendir(folder))) {
                rc = errno == ENOENT ? 0
                                     : nrd_error(NEREID_ERROR, "queue %s: %s", folder,
                                                 nrd_strerror(errno, why, sizeof(why)));
                free(folder);
                return rc;
        }
        while ((de = readdir(dir)) != NULL) {
                size_t len = strlen(de->d_name);
                struct queue_entry *grown;
                struct stat st;
                char *path;

                if (len != 39 || strcmp(de->d_name + 36, ".db") != 0)
                        continue;
                if (!(grown = nrd_realloc_array(list, count + 1, sizeof(*list)))) {
                        rc = NEREID_ERROR;
                        break;
                }
                list = grown;
                memcpy(list[count].uuid, de->d_name, 36);
                list[count].uuid[36] = '\0';
                if (nrd_store_uuid_check(list[count].uuid) < 0) {
                        nrd_error_clear();
                        continue;
                }
                list[count].mtime = 0;
                if ((path = nrd_fs_join(folder, de->d_name)) && stat(path, &st) == 0)
                        list[count].mtime = nrd_fs_mtime_ns(&st);
                free(path);
                count++;
        }
        closedir(dir);
        free(folder);
        if (count)
                qsort(list, count, sizeof(*list), queue_entry_cmp);
        for (i = 0; rc == 0 && i < count; i++)
                rc = cb(payload, list[i].uuid);
        free(list);
        return rc;
}
