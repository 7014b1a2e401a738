/*
 * test_hashcache.c - the MD5 cache: misses, hits, the racy-timestamp rule,
 * files changed or replaced behind its back, read-only use that creates
 * nothing, entries that outlive the handle, and a cache that cannot be
 * used (a warning, never a failure). Damaged files: test_hashcache_damage.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "check.h"
#include "scratch.h"
#include "error.h"
#include "hashcache.h"

#define NS    1000000000LL
#define MD5_A "9e107d9d372bb6826bd81d3542a419d6"
#define MD5_B "d41d8cd98f00b204e9800998ecf8427e"

static void write_file(const char *path, const char *text)
{
        FILE *f = fopen(path, "w");

        CHECK(f != NULL);
        if (!f)
                return;
        fputs(text, f);
        fclose(f);
}

/* The second in which st was last changed (max of mtime and ctime). */
static int64_t changed_ns(const struct stat *st)
{
        int64_t m = (int64_t)st->st_mtim.tv_sec * NS + st->st_mtim.tv_nsec;
        int64_t c = (int64_t)st->st_ctim.tv_sec * NS + st->st_ctim.tv_nsec;

        return m > c ? m : c;
}

/* A written time safely after every timestamp of st. */
static int64_t later(const struct stat *st)
{
        return changed_ns(st) + 5 * NS;
}

/* The cache's warnings: how many, and the last one. */
static int warnings;
static char last_warning[1024];

static void on_warning(void *payload, const char *message)
{
        (void)payload;
        warnings++;
        snprintf(last_warning, sizeof(last_warning), "%s", message);
}

static int lookup(hashcache *cache, const char *path, const struct stat *st, char *md5)
{
        return nrd_hashcache_lookup(cache, path, st, md5);
}

static void test_hit_and_miss(void)
{
        hashcache *cache = NULL;
        char md5[NEREID_MD5_HEXLEN + 1], *file = path_in(root, "a.txt");
        struct stat st, other;
        int64_t second;

        write_file(file, "hello");
        CHECK(stat(file, &st) == 0);
        CHECK(nrd_hashcache_open(&cache, root, 1, on_warning, NULL) == 0);
        if (!cache)
                return;
        CHECK(access(path_in(root, "hashcache.db"), F_OK) == 0);

        CHECK(lookup(cache, file, &st, md5) == 0);
        CHECK(md5[0] == '\0');
        CHECK(nrd_hashcache_put(cache, file, &st, MD5_A, later(&st)) == 0);
        CHECK(nrd_hashcache_commit(cache) == 0);
        CHECK(lookup(cache, file, &st, md5) == 1);
        CHECK_STR(md5, MD5_A);
        CHECK(lookup(cache, path_in(root, "other"), &st, md5) == 0);

        /* Any difference of the stat is a miss. */
        other = st;
        other.st_size++;
        CHECK(lookup(cache, file, &other, md5) == 0);
        other = st;
        other.st_mtim.tv_nsec = (other.st_mtim.tv_nsec + 1) % NS;
        CHECK(lookup(cache, file, &other, md5) == 0);
        other = st;
        other.st_ctim.tv_nsec = (other.st_ctim.tv_nsec + 1) % NS;
        CHECK(lookup(cache, file, &other, md5) == 0);
        other = st;
        other.st_ino++;
        CHECK(lookup(cache, file, &other, md5) == 0);
        other = st;
        other.st_dev++;
        CHECK(lookup(cache, file, &other, md5) == 0);
        CHECK(lookup(cache, file, &st, md5) == 1);

        /* Racy: written in the very second the file last changed. */
        second = changed_ns(&st) / NS * NS;
        CHECK(nrd_hashcache_put(cache, file, &st, MD5_B, second + NS - 1) == 0);
        CHECK(nrd_hashcache_commit(cache) == 0);
        CHECK(lookup(cache, file, &st, md5) == 0);
        /* ...or before it. */
        CHECK(nrd_hashcache_put(cache, file, &st, MD5_B, second - 3 * NS) == 0);
        CHECK(nrd_hashcache_commit(cache) == 0);
        CHECK(lookup(cache, file, &st, md5) == 0);
        /* The next second is enough; the upsert replaced the MD5. */
        CHECK(nrd_hashcache_put(cache, file, &st, MD5_B, second + NS) == 0);
        CHECK(nrd_hashcache_commit(cache) == 0);
        CHECK(lookup(cache, file, &st, md5) == 1);
        CHECK_STR(md5, MD5_B);

        /* Bad MD5s are refused with the cache file named. */
        CHECK(nrd_hashcache_put(cache, file, &st, "abc", later(&st)) == NEREID_EINVALID);
        CHECK(strstr(nereid_error_last(), "hashcache.db") != NULL);
        CHECK(nrd_hashcache_put(cache, file, &st, MD5_A "-2", later(&st)) == NEREID_EINVALID);
        /* Nothing queued: a commit is a no-op. */
        CHECK(nrd_hashcache_commit(cache) == 0);
        nrd_hashcache_free(cache);
}

static void test_changed_files(void)
{
        hashcache *cache = NULL;
        char md5[NEREID_MD5_HEXLEN + 1];
        char *file = path_in(root, "b.txt"), *copy = path_in(root, "b.copy");
        struct stat st, now, cst;
        struct timespec times[2];

        write_file(file, "0123456789");
        CHECK(stat(file, &st) == 0);
        CHECK(nrd_hashcache_open(&cache, root, 1, on_warning, NULL) == 0);
        if (!cache)
                return;
        CHECK(nrd_hashcache_put(cache, file, &st, MD5_A, later(&st) + 60 * NS) == 0);
        CHECK(nrd_hashcache_commit(cache) == 0);
        CHECK(lookup(cache, file, &st, md5) == 1);

        /* A new mtime (here an older one) on the same file. */
        times[0].tv_sec = times[1].tv_sec = st.st_mtim.tv_sec - 100;
        times[0].tv_nsec = times[1].tv_nsec = 0;
        CHECK(utimensat(AT_FDCWD, file, times, 0) == 0);
        CHECK(stat(file, &now) == 0);
        CHECK(lookup(cache, file, &now, md5) == 0);
        /* Rewritten to another size. */
        write_file(file, "0123");
        CHECK(stat(file, &now) == 0);
        CHECK(lookup(cache, file, &now, md5) == 0);

        /* Replaced by a copy of the same size that carries an older mtime,
         * renamed over it: the inode tells. */
        write_file(file, "0123456789");
        CHECK(stat(file, &st) == 0);
        CHECK(nrd_hashcache_put(cache, file, &st, MD5_A, later(&st)) == 0);
        CHECK(nrd_hashcache_commit(cache) == 0);
        CHECK(lookup(cache, file, &st, md5) == 1);
        write_file(copy, "9876543210");
        times[0].tv_sec = times[1].tv_sec = st.st_mtim.tv_sec - 3600;
        CHECK(utimensat(AT_FDCWD, copy, times, 0) == 0);
        CHECK(rename(copy, file) == 0);
        CHECK(stat(file, &now) == 0);
        CHECK(now.st_size == st.st_size);
        CHECK(now.st_ino != st.st_ino);
        CHECK(lookup(cache, file, &now, md5) == 0);

        /* Same size and the very same mtime: still the inode (and ctime). */
        CHECK(stat(file, &st) == 0);
        CHECK(nrd_hashcache_put(cache, file, &st, MD5_A, later(&st)) == 0);
        CHECK(nrd_hashcache_commit(cache) == 0);
        write_file(copy, "abcdefghij");
        times[0] = st.st_atim;
        times[1] = st.st_mtim;
        CHECK(utimensat(AT_FDCWD, copy, times, 0) == 0);
        CHECK(stat(copy, &cst) == 0);
        CHECK(cst.st_mtim.tv_sec == st.st_mtim.tv_sec && cst.st_mtim.tv_nsec == st.st_mtim.tv_nsec);
        CHECK(rename(copy, file) == 0);
        CHECK(stat(file, &now) == 0);
        CHECK(lookup(cache, file, &now, md5) == 0);
        CHECK(lookup(cache, file, &st, md5) == 1);
        nrd_hashcache_free(cache);
}

static void test_persistence(void)
{
        hashcache *cache = NULL, *second = NULL, *reader = NULL;
        char md5[NEREID_MD5_HEXLEN + 1], *file = path_in(root, "c.txt");
        struct stat st;

        write_file(file, "persist");
        CHECK(stat(file, &st) == 0);
        CHECK(nrd_hashcache_open(&cache, root, 1, on_warning, NULL) == 0);
        CHECK(nrd_hashcache_open(&second, root, 1, on_warning, NULL) == 0);
        if (!cache || !second)
                goto cleanup;
        CHECK(nrd_hashcache_put(cache, file, &st, MD5_A, later(&st)) == 0);
        /* Queued, not written: a free without commit drops it. */
        nrd_hashcache_free(cache);
        cache = NULL;
        CHECK(lookup(second, file, &st, md5) == 0);

        CHECK(nrd_hashcache_open(&cache, root, 1, on_warning, NULL) == 0);
        CHECK(nrd_hashcache_put(cache, file, &st, MD5_A, later(&st)) == 0);
        CHECK(nrd_hashcache_commit(cache) == 0);
        /* Another connection open all along sees the commit once its own
         * series of lookups (one read snapshot) has ended with a commit. */
        CHECK(lookup(second, file, &st, md5) == 0);
        CHECK(nrd_hashcache_commit(second) == 0);
        CHECK(lookup(second, file, &st, md5) == 1);
        nrd_hashcache_free(cache);
        cache = NULL;

        CHECK(nrd_hashcache_open(&reader, root, 0, on_warning, NULL) == 0);
        if (!reader)
                goto cleanup;
        CHECK(lookup(reader, file, &st, md5) == 1);
        CHECK_STR(md5, MD5_A);
        /* A read-only cache drops puts. */
        CHECK(nrd_hashcache_put(reader, path_in(root, "dropped"), &st, MD5_B, later(&st)) == 0);
        CHECK(nrd_hashcache_commit(reader) == 0);
        CHECK(lookup(reader, path_in(root, "dropped"), &st, md5) == 0);
cleanup:
        nrd_hashcache_free(cache);
        nrd_hashcache_free(second);
        nrd_hashcache_free(reader);
}

/* The put of /data/f<i> in test_many_entries: (put * 7919) % n == i. */
static int put_of(int i, int n)
{
        int put = 0;

        while ((put * 7919) % n != i)
                put++;
        return put;
}

/* Many entries at once (the write takes them 128 rows to an INSERT): whole
 * batches, a part of one, and a path put twice whose two entries, sorted,
 * straddle two INSERTs (f00127 at 127 and 128): the later put wins. Each
 * read back by a new handle. */
static void test_many_entries(void)
{
        enum { N = 2 * 128 + 37, TWICE = 127 };
        hashcache *cache = NULL, *reader = NULL;
        char md5[NEREID_MD5_HEXLEN + 1], key[64], *dir = path_in(root, "many");
        char *file = path_in(root, "many.txt");
        const char *again = put_of(TWICE, N) % 2 ? MD5_B : MD5_A;
        struct stat st;
        int i, hits = 0, right = 0;

        CHECK(mkdir(dir, 0755) == 0);
        write_file(file, "many");
        CHECK(stat(file, &st) == 0);
        CHECK(nrd_hashcache_open(&cache, dir, 1, on_warning, NULL) == 0);
        if (!cache)
                goto cleanup;
        for (i = 0; i < N; i++) {
                snprintf(key, sizeof(key), "/data/f%05d", (i * 7919) % N);
                CHECK(nrd_hashcache_put(cache, key, &st, i % 2 ? MD5_A : MD5_B, later(&st)) == 0);
        }
        snprintf(key, sizeof(key), "/data/f%05d", TWICE);
        CHECK(nrd_hashcache_put(cache, key, &st, again, later(&st) + 1) == 0);
        CHECK(nrd_hashcache_commit(cache) == 0);
        CHECK(nrd_hashcache_open(&reader, dir, 0, on_warning, NULL) == 0);
        for (i = 0; reader && i < N; i++) {
                const char *want = i == TWICE ? again : put_of(i, N) % 2 ? MD5_A : MD5_B;

                snprintf(key, sizeof(key), "/data/f%05d", i);
                if (lookup(reader, key, &st, md5) == 1) {
                        hits++;
                        right += strcmp(md5, want) == 0;
                }
        }
        CHECK(hits == N);
        CHECK(right == N);
cleanup:
        nrd_hashcache_free(cache);
        nrd_hashcache_free(reader);
}

static void test_read_only_missing(void)
{
        hashcache *cache = NULL;
        char dir[2100], md5[NEREID_MD5_HEXLEN + 1], *file = path_in(root, "a.txt");
        struct stat st;

        CHECK(stat(file, &st) == 0);
        snprintf(dir, sizeof(dir), "%s/empty", root);
        CHECK(mkdir(dir, 0700) == 0);
        CHECK(nrd_hashcache_open(&cache, dir, 0, on_warning, NULL) == 0);
        CHECK(cache != NULL);
        if (cache) {
                CHECK(lookup(cache, file, &st, md5) == 0);
                CHECK(nrd_hashcache_put(cache, file, &st, MD5_A, later(&st)) == 0);
                CHECK(nrd_hashcache_commit(cache) == 0);
                CHECK(lookup(cache, file, &st, md5) == 0);
        }
        nrd_hashcache_free(cache);
        CHECK(count_entries(dir) == 0);

        /* Nor is a missing home created. */
        snprintf(dir, sizeof(dir), "%s/absent", root);
        cache = NULL;
        CHECK(nrd_hashcache_open(&cache, dir, 0, on_warning, NULL) == 0);
        nrd_hashcache_free(cache);
        CHECK(access(dir, F_OK) < 0 && errno == ENOENT);

        /* A writable cache creates its home folder. */
        cache = NULL;
        CHECK(nrd_hashcache_open(&cache, dir, 1, on_warning, NULL) == 0);
        nrd_hashcache_free(cache);
        CHECK(access(path_in(dir, "hashcache.db"), F_OK) == 0);
}

/* The cache never fails a command: what cannot be used is one warning
 * naming the file, and the handle works as an empty cache. */
static void test_errors(void)
{
        hashcache *cache = (hashcache *)&cache;
        char md5[NEREID_MD5_HEXLEN + 1], *notdir = path_in(root, "a.txt");
        struct stat st;

        CHECK(stat(notdir, &st) == 0);
        /* home is a file: the cache cannot be opened, and the warning says which. */
        warnings = 0;
        CHECK(nrd_hashcache_open(&cache, notdir, 1, on_warning, NULL) == 0);
        CHECK(cache != NULL);
        if (cache) {
                CHECK(warnings == 1);
                CHECK(strstr(last_warning, "a.txt/hashcache.db") != NULL);
                CHECK(lookup(cache, notdir, &st, md5) == 0);
                CHECK(nrd_hashcache_put(cache, notdir, &st, MD5_A, later(&st)) == 0);
                CHECK(nrd_hashcache_commit(cache) == 0);
                CHECK(warnings == 1);
                nrd_hashcache_free(cache);
        }
        cache = NULL;
        warnings = 0;
        CHECK(nrd_hashcache_open(&cache, notdir, 0, on_warning, NULL) == 0);
        CHECK(warnings == 1);
        CHECK(strstr(last_warning, "a.txt/hashcache.db") != NULL);
        nrd_hashcache_free(cache);

        /* Not a database at all: read-only use goes on without it and
         * changes nothing; writable use empties it and builds it again. */
        CHECK(mkdir(path_in(root, "junk"), 0700) == 0);
        write_file(path_in(root, "junk/hashcache.db"), "this is not a SQLite database, not at all");
        cache = NULL;
        warnings = 0;
        CHECK(nrd_hashcache_open(&cache, path_in(root, "junk"), 0, on_warning, NULL) == 0);
        CHECK(warnings == 1);
        CHECK(strstr(last_warning, "junk/hashcache.db") != NULL);
        CHECK(strstr(last_warning, "not a database") != NULL);
        if (cache)
                CHECK(lookup(cache, notdir, &st, md5) == 0);
        nrd_hashcache_free(cache);
        CHECK(stat(path_in(root, "junk/hashcache.db"), &st) == 0 && st.st_size == 41);
        cache = NULL;
        CHECK(nrd_hashcache_open(&cache, path_in(root, "junk"), 1, on_warning, NULL) == 0);
        CHECK(warnings == 2);
        CHECK(strstr(last_warning, "junk/hashcache.db") != NULL);
        CHECK(strstr(last_warning, "emptied") != NULL);
        CHECK(stat(notdir, &st) == 0);
        if (cache) {
                CHECK(nrd_hashcache_put(cache, notdir, &st, MD5_A, later(&st)) == 0);
                CHECK(nrd_hashcache_commit(cache) == 0);
                CHECK(lookup(cache, notdir, &st, md5) == 1);
                nrd_hashcache_free(cache);
        }
        CHECK(warnings == 2);
}

int main(void)
{
        if (scratch_begin("hashcache") < 0)
                return 1;
        test_hit_and_miss();
        test_changed_files();
        test_persistence();
        test_many_entries();
        test_read_only_missing();
        CHECK(warnings == 0);
        test_errors();
        return scratch_end(CHECK_DONE());
}
