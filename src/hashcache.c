/*
 * hashcache.c - the MD5 cache of local files in NEREID_HOME/hashcache.db,
 * a SQLite file of its own (WAL, so readers never wait for a writer; a busy
 * timeout, and statements retried where SQLite will not wait, so concurrent
 * nereid processes wait for each other rather than fail, even while the
 * file is first created). Lookups go through one prepared statement; puts
 * are queued in memory and written by nrd_hashcache_commit() in one
 * transaction, so hashing a folder of a million files costs one fsync.
 * Not a store: it holds no project data, and losing it only costs
 * re-reading files. So it never fails a track: a cache that cannot be
 * used is reported once through the warning callback and then left alone
 * (lookups miss, puts are dropped), and a corrupt one is emptied and
 * rebuilt.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sqlite3.h>
#include "buf.h"
#include "error.h"
#include "hashcache.h"
#include "os/os.h"
#include "sqlwait.h"

#define HASHCACHE_FILE    "hashcache.db"
#define HASHCACHE_BUSY_MS 10000
#define HASHCACHE_NS      1000000000LL
/* What the user is told when the cache is left alone for this command. */
#define HASHCACHE_WITHOUT "going on without it (files are hashed again)"

struct hashcache_entry {
        char *path;
        int64_t dev, ino, size, mtime_ns, ctime_ns, written_ns;
        char md5[NEREID_MD5_HEXLEN + 1];
};

struct hashcache {
        char *file;         /* the cache file's path, for messages */
        sqlite3 *db;        /* NULL: an empty cache (no file, or unusable) */
        sqlite3_stmt *find; /* the lookup statement */
        int writable;
        int reading;            /* a read transaction spans the lookups */
        int empty;              /* nothing to look up: the first track with this cache */
        int rebuild;            /* found corrupt in use: no lookups; commit empties it first */
        int warned;             /* the one warning of this handle was given */
        char why[512];          /* the last failure, "what: SQLite's message" */
        int why_code;           /* its primary SQLite result code */
        hashcache_warn_fn warn; /* where warnings go (may be NULL) */
        void *payload;          /* passed to warn */
        /* Puts may come from worker threads; the queue is guarded here. */
        pthread_mutex_t lock;
        struct hashcache_entry *queue;
        size_t queued, cap;
};

static int64_t hashcache_mtime_ns(const struct stat *st)
{
        return nrd_os_mtime_ns(st);
}

static int64_t hashcache_ctime_ns(const struct stat *st)
{
        return nrd_os_ctime_ns(st);
}

/* The whole second of a time in ns, rounding down also before 1970. */
static int64_t hashcache_second(int64_t ns)
{
        int64_t s = ns / HASHCACHE_NS;

        return (ns % HASHCACHE_NS < 0) ? s - 1 : s;
}

/* Remember why a step failed: "what: SQLite's message", with the system's
 * reason when SQLite has one. Returns -1. */
static int hashcache_fail(hashcache *cache, const char *what)
{
        int sys = cache->db ? sqlite3_system_errno(cache->db) : 0;
        int code = cache->db ? sqlite3_errcode(cache->db) : SQLITE_CANTOPEN;
        char text[200];

        cache->why_code = code & 0xff;
        if (sys && (cache->why_code == SQLITE_CANTOPEN || cache->why_code == SQLITE_IOERR))
                snprintf(cache->why, sizeof(cache->why), "%s: %s: %s", what,
                         sqlite3_errmsg(cache->db), nrd_strerror(sys, text, sizeof(text)));
        else
                snprintf(cache->why, sizeof(cache->why), "%s: %s", what,
                         cache->db ? sqlite3_errmsg(cache->db) : sqlite3_errstr(code));
        return -1;
}

/* The one warning of this handle: "hash cache FILE: WHY; THEN". */
static void hashcache_warn(hashcache *cache, const char *then)
{
        char message[1024];

        if (cache->warned || !cache->warn)
                return;
        cache->warned = 1;
        snprintf(message, sizeof(message), "hash cache %s: %s; %s", cache->file, cache->why, then);
        cache->warn(cache->payload, message);
}

/* Leave the cache alone for the rest of this handle's life, with a
 * warning ending in then: lookups miss and puts are dropped. */
static void hashcache_give_up(hashcache *cache, const char *then)
{
        hashcache_warn(cache, then);
        sqlite3_finalize(cache->find);
        cache->find = NULL;
        sqlite3_close(cache->db);
        cache->db = NULL;
        cache->writable = 0;
        cache->reading = 0;
        cache->rebuild = 0;
}

/* A failure that means the file's content is damaged, not that it could
 * not be reached: only such a cache is emptied and rebuilt. */
static int hashcache_is_corrupt(int code)
{
        return code == SQLITE_CORRUPT || code == SQLITE_NOTADB;
}

/* Run sql, waiting for other processes; what names the step in messages. */
static int hashcache_exec(hashcache *cache, const char *sql, const char *what)
{
        if (nrd_sqlwait_exec(cache->db, sql, HASHCACHE_BUSY_MS) != SQLITE_OK)
                return hashcache_fail(cache, what);
        return 0;
}

static int hashcache_setup(hashcache *cache)
{
        static const char schema[] = "CREATE TABLE IF NOT EXISTS hashcache ("
                                     "path TEXT PRIMARY KEY NOT NULL,"
                                     " dev INTEGER NOT NULL, ino INTEGER NOT NULL,"
                                     " size INTEGER NOT NULL,"
                                     " mtime_ns INTEGER NOT NULL, ctime_ns INTEGER NOT NULL,"
                                     " md5 TEXT NOT NULL, written_ns INTEGER NOT NULL"
                                     ") WITHOUT ROWID";

        /* A new file gets 16 KiB pages (a first track writes 100,000
         * entries in about half the time of 4 KiB pages); a no-op on a
         * file that has pages. */
        static const char wal[] = "PRAGMA page_size=16384; PRAGMA journal_mode=WAL";

        /* Switching a new file to WAL needs the write lock after reading
         * the header, where SQLite answers busy at once: hashcache_exec
         * runs it again until the other process is done. */
        /* Temporary data in memory: a write's INSERT of many rows keeps a
         * statement journal (the rows it changed, in case it fails midway),
         * which SQLite otherwise spills to a file in /var/tmp. */
        if (hashcache_exec(cache, wal, "setting up") < 0 ||
            hashcache_exec(cache, "PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY",
                           "setting up") < 0 ||
            hashcache_exec(cache, schema, "setting up") < 0)
                return -1;
        return 0;
}

/* Empty a damaged cache file in place and set it up again. SQLite's own
 * reset works on any content and takes the usual locks, so another process
 * using the file at the same moment only sees an empty cache. A symbolic
 * link in the file's place is left alone (it could lead to the store). */
static int hashcache_reset(hashcache *cache)
{
        struct stat st;
        int rc;

        /* Only the cache's own file: never what a link there points to. */
        if (lstat(cache->file, &st) < 0 || !S_ISREG(st.st_mode))
                return -1;
        sqlite3_finalize(cache->find);
        cache->find = NULL;
        if (!sqlite3_get_autocommit(cache->db))
                sqlite3_exec(cache->db, "ROLLBACK", NULL, NULL, NULL);
        cache->reading = 0;
        sqlite3_db_config(cache->db, SQLITE_DBCONFIG_RESET_DATABASE, 1, NULL);
        rc = hashcache_exec(cache, "VACUUM", "emptying");
        sqlite3_db_config(cache->db, SQLITE_DBCONFIG_RESET_DATABASE, 0, NULL);
        if (rc < 0 || hashcache_setup(cache) < 0)
                return -1;
        cache->empty = 1;
        cache->rebuild = 0;
        return 0;
}

/* 1 when the read-only cache has its table, 0 when the file was never set
 * up (an empty cache), -1 on failure. */
static int hashcache_has_table(hashcache *cache)
{
        sqlite3_stmt *stmt = NULL;
        int rc;

        if (sqlite3_prepare_v2(cache->db,
                               "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = "
                               "'hashcache'",
                               -1, &stmt, NULL) != SQLITE_OK)
                return hashcache_fail(cache, "reading the schema");
        rc = sqlite3_step(stmt);
        sqlite3_finalize(stmt);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
                return hashcache_fail(cache, "reading the schema");
        return rc == SQLITE_ROW;
}

/* 1 when the cache holds no entry: lookups are then skipped, which saves a
 * B-tree search per file on a first (cold) track. -1 on failure. */
static int hashcache_is_empty(hashcache *cache)
{
        sqlite3_stmt *any = NULL;
        int rc;

        if (sqlite3_prepare_v2(cache->db, "SELECT 1 FROM hashcache LIMIT 1", -1, &any, NULL) !=
            SQLITE_OK)
                return hashcache_fail(cache, "reading");
        rc = sqlite3_step(any);
        sqlite3_finalize(any);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
                return hashcache_fail(cache, "reading");
        return rc == SQLITE_DONE;
}

/* Prepare the lookup and see whether there is anything to look up. */
static int hashcache_prepare(hashcache *cache)
{
        int rc;

        if (sqlite3_prepare_v3(cache->db,
                               "SELECT dev, ino, size, mtime_ns, ctime_ns, md5, written_ns"
                               " FROM hashcache WHERE path = ?1",
                               -1, SQLITE_PREPARE_PERSISTENT, &cache->find, NULL) != SQLITE_OK)
                return hashcache_fail(cache, "preparing the lookup");
        if ((rc = hashcache_is_empty(cache)) < 0)
                return -1;
        cache->empty = rc;
        return 0;
}

/* Open the file and get it ready for lookups: 0, or -1 with cache->why
 * set (cache->db may then be open, for a reset). A read-only cache whose
 * file was never set up is left closed: an empty cache. */
static int hashcache_connect(hashcache *cache)
{
        int flags, rc;

        flags = cache->writable ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
        if (sqlite3_open_v2(cache->file, &cache->db, flags | SQLITE_OPEN_NOMUTEX, NULL) !=
            SQLITE_OK)
                return hashcache_fail(cache, "open");
        sqlite3_busy_timeout(cache->db, HASHCACHE_BUSY_MS);
        if (cache->writable) {
                if (hashcache_setup(cache) < 0)
                        return -1;
        } else {
                rc = hashcache_has_table(cache);
                if (rc <= 0) {
                        if (rc == 0) {
                                sqlite3_close(cache->db);
                                cache->db = NULL;
                        }
                        return rc;
                }
        }
        return hashcache_prepare(cache);
}

int nrd_hashcache_open(hashcache **out, const char *home, int writable, hashcache_warn_fn warn,
                       void *payload)
{
        hashcache *cache = NULL;
        nereid_buf file = NEREID_BUF_INIT;
        struct stat st;
        char text[200];
        int error = NEREID_ERROR, rc;

        *out = NULL;
        if (nrd_buf_printf(&file, "%s/%s", home, HASHCACHE_FILE) < 0)
                goto cleanup;
        cache = nrd_calloc(1, sizeof(*cache));
        if (!cache) {
                error = nrd_error_oom();
                goto cleanup;
        }
        if (pthread_mutex_init(&cache->lock, NULL) != 0) {
                free(cache);
                cache = NULL;
                error = nrd_error(NEREID_ERROR, "hash cache %s: cannot create a lock", file.ptr);
                goto cleanup;
        }
        cache->file = nrd_buf_detach(&file);
        cache->writable = writable;
        cache->warn = warn;
        cache->payload = payload;
        error = 0;
        /* Read-only use creates nothing: no file is an empty cache. */
        if (!writable && stat(cache->file, &st) < 0) {
                if (errno != ENOENT) {
                        snprintf(cache->why, sizeof(cache->why), "%s",
                                 nrd_strerror(errno, text, sizeof(text)));
                        hashcache_give_up(cache, HASHCACHE_WITHOUT);
                }
                goto done;
        }
        if (writable && mkdir(home, 0700) < 0 && errno != EEXIST) {
                snprintf(cache->why, sizeof(cache->why), "creating the folder: %s",
                         nrd_strerror(errno, text, sizeof(text)));
                hashcache_give_up(cache, HASHCACHE_WITHOUT);
                goto done;
        }
        if (hashcache_connect(cache) == 0)
                goto done;
        /* A damaged file is emptied and built again; the warning says what
         * was wrong with it. */
        if (writable && cache->db && hashcache_is_corrupt(cache->why_code)) {
                char why[sizeof(cache->why)];

                memcpy(why, cache->why, sizeof(why));
                rc = hashcache_reset(cache) == 0 ? hashcache_prepare(cache) : -1;
                memcpy(cache->why, why, sizeof(why));
                if (rc == 0) {
                        hashcache_warn(cache, "emptied, to be built again");
                        goto done;
                }
        }
        hashcache_give_up(cache, HASHCACHE_WITHOUT);
done:
        *out = cache;
        cache = NULL;
cleanup:
        nrd_hashcache_free(cache);
        nrd_buf_free(&file);
        return error;
}

static void hashcache_clear_queue(hashcache *cache)
{
        size_t i;

        for (i = 0; i < cache->queued; i++)
                free(cache->queue[i].path);
        cache->queued = 0;
}

void nrd_hashcache_free(hashcache *cache)
{
        if (!cache)
                return;
        hashcache_clear_queue(cache);
        free(cache->queue);
        sqlite3_finalize(cache->find);
        sqlite3_close(cache->db);
        pthread_mutex_destroy(&cache->lock);
        free(cache->file);
        free(cache);
}

int nrd_hashcache_empty(const hashcache *cache)
{
        return !cache->db || cache->empty || cache->rebuild;
}

/* A lookup failed (its message is in cache->why): no more lookups through
 * this handle. A damaged file is emptied by the commit, before it writes
 * what was hashed; any other trouble leaves the cache alone. */
static int hashcache_lookup_failed(hashcache *cache)
{
        if (!sqlite3_get_autocommit(cache->db))
                sqlite3_exec(cache->db, "ROLLBACK", NULL, NULL, NULL);
        cache->reading = 0;
        if (cache->writable && hashcache_is_corrupt(cache->why_code)) {
                cache->rebuild = 1;
                hashcache_warn(cache, "it will be emptied and built again");
        } else {
                hashcache_give_up(cache, HASHCACHE_WITHOUT);
        }
        return 0;
}

int nrd_hashcache_lookup(hashcache *cache, const char *path, const struct stat *st,
                         char md5_out[NEREID_MD5_HEXLEN + 1])
{
        const unsigned char *md5;
        int64_t mtime_ns, ctime_ns, changed, written_ns;
        int rc, found = 0;

        md5_out[0] = '\0';
        if (!cache->db || cache->empty || cache->rebuild)
                return 0;
        /* One read transaction for a whole series of lookups: in autocommit
         * mode every lookup would take and drop the file locks. */
        if (!cache->reading) {
                if (hashcache_exec(cache, "BEGIN", "lookup") < 0)
                        return hashcache_lookup_failed(cache);
                cache->reading = 1;
        }
        if (sqlite3_bind_text(cache->find, 1, path, -1, SQLITE_STATIC) != SQLITE_OK) {
                hashcache_fail(cache, "lookup");
                sqlite3_clear_bindings(cache->find);
                return hashcache_lookup_failed(cache);
        }
        rc = sqlite3_step(cache->find);
        if (rc == SQLITE_DONE) {
                rc = 0;
                goto cleanup;
        }
        if (rc != SQLITE_ROW) {
                hashcache_fail(cache, "lookup");
                sqlite3_reset(cache->find);
                sqlite3_clear_bindings(cache->find);
                return hashcache_lookup_failed(cache);
        }
        mtime_ns = hashcache_mtime_ns(st);
        ctime_ns = hashcache_ctime_ns(st);
        changed = mtime_ns > ctime_ns ? mtime_ns : ctime_ns;
        written_ns = sqlite3_column_int64(cache->find, 6);
        md5 = sqlite3_column_text(cache->find, 5);
        /* Trusted only when the file is what it was, and it was last touched
         * in an earlier second than the entry was written: a change within the
         * same second could leave every timestamp as it was. */
        if (sqlite3_column_int64(cache->find, 0) == (int64_t)st->st_dev &&
            sqlite3_column_int64(cache->find, 1) == (int64_t)st->st_ino &&
            sqlite3_column_int64(cache->find, 2) == (int64_t)st->st_size &&
            sqlite3_column_int64(cache->find, 3) == mtime_ns &&
            sqlite3_column_int64(cache->find, 4) == ctime_ns &&
            hashcache_second(changed) < hashcache_second(written_ns) &&
            nrd_hash_is_md5((const char *)md5)) {
                memcpy(md5_out, md5, NEREID_MD5_HEXLEN + 1);
                found = 1;
        }
        rc = found;
cleanup:
        sqlite3_reset(cache->find);
        sqlite3_clear_bindings(cache->find);
        return rc;
}

int nrd_hashcache_put(hashcache *cache, const char *path, const struct stat *st, const char *md5,
                      int64_t written_ns)
{
        struct hashcache_entry *entry, *grown;
        size_t cap;
        char *copy;
        int error = 0;

        if (!nrd_hash_is_md5(md5))
                return nrd_error(NEREID_EINVALID, "hash cache %s: %s: not an MD5: %s", cache->file,
                                 path, md5 ? md5 : "(null)");
        if (!cache->writable)
                return 0;
        copy = nrd_strdup(path);
        if (!copy)
                return NEREID_ERROR;
        pthread_mutex_lock(&cache->lock);
        if (cache->queued == cache->cap) {
                cap = cache->cap ? cache->cap * 2 : 256;
                grown = cap <= SIZE_MAX / sizeof(*grown)
                            ? nrd_realloc_array(cache->queue, cap, sizeof(*grown))
                            : NULL;
                if (!grown) {
                        error = nrd_error_oom();
                        free(copy);
                        goto cleanup;
                }
                cache->queue = grown;
                cache->cap = cap;
        }
        entry = &cache->queue[cache->queued++];
        entry->path = copy;
        entry->dev = (int64_t)st->st_dev;
        entry->ino = (int64_t)st->st_ino;
        entry->size = (int64_t)st->st_size;
        entry->mtime_ns = hashcache_mtime_ns(st);
        entry->ctime_ns = hashcache_ctime_ns(st);
        entry->written_ns = written_ns;
        memcpy(entry->md5, md5, sizeof(entry->md5));
cleanup:
        pthread_mutex_unlock(&cache->lock);
        return error;
}

/* Entries written by one INSERT: one statement carries many rows, so that
 * SQLite keeps its cursor on the table from one to the next (100,000
 * entries: about a third less time than an INSERT each). Fewer when the
 * SQLite in use allows fewer than 8 parameters a row (before 3.32 the
 * default limit was 999): hashcache_batch_rows. */
#define HASHCACHE_WRITE_ROWS 128
#define HASHCACHE_COLUMNS    8

static size_t hashcache_batch_rows(hashcache *cache)
{
        int limit = sqlite3_limit(cache->db, SQLITE_LIMIT_VARIABLE_NUMBER, -1);
        size_t rows = limit > 0 ? (size_t)limit / HASHCACHE_COLUMNS : 1;

        return rows < 1 ? 1 : rows > HASHCACHE_WRITE_ROWS ? HASHCACHE_WRITE_ROWS : rows;
}

/* The INSERT of rows entries (at most HASHCACHE_WRITE_ROWS), or NULL
 * (cache->why set). */
static sqlite3_stmt *hashcache_prepare_write(hashcache *cache, size_t rows)
{
        static const char head[] = "INSERT INTO hashcache (path, dev, ino, size, mtime_ns,"
                                   " ctime_ns, md5, written_ns) VALUES ";
        static const char row[] = ",(?,?,?,?,?,?,?,?)";
        static const char tail[] = " ON CONFLICT (path) DO UPDATE SET"
                                   " dev = excluded.dev, ino = excluded.ino,"
                                   " size = excluded.size, mtime_ns = excluded.mtime_ns,"
                                   " ctime_ns = excluded.ctime_ns, md5 = excluded.md5,"
                                   " written_ns = excluded.written_ns";
        char sql[sizeof(head) + HASHCACHE_WRITE_ROWS * (sizeof(row) - 1) + sizeof(tail)];
        sqlite3_stmt *stmt = NULL;
        size_t len = sizeof(head) - 1, i;

        memcpy(sql, head, len);
        for (i = 0; i < rows; i++) {
                /* The first row without its comma. */
                memcpy(sql + len, row + (i == 0), sizeof(row) - 1 - (i == 0));
                len += sizeof(row) - 1 - (i == 0);
        }
        memcpy(sql + len, tail, sizeof(tail));
        len += sizeof(tail) - 1;
        if (sqlite3_prepare_v2(cache->db, sql, (int)len, &stmt, NULL) != SQLITE_OK) {
                sqlite3_finalize(stmt);
                stmt = NULL;
                hashcache_fail(cache, "preparing the write");
        }
        return stmt;
}

/* Write count entries with stmt, an INSERT of that many rows. */
static int hashcache_write_rows(hashcache *cache, sqlite3_stmt *stmt,
                                const struct hashcache_entry *e, size_t count)
{
        size_t i;
        int at, rc;

        for (i = 0; i < count; i++, e++) {
                at = (int)(i * HASHCACHE_COLUMNS);
                if (sqlite3_bind_text(stmt, at + 1, e->path, -1, SQLITE_STATIC) != SQLITE_OK ||
                    sqlite3_bind_int64(stmt, at + 2, e->dev) != SQLITE_OK ||
                    sqlite3_bind_int64(stmt, at + 3, e->ino) != SQLITE_OK ||
                    sqlite3_bind_int64(stmt, at + 4, e->size) != SQLITE_OK ||
                    sqlite3_bind_int64(stmt, at + 5, e->mtime_ns) != SQLITE_OK ||
                    sqlite3_bind_int64(stmt, at + 6, e->ctime_ns) != SQLITE_OK ||
                    sqlite3_bind_text(stmt, at + 7, e->md5, -1, SQLITE_STATIC) != SQLITE_OK ||
                    sqlite3_bind_int64(stmt, at + 8, e->written_ns) != SQLITE_OK)
                        return hashcache_fail(cache, "writing an entry");
        }
        rc = sqlite3_step(stmt);
        if (rc != SQLITE_DONE) {
                hashcache_fail(cache, "writing an entry");
                sqlite3_reset(stmt);
                return -1;
        }
        sqlite3_reset(stmt);
        return 0;
}

/* By path; a path put twice (a file given twice to one scan), the later
 * written last, so that it is the one kept whatever the sort. */
static int hashcache_entry_compare(const void *a, const void *b)
{
        const struct hashcache_entry *ea = a, *eb = b;
        int c = strcmp(ea->path, eb->path);

        if (c)
                return c;
        return ea->written_ns < eb->written_ns ? -1 : ea->written_ns > eb->written_ns;
}

/* End the read transaction of the lookups, if one is open. */
static void hashcache_end_reading(hashcache *cache)
{
        if (cache->reading) {
                sqlite3_exec(cache->db, "COMMIT", NULL, NULL, NULL);
                cache->reading = 0;
        }
}

/* Write every queued entry in one transaction: 0, or -1 with cache->why
 * set and nothing written. */
static int hashcache_write(hashcache *cache)
{
        sqlite3_stmt *full = NULL, *last = NULL;
        size_t at, batch = hashcache_batch_rows(cache), tail = cache->queued % batch;
        int error = -1, begun = 0;

        if ((cache->queued >= batch && !(full = hashcache_prepare_write(cache, batch))) ||
            (tail && !(last = hashcache_prepare_write(cache, tail))))
                goto cleanup;
        /* In key order, each insert lands next to the previous one in the
         * B-tree: far fewer pages touched than in walk order. */
        qsort(cache->queue, cache->queued, sizeof(*cache->queue), hashcache_entry_compare);
        /* IMMEDIATE takes the write lock now, so the busy timeout applies
         * here rather than a deadlock surfacing at the first write. */
        if (hashcache_exec(cache, "BEGIN IMMEDIATE", "writing") < 0)
                goto cleanup;
        begun = 1;
        for (at = 0; at + batch <= cache->queued; at += batch)
                if (hashcache_write_rows(cache, full, &cache->queue[at], batch) < 0)
                        goto cleanup;
        if (tail && hashcache_write_rows(cache, last, &cache->queue[at], tail) < 0)
                goto cleanup;
        if (hashcache_exec(cache, "COMMIT", "writing") < 0)
                goto cleanup;
        begun = 0;
        error = 0;
cleanup:
        if (begun || !sqlite3_get_autocommit(cache->db))
                sqlite3_exec(cache->db, "ROLLBACK", NULL, NULL, NULL);
        sqlite3_finalize(full);
        sqlite3_finalize(last);
        return error;
}

int nrd_hashcache_commit(hashcache *cache)
{
        int rc;

        pthread_mutex_lock(&cache->lock);
        if (!cache->db)
                goto cleanup;
        hashcache_end_reading(cache);
        if (!cache->writable)
                goto cleanup;
        /* A file found damaged by a lookup is emptied first; one found
         * damaged by this write is emptied, and the write tried again. */
        rc = cache->rebuild ? hashcache_reset(cache) : 0;
        if (rc == 0 && cache->queued) {
                rc = hashcache_write(cache);
                if (rc < 0 && hashcache_is_corrupt(cache->why_code)) {
                        char why[sizeof(cache->why)];

                        memcpy(why, cache->why, sizeof(why));
                        rc = hashcache_reset(cache) == 0 ? hashcache_write(cache) : -1;
                        memcpy(cache->why, why, sizeof(why));
                        if (rc == 0)
                                hashcache_warn(cache, "emptied and built again");
                }
        }
        if (rc < 0)
                hashcache_give_up(cache, "not written (files are hashed again next time)");
        else if (cache->queued)
                cache->empty = 0;
cleanup:
        hashcache_clear_queue(cache);
        pthread_mutex_unlock(&cache->lock);
        return 0;
}
