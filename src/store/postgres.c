/*
 * postgres.c - the PostgreSQL store (SPEC section 8): one database shared by
 * any number of nereid-server processes, each alone correct. A store handle
 * is one libpq connection, opened lazily by the first call and opened again
 * when it is found lost (the server keeps one handle per worker thread).
 * Every write is one READ COMMITTED transaction that takes row locks in a
 * fixed order (the project's counter row, then the run's row), so run
 * numbers are gap-free and field_swap's compare and swap holds; a
 * serialisation failure or deadlock rolls the whole transaction back and
 * runs it again, with backoff, a bounded number of times. Artifact records
 * go in with COPY inside the transaction that creates the artifact; long
 * lists are read in keyset pages. Statements are prepared once per
 * connection. The schema is made, or migrated, by the first connection of
 * a writer, under an advisory lock held by the migration's transaction, so
 * servers starting together on a fresh database migrate it exactly once.
 * Only stores and reads: no policy here (artifact.c). Not for the embedded
 * store (sqlite.c) nor for the server's own pooling (server/http.c).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libpq-fe.h>
#include <openssl/rand.h>
#include "../buf.h"
#include "../error.h"
#include "../fs.h"
#include "../uri.h"
#include "postgres.h"

/* The schema this build reads and writes (nereid_meta.schema_version). */
#define PG_SCHEMA 1
/* The advisory lock key of migrations: "NRDB". */
#define PG_MIGRATE_LOCK "1313010754"
/* Rows per keyset page of a long list (runs, artifact records). */
#define PG_PAGE_RUNS  1000
#define PG_PAGE_FILES 10000
/* Bytes of COPY data buffered before they are sent. */
#define PG_COPY_CHUNK (256 * 1024)

static const char pg_schema_1[] =
    "CREATE TABLE nereid_meta(key text COLLATE \"C\" PRIMARY KEY, value text NOT NULL);"
    "CREATE TABLE projects(id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    " name text COLLATE \"C\" NOT NULL UNIQUE, key text NOT NULL,"
    " next_run bigint NOT NULL DEFAULT 1);"
    "CREATE TABLE runs(id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    " project_id bigint NOT NULL REFERENCES projects(id), number bigint NOT NULL,"
    " name text COLLATE \"C\" NOT NULL, owner text COLLATE \"C\" NOT NULL,"
    " creation_time text COLLATE \"C\" NOT NULL, modification_time text COLLATE \"C\" NOT NULL,"
    " uuid text COLLATE \"C\" NOT NULL,"
    " custom_run_id text COLLATE \"C\", description text NOT NULL DEFAULT '',"
    " tags text NOT NULL DEFAULT '', UNIQUE(project_id, number), UNIQUE(project_id, uuid),"
    " UNIQUE(project_id, custom_run_id));"
    /* The table view's sorts (run_query), the run number breaking ties. */
    "CREATE INDEX runs_by_name ON runs(project_id, name, number);"
    "CREATE INDEX runs_by_owner ON runs(project_id, owner, number);"
    "CREATE INDEX runs_by_ctime ON runs(project_id, creation_time, number);"
    "CREATE INDEX runs_by_mtime ON runs(project_id, modification_time, number);"
    "CREATE TABLE artifacts(id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    " project_id bigint NOT NULL REFERENCES projects(id), hash text COLLATE \"C\" NOT NULL,"
    " content_hash text NOT NULL, file_count bigint NOT NULL,"
    " total_size bigint NOT NULL DEFAULT 0, UNIQUE(project_id, hash));"
    /* No foreign key here: COPY of a million records checks none. */
    "CREATE TABLE artifact_files(artifact_id bigint NOT NULL,"
    " file_path text COLLATE \"C\" NOT NULL, file_hash text COLLATE \"C\" NOT NULL,"
    " type text NOT NULL, size bigint, source text, last_modified text,"
    " PRIMARY KEY(artifact_id, file_path));"
    /* A hash index: file_find asks only for equality, and a million random
     * MD5s go into it at about twice the speed of a B-tree's inserts. */
    "CREATE INDEX artifact_files_hash ON artifact_files USING hash (file_hash);"
    "CREATE TABLE fields(run_id bigint NOT NULL REFERENCES runs(id),"
    " path text COLLATE \"C\" NOT NULL, artifact_id bigint NOT NULL REFERENCES artifacts(id),"
    " PRIMARY KEY(run_id, path));"
    "CREATE INDEX fields_artifact ON fields(artifact_id);"
    "CREATE TABLE field_roots(run_id bigint NOT NULL REFERENCES runs(id),"
    " path text COLLATE \"C\" NOT NULL, location text COLLATE \"C\" NOT NULL,"
    " destination text COLLATE \"C\" NOT NULL, PRIMARY KEY(run_id, path, location, destination));"
    "CREATE TABLE tokens(id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    " name text NOT NULL, project text NOT NULL, role integer NOT NULL,"
    " hash text COLLATE \"C\" NOT NULL UNIQUE, created text NOT NULL,"
    " expires text NOT NULL DEFAULT '', last_used text NOT NULL DEFAULT '',"
    " revoked integer NOT NULL DEFAULT 0);"
    "CREATE TABLE settings(key text COLLATE \"C\" PRIMARY KEY, value text NOT NULL);"
    "CREATE TABLE applied_ops(queue text COLLATE \"C\" NOT NULL, seq bigint NOT NULL,"
    " run_id bigint NOT NULL REFERENCES runs(id), PRIMARY KEY(queue, seq));"
    /* run_new in one round trip: the project's row locked, then each
     * statement's fresh snapshot (READ COMMITTED, a volatile function)
     * sees the runs committed while it waited. The lock is held only for
     * the function and its commit. o_key NULL: no such project. */
    "CREATE FUNCTION nereid_run_new(p_project text, p_uuid text, p_custom text, p_name text,"
    " p_owner text, p_now text, p_description text, p_tags text, OUT o_key text,"
    " OUT o_number bigint, OUT o_created boolean) LANGUAGE plpgsql AS $$"
    " DECLARE pid bigint;"
    " BEGIN"
    "  SELECT id, key INTO pid, o_key FROM projects WHERE name = p_project FOR UPDATE;"
    "  IF NOT FOUND THEN RETURN; END IF;"
    "  o_created := false;"
    "  SELECT number INTO o_number FROM runs WHERE project_id = pid AND uuid = p_uuid;"
    "  IF FOUND THEN RETURN; END IF;"
    "  IF p_custom IS NOT NULL THEN"
    "   SELECT number INTO o_number FROM runs WHERE project_id = pid AND custom_run_id = p_custom;"
    "   IF FOUND THEN RETURN; END IF;"
    "  END IF;"
    "  UPDATE projects SET next_run = next_run + 1 WHERE id = pid RETURNING next_run - 1"
    "   INTO o_number;"
    "  INSERT INTO runs(project_id, number, name, owner, creation_time, modification_time,"
    "   uuid, custom_run_id, description, tags)"
    "   VALUES(pid, o_number, p_name, p_owner, p_now, p_now, p_uuid, p_custom, p_description,"
    "   p_tags);"
    "  o_created := true;"
    " END $$;"
    "INSERT INTO nereid_meta VALUES('schema_version', '1');";

#define PG_RUN_COLUMNS                                                                             \
        "number, name, owner, creation_time, modification_time, uuid, custom_run_id,"              \
        " description, tags"
#define PG_TOKEN_COLUMNS "id, name, project, role, hash, created, expires, last_used, revoked"
#define PG_FILE_COLUMNS  "file_path, file_hash, type, size, source, last_modified"

/* The prepared statements, by number: prepared on a connection by first use. */
enum pg_stmt {
        Q_PROJECT,
        Q_PROJECT_INSERT,
        Q_PROJECT_EACH,
        Q_RUN_ROW,
        Q_RUN_FULL,
        Q_RUN_PAGE,
        Q_RUN_LOCK,
        Q_RUN_TOUCH,
        Q_FIELD_EACH,
        Q_FIELD_GET,
        Q_FIELD_UPSERT,
        Q_FIELDS_DELETE,
        Q_ROOTS,
        Q_ROOT_INSERT,
        Q_ROOTS_CLEAR,
        Q_ROOTS_DELETE,
        Q_ARTIFACT,
        Q_ARTIFACT_INSERT,
        Q_FILES_FIRST,
        Q_FILES_AFTER,
        Q_USERS,
        Q_FIND,
        Q_TOKEN_INSERT,
        Q_TOKEN_BY_HASH,
        Q_TOKEN_EACH,
        Q_TOKEN_REVOKE,
        Q_TOKEN_TOUCH,
        Q_META_GET,
        Q_META_SET,
        Q_ARTIFACT_FINISH,
        Q_SUMMARIES,
        Q_RUN_NEW,
        Q_OP_RECORD,
        Q_COUNT
};

static const char *const pg_sql[Q_COUNT] = {
    [Q_PROJECT] = "SELECT id, key FROM projects WHERE name = $1",
    [Q_PROJECT_INSERT] =
        "INSERT INTO projects(name, key) VALUES($1, $2) ON CONFLICT(name) DO NOTHING",
    /* Run numbers are gap-free and runs are never deleted: the counter
     * counts them, with no scan of runs. */
    [Q_PROJECT_EACH] = "SELECT p.name, p.key, p.next_run - 1 FROM projects p ORDER BY p.name",
    /* The project, and the run numbered $2 when it has one: one round trip. */
    [Q_RUN_ROW] = "SELECT p.id, p.key, r.id FROM projects p LEFT JOIN runs r"
                  " ON r.project_id = p.id AND r.number = $2 WHERE p.name = $1",
    /* The project's key and its run numbered $2, in one round trip. */
    [Q_RUN_FULL] = "SELECT p.key, r.number, r.name, r.owner, r.creation_time,"
                   " r.modification_time, r.uuid, r.custom_run_id, r.description, r.tags"
                   " FROM projects p LEFT JOIN runs r ON r.project_id = p.id AND r.number = $2"
                   " WHERE p.name = $1",
    [Q_RUN_PAGE] = "SELECT " PG_RUN_COLUMNS " FROM runs WHERE project_id = $1 AND number > $2"
                   " ORDER BY number LIMIT $3",
    [Q_RUN_LOCK] = "SELECT id FROM runs WHERE id = $1 FOR UPDATE",
    [Q_RUN_TOUCH] = "UPDATE runs SET modification_time = $2 WHERE id = $1",
    [Q_FIELD_EACH] = "SELECT f.path, a.hash FROM fields f JOIN artifacts a"
                     " ON a.id = f.artifact_id WHERE f.run_id = $1 ORDER BY f.path",
    [Q_FIELD_GET] = "SELECT a.id, a.hash FROM fields f JOIN artifacts a"
                    " ON a.id = f.artifact_id WHERE f.run_id = $1 AND f.path = $2",
    [Q_FIELD_UPSERT] = "INSERT INTO fields VALUES($1, $2, $3) ON CONFLICT(run_id, path)"
                       " DO UPDATE SET artifact_id = excluded.artifact_id",
    /* The field and its namespace: paths in [$2/, $2 0) bytewise ('0' follows '/'). */
    [Q_FIELDS_DELETE] = "DELETE FROM fields WHERE run_id = $1 AND (path = $2 OR"
                        " (path > $2 || '/' AND path < $2 || '0'))",
    [Q_ROOTS] = "SELECT location, destination FROM field_roots WHERE run_id = $1"
                " AND path = $2 ORDER BY location, destination",
    [Q_ROOT_INSERT] = "INSERT INTO field_roots VALUES($1, $2, $3, $4) ON CONFLICT DO NOTHING",
    [Q_ROOTS_CLEAR] = "DELETE FROM field_roots WHERE run_id = $1 AND path = $2",
    [Q_ROOTS_DELETE] = "DELETE FROM field_roots WHERE run_id = $1 AND (path = $2 OR"
                       " (path > $2 || '/' AND path < $2 || '0'))",
    [Q_ARTIFACT] = "SELECT id, content_hash FROM artifacts WHERE project_id = $1 AND hash = $2",
    [Q_ARTIFACT_INSERT] = "INSERT INTO artifacts(project_id, hash, content_hash, file_count,"
                          " total_size) VALUES($1, $2, $3, $4, $5)"
                          " ON CONFLICT(project_id, hash) DO NOTHING RETURNING id",
    [Q_FILES_FIRST] = "SELECT " PG_FILE_COLUMNS " FROM artifact_files WHERE artifact_id = $1"
                      " ORDER BY file_path LIMIT $2",
    [Q_FILES_AFTER] = "SELECT " PG_FILE_COLUMNS " FROM artifact_files WHERE artifact_id = $1"
                      " AND file_path > $2 ORDER BY file_path LIMIT $3",
    [Q_USERS] = "SELECT r.number, f.path FROM fields f JOIN runs r ON r.id = f.run_id"
                " WHERE f.artifact_id = $1 ORDER BY r.number, f.path",
    [Q_FIND] = "SELECT r.number, f.path, af.file_path FROM artifact_files af"
               " JOIN artifacts a ON a.id = af.artifact_id"
               " JOIN fields f ON f.artifact_id = a.id JOIN runs r ON r.id = f.run_id"
               " WHERE a.project_id = $1 AND af.file_hash = $2"
               " ORDER BY r.number, f.path, af.file_path",
    [Q_TOKEN_INSERT] = "INSERT INTO tokens(name, project, role, hash, created, expires)"
                       " VALUES($1, $2, $3, $4, $5, $6) ON CONFLICT(hash) DO NOTHING RETURNING id",
    [Q_TOKEN_BY_HASH] = "SELECT " PG_TOKEN_COLUMNS " FROM tokens WHERE hash = $1",
    [Q_TOKEN_EACH] = "SELECT " PG_TOKEN_COLUMNS " FROM tokens ORDER BY id",
    [Q_TOKEN_REVOKE] = "UPDATE tokens SET revoked = 1 WHERE id = $1 RETURNING id",
    [Q_TOKEN_TOUCH] = "UPDATE tokens SET last_used = $2 WHERE id = $1 RETURNING id",
    [Q_META_GET] = "SELECT value FROM settings WHERE key = $1",
    [Q_ARTIFACT_FINISH] = "UPDATE artifacts SET content_hash = $2, file_count = $3,"
                          " total_size = $4 WHERE id = $1",
    [Q_RUN_NEW] = "SELECT o_key, o_number, o_created FROM nereid_run_new($1, $2, $3, $4, $5, $6,"
                  " $7, $8)",
    /* The fields of a page of runs, summarised, in one query. */
    [Q_SUMMARIES] = "SELECT f.run_id, f.path, a.hash, a.content_hash, a.file_count, a.total_size"
                    " FROM fields f JOIN artifacts a ON a.id = f.artifact_id"
                    " WHERE f.run_id = ANY($1::bigint[]) ORDER BY f.run_id, f.path",
    /* Recorded first: a concurrent delivery of the same operation waits
     * here for this transaction, then finds it. */
    [Q_OP_RECORD] =
        "INSERT INTO applied_ops VALUES($1, $2, $3) ON CONFLICT DO NOTHING RETURNING seq",
    [Q_META_SET] = "INSERT INTO settings VALUES($1, $2) ON CONFLICT(key) DO UPDATE SET value = $2",
};

/* run_query's statements: one per shape of query, i = sort + 5 *
 * (descending + 2 * (filtered + 2 * cursor)). */
#define PG_QUERY_SHAPES 40

/* The SQL of run_query's shape i into out. Parameters: $1 project row,
 * $2 limit, then the run ID's key and the filter (filtered), then the
 * cursor's sort value (not for the ID) and number (with a cursor). */
static void pg_query_sql(size_t i, char *out, size_t cap)
{
        static const char *const columns[] = {"number", "name", "owner", "creation_time",
                                              "modification_time"};
        int sort = (int)(i % 5), desc = (int)(i / 5 % 2), filtered = (int)(i / 10 % 2);
        int cursor = (int)(i / 20 % 2), next = 3;
        const char *dir = desc ? "DESC" : "ASC", *op = desc ? "<" : ">";
        char where[512] = "", after[96] = "";

        /* strpos on lower(): a substring, no wildcard to escape. */
        if (filtered) {
                snprintf(where, sizeof(where),
                         " AND (strpos(lower($%d || '-' || number), lower($%d)) > 0"
                         " OR strpos(lower(name), lower($%d)) > 0"
                         " OR strpos(lower(owner), lower($%d)) > 0"
                         " OR strpos(lower(coalesce(custom_run_id, '')), lower($%d)) > 0"
                         " OR strpos(lower(tags), lower($%d)) > 0)",
                         next, next + 1, next + 1, next + 1, next + 1, next + 1);
                next += 2;
        }
        /* The keyset: a row value on the (project_id, column, number) index. */
        if (cursor && sort == 0)
                snprintf(after, sizeof(after), " AND number %s $%d", op, next);
        else if (cursor)
                snprintf(after, sizeof(after), " AND (%s, number) %s ($%d, $%d)", columns[sort], op,
                         next, next + 1);
        snprintf(out, cap,
                 "SELECT " PG_RUN_COLUMNS ", id FROM runs WHERE project_id = $1%s%s"
                 " ORDER BY %s %s, number %s LIMIT $2",
                 where, after, columns[sort], dir, dir);
}

const char *nrd_store_postgres_sql(size_t i)
{
        static char shapes[PG_QUERY_SHAPES][1024];

        if (i < Q_COUNT)
                return pg_sql[i];
        if (i >= Q_COUNT + PG_QUERY_SHAPES)
                return NULL;
        /* Test-only: not thread-safe. */
        pg_query_sql(i - Q_COUNT, shapes[i - Q_COUNT], sizeof(shapes[0]));
        return shapes[i - Q_COUNT];
}

/* Test-only: the next `times` attempts of a call fail with a real error
 * of class sqlstate, raised by the server itself (RAISE in a DO block)
 * after the body's statements and before its COMMIT, so that the whole
 * path of a real serialisation failure or deadlock is taken. */
typedef struct pg_fault {
        char sqlstate[6];
        unsigned times;
} pg_fault;

/* A project's row and key, which never change once it exists (no op
 * renames, re-keys or deletes a project): kept per connection, so a
 * request on a project saves the round trip that reads them. */
#define PG_PROJECTS 8
typedef struct pg_project_memo {
        char name[256]; /* "" for an empty slot */
        char id[24];
        char key[16];
} pg_project_memo;

typedef struct pg_store {
        nereid_store base;
        char *uri;      /* the location as given, for libpq */
        char *label;    /* the location for messages: no password */
        PGconn *conn;   /* NULL until the first call, or after it was lost */
        int mode;       /* enum nereid_mode */
        int schema_ok;  /* the database has this build's schema */
        int lost;       /* the last failure lost the connection */
        int committing; /* the failure, if any, was the COMMIT's */
        unsigned nstmt; /* statements sent by the current attempt */
        char state[6];  /* SQLSTATE of the last failure, "" for none */
        unsigned char prepared[Q_COUNT];
        unsigned char query_prepared[PG_QUERY_SHAPES];
        pg_fault fault; /* test-only: errors to raise (nrd_store_postgres_fault) */
        pg_trace trace; /* what the last call's retries did */
        pg_project_memo projects[PG_PROJECTS];
        unsigned next_project; /* the slot the next one replaces */
} pg_store;

/* What one call of the seam carries into its transaction body. */
typedef struct pg_call {
        const char *project, *run_id, *field, *expect, *hash, *content, *key, *text;
        const nereid_files *files;
        const store_root *roots;
        size_t nroots, limit;
        enum store_roots how;
        const store_run_spec *spec;
        const store_token *token;
        int create, *created;
        uint64_t id, after;
        char *key_out, *id_out, *hash_out;
        uint64_t *id_ptr;
        char **value_out;
        store_token *token_out;
        store_run_info *info;
        store_root **roots_out;
        size_t *count_out;
        store_file_cb file_cb;
        store_field_cb field_cb;
        store_run_cb run_cb;
        store_project_cb project_cb;
        store_ref_cb ref_cb;
        store_token_cb token_cb;
        store_file_next next;
        const char *queue;
        uint64_t seq;
        int once; /* not run again: it consumed a stream */
        const store_run_query *query;
        store_run_row_cb row_cb;
        void *payload;
} pg_call;

typedef int (*pg_body)(pg_store *s, pg_call *c);

/* ---- connection, errors, statements ---- */

/* libpq's message without its trailing newline, on one line. */
static void pg_message(const char *msg, char *out, size_t cap)
{
        size_t i, j = 0;
        int space = 1; /* drops leading blanks too */

        if (!msg || !*msg)
                msg = "unknown error";
        for (i = 0; msg[i] && j + 1 < cap; i++) {
                int blank = msg[i] == '\n' || msg[i] == '\r' || msg[i] == '\t' || msg[i] == ' ';

                if (blank && space)
                        continue;
                out[j++] = blank ? ' ' : msg[i];
                space = blank;
        }
        while (j > 0 && out[j - 1] == ' ')
                j--;
        out[j] = '\0';
}

/* Drop a connection found lost: the next call opens a new one. */
static void pg_drop(pg_store *s)
{
        PQfinish(s->conn);
        s->conn = NULL;
        memset(s->prepared, 0, sizeof(s->prepared));
        memset(s->query_prepared, 0, sizeof(s->query_prepared));
        memset(s->projects, 0, sizeof(s->projects));
        s->lost = 1;
}

/* The failure of what, from res (may be NULL) or the connection. */
static int pg_fail(pg_store *s, const char *what, const PGresult *res)
{
        char msg[512];
        const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
        int rc = NEREID_ERROR;

        /* The server's own words when it sent some (no "ERROR:" nor
         * CONTEXT lines), else libpq's. */
        if (res && PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY))
                pg_message(PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY), msg, sizeof(msg));
        else
                pg_message(res && *PQresultErrorMessage(res) ? PQresultErrorMessage(res)
                                                             : PQerrorMessage(s->conn),
                           msg, sizeof(msg));
        snprintf(s->state, sizeof(s->state), "%s", state ? state : "");
        /* No SQLSTATE: libpq's own failure (the server closed the
         * connection, a broken socket), so the connection is in doubt. */
        if (!s->conn || PQstatus(s->conn) == CONNECTION_BAD || !s->state[0] ||
            strncmp(s->state, "08", 2) == 0 || strcmp(s->state, "57P01") == 0 ||
            strcmp(s->state, "57P02") == 0 || strcmp(s->state, "57P03") == 0) {
                pg_drop(s);
                return nrd_error_unavailable("store %s: %s: connection lost: %s", s->label, what,
                                             msg);
        }
        if (strcmp(s->state, "42501") == 0)
                rc = NEREID_EACCESS;
        return nrd_error(rc, "store %s: %s: %s", s->label, what, msg);
}

/* One statement without parameters (BEGIN, COMMIT, DDL). */
static int pg_cmd(pg_store *s, const char *sql, const char *what)
{
        PGresult *res;
        int rc = 0;

        s->nstmt++;
        res = PQexec(s->conn, sql);
        if (!res ||
            (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK))
                rc = pg_fail(s, what, res);
        PQclear(res);
        return rc;
}

static int pg_connect(pg_store *s)
{
        /* connect_timeout before the URI, which may set its own; the
         * encoding after it: Nereid's bytes go as they are. */
        static const char *const keys[] = {"connect_timeout", "dbname", "client_encoding",
                                           "fallback_application_name", NULL};
        const char *values[] = {"10", s->uri, "SQL_ASCII", "nereid", NULL};
        const char *encoding;
        char msg[512];
        int rc;

        if (s->conn)
                return 0;
        s->conn = PQconnectdbParams(keys, values, 1);
        if (!s->conn)
                return nrd_error_oom();
        if (PQstatus(s->conn) != CONNECTION_OK) {
                pg_message(PQerrorMessage(s->conn), msg, sizeof(msg));
                PQfinish(s->conn);
                s->conn = NULL;
                return nrd_error_unavailable("store %s: cannot connect: %s", s->label, msg);
        }
        memset(s->prepared, 0, sizeof(s->prepared));
        memset(s->query_prepared, 0, sizeof(s->query_prepared));
        memset(s->projects, 0, sizeof(s->projects)); /* perhaps another database now */
        /* Names, owners and descriptions are bytes (any but NUL), sorted
         * bytewise: a database that keeps them as they are. */
        encoding = PQparameterStatus(s->conn, "server_encoding");
        if (!encoding || strcmp(encoding, "SQL_ASCII") != 0) {
                rc = nrd_error(NEREID_ERROR,
                               "store %s: the database's encoding is %s, not SQL_ASCII: Nereid "
                               "keeps names as bytes; create it with CREATE DATABASE ... "
                               "ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE "
                               "template0",
                               s->label, encoding ? encoding : "unknown");
                PQfinish(s->conn);
                s->conn = NULL;
                return rc;
        }
        if (s->schema_ok)
                return 0;
        /* Check, or make, the schema: in one transaction holding the
         * migration lock, so concurrent first starts migrate once. */
        if ((rc = pg_cmd(s, "BEGIN", "begin")) < 0)
                return rc;
        if (s->mode != NEREID_MODE_READ_ONLY &&
            (rc = pg_cmd(s, "SELECT pg_advisory_xact_lock(" PG_MIGRATE_LOCK ")", "lock schema")) <
                0)
                goto out;
        {
                PGresult *res = PQexec(s->conn, "SELECT to_regclass('nereid_meta') IS NOT NULL");
                int have;
                long long version = 0;

                s->nstmt++;
                if (PQresultStatus(res) != PGRES_TUPLES_OK) {
                        rc = pg_fail(s, "read the schema", res);
                        PQclear(res);
                        goto out;
                }
                have = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
                PQclear(res);
                if (have) {
                        res = PQexec(s->conn, "SELECT value FROM nereid_meta"
                                              " WHERE key = 'schema_version'");
                        if (PQresultStatus(res) != PGRES_TUPLES_OK) {
                                rc = pg_fail(s, "read the schema", res);
                                PQclear(res);
                                goto out;
                        }
                        version = PQntuples(res) ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
                        PQclear(res);
                        if (version < 1) {
                                rc =
                                    nrd_error(NEREID_ERROR,
                                              "store %s: damaged: no schema version; left as it is",
                                              s->label);
                                goto out;
                        }
                        if (version > PG_SCHEMA) {
                                rc = nrd_error(NEREID_ERROR,
                                               "store %s: written by a newer Nereid (schema %lld, "
                                               "this build knows up to %d); left as it is",
                                               s->label, version, PG_SCHEMA);
                                goto out;
                        }
                } else if (s->mode == NEREID_MODE_READ_ONLY) {
                        rc = nrd_error(NEREID_ENOTFOUND,
                                       "store %s: no Nereid store in this database yet (the "
                                       "first write makes it)",
                                       s->label);
                        goto out;
                } else if ((rc = pg_cmd(s, pg_schema_1, "make the schema")) < 0) {
                        goto out;
                }
        }
        rc = pg_cmd(s, "COMMIT", "make the schema");
out:
        if (rc < 0 && s->conn)
                pg_cmd(s, "ROLLBACK", "rollback");
        if (rc == 0)
                s->schema_ok = 1;
        return rc;
}

/* Run the statement sql, prepared on this connection as name by first use
 * (*prepared says it is), with n text parameters (NULL: SQL NULL); *out is
 * the result of a statement that returns rows (NULL: discarded). A
 * statement a pooler lost (SQLSTATE 26000) is prepared again. */
static int pg_run_sql(pg_store *s, const char *name, const char *sql, unsigned char *prepared,
                      int n, const char *const *params, PGresult **out, const char *what)
{
        PGresult *res;
        ExecStatusType st;
        int again, rc;

        if (out)
                *out = NULL;
        for (again = 0; again < 2; again++) {
                if (!*prepared) {
                        s->nstmt++;
                        res = PQprepare(s->conn, name, sql, n, NULL);
                        if (PQresultStatus(res) != PGRES_COMMAND_OK) {
                                const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

                                /* Prepared already (a pooler's other client of this name). */
                                if (!state || strcmp(state, "42P05") != 0) {
                                        rc = pg_fail(s, what, res);
                                        PQclear(res);
                                        return rc;
                                }
                        }
                        PQclear(res);
                        *prepared = 1;
                }
                s->nstmt++;
                res = PQexecPrepared(s->conn, name, n, params, NULL, NULL, 0);
                st = PQresultStatus(res);
                if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
                        if (out)
                                *out = res;
                        else
                                PQclear(res);
                        return 0;
                }
                if (!again && PQresultErrorField(res, PG_DIAG_SQLSTATE) &&
                    strcmp(PQresultErrorField(res, PG_DIAG_SQLSTATE), "26000") == 0) {
                        *prepared = 0;
                        PQclear(res);
                        continue;
                }
                break;
        }
        rc = pg_fail(s, what, res);
        PQclear(res);
        return rc;
}

/* Run prepared statement q (pg_sql). */
static int pg_run(pg_store *s, enum pg_stmt q, int n, const char *const *params, PGresult **out,
                  const char *what)
{
        char name[16];

        snprintf(name, sizeof(name), "nrd%d", (int)q);
        return pg_run_sql(s, name, pg_sql[q], &s->prepared[q], n, params, out, what);
}

/* Sleep before a retry: 2^attempt ms (at most 256) plus a random part of
 * up to as much again, so that racers part; noted in the trace. */
static void pg_backoff(pg_store *s, int attempt)
{
        unsigned char r = 0;
        long ms = 1L << (attempt < 8 ? attempt : 8);
        struct timespec ts;

        RAND_bytes(&r, 1);
        ms += (long)(r % (unsigned)ms) + 1;
        if (s->trace.retries < PG_TRACE_MAX)
                s->trace.backoff_ms[s->trace.retries] = ms;
        s->trace.retries++;
        ts.tv_sec = ms / 1000;
        ts.tv_nsec = (ms % 1000) * 1000000L;
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
                ;
}

static int pg_retryable(const pg_store *s)
{
        return strcmp(s->state, "40001") == 0 || strcmp(s->state, "40P01") == 0;
}

/* The test fault, if one is armed: a real error from the server. */
static int pg_fault_raise(pg_store *s)
{
        char sql[160];

        if (!s->fault.times)
                return 0;
        s->fault.times--;
        snprintf(sql, sizeof(sql),
                 "DO $$BEGIN RAISE EXCEPTION 'injected by the test' USING ERRCODE = '%s'; END$$",
                 s->fault.sqlstate);
        return pg_cmd(s, sql, "test fault");
}

/* Run body: in one transaction when write is set (committed when it returns
 * 0, rolled back otherwise), run again whole after a serialisation failure
 * or deadlock, and once more on a new connection when the one it had was
 * found lost by its first statement (nothing was done nor called back). */
static int pg_do(pg_store *s, pg_body body, pg_call *c, int write)
{
        int attempt, rc;

        memset(&s->trace, 0, sizeof(s->trace));
        for (attempt = 0;; attempt++) {
                s->nstmt = 0;
                s->lost = 0;
                s->committing = 0;
                s->state[0] = '\0';
                s->trace.attempts++;
                if ((rc = pg_connect(s)) < 0) {
                        if (s->lost && attempt == 0)
                                continue;
                        return rc;
                }
                s->nstmt = 0;
                rc = write ? pg_cmd(s, "BEGIN", "begin") : 0;
                /* A single-statement call (no transaction here) fails
                 * before its statement, a transaction after its body. */
                if (rc == 0 && !write)
                        rc = pg_fault_raise(s);
                if (rc == 0)
                        rc = body(s, c);
                if (rc == 0 && write)
                        rc = pg_fault_raise(s);
                if (write && rc == 0) {
                        s->committing = 1;
                        rc = pg_cmd(s, "COMMIT", "commit");
                } else if (write && s->conn && PQtransactionStatus(s->conn) != PQTRANS_IDLE) {
                        PGresult *res = PQexec(s->conn, "ROLLBACK");

                        PQclear(res);
                }
                if (rc >= 0)
                        return rc;
                if (pg_retryable(s) && !c->once) {
                        if (attempt < PG_RETRIES) {
                                pg_backoff(s, attempt);
                                continue;
                        }
                        /* The last message names the statement and the
                         * database's reason; say it was not the first. */
                        char msg[600];

                        snprintf(msg, sizeof(msg), "%s", nereid_error_last());
                        return nrd_error(NEREID_ERROR, "%s (gave up after %d attempts)", msg,
                                         attempt + 1);
                }
                if (s->lost && s->nstmt <= 1 && !s->committing && attempt == 0)
                        continue;
                if (s->lost && s->committing)
                        return nrd_error_unavailable(
                            "store %s: connection lost while committing: the "
                            "write may or may not have been made",
                            s->label);
                return rc;
        }
}

void nrd_store_postgres_fault(nereid_store *base, const char *sqlstate, unsigned times)
{
        pg_store *s = (pg_store *)base;

        snprintf(s->fault.sqlstate, sizeof(s->fault.sqlstate), "%s", sqlstate ? sqlstate : "");
        s->fault.times = sqlstate ? times : 0;
}

void nrd_store_postgres_trace(nereid_store *base, pg_trace *out)
{
        *out = ((pg_store *)base)->trace;
}

static int pg_rows(PGresult *res)
{
        return PQntuples(res);
}

static const char *pg_val(PGresult *res, int row, int col)
{
        return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

static long long pg_ll(PGresult *res, int row, int col)
{
        return strtoll(PQgetvalue(res, row, col), NULL, 10);
}

/* ---- one statement, its rows mapped ---- */

/* A statement's parameters: PG_ARGS(a, b) stands for "2, (const char *[]){a, b}". */
#define PG_ARGS(...)                                                                               \
        (int)(sizeof((const char *[]){__VA_ARGS__}) / sizeof(const char *)), (const char *const[]) \
        {                                                                                          \
                __VA_ARGS__                                                                        \
        }
#define PG_NO_ARGS 0, NULL
/* pg_first's answer for a statement that returned no row. */
#define PG_NONE 1

/* What one row of a result becomes: 0 to go on, non-zero to stop there. */
typedef int (*pg_map)(void *ctx, PGresult *res, int row);

/* Run statement q for its effect. */
static int pg_exec(pg_store *s, enum pg_stmt q, const char *what, int n, const char *const *params)
{
        return pg_run(s, q, n, params, NULL, what);
}

/* Run q and give each row to map, in order, until it answers non-zero
 * (returned); the result is cleared. */
static int pg_each(pg_store *s, enum pg_stmt q, const char *what, pg_map map, void *ctx, int n,
                   const char *const *params)
{
        PGresult *res;
        int rc, i;

        if ((rc = pg_run(s, q, n, params, &res, what)) < 0)
                return rc;
        for (i = 0; i < pg_rows(res) && rc == 0; i++)
                rc = map(ctx, res, i);
        PQclear(res);
        return rc;
}

/* Run q and map its first row: map's answer, or PG_NONE without a row. */
static int pg_first(pg_store *s, enum pg_stmt q, const char *what, pg_map map, void *ctx, int n,
                    const char *const *params)
{
        PGresult *res;
        int rc;

        if ((rc = pg_run(s, q, n, params, &res, what)) < 0)
                return rc;
        rc = pg_rows(res) ? map(ctx, res, 0) : PG_NONE;
        PQclear(res);
        return rc;
}

/* pg_pick's places: column i into out[i] (cap[i] bytes); NULL: not wanted. */
typedef struct pg_cols {
        char *out[3];
        size_t cap[3];
} pg_cols;

/* A pg_map that copies a row's first columns into a pg_cols. */
static int pg_pick(void *ctx, PGresult *res, int row)
{
        pg_cols *cols = ctx;
        int i;

        for (i = 0; i < 3 && i < PQnfields(res); i++)
                if (cols->out[i])
                        snprintf(cols->out[i], cols->cap[i], "%s", PQgetvalue(res, row, i));
        return 0;
}

/* A pg_map that only says a row was there. */
static int pg_found(void *ctx, PGresult *res, int row)
{
        (void)ctx, (void)res, (void)row;
        return 0;
}

/* ---- lookups shared by the calls ---- */

/* The project's row and key (key_out may be NULL); ENOTFOUND when it does
 * not exist. From the connection's memo when it has them. */
static int pg_project(pg_store *s, const char *project, char pid[24], char key_out[16])
{
        char key[16];
        pg_cols cols = {{pid, key}, {24, 16}};
        pg_project_memo *m;
        size_t i;
        int rc;

        for (i = 0; i < PG_PROJECTS; i++) {
                m = &s->projects[i];
                if (m->name[0] && strcmp(m->name, project) == 0) {
                        snprintf(pid, 24, "%s", m->id);
                        if (key_out)
                                snprintf(key_out, 16, "%s", m->key);
                        return 0;
                }
        }
        rc = pg_first(s, Q_PROJECT, "read project", pg_pick, &cols, PG_ARGS(project));
        if (rc == PG_NONE)
                return nrd_error(NEREID_ENOTFOUND, "project %s: not found", project);
        if (rc < 0)
                return rc;
        if (key_out)
                snprintf(key_out, 16, "%s", key);
        if (strlen(project) < sizeof(m->name)) {
                m = &s->projects[s->next_project++ % PG_PROJECTS];
                snprintf(m->name, sizeof(m->name), "%s", project);
                snprintf(m->id, sizeof(m->id), "%s", pid);
                snprintf(m->key, sizeof(m->key), "%s", key);
        }
        return 0;
}

/* The row of run "KEY-N" of the project (and the project's row and key). */
static int pg_run_row(pg_store *s, const char *project, const char *run_id, char row[24],
                      char pid[24], char key_out[16])
{
        const char *dash = strrchr(run_id, '-'), *p[2];
        char number_text[24], key[16];
        PGresult *res;
        char *end = NULL;
        long long number;
        int rc;

        if (nrd_uri_check_run_id(run_id) < 0 || !dash)
                return nrd_error(NEREID_ENOTFOUND, "run %s: not found in project %s", run_id,
                                 project);
        errno = 0;
        number = strtoll(dash + 1, &end, 10);
        if (errno || !end || *end || number < 1)
                return nrd_error(NEREID_ENOTFOUND, "run %s: not found in project %s", run_id,
                                 project);
        snprintf(number_text, sizeof(number_text), "%lld", number);
        p[0] = project;
        p[1] = number_text;
        if ((rc = pg_run(s, Q_RUN_ROW, 2, p, &res, "read run")) < 0)
                return rc;
        if (pg_rows(res) == 0) {
                PQclear(res);
                return nrd_error(NEREID_ENOTFOUND, "run %s: not found (no project %s)", run_id,
                                 project);
        }
        snprintf(key, sizeof(key), "%s", PQgetvalue(res, 0, 1));
        if (pid)
                snprintf(pid, 24, "%s", PQgetvalue(res, 0, 0));
        if (key_out)
                snprintf(key_out, 16, "%s", key);
        if ((size_t)(dash - run_id) != strlen(key) || strncmp(run_id, key, strlen(key)) != 0 ||
            PQgetisnull(res, 0, 2))
                rc =
                    nrd_error(NEREID_ENOTFOUND, "run %s: not found in project %s", run_id, project);
        else
                snprintf(row, 24, "%s", PQgetvalue(res, 0, 2));
        PQclear(res);
        return rc;
}

/* The artifact of the project with this hash; ENOTFOUND when none. */
static int pg_artifact(pg_store *s, const char *pid, const char *project, const char *hash,
                       char row[24], char *content_out)
{
        pg_cols cols = {{row, content_out}, {24, NEREID_HASH_HEXLEN + 1}};
        int rc = pg_first(s, Q_ARTIFACT, "read artifact", pg_pick, &cols, PG_ARGS(pid, hash));

        return rc == PG_NONE ? nrd_error(NEREID_ENOTFOUND, "artifact %s: not found in project %s",
                                         hash, project)
                             : rc;
}

/* ---- projects and runs ---- */

static int pg_project_open_body(pg_store *s, pg_call *c)
{
        char pid[24];
        int rc;

        if ((rc = pg_exec(s, Q_PROJECT_INSERT, "create project", PG_ARGS(c->project, c->key))) < 0)
                return rc;
        return pg_project(s, c->project, pid, c->key_out);
}

static int pg_project_read_body(pg_store *s, pg_call *c)
{
        char pid[24];

        return pg_project(s, c->project, pid, c->key_out);
}

static int pg_project_open(nereid_store *base, const char *project, const char *key, int create,
                           char key_out[16])
{
        pg_store *s = (pg_store *)base;
        pg_call c = {.project = project, .key_out = key_out};
        char derived[16];
        int rc;

        rc = pg_do(s, pg_project_read_body, &c, 0);
        if (rc != NEREID_ENOTFOUND || !create)
                return rc;
        nrd_error_clear(); /* handled: made now */
        if (!key) {
                nrd_store_derive_key(project, derived);
                key = derived;
        }
        c.key = key;
        return pg_do(s, pg_project_open_body, &c, 1);
}

static int pg_project_map(void *ctx, PGresult *res, int i)
{
        pg_call *c = ctx;

        return c->project_cb(c->payload, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
                             (uint64_t)pg_ll(res, i, 2));
}

static int pg_project_each_body(pg_store *s, pg_call *c)
{
        return pg_each(s, Q_PROJECT_EACH, "list projects", pg_project_map, c, PG_NO_ARGS);
}

static int pg_project_each(nereid_store *base, store_project_cb cb, void *payload)
{
        pg_call c = {.project_cb = cb, .payload = payload};

        return pg_do((pg_store *)base, pg_project_each_body, &c, 0);
}

/* One statement, its own transaction (nereid_run_new in the schema): the
 * project's counter row is locked first, so creators of one project queue
 * on it and each then sees the others' runs; a retried uuid or a shared
 * custom_run_id finds its run, and numbers are gap-free without a
 * serialisation error. Run again after a lost connection, the uuid finds
 * the run the first attempt may have made. */
static int pg_run_new_body(pg_store *s, pg_call *c)
{
        const store_run_spec *spec = c->spec;
        char now[32], *tags;
        const char *p[8];
        PGresult *res;
        int rc;

        *c->created = 0;
        if (!(tags = nrd_store_tags_join(spec)))
                return NEREID_ERROR;
        nrd_fs_now_iso8601(now);
        p[0] = c->project;
        p[1] = spec->uuid;
        p[2] = spec->custom_run_id;
        p[3] = spec->name ? spec->name : "";
        p[4] = spec->owner;
        p[5] = now;
        p[6] = spec->description ? spec->description : "";
        p[7] = tags;
        rc = pg_run(s, Q_RUN_NEW, 8, p, &res, "create run");
        free(tags);
        if (rc < 0)
                return rc;
        if (pg_rows(res) != 1 || PQgetisnull(res, 0, 0))
                rc = nrd_error(NEREID_ENOTFOUND, "project %s: not found", c->project);
        else {
                snprintf(c->id_out, 32, "%s-%s", PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1));
                *c->created = strcmp(PQgetvalue(res, 0, 2), "t") == 0;
        }
        PQclear(res);
        return rc;
}

static int pg_run_new(nereid_store *base, const char *project, const store_run_spec *spec,
                      char id_out[32], int *created)
{
        pg_call c = {.project = project, .spec = spec, .id_out = id_out, .created = created};
        int rc;

        rc = pg_do((pg_store *)base, pg_run_new_body, &c, 0);
        if (rc < 0)
                *created = 0;
        return rc;
}

/* Fill info (every string a copy) from row i of PG_RUN_COLUMNS, starting
 * at column o. */
static int pg_run_fill_at(PGresult *res, int i, int o, const char *key, store_run_info *info)
{
        const char *custom = pg_val(res, i, o + 6);

        memset(info, 0, sizeof(*info));
        snprintf(info->id, sizeof(info->id), "%s-%lld", key, pg_ll(res, i, o));
        snprintf(info->creation_time, sizeof(info->creation_time), "%s", PQgetvalue(res, i, o + 3));
        snprintf(info->modification_time, sizeof(info->modification_time), "%s",
                 PQgetvalue(res, i, o + 4));
        snprintf(info->uuid, sizeof(info->uuid), "%s", PQgetvalue(res, i, o + 5));
        info->name = nrd_strdup(PQgetvalue(res, i, o + 1));
        info->owner = nrd_strdup(PQgetvalue(res, i, o + 2));
        info->description = nrd_strdup(PQgetvalue(res, i, o + 7));
        if (custom)
                info->custom_run_id = nrd_strdup(custom);
        if (!info->name || !info->owner || !info->description || (custom && !info->custom_run_id) ||
            nrd_store_tags_split(PQgetvalue(res, i, o + 8), info) < 0) {
                nrd_store_run_info_clear(info);
                return NEREID_ERROR;
        }
        return 0;
}

static int pg_run_fill(PGresult *res, int i, const char *key, store_run_info *info)
{
        return pg_run_fill_at(res, i, 0, key, info);
}

static int pg_run_info_body(pg_store *s, pg_call *c)
{
        const char *dash = strrchr(c->run_id, '-'), *p[2];
        char number_text[24], key[16];
        PGresult *res;
        char *end = NULL;
        long long number;
        int rc;

        if (nrd_uri_check_run_id(c->run_id) < 0 || !dash)
                return nrd_error(NEREID_ENOTFOUND, "run %s: not found in project %s", c->run_id,
                                 c->project);
        errno = 0;
        number = strtoll(dash + 1, &end, 10);
        if (errno || !end || *end || number < 1)
                return nrd_error(NEREID_ENOTFOUND, "run %s: not found in project %s", c->run_id,
                                 c->project);
        snprintf(number_text, sizeof(number_text), "%lld", number);
        p[0] = c->project;
        p[1] = number_text;
        if ((rc = pg_run(s, Q_RUN_FULL, 2, p, &res, "read run")) < 0)
                return rc;
        if (pg_rows(res) == 0) {
                PQclear(res);
                return nrd_error(NEREID_ENOTFOUND, "run %s: not found (no project %s)", c->run_id,
                                 c->project);
        }
        snprintf(key, sizeof(key), "%s", PQgetvalue(res, 0, 0));
        if ((size_t)(dash - c->run_id) != strlen(key) ||
            strncmp(c->run_id, key, strlen(key)) != 0 || PQgetisnull(res, 0, 1))
                rc = nrd_error(NEREID_ENOTFOUND, "run %s: not found in project %s", c->run_id,
                               c->project);
        else
                rc = pg_run_fill_at(res, 0, 1, key, c->info);
        PQclear(res);
        return rc;
}

static int pg_run_info(nereid_store *base, const char *project, const char *run_id,
                       store_run_info *info)
{
        pg_call c = {0};

        memset(info, 0, sizeof(*info));
        c.project = project;
        c.run_id = run_id;
        c.info = info;
        return pg_do((pg_store *)base, pg_run_info_body, &c, 0);
}

/* Keyset pages of the project's runs on (project_id, number). */
static int pg_run_each_body(pg_store *s, pg_call *c)
{
        char pid[24], key[16], after[24], page[24];
        const char *p[3] = {pid, after, page};
        uint64_t last = c->after, left = c->limit;
        store_run_info info;
        PGresult *res;
        int rc, i, n;

        if ((rc = pg_project(s, c->project, pid, key)) < 0)
                return rc;
        for (;;) {
                size_t want = left && left < PG_PAGE_RUNS ? (size_t)left : PG_PAGE_RUNS;

                snprintf(after, sizeof(after), "%llu",
                         (unsigned long long)(last > INT64_MAX ? INT64_MAX : last));
                snprintf(page, sizeof(page), "%zu", want);
                if ((rc = pg_run(s, Q_RUN_PAGE, 3, p, &res, "list runs")) < 0)
                        return rc;
                n = pg_rows(res);
                for (i = 0; i < n && rc == 0; i++) {
                        last = (uint64_t)pg_ll(res, i, 0);
                        if ((rc = pg_run_fill(res, i, key, &info)) < 0)
                                break;
                        rc = c->run_cb(c->payload, &info);
                        nrd_store_run_info_clear(&info);
                }
                PQclear(res);
                if (rc != 0 || (size_t)n < want)
                        return rc;
                if (left && (left -= (uint64_t)n) == 0)
                        return 0;
        }
}

static int pg_run_each(nereid_store *base, const char *project, uint64_t after, size_t limit,
                       store_run_cb cb, void *payload)
{
        pg_call c = {
            .project = project, .after = after, .limit = limit, .run_cb = cb, .payload = payload};

        return pg_do((pg_store *)base, pg_run_each_body, &c, 0);
}

/* ---- fields ---- */

static int pg_field_map(void *ctx, PGresult *res, int i)
{
        pg_call *c = ctx;

        return c->field_cb(c->payload, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1));
}

static int pg_field_each_body(pg_store *s, pg_call *c)
{
        char row[24];
        int rc;

        if ((rc = pg_run_row(s, c->project, c->run_id, row, NULL, NULL)) < 0)
                return rc;
        return pg_each(s, Q_FIELD_EACH, "list fields", pg_field_map, c, PG_ARGS(row));
}

static int pg_field_each(nereid_store *base, const char *project, const char *run_id,
                         store_field_cb cb, void *payload)
{
        pg_call c = {.project = project, .run_id = run_id, .field_cb = cb, .payload = payload};

        return pg_do((pg_store *)base, pg_field_each_body, &c, 0);
}

/* The hash a field of the run row holds: 1 with hash_out set, 0 for none. */
static int pg_field_held(pg_store *s, const char *row, const char *field,
                         char hash_out[NEREID_HASH_HEXLEN + 1])
{
        pg_cols cols = {{NULL, hash_out}, {0, NEREID_HASH_HEXLEN + 1}};
        int rc = pg_first(s, Q_FIELD_GET, "read field", pg_pick, &cols, PG_ARGS(row, field));

        return rc == PG_NONE ? 0 : rc < 0 ? rc : 1;
}

static int pg_field_get_body(pg_store *s, pg_call *c)
{
        char row[24];
        int rc;

        if ((rc = pg_run_row(s, c->project, c->run_id, row, NULL, NULL)) < 0 ||
            (rc = pg_field_held(s, row, c->field, c->hash_out)) < 0)
                return rc;
        return rc ? 0 : nrd_error(NEREID_ENOTFOUND, "%s:%s: no such field", c->run_id, c->field);
}

static int pg_field_get(nereid_store *base, const char *project, const char *run_id,
                        const char *field, char hash_out[NEREID_HASH_HEXLEN + 1])
{
        pg_call c = {.project = project, .run_id = run_id, .field = field, .hash_out = hash_out};

        return pg_do((pg_store *)base, pg_field_get_body, &c, 0);
}

static int pg_field_roots_body(pg_store *s, pg_call *c)
{
        char row[24];
        const char *p[2] = {row, c->field};
        store_root *roots = NULL;
        PGresult *res;
        int rc, i, n;

        if ((rc = pg_run_row(s, c->project, c->run_id, row, NULL, NULL)) < 0 ||
            (rc = pg_run(s, Q_ROOTS, 2, p, &res, "read tracked paths")) < 0)
                return rc;
        n = pg_rows(res);
        if (n > 0 && !(roots = nrd_calloc((size_t)n, sizeof(*roots)))) {
                PQclear(res);
                return NEREID_ERROR;
        }
        for (i = 0; i < n; i++) {
                roots[i].location = nrd_strdup(PQgetvalue(res, i, 0));
                roots[i].destination = nrd_strdup(PQgetvalue(res, i, 1));
                if (!roots[i].location || !roots[i].destination) {
                        nrd_store_roots_free(roots, (size_t)i + 1);
                        PQclear(res);
                        return NEREID_ERROR;
                }
        }
        PQclear(res);
        *c->roots_out = roots;
        *c->count_out = (size_t)n;
        return 0;
}

static int pg_field_roots(nereid_store *base, const char *project, const char *run_id,
                          const char *field, store_root **out, size_t *count)
{
        pg_call c = {0};

        *out = NULL;
        *count = 0;
        c.project = project;
        c.run_id = run_id;
        c.field = field;
        c.roots_out = out;
        c.count_out = count;
        return pg_do((pg_store *)base, pg_field_roots_body, &c, 0);
}

static int pg_touch(pg_store *s, const char *row)
{
        char now[32];

        nrd_fs_now_iso8601(now);
        return pg_exec(s, Q_RUN_TOUCH, "update run", PG_ARGS(row, now));
}

/* The compare and swap: the run's row is locked first, so no other writer
 * changes its fields between the compare and the write. */
static int pg_field_swap_body(pg_store *s, pg_call *c)
{
        char pid[24], row[24], artifact[24], held[NEREID_HASH_HEXLEN + 1] = "";
        size_t i;
        int rc;

        if ((rc = pg_run_row(s, c->project, c->run_id, row, pid, NULL)) < 0 ||
            (rc = pg_artifact(s, pid, c->project, c->hash, artifact, NULL)) < 0 ||
            (rc = pg_exec(s, Q_RUN_LOCK, "lock run", PG_ARGS(row))) < 0)
                return rc;
        if (c->expect) {
                if ((rc = pg_field_held(s, row, c->field, held)) < 0)
                        return rc;
                if (strcmp(held, c->expect) != 0)
                        return STORE_CONFLICT;
        }
        if (c->how == STORE_ROOTS_SET &&
            (rc = pg_exec(s, Q_ROOTS_CLEAR, "forget tracked paths", PG_ARGS(row, c->field))) < 0)
                return rc;
        if ((rc = pg_exec(s, Q_FIELD_UPSERT, "set field", PG_ARGS(row, c->field, artifact))) < 0)
                return rc;
        for (i = 0; i < c->nroots; i++) {
                const store_root *r = &c->roots[i];

                if ((rc = pg_exec(s, Q_ROOT_INSERT, "remember tracked path",
                                  PG_ARGS(row, c->field, r->location,
                                          r->destination ? r->destination : ""))) < 0)
                        return rc;
        }
        return pg_touch(s, row);
}

static int pg_field_swap(nereid_store *base, const char *project, const char *run_id,
                         const char *field, const char *expect, const char *hash,
                         const store_root *roots, size_t nroots, enum store_roots how)
{
        pg_call c = {.project = project,
                     .run_id = run_id,
                     .field = field,
                     .expect = expect,
                     .hash = hash,
                     .roots = roots,
                     .nroots = nroots,
                     .how = how};

        return pg_do((pg_store *)base, pg_field_swap_body, &c, 1);
}

/* The field and its namespace, with their roots, from the locked run row:
 * 1 when there was such a field, 0 when none. */
static int pg_fields_delete(pg_store *s, const char *row, const char *field)
{
        PGresult *res;
        int rc, had;

        if ((rc = pg_exec(s, Q_RUN_LOCK, "lock run", PG_ARGS(row))) < 0 ||
            (rc = pg_run(s, Q_FIELDS_DELETE, PG_ARGS(row, field), &res, "remove field")) < 0)
                return rc;
        had = strcmp(PQcmdTuples(res), "0") != 0;
        PQclear(res);
        if ((rc = pg_exec(s, Q_ROOTS_DELETE, "remove field", PG_ARGS(row, field))) < 0)
                return rc;
        return had;
}

static int pg_field_remove_body(pg_store *s, pg_call *c)
{
        char row[24];
        int rc;

        if ((rc = pg_run_row(s, c->project, c->run_id, row, NULL, NULL)) < 0 ||
            (rc = pg_fields_delete(s, row, c->field)) < 0)
                return rc;
        if (rc == 0)
                return nrd_error(NEREID_ENOTFOUND, "%s:%s: no such field", c->run_id, c->field);
        return pg_touch(s, row);
}

static int pg_field_remove(nereid_store *base, const char *project, const char *run_id,
                           const char *field)
{
        pg_call c = {.project = project, .run_id = run_id, .field = field};

        return pg_do((pg_store *)base, pg_field_remove_body, &c, 1);
}

/* Apply one queued operation once: (queue, seq) is recorded first, so a
 * second delivery (here or on another server) finds it and changes
 * nothing; a conflict rolls the record back with the rest. */
static int pg_op_apply_body(pg_store *s, pg_call *c)
{
        char row[24], pid[24], seq[24];
        int rc;

        if ((rc = pg_run_row(s, c->project, c->run_id, row, pid, NULL)) < 0)
                return rc;
        snprintf(seq, sizeof(seq), "%llu", (unsigned long long)c->seq);
        rc = pg_first(s, Q_OP_RECORD, "record applied operation", pg_found, NULL,
                      PG_ARGS(c->queue, seq, row));
        if (rc == PG_NONE)
                return STORE_APPLIED;
        if (rc < 0)
                return rc;
        if (c->hash)
                return pg_field_swap_body(s, c);
        if ((rc = pg_fields_delete(s, row, c->field)) < 0)
                return rc;
        return pg_touch(s, row);
}

static int pg_op_apply(nereid_store *base, const char *project, const char *run_id,
                       const char *queue, uint64_t seq, const char *field, const char *expect,
                       const char *hash, const store_root *roots, size_t nroots,
                       enum store_roots how)
{
        pg_call c = {.project = project,
                     .run_id = run_id,
                     .queue = queue,
                     .seq = seq,
                     .field = field,
                     .expect = expect,
                     .hash = hash,
                     .roots = roots,
                     .nroots = nroots,
                     .how = how};

        return pg_do((pg_store *)base, pg_op_apply_body, &c, 1);
}

/* ---- artifacts ---- */

/* Append s to the COPY text format: backslash escapes, \N for NULL. */
static void pg_copy_text(nereid_buf *buf, const char *text)
{
        const char *p;

        if (!text) {
                nrd_buf_puts(buf, "\\N");
                return;
        }
        /* The plain spans in one copy each: most names have no escape. */
        for (p = text;; p++) {
                size_t n = strcspn(p, "\\\t\n\r");

                nrd_buf_put(buf, p, n);
                p += n;
                if (!*p)
                        return;
                nrd_buf_putc(buf, '\\');
                nrd_buf_putc(buf, *p == '\t' ? 't' : *p == '\n' ? 'n' : *p == '\r' ? 'r' : '\\');
        }
}

/* "\t<decimal>\t" without printf's machinery: a million of these per artifact. */
static void pg_copy_size(nereid_buf *buf, unsigned long long v)
{
        char text[24];
        size_t i = sizeof(text);

        text[--i] = '\t';
        do
                text[--i] = (char)('0' + v % 10);
        while ((v /= 10) != 0);
        text[--i] = '\t';
        nrd_buf_put(buf, text + i, sizeof(text) - i);
}

/* COPY of records into artifact_files, in the caller's transaction:
 * pg_copy_begin, pg_copy_row for each record (sent in chunks), then
 * pg_copy_end (which aborts the COPY when rc is not 0). */
static int pg_copy_begin(pg_store *s)
{
        PGresult *res;
        int rc = 0;

        s->nstmt++;
        res = PQexec(s->conn, "COPY artifact_files(artifact_id, " PG_FILE_COLUMNS ") FROM STDIN");
        if (PQresultStatus(res) != PGRES_COPY_IN)
                rc = pg_fail(s, "store artifact records", res);
        PQclear(res);
        return rc;
}

static int pg_copy_flush(pg_store *s, nereid_buf *buf)
{
        int rc = 0;

        if (buf->len && PQputCopyData(s->conn, buf->ptr, (int)buf->len) != 1)
                rc = pg_fail(s, "store artifact records", NULL);
        buf->len = 0;
        return rc;
}

static int pg_copy_row(pg_store *s, nereid_buf *buf, const char *artifact,
                       const struct nereid_file *f)
{
        nrd_buf_puts(buf, artifact);
        nrd_buf_putc(buf, '\t');
        pg_copy_text(buf, f->file_path);
        nrd_buf_putc(buf, '\t');
        pg_copy_text(buf, f->file_hash);
        nrd_buf_putc(buf, '\t');
        pg_copy_text(buf, f->type);
        if (f->has_size)
                pg_copy_size(buf, (unsigned long long)f->size);
        else
                nrd_buf_puts(buf, "\t\\N\t");
        pg_copy_text(buf, f->source);
        nrd_buf_putc(buf, '\t');
        pg_copy_text(buf, f->last_modified);
        if (nrd_buf_putc(buf, '\n') < 0)
                return NEREID_ERROR;
        return buf->len >= PG_COPY_CHUNK ? pg_copy_flush(s, buf) : 0;
}

static int pg_copy_end(pg_store *s, nereid_buf *buf, int rc)
{
        PGresult *res;

        if (rc == 0)
                rc = pg_copy_flush(s, buf);
        nrd_buf_free(buf);
        if (!s->conn)
                return rc;
        if (PQputCopyEnd(s->conn, rc == 0 ? NULL : "cancelled") != 1 && rc == 0)
                rc = pg_fail(s, "store artifact records", NULL);
        while (s->conn && (res = PQgetResult(s->conn)) != NULL) {
                if (rc == 0 && PQresultStatus(res) != PGRES_COMMAND_OK)
                        rc = pg_fail(s, "store artifact records", res);
                PQclear(res);
        }
        return rc;
}

/* Send the records of artifact row with COPY, in the caller's transaction. */
static int pg_copy_records(pg_store *s, const char *artifact, const nereid_files *files)
{
        nereid_buf buf = NEREID_BUF_INIT;
        size_t i;
        int rc;

        if ((rc = pg_copy_begin(s)) < 0)
                return rc;
        for (i = 0; i < files->count && rc == 0; i++)
                rc = pg_copy_row(s, &buf, artifact, &files->items[i]);
        return pg_copy_end(s, &buf, rc);
}

static int pg_artifact_put_body(pg_store *s, pg_call *c)
{
        char pid[24], count[24], total_text[24];
        const char *p[5] = {pid, c->hash, c->content, count, total_text};
        PGresult *res;
        char artifact[24];
        uint64_t total = 0;
        size_t i;
        int rc, made;

        if ((rc = pg_project(s, c->project, pid, NULL)) < 0)
                return rc;
        for (i = 0; i < c->files->count; i++)
                if (c->files->items[i].has_size)
                        total += c->files->items[i].size;
        snprintf(count, sizeof(count), "%zu", c->files->count);
        snprintf(total_text, sizeof(total_text), "%llu",
                 (unsigned long long)(total > INT64_MAX ? INT64_MAX : total));
        /* A concurrent put of the same hash waits here for the other's
         * transaction, then finds it: stored once. */
        if ((rc = pg_run(s, Q_ARTIFACT_INSERT, 5, p, &res, "store artifact")) < 0)
                return rc;
        made = pg_rows(res) > 0;
        if (made)
                snprintf(artifact, sizeof(artifact), "%s", PQgetvalue(res, 0, 0));
        PQclear(res);
        if (!made || c->files->count == 0)
                return 0;
        return pg_copy_records(s, artifact, c->files);
}

static int pg_artifact_put(nereid_store *base, const char *project, const char *hash,
                           const char *content, const nereid_files *files)
{
        pg_call c = {.project = project, .hash = hash, .content = content, .files = files};

        return pg_do((pg_store *)base, pg_artifact_put_body, &c, 1);
}

static int pg_artifact_content_body(pg_store *s, pg_call *c)
{
        char pid[24], row[24];
        int rc;

        if ((rc = pg_project(s, c->project, pid, NULL)) < 0)
                return rc;
        return pg_artifact(s, pid, c->project, c->hash, row, c->hash_out);
}

static int pg_artifact_content_hash(nereid_store *base, const char *project, const char *hash,
                                    char content_out[NEREID_HASH_HEXLEN + 1])
{
        pg_call c = {.project = project, .hash = hash, .hash_out = content_out};

        return pg_do((pg_store *)base, pg_artifact_content_body, &c, 0);
}

/* The records after c->text (NULL: from the first), at most c->limit (0:
 * all), in keyset pages on the primary key (artifact_id, file_path). */
static int pg_artifact_rows_body(pg_store *s, pg_call *c)
{
        char pid[24], row[24], page[24];
        char *last = NULL;
        size_t left = c->limit;
        PGresult *res;
        int rc, i, n;

        if ((rc = pg_project(s, c->project, pid, NULL)) < 0 ||
            (rc = pg_artifact(s, pid, c->project, c->hash, row, NULL)) < 0)
                return rc;
        if (c->text && !(last = nrd_strdup(c->text)))
                return NEREID_ERROR;
        for (;;) {
                size_t want = left && left < PG_PAGE_FILES ? left : PG_PAGE_FILES;
                const char *p[3] = {row, last, page};

                snprintf(page, sizeof(page), "%zu", want);
                if (last) {
                        rc = pg_run(s, Q_FILES_AFTER, 3, p, &res, "read artifact");
                } else {
                        p[1] = page;
                        rc = pg_run(s, Q_FILES_FIRST, 2, p, &res, "read artifact");
                }
                if (rc < 0)
                        break;
                n = pg_rows(res);
                for (i = 0; i < n && rc == 0; i++) {
                        struct nereid_file file = {0};

                        /* Borrowed from the result for the duration of the callback. */
                        file.file_path = PQgetvalue(res, i, 0);
                        file.file_hash = PQgetvalue(res, i, 1);
                        file.type = PQgetvalue(res, i, 2);
                        file.has_size = !PQgetisnull(res, i, 3);
                        file.size = file.has_size ? (uint64_t)pg_ll(res, i, 3) : 0;
                        file.source = (char *)pg_val(res, i, 4);
                        file.last_modified = (char *)pg_val(res, i, 5);
                        rc = c->file_cb(c->payload, &file);
                }
                if (rc == 0 && n > 0) {
                        free(last);
                        if (!(last = nrd_strdup(PQgetvalue(res, n - 1, 0))))
                                rc = NEREID_ERROR;
                }
                PQclear(res);
                if (rc != 0 || (size_t)n < want || (left && (left -= (size_t)n) == 0))
                        break;
        }
        free(last);
        return rc;
}

static int pg_artifact_each(nereid_store *base, const char *project, const char *hash,
                            store_file_cb cb, void *payload)
{
        pg_call c = {.project = project, .hash = hash, .file_cb = cb, .payload = payload};

        return pg_do((pg_store *)base, pg_artifact_rows_body, &c, 0);
}

static int pg_artifact_page(nereid_store *base, const char *project, const char *hash,
                            const char *after, size_t limit, store_file_cb cb, void *payload)
{
        pg_call c = {.project = project,
                     .hash = hash,
                     .text = after,
                     .limit = limit,
                     .file_cb = cb,
                     .payload = payload};

        return pg_do((pg_store *)base, pg_artifact_rows_body, &c, 0);
}

/* The records come from c->next as they are read (a request's body):
 * one transaction, COPY as they come, the artifact's content hash and
 * count set when the last has come. Never run again (the stream is gone). */
static int pg_artifact_stream_body(pg_store *s, pg_call *c)
{
        const struct nereid_file *file;
        nereid_buf buf = NEREID_BUF_INIT;
        char pid[24], artifact[24], count[24], total_text[24];
        const char *p[5] = {pid, c->hash, "", "0", "0"};
        uint64_t n = 0, total = 0;
        PGresult *res;
        int rc, made;

        if ((rc = pg_project(s, c->project, pid, NULL)) < 0)
                return rc;
        if ((rc = pg_run(s, Q_ARTIFACT_INSERT, 5, p, &res, "store artifact")) < 0)
                return rc;
        made = pg_rows(res) > 0;
        if (made)
                snprintf(artifact, sizeof(artifact), "%s", PQgetvalue(res, 0, 0));
        PQclear(res);
        if (!made) { /* stored once: read the records to their end, so they are checked */
                while ((rc = c->next(c->payload, &file)) > 0)
                        ;
                return rc;
        }
        if ((rc = pg_copy_begin(s)) < 0)
                return rc;
        while ((rc = c->next(c->payload, &file)) > 0) {
                if ((rc = pg_copy_row(s, &buf, artifact, file)) < 0)
                        break;
                n++;
                if (file->has_size)
                        total += file->size;
        }
        if ((rc = pg_copy_end(s, &buf, rc)) < 0)
                return rc;
        snprintf(count, sizeof(count), "%llu", (unsigned long long)n);
        snprintf(total_text, sizeof(total_text), "%llu",
                 (unsigned long long)(total > INT64_MAX ? INT64_MAX : total));
        p[0] = artifact;
        p[1] = c->content;
        p[2] = count;
        p[3] = total_text;
        return pg_run(s, Q_ARTIFACT_FINISH, 4, p, NULL, "store artifact");
}

static int pg_artifact_put_stream(nereid_store *base, const char *project, const char *hash,
                                  const char *content, store_file_next next, void *payload)
{
        pg_call c = {.project = project,
                     .hash = hash,
                     .content = content,
                     .next = next,
                     .payload = payload,
                     .once = 1};

        return pg_do((pg_store *)base, pg_artifact_stream_body, &c, 1);
}

/* ---- the table view ---- */

static void pg_summaries_free(store_field_summary *f, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free((char *)f[i].field);
                free((char *)f[i].hash);
                free((char *)f[i].content_hash);
        }
        free(f);
}

/* The fields of run row (rows sorted by run then path) into *out. */
static int pg_summaries_of(PGresult *res, long long run, store_field_summary **out, size_t *count)
{
        int lo = 0, hi = PQntuples(res), i;
        store_field_summary *f;
        size_t n = 0;

        *out = NULL;
        *count = 0;
        while (lo < hi) { /* the first row of this run */
                int mid = lo + (hi - lo) / 2;

                if (pg_ll(res, mid, 0) < run)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        for (i = lo; i < PQntuples(res) && pg_ll(res, i, 0) == run; i++)
                n++;
        if (!n)
                return 0;
        if (!(f = nrd_calloc(n, sizeof(*f))))
                return NEREID_ERROR;
        for (i = 0; i < (int)n; i++) {
                f[i].field = nrd_strdup(PQgetvalue(res, lo + i, 1));
                f[i].hash = nrd_strdup(PQgetvalue(res, lo + i, 2));
                f[i].content_hash = nrd_strdup(PQgetvalue(res, lo + i, 3));
                f[i].file_count = (uint64_t)pg_ll(res, lo + i, 4);
                f[i].total_size = (uint64_t)pg_ll(res, lo + i, 5);
                if (!f[i].field || !f[i].hash || !f[i].content_hash) {
                        pg_summaries_free(f, n);
                        return NEREID_ERROR;
                }
        }
        *out = f;
        *count = n;
        return 0;
}

/* One query for the page of runs, one for all their fields. */
static int pg_run_query_body(pg_store *s, pg_call *c)
{
        const store_run_query *q = c->query;
        size_t shape = (size_t)q->sort +
                       5 * (size_t)(!!q->descending +
                                    2 * (!!(q->filter && q->filter[0]) + 2 * !!q->has_after));
        char pid[24], key[16], limit[24], number[24], name[16], sql[1024];
        const char *p[6];
        nereid_buf ids = NEREID_BUF_INIT;
        PGresult *runs = NULL, *fields = NULL;
        store_field_summary *f;
        store_run_info info;
        size_t nf;
        int rc, n = 2, i;

        if ((rc = pg_project(s, c->project, pid, key)) < 0)
                return rc;
        snprintf(limit, sizeof(limit), "%zu", q->limit);
        snprintf(number, sizeof(number), "%llu", (unsigned long long)q->after_number);
        p[0] = pid;
        p[1] = limit;
        if (q->filter && q->filter[0]) {
                p[n++] = key;
                p[n++] = q->filter;
        }
        if (q->has_after && q->sort != STORE_SORT_ID)
                p[n++] = q->after_key;
        if (q->has_after)
                p[n++] = number;
        pg_query_sql(shape, sql, sizeof(sql));
        snprintf(name, sizeof(name), "nrdq%zu", shape);
        if ((rc = pg_run_sql(s, name, sql, &s->query_prepared[shape], n, p, &runs, "query runs")) <
            0)
                return rc;
        nrd_buf_putc(&ids, '{');
        for (i = 0; i < PQntuples(runs); i++)
                nrd_buf_printf(&ids, "%s%s", i ? "," : "", PQgetvalue(runs, i, 9));
        if (nrd_buf_putc(&ids, '}') < 0)
                rc = NEREID_ERROR;
        p[0] = ids.ptr;
        if (rc == 0)
                rc = pg_run(s, Q_SUMMARIES, 1, p, &fields, "list fields");
        for (i = 0; rc == 0 && i < PQntuples(runs); i++) {
                if ((rc = pg_summaries_of(fields, pg_ll(runs, i, 9), &f, &nf)) < 0)
                        break;
                if ((rc = pg_run_fill(runs, i, key, &info)) < 0) {
                        pg_summaries_free(f, nf);
                        break;
                }
                rc = c->row_cb(c->payload, &info, (uint64_t)pg_ll(runs, i, 0), f, nf);
                nrd_store_run_info_clear(&info);
                pg_summaries_free(f, nf);
        }
        nrd_buf_free(&ids);
        PQclear(runs);
        PQclear(fields);
        return rc;
}

static int pg_run_query(nereid_store *base, const char *project, const store_run_query *q,
                        store_run_row_cb cb, void *payload)
{
        pg_call c = {.project = project, .query = q, .row_cb = cb, .payload = payload};

        return pg_do((pg_store *)base, pg_run_query_body, &c, 0);
}

/* ---- reverse lookups ---- */

/* A row of a reverse lookup: run number, field, and the file's path (find). */
static int pg_ref_map(void *ctx, PGresult *res, int i)
{
        pg_call *c = ctx;
        char id[48];

        snprintf(id, sizeof(id), "%s-%s", c->key, PQgetvalue(res, i, 0));
        return c->ref_cb(c->payload, id, PQgetvalue(res, i, 1),
                         PQnfields(res) > 2 ? PQgetvalue(res, i, 2) : NULL);
}

static int pg_field_users_body(pg_store *s, pg_call *c)
{
        char pid[24], key[16], row[24];
        int rc;

        if ((rc = pg_project(s, c->project, pid, key)) < 0 ||
            (rc = pg_artifact(s, pid, c->project, c->hash, row, NULL)) < 0)
                return rc;
        c->key = key;
        return pg_each(s, Q_USERS, "reverse lookup", pg_ref_map, c, PG_ARGS(row));
}

static int pg_field_users(nereid_store *base, const char *project, const char *hash,
                          store_ref_cb cb, void *payload)
{
        pg_call c = {.project = project, .hash = hash, .ref_cb = cb, .payload = payload};

        return pg_do((pg_store *)base, pg_field_users_body, &c, 0);
}

static int pg_file_find_body(pg_store *s, pg_call *c)
{
        char pid[24], key[16];
        int rc;

        if ((rc = pg_project(s, c->project, pid, key)) < 0)
                return rc;
        c->key = key;
        return pg_each(s, Q_FIND, "reverse lookup", pg_ref_map, c, PG_ARGS(pid, c->hash));
}

static int pg_file_find(nereid_store *base, const char *project, const char *file_hash,
                        store_ref_cb cb, void *payload)
{
        pg_call c = {.project = project, .hash = file_hash, .ref_cb = cb, .payload = payload};

        return pg_do((pg_store *)base, pg_file_find_body, &c, 0);
}

/* ---- tokens and settings ---- */

static int pg_token_create_body(pg_store *s, pg_call *c)
{
        const store_token *t = c->token;
        char role[16], now[32];
        char id[24];
        pg_cols cols = {{id}, {sizeof(id)}};
        int rc;

        snprintf(role, sizeof(role), "%d", t->role);
        nrd_fs_now_iso8601(now);
        rc = pg_first(s, Q_TOKEN_INSERT, "create token", pg_pick, &cols,
                      PG_ARGS(t->name, t->project, role, t->hash, now, t->expires));
        if (rc == PG_NONE)
                return nrd_error(NEREID_EEXISTS, "token: one with this hash exists already");
        if (rc == 0)
                *c->id_ptr = (uint64_t)strtoull(id, NULL, 10);
        return rc;
}

static int pg_token_create(nereid_store *base, const store_token *token, uint64_t *id_out)
{
        pg_call c = {0};
        int rc;

        *id_out = 0;
        c.token = token;
        c.id_ptr = id_out;
        rc = pg_do((pg_store *)base, pg_token_create_body, &c, 1);
        if (rc < 0)
                *id_out = 0;
        return rc;
}

static int pg_token_fill(PGresult *res, int i, store_token *t)
{
        memset(t, 0, sizeof(*t));
        t->id = (uint64_t)pg_ll(res, i, 0);
        t->name = nrd_strdup(PQgetvalue(res, i, 1));
        t->project = nrd_strdup(PQgetvalue(res, i, 2));
        t->role = (int)pg_ll(res, i, 3);
        snprintf(t->hash, sizeof(t->hash), "%s", PQgetvalue(res, i, 4));
        snprintf(t->created, sizeof(t->created), "%s", PQgetvalue(res, i, 5));
        snprintf(t->expires, sizeof(t->expires), "%s", PQgetvalue(res, i, 6));
        snprintf(t->last_used, sizeof(t->last_used), "%s", PQgetvalue(res, i, 7));
        t->revoked = pg_ll(res, i, 8) != 0;
        if (!t->name || !t->project) {
                nrd_store_token_clear(t);
                return NEREID_ERROR;
        }
        return 0;
}

static int pg_token_map(void *ctx, PGresult *res, int i)
{
        return pg_token_fill(res, i, ctx);
}

static int pg_token_find_body(pg_store *s, pg_call *c)
{
        int rc = pg_first(s, Q_TOKEN_BY_HASH, "read token", pg_token_map, c->token_out,
                          PG_ARGS(c->hash));

        return rc == PG_NONE ? nrd_error(NEREID_ENOTFOUND, "token: not found") : rc;
}

static int pg_token_find_by_hash(nereid_store *base, const char *hash, store_token *out)
{
        pg_call c = {0};

        memset(out, 0, sizeof(*out));
        c.hash = hash;
        c.token_out = out;
        return pg_do((pg_store *)base, pg_token_find_body, &c, 0);
}

static int pg_token_each_map(void *ctx, PGresult *res, int i)
{
        pg_call *c = ctx;
        store_token t;
        int rc;

        if ((rc = pg_token_fill(res, i, &t)) < 0)
                return rc;
        rc = c->token_cb(c->payload, &t);
        nrd_store_token_clear(&t);
        return rc;
}

static int pg_token_each_body(pg_store *s, pg_call *c)
{
        return pg_each(s, Q_TOKEN_EACH, "list tokens", pg_token_each_map, c, PG_NO_ARGS);
}

static int pg_token_each(nereid_store *base, store_token_cb cb, void *payload)
{
        pg_call c = {.token_cb = cb, .payload = payload};

        return pg_do((pg_store *)base, pg_token_each_body, &c, 0);
}

/* c->key is the statement (as text of its enum), c->text its second parameter. */
static int pg_token_update_body(pg_store *s, pg_call *c)
{
        char id[24];
        int rc;

        snprintf(id, sizeof(id), "%lld", c->id > INT64_MAX ? -1LL : (long long)c->id);
        rc = c->text
                 ? pg_first(s, Q_TOKEN_TOUCH, "update token", pg_found, NULL, PG_ARGS(id, c->text))
                 : pg_first(s, Q_TOKEN_REVOKE, "update token", pg_found, NULL, PG_ARGS(id));
        return rc == PG_NONE
                   ? nrd_error(NEREID_ENOTFOUND, "token %llu: not found", (unsigned long long)c->id)
                   : rc;
}

static int pg_token_revoke(nereid_store *base, uint64_t id)
{
        pg_call c = {.id = id};

        return pg_do((pg_store *)base, pg_token_update_body, &c, 1);
}

static int pg_token_touch(nereid_store *base, uint64_t id, const char *when)
{
        pg_call c = {0};
        char now[32];

        if (!when) {
                nrd_fs_now_iso8601(now);
                when = now;
        }
        c.id = id;
        c.text = when;
        return pg_do((pg_store *)base, pg_token_update_body, &c, 1);
}

/* A pg_map that copies the row's first column into *(char **)ctx. */
static int pg_strdup_map(void *ctx, PGresult *res, int i)
{
        return (*(char **)ctx = nrd_strdup(PQgetvalue(res, i, 0))) ? 0 : NEREID_ERROR;
}

static int pg_meta_get_body(pg_store *s, pg_call *c)
{
        int rc =
            pg_first(s, Q_META_GET, "read setting", pg_strdup_map, c->value_out, PG_ARGS(c->key));

        return rc == PG_NONE ? nrd_error(NEREID_ENOTFOUND, "store setting %s: not set", c->key)
                             : rc;
}

static int pg_meta_get(nereid_store *base, const char *key, char **value_out)
{
        pg_call c = {0};

        *value_out = NULL;
        c.key = key;
        c.value_out = value_out;
        return pg_do((pg_store *)base, pg_meta_get_body, &c, 0);
}

static int pg_meta_set_body(pg_store *s, pg_call *c)
{
        return pg_exec(s, Q_META_SET, "write setting", PG_ARGS(c->key, c->text));
}

static int pg_meta_set(nereid_store *base, const char *key, const char *value)
{
        pg_call c = {.key = key, .text = value};

        return pg_do((pg_store *)base, pg_meta_set_body, &c, 1);
}

/* ---- open and close ---- */

static int pg_can_write_body(pg_store *s, pg_call *c)
{
        (void)s;
        (void)c;
        return 0;
}

/* Writable when a connection opens (it made or checked the schema). */
static int pg_can_write(nereid_store *base)
{
        pg_call c = {0};

        return pg_do((pg_store *)base, pg_can_write_body, &c, 0);
}

/* The location without its password, for messages: "user:secret@" becomes
 * "user:***@", and a password=... parameter's value "***". */
static char *pg_label(const char *uri)
{
        nereid_buf buf = NEREID_BUF_INIT;
        const char *auth = strstr(uri, "://"), *end, *at, *colon, *p;

        if (!auth)
                return nrd_strdup("postgres://...");
        auth += 3;
        end = auth + strcspn(auth, "/?#");
        at = memchr(auth, '@', (size_t)(end - auth));
        colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
        p = uri;
        if (colon) {
                nrd_buf_put(&buf, uri, (size_t)(colon - uri));
                nrd_buf_puts(&buf, ":***");
                p = at;
        }
        while (*p) {
                if (strncmp(p, "password=", 9) == 0 && (p == uri || p[-1] == '?' || p[-1] == '&')) {
                        nrd_buf_puts(&buf, "password=***");
                        p += 9;
                        p += strcspn(p, "&#");
                        continue;
                }
                nrd_buf_putc(&buf, *p++);
        }
        return nrd_buf_detach(&buf);
}

static int pg_open(nereid_store **out, const char *location, int mode)
{
        pg_store *s;
        PQconninfoOption *opts;
        char *err = NULL, msg[512];

        *out = NULL;
        /* Only the location's syntax now: the first call connects. */
        opts = PQconninfoParse(location, &err);
        if (!opts) {
                char *label = pg_label(location);

                pg_message(err ? err : "out of memory", msg, sizeof(msg));
                PQfreemem(err);
                nrd_error(NEREID_EINVALID, "store %s: not a PostgreSQL location: %s",
                          label ? label : "postgres://...", msg);
                free(label);
                return NEREID_EINVALID;
        }
        PQconninfoFree(opts);
        if (!(s = nrd_calloc(1, sizeof(*s))))
                return NEREID_ERROR;
        s->base.ops = &nrd_store_postgres_ops;
        s->mode = mode;
        s->uri = nrd_strdup(location);
        s->label = pg_label(location);
        if (!s->uri || !s->label) {
                free(s->uri);
                free(s->label);
                free(s);
                return NEREID_ERROR;
        }
        *out = &s->base;
        return 0;
}

static void pg_close(nereid_store *base)
{
        pg_store *s = (pg_store *)base;

        if (!s)
                return;
        PQfinish(s->conn);
        free(s->uri);
        free(s->label);
        free(s);
}

static const char *const pg_schemes[] = {"postgres", "postgresql", NULL};

const store_ops nrd_store_postgres_ops = {
    .version = NEREID_STORE_VERSION,
    .name = "postgres",
    .schemes = pg_schemes,
    .caps = 0,
    .open = pg_open,
    .close = pg_close,
    .can_write = pg_can_write,
    .project_open = pg_project_open,
    .project_each = pg_project_each,
    .run_create = NULL,
    .run_info = pg_run_info,
    .run_each = pg_run_each,
    .field_each = pg_field_each,
    .field_get = pg_field_get,
    .field_roots = pg_field_roots,
    .field_swap = pg_field_swap,
    .field_remove = pg_field_remove,
    .artifact_put = pg_artifact_put,
    .artifact_content_hash = pg_artifact_content_hash,
    .artifact_each = pg_artifact_each,
    .field_users = pg_field_users,
    .file_find = pg_file_find,
    .run_new = pg_run_new,
    .artifact_page = pg_artifact_page,
    .token_create = pg_token_create,
    .token_find_by_hash = pg_token_find_by_hash,
    .token_each = pg_token_each,
    .token_revoke = pg_token_revoke,
    .token_touch = pg_token_touch,
    .meta_get = pg_meta_get,
    .meta_set = pg_meta_set,
    .run_query = pg_run_query,
    .artifact_put_stream = pg_artifact_put_stream,
    .op_apply = pg_op_apply,
};
