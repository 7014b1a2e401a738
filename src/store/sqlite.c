/*
 * sqlite.c - the embedded store: one SQLite database in WAL mode, FOLDER/
 * store.db for a location that is a folder or "sqlite:FOLDER". Artifacts
 * are content-addressed per project and stored once; every write is one
 * IMMEDIATE transaction, so concurrent processes serialise on the database
 * lock, and field_swap's compare and swap (on which artifact.c builds the
 * union of SPEC section 4) holds for every interleaving. Only stores and
 * reads: no policy here. Reading needs only read access: the store is
 * created, and its schema migrated, by the first write, never by a read.
 * A database without Nereid's application_id, or of a newer schema, is
 * refused and never touched. Not for the hash cache (hashcache.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sqlite3.h>
#include "../buf.h"
#include "../error.h"
#include "../fs.h"
#include "../sqlwait.h"
#include "../uri.h"
#include "sqlite_records.h"
#include "store.h"

#define SQLITE_SCHEMA_VERSION "1"
/* Nereid's mark in the SQLite header (PRAGMA application_id), "NRDB": a
 * database without it belongs to another program. */
#define STORE_APP_ID 0x4E524442
/* The schema this build reads and writes (PRAGMA user_version). Stores made
 * before the mark have application_id 0 and meta.schema_version 1; the first
 * write marks them. 1: the tables; 2: the indexes of the reverse lookups.
 * A store of an older schema is read as it is and migrated by the first
 * write, one version at a time (sqlite_ready_for_writes). 3: run metadata
 * (uuid, custom_run_id, description, tags) with unique indexes on
 * (project, uuid) and (project, custom_run_id), tokens, settings. 4: each
 * artifact's total size, and the indexes of the table view's sorts
 * (run_query). 5: the operations of clients' queues applied (op_apply),
 * keyed by (queue, seq). */
#define STORE_SCHEMA 5
/* The highest meta.schema_version a store made before the mark can have. */
#define STORE_LEGACY_SCHEMA 1
/* How long a writer waits for another process's transaction. */
#define SQLITE_BUSY_MS 60000

/* Schema 2: the indexes of the reverse lookups (used-by, find-file). */
#define SQLITE_SCHEMA_2                                                                            \
        "CREATE INDEX IF NOT EXISTS artifact_files_hash ON artifact_files(file_hash);"             \
        "CREATE INDEX IF NOT EXISTS fields_artifact ON fields(artifact_id);"

/* Schema 3: a run's client-made UUID and Neptune's metadata, tokens and
 * settings. Runs made before get a random version-4 UUID. Tags are stored
 * sorted, joined by '\n' (a tag holds no control character). The records
 * of an artifact are already keyed by (artifact_id, file_path): that
 * primary key is artifact_page's index. */
#define SQLITE_UUID_V4                                                                             \
        "lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' ||"                 \
        " substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + abs(random() % 4), 1)" \
        " || substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6)))"
#define SQLITE_SCHEMA_3_COLUMNS                                                                    \
        "ALTER TABLE runs ADD COLUMN uuid TEXT;"                                                   \
        "ALTER TABLE runs ADD COLUMN custom_run_id TEXT;"                                          \
        "ALTER TABLE runs ADD COLUMN description TEXT NOT NULL DEFAULT '';"                        \
        "ALTER TABLE runs ADD COLUMN tags TEXT NOT NULL DEFAULT '';"
#define SQLITE_SCHEMA_3                                                                            \
        "UPDATE runs SET uuid = " SQLITE_UUID_V4 " WHERE uuid IS NULL;"                            \
        "CREATE UNIQUE INDEX IF NOT EXISTS runs_uuid ON runs(project_id, uuid);"                   \
        "CREATE UNIQUE INDEX IF NOT EXISTS runs_custom_run_id ON runs(project_id, custom_run_id);" \
        "CREATE TABLE IF NOT EXISTS tokens(id INTEGER PRIMARY KEY AUTOINCREMENT,"                  \
        " name TEXT NOT NULL, project TEXT NOT NULL, role INTEGER NOT NULL, hash TEXT NOT NULL,"   \
        " created TEXT NOT NULL, expires TEXT NOT NULL DEFAULT '',"                                \
        " last_used TEXT NOT NULL DEFAULT '', revoked INTEGER NOT NULL DEFAULT 0);"                \
        "CREATE UNIQUE INDEX IF NOT EXISTS tokens_hash ON tokens(hash);"                           \
        "CREATE TABLE IF NOT EXISTS settings(key TEXT PRIMARY KEY, value TEXT NOT NULL);"

/* Schema 4: an artifact's total size, kept at artifact_put so the table
 * view never sums a large artifact's records, and an index per sort key of
 * run_query ending with the run number, its tie-break. */
#define SQLITE_SCHEMA_4_COLUMNS                                                                    \
        "ALTER TABLE artifacts ADD COLUMN total_size INTEGER NOT NULL DEFAULT 0;"
#define SQLITE_SCHEMA_4                                                                            \
        "UPDATE artifacts SET total_size = (SELECT coalesce(sum(size), 0) FROM artifact_files"     \
        " WHERE artifact_id = artifacts.id);"                                                      \
        "CREATE INDEX IF NOT EXISTS runs_by_name ON runs(project_id, name, number);"               \
        "CREATE INDEX IF NOT EXISTS runs_by_owner ON runs(project_id, owner, number);"             \
        "CREATE INDEX IF NOT EXISTS runs_by_ctime ON runs(project_id, creation_time, number);"     \
        "CREATE INDEX IF NOT EXISTS runs_by_mtime ON runs(project_id, modification_time, number);"
/* Schema 5: which operation of which client queue was applied, so a
 * delivery retried after a crash applies nothing twice (op_apply). */
#define SQLITE_SCHEMA_5                                                                            \
        "CREATE TABLE IF NOT EXISTS applied_ops(queue TEXT NOT NULL, seq INTEGER NOT NULL,"        \
        " run_id INTEGER NOT NULL, PRIMARY KEY(queue, seq)) WITHOUT ROWID;"

static const char sqlite_schema[] =
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS projects(id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL,"
    " key TEXT NOT NULL, next_run INTEGER NOT NULL DEFAULT 1);"
    "CREATE TABLE IF NOT EXISTS runs(id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL,"
    " number INTEGER NOT NULL, name TEXT NOT NULL, owner TEXT NOT NULL,"
    " creation_time TEXT NOT NULL, modification_time TEXT NOT NULL,"
    " UNIQUE(project_id, number));"
    "CREATE TABLE IF NOT EXISTS artifacts(id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL,"
    " hash TEXT NOT NULL, content_hash TEXT NOT NULL, file_count INTEGER NOT NULL,"
    " UNIQUE(project_id, hash));"
    "CREATE TABLE IF NOT EXISTS artifact_files(artifact_id INTEGER NOT NULL,"
    " file_path TEXT NOT NULL, file_hash TEXT NOT NULL, type TEXT NOT NULL, size INTEGER,"
    " source TEXT, last_modified TEXT, PRIMARY KEY(artifact_id, file_path)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS fields(run_id INTEGER NOT NULL, path TEXT NOT NULL,"
    " artifact_id INTEGER NOT NULL, PRIMARY KEY(run_id, path)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS field_roots(run_id INTEGER NOT NULL, path TEXT NOT NULL,"
    " location TEXT NOT NULL, destination TEXT NOT NULL,"
    " PRIMARY KEY(run_id, path, location, destination)) WITHOUT ROWID;"
    "INSERT OR IGNORE INTO meta VALUES('schema_version', " SQLITE_SCHEMA_VERSION
    ");" SQLITE_SCHEMA_2 SQLITE_SCHEMA_3_COLUMNS SQLITE_SCHEMA_3 SQLITE_SCHEMA_4_COLUMNS
        SQLITE_SCHEMA_4 SQLITE_SCHEMA_5;

/* Where the connection stands. */
enum sqlite_state {
        STATE_NONE,     /* no store yet: an empty one in memory, made on disk by the first write */
        STATE_READ,     /* on disk, read only: the mode or the permissions */
        STATE_DISK,     /* on disk, read-write, not yet checked for writing */
        STATE_WRITABLE, /* ready for writes: on disk with the current schema, or debug's copy */
};

/* Statements a connection keeps prepared (there are fewer distinct ones). */
#define SQLITE_STMT_CACHE 64

typedef struct sqlite_store {
        nereid_store base;
        sqlite3 *db;
        char *path;      /* NEREID_HOME/store.db */
        char *home;      /* NEREID_HOME, created by the first write */
        int mode;        /* enum nereid_mode */
        int state;       /* enum sqlite_state */
        const char *why; /* why a STATE_READ store cannot be written */
        int code;        /* SQLite's code for the last failure of sqlite_identify */
        int schema;      /* the schema the connection reads (STORE_SCHEMA once written) */
        /* Prepared statements kept for the connection's life, by SQL text:
         * preparing was most of a small request's cost in nereid-server. */
        struct sqlite_cached {
                char *sql;
                sqlite3_stmt *stmt;
                int busy; /* handed out by sqlite_prepare, not yet given back */
        } cache[SQLITE_STMT_CACHE];
} sqlite_store;

static int sqlite_writable(sqlite_store *s);

static int sqlite_fail(sqlite_store *s, const char *what)
{
        int code = sqlite3_errcode(s->db);
        int rc = NEREID_ERROR;

        if (code == SQLITE_NOTADB)
                return nrd_error(NEREID_ERROR, "store %s: not a Nereid store: %s", s->path,
                                 sqlite3_errmsg(s->db));
        if (code == SQLITE_READONLY || code == SQLITE_PERM || code == SQLITE_CANTOPEN)
                rc = NEREID_EACCESS;
        return nrd_error(rc, "store %s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
}

static int sqlite_exec(sqlite_store *s, const char *sql)
{
        if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
                return sqlite_fail(s, sql);
        return 0;
}

/* A statement for sql: the connection's cached one when it is free, else
 * a new one, cached when there is room. Given back with sqlite_done. */
static int sqlite_prepare(sqlite_store *s, const char *sql, sqlite3_stmt **stmt)
{
        struct sqlite_cached *slot = NULL;
        size_t i;

        for (i = 0; i < SQLITE_STMT_CACHE; i++) {
                struct sqlite_cached *c = &s->cache[i];

                if (!c->sql) {
                        if (!slot)
                                slot = c;
                } else if (!c->busy && (c->sql == sql || strcmp(c->sql, sql) == 0)) {
                        c->busy = 1;
                        *stmt = c->stmt;
                        return 0;
                }
        }
        if (sqlite3_prepare_v3(s->db, sql, -1, slot ? SQLITE_PREPARE_PERSISTENT : 0, stmt, NULL) !=
            SQLITE_OK)
                return sqlite_fail(s, "prepare");
        if (slot && (slot->sql = nrd_strdup(sql)) != NULL) {
                slot->stmt = *stmt;
                slot->busy = 1;
        } else if (slot) {
                nrd_error_clear(); /* a cache that could not grow is not a failure */
        }
        return 0;
}

/* Give a statement of sqlite_prepare back: reset for the next caller when
 * cached, finalized otherwise. NULL is accepted. */
static void sqlite_done(sqlite_store *s, sqlite3_stmt *stmt)
{
        size_t i;

        if (!stmt)
                return;
        for (i = 0; i < SQLITE_STMT_CACHE; i++)
                if (s->cache[i].stmt == stmt && s->cache[i].busy) {
                        sqlite3_reset(stmt);
                        sqlite3_clear_bindings(stmt);
                        s->cache[i].busy = 0;
                        return;
                }
        sqlite3_finalize(stmt);
}

/* Finalize every cached statement (before the connection closes). */
static void sqlite_cache_clear(sqlite_store *s)
{
        size_t i;

        for (i = 0; i < SQLITE_STMT_CACHE; i++) {
                sqlite3_finalize(s->cache[i].stmt);
                free(s->cache[i].sql);
                memset(&s->cache[i], 0, sizeof(s->cache[i]));
        }
}

/* A write is an IMMEDIATE transaction: it waits for other processes'
 * writes (busy timeout), and no one else writes while it reads and merges. */
static int sqlite_begin_write(sqlite_store *s)
{
        int rc = sqlite_writable(s);

        return rc < 0 ? rc : sqlite_exec(s, "BEGIN IMMEDIATE");
}

static int sqlite_end_write(sqlite_store *s)
{
        return sqlite_exec(s, "COMMIT");
}

static void sqlite_rollback(sqlite_store *s)
{
        if (!sqlite3_get_autocommit(s->db))
                sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

static const char *column_text(sqlite3_stmt *stmt, int i)
{
        return (const char *)sqlite3_column_text(stmt, i);
}

/* Run a query that binds (number, text) and returns at most one row of
 * (id, text). Returns 1 with the values for a row, 0 for none. text_out
 * (64 hex + NUL) may be NULL. */
static int sqlite_one_row(sqlite_store *s, const char *sql, sqlite3_int64 number, const char *text,
                          sqlite3_int64 *id, char *text_out)
{
        sqlite3_stmt *stmt = NULL;
        int rc;

        if ((rc = sqlite_prepare(s, sql, &stmt)) < 0)
                return rc;
        sqlite3_bind_int64(stmt, 1, number);
        sqlite3_bind_text(stmt, 2, text, -1, SQLITE_STATIC);
        switch (sqlite3_step(stmt)) {
        case SQLITE_ROW:
                *id = sqlite3_column_int64(stmt, 0);
                if (text_out)
                        snprintf(text_out, NEREID_HASH_HEXLEN + 1, "%s", column_text(stmt, 1));
                rc = 1;
                break;
        case SQLITE_DONE:
                rc = 0;
                break;
        default:
                rc = sqlite_fail(s, "read");
        }
        sqlite_done(s, stmt);
        return rc;
}

/* The row (and content hash) of an artifact of the project; ENOTFOUND when
 * there is none. */
static int sqlite_artifact_row(sqlite_store *s, sqlite3_int64 pid, const char *project,
                               const char *hash, sqlite3_int64 *artifact, char *content_out)
{
        int rc = sqlite_one_row(s,
                                "SELECT id, content_hash FROM artifacts WHERE project_id = ?"
                                " AND hash = ?",
                                pid, hash, artifact, content_out);

        if (rc == 0)
                return nrd_error(NEREID_ENOTFOUND, "artifact %s: not found in project %s", hash,
                                 project);
        return rc < 0 ? rc : 0;
}

/* The project's row id and key; ENOTFOUND when it does not exist. */
static int sqlite_project_id(sqlite_store *s, const char *project, sqlite3_int64 *id,
                             char key_out[16])
{
        sqlite3_stmt *stmt = NULL;
        int rc;

        if ((rc = sqlite_prepare(s, "SELECT id, key FROM projects WHERE name = ?", &stmt)) < 0)
                return rc;
        sqlite3_bind_text(stmt, 1, project, -1, SQLITE_STATIC);
        switch (sqlite3_step(stmt)) {
        case SQLITE_ROW:
                *id = sqlite3_column_int64(stmt, 0);
                if (key_out)
                        snprintf(key_out, 16, "%s", column_text(stmt, 1));
                rc = 0;
                break;
        case SQLITE_DONE:
                rc = nrd_error(NEREID_ENOTFOUND, "project %s: not found", project);
                break;
        default:
                rc = sqlite_fail(s, "read project");
        }
        sqlite_done(s, stmt);
        return rc;
}

static int sqlite_project_open(nereid_store *base, const char *project, const char *key, int create,
                               char key_out[16])
{
        sqlite_store *s = (sqlite_store *)base;
        sqlite3_stmt *stmt = NULL;
        sqlite3_int64 id = 0;
        char derived[16];
        int rc;

        rc = sqlite_project_id(s, project, &id, key_out);
        if (rc != NEREID_ENOTFOUND || !create)
                return rc;
        nrd_error_clear(); /* handled: made now */
        if (!key) {
                nrd_store_derive_key(project, derived);
                key = derived;
        }
        if ((rc = sqlite_begin_write(s)) < 0)
                return rc;
        rc = sqlite_prepare(s, "INSERT OR IGNORE INTO projects(name, key) VALUES(?, ?)", &stmt);
        if (rc == 0) {
                sqlite3_bind_text(stmt, 1, project, -1, SQLITE_STATIC);
                sqlite3_bind_text(stmt, 2, key, -1, SQLITE_STATIC);
                if (sqlite3_step(stmt) != SQLITE_DONE)
                        rc = sqlite_fail(s, "create project");
                sqlite_done(s, stmt);
        }
        if (rc == 0)
                rc = sqlite_project_id(s, project, &id, key_out);
        if (rc == 0)
                rc = sqlite_end_write(s);
        if (rc < 0)
                sqlite_rollback(s);
        return rc;
}

/* The row id of run "KEY-N" of the project; ENOTFOUND when there is none. */
static int sqlite_run_row(sqlite_store *s, const char *project, const char *run_id,
                          sqlite3_int64 *row)
{
        sqlite3_stmt *stmt = NULL;
        sqlite3_int64 pid = 0;
        char key[16];
        const char *dash = strrchr(run_id, '-');
        char *end = NULL;
        long long number;
        int rc;

        /* Only the canonical spelling ("CLS-1", not "CLS-01") names a run. */
        if (nrd_uri_check_run_id(run_id) < 0)
                return nrd_error(NEREID_ENOTFOUND, "run %s: not found in project %s", run_id,
                                 project);
        if ((rc = sqlite_project_id(s, project, &pid, key)) == NEREID_ENOTFOUND)
                return nrd_error(NEREID_ENOTFOUND, "run %s: not found (no project %s)", run_id,
                                 project);
        if (rc < 0)
                return rc;
        if (!dash || (size_t)(dash - run_id) != strlen(key) || strncmp(run_id, key, strlen(key)))
                return nrd_error(NEREID_ENOTFOUND, "run %s: not found in project %s", run_id,
                                 project);
        errno = 0;
        number = strtoll(dash + 1, &end, 10);
        if (errno || !end || *end || number < 1)
                return nrd_error(NEREID_ENOTFOUND, "run %s: not found in project %s", run_id,
                                 project);
        if ((rc = sqlite_prepare(s, "SELECT id FROM runs WHERE project_id = ? AND number = ?",
                                 &stmt)) < 0)
                return rc;
        sqlite3_bind_int64(stmt, 1, pid);
        sqlite3_bind_int64(stmt, 2, number);
        switch (sqlite3_step(stmt)) {
        case SQLITE_ROW:
                *row = sqlite3_column_int64(stmt, 0);
                break;
        case SQLITE_DONE:
                rc =
                    nrd_error(NEREID_ENOTFOUND, "run %s: not found in project %s", run_id, project);
                break;
        default:
                rc = sqlite_fail(s, "read run");
        }
        sqlite_done(s, stmt);
        return rc;
}

/* The number of the project's run whose column (uuid or custom_run_id)
 * holds value: 1 with *number set, 0 when there is none. */
static int sqlite_run_find(sqlite_store *s, sqlite3_int64 pid, const char *column,
                           const char *value, sqlite3_int64 *number)
{
        char sql[96];

        snprintf(sql, sizeof(sql), "SELECT number FROM runs WHERE project_id = ? AND %s = ?",
                 column);
        return sqlite_one_row(s, sql, pid, value, number, NULL);
}

/* Inside the IMMEDIATE transaction: allocate the next number and insert
 * the run. */
static int sqlite_run_insert(sqlite_store *s, sqlite3_int64 pid, const store_run_spec *spec,
                             sqlite3_int64 *number)
{
        sqlite3_stmt *stmt = NULL;
        char now[32], *tags = NULL;
        int rc;

        /* No two processes get one number: the transaction holds the lock. */
        rc = sqlite_prepare(s,
                            "UPDATE projects SET next_run = next_run + 1 WHERE id = ?"
                            " RETURNING next_run - 1",
                            &stmt);
        if (rc < 0)
                return rc;
        sqlite3_bind_int64(stmt, 1, pid);
        if (sqlite3_step(stmt) != SQLITE_ROW) {
                rc = sqlite_fail(s, "allocate run ID");
                goto cleanup;
        }
        *number = sqlite3_column_int64(stmt, 0);
        sqlite_done(s, stmt);
        stmt = NULL;
        if (!(tags = nrd_store_tags_join(spec))) {
                rc = NEREID_ERROR;
                goto cleanup;
        }
        nrd_fs_now_iso8601(now);
        rc = sqlite_prepare(s,
                            "INSERT INTO runs(project_id, number, name, owner, creation_time,"
                            " modification_time, uuid, custom_run_id, description, tags)"
                            " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            &stmt);
        if (rc < 0)
                goto cleanup;
        sqlite3_bind_int64(stmt, 1, pid);
        sqlite3_bind_int64(stmt, 2, *number);
        sqlite3_bind_text(stmt, 3, spec->name ? spec->name : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 4, spec->owner, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 5, now, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 6, now, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 7, spec->uuid, -1, SQLITE_STATIC);
        if (spec->custom_run_id)
                sqlite3_bind_text(stmt, 8, spec->custom_run_id, -1, SQLITE_STATIC);
        else
                sqlite3_bind_null(stmt, 8);
        sqlite3_bind_text(stmt, 9, spec->description ? spec->description : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 10, tags, -1, SQLITE_STATIC);
        if (sqlite3_step(stmt) != SQLITE_DONE)
                rc = sqlite_fail(s, "create run");
cleanup:
        sqlite_done(s, stmt);
        free(tags);
        return rc;
}

static int sqlite_run_new(nereid_store *base, const char *project, const store_run_spec *spec,
                          char id_out[32], int *created)
{
        sqlite_store *s = (sqlite_store *)base;
        sqlite3_int64 pid = 0, number = 0;
        char key[16];
        int rc;

        *created = 0;
        if ((rc = sqlite_begin_write(s)) < 0)
                return rc;
        if ((rc = sqlite_project_id(s, project, &pid, key)) < 0)
                goto cleanup;
        /* In the transaction, so a concurrent creator with the same uuid
         * or custom_run_id finds this one's run (the unique indexes stand
         * behind it). A retry's uuid first: it finds its own run. */
        rc = sqlite_run_find(s, pid, "uuid", spec->uuid, &number);
        if (rc == 0 && spec->custom_run_id)
                rc = sqlite_run_find(s, pid, "custom_run_id", spec->custom_run_id, &number);
        if (rc < 0)
                goto cleanup;
        if (rc == 0) {
                if ((rc = sqlite_run_insert(s, pid, spec, &number)) < 0)
                        goto cleanup;
                *created = 1;
        }
        rc = sqlite_end_write(s);
cleanup:
        if (rc < 0) {
                sqlite_rollback(s);
                *created = 0;
                return rc;
        }
        snprintf(id_out, 32, "%s-%lld", key, (long long)number);
        return 0;
}

/* The columns of a run's sys/ values, from column 1 on (column 0 is its
 * number): a store of an older schema, read as it is, has no metadata. */
static const char *sqlite_run_columns(const sqlite_store *s)
{
        return s->schema >= 3 ? "number, name, owner, creation_time, modification_time, uuid,"
                                " custom_run_id, description, tags"
                              : "number, name, owner, creation_time, modification_time, '',"
                                " NULL, '', ''";
}

/* Fill info (every string a copy) from a row of sqlite_run_columns. */
static int sqlite_run_fill(sqlite3_stmt *stmt, const char *key, store_run_info *info)
{
        const char *custom = column_text(stmt, 6);

        memset(info, 0, sizeof(*info));
        snprintf(info->id, sizeof(info->id), "%s-%lld", key,
                 (long long)sqlite3_column_int64(stmt, 0));
        snprintf(info->creation_time, sizeof(info->creation_time), "%s", column_text(stmt, 3));
        snprintf(info->modification_time, sizeof(info->modification_time), "%s",
                 column_text(stmt, 4));
        snprintf(info->uuid, sizeof(info->uuid), "%s",
                 column_text(stmt, 5) ? column_text(stmt, 5) : "");
        info->name = nrd_strdup(column_text(stmt, 1));
        info->owner = nrd_strdup(column_text(stmt, 2));
        info->description = nrd_strdup(column_text(stmt, 7) ? column_text(stmt, 7) : "");
        if (custom)
                info->custom_run_id = nrd_strdup(custom);
        if (!info->name || !info->owner || !info->description || (custom && !info->custom_run_id) ||
            nrd_store_tags_split(column_text(stmt, 8), info) < 0) {
                nrd_store_run_info_clear(info);
                return NEREID_ERROR;
        }
        return 0;
}

/* The sys/ values of the run with this row id. */
static int sqlite_run_info_row(sqlite_store *s, sqlite3_int64 row, const char *key,
                               store_run_info *info)
{
        sqlite3_stmt *stmt = NULL;
        char sql[256];
        int rc;

        memset(info, 0, sizeof(*info));
        snprintf(sql, sizeof(sql), "SELECT %s FROM runs WHERE id = ?", sqlite_run_columns(s));
        if ((rc = sqlite_prepare(s, sql, &stmt)) < 0)
                return rc;
        sqlite3_bind_int64(stmt, 1, row);
        if (sqlite3_step(stmt) != SQLITE_ROW)
                rc = sqlite_fail(s, "read run");
        else
                rc = sqlite_run_fill(stmt, key, info);
        sqlite_done(s, stmt);
        return rc;
}

static int sqlite_run_info(nereid_store *base, const char *project, const char *run_id,
                           store_run_info *info)
{
        sqlite_store *s = (sqlite_store *)base;
        sqlite3_int64 row = 0, pid = 0;
        char key[16];
        int rc;

        memset(info, 0, sizeof(*info));
        if ((rc = sqlite_run_row(s, project, run_id, &row)) < 0 ||
            (rc = sqlite_project_id(s, project, &pid, key)) < 0)
                return rc;
        return sqlite_run_info_row(s, row, key, info);
}

static int sqlite_run_each(nereid_store *base, const char *project, uint64_t after, size_t limit,
                           store_run_cb cb, void *payload)
{
        sqlite_store *s = (sqlite_store *)base;
        sqlite3_stmt *stmt = NULL;
        sqlite3_int64 pid = 0;
        store_run_info info;
        char key[16], sql[320];
        int rc, step;

        if ((rc = sqlite_project_id(s, project, &pid, key)) < 0)
                return rc;
        /* One query for the page: no statement per run. The (project_id,
         * number) key makes a page start where the last one ended. */
        snprintf(sql, sizeof(sql),
                 "SELECT %s FROM runs WHERE project_id = ? AND number > ? ORDER BY number"
                 " LIMIT ?",
                 sqlite_run_columns(s));
        if ((rc = sqlite_prepare(s, sql, &stmt)) < 0)
                return rc;
        sqlite3_bind_int64(stmt, 1, pid);
        sqlite3_bind_int64(stmt, 2, after > INT64_MAX ? INT64_MAX : (sqlite3_int64)after);
        sqlite3_bind_int64(stmt, 3, limit == 0 || limit > INT64_MAX ? -1 : (sqlite3_int64)limit);
        while (rc == 0 && (step = sqlite3_step(stmt)) == SQLITE_ROW) {
                if ((rc = sqlite_run_fill(stmt, key, &info)) < 0)
                        break;
                rc = cb(payload, &info);
                nrd_store_run_info_clear(&info);
        }
        if (rc == 0 && step != SQLITE_DONE)
                rc = sqlite_fail(s, "list runs");
        sqlite_done(s, stmt);
        return rc;
}

/* The fields of the run with this row id, summarised, into *out (the
 * strings copies, freed by sqlite_summaries_free). */
static void sqlite_summaries_free(store_field_summary *f, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free((char *)f[i].field);
                free((char *)f[i].hash);
                free((char *)f[i].content_hash);
        }
        free(f);
}

static int sqlite_summaries(sqlite_store *s, sqlite3_int64 row, store_field_summary **out,
                            size_t *count)
{
        sqlite3_stmt *stmt = NULL;
        store_field_summary *f = NULL, *grown;
        size_t n = 0, cap = 0;
        char sql[512];
        int rc, step;

        *out = NULL;
        *count = 0;
        /* A store not migrated yet (read only) sums the records instead. */
        snprintf(sql, sizeof(sql),
                 "SELECT f.path, a.hash, a.content_hash, a.file_count, %s FROM fields f"
                 " JOIN artifacts a ON a.id = f.artifact_id WHERE f.run_id = ? ORDER BY f.path",
                 s->schema >= 4 ? "a.total_size"
                                : "(SELECT coalesce(sum(size), 0) FROM artifact_files"
                                  " WHERE artifact_id = a.id)");
        if ((rc = sqlite_prepare(s, sql, &stmt)) < 0)
                return rc;
        sqlite3_bind_int64(stmt, 1, row);
        while (rc == 0 && (step = sqlite3_step(stmt)) == SQLITE_ROW) {
                if (n == cap) {
                        cap = cap ? cap * 2 : 4;
                        if (!(grown = nrd_realloc_array(f, cap, sizeof(*f)))) {
                                rc = NEREID_ERROR;
                                break;
                        }
                        f = grown;
                }
                memset(&f[n], 0, sizeof(f[n]));
                f[n].field = nrd_strdup(column_text(stmt, 0));
                f[n].hash = nrd_strdup(column_text(stmt, 1));
                f[n].content_hash = nrd_strdup(column_text(stmt, 2));
                f[n].file_count = (uint64_t)sqlite3_column_int64(stmt, 3);
                f[n].total_size = (uint64_t)sqlite3_column_int64(stmt, 4);
                n++;
                if (!f[n - 1].field || !f[n - 1].hash || !f[n - 1].content_hash)
                        rc = NEREID_ERROR;
        }
        if (rc == 0 && step != SQLITE_DONE)
                rc = sqlite_fail(s, "list fields");
        sqlite_done(s, stmt);
        if (rc < 0) {
                sqlite_summaries_free(f, n);
                return rc;
        }
        *out = f;
        *count = n;
        return 0;
}

static int sqlite_run_query(nereid_store *base, const char *project, const store_run_query *q,
                            store_run_row_cb cb, void *payload)
{
        static const char *const columns[] = {"number", "name", "owner", "creation_time",
                                              "modification_time"};
        sqlite_store *s = (sqlite_store *)base;
        sqlite3_stmt *stmt = NULL;
        sqlite3_int64 pid = 0;
        store_run_info info;
        store_field_summary *fields = NULL;
        size_t nfields = 0;
        const char *col = columns[q->sort];
        const char *op = q->descending ? "<" : ">";
        const char *dir = q->descending ? "DESC" : "ASC";
        int filtered = q->filter && q->filter[0];
        char key[16], sql[1536], where[768] = "", after[160] = "";
        int rc, step;

        if ((rc = sqlite_project_id(s, project, &pid, key)) < 0)
                return rc;
        /* instr() on lower(): a substring, no wildcard to escape. */
        if (filtered)
                snprintf(where, sizeof(where),
                         " AND (instr(lower(?3 || '-' || number), lower(?4)) > 0"
                         " OR instr(lower(name), lower(?4)) > 0"
                         " OR instr(lower(owner), lower(?4)) > 0%s)",
                         s->schema >= 3 ? " OR instr(lower(coalesce(custom_run_id, '')), lower(?4))"
                                          " > 0 OR instr(lower(tags), lower(?4)) > 0"
                                        : "");
        /* The keyset: row values use the (project_id, col, number) index. */
        if (q->has_after && q->sort == STORE_SORT_ID)
                snprintf(after, sizeof(after), " AND number %s ?6", op);
        else if (q->has_after)
                snprintf(after, sizeof(after), " AND (%s, number) %s (?5, ?6)", col, op);
        /* "ORDER BY name ASC, number ASC"; the ID's order is the number's. */
        snprintf(sql, sizeof(sql),
                 "SELECT %s, id FROM runs WHERE project_id = ?1%s%s ORDER BY %s %s, number %s"
                 " LIMIT ?2",
                 sqlite_run_columns(s), where, after, col, dir, dir);
        if ((rc = sqlite_prepare(s, sql, &stmt)) < 0)
                return rc;
        sqlite3_bind_int64(stmt, 1, pid);
        sqlite3_bind_int64(stmt, 2, (sqlite3_int64)q->limit);
        sqlite3_bind_text(stmt, 3, key, -1, SQLITE_STATIC);
        if (filtered)
                sqlite3_bind_text(stmt, 4, q->filter, -1, SQLITE_STATIC);
        if (q->has_after && q->sort != STORE_SORT_ID)
                sqlite3_bind_text(stmt, 5, q->after_key, -1, SQLITE_STATIC);
        if (q->has_after)
                sqlite3_bind_int64(stmt, 6, (sqlite3_int64)q->after_number);
        while (rc == 0 && (step = sqlite3_step(stmt)) == SQLITE_ROW) {
                uint64_t number = (uint64_t)sqlite3_column_int64(stmt, 0);

                if ((rc = sqlite_summaries(s, sqlite3_column_int64(stmt, 9), &fields, &nfields)) <
                    0)
                        break;
                if ((rc = sqlite_run_fill(stmt, key, &info)) < 0) {
                        sqlite_summaries_free(fields, nfields);
                        break;
                }
                rc = cb(payload, &info, number, fields, nfields);
                nrd_store_run_info_clear(&info);
                sqlite_summaries_free(fields, nfields);
        }
        if (rc == 0 && step != SQLITE_DONE)
                rc = sqlite_fail(s, "query runs");
        sqlite_done(s, stmt);
        return rc;
}

static int sqlite_field_each(nereid_store *base, const char *project, const char *run_id,
                             store_field_cb cb, void *payload)
{
        sqlite_store *s = (sqlite_store *)base;
        sqlite3_stmt *stmt = NULL;
        sqlite3_int64 row = 0;
        int rc, step;

        if ((rc = sqlite_run_row(s, project, run_id, &row)) < 0)
                return rc;
        rc = sqlite_prepare(s,
                            "SELECT f.path, a.hash FROM fields f JOIN artifacts a"
                            " ON a.id = f.artifact_id WHERE f.run_id = ? ORDER BY f.path",
                            &stmt);
        if (rc < 0)
                return rc;
        sqlite3_bind_int64(stmt, 1, row);
        while (rc == 0 && (step = sqlite3_step(stmt)) == SQLITE_ROW)
                rc = cb(payload, column_text(stmt, 0), column_text(stmt, 1));
        if (rc == 0 && step != SQLITE_DONE)
                rc = sqlite_fail(s, "list fields");
        sqlite_done(s, stmt);
        return rc;
}

/* The artifact row a field points at; ENOTFOUND when the field is not set. */
static int sqlite_field_artifact(sqlite_store *s, sqlite3_int64 run_row, const char *run_id,
                                 const char *field, sqlite3_int64 *artifact,
                                 char hash_out[NEREID_HASH_HEXLEN + 1])
{
        int rc = sqlite_one_row(s,
                                "SELECT a.id, a.hash FROM fields f JOIN artifacts a"
                                " ON a.id = f.artifact_id WHERE f.run_id = ? AND f.path = ?",
                                run_row, field, artifact, hash_out);

        if (rc == 0)
                return nrd_error(NEREID_ENOTFOUND, "%s:%s: no such field", run_id, field);
        return rc < 0 ? rc : 0;
}

static int sqlite_field_get(nereid_store *base, const char *project, const char *run_id,
                            const char *field, char hash_out[NEREID_HASH_HEXLEN + 1])
{
        sqlite_store *s = (sqlite_store *)base;
        sqlite3_int64 row = 0, artifact = 0;
        int rc;

        if ((rc = sqlite_run_row(s, project, run_id, &row)) < 0)
                return rc;
        return sqlite_field_artifact(s, row, run_id, field, &artifact, hash_out);
}

/* Stream the records of an artifact row, sorted by file_path (BINARY
 * collation is bytewise, as SPEC section 3 sorts), those after the
 * file_path after (NULL: all), at most limit (0: all): one keyset query on
 * the primary key (artifact_id, file_path). */
static int sqlite_artifact_rows(sqlite_store *s, sqlite3_int64 artifact, const char *after,
                                size_t limit, store_file_cb cb, void *payload)
{
        sqlite3_stmt *stmt = NULL;
        int rc, step;

        /* Two statements, not "?2 IS NULL OR file_path > ?2": SQLite's
         * planner seeks the primary key to after only without the OR. */
        rc = sqlite_prepare(s,
                            after ? "SELECT file_path, file_hash, type, size, source,"
                                    " last_modified FROM artifact_files WHERE artifact_id = ?1"
                                    " AND file_path > ?2 ORDER BY file_path LIMIT ?3"
                                  : "SELECT file_path, file_hash, type, size, source,"
                                    " last_modified FROM artifact_files WHERE artifact_id = ?1"
                                    " ORDER BY file_path LIMIT ?3",
                            &stmt);
        if (rc < 0)
                return rc;
        sqlite3_bind_int64(stmt, 1, artifact);
        if (after)
                sqlite3_bind_text(stmt, 2, after, -1, SQLITE_STATIC);
        sqlite3_bind_int64(stmt, 3, limit == 0 || limit > INT64_MAX ? -1 : (sqlite3_int64)limit);
        while (rc == 0 && (step = sqlite3_step(stmt)) == SQLITE_ROW) {
                struct nereid_file file = {0};

                /* Borrowed from the statement for the duration of the callback. */
                file.file_path = (char *)column_text(stmt, 0);
                file.file_hash = (char *)column_text(stmt, 1);
                file.type = (char *)column_text(stmt, 2);
                file.has_size = sqlite3_column_type(stmt, 3) != SQLITE_NULL;
                file.size = (uint64_t)sqlite3_column_int64(stmt, 3);
                file.source = (char *)column_text(stmt, 4);
                file.last_modified = (char *)column_text(stmt, 5);
                rc = cb(payload, &file);
        }
        if (rc == 0 && step != SQLITE_DONE)
                rc = sqlite_fail(s, "read artifact");
        sqlite_done(s, stmt);
        return rc;
}

/* The records a pull gives, stored under artifact by one statement
 * (sqlite_records.c). A failure of the pull is returned as it is. */
static int sqlite_records_insert(sqlite_store *s, sqlite3_int64 artifact, nrd_records_pull *pull)
{
        sqlite3_stmt *stmt = NULL;
        int rc;

        rc =
            sqlite_prepare(s,
                           "INSERT INTO artifact_files SELECT ?1, file_path, file_hash, type, size,"
                           " source, last_modified FROM nrd_records(?2)",
                           &stmt);
        if (rc < 0)
                return rc;
        sqlite3_bind_int64(stmt, 1, artifact);
        sqlite3_bind_pointer(stmt, 2, pull, NRD_RECORDS_POINTER, NULL);
        if (sqlite3_step(stmt) != SQLITE_DONE)
                rc = pull->rc < 0 ? pull->rc : sqlite_fail(s, "store artifact records");
        sqlite_done(s, stmt);
        return rc;
}

/* The row of the artifact with this hash, inserting it (and its records)
 * when the project does not have it yet. */
static int sqlite_artifact_insert(sqlite_store *s, sqlite3_int64 pid, const nereid_files *files,
                                  const char *hash, const char *content, sqlite3_int64 *artifact)
{
        nrd_records_list list = {NULL, 0};
        nrd_records_pull pull = {nrd_records_list_next, NULL, 1, 0, 0, 0};
        sqlite3_stmt *stmt = NULL;
        uint64_t total = 0;
        size_t i;
        int rc;

        rc = sqlite_one_row(s, "SELECT id FROM artifacts WHERE project_id = ? AND hash = ?", pid,
                            hash, artifact, NULL);
        if (rc != 0)
                return rc < 0 ? rc : 0; /* stored once: it is there already */
        for (i = 0; i < files->count; i++)
                if (files->items[i].has_size)
                        total += files->items[i].size;
        rc = sqlite_prepare(s,
                            "INSERT INTO artifacts(project_id, hash, content_hash, file_count,"
                            " total_size) VALUES(?, ?, ?, ?, ?)",
                            &stmt);
        if (rc < 0)
                return rc;
        sqlite3_bind_int64(stmt, 1, pid);
        sqlite3_bind_text(stmt, 2, hash, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 3, content, -1, SQLITE_STATIC);
        sqlite3_bind_int64(stmt, 4, (sqlite3_int64)files->count);
        sqlite3_bind_int64(stmt, 5, total > INT64_MAX ? INT64_MAX : (sqlite3_int64)total);
        if (sqlite3_step(stmt) != SQLITE_DONE) {
                sqlite_done(s, stmt);
                return sqlite_fail(s, "store artifact");
        }
        sqlite_done(s, stmt);
        *artifact = sqlite3_last_insert_rowid(s->db);
        list.files = files;
        pull.payload = &list;
        return sqlite_records_insert(s, *artifact, &pull);
}

/* artifact_put_stream: the artifact's row first (its content hash is
 * known only at the end), each record as it comes, then the row completed;
 * one transaction, so a failure anywhere leaves nothing. */
static int sqlite_artifact_put_stream(nereid_store *base, const char *project, const char *hash,
                                      const char *content, store_file_next next, void *payload)
{
        sqlite_store *s = (sqlite_store *)base;
        nrd_records_pull pull = {next, payload, 0, 0, 0, 0};
        sqlite3_stmt *stmt = NULL;
        const struct nereid_file *file;
        sqlite3_int64 pid = 0, artifact = 0;
        int rc, exists;

        if ((rc = sqlite_begin_write(s)) < 0)
                return rc;
        if ((rc = sqlite_project_id(s, project, &pid, NULL)) < 0)
                goto cleanup;
        rc = sqlite_one_row(s, "SELECT id FROM artifacts WHERE project_id = ? AND hash = ?", pid,
                            hash, &artifact, NULL);
        if (rc < 0)
                goto cleanup;
        exists = rc != 0;
        if (exists) { /* stored once: read the records to their end, so they are checked */
                while ((rc = next(payload, &file)) > 0)
                        ;
                goto cleanup; /* rolled back: nothing was written */
        }
        if ((rc = sqlite_prepare(s,
                                 "INSERT INTO artifacts(project_id, hash, content_hash, file_count)"
                                 " VALUES(?, ?, '', 0)",
                                 &stmt)) < 0)
                goto cleanup;
        sqlite3_bind_int64(stmt, 1, pid);
        sqlite3_bind_text(stmt, 2, hash, -1, SQLITE_STATIC);
        rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : sqlite_fail(s, "store artifact");
        sqlite_done(s, stmt);
        stmt = NULL;
        if (rc < 0)
                goto cleanup;
        artifact = sqlite3_last_insert_rowid(s->db);
        if ((rc = sqlite_records_insert(s, artifact, &pull)) < 0)
                goto cleanup;
        if ((rc = sqlite_prepare(s,
                                 "UPDATE artifacts SET content_hash = ?, file_count = ?,"
                                 " total_size = ? WHERE id = ?",
                                 &stmt)) < 0)
                goto cleanup;
        sqlite3_bind_text(stmt, 1, content, -1, SQLITE_STATIC);
        sqlite3_bind_int64(stmt, 2, pull.count);
        sqlite3_bind_int64(stmt, 3, pull.total > INT64_MAX ? INT64_MAX : (sqlite3_int64)pull.total);
        sqlite3_bind_int64(stmt, 4, artifact);
        rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : sqlite_fail(s, "store artifact");
        sqlite_done(s, stmt);
        if (rc == 0 && (rc = sqlite_end_write(s)) == 0)
                return 0;
cleanup:
        sqlite_rollback(s);
        return rc;
}

/* Set the run's sys/modification_time to now. */
static int sqlite_touch_run(sqlite_store *s, sqlite3_int64 run_row)
{
        sqlite3_stmt *stmt = NULL;
        char now[32];
        int rc;

        nrd_fs_now_iso8601(now);
        rc = sqlite_prepare(s, "UPDATE runs SET modification_time = ? WHERE id = ?", &stmt);
        if (rc < 0)
                return rc;
        sqlite3_bind_text(stmt, 1, now, -1, SQLITE_STATIC);
        sqlite3_bind_int64(stmt, 2, run_row);
        if (sqlite3_step(stmt) != SQLITE_DONE)
                rc = sqlite_fail(s, "update run");
        sqlite_done(s, stmt);
        return rc;
}

/* Point the field at the artifact, remember the roots, touch the run. */
static int sqlite_field_set(sqlite_store *s, sqlite3_int64 run_row, const char *field,
                            sqlite3_int64 artifact, const store_root *roots, size_t nroots)
{
        sqlite3_stmt *stmt = NULL;
        size_t i;
        int rc;

        rc = sqlite_prepare(s,
                            "INSERT INTO fields VALUES(?, ?, ?) ON CONFLICT(run_id, path)"
                            " DO UPDATE SET artifact_id = excluded.artifact_id",
                            &stmt);
        if (rc < 0)
                return rc;
        sqlite3_bind_int64(stmt, 1, run_row);
        sqlite3_bind_text(stmt, 2, field, -1, SQLITE_STATIC);
        sqlite3_bind_int64(stmt, 3, artifact);
        if (sqlite3_step(stmt) != SQLITE_DONE)
                rc = sqlite_fail(s, "set field");
        sqlite_done(s, stmt);
        if (rc < 0 || !nroots)
                goto touch;
        rc = sqlite_prepare(s, "INSERT OR IGNORE INTO field_roots VALUES(?, ?, ?, ?)", &stmt);
        if (rc < 0)
                return rc;
        for (i = 0; i < nroots && rc == 0; i++) {
                sqlite3_bind_int64(stmt, 1, run_row);
                sqlite3_bind_text(stmt, 2, field, -1, SQLITE_STATIC);
                sqlite3_bind_text(stmt, 3, roots[i].location, -1, SQLITE_STATIC);
                sqlite3_bind_text(stmt, 4, roots[i].destination ? roots[i].destination : "", -1,
                                  SQLITE_STATIC);
                if (sqlite3_step(stmt) != SQLITE_DONE)
                        rc = sqlite_fail(s, "remember tracked path");
                sqlite3_reset(stmt);
        }
        sqlite_done(s, stmt);
touch:
        return rc < 0 ? rc : sqlite_touch_run(s, run_row);
}

static int sqlite_clear_roots(sqlite_store *s, sqlite3_int64 run_row, const char *field)
{
        sqlite3_stmt *stmt = NULL;
        int rc;

        rc = sqlite_prepare(s, "DELETE FROM field_roots WHERE run_id = ? AND path = ?", &stmt);
        if (rc < 0)
                return rc;
        sqlite3_bind_int64(stmt, 1, run_row);
        sqlite3_bind_text(stmt, 2, field, -1, SQLITE_STATIC);
        if (sqlite3_step(stmt) != SQLITE_DONE)
                rc = sqlite_fail(s, "forget tracked paths");
        sqlite_done(s, stmt);
        return rc;
}

static int sqlite_artifact_put(nereid_store *base, const char *project, const char *hash,
                               const char *content, const nereid_files *files)
{
        sqlite_store *s = (sqlite_store *)base;
        sqlite3_int64 pid = 0, artifact = 0;
        int rc;

        if ((rc = sqlite_begin_write(s)) < 0)
                return rc;
        if ((rc = sqlite_project_id(s, project, &pid, NULL)) == 0 &&
            (rc = sqlite_artifact_insert(s, pid, files, hash, content, &artifact)) == 0)
                rc = sqlite_end_write(s);
        if (rc < 0)
                sqlite_rollback(s);
        return rc;
}

/* The compare and swap of store_ops.field_swap inside the caller's
 * IMMEDIATE transaction: no other process changes the field between the
 * compare and the write. The run's row goes to *row. */
static int sqlite_swap_in(sqlite_store *s, const char *project, const char *run_id,
                          const char *field, const char *expect, const char *hash,
                          const store_root *roots, size_t nroots, enum store_roots how,
                          sqlite3_int64 *row)
{
        sqlite3_int64 pid = 0, artifact = 0, old = 0;
        char held[NEREID_HASH_HEXLEN + 1] = "";
        int rc;

        if ((rc = sqlite_project_id(s, project, &pid, NULL)) < 0 ||
            (rc = sqlite_run_row(s, project, run_id, row)) < 0 ||
            (rc = sqlite_artifact_row(s, pid, project, hash, &artifact, NULL)) < 0)
                return rc;
        if (expect) {
                rc = sqlite_field_artifact(s, *row, run_id, field, &old, held);
                if (rc < 0 && rc != NEREID_ENOTFOUND)
                        return rc;
                if (rc == NEREID_ENOTFOUND)
                        nrd_error_clear(); /* a new field: it holds "" */
                if (strcmp(held, expect) != 0)
                        return STORE_CONFLICT;
        }
        if (how == STORE_ROOTS_SET && (rc = sqlite_clear_roots(s, *row, field)) < 0)
                return rc;
        return sqlite_field_set(s, *row, field, artifact, roots, nroots);
}

static int sqlite_field_swap(nereid_store *base, const char *project, const char *run_id,
                             const char *field, const char *expect, const char *hash,
                             const store_root *roots, size_t nroots, enum store_roots how)
{
        sqlite_store *s = (sqlite_store *)base;
        sqlite3_int64 row = 0;
        int rc;

        if ((rc = sqlite_begin_write(s)) < 0)
                return rc;
        rc = sqlite_swap_in(s, project, run_id, field, expect, hash, roots, nroots, how, &row);
        if (rc == 0)
                rc = sqlite_end_write(s);
        if (rc != 0)
                sqlite_rollback(s);
        return rc;
}

/* Run a reverse lookup: sql binds (project id, text) and returns rows of
 * (run number, field path[, file_path]). */
static int sqlite_refs(sqlite_store *s, const char *sql, sqlite3_int64 pid, const char *key,
                       const char *text, store_ref_cb cb, void *payload)
{
        sqlite3_stmt *stmt = NULL;
        char id[48];
        int rc, step;

        if ((rc = sqlite_prepare(s, sql, &stmt)) < 0)
                return rc;
        sqlite3_bind_int64(stmt, 1, pid);
        sqlite3_bind_text(stmt, 2, text, -1, SQLITE_STATIC);
        while (rc == 0 && (step = sqlite3_step(stmt)) == SQLITE_ROW) {
                snprintf(id, sizeof(id), "%s-%lld", key, (long long)sqlite3_column_int64(stmt, 0));
                rc = cb(payload, id, column_text(stmt, 1),
                        sqlite3_column_count(stmt) > 2 ? column_text(stmt, 2) : NULL);
        }
        if (rc == 0 && step != SQLITE_DONE)
                rc = sqlite_fail(s, "reverse lookup");
        sqlite_done(s, stmt);
        return rc;
}

static int sqlite_field_users(nereid_store *base, const char *project, const char *hash,
                              store_ref_cb cb, void *payload)
{
        sqlite_store *s = (sqlite_store *)base;
        sqlite3_int64 pid = 0, artifact = 0;
        char key[16];
        int rc;

        if ((rc = sqlite_project_id(s, project, &pid, key)) < 0 ||
            (rc = sqlite_artifact_row(s, pid, project, hash, &artifact, NULL)) < 0)
                return rc;
        /* fields_artifact (schema 2) finds the fields of an artifact. */
        return sqlite_refs(s,
                           "SELECT r.number, f.path FROM artifacts a"
                           " JOIN fields f ON f.artifact_id = a.id JOIN runs r ON r.id = f.run_id"
                           " WHERE a.project_id = ?1 AND a.hash = ?2 ORDER BY r.number, f.path",
                           pid, key, hash, cb, payload);
}

static int sqlite_file_find(nereid_store *base, const char *project, const char *file_hash,
                            store_ref_cb cb, void *payload)
{
        sqlite_store *s = (sqlite_store *)base;
        sqlite3_int64 pid = 0;
        char key[16];
        int rc;

        if ((rc = sqlite_project_id(s, project, &pid, key)) < 0)
                return rc;
        /* artifact_files_hash (schema 2) finds the records, fields_artifact
         * the fields holding their artifacts. */
        return sqlite_refs(s,
                           "SELECT r.number, f.path, af.file_path FROM artifact_files af"
                           " JOIN artifacts a ON a.id = af.artifact_id"
                           " JOIN fields f ON f.artifact_id = a.id JOIN runs r ON r.id = f.run_id"
                           " WHERE a.project_id = ?1 AND af.file_hash = ?2"
                           " ORDER BY r.number, f.path, af.file_path",
                           pid, key, file_hash, cb, payload);
}

/* Delete the rows of a field and of every field below it (a namespace),
 * from table; the number deleted goes to *count. */
static int sqlite_delete_fields(sqlite_store *s, const char *table, sqlite3_int64 run_row,
                                const char *field, int *count)
{
        sqlite3_stmt *stmt = NULL;
        char sql[160];
        int rc;

        snprintf(sql, sizeof(sql),
                 "DELETE FROM %s WHERE run_id = ?1 AND (path = ?2 OR"
                 " substr(path, 1, length(?2) + 1) = ?2 || '/')",
                 table);
        if ((rc = sqlite_prepare(s, sql, &stmt)) < 0)
                return rc;
        sqlite3_bind_int64(stmt, 1, run_row);
        sqlite3_bind_text(stmt, 2, field, -1, SQLITE_STATIC);
        if (sqlite3_step(stmt) != SQLITE_DONE)
                rc = sqlite_fail(s, "remove field");
        else
                *count = sqlite3_changes(s->db);
        sqlite_done(s, stmt);
        return rc;
}

static int sqlite_field_remove(nereid_store *base, const char *project, const char *run_id,
                               const char *field)
{
        sqlite_store *s = (sqlite_store *)base;
        sqlite3_int64 row = 0;
        int removed = 0, roots = 0, rc;

        if ((rc = sqlite_begin_write(s)) < 0)
                return rc;
        if ((rc = sqlite_run_row(s, project, run_id, &row)) < 0 ||
            (rc = sqlite_delete_fields(s, "fields", row, field, &removed)) < 0 ||
            (rc = sqlite_delete_fields(s, "field_roots", row, field, &roots)) < 0)
                goto cleanup;
        if (!removed) {
                rc = nrd_error(NEREID_ENOTFOUND, "%s:%s: no such field", run_id, field);
                goto cleanup;
        }
        if ((rc = sqlite_touch_run(s, row)) < 0)
                goto cleanup;
        rc = sqlite_end_write(s);
cleanup:
        if (rc < 0)
                sqlite_rollback(s);
        return rc;
}

/* store_ops.op_apply: the key looked up, the write, the key recorded,
 * all in one IMMEDIATE transaction. */
static int sqlite_op_apply(nereid_store *base, const char *project, const char *run_id,
                           const char *queue, uint64_t seq, const char *field, const char *expect,
                           const char *hash, const store_root *roots, size_t nroots,
                           enum store_roots how)
{
        sqlite_store *s = (sqlite_store *)base;
        sqlite3_stmt *stmt = NULL;
        sqlite3_int64 row = 0;
        int removed = 0, step, rc;

        if ((rc = sqlite_begin_write(s)) < 0)
                return rc;
        if ((rc = sqlite_prepare(s, "SELECT 1 FROM applied_ops WHERE queue = ? AND seq = ?",
                                 &stmt)) < 0)
                goto cleanup;
        sqlite3_bind_text(stmt, 1, queue, -1, SQLITE_STATIC);
        sqlite3_bind_int64(stmt, 2, (sqlite3_int64)seq);
        step = sqlite3_step(stmt);
        sqlite_done(s, stmt);
        stmt = NULL;
        if (step == SQLITE_ROW) {
                rc = STORE_APPLIED;
                goto cleanup;
        }
        if (step != SQLITE_DONE) {
                rc = sqlite_fail(s, "look up applied operation");
                goto cleanup;
        }
        if (hash) {
                rc = sqlite_swap_in(s, project, run_id, field, expect, hash, roots, nroots, how,
                                    &row);
        } else if ((rc = sqlite_run_row(s, project, run_id, &row)) == 0 &&
                   (rc = sqlite_delete_fields(s, "fields", row, field, &removed)) == 0 &&
                   (rc = sqlite_delete_fields(s, "field_roots", row, field, &removed)) == 0) {
                rc = sqlite_touch_run(s, row);
        }
        if (rc != 0)
                goto cleanup;
        if ((rc = sqlite_prepare(s, "INSERT INTO applied_ops VALUES(?, ?, ?)", &stmt)) < 0)
                goto cleanup;
        sqlite3_bind_text(stmt, 1, queue, -1, SQLITE_STATIC);
        sqlite3_bind_int64(stmt, 2, (sqlite3_int64)seq);
        sqlite3_bind_int64(stmt, 3, row);
        if (sqlite3_step(stmt) != SQLITE_DONE)
                rc = sqlite_fail(s, "record applied operation");
        sqlite_done(s, stmt);
        if (rc == 0)
                rc = sqlite_end_write(s);
cleanup:
        if (rc != 0)
                sqlite_rollback(s);
        return rc;
}

static int sqlite_project_each(nereid_store *base, store_project_cb cb, void *payload)
{
        sqlite_store *s = (sqlite_store *)base;
        sqlite3_stmt *stmt = NULL;
        int rc, step;

        rc = sqlite_prepare(s,
                            "SELECT p.name, p.key, (SELECT count(*) FROM runs r"
                            " WHERE r.project_id = p.id) FROM projects p ORDER BY p.name",
                            &stmt);
        if (rc < 0)
                return rc;
        while (rc == 0 && (step = sqlite3_step(stmt)) == SQLITE_ROW)
                rc = cb(payload, column_text(stmt, 0), column_text(stmt, 1),
                        (uint64_t)sqlite3_column_int64(stmt, 2));
        if (rc == 0 && step != SQLITE_DONE)
                rc = sqlite_fail(s, "list projects");
        sqlite_done(s, stmt);
        return rc;
}

static int sqlite_field_roots(nereid_store *base, const char *project, const char *run_id,
                              const char *field, store_root **out, size_t *count)
{
        sqlite_store *s = (sqlite_store *)base;
        sqlite3_stmt *stmt = NULL;
        sqlite3_int64 row = 0;
        store_root *roots = NULL;
        size_t n = 0, cap = 0;
        int rc, step;

        *out = NULL;
        *count = 0;
        if ((rc = sqlite_run_row(s, project, run_id, &row)) < 0)
                return rc;
        rc = sqlite_prepare(s,
                            "SELECT location, destination FROM field_roots WHERE run_id = ?"
                            " AND path = ? ORDER BY location, destination",
                            &stmt);
        if (rc < 0)
                return rc;
        sqlite3_bind_int64(stmt, 1, row);
        sqlite3_bind_text(stmt, 2, field, -1, SQLITE_STATIC);
        while (rc == 0 && (step = sqlite3_step(stmt)) == SQLITE_ROW) {
                if (n == cap) {
                        store_root *grown;

                        cap = cap ? cap * 2 : 8;
                        grown = nrd_realloc_array(roots, cap, sizeof(*roots));
                        if (!grown) {
                                rc = nrd_error_oom();
                                break;
                        }
                        roots = grown;
                }
                roots[n].location = nrd_strdup(column_text(stmt, 0));
                roots[n].destination = nrd_strdup(column_text(stmt, 1));
                n++;
                if (!roots[n - 1].location || !roots[n - 1].destination)
                        rc = NEREID_ERROR;
        }
        if (rc == 0 && step != SQLITE_DONE)
                rc = sqlite_fail(s, "read tracked paths");
        sqlite_done(s, stmt);
        if (rc < 0) {
                nrd_store_roots_free(roots, n);
                return rc;
        }
        *out = roots;
        *count = n;
        return 0;
}

static int sqlite_artifact_lookup(sqlite_store *s, const char *project, const char *hash,
                                  sqlite3_int64 *artifact, char content_out[NEREID_HASH_HEXLEN + 1])
{
        sqlite3_int64 pid = 0;
        int rc;

        if ((rc = sqlite_project_id(s, project, &pid, NULL)) < 0)
                return rc;
        return sqlite_artifact_row(s, pid, project, hash, artifact, content_out);
}

static int sqlite_artifact_content_hash(nereid_store *base, const char *project, const char *hash,
                                        char content_out[NEREID_HASH_HEXLEN + 1])
{
        sqlite3_int64 artifact = 0;

        return sqlite_artifact_lookup((sqlite_store *)base, project, hash, &artifact, content_out);
}

static int sqlite_artifact_each(nereid_store *base, const char *project, const char *hash,
                                store_file_cb cb, void *payload)
{
        sqlite_store *s = (sqlite_store *)base;
        sqlite3_int64 artifact = 0;
        int rc;

        if ((rc = sqlite_artifact_lookup(s, project, hash, &artifact, NULL)) < 0)
                return rc;
        return sqlite_artifact_rows(s, artifact, NULL, 0, cb, payload);
}

static int sqlite_artifact_page(nereid_store *base, const char *project, const char *hash,
                                const char *after, size_t limit, store_file_cb cb, void *payload)
{
        sqlite_store *s = (sqlite_store *)base;
        sqlite3_int64 artifact = 0;
        int rc;

        if ((rc = sqlite_artifact_lookup(s, project, hash, &artifact, NULL)) < 0)
                return rc;
        return sqlite_artifact_rows(s, artifact, after, limit, cb, payload);
}

/* --- tokens and settings (schema 3) ------------------------------------------------------- */

static int sqlite_token_create(nereid_store *base, const store_token *token, uint64_t *id_out)
{
        sqlite_store *s = (sqlite_store *)base;
        sqlite3_stmt *stmt = NULL;
        char now[32];
        int rc, step;

        *id_out = 0;
        if ((rc = sqlite_begin_write(s)) < 0)
                return rc;
        nrd_fs_now_iso8601(now);
        rc = sqlite_prepare(s,
                            "INSERT INTO tokens(name, project, role, hash, created, expires)"
                            " VALUES(?, ?, ?, ?, ?, ?) ON CONFLICT(hash) DO NOTHING",
                            &stmt);
        if (rc < 0)
                goto cleanup;
        sqlite3_bind_text(stmt, 1, token->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 2, token->project, -1, SQLITE_STATIC);
        sqlite3_bind_int(stmt, 3, token->role);
        sqlite3_bind_text(stmt, 4, token->hash, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 5, now, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 6, token->expires, -1, SQLITE_STATIC);
        step = sqlite3_step(stmt);
        if (step != SQLITE_DONE)
                rc = sqlite_fail(s, "create token");
        else if (sqlite3_changes(s->db) == 0)
                rc = nrd_error(NEREID_EEXISTS, "token: one with this hash exists already");
        if (rc == 0) {
                *id_out = (uint64_t)sqlite3_last_insert_rowid(s->db);
                rc = sqlite_end_write(s);
        }
cleanup:
        sqlite_done(s, stmt);
        if (rc < 0) {
                sqlite_rollback(s);
                *id_out = 0;
        }
        return rc;
}

#define SQLITE_TOKEN_COLUMNS "id, name, project, role, hash, created, expires, last_used, revoked"

static int sqlite_token_fill(sqlite3_stmt *stmt, store_token *t)
{
        memset(t, 0, sizeof(*t));
        t->id = (uint64_t)sqlite3_column_int64(stmt, 0);
        t->name = nrd_strdup(column_text(stmt, 1));
        t->project = nrd_strdup(column_text(stmt, 2));
        t->role = sqlite3_column_int(stmt, 3);
        snprintf(t->hash, sizeof(t->hash), "%s", column_text(stmt, 4));
        snprintf(t->created, sizeof(t->created), "%s", column_text(stmt, 5));
        snprintf(t->expires, sizeof(t->expires), "%s", column_text(stmt, 6));
        snprintf(t->last_used, sizeof(t->last_used), "%s", column_text(stmt, 7));
        t->revoked = sqlite3_column_int(stmt, 8) != 0;
        if (!t->name || !t->project) {
                nrd_store_token_clear(t);
                return NEREID_ERROR;
        }
        return 0;
}

static int sqlite_token_find_by_hash(nereid_store *base, const char *hash, store_token *out)
{
        sqlite_store *s = (sqlite_store *)base;
        sqlite3_stmt *stmt = NULL;
        int rc;

        memset(out, 0, sizeof(*out));
        if (s->schema < 3)
                return nrd_error(NEREID_ENOTFOUND, "token: not found");
        rc = sqlite_prepare(s, "SELECT " SQLITE_TOKEN_COLUMNS " FROM tokens WHERE hash = ?", &stmt);
        if (rc < 0)
                return rc;
        sqlite3_bind_text(stmt, 1, hash, -1, SQLITE_STATIC);
        switch (sqlite3_step(stmt)) {
        case SQLITE_ROW:
                rc = sqlite_token_fill(stmt, out);
                break;
        case SQLITE_DONE:
                rc = nrd_error(NEREID_ENOTFOUND, "token: not found");
                break;
        default:
                rc = sqlite_fail(s, "read token");
        }
        sqlite_done(s, stmt);
        return rc;
}

static int sqlite_token_each(nereid_store *base, store_token_cb cb, void *payload)
{
        sqlite_store *s = (sqlite_store *)base;
        sqlite3_stmt *stmt = NULL;
        store_token t;
        int rc, step;

        if (s->schema < 3)
                return 0;
        rc = sqlite_prepare(s, "SELECT " SQLITE_TOKEN_COLUMNS " FROM tokens ORDER BY id", &stmt);
        if (rc < 0)
                return rc;
        while (rc == 0 && (step = sqlite3_step(stmt)) == SQLITE_ROW) {
                if ((rc = sqlite_token_fill(stmt, &t)) < 0)
                        break;
                rc = cb(payload, &t);
                nrd_store_token_clear(&t);
        }
        if (rc == 0 && step != SQLITE_DONE)
                rc = sqlite_fail(s, "list tokens");
        sqlite_done(s, stmt);
        return rc;
}

/* One UPDATE of a token by ID, binding text as ?1 (may be NULL) and the
 * ID as ?2; ENOTFOUND when no token has it. */
static int sqlite_token_update(sqlite_store *s, const char *sql, const char *text, uint64_t id)
{
        sqlite3_stmt *stmt = NULL;
        int rc;

        if ((rc = sqlite_begin_write(s)) < 0)
                return rc;
        if ((rc = sqlite_prepare(s, sql, &stmt)) < 0)
                goto cleanup;
        sqlite3_bind_text(stmt, 1, text, -1, SQLITE_STATIC);
        sqlite3_bind_int64(stmt, 2, id > INT64_MAX ? -1 : (sqlite3_int64)id);
        if (sqlite3_step(stmt) != SQLITE_DONE)
                rc = sqlite_fail(s, "update token");
        else if (sqlite3_changes(s->db) == 0)
                rc = nrd_error(NEREID_ENOTFOUND, "token %llu: not found", (unsigned long long)id);
        if (rc == 0)
                rc = sqlite_end_write(s);
cleanup:
        sqlite_done(s, stmt);
        if (rc < 0)
                sqlite_rollback(s);
        return rc;
}

static int sqlite_token_revoke(nereid_store *base, uint64_t id)
{
        return sqlite_token_update((sqlite_store *)base,
                                   "UPDATE tokens SET revoked = 1 WHERE id = ?2 AND ?1 IS NULL",
                                   NULL, id);
}

static int sqlite_token_touch(nereid_store *base, uint64_t id, const char *when)
{
        char now[32];

        if (!when) {
                nrd_fs_now_iso8601(now);
                when = now;
        }
        return sqlite_token_update((sqlite_store *)base,
                                   "UPDATE tokens SET last_used = ?1 WHERE id = ?2", when, id);
}

static int sqlite_meta_get(nereid_store *base, const char *key, char **value_out)
{
        sqlite_store *s = (sqlite_store *)base;
        sqlite3_stmt *stmt = NULL;
        int rc;

        *value_out = NULL;
        if (s->schema < 3)
                return nrd_error(NEREID_ENOTFOUND, "store setting %s: not set", key);
        if ((rc = sqlite_prepare(s, "SELECT value FROM settings WHERE key = ?", &stmt)) < 0)
                return rc;
        sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
        switch (sqlite3_step(stmt)) {
        case SQLITE_ROW:
                if (!(*value_out = nrd_strdup(column_text(stmt, 0))))
                        rc = NEREID_ERROR;
                break;
        case SQLITE_DONE:
                rc = nrd_error(NEREID_ENOTFOUND, "store setting %s: not set", key);
                break;
        default:
                rc = sqlite_fail(s, "read setting");
        }
        sqlite_done(s, stmt);
        return rc;
}

static int sqlite_meta_set(nereid_store *base, const char *key, const char *value)
{
        sqlite_store *s = (sqlite_store *)base;
        sqlite3_stmt *stmt = NULL;
        int rc;

        if ((rc = sqlite_begin_write(s)) < 0)
                return rc;
        rc = sqlite_prepare(s,
                            "INSERT INTO settings VALUES(?1, ?2) ON CONFLICT(key)"
                            " DO UPDATE SET value = ?2",
                            &stmt);
        if (rc == 0) {
                sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
                sqlite3_bind_text(stmt, 2, value, -1, SQLITE_STATIC);
                if (sqlite3_step(stmt) != SQLITE_DONE)
                        rc = sqlite_fail(s, "write setting");
        }
        sqlite_done(s, stmt);
        if (rc == 0)
                rc = sqlite_end_write(s);
        if (rc < 0)
                sqlite_rollback(s);
        return rc;
}

static void sqlite_free(nereid_store *base)
{
        sqlite_store *s = (sqlite_store *)base;

        if (!s)
                return;
        sqlite_cache_clear(s);
        sqlite3_close(s->db);
        free(s->path);
        free(s->home);
        free(s);
}

/* Open name as the store's connection, closing the one it had. */
static int sqlite_connect(sqlite_store *s, const char *name, int flags)
{
        sqlite3 *db = NULL;

        if (sqlite3_open_v2(name, &db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
                int rc = nrd_error(sqlite3_errcode(db) == SQLITE_CANTOPEN ? NEREID_EACCESS
                                                                          : NEREID_ERROR,
                                   "store %s: open: %s", s->path, sqlite3_errmsg(db));

                sqlite3_close(db);
                return rc;
        }
        if (nrd_sqlite_records_register(db) != SQLITE_OK) {
                int rc = nrd_error(NEREID_ERROR, "store %s: open: %s", s->path, sqlite3_errmsg(db));

                sqlite3_close(db);
                return rc;
        }
        sqlite_cache_clear(s);
        sqlite3_close(s->db);
        s->db = db;
        sqlite3_busy_timeout(db, SQLITE_BUSY_MS);
        /* Room for the file_hash index's random inserts (100,000 records:
         * half the system time of the default 2 MiB); used only as needed. */
        sqlite3_exec(db, "PRAGMA cache_size = -32768", NULL, NULL, NULL);
        return 0;
}

/* The one integer a query returns. */
static int sqlite_int(sqlite_store *s, const char *sql, sqlite3_int64 *out)
{
        sqlite3_stmt *stmt = NULL;
        int rc;

        if ((rc = sqlite_prepare(s, sql, &stmt)) < 0)
                return rc;
        if (sqlite3_step(stmt) == SQLITE_ROW)
                *out = sqlite3_column_int64(stmt, 0);
        else
                rc = sqlite_fail(s, "read the schema");
        sqlite_done(s, stmt);
        return rc;
}

static int sqlite_foreign(sqlite_store *s)
{
        return nrd_error(NEREID_ERROR,
                         "store %s: not a Nereid store (a SQLite database of another "
                         "program); left as it is",
                         s->path);
}

static int sqlite_newer(sqlite_store *s, long long version)
{
        return nrd_error(NEREID_ERROR,
                         "store %s: written by a newer Nereid (schema %lld, this build knows "
                         "up to %d); left as it is",
                         s->path, version, STORE_SCHEMA);
}

/* What the database is: *version 0 when it holds nothing yet, else its
 * schema version, and *marked whether it carries Nereid's application_id.
 * Another program's database, or a newer schema, is an error: it is only
 * read, never changed. */
static int sqlite_identify_in(sqlite_store *s, int *version, int *marked)
{
        sqlite3_int64 app = 0, user = 0, tables = 0, ours = 0;
        sqlite3_stmt *stmt = NULL;
        const char *text;
        char *end = NULL;
        long long legacy;
        int rc;

        *version = *marked = 0;
        if ((rc = sqlite_int(s, "PRAGMA application_id", &app)) < 0 ||
            (rc = sqlite_int(s, "PRAGMA user_version", &user)) < 0 ||
            (rc = sqlite_int(s, "SELECT count(*) FROM sqlite_master", &tables)) < 0)
                return rc;
        if (app == STORE_APP_ID) {
                *marked = 1;
                if (user > STORE_SCHEMA)
                        return sqlite_newer(s, (long long)user);
                if (user < 1)
                        return nrd_error(NEREID_ERROR, "store %s: damaged: no schema version",
                                         s->path);
                *version = (int)user;
                return 0;
        }
        if (app != 0 || user != 0)
                return sqlite_foreign(s);
        if (tables == 0)
                return 0; /* an empty database: a store not made yet */
        /* A store made before the mark: Nereid's tables and meta's version. */
        rc = sqlite_int(s,
                        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN"
                        " ('meta', 'projects', 'runs', 'artifacts', 'artifact_files', 'fields',"
                        " 'field_roots')",
                        &ours);
        if (rc < 0)
                return rc;
        if (ours != 7 ||
            sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = 'schema_version'", -1,
                               &stmt, NULL) != SQLITE_OK)
                return sqlite_foreign(s);
        rc = sqlite3_step(stmt) == SQLITE_ROW ? 0 : sqlite_foreign(s);
        text = rc == 0 ? column_text(stmt, 0) : NULL;
        legacy = text ? strtoll(text, &end, 10) : 0;
        if (rc == 0 && (!text || !*text || *end || legacy < 1))
                rc = sqlite_foreign(s);
        else if (rc == 0 && legacy > STORE_LEGACY_SCHEMA)
                rc = sqlite_newer(s, legacy);
        sqlite_done(s, stmt);
        if (rc == 0)
                *version = (int)legacy;
        return rc;
}

static uint32_t sqlite_be32(const unsigned char *p)
{
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The first bytes of the file at path into head (up to cap), through
 * SQLite's own file layer: this process may already hold the store open in
 * other connections, and a plain close() of any descriptor of the file
 * would drop every POSIX lock they hold on it (another process would then
 * take itself for the last user, checkpoint and delete the write-ahead log
 * under them, and their later writes would be lost). SQLite's close of a
 * file its connections lock keeps the descriptor until they are done.
 * Returns the bytes read, 0 when the file cannot be opened (SQLite says
 * why when it opens it). */
static ssize_t sqlite_read_head(const char *path, unsigned char *head, size_t cap)
{
        sqlite3_vfs *vfs = sqlite3_vfs_find(NULL);
        sqlite3_file *file;
        sqlite3_int64 size = 0;
        ssize_t n = 0;
        int flags = 0;

        if (!vfs || !(file = nrd_calloc(1, (size_t)vfs->szOsFile)))
                return 0;
        if (vfs->xOpen(vfs, path, file, SQLITE_OPEN_READONLY | SQLITE_OPEN_MAIN_DB, &flags) ==
                SQLITE_OK &&
            file->pMethods->xFileSize(file, &size) == SQLITE_OK) {
                n = size < (sqlite3_int64)cap ? (ssize_t)size : (ssize_t)cap;
                if (n > 0 && file->pMethods->xRead(file, head, (int)n, 0) != SQLITE_OK)
                        n = 0;
        }
        if (file->pMethods)
                file->pMethods->xClose(file);
        free(file);
        return n;
}

/* Look at the file's header before SQLite opens it (a reader of a WAL
 * database leaves index files behind): another program's file, or a newer
 * store, is refused without a trace. sqlite_identify decides the rest. */
static int sqlite_precheck(sqlite_store *s)
{
        unsigned char head[100];
        ssize_t n = sqlite_read_head(s->path, head, sizeof(head));
        uint32_t app, user;

        if (n <= 0)
                return 0; /* empty: a store not made yet */
        if (n < (ssize_t)sizeof(head) || memcmp(head, "SQLite format 3", 16) != 0)
                return nrd_error(NEREID_ERROR,
                                 "store %s: not a Nereid store (not a SQLite database); left "
                                 "as it is",
                                 s->path);
        user = sqlite_be32(head + 60);
        app = sqlite_be32(head + 68);
        if (app != 0 && app != STORE_APP_ID)
                return sqlite_foreign(s);
        if (app == STORE_APP_ID && user > STORE_SCHEMA)
                return sqlite_newer(s, (long long)user);
        return 0;
}

/* sqlite_identify_in, its reads in one snapshot: another process may be
 * making the store at this very moment. */
static int sqlite_identify(sqlite_store *s, int *version, int *marked)
{
        int own = sqlite3_get_autocommit(s->db), rc;

        if (own && (rc = sqlite_exec(s, "BEGIN")) < 0)
                return rc;
        rc = sqlite_identify_in(s, version, marked);
        s->code = rc < 0 ? sqlite3_errcode(s->db) : SQLITE_OK;
        if (own)
                sqlite3_exec(s->db, rc < 0 ? "ROLLBACK" : "COMMIT", NULL, NULL, NULL);
        return rc;
}

/* "file:" URI of a path, for SQLite's URI parameters: every byte but
 * unreserved ones and '/' percent-encoded. Caller frees. */
static char *sqlite_file_uri(const char *path, const char *query)
{
        static const char hex[] = "0123456789ABCDEF";
        nereid_buf buf = NEREID_BUF_INIT;
        const unsigned char *p;

        nrd_buf_puts(&buf, "file:");
        for (p = (const unsigned char *)path; *p; p++) {
                if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                    (*p >= '0' && *p <= '9') || strchr("-._~/", *p))
                        nrd_buf_printf(&buf, "%c", *p);
                else
                        nrd_buf_printf(&buf, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
        }
        nrd_buf_printf(&buf, "?%s", query);
        return nrd_buf_detach(&buf);
}

/* Open the store file, read-write unless read_only, and identify it. A
 * store this user may not write (another user's, or in a read-only folder)
 * is still read: a WAL database needs its -shm index to be read, and when
 * that cannot be created here and there is no write-ahead log, the file
 * alone is the whole store, read as immutable. */
static int sqlite_open_file(sqlite_store *s, int read_only, int *version, int *marked)
{
        char *wal = NULL, *uri = NULL;
        struct stat st;
        int code, rc;

        if ((rc = sqlite_precheck(s)) < 0)
                return rc;
        rc = sqlite_connect(s, s->path, read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE);
        if (rc < 0)
                return rc;
        s->state = STATE_DISK;
        if (read_only || sqlite3_db_readonly(s->db, "main") == 1) {
                s->state = STATE_READ;
                s->why = "this user may not write the store's file";
        }
        if ((rc = sqlite_identify(s, version, marked)) == 0)
                return 0;
        code = s->code;
        if (code != SQLITE_READONLY && code != SQLITE_CANTOPEN)
                return rc;
        if (!(wal = nrd_fs_join(s->home, "store.db-wal")))
                return NEREID_ERROR;
        if (stat(wal, &st) == 0 && st.st_size > 0) {
                rc = nrd_error(NEREID_EACCESS,
                               "store %s: cannot read: its write-ahead log needs a shared "
                               "index (store.db-shm) that this user can neither read nor "
                               "create",
                               s->path);
                goto cleanup;
        }
        if (!(uri = sqlite_file_uri(s->path, "immutable=1"))) {
                rc = NEREID_ERROR;
                goto cleanup;
        }
        if ((rc = sqlite_connect(s, uri, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI)) < 0)
                goto cleanup;
        s->state = STATE_READ;
        s->why = "this user may not write in the store's folder";
        rc = sqlite_identify(s, version, marked);
cleanup:
        free(wal);
        free(uri);
        return rc;
}

/* Schema 2 to 3, in the migration's transaction. The columns are added
 * only when missing, so a store whose mark was lost (a copy, say) migrates
 * too. */
static int sqlite_migrate_3(sqlite_store *s)
{
        sqlite3_int64 has = 0;
        int rc = sqlite_int(s, "SELECT count(*) FROM pragma_table_info('runs') WHERE name = 'uuid'",
                            &has);

        if (rc == 0 && !has)
                rc = sqlite_exec(s, SQLITE_SCHEMA_3_COLUMNS);
        return rc < 0 ? rc : sqlite_exec(s, SQLITE_SCHEMA_3);
}

/* Schema 3 to 4, as sqlite_migrate_3: the column only when missing. */
static int sqlite_migrate_4(sqlite_store *s)
{
        sqlite3_int64 has = 0;
        int rc = sqlite_int(
            s, "SELECT count(*) FROM pragma_table_info('artifacts') WHERE name = 'total_size'",
            &has);

        if (rc == 0 && !has)
                rc = sqlite_exec(s, SQLITE_SCHEMA_4_COLUMNS);
        return rc < 0 ? rc : sqlite_exec(s, SQLITE_SCHEMA_4);
}

static int sqlite_mark(sqlite_store *s)
{
        char sql[96];

        snprintf(sql, sizeof(sql), "PRAGMA application_id = %d; PRAGMA user_version = %d;",
                 STORE_APP_ID, STORE_SCHEMA);
        return sqlite_exec(s, sql);
}

/* An empty store in memory, with the current schema. */
static int sqlite_open_memory(sqlite_store *s)
{
        int rc = sqlite_connect(s, ":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);

        if (rc == 0 && (rc = sqlite_exec(s, sqlite_schema)) == 0)
                rc = sqlite_mark(s);
        s->schema = STORE_SCHEMA;
        return rc;
}

/* A new file's page size, set before its first page is written: 16 KiB
 * pages make an artifact's 100,000 records cost about a third less to
 * insert than SQLite's default 4 KiB (fewer page splits, a shallower
 * file_hash index). A store made by an earlier build keeps its 4 KiB. */
#define SQLITE_NEW_PAGE_SIZE "16384"

/* Switching to WAL needs an exclusive lock, for which SQLite does not call
 * the busy handler: while another process making the store at the same
 * moment holds it, wait and try again. On a file that holds nothing yet it
 * also sets the page size (a no-op once the file has pages). */
static int sqlite_set_wal(sqlite_store *s)
{
        if (nrd_sqlwait_exec(s->db,
                             "PRAGMA page_size=" SQLITE_NEW_PAGE_SIZE "; PRAGMA journal_mode=WAL",
                             SQLITE_BUSY_MS) != SQLITE_OK)
                return sqlite_fail(s, "PRAGMA page_size, journal_mode=WAL");
        return 0;
}

/* Before the first write on a read-write connection: refuse a foreign or
 * newer database, and make or migrate the schema in one IMMEDIATE
 * transaction (checked again inside it: another process may have done it). */
static int sqlite_ready_for_writes(sqlite_store *s)
{
        int version, marked, rc;

        /* Only writes need this, and only a writer can set it. */
        if ((rc = sqlite_exec(s, "PRAGMA synchronous=NORMAL")) < 0 ||
            (rc = sqlite_identify(s, &version, &marked)) < 0)
                return rc;
        if (version == STORE_SCHEMA && marked) {
                s->state = STATE_WRITABLE;
                s->schema = STORE_SCHEMA;
                return 0;
        }
        /* The journal mode cannot change inside a transaction. */
        if (version == 0 && (rc = sqlite_set_wal(s)) < 0)
                return rc;
        if ((rc = sqlite_exec(s, "BEGIN IMMEDIATE")) < 0)
                return rc;
        if ((rc = sqlite_identify(s, &version, &marked)) == 0 && version == 0)
                rc = sqlite_exec(s, sqlite_schema);
        /* Older schemas migrate here, one version at a time. */
        if (rc == 0 && version == 1)
                rc = sqlite_exec(s, SQLITE_SCHEMA_2);
        if (rc == 0 && version >= 1 && version < 3)
                rc = sqlite_migrate_3(s);
        if (rc == 0 && version >= 1 && version < 4)
                rc = sqlite_migrate_4(s);
        if (rc == 0 && version >= 1 && version < 5)
                rc = sqlite_exec(s, SQLITE_SCHEMA_5);
        if (rc == 0 && (!marked || version < STORE_SCHEMA))
                rc = sqlite_mark(s);
        if (rc == 0)
                rc = sqlite_exec(s, "COMMIT");
        if (rc < 0) {
                sqlite_rollback(s);
                return rc;
        }
        s->state = STATE_WRITABLE;
        s->schema = STORE_SCHEMA;
        return 0;
}

/* Called by every write before it begins: a store that does not exist yet
 * is created now, an older one migrated; a read-only one refused. */
static int sqlite_writable(sqlite_store *s)
{
        int rc;

        if (s->mode == NEREID_MODE_READ_ONLY)
                return nrd_error(NEREID_EREADONLY, "store %s: read-only mode: nothing is written",
                                 s->path);
        switch (s->state) {
        case STATE_WRITABLE:
                return 0;
        case STATE_READ:
                return nrd_error(NEREID_EACCESS, "store %s: cannot write: %s", s->path, s->why);
        case STATE_NONE:
                if (mkdir(s->home, 0777) < 0 && errno != EEXIST)
                        return nrd_error_os(nrd_error_from_errno(errno), errno,
                                            "store %s: cannot create the folder", s->home);
                rc = sqlite_connect(s, s->path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
                if (rc < 0)
                        return rc;
                s->state = STATE_DISK;
                if (sqlite3_db_readonly(s->db, "main") == 1) {
                        s->state = STATE_READ;
                        s->why = "this user may not write the store's file";
                        return sqlite_writable(s);
                }
                return sqlite_ready_for_writes(s);
        default:
                return sqlite_ready_for_writes(s);
        }
}

static int sqlite_can_write(nereid_store *base)
{
        sqlite_store *s = (sqlite_store *)base;

        if (s->mode == NEREID_MODE_READ_ONLY || s->state == STATE_READ)
                return sqlite_writable(s);
        return 0;
}

/* A folder, or sqlite:FOLDER: the folder of store.db. */
static const char *sqlite_folder(const char *location)
{
        return strncasecmp(location, "sqlite:", 7) == 0 ? location + 7 : location;
}

static int sqlite_open_mode(nereid_store **out, const char *location, int mode)
{
        const char *home = sqlite_folder(location);
        sqlite_store *s;
        struct stat st;
        int version = 0, marked, rc;

        *out = NULL;
        if (!*home)
                return nrd_error(NEREID_EINVALID, "store %s: no folder given", location);
        s = nrd_calloc(1, sizeof(*s));
        if (!s)
                return NEREID_ERROR;
        s->base.ops = &nrd_store_sqlite_ops;
        s->mode = mode;
        s->path = nrd_fs_join(home, "store.db");
        s->home = nrd_strdup(home);
        if (!s->path || !s->home) {
                rc = NEREID_ERROR;
                goto cleanup;
        }
        if (stat(s->path, &st) < 0) {
                /* No store: an empty one, made on disk by the first write. */
                if (errno != ENOENT) {
                        rc = nrd_error_os(nrd_error_from_errno(errno), errno, "store %s", s->path);
                        goto cleanup;
                }
                if ((rc = sqlite_open_memory(s)) < 0)
                        goto cleanup;
                s->state = STATE_NONE;
        } else {
                rc = sqlite_open_file(s, mode == NEREID_MODE_READ_ONLY, &version, &marked);
                if (rc < 0)
                        goto cleanup;
                s->schema = version;
                /* An empty file reads as an empty store (and is made by a write). */
                if (version == 0 && (rc = sqlite_open_memory(s)) < 0)
                        goto cleanup;
                if (version == 0)
                        s->state = STATE_NONE;
        }
        *out = &s->base;
        return 0;
cleanup:
        sqlite_free(&s->base);
        return rc;
}

/* Opening only reads: a missing store is an empty one in memory, and the
 * first write creates it (or migrates an older one); a store this user
 * cannot write is read, and writes to it fail with EACCESS. Another
 * program's database or a newer schema is refused. Debug mode is
 * store_debug.c's: here it only reads. */
static int sqlite_open(nereid_store **out, const char *location, int mode)
{
        return sqlite_open_mode(out, location,
                                mode == NEREID_MODE_DEBUG ? NEREID_MODE_READ_ONLY : mode);
}

int nrd_store_sqlite_memory(nereid_store **out, const char *label)
{
        sqlite_store *s;
        int rc;

        *out = NULL;
        if (!(s = nrd_calloc(1, sizeof(*s))))
                return NEREID_ERROR;
        s->base.ops = &nrd_store_sqlite_ops;
        s->mode = NEREID_MODE_DEBUG;
        s->path = nrd_strdup(label);
        s->home = nrd_strdup(label);
        if (!s->path || !s->home)
                rc = NEREID_ERROR;
        else
                rc = sqlite_open_memory(s);
        if (rc < 0) {
                sqlite_free(&s->base);
                return rc;
        }
        s->state = STATE_WRITABLE;
        *out = &s->base;
        return 0;
}

int nrd_store_sqlite_run_restore(nereid_store *base, const char *project,
                                 const store_run_info *info)
{
        sqlite_store *s = (sqlite_store *)base;
        sqlite3_stmt *stmt = NULL;
        sqlite3_int64 pid = 0;
        const char *dash = strrchr(info->id, '-');
        long long number = dash ? strtoll(dash + 1, NULL, 10) : 0;
        store_run_spec spec;
        char uuid[40], *tags = NULL;
        int rc;

        memset(&spec, 0, sizeof(spec));
        spec.tags = (const char *const *)info->tags;
        spec.ntags = info->ntags;
        if (number < 1)
                return nrd_error(NEREID_ERROR, "run %s: not a run ID", info->id);
        if ((rc = sqlite_begin_write(s)) < 0)
                return rc;
        if ((rc = sqlite_project_id(s, project, &pid, NULL)) < 0)
                goto cleanup;
        if (!(tags = nrd_store_tags_join(&spec))) {
                rc = NEREID_ERROR;
                goto cleanup;
        }
        rc = sqlite_prepare(s,
                            "INSERT INTO runs(project_id, number, name, owner, creation_time,"
                            " modification_time, uuid, custom_run_id, description, tags)"
                            " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
                            " ON CONFLICT(project_id, number) DO UPDATE SET name = ?3,"
                            " owner = ?4, creation_time = ?5, modification_time = ?6,"
                            " uuid = ?7, custom_run_id = ?8, description = ?9, tags = ?10",
                            &stmt);
        if (rc < 0)
                goto cleanup;
        /* A run of an unmigrated store has no uuid: it gets one here. */
        if (info->uuid[0])
                sqlite3_bind_text(stmt, 7, info->uuid, -1, SQLITE_STATIC);
        else if ((rc = nrd_store_uuid_make(uuid)) < 0)
                goto cleanup;
        else
                sqlite3_bind_text(stmt, 7, uuid, -1, SQLITE_STATIC);
        if (info->custom_run_id)
                sqlite3_bind_text(stmt, 8, info->custom_run_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 9, info->description ? info->description : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 10, tags, -1, SQLITE_STATIC);
        sqlite3_bind_int64(stmt, 1, pid);
        sqlite3_bind_int64(stmt, 2, number);
        sqlite3_bind_text(stmt, 3, info->name ? info->name : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 4, info->owner ? info->owner : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 5, info->creation_time, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 6, info->modification_time, -1, SQLITE_STATIC);
        if (sqlite3_step(stmt) != SQLITE_DONE) {
                rc = sqlite_fail(s, "copy run");
                goto cleanup;
        }
        sqlite_done(s, stmt);
        stmt = NULL;
        rc = sqlite_prepare(s, "UPDATE projects SET next_run = max(next_run, ?2 + 1) WHERE id = ?1",
                            &stmt);
        if (rc < 0)
                goto cleanup;
        sqlite3_bind_int64(stmt, 1, pid);
        sqlite3_bind_int64(stmt, 2, number);
        if (sqlite3_step(stmt) != SQLITE_DONE) {
                rc = sqlite_fail(s, "copy run");
                goto cleanup;
        }
        rc = sqlite_end_write(s);
cleanup:
        sqlite_done(s, stmt);
        free(tags);
        if (rc < 0)
                sqlite_rollback(s);
        return rc;
}

static const char *const sqlite_schemes[] = {"sqlite", NULL};

const store_ops nrd_store_sqlite_ops = {
    .version = NEREID_STORE_VERSION,
    .name = "sqlite",
    .schemes = sqlite_schemes,
    .caps = STORE_CAP_LOCAL,
    .open = sqlite_open,
    .close = sqlite_free,
    .can_write = sqlite_can_write,
    .project_open = sqlite_project_open,
    .project_each = sqlite_project_each,
    .run_create = NULL, /* version 3's: run_new does it */
    .run_info = sqlite_run_info,
    .run_each = sqlite_run_each,
    .field_each = sqlite_field_each,
    .field_get = sqlite_field_get,
    .field_roots = sqlite_field_roots,
    .field_swap = sqlite_field_swap,
    .field_remove = sqlite_field_remove,
    .artifact_put = sqlite_artifact_put,
    .artifact_content_hash = sqlite_artifact_content_hash,
    .artifact_each = sqlite_artifact_each,
    .field_users = sqlite_field_users,
    .file_find = sqlite_file_find,
    .run_new = sqlite_run_new,
    .artifact_page = sqlite_artifact_page,
    .token_create = sqlite_token_create,
    .token_find_by_hash = sqlite_token_find_by_hash,
    .token_each = sqlite_token_each,
    .token_revoke = sqlite_token_revoke,
    .token_touch = sqlite_token_touch,
    .meta_get = sqlite_meta_get,
    .meta_set = sqlite_meta_set,
    .run_query = sqlite_run_query,
    .artifact_put_stream = sqlite_artifact_put_stream,
    .op_apply = sqlite_op_apply,
};
