/*
 * hashcache.c - the MD5 cache of local files in NEREID_HOME/hashcache.db,
 * a SQLite file of its own (WAL, so readers never wait for a writer; a busy
 * timeout, so concurrent nereid processes wait for each other rather than
 * fail). Lookups go through one prepared statement; puts are queued in
 * memory and written by hashcache_commit() in one transaction, so hashing a
 * folder of a million files costs one fsync. Not a store: it holds no
 * project data, and losing it only costs re-reading files.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sqlite3.h>
#include "buf.h"
#include "error.h"
#include "hashcache.h"

#define HASHCACHE_FILE    "hashcache.db"
#define HASHCACHE_BUSY_MS 10000
#define HASHCACHE_NS      1000000000LL

struct hashcache_entry {
        char *path;
        int64_t dev, ino, size, mtime_ns, ctime_ns, written_ns;
        char md5[NEREID_MD5_HEXLEN + 1];
};

struct hashcache {
        char *file;         /* the cache file's path, for messages */
        sqlite3 *db;        /* NULL: an empty read-only cache (no file) */
        sqlite3_stmt *find; /* the lookup statement */
        int writable;
        int reading; /* a read transaction spans the lookups */
        int empty;   /* nothing to look up: the first track with this cache */
        /* Puts may come from worker threads; the queue is guarded here. */
        pthread_mutex_t lock;
        struct hashcache_entry *queue;
        size_t queued, cap;
};

static int64_t hashcache_mtime_ns(const struct stat *st)
{
        return (int64_t)st->st_mtim.tv_sec * HASHCACHE_NS + (int64_t)st->st_mtim.tv_nsec;
}

static int64_t hashcache_ctime_ns(const struct stat *st)
{
        return (int64_t)st->st_ctim.tv_sec * HASHCACHE_NS + (int64_t)st->st_ctim.tv_nsec;
}

/* The whole second of a time in ns, rounding down also before 1970. */
static int64_t hashcache_second(int64_t ns)
{
        int64_t s = ns / HASHCACHE_NS;

        return (ns % HASHCACHE_NS < 0) ? s - 1 : s;
}

static int hashcache_db_error(const hashcache *cache, const char *what)
{
        int rc = cache->db ? sqlite3_errcode(cache->db) : SQLITE_ERROR;
        int code = NEREID_ERROR;

        if (rc == SQLITE_PERM || rc == SQLITE_READONLY || rc == SQLITE_AUTH)
                code = NEREID_EACCESS;
        else if (rc == SQLITE_CANTOPEN && sqlite3_system_errno(cache->db))
                code = nereid_error_from_errno(sqlite3_system_errno(cache->db));
        return nereid_error(code, "hash cache %s: %s: %s", cache->file, what,
                            cache->db ? sqlite3_errmsg(cache->db) : "cannot open");
}

static int hashcache_exec(hashcache *cache, const char *sql)
{
        if (sqlite3_exec(cache->db, sql, NULL, NULL, NULL) != SQLITE_OK)
                return hashcache_db_error(cache, sql);
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

        if (hashcache_exec(cache, "PRAGMA journal_mode=WAL") < 0 ||
            hashcache_exec(cache, "PRAGMA synchronous=NORMAL") < 0 ||
            hashcache_exec(cache, schema) < 0)
                return NEREID_ERROR;
        return 0;
}

/* A read-only cache whose file exists but was never set up is empty. */
static int hashcache_has_table(hashcache *cache)
{
        sqlite3_stmt *stmt = NULL;
        int rc, found;

        if (sqlite3_prepare_v2(cache->db,
                               "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = "
                               "'hashcache'",
                               -1, &stmt, NULL) != SQLITE_OK)
                return hashcache_db_error(cache, "reading the schema");
        rc = sqlite3_step(stmt);
        found = rc == SQLITE_ROW;
        sqlite3_finalize(stmt);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
                return hashcache_db_error(cache, "reading the schema");
        return found;
}

/* 1 when the cache holds no entry: lookups are then skipped, which saves a
 * B-tree search per file on a first (cold) track. */
static int hashcache_is_empty(hashcache *cache)
{
        sqlite3_stmt *any = NULL;
        int empty = 0;

        if (sqlite3_prepare_v2(cache->db, "SELECT 1 FROM hashcache LIMIT 1", -1, &any, NULL) ==
            SQLITE_OK)
                empty = sqlite3_step(any) == SQLITE_DONE;
        sqlite3_finalize(any);
        return empty;
}

int hashcache_open(hashcache **out, const char *home, int writable)
{
        hashcache *cache = NULL;
        nereid_buf file = NEREID_BUF_INIT;
        struct stat st;
        int flags, error = NEREID_ERROR, has_table;

        *out = NULL;
        if (buf_printf(&file, "%s/%s", home, HASHCACHE_FILE) < 0)
                goto cleanup;
        cache = calloc(1, sizeof(*cache));
        if (!cache) {
                error = nereid_error_oom();
                goto cleanup;
        }
        if (pthread_mutex_init(&cache->lock, NULL) != 0) {
                free(cache);
                cache = NULL;
                error = nereid_error(NEREID_ERROR, "hash cache %s: cannot create a lock", file.ptr);
                goto cleanup;
        }
        cache->file = buf_detach(&file);
        cache->writable = writable;
        if (!writable && stat(cache->file, &st) < 0) {
                if (errno == ENOENT) {
                        *out = cache;
                        cache = NULL;
                        error = 0;
                } else {
                        error = nereid_error_os(nereid_error_from_errno(errno), errno,
                                                "hash cache %s", cache->file);
                }
                goto cleanup;
        }
        if (writable && mkdir(home, 0700) < 0 && errno != EEXIST) {
                error = nereid_error_os(nereid_error_from_errno(errno), errno,
                                        "hash cache %s: creating the folder", cache->file);
                goto cleanup;
        }
        flags = writable ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
        if (sqlite3_open_v2(cache->file, &cache->db, flags | SQLITE_OPEN_NOMUTEX, NULL) !=
            SQLITE_OK) {
                error = hashcache_db_error(cache, "open");
                goto cleanup;
        }
        sqlite3_busy_timeout(cache->db, HASHCACHE_BUSY_MS);
        if (writable) {
                if (hashcache_setup(cache) < 0)
                        goto cleanup;
        } else {
                has_table = hashcache_has_table(cache);
                if (has_table < 0)
                        goto cleanup;
                if (!has_table) {
                        sqlite3_close(cache->db);
                        cache->db = NULL;
                        *out = cache;
                        cache = NULL;
                        error = 0;
                        goto cleanup;
                }
        }
        if (sqlite3_prepare_v3(cache->db,
                               "SELECT dev, ino, size, mtime_ns, ctime_ns, md5, written_ns"
                               " FROM hashcache WHERE path = ?1",
                               -1, SQLITE_PREPARE_PERSISTENT, &cache->find, NULL) != SQLITE_OK) {
                error = hashcache_db_error(cache, "preparing the lookup");
                goto cleanup;
        }
        cache->empty = hashcache_is_empty(cache);
        *out = cache;
        cache = NULL;
        error = 0;
cleanup:
        hashcache_free(cache);
        buf_free(&file);
        return error;
}

static void hashcache_clear_queue(hashcache *cache)
{
        size_t i;

        for (i = 0; i < cache->queued; i++)
                free(cache->queue[i].path);
        cache->queued = 0;
}

void hashcache_free(hashcache *cache)
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

int hashcache_empty(const hashcache *cache)
{
        return !cache->db || cache->empty;
}

int hashcache_lookup(hashcache *cache, const char *path, const struct stat *st,
                     char md5_out[NEREID_MD5_HEXLEN + 1])
{
        const unsigned char *md5;
        int64_t mtime_ns, ctime_ns, changed, written_ns;
        int rc, found = 0;

        md5_out[0] = '\0';
        if (!cache->db || cache->empty)
                return 0;
        /* One read transaction for a whole series of lookups: in autocommit
         * mode every lookup would take and drop the file locks. */
        if (!cache->reading) {
                if (hashcache_exec(cache, "BEGIN") < 0)
                        return NEREID_ERROR;
                cache->reading = 1;
        }
        if (sqlite3_bind_text(cache->find, 1, path, -1, SQLITE_STATIC) != SQLITE_OK) {
                rc = hashcache_db_error(cache, "lookup");
                goto cleanup;
        }
        rc = sqlite3_step(cache->find);
        if (rc == SQLITE_DONE) {
                rc = 0;
                goto cleanup;
        }
        if (rc != SQLITE_ROW) {
                rc = hashcache_db_error(cache, "lookup");
                goto cleanup;
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
            hash_is_md5((const char *)md5)) {
                memcpy(md5_out, md5, NEREID_MD5_HEXLEN + 1);
                found = 1;
        }
        rc = found;
cleanup:
        sqlite3_reset(cache->find);
        sqlite3_clear_bindings(cache->find);
        return rc;
}

int hashcache_put(hashcache *cache, const char *path, const struct stat *st, const char *md5,
                  int64_t written_ns)
{
        struct hashcache_entry *entry, *grown;
        size_t cap;
        char *copy;
        int error = 0;

        if (!hash_is_md5(md5))
                return nereid_error(NEREID_EUSAGE, "hash cache %s: %s: not an MD5: %s", cache->file,
                                    path, md5 ? md5 : "(null)");
        if (!cache->writable)
                return 0;
        copy = nereid_strdup(path);
        if (!copy)
                return NEREID_ERROR;
        pthread_mutex_lock(&cache->lock);
        if (cache->queued == cache->cap) {
                cap = cache->cap ? cache->cap * 2 : 256;
                grown = cap <= SIZE_MAX / sizeof(*grown)
                            ? realloc(cache->queue, cap * sizeof(*grown))
                            : NULL;
                if (!grown) {
                        error = nereid_error_oom();
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

static int hashcache_write_entry(hashcache *cache, sqlite3_stmt *stmt,
                                 const struct hashcache_entry *e)
{
        int rc;

        if (sqlite3_bind_text(stmt, 1, e->path, -1, SQLITE_STATIC) != SQLITE_OK ||
            sqlite3_bind_int64(stmt, 2, e->dev) != SQLITE_OK ||
            sqlite3_bind_int64(stmt, 3, e->ino) != SQLITE_OK ||
            sqlite3_bind_int64(stmt, 4, e->size) != SQLITE_OK ||
            sqlite3_bind_int64(stmt, 5, e->mtime_ns) != SQLITE_OK ||
            sqlite3_bind_int64(stmt, 6, e->ctime_ns) != SQLITE_OK ||
            sqlite3_bind_text(stmt, 7, e->md5, -1, SQLITE_STATIC) != SQLITE_OK ||
            sqlite3_bind_int64(stmt, 8, e->written_ns) != SQLITE_OK)
                return hashcache_db_error(cache, "writing an entry");
        rc = sqlite3_step(stmt);
        sqlite3_reset(stmt);
        if (rc != SQLITE_DONE)
                return hashcache_db_error(cache, "writing an entry");
        return 0;
}

static int hashcache_entry_compare(const void *a, const void *b)
{
        const struct hashcache_entry *ea = a, *eb = b;

        return strcmp(ea->path, eb->path);
}

/* End the read transaction of the lookups, if one is open. */
static void hashcache_end_reading(hashcache *cache)
{
        if (cache->reading) {
                sqlite3_exec(cache->db, "COMMIT", NULL, NULL, NULL);
                cache->reading = 0;
        }
}

int hashcache_commit(hashcache *cache)
{
        sqlite3_stmt *stmt = NULL;
        size_t i;
        int error = 0, begun = 0;

        pthread_mutex_lock(&cache->lock);
        hashcache_end_reading(cache);
        if (!cache->writable || !cache->queued)
                goto cleanup;
        error = NEREID_ERROR;
        if (sqlite3_prepare_v2(
                cache->db,
                "INSERT INTO hashcache (path, dev, ino, size, mtime_ns, ctime_ns, md5, written_ns)"
                " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (path) DO UPDATE SET"
                " dev = excluded.dev, ino = excluded.ino, size = excluded.size,"
                " mtime_ns = excluded.mtime_ns, ctime_ns = excluded.ctime_ns,"
                " md5 = excluded.md5, written_ns = excluded.written_ns",
                -1, &stmt, NULL) != SQLITE_OK) {
                error = hashcache_db_error(cache, "preparing the write");
                goto cleanup;
        }
        /* IMMEDIATE takes the write lock now, so the busy timeout applies
         * here rather than a deadlock surfacing at the first write. */
        /* In key order, each insert lands next to the previous one in the
         * B-tree: far fewer pages touched than in walk order. */
        qsort(cache->queue, cache->queued, sizeof(*cache->queue), hashcache_entry_compare);
        if (hashcache_exec(cache, "BEGIN IMMEDIATE") < 0)
                goto cleanup;
        begun = 1;
        for (i = 0; i < cache->queued; i++)
                if (hashcache_write_entry(cache, stmt, &cache->queue[i]) < 0)
                        goto cleanup;
        if (hashcache_exec(cache, "COMMIT") < 0)
                goto cleanup;
        begun = 0;
        cache->empty = 0;
        hashcache_clear_queue(cache);
        error = 0;
cleanup:
        if (begun)
                sqlite3_exec(cache->db, "ROLLBACK", NULL, NULL, NULL);
        sqlite3_finalize(stmt);
        pthread_mutex_unlock(&cache->lock);
        return error;
}
