/*
 * ui_data.c - a store for measuring the web UI (bench/ui_load.mjs): a
 * project "bench/ui" of RUNS runs, each with a field "data/small" of 3
 * files, and run 1's field "data/big" of FILES records, through the store
 * seam (run_new, artifact_put, field_swap) as the library writes them.
 * Not part of the build or the tests: nothing here asserts a time.
 *
 *   cmake -S . -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build
 *   cc -O2 -Iinclude -Isrc bench/ui_data.c build/libnereid.a -o ui_data \
 *       $(pkg-config --libs sqlite3 libcurl expat jansson openssl) -lpthread
 *   ./ui_data "$(mktemp -d)" 100000 1000000
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "hash.h"
#include "nereid.h"
#include "record.h"
#include "store/store.h"

#define PROJECT "bench/ui"

static double seconds(void)
{
        struct timespec t;

        clock_gettime(CLOCK_MONOTONIC, &t);
        return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int artifact(nereid_store *store, size_t n, const char *dir, char hash[NEREID_HASH_BUFSIZE])
{
        nereid_files *files = nrd_files_new();
        char content[NEREID_HASH_BUFSIZE], path[96];
        size_t i;
        int rc = files ? 0 : -1;

        for (i = 0; i < n && rc == 0; i++) {
                struct nereid_file f;

                memset(&f, 0, sizeof(f));
                snprintf(path, sizeof(path), "%s/%04zu/file%09zu.bin", dir, i / 1000, i);
                f.file_path = path;
                f.file_hash = "9e107d9d372bb6826bd81d3542a419d6";
                f.type = "Local";
                f.has_size = 1;
                f.size = i;
                rc = nrd_files_push_copy(files, &f);
        }
        if (rc == 0)
                rc = nrd_hash_files_pair(files, hash, content);
        if (rc == 0)
                rc = nrd_store_artifact_put(store, PROJECT, hash, content, files);
        nereid_files_free(files);
        return rc;
}

int main(int argc, char **argv)
{
        nereid_store *store = NULL;
        char key[16], id[32], uuid[40], small[NEREID_HASH_BUFSIZE], big[NEREID_HASH_BUFSIZE];
        size_t runs = argc > 2 ? strtoul(argv[2], NULL, 10) : 100000;
        size_t nfiles = argc > 3 ? strtoul(argv[3], NULL, 10) : 1000000, i;
        double t = seconds();
        int created;

        if (argc < 2 || runs < 1 || nereid_init() < 0 ||
            nrd_store_open(&store, argv[1], NEREID_MODE_ASYNC) < 0 ||
            nrd_store_project_open(store, PROJECT, "BUI", 1, key) < 0 ||
            artifact(store, 3, "small", small) < 0 || artifact(store, nfiles, "big", big) < 0) {
                fprintf(stderr, "usage: ui_data EMPTY_FOLDER [RUNS] [FILES] (%s)\n",
                        nereid_error_last());
                return 1;
        }
        printf("artifacts (3 and %zu records): %.1f s\n", nfiles, seconds() - t);
        t = seconds();
        for (i = 0; i < runs; i++) {
                store_run_spec spec;
                char name[32];

                memset(&spec, 0, sizeof(spec));
                snprintf(name, sizeof(name), "run-%zu", (i * 7919) % runs);
                spec.name = name;
                spec.owner = i % 3 ? "alice" : "bob";
                if (nrd_store_uuid_make(uuid) < 0)
                        return 1;
                spec.uuid = uuid;
                if (nrd_store_run_new(store, PROJECT, &spec, id, &created) < 0 ||
                    nrd_store_field_swap(store, PROJECT, id, "data/small", NULL, small, NULL, 0,
                                         STORE_ROOTS_ADD) < 0 ||
                    (i == 0 && nrd_store_field_swap(store, PROJECT, id, "data/big", NULL, big, NULL,
                                                    0, STORE_ROOTS_ADD) < 0)) {
                        fprintf(stderr, "ui_data: %s\n", nereid_error_last());
                        return 1;
                }
        }
        printf("%zu runs: %.1f s\n", runs, seconds() - t);
        nrd_store_close(store);
        nereid_shutdown();
        return 0;
}
