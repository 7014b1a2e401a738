/*
 * store_v4.c - figures of the store seam's version-4 ops on the embedded
 * store: artifact_page over an artifact of N records (the first and the
 * last page cost the same: a keyset seek), every page in turn against one
 * artifact_each, and run_new (new runs, and retries that find theirs).
 * Not part of the build or the tests: nothing here asserts a time.
 *
 *   cmake -S . -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build
 *   cc -O2 -Iinclude -Isrc bench/store_v4.c build/libnereid.a -o store_v4 \
 *       $(pkg-config --libs sqlite3 libcurl expat jansson openssl) -lpthread
 *   ./store_v4 "$(mktemp -d)" 1000000
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "hash.h"
#include "nereid.h"
#include "record.h"
#include "store/store.h"

#define PROJECT "bench/v4"
#define PAGE    10000

static char last_path[256];
static size_t seen;

static double seconds(void)
{
        struct timespec t;

        clock_gettime(CLOCK_MONOTONIC, &t);
        return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int see(void *payload, const struct nereid_file *file)
{
        (void)payload;
        snprintf(last_path, sizeof(last_path), "%s", file->file_path);
        seen++;
        return 0;
}

static int make_runs(nereid_store *store, size_t n, const char *uuid)
{
        char id[32], fresh[40];
        size_t i;
        int created;

        for (i = 0; i < n; i++) {
                store_run_spec spec;

                memset(&spec, 0, sizeof(spec));
                if (!uuid && nrd_store_uuid_make(fresh) < 0)
                        return -1;
                spec.uuid = uuid ? uuid : fresh;
                spec.owner = "bench";
                if (nrd_store_run_new(store, PROJECT, &spec, id, &created) < 0)
                        return -1;
        }
        return 0;
}

int main(int argc, char **argv)
{
        nereid_store *store = NULL;
        nereid_files *files = nrd_files_new();
        char key[16], hash[NEREID_HASH_BUFSIZE], content[NEREID_HASH_BUFSIZE], after[256];
        size_t n = argc > 2 ? strtoul(argv[2], NULL, 10) : 100000, i, pages = 0;
        double t;

        if (argc < 2 || !files || n < 2 * PAGE ||
            nrd_store_open(&store, argv[1], NEREID_MODE_ASYNC) < 0 ||
            nrd_store_project_open(store, PROJECT, NULL, 1, key) < 0) {
                fprintf(stderr, "usage: store_v4 EMPTY_FOLDER [RECORDS >= %d] (%s)\n", 2 * PAGE,
                        nereid_error_last());
                return 1;
        }
        for (i = 0; i < n; i++) {
                struct nereid_file f;
                char path[64];

                memset(&f, 0, sizeof(f));
                snprintf(path, sizeof(path), "dir/file%09zu", i);
                f.file_path = path;
                f.file_hash = "9e107d9d372bb6826bd81d3542a419d6";
                f.type = "Local";
                f.has_size = 1;
                f.size = i;
                if (nrd_files_push_copy(files, &f) < 0)
                        return 1;
        }
        if (nrd_hash_files_pair(files, hash, content) < 0)
                return 1;
        t = seconds();
        if (nrd_store_artifact_put(store, PROJECT, hash, content, files) < 0)
                return 1;
        printf("artifact_put, %zu records: %.2f s\n", n, seconds() - t);
        t = seconds();
        nrd_store_artifact_page(store, PROJECT, hash, NULL, PAGE, see, NULL);
        printf("artifact_page, first page of %d: %.1f ms\n", PAGE, (seconds() - t) * 1e3);
        snprintf(after, sizeof(after), "dir/file%09zu", n - PAGE - 1);
        t = seconds();
        nrd_store_artifact_page(store, PROJECT, hash, after, PAGE, see, NULL);
        printf("artifact_page, last page of %d: %.1f ms\n", PAGE, (seconds() - t) * 1e3);
        seen = 0;
        t = seconds();
        for (;;) {
                size_t before = seen;

                nrd_store_artifact_page(store, PROJECT, hash, pages ? after : NULL, PAGE, see,
                                        NULL);
                pages++;
                if (seen == before)
                        break;
                snprintf(after, sizeof(after), "%s", last_path);
        }
        printf("artifact_page, all %zu records in %zu pages: %.2f s\n", seen, pages, seconds() - t);
        seen = 0;
        t = seconds();
        nrd_store_artifact_each(store, PROJECT, hash, see, NULL);
        printf("artifact_each, all %zu records: %.2f s\n", seen, seconds() - t);
        t = seconds();
        if (make_runs(store, 1000, NULL) < 0)
                return 1;
        printf("run_new, 1000 new runs: %.3f ms each\n", (seconds() - t));
        t = seconds();
        if (make_runs(store, 1000, "00000000-0000-4000-8000-000000000001") < 0)
                return 1;
        printf("run_new, 1000 retries finding their run: %.3f ms each\n", (seconds() - t));
        nereid_files_free(files);
        nrd_store_close(store);
        return 0;
}
