/*
 * test_store_edit.c - the store seam's edits and checks beyond track:
 * field_replace (no union, only the new root), field_remove (a field or a
 * namespace, atomically, artifacts kept), project_each, can_write, and the
 * refusal of another program's database or a newer schema, which are left
 * byte for byte as they were. Also the public project calls built on them:
 * nereid_project_create and nereid_projects_list.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

#define MD5_A   "9e107d9d372bb6826bd81d3542a419d6"
#define MD5_B   "d41d8cd98f00b204e9800998ecf8427e"
#define PROJECT "ml-team/classification"

static int count_fields(void *payload, const char *field, const char *hash)
{
        (void)field;
        (void)hash;
        ++*(int *)payload;
        return 0;
}

static int list_project(void *payload, const char *name, const char *key, uint64_t runs)
{
        char *out = payload;
        size_t n = strlen(out);

        snprintf(out + n, 1024 - n, "%s %s %llu\n", name, key, (unsigned long long)runs);
        return 0;
}

/* The whole content of a file, for "left as it was" checks; caller frees. */
static char *slurp(const char *path, size_t *len)
{
        FILE *f = fopen(path, "rb");
        char *data = malloc(1 << 20);

        *len = 0;
        if (f && data)
                *len = fread(data, 1, 1 << 20, f);
        if (f)
                fclose(f);
        return data;
}

static void test_replace_and_remove(const char *home)
{
        nereid_store *store = NULL;
        nereid_files *ab = nrd_files_new(), *b = nrd_files_new();
        store_root root_ab = {"file:///x", ""}, root_b = {"file:///y", "d"};
        store_root *roots = NULL;
        size_t nroots = 0;
        char key[16], id[32], h_ab[NEREID_HASH_HEXLEN + 1], h_b[NEREID_HASH_HEXLEN + 1];
        char got[NEREID_HASH_HEXLEN + 1], want_b[NEREID_HASH_HEXLEN + 1];
        int fields = 0;

        if (!ab || !b || nrd_store_open(&store, home, NEREID_MODE_ASYNC) < 0)
                goto cleanup;
        push(ab, "a", MD5_A, 1);
        push(ab, "b", MD5_B, 0);
        push(b, "b", MD5_A, 3);
        CHECK(nrd_hash_files(b, 0, want_b) == 0);
        CHECK(nrd_store_can_write(store) == 0);
        CHECK(nrd_store_project_open(store, PROJECT, NULL, 1, key) == 0);
        CHECK(nrd_store_run_create(store, PROJECT, "", "me", id) == 0);

        /* Replace: the field holds b alone, and remembers only root_b. */
        CHECK(nrd_artifact_track(store, PROJECT, id, "f", ab, &root_ab, ARTIFACT_MERGE, h_ab) == 0);
        CHECK(nrd_artifact_track(store, PROJECT, id, "f", b, &root_b, ARTIFACT_REPLACE, h_b) == 0);
        CHECK_STR(h_b, want_b);
        CHECK(nrd_store_field_get(store, PROJECT, id, "f", got) == 0);
        CHECK_STR(got, want_b);
        CHECK(nrd_store_field_roots(store, PROJECT, id, "f", &roots, &nroots) == 0);
        CHECK(nroots == 1);
        if (nroots == 1) {
                CHECK_STR(roots[0].location, "file:///y");
                CHECK_STR(roots[0].destination, "d");
        }
        nrd_store_roots_free(roots, nroots);
        /* A merge after it is a union again; a replace into a new field is a track. */
        CHECK(nrd_artifact_track(store, PROJECT, id, "f", ab, &root_ab, ARTIFACT_MERGE, got) == 0);
        CHECK_STR(got, h_ab);
        CHECK(nrd_artifact_track(store, PROJECT, id, "new", b, NULL, ARTIFACT_REPLACE, got) == 0);
        CHECK_STR(got, want_b);
        CHECK(nrd_artifact_track(store, PROJECT, "CLS-99", "f", b, NULL, ARTIFACT_REPLACE, got) ==
              NEREID_ENOTFOUND);

        /* Remove: a field, a namespace, never a field that only shares the prefix. */
        CHECK(nrd_artifact_track(store, PROJECT, id, "ns/a", ab, &root_ab, ARTIFACT_MERGE, got) ==
              0);
        CHECK(nrd_artifact_track(store, PROJECT, id, "ns/b/c", ab, &root_ab, ARTIFACT_MERGE, got) ==
              0);
        CHECK(nrd_artifact_track(store, PROJECT, id, "nsx", ab, &root_ab, ARTIFACT_MERGE, got) ==
              0);
        CHECK(nrd_store_field_remove(store, PROJECT, id, "f") == 0);
        CHECK(nrd_store_field_get(store, PROJECT, id, "f", got) == NEREID_ENOTFOUND);
        CHECK(nrd_store_field_roots(store, PROJECT, id, "f", &roots, &nroots) == 0);
        CHECK(nroots == 0);
        nrd_store_roots_free(roots, nroots);
        CHECK(nrd_store_field_remove(store, PROJECT, id, "f") == NEREID_ENOTFOUND);
        CHECK(strstr(nereid_error_last(), "f: no such field") != NULL);
        CHECK(nrd_store_field_remove(store, PROJECT, id, "ns") == 0);
        CHECK(nrd_store_field_get(store, PROJECT, id, "ns/a", got) == NEREID_ENOTFOUND);
        CHECK(nrd_store_field_get(store, PROJECT, id, "ns/b/c", got) == NEREID_ENOTFOUND);
        CHECK(nrd_store_field_get(store, PROJECT, id, "nsx", got) == 0);
        CHECK(nrd_store_field_remove(store, PROJECT, "CLS-99", "nsx") == NEREID_ENOTFOUND);
        CHECK(nrd_store_field_each(store, PROJECT, id, count_fields, &fields) == 0);
        CHECK(fields == 2); /* new, nsx */
        /* The artifacts stay: a removed field can be assigned back by hash. */
        CHECK(nrd_artifact_assign(store, PROJECT, id, "f", h_ab, NULL, 0) == 0);
        /* A field tracked after its removal starts from nothing. */
        CHECK(nrd_store_field_remove(store, PROJECT, id, "f") == 0);
        CHECK(nrd_artifact_track(store, PROJECT, id, "f", b, NULL, ARTIFACT_MERGE, got) == 0);
        CHECK_STR(got, want_b);
cleanup:
        if (store)
                nrd_store_close(store);
        nereid_files_free(ab);
        nereid_files_free(b);
}

static void test_modes_and_projects(const char *home)
{
        nereid_store *store = NULL;
        nereid_files *b = nrd_files_new();
        char key[16], id[32], got[NEREID_HASH_HEXLEN + 1], list[1024] = "";

        push(b, "b", MD5_A, 3);
        /* Read-only: reads work, every write is refused, nothing changes. */
        if (nrd_store_open(&store, home, NEREID_MODE_READ_ONLY) < 0)
                goto cleanup;
        CHECK(nrd_store_can_write(store) == NEREID_EREADONLY);
        CHECK(nrd_store_field_get(store, PROJECT, "CLS-1", "nsx", got) == 0);
        CHECK(nrd_store_field_remove(store, PROJECT, "CLS-1", "nsx") == NEREID_EREADONLY);
        CHECK(nrd_artifact_track(store, PROJECT, "CLS-1", "nsx", b, NULL, ARTIFACT_REPLACE, got) ==
              NEREID_EREADONLY);
        CHECK(nrd_store_project_open(store, "ws/new", NULL, 1, key) == NEREID_EREADONLY);
        CHECK(nrd_store_project_each(store, list_project, list) == 0);
        CHECK_STR(list, "ml-team/classification CLS 1\n");
        nrd_store_close(store);
        store = NULL;
        /* Debug: edits on a private copy. */
        if (nrd_store_open(&store, home, NEREID_MODE_DEBUG) < 0)
                goto cleanup;
        CHECK(nrd_store_can_write(store) == 0);
        CHECK(nrd_store_field_remove(store, PROJECT, "CLS-1", "nsx") == 0);
        CHECK(nrd_store_project_open(store, "ws/dbg", NULL, 1, key) == 0);
        nrd_store_close(store);
        store = NULL;
        if (nrd_store_open(&store, home, NEREID_MODE_ASYNC) < 0)
                goto cleanup;
        CHECK(nrd_store_field_get(store, PROJECT, "CLS-1", "nsx", got) == 0);
        CHECK(nrd_store_project_open(store, "ws/dbg", NULL, 0, key) == NEREID_ENOTFOUND);
        CHECK(nrd_store_project_open(store, "ws/b", "BEE", 1, key) == 0);
        CHECK(nrd_store_run_create(store, "ws/b", "", "me", id) == 0);
        CHECK(nrd_store_run_create(store, "ws/b", "", "me", id) == 0);
        list[0] = '\0';
        CHECK(nrd_store_project_each(store, list_project, list) == 0);
        CHECK_STR(list, "ml-team/classification CLS 1\nws/b BEE 2\n");
cleanup:
        if (store)
                nrd_store_close(store);
        nereid_files_free(b);
}

/* A database that is not a Nereid store of this build is refused in every
 * mode and left exactly as it was. */
static void check_refused(const char *home, const char *why)
{
        char *db = path_in(home, "store.db");
        size_t before_len, after_len;
        char *before = slurp(db, &before_len), *after;
        int mode;

        for (mode = NEREID_MODE_ASYNC; mode <= NEREID_MODE_DEBUG; mode++) {
                nereid_store *store = NULL;

                CHECK(nrd_store_open(&store, home, mode) == NEREID_ERROR);
                CHECK(store == NULL);
                CHECK(strstr(nereid_error_last(), why) != NULL);
                if (!strstr(nereid_error_last(), why))
                        fprintf(stderr, "  mode %d: %s\n", mode, nereid_error_last());
        }
        after = slurp(db, &after_len);
        CHECK(before && after && before_len == after_len && !memcmp(before, after, after_len));
        free(before);
        free(after);
}

static void make_db(const char *home, const char *sql)
{
        sqlite3 *db = NULL;

        CHECK(mkdir(home, 0700) == 0);
        CHECK(sqlite3_open(path_in(home, "store.db"), &db) == SQLITE_OK);
        CHECK(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK);
        sqlite3_close(db);
}

static void test_schema(void)
{
        char *foreign = xdup(path_in(root, "foreign")), *newer = xdup(path_in(root, "newer"));
        char *marked = xdup(path_in(root, "other-app"));

        make_db(foreign, "CREATE TABLE notes(text); INSERT INTO notes VALUES('keep');");
        check_refused(foreign, "not a Nereid store");
        make_db(marked, "PRAGMA application_id = 42;");
        check_refused(marked, "not a Nereid store");
        make_db(newer, "PRAGMA application_id = 1314014274; PRAGMA user_version = 99;"
                       "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);");
        check_refused(newer, "newer");
        free(foreign);
        free(newer);
        free(marked);
}

static void test_public_projects(const char *home)
{
        nereid_project *project = NULL;
        nereid_projects *list = NULL;
        nereid_options opts = NEREID_OPTIONS_INIT, ro = NEREID_OPTIONS_INIT;

        opts.store = home;
        ro.store = home;
        ro.mode = NEREID_MODE_READ_ONLY;
        CHECK(nereid_init() == 1);
        CHECK(nereid_projects_list(&list, &opts) == 0);
        if (list) {
                CHECK(nereid_projects_count(list) == 2);
                CHECK_STR(nereid_projects_name(list, 1), "ws/b");
                CHECK_STR(nereid_projects_key(list, 1), "BEE");
                CHECK(nereid_projects_runs(list, 1) == 2);
                CHECK(nereid_projects_name(list, 2) == NULL);
                CHECK(nereid_projects_key(list, 2) == NULL);
                CHECK(nereid_projects_runs(list, 2) == 0);
        }
        nereid_projects_free(list);
        nereid_projects_free(NULL);
        CHECK(nereid_project_create(&project, "ws/b", "OTHER", &opts) == NEREID_EEXISTS);
        CHECK(project == NULL);
        CHECK(strstr(nereid_error_last(), "BEE") != NULL);
        CHECK(nereid_project_create(&project, "ws/b", "BEE", &opts) == 0);
        nereid_project_free(project);
        CHECK(nereid_project_create(&project, "ws/c", NULL, &ro) == NEREID_EREADONLY);
        CHECK(nereid_project_create(&project, "ws/..", NULL, &opts) == NEREID_EINVALID);
        CHECK(nereid_project_create(&project, "ws/c", "CEE", &opts) == 0);
        CHECK(project && strcmp(nereid_project_key(project), "CEE") == 0);
        nereid_project_free(project);
        CHECK(nereid_projects_list(&list, &ro) == 0);
        CHECK(list && nereid_projects_count(list) == 3);
        nereid_projects_free(list);
        /* A store that does not exist has no projects, and is not made. */
        opts.store = path_in(root, "none");
        CHECK(nereid_projects_list(&list, &opts) == 0);
        CHECK(list && nereid_projects_count(list) == 0);
        nereid_projects_free(list);
        CHECK(access(path_in(root, "none"), F_OK) < 0);
        CHECK(nereid_shutdown() == 0);
}

int main(void)
{
        char *home;

        if (scratch_begin("store-edit") < 0)
                return 1;
        home = xdup(path_in(root, "home"));
        test_replace_and_remove(home);
        test_modes_and_projects(home);
        test_schema();
        test_public_projects(home);
        free(home);
        return scratch_end(CHECK_DONE());
}
