/*
 * test_store.c - the embedded SQLite store through its seam: project keys,
 * run IDs, the union a field merge stores (and its hash, the same as
 * nrd_hash_files over the union), artifacts stored once, assignment, the roots
 * a field remembers, read-only mode that creates nothing and writes
 * nothing, and debug mode that leaves no trace.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sqlite3.h>
#include "check.h"
#include "records.h"
#include "scratch.h"
#include "error.h"
#include "hash.h"
#include "nereid.h"
#include "record.h"
#include "artifact.h"
#include "store/store.h"
#include "same_records.h"

#define MD5_A   "9e107d9d372bb6826bd81d3542a419d6"
#define MD5_B   "d41d8cd98f00b204e9800998ecf8427e"
#define MD5_C   "2f249230a8e7c2bf6005ccd2679259ec"
#define PROJECT "ml-team/classification"
#define OTHER   "ml-team/other"
#define TRAIN   "data_versions/train"

static nereid_files *list_new(void)
{
        nereid_files *files = nrd_files_new();

        if (!files)
                abort();
        return files;
}

static int open_store(nereid_store **store, const char *home, int mode)
{
        int rc = nrd_store_open(store, home, mode);

        if (rc < 0)
                fprintf(stderr, "nrd_store_open(%s, %d): %s\n", home, mode, nereid_error_last());
        return rc;
}

static int collect(void *payload, const struct nereid_file *file)
{
        return nrd_files_push_copy(payload, file);
}

static int stop_at_second(void *payload, const struct nereid_file *file)
{
        int *calls = payload;

        (void)file;
        return ++*calls == 2 ? 42 : 0;
}

/* Field names and hashes as "field=hash" lines. */
static int list_field(void *payload, const char *field, const char *hash)
{
        char *out = payload;
        size_t n = strlen(out);

        snprintf(out + n, 4096 - n, "%s=%.8s\n", field, hash);
        return 0;
}

static int list_run(void *payload, const store_run_info *info)
{
        char *out = payload;
        size_t n = strlen(out);

        snprintf(out + n, 4096 - n, "%s[%s][%s]\n", info->id, info->name, info->owner);
        return 0;
}

/* The records of an artifact of the project, read back; NULL on failure. */
static nereid_files *artifact_files(nereid_store *store, const char *project, const char *hash)
{
        nereid_files *files = list_new();

        if (nrd_store_artifact_each(store, project, hash, collect, files) != 0) {
                nereid_files_free(files);
                return NULL;
        }
        return files;
}

static void test_derive_key(void)
{
        char key[16];

        nrd_store_derive_key(PROJECT, key);
        CHECK_STR(key, "CLS");
        nrd_store_derive_key("classification", key);
        CHECK_STR(key, "CLS");
        nrd_store_derive_key("ws/sentiment-analysis", key);
        CHECK_STR(key, "SNT");
        nrd_store_derive_key("ws/a", key);
        CHECK_STR(key, "AX");
        nrd_store_derive_key("ws/42", key);
        CHECK_STR(key, "XX");
}

static void test_projects_and_runs(const char *home)
{
        nereid_store *store = NULL;
        store_run_info info;
        char key[16], id[32], out[4096] = "";

        CHECK(access(home, F_OK) < 0);
        if (open_store(&store, home, NEREID_MODE_ASYNC) < 0)
                return;
        CHECK(store->ops->version == NEREID_STORE_VERSION);
        /* Opening only reads: the first write creates the folder and the store. */
        CHECK(access(home, F_OK) < 0);

        CHECK(nrd_store_project_open(store, PROJECT, NULL, 0, key) == NEREID_ENOTFOUND);
        CHECK(access(home, F_OK) < 0);
        CHECK(nrd_store_run_create(store, PROJECT, "r", "me", id) == NEREID_ENOTFOUND);
        CHECK(nrd_store_project_open(store, PROJECT, NULL, 1, key) == 0);
        CHECK(access(path_in(home, "store.db"), F_OK) == 0);
        CHECK_STR(key, "CLS");
        CHECK(nrd_store_project_open(store, OTHER, "OTHR", 1, key) == 0);
        CHECK_STR(key, "OTHR");
        /* An existing project keeps its key. */
        memset(key, 0, sizeof(key));
        CHECK(nrd_store_project_open(store, OTHER, "ZZZ", 1, key) == 0);
        CHECK_STR(key, "OTHR");
        CHECK(nrd_store_project_open(store, PROJECT, NULL, 0, key) == 0);
        CHECK_STR(key, "CLS");

        CHECK(nrd_store_run_create(store, PROJECT, "first", "alice", id) == 0);
        CHECK_STR(id, "CLS-1");
        CHECK(nrd_store_run_create(store, PROJECT, NULL, "bob", id) == 0);
        CHECK_STR(id, "CLS-2");
        CHECK(nrd_store_run_create(store, OTHER, NULL, "bob", id) == 0);
        CHECK_STR(id, "OTHR-1");

        CHECK(nrd_store_run_get(store, PROJECT, "CLS-1", &info) == 0);
        CHECK_STR(info.id, "CLS-1");
        CHECK_STR(info.name, "first");
        CHECK_STR(info.owner, "alice");
        CHECK(strlen(info.creation_time) == 24 && info.creation_time[10] == 'T' &&
              info.creation_time[23] == 'Z');
        CHECK_STR(info.modification_time, info.creation_time);
        nrd_store_run_info_clear(&info);
        CHECK(nrd_store_run_get(store, PROJECT, "CLS-2", &info) == 0);
        CHECK_STR(info.name, "");
        nrd_store_run_info_clear(&info);

        CHECK(nrd_store_run_get(store, PROJECT, "CLS-3", &info) == NEREID_ENOTFOUND);
        CHECK(strstr(nereid_error_last(), "CLS-3") != NULL);
        CHECK(nrd_store_run_get(store, PROJECT, "OTHR-1", &info) == NEREID_ENOTFOUND);
        CHECK(nrd_store_run_get(store, PROJECT, "CLS-0", &info) == NEREID_ENOTFOUND);
        CHECK(nrd_store_run_get(store, PROJECT, "CLS-1x", &info) == NEREID_ENOTFOUND);
        CHECK(nrd_store_run_get(store, PROJECT, "CLS", &info) == NEREID_ENOTFOUND);
        CHECK(nrd_store_run_get(store, "ws/none", "CLS-1", &info) == NEREID_ENOTFOUND);

        CHECK(nrd_store_run_each(store, PROJECT, 0, 0, list_run, out) == 0);
        CHECK_STR(out, "CLS-1[first][alice]\nCLS-2[][bob]\n");
        nrd_store_close(store);

        /* Reopened: the same keys, and run numbers go on. */
        if (open_store(&store, home, NEREID_MODE_ASYNC) < 0)
                return;
        CHECK(nrd_store_project_open(store, PROJECT, "NEW", 1, key) == 0);
        CHECK_STR(key, "CLS");
        CHECK(nrd_store_project_open(store, OTHER, NULL, 0, key) == 0);
        CHECK_STR(key, "OTHR");
        CHECK(nrd_store_run_create(store, PROJECT, NULL, "carol", id) == 0);
        CHECK_STR(id, "CLS-3");
        nrd_store_close(store);
}

static void test_fields(const char *home)
{
        nereid_store *store = NULL;
        nereid_files *first = list_new(), *second = list_new(), *all = list_new();
        nereid_files *got = NULL, *empty = list_new();
        store_root root1 = {"file:///x/one", ""}, root2 = {"file:///x/two", "dest"};
        store_root *roots = NULL;
        char h1[NEREID_HASH_HEXLEN + 1], h2[NEREID_HASH_HEXLEN + 1];
        char want[NEREID_HASH_HEXLEN + 1], got_hash[NEREID_HASH_HEXLEN + 1];
        char content[NEREID_HASH_HEXLEN + 1], out[4096] = "";
        size_t nroots = 0;
        int calls = 0;

        if (open_store(&store, home, NEREID_MODE_ASYNC) < 0)
                goto cleanup;
        push(first, "a", MD5_A, 1);
        push(first, "b", MD5_A, 1);
        push(second, "b", MD5_B, 2);
        push(second, "c", MD5_C, 3);
        push(all, "a", MD5_A, 1);
        push(all, "b", MD5_B, 2);
        push(all, "c", MD5_C, 3);

        CHECK(nrd_store_field_get(store, PROJECT, "CLS-1", TRAIN, got_hash) == NEREID_ENOTFOUND);
        CHECK(strstr(nereid_error_last(), TRAIN) != NULL);

        /* A first merge stores the files as they are. */
        CHECK(nrd_artifact_track(store, PROJECT, "CLS-1", TRAIN, first, &root1, ARTIFACT_MERGE,
                                 h1) == 0);
        CHECK(nrd_hash_files(first, 0, want) == 0);
        CHECK_STR(h1, want);
        CHECK(nrd_store_field_get(store, PROJECT, "CLS-1", TRAIN, got_hash) == 0);
        CHECK_STR(got_hash, h1);

        /* A second one stores the union, the newer record winning. */
        CHECK(nrd_artifact_track(store, PROJECT, "CLS-1", TRAIN, second, &root2, ARTIFACT_MERGE,
                                 h2) == 0);
        CHECK(nrd_hash_files(all, 0, want) == 0);
        CHECK_STR(h2, want);
        CHECK(strcmp(h1, h2) != 0);
        CHECK(nrd_store_field_get(store, PROJECT, "CLS-1", TRAIN, got_hash) == 0);
        CHECK_STR(got_hash, h2);
        got = artifact_files(store, PROJECT, h2);
        CHECK(same_records(got, all));
        nereid_files_free(got);
        /* The older artifact is still there, unchanged. */
        got = artifact_files(store, PROJECT, h1);
        CHECK(same_records(got, first));
        nereid_files_free(got);
        CHECK(nrd_store_artifact_content_hash(store, PROJECT, h2, content) == 0);
        CHECK(nrd_hash_files(all, 1, want) == 0);
        CHECK_STR(content, want);

        /* The same files again: nothing changes. */
        CHECK(nrd_artifact_track(store, PROJECT, "CLS-1", TRAIN, second, &root2, ARTIFACT_MERGE,
                                 got_hash) == 0);
        CHECK_STR(got_hash, h2);
        CHECK(nrd_artifact_track(store, PROJECT, "CLS-1", TRAIN, all, NULL, ARTIFACT_MERGE,
                                 got_hash) == 0);
        CHECK_STR(got_hash, h2);
        /* Nothing new at all. */
        CHECK(nrd_artifact_track(store, PROJECT, "CLS-1", TRAIN, empty, NULL, ARTIFACT_MERGE,
                                 got_hash) == 0);
        CHECK_STR(got_hash, h2);

        /* The roots of both merges, sorted. */
        CHECK(nrd_store_field_roots(store, PROJECT, "CLS-1", TRAIN, &roots, &nroots) == 0);
        CHECK(nroots == 2);
        if (nroots == 2) {
                CHECK_STR(roots[0].location, "file:///x/one");
                CHECK_STR(roots[0].destination, "");
                CHECK_STR(roots[1].location, "file:///x/two");
                CHECK_STR(roots[1].destination, "dest");
        }
        nrd_store_roots_free(roots, nroots);
        roots = NULL;
        nroots = 0;

        /* Stored once: the union reached in one go, in another run's field,
         * is the same artifact. */
        CHECK(nrd_artifact_track(store, PROJECT, "CLS-2", "copy", all, NULL, ARTIFACT_MERGE,
                                 got_hash) == 0);
        CHECK_STR(got_hash, h2);
        CHECK(nrd_artifact_track(store, PROJECT, "CLS-2", "a/b", first, NULL, ARTIFACT_MERGE,
                                 got_hash) == 0);
        CHECK_STR(got_hash, h1);
        CHECK(nrd_store_field_each(store, PROJECT, "CLS-2", list_field, out) == 0);
        snprintf(want, sizeof(want), "a/b=%.8s\ncopy=%.8s\n", h1, h2);
        CHECK_STR(out, want);
        CHECK(nrd_store_field_roots(store, PROJECT, "CLS-2", "copy", &roots, &nroots) == 0);
        CHECK(nroots == 0);
        nrd_store_roots_free(roots, nroots);
        roots = NULL;

        /* The walk comes sorted by file_path. */
        got = artifact_files(store, PROJECT, h2);
        CHECK(got && got->count == 3);
        if (got && got->count == 3)
                CHECK(strcmp(got->items[0].file_path, "a") == 0 &&
                      strcmp(got->items[1].file_path, "b") == 0 &&
                      strcmp(got->items[2].file_path, "c") == 0);
        nereid_files_free(got);
        /* A callback's non-zero return stops the walk and comes back. */
        CHECK(nrd_store_artifact_each(store, PROJECT, h2, stop_at_second, &calls) == 42);
        CHECK(calls == 2);

        /* Artifacts belong to their project. */
        CHECK(nrd_store_artifact_each(store, OTHER, h2, collect, empty) == NEREID_ENOTFOUND);
        CHECK(nrd_store_artifact_content_hash(store, OTHER, h2, content) == NEREID_ENOTFOUND);
        CHECK(nrd_artifact_assign(store, OTHER, "OTHR-1", "x", h2, NULL, 0) == NEREID_ENOTFOUND);

        /* Assignment: only an artifact the project has. */
        memset(want, '0', NEREID_HASH_HEXLEN);
        want[NEREID_HASH_HEXLEN] = '\0';
        CHECK(nrd_artifact_assign(store, PROJECT, "CLS-2", "assigned", want, NULL, 0) ==
              NEREID_ENOTFOUND);
        CHECK(nrd_store_field_get(store, PROJECT, "CLS-2", "assigned", got_hash) ==
              NEREID_ENOTFOUND);
        CHECK(nrd_artifact_assign(store, PROJECT, "CLS-2", "assigned", h1, NULL, 0) == 0);
        CHECK(nrd_store_field_get(store, PROJECT, "CLS-2", "assigned", got_hash) == 0);
        CHECK_STR(got_hash, h1);
        CHECK(nrd_artifact_assign(store, PROJECT, "CLS-9", "assigned", h1, NULL, 0) ==
              NEREID_ENOTFOUND);
        /* Assigning over a tracked field forgets its roots. */
        CHECK(nrd_artifact_assign(store, PROJECT, "CLS-1", TRAIN, h1, &root2, 1) == 0);
        CHECK(nrd_store_field_get(store, PROJECT, "CLS-1", TRAIN, got_hash) == 0);
        CHECK_STR(got_hash, h1);
        CHECK(nrd_store_field_roots(store, PROJECT, "CLS-1", TRAIN, &roots, &nroots) == 0);
        CHECK(nroots == 1 && strcmp(roots[0].location, "file:///x/two") == 0);
        nrd_store_roots_free(roots, nroots);
        roots = NULL;
        nroots = 0;
        /* ...and a merge then adds to what it now holds. */
        CHECK(nrd_artifact_track(store, PROJECT, "CLS-1", TRAIN, second, NULL, ARTIFACT_MERGE,
                                 got_hash) == 0);
        CHECK_STR(got_hash, h2);

        /* Errors leave the field as it was. */
        CHECK(nrd_artifact_track(store, PROJECT, "CLS-9", TRAIN, first, NULL, ARTIFACT_MERGE,
                                 got_hash) == NEREID_ENOTFOUND);
        CHECK(nrd_artifact_track(store, "ws/none", "CLS-1", TRAIN, first, NULL, ARTIFACT_MERGE,
                                 got_hash) == NEREID_ENOTFOUND);
        nrd_store_close(store);

        /* Everything is still there after a reopen. */
        store = NULL;
        if (open_store(&store, home, NEREID_MODE_ASYNC) < 0)
                goto cleanup;
        CHECK(nrd_store_field_get(store, PROJECT, "CLS-1", TRAIN, got_hash) == 0);
        CHECK_STR(got_hash, h2);
        CHECK(nrd_store_field_get(store, PROJECT, "CLS-2", "assigned", got_hash) == 0);
        CHECK_STR(got_hash, h1);
cleanup:
        if (store)
                nrd_store_close(store);
        nereid_files_free(first);
        nereid_files_free(second);
        nereid_files_free(all);
        nereid_files_free(empty);
}

static void test_read_only(const char *home)
{
        nereid_store *store = NULL;
        nereid_files *files = list_new();
        store_run_info info;
        char *empty_home = path_in(root, "empty-home"), *absent = path_in(root, "absent-home");
        char key[16], id[32], hash[NEREID_HASH_HEXLEN + 1], before[NEREID_HASH_HEXLEN + 1];

        push(files, "ro", MD5_C, 4);

        /* A home without a store: nothing is created in it. */
        CHECK(mkdir(empty_home, 0700) == 0);
        if (open_store(&store, empty_home, NEREID_MODE_READ_ONLY) == 0) {
                CHECK(nrd_store_project_open(store, PROJECT, NULL, 0, key) == NEREID_ENOTFOUND);
                CHECK(nrd_store_run_get(store, PROJECT, "CLS-1", &info) == NEREID_ENOTFOUND);
                nrd_store_close(store);
        }
        CHECK(count_entries(empty_home) == 0);
        /* Nor is a missing home made. */
        store = NULL;
        if (open_store(&store, absent, NEREID_MODE_READ_ONLY) == 0) {
                CHECK(nrd_store_project_open(store, PROJECT, NULL, 0, key) == NEREID_ENOTFOUND);
                nrd_store_close(store);
        }
        CHECK(access(absent, F_OK) < 0 && errno == ENOENT);

        /* An existing store can be read, not written. */
        store = NULL;
        if (open_store(&store, home, NEREID_MODE_READ_ONLY) < 0)
                goto cleanup;
        CHECK(nrd_store_project_open(store, PROJECT, NULL, 0, key) == 0);
        CHECK_STR(key, "CLS");
        CHECK(nrd_store_run_get(store, PROJECT, "CLS-1", &info) == 0);
        nrd_store_run_info_clear(&info);
        CHECK(nrd_store_field_get(store, PROJECT, "CLS-1", TRAIN, before) == 0);

        CHECK(nrd_store_project_open(store, "ws/new", NULL, 1, key) == NEREID_EREADONLY);
        CHECK(strstr(nereid_error_last(), home) != NULL);
        CHECK(strstr(nereid_error_last(), "read-only mode") != NULL);
        CHECK(nrd_store_run_create(store, PROJECT, NULL, "me", id) < 0);
        CHECK(nrd_artifact_track(store, PROJECT, "CLS-1", TRAIN, files, NULL, ARTIFACT_MERGE,
                                 hash) < 0);
        CHECK(nrd_artifact_assign(store, PROJECT, "CLS-2", "ro", before, NULL, 0) < 0);
        /* Reads still work after the refused writes. */
        CHECK(nrd_store_field_get(store, PROJECT, "CLS-1", TRAIN, hash) == 0);
        CHECK_STR(hash, before);
        nrd_store_close(store);

        store = NULL;
        if (open_store(&store, home, NEREID_MODE_ASYNC) < 0)
                goto cleanup;
        CHECK(nrd_store_project_open(store, "ws/new", NULL, 0, key) == NEREID_ENOTFOUND);
        CHECK(nrd_store_run_get(store, PROJECT, "CLS-4", &info) == NEREID_ENOTFOUND);
        CHECK(nrd_store_field_get(store, PROJECT, "CLS-1", TRAIN, hash) == 0);
        CHECK_STR(hash, before);
        CHECK(nrd_store_field_get(store, PROJECT, "CLS-2", "ro", hash) == NEREID_ENOTFOUND);
cleanup:
        if (store)
                nrd_store_close(store);
        nereid_files_free(files);
}

static void test_debug(const char *home)
{
        nereid_store *store = NULL;
        nereid_files *files = list_new();
        store_run_info info;
        char *fresh = path_in(root, "debug-home");
        char key[16], id[32], hash[NEREID_HASH_HEXLEN + 1], before[NEREID_HASH_HEXLEN + 1];
        char other[NEREID_HASH_HEXLEN + 1], debug_id[32] = "";

        push(files, "debug-only", MD5_C, 4);

        if (open_store(&store, home, NEREID_MODE_DEBUG) < 0)
                goto cleanup;
        /* Everything works within the session... */
        CHECK(nrd_store_project_open(store, PROJECT, NULL, 0, key) == 0);
        CHECK(nrd_store_field_get(store, PROJECT, "CLS-1", TRAIN, before) == 0);
        CHECK(nrd_store_run_create(store, PROJECT, "dbg", "me", debug_id) == 0);
        CHECK_STR(debug_id, "CLS-4");
        CHECK(nrd_store_run_get(store, PROJECT, debug_id, &info) == 0);
        CHECK_STR(info.name, "dbg");
        nrd_store_run_info_clear(&info);
        CHECK(nrd_artifact_track(store, PROJECT, debug_id, "dbg/field", files, NULL, ARTIFACT_MERGE,
                                 hash) == 0);
        CHECK(nrd_store_field_get(store, PROJECT, debug_id, "dbg/field", other) == 0);
        CHECK_STR(other, hash);
        CHECK(nrd_artifact_track(store, PROJECT, "CLS-1", TRAIN, files, NULL, ARTIFACT_MERGE,
                                 hash) == 0);
        CHECK(strcmp(hash, before) != 0);
        CHECK(nrd_store_project_open(store, "ws/debug", NULL, 1, key) == 0);
        CHECK_STR(key, "DBG");
        /* ...and a failed write inside it does not undo the earlier ones. */
        CHECK(nrd_artifact_track(store, PROJECT, "CLS-99", TRAIN, files, NULL, ARTIFACT_MERGE,
                                 other) == NEREID_ENOTFOUND);
        CHECK(nrd_store_field_get(store, PROJECT, debug_id, "dbg/field", other) == 0);
        /* A debug session holds no lock: another process can write now. */
        {
                sqlite3 *db = NULL;
                char *file = path_in(home, "store.db");

                CHECK(sqlite3_open(file, &db) == SQLITE_OK);
                sqlite3_busy_timeout(db, 500);
                CHECK(sqlite3_exec(db, "BEGIN IMMEDIATE; ROLLBACK", NULL, NULL, NULL) == SQLITE_OK);
                sqlite3_close(db);
        }
        nrd_store_close(store);

        /* ...but nothing of it was stored. */
        store = NULL;
        if (open_store(&store, home, NEREID_MODE_ASYNC) < 0)
                goto cleanup;
        CHECK(nrd_store_run_get(store, PROJECT, debug_id, &info) == NEREID_ENOTFOUND);
        CHECK(nrd_store_field_get(store, PROJECT, debug_id, "dbg/field", other) ==
              NEREID_ENOTFOUND);
        CHECK(nrd_store_field_get(store, PROJECT, "CLS-1", TRAIN, hash) == 0);
        CHECK_STR(hash, before);
        CHECK(nrd_store_project_open(store, "ws/debug", NULL, 0, key) == NEREID_ENOTFOUND);
        nrd_store_close(store);

        /* Debug without a store creates none. */
        store = NULL;
        CHECK(mkdir(fresh, 0700) == 0);
        if (open_store(&store, fresh, NEREID_MODE_DEBUG) == 0) {
                CHECK(nrd_store_project_open(store, PROJECT, NULL, 1, key) == 0);
                CHECK(nrd_store_run_create(store, PROJECT, NULL, "me", id) == 0);
                CHECK_STR(id, "CLS-1");
                CHECK(nrd_artifact_track(store, PROJECT, id, TRAIN, files, NULL, ARTIFACT_MERGE,
                                         hash) == 0);
                nrd_store_close(store);
        }
        store = NULL;
        CHECK(count_entries(fresh) == 0);
cleanup:
        if (store)
                nrd_store_close(store);
        nereid_files_free(files);
}

static void test_bad_home(void)
{
        nereid_store *store = (nereid_store *)&store;
        char *file = path_in(root, "a-file");
        FILE *f = fopen(file, "w");

        CHECK(f != NULL);
        if (f)
                fclose(f);
        /* A file where the home folder should be. */
        CHECK(nrd_store_open(&store, file, NEREID_MODE_ASYNC) < 0);
        CHECK(store == NULL);
        CHECK(strstr(nereid_error_last(), "a-file") != NULL);
        /* A store.db that is not a database. */
        CHECK(mkdir(path_in(root, "junk"), 0700) == 0);
        f = fopen(path_in(root, "junk/store.db"), "w");
        CHECK(f != NULL);
        if (f) {
                fputs("this is not a SQLite database, not at all", f);
                fclose(f);
        }
        CHECK(nrd_store_open(&store, path_in(root, "junk"), NEREID_MODE_ASYNC) < 0);
        CHECK(strstr(nereid_error_last(), "junk/store.db") != NULL);
        CHECK(nrd_store_open(&store, path_in(root, "junk"), NEREID_MODE_READ_ONLY) < 0);
        CHECK(strstr(nereid_error_last(), "junk/store.db") != NULL);
}

int main(void)
{
        char *home;

        if (scratch_begin("store") < 0)
                return 1;
        home = xdup(path_in(root, "home"));
        test_derive_key();
        test_projects_and_runs(home);
        test_fields(home);
        test_read_only(home);
        test_debug(home);
        test_bad_home();
        free(home);
        return scratch_end(CHECK_DONE());
}
