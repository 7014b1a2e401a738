/*
 * test_hashcache_damage.c - a hash cache that is damaged or in the way
 * (garbage bytes, a truncated file, an empty file, a folder or a link in
 * its place) costs one warning and never a failure, and a damaged one is
 * built again; several handles creating the same new cache at once all succeed
 * without a warning. Not for lookups and the racy-timestamp rule
 * (test_hashcache.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "check.h"
#include "scratch.h"
#include "error.h"
#include "hashcache.h"

#define NS      1000000000LL
#define MD5_A   "9e107d9d372bb6826bd81d3542a419d6"
#define ENTRIES 3000 /* enough for a file of many pages */

/* The cache's warnings: how many, and the last one. */
static int warnings;
static char last_warning[1024];

static void on_warning(void *payload, const char *message)
{
        (void)payload;
        warnings++;
        snprintf(last_warning, sizeof(last_warning), "%s", message);
}

static void write_bytes(const char *path, const void *data, size_t size)
{
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

        CHECK(fd >= 0);
        if (fd < 0)
                return;
        CHECK(write(fd, data, size) == (ssize_t)size);
        close(fd);
}

/* A stat to file entries under: a real file's, so lookups can hit. */
static struct stat the_stat;

static int64_t later(void)
{
        return ((int64_t)the_stat.st_ctim.tv_sec + 10) * NS;
}

static const char *entry_name(int i)
{
        static char name[64];

        snprintf(name, sizeof(name), "/data/file-%05d.bin", i);
        return name;
}

/* Fill home's cache with ENTRIES entries, then close it (the last close
 * folds the WAL into the file). */
static void fill(const char *home)
{
        hashcache *cache = NULL;
        int i;

        CHECK(nrd_hashcache_open(&cache, home, 1, on_warning, NULL) == 0);
        if (!cache)
                return;
        for (i = 0; i < ENTRIES; i++)
                CHECK(nrd_hashcache_put(cache, entry_name(i), &the_stat, MD5_A, later()) == 0);
        CHECK(nrd_hashcache_commit(cache) == 0);
        nrd_hashcache_free(cache);
}

/* Look every entry up: the number of hits, or -1 when a lookup failed. */
static int hits(hashcache *cache)
{
        char md5[NEREID_MD5_HEXLEN + 1];
        int i, n = 0, rc;

        for (i = 0; i < ENTRIES; i++) {
                rc = nrd_hashcache_lookup(cache, entry_name(i), &the_stat, md5);
                if (rc < 0)
                        return -1;
                n += rc;
        }
        return n;
}

/* After the damage: tracks go on (every lookup a miss or a hit, never an
 * error) with exactly one warning naming the file, what was hashed is
 * written, and the next handle finds a sound cache and no warning. */
static void check_recovers(const char *home, const char *what)
{
        hashcache *cache = NULL;
        int n;

        warnings = 0;
        CHECK(nrd_hashcache_open(&cache, home, 1, on_warning, NULL) == 0);
        if (!cache)
                return;
        n = hits(cache);
        CHECK(n >= 0);
        CHECK(nrd_hashcache_put(cache, entry_name(0), &the_stat, MD5_A, later()) == 0);
        CHECK(nrd_hashcache_commit(cache) == 0);
        nrd_hashcache_free(cache);
        if (warnings != 1)
                fprintf(stderr, "%s: %d warnings, want 1 (last: %s)\n", what, warnings,
                        last_warning);
        CHECK(warnings == 1);
        CHECK(strstr(last_warning, "hashcache.db") != NULL);

        warnings = 0;
        cache = NULL;
        CHECK(nrd_hashcache_open(&cache, home, 1, on_warning, NULL) == 0);
        if (!cache)
                return;
        CHECK(hits(cache) >= 1);
        nrd_hashcache_free(cache);
        CHECK(warnings == 0);
}

static void test_garbage(void)
{
        char *home = path_in(root, "garbage");
        unsigned char junk[10000];
        size_t i;

        CHECK(mkdir(home, 0700) == 0);
        for (i = 0; i < sizeof(junk); i++)
                junk[i] = (unsigned char)(i * 7919 + 13);
        write_bytes(path_in(home, "hashcache.db"), junk, sizeof(junk));
        check_recovers(home, "garbage");

        /* A header that says SQLite and nothing after it. */
        write_bytes(path_in(home, "hashcache.db"), "SQLite format 3", 16);
        check_recovers(home, "bare header");
}

static void test_truncated(void)
{
        char *home = path_in(root, "truncated"), *file = path_in(home, "hashcache.db");
        struct stat st;
        off_t cuts[3];
        int i;

        CHECK(mkdir(home, 0700) == 0);
        fill(home);
        CHECK(stat(file, &st) == 0);
        CHECK(st.st_size > 16 * 4096);
        cuts[0] = st.st_size / 2;
        cuts[1] = st.st_size / 2 + 1000; /* in the middle of a page */
        cuts[2] = 100;                   /* in the middle of the header */
        for (i = 0; i < 3; i++) {
                char what[32];

                fill(home);
                CHECK(truncate(file, cuts[i]) == 0);
                snprintf(what, sizeof(what), "truncated to %lld", (long long)cuts[i]);
                check_recovers(home, what);
        }
}

/* An empty file is an empty database: no warning at all. */
static void test_empty_file(void)
{
        char *home = path_in(root, "empty");
        hashcache *cache = NULL;

        CHECK(mkdir(home, 0700) == 0);
        write_bytes(path_in(home, "hashcache.db"), "", 0);
        warnings = 0;
        CHECK(nrd_hashcache_open(&cache, home, 1, on_warning, NULL) == 0);
        if (cache) {
                CHECK(hits(cache) == 0);
                CHECK(nrd_hashcache_put(cache, entry_name(1), &the_stat, MD5_A, later()) == 0);
                CHECK(nrd_hashcache_commit(cache) == 0);
                CHECK(hits(cache) == 1);
        }
        nrd_hashcache_free(cache);
        CHECK(warnings == 0);
}

/* A folder where the file should be: one warning, the folder left as it
 * is, lookups miss and puts are dropped; read-only use alike. */
static void test_folder(void)
{
        char *home = path_in(root, "folder"), *file = path_in(home, "hashcache.db");
        hashcache *cache = NULL;
        struct stat st;
        int writable;

        CHECK(mkdir(home, 0700) == 0);
        CHECK(mkdir(file, 0700) == 0);
        write_bytes(path_in(file, "keep"), "mine", 4);
        for (writable = 1; writable >= 0; writable--) {
                warnings = 0;
                cache = NULL;
                CHECK(nrd_hashcache_open(&cache, home, writable, on_warning, NULL) == 0);
                if (!cache)
                        continue;
                CHECK(warnings == 1);
                CHECK(strstr(last_warning, "folder/hashcache.db") != NULL);
                CHECK(nrd_hashcache_empty(cache) == 1);
                CHECK(hits(cache) == 0);
                CHECK(nrd_hashcache_put(cache, entry_name(1), &the_stat, MD5_A, later()) == 0);
                CHECK(nrd_hashcache_commit(cache) == 0);
                CHECK(hits(cache) == 0);
                nrd_hashcache_free(cache);
                CHECK(warnings == 1);
        }
        CHECK(stat(file, &st) == 0 && S_ISDIR(st.st_mode));
        CHECK(count_entries(file) == 1);
        CHECK(count_entries(home) == 1);
}

/* A damaged file reached through a symbolic link (to the store, say) is
 * not emptied: one warning, and the file stays as it was. */
static void test_link(void)
{
        char *home = path_in(root, "link"), *victim = path_in(root, "link-victim");
        hashcache *cache = NULL;
        struct stat st;

        CHECK(mkdir(home, 0700) == 0);
        write_bytes(victim, "precious, if not SQLite", 23);
        CHECK(symlink(victim, path_in(home, "hashcache.db")) == 0);
        warnings = 0;
        CHECK(nrd_hashcache_open(&cache, home, 1, on_warning, NULL) == 0);
        if (cache) {
                CHECK(hits(cache) == 0);
                CHECK(nrd_hashcache_put(cache, entry_name(1), &the_stat, MD5_A, later()) == 0);
                CHECK(nrd_hashcache_commit(cache) == 0);
        }
        nrd_hashcache_free(cache);
        CHECK(warnings == 1);
        CHECK(stat(victim, &st) == 0 && st.st_size == 23);
}

/* One racer: a thread with a handle of its own, as a process would have
 * (SQLite locks connections of one process against each other alike). */
struct racer {
        pthread_t thread;
        pthread_barrier_t *start; /* all racers leave it at once */
        const char *home;
        int id;
        int failed;              /* open or commit failed */
        int warnings;            /* warnings of its handle */
        char last_warning[1024]; /* the last of them */
};

static void on_racer_warning(void *payload, const char *message)
{
        struct racer *r = payload;

        r->warnings++;
        snprintf(r->last_warning, sizeof(r->last_warning), "%s", message);
}

/* Open the new cache and write an entry, all at the same moment. */
static void *race(void *arg)
{
        struct racer *r = arg;
        hashcache *cache = NULL;
        char name[64];

        pthread_barrier_wait(r->start);
        if (nrd_hashcache_open(&cache, r->home, 1, on_racer_warning, r) < 0 || !cache) {
                r->failed = 1;
                return NULL;
        }
        snprintf(name, sizeof(name), "/racer/%d", r->id);
        if (nrd_hashcache_put(cache, name, &the_stat, MD5_A, later()) < 0 ||
            nrd_hashcache_commit(cache) < 0)
                r->failed = 1;
        nrd_hashcache_free(cache);
        return NULL;
}

/* Several handles creating the same new cache at once (the first WAL
 * switch, the first table): none fails, none warns, every entry lands. */
static void test_concurrent_creation(void)
{
        enum { ROUNDS = 80, RACERS = 8 };
        char md5[NEREID_MD5_HEXLEN + 1], name[64], home[64];
        struct racer racers[RACERS];
        pthread_barrier_t start;
        int round, i, failed = 0, found;

        for (round = 0; round < ROUNDS; round++) {
                hashcache *cache = NULL;

                snprintf(home, sizeof(home), "race-%d", round);
                CHECK(pthread_barrier_init(&start, NULL, RACERS) == 0);
                for (i = 0; i < RACERS; i++) {
                        memset(&racers[i], 0, sizeof(racers[i]));
                        racers[i].start = &start;
                        racers[i].home = path_in(root, home);
                        racers[i].id = i;
                        CHECK(pthread_create(&racers[i].thread, NULL, race, &racers[i]) == 0);
                }
                for (i = 0; i < RACERS; i++) {
                        pthread_join(racers[i].thread, NULL);
                        if (racers[i].failed || racers[i].warnings) {
                                fprintf(stderr, "round %d, racer %d: %s\n", round, i,
                                        racers[i].warnings ? racers[i].last_warning : "failed");
                                failed++;
                        }
                }
                pthread_barrier_destroy(&start);
                warnings = 0;
                CHECK(nrd_hashcache_open(&cache, path_in(root, home), 1, on_warning, NULL) == 0);
                found = 0;
                for (i = 0; cache && i < RACERS; i++) {
                        snprintf(name, sizeof(name), "/racer/%d", i);
                        found += nrd_hashcache_lookup(cache, name, &the_stat, md5) == 1;
                }
                nrd_hashcache_free(cache);
                CHECK(warnings == 0);
                CHECK(found == RACERS);
        }
        CHECK(failed == 0);
}

int main(void)
{
        if (scratch_begin("hashcache-damage") < 0)
                return 1;
        /* A hung lock must end the test, not the CI job. */
        alarm(240);
        write_bytes(path_in(root, "a.txt"), "hello", 5);
        if (stat(path_in(root, "a.txt"), &the_stat) < 0)
                return 1;
        test_garbage();
        test_truncated();
        test_empty_file();
        test_folder();
        test_link();
        test_concurrent_creation();
        return scratch_end(CHECK_DONE());
}
