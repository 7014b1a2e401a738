/*
 * test_store_conformance.c - the store conformance suite: what every
 * backend of the registry (nrd_store_backend) must do, checked through the
 * seam (nrd_store_open and the store_* calls) and nothing else, so that the
 * same checks run against each. A backend that lives on this machine
 * (STORE_CAP_LOCAL) gets a fresh folder, "SCHEME:FOLDER"; any other gets
 * its location from NEREID_TEST_STORE_<NAME> (e.g. an http:// server or a
 * postgres:// database made empty for the test) and is skipped without it.
 * A client of nereid-server's API (STORE_CAP_API) is held to what the API
 * promises where a local store keeps more: tokens and settings refused,
 * names that are not UTF-8 refused, sys/owner the token's name
 * (NEREID_TEST_STORE_HTTP_OWNER), no uuid shown (docs/internals/store.md);
 * tests/e2e/server_conformance.sh runs it against a real server.
 * Adding a backend adds it here by itself. Backend-specific checks (files,
 * schema, locks) stay in test_store.c and test_store_edit.c.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check.h"
#include "records.h"
#include "scratch.h"
#include "artifact.h"
#include "error.h"
#include "hash.h"
#include "nereid.h"
#include "record.h"
#include "store/http.h"
#include "store/postgres.h"
#include "store/store.h"

#define MD5_A "9e107d9d372bb6826bd81d3542a419d6"
#define MD5_B "d41d8cd98f00b204e9800998ecf8427e"
#define MD5_C "2f249230a8e7c2bf6005ccd2679259ec"
#define P     "ml-team/classification"
#define Q     "ml-team/other"
#define V     "ws/version-4" /* the project of the version-4 checks */
#define U1    "0f8fad5b-d9cb-469f-a165-70867728950e"
#define U2    "7c9e6679-7425-40de-944b-e07fc1f90ae7"
#define U3    "16fd2706-8baf-433b-82eb-8c7fada847da"
#define U4    "886313e1-3b8a-4372-9b90-0c9aee199e5d"

/* What the backend under test keeps, set by check_backend. A client of the
 * HTTP API (STORE_CAP_API) sends names as JSON strings, so a name that is not
 * valid UTF-8 must be refused (EINVALID) and the checks go on with a UTF-8
 * one; its runs' sys/owner is the token's name (NEREID_TEST_STORE_HTTP_OWNER),
 * whatever the client says; tokens and settings are refused. */
static int api;
static const char *odd_path;  /* a record path with a byte above 0x7f */
static const char *top_path;  /* the path that sorts last of check_artifact_page's */
static const char *owner_al;  /* sys/owner of the run made as "al\xffice" */
static const char *owner_bob; /* sys/owner of the run made as "bob" */

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

/* Appends "name|key|runs\n" to a 4096-byte buffer. */
static int list_project(void *payload, const char *name, const char *key, uint64_t runs)
{
        char *out = payload;
        size_t n = strlen(out);

        snprintf(out + n, 4096 - n, "%s|%s|%llu\n", name, key, (unsigned long long)runs);
        return 0;
}

static int list_run(void *payload, const store_run_info *info)
{
        char *out = payload;
        size_t n = strlen(out);

        snprintf(out + n, 4096 - n, "%s|%s|%s\n", info->id, info->name, info->owner);
        return 0;
}

static int list_field(void *payload, const char *field, const char *hash)
{
        char *out = payload;
        size_t n = strlen(out);

        snprintf(out + n, 4096 - n, "%s=%.8s\n", field, hash);
        return 0;
}

static int list_ref(void *payload, const char *run_id, const char *field, const char *file_path)
{
        char *out = payload;
        size_t n = strlen(out);

        snprintf(out + n, 4096 - n, "%s:%s%s%s\n", run_id, field, file_path ? " " : "",
                 file_path ? file_path : "");
        return 0;
}

/* A fresh, empty location for backend ops, or NULL to skip it. */
static char *fresh_location(const store_ops *ops, int n)
{
        static char where[4200];
        char name[64], var[96];
        const char *given;
        size_t i;

        if (ops->caps & STORE_CAP_LOCAL) {
                snprintf(name, sizeof(name), "%s-%d", ops->name, n);
                snprintf(where, sizeof(where), "%s:%s", ops->schemes[0], path_in(root, name));
                return where;
        }
        snprintf(var, sizeof(var), "NEREID_TEST_STORE_%s", ops->name);
        for (i = 0; var[i]; i++)
                var[i] = (char)toupper((unsigned char)var[i]);
        given = getenv(var);
        if (!given || !*given || n > 0)
                return NULL;
        snprintf(where, sizeof(where), "%s", given);
        return where;
}

static nereid_store *open_or_report(const char *location, int mode)
{
        nereid_store *store = NULL;

        if (nrd_store_open(&store, location, mode) < 0) {
                fprintf(stderr, "nrd_store_open(%s, %d): %s\n", location, mode,
                        nereid_error_last());
                CHECK(0);
                return NULL;
        }
        return store;
}

/* The table itself: versioned, named, every function there. */
static void check_table(const store_ops *ops)
{
        CHECK(ops->version == NEREID_STORE_VERSION);
        CHECK(ops->name && *ops->name);
        CHECK(ops->schemes && ops->schemes[0]);
        CHECK(ops->open && ops->close && ops->can_write);
        CHECK(ops->project_open && ops->project_each);
        /* run_create is version 3's and may be NULL: run_new replaced it. */
        CHECK(ops->run_new && ops->run_info && ops->run_each);
        CHECK(ops->field_each && ops->field_get && ops->field_roots && ops->field_swap &&
              ops->field_remove);
        CHECK(ops->artifact_put && ops->artifact_content_hash && ops->artifact_each);
        CHECK(ops->field_users && ops->file_find);
        CHECK(ops->artifact_page);
        CHECK(ops->token_create && ops->token_find_by_hash && ops->token_each &&
              ops->token_revoke && ops->token_touch);
        CHECK(ops->meta_get && ops->meta_set);
        CHECK(ops->op_apply);
}

/* The artifact of files, stored: its hash goes to hash. */
static int put(nereid_store *store, const char *project, const nereid_files *files,
               char hash[NEREID_HASH_HEXLEN + 1])
{
        char content[NEREID_HASH_HEXLEN + 1];

        if (nrd_hash_files_pair(files, hash, content) < 0)
                return -1;
        return nrd_store_artifact_put(store, project, hash, content, files);
}

static void check_projects_and_runs(nereid_store *store)
{
        char key[16], id[32], out[4096] = "", r1[512], r2[512], both[1024], want[1536];
        store_run_info info;

        CHECK(nrd_store_project_open(store, P, NULL, 0, key) == NEREID_ENOTFOUND);
        CHECK(nrd_store_project_each(store, list_project, out) == 0);
        CHECK_STR(out, "");
        CHECK(nrd_store_run_create(store, P, "r", "me", id) == NEREID_ENOTFOUND);
        CHECK(nrd_store_project_open(store, P, NULL, 1, key) == 0);
        CHECK_STR(key, "CLS");
        CHECK(nrd_store_project_open(store, Q, "OTH", 1, key) == 0);
        CHECK_STR(key, "OTH");
        /* Made once: a second create keeps the first key. */
        CHECK(nrd_store_project_open(store, Q, "ZZZ", 1, key) == 0);
        CHECK_STR(key, "OTH");
        if (api) {
                /* Refused before anything is sent: the next run is still CLS-1. */
                CHECK(nrd_store_run_create(store, P, "bad\xff", "me", id) == NEREID_EINVALID);
                CHECK(strstr(nereid_error_last(), "not valid UTF-8") != NULL);
        }
        CHECK(nrd_store_run_create(store, P, "first\nline", "al\xffice", id) == 0);
        CHECK_STR(id, "CLS-1");
        CHECK(nrd_store_run_create(store, P, NULL, "bob", id) == 0);
        CHECK_STR(id, "CLS-2");
        CHECK(nrd_store_run_create(store, Q, "", "carol", id) == 0);
        CHECK_STR(id, "OTH-1");
        CHECK(nrd_store_run_get(store, P, "CLS-1", &info) == 0);
        /* Any byte but NUL is kept as it is. */
        CHECK_STR(info.name, "first\nline");
        CHECK_STR(info.owner, owner_al);
        /* ISO 8601 UTC with milliseconds: YYYY-MM-DDTHH:MM:SS.mmmZ */
        CHECK(strlen(info.creation_time) == 24 && info.creation_time[23] == 'Z');
        CHECK_STR(info.modification_time, info.creation_time);
        nrd_store_run_info_clear(&info);
        CHECK(nrd_store_run_get(store, P, "CLS-2", &info) == 0);
        CHECK_STR(info.name, "");
        nrd_store_run_info_clear(&info);
        CHECK(nrd_store_run_get(store, P, "CLS-3", &info) == NEREID_ENOTFOUND);
        CHECK(nrd_store_run_get(store, P, "CLS-01", &info) == NEREID_ENOTFOUND);
        CHECK(nrd_store_run_get(store, P, "OTH-1", &info) == NEREID_ENOTFOUND);
        CHECK(nrd_store_run_get(store, "ws/none", "CLS-1", &info) == NEREID_ENOTFOUND);
        snprintf(r1, sizeof(r1), "CLS-1|first\nline|%s\n", owner_al);
        snprintf(r2, sizeof(r2), "CLS-2||%s\n", owner_bob);
        snprintf(both, sizeof(both), "%s%s", r1, r2);
        out[0] = '\0';
        CHECK(nrd_store_run_each(store, P, 0, 0, list_run, out) == 0);
        CHECK_STR(out, both);
        CHECK(nrd_store_run_each(store, "ws/none", 0, 0, list_run, out) == NEREID_ENOTFOUND);
        /* Pages: the runs numbered above after, at most limit (0: all). */
        out[0] = '\0';
        CHECK(nrd_store_run_each(store, P, 0, 1, list_run, out) == 0);
        CHECK_STR(out, r1);
        out[0] = '\0';
        CHECK(nrd_store_run_each(store, P, 1, 1, list_run, out) == 0);
        CHECK_STR(out, r2);
        out[0] = '\0';
        CHECK(nrd_store_run_each(store, P, 1, 0, list_run, out) == 0);
        CHECK_STR(out, r2);
        CHECK(nrd_store_run_each(store, P, 2, 5, list_run, out) == 0);
        CHECK(nrd_store_run_each(store, P, UINT64_MAX, 5, list_run, out) == 0);
        CHECK(nrd_store_run_each(store, P, 0, SIZE_MAX, list_run, out) == 0);
        snprintf(want, sizeof(want), "%s%s", r2, both);
        CHECK_STR(out, want);
        out[0] = '\0';
        CHECK(nrd_store_project_each(store, list_project, out) == 0);
        CHECK_STR(out, "ml-team/classification|CLS|2\nml-team/other|OTH|1\n");
}

static void check_artifacts(nereid_store *store, char h1[NEREID_HASH_HEXLEN + 1])
{
        nereid_files *files = nrd_files_new(), *got = nrd_files_new();
        struct nereid_file odd;
        char content[NEREID_HASH_HEXLEN + 1], want[NEREID_HASH_HEXLEN + 1];
        int calls = 0;

        if (!files || !got)
                abort();
        /* Sorted bytewise, as SPEC section 3 sorts: "B" < "a" < "a.b" < "a/b". */
        push(files, "B", MD5_A, 1);
        push(files, "a", MD5_B, 0);
        push(files, "a.b", MD5_C, 3);
        if (api) {
                /* A record path that is not UTF-8 is refused, nothing stored. */
                odd = make("a/b\tc\xff", MD5_A, 0);
                free(odd.source);
                odd.source = NULL;
                CHECK(nrd_files_push(files, &odd) == 0);
                CHECK(put(store, P, files, want) == NEREID_EINVALID);
                CHECK(strstr(nereid_error_last(), "not valid UTF-8") != NULL);
                CHECK(nrd_store_artifact_content_hash(store, P, want, content) == NEREID_ENOTFOUND);
                nereid_files_free(files);
                if (!(files = nrd_files_new()))
                        abort();
                push(files, "B", MD5_A, 1);
                push(files, "a", MD5_B, 0);
                push(files, "a.b", MD5_C, 3);
        }
        odd = make(odd_path, MD5_A, 0);
        odd.has_size = 0; /* a null size */
        free(odd.source);
        odd.source = NULL;
        CHECK(nrd_files_push(files, &odd) == 0);
        nrd_files_sort(files);
        CHECK(put(store, P, files, h1) == 0);
        /* Idempotent: the same artifact again changes nothing. */
        CHECK(put(store, P, files, want) == 0);
        CHECK_STR(want, h1);
        CHECK(nrd_store_artifact_content_hash(store, P, h1, content) == 0);
        CHECK(nrd_hash_files(files, 1, want) == 0);
        CHECK_STR(content, want);
        CHECK(nrd_store_artifact_each(store, P, h1, collect, got) == 0);
        CHECK(got->count == 4);
        if (got->count == 4) {
                CHECK_STR(got->items[0].file_path, "B");
                CHECK_STR(got->items[1].file_path, "a");
                CHECK_STR(got->items[2].file_path, "a.b");
                CHECK_STR(got->items[3].file_path, odd_path);
                CHECK(!got->items[3].has_size);
                CHECK(got->items[3].source == NULL);
                CHECK(got->items[0].has_size && got->items[0].size == 1);
                CHECK_STR(got->items[2].source, "file:///x/a.b");
                CHECK_STR(got->items[2].last_modified, "2022-09-30 10:50:40");
                CHECK_STR(got->items[2].type, "Local");
                CHECK(nrd_hash_files(got, 0, want) == 0);
                CHECK_STR(want, h1);
        }
        CHECK(nrd_store_artifact_each(store, P, h1, stop_at_second, &calls) == 42);
        CHECK(calls == 2);
        /* Artifacts belong to their project. */
        CHECK(nrd_store_artifact_each(store, Q, h1, collect, got) == NEREID_ENOTFOUND);
        CHECK(nrd_store_artifact_content_hash(store, Q, h1, content) == NEREID_ENOTFOUND);
        CHECK(put(store, "ws/none", files, want) == NEREID_ENOTFOUND);
        nereid_files_free(files);
        nereid_files_free(got);
}

static void check_fields(nereid_store *store, const char *h1, char h2[NEREID_HASH_HEXLEN + 1])
{
        nereid_files *small = nrd_files_new();
        store_root roots[2] = {{"file:///a", ""}, {"s3://b/p", "dest"}};
        store_root *got = NULL;
        store_run_info info;
        size_t n = 0;
        char hash[NEREID_HASH_HEXLEN + 1], out[4096] = "", want[512];

        if (!small)
                abort();
        push(small, "only", MD5_C, 9);
        CHECK(put(store, P, small, h2) == 0);
        CHECK(nrd_store_field_get(store, P, "CLS-1", "data/train", hash) == NEREID_ENOTFOUND);
        /* "" expects no artifact; NULL anything. */
        CHECK(nrd_store_field_swap(store, P, "CLS-1", "data/train", "", h1, roots, 1,
                                   STORE_ROOTS_ADD) == 0);
        CHECK(nrd_store_field_get(store, P, "CLS-1", "data/train", hash) == 0);
        CHECK_STR(hash, h1);
        /* A stale expectation changes nothing. */
        CHECK(nrd_store_field_swap(store, P, "CLS-1", "data/train", "", h2, NULL, 0,
                                   STORE_ROOTS_ADD) == STORE_CONFLICT);
        CHECK(nrd_store_field_swap(store, P, "CLS-1", "data/train", h2, h2, NULL, 0,
                                   STORE_ROOTS_SET) == STORE_CONFLICT);
        CHECK(nrd_store_field_get(store, P, "CLS-1", "data/train", hash) == 0);
        CHECK_STR(hash, h1);
        CHECK(nrd_store_field_roots(store, P, "CLS-1", "data/train", &got, &n) == 0);
        CHECK(n == 1);
        nrd_store_roots_free(got, n);
        CHECK(nrd_store_field_swap(store, P, "CLS-1", "data/train", h1, h1, roots + 1, 1,
                                   STORE_ROOTS_ADD) == 0);
        CHECK(nrd_store_field_roots(store, P, "CLS-1", "data/train", &got, &n) == 0);
        CHECK(n == 2);
        if (n == 2) {
                CHECK_STR(got[0].location, "file:///a");
                CHECK_STR(got[0].destination, "");
                CHECK_STR(got[1].location, "s3://b/p");
                CHECK_STR(got[1].destination, "dest");
        }
        nrd_store_roots_free(got, n);
        CHECK(nrd_store_field_swap(store, P, "CLS-1", "data/train", NULL, h2, roots + 1, 1,
                                   STORE_ROOTS_SET) == 0);
        CHECK(nrd_store_field_roots(store, P, "CLS-1", "data/train", &got, &n) == 0);
        CHECK(n == 1 && strcmp(got[0].location, "s3://b/p") == 0);
        nrd_store_roots_free(got, n);
        CHECK(nrd_store_field_get(store, P, "CLS-1", "data/train", hash) == 0);
        CHECK_STR(hash, h2);
        /* Unknown run, unknown artifact, another project's artifact. */
        CHECK(nrd_store_field_swap(store, P, "CLS-9", "x", NULL, h1, NULL, 0, STORE_ROOTS_SET) ==
              NEREID_ENOTFOUND);
        CHECK(
            nrd_store_field_swap(store, P, "CLS-1", "x", NULL,
                                 "0000000000000000000000000000000000000000000000000000000000000000",
                                 NULL, 0, STORE_ROOTS_SET) == NEREID_ENOTFOUND);
        CHECK(nrd_store_field_swap(store, Q, "OTH-1", "x", NULL, h1, NULL, 0, STORE_ROOTS_SET) ==
              NEREID_ENOTFOUND);
        CHECK(nrd_store_field_get(store, P, "CLS-1", "x", hash) == NEREID_ENOTFOUND);
        /* A write sets the run's modification time. */
        CHECK(nrd_store_run_get(store, P, "CLS-1", &info) == 0);
        CHECK(strcmp(info.modification_time, info.creation_time) >= 0);
        nrd_store_run_info_clear(&info);
        /* Fields by path; a namespace is removed whole. */
        CHECK(nrd_store_field_swap(store, P, "CLS-1", "data/test", NULL, h2, NULL, 0,
                                   STORE_ROOTS_ADD) == 0);
        CHECK(nrd_store_field_swap(store, P, "CLS-1", "data.x", NULL, h1, NULL, 0,
                                   STORE_ROOTS_ADD) == 0);
        CHECK(nrd_store_field_swap(store, P, "CLS-2", "copy", NULL, h1, NULL, 0, STORE_ROOTS_ADD) ==
              0);
        CHECK(nrd_store_field_each(store, P, "CLS-1", list_field, out) == 0);
        CHECK(strncmp(out, "data.x=", 7) == 0 && strstr(out, "\ndata/test=") &&
              strstr(out, "\ndata/train="));
        CHECK(nrd_store_field_each(store, P, "CLS-9", list_field, out) == NEREID_ENOTFOUND);
        /* Reverse lookups. */
        out[0] = '\0';
        CHECK(nrd_store_field_users(store, P, h1, list_ref, out) == 0);
        CHECK_STR(out, "CLS-1:data.x\nCLS-2:copy\n");
        out[0] = '\0';
        CHECK(nrd_store_field_users(store, P, h2, list_ref, out) == 0);
        CHECK_STR(out, "CLS-1:data/test\nCLS-1:data/train\n");
        CHECK(nrd_store_field_users(store, Q, h1, list_ref, out) == NEREID_ENOTFOUND);
        out[0] = '\0';
        CHECK(nrd_store_file_find(store, P, MD5_A, list_ref, out) == 0);
        snprintf(want, sizeof(want),
                 "CLS-1:data.x B\nCLS-1:data.x %s\nCLS-2:copy B\nCLS-2:copy %s\n", odd_path,
                 odd_path);
        CHECK_STR(out, want);
        out[0] = '\0';
        CHECK(nrd_store_file_find(store, P, MD5_C, list_ref, out) == 0);
        CHECK_STR(out, "CLS-1:data.x a.b\nCLS-1:data/test only\nCLS-1:data/train only\nCLS-2:copy "
                       "a.b\n");
        out[0] = '\0';
        CHECK(nrd_store_file_find(store, Q, MD5_C, list_ref, out) == 0);
        CHECK_STR(out, "");
        CHECK(nrd_store_file_find(store, "ws/none", MD5_C, list_ref, out) == NEREID_ENOTFOUND);
        CHECK(nrd_store_field_remove(store, P, "CLS-1", "data") == 0);
        CHECK(nrd_store_field_get(store, P, "CLS-1", "data/train", hash) == NEREID_ENOTFOUND);
        CHECK(nrd_store_field_get(store, P, "CLS-1", "data/test", hash) == NEREID_ENOTFOUND);
        CHECK(nrd_store_field_roots(store, P, "CLS-1", "data/train", &got, &n) == 0);
        CHECK(n == 0);
        nrd_store_roots_free(got, n);
        CHECK(nrd_store_field_get(store, P, "CLS-1", "data.x", hash) == 0);
        CHECK(nrd_store_field_remove(store, P, "CLS-1", "data") == NEREID_ENOTFOUND);
        CHECK(nrd_store_field_remove(store, P, "CLS-9", "data") == NEREID_ENOTFOUND);
        /* The artifact stays in the project. */
        CHECK(nrd_store_artifact_content_hash(store, P, h2, hash) == 0);
        out[0] = '\0';
        CHECK(nrd_store_field_users(store, P, h2, list_ref, out) == 0);
        CHECK_STR(out, "");
        nereid_files_free(small);
}

/* Two handles on one store: the compare and swap sees the other's write,
 * and the policy above the seam merges again: nothing is lost. */
static void check_two_writers(const char *location)
{
        nereid_store *a = open_or_report(location, NEREID_MODE_ASYNC);
        nereid_store *b = open_or_report(location, NEREID_MODE_ASYNC);
        nereid_files *one = nrd_files_new(), *two = nrd_files_new(), *got = nrd_files_new();
        char held[NEREID_HASH_HEXLEN + 1], ha[NEREID_HASH_HEXLEN + 1], hb[NEREID_HASH_HEXLEN + 1];

        if (!a || !b || !one || !two || !got)
                goto out;
        push(one, "one", MD5_A, 1);
        push(two, "two", MD5_B, 2);
        CHECK(nrd_artifact_track(a, P, "CLS-2", "race", one, NULL, ARTIFACT_MERGE, ha) == 0);
        CHECK(nrd_store_field_get(a, P, "CLS-2", "race", held) == 0);
        CHECK(nrd_artifact_track(b, P, "CLS-2", "race", two, NULL, ARTIFACT_MERGE, hb) == 0);
        /* a's view is stale now: its swap is refused... */
        CHECK(put(a, P, two, hb) == 0);
        CHECK(nrd_store_field_swap(a, P, "CLS-2", "race", held, hb, NULL, 0, STORE_ROOTS_ADD) ==
              STORE_CONFLICT);
        /* ...and the union holds both records. */
        CHECK(nrd_store_field_get(a, P, "CLS-2", "race", held) == 0);
        CHECK(nrd_store_artifact_each(a, P, held, collect, got) == 0);
        CHECK(got->count == 2);
out:
        nereid_files_free(one);
        nereid_files_free(two);
        nereid_files_free(got);
        nrd_store_close(a);
        nrd_store_close(b);
}

/* The policy's retry (artifact.c): another writer changes the field between
 * the track's read and its swap. The backend's table is copied with its
 * field_swap wrapped to make that write at that moment. */
static const store_ops *race_real;
static nereid_store *race_other;
static int race_armed;

static int race_swap(nereid_store *store, const char *project, const char *run_id,
                     const char *field, const char *expect, const char *hash,
                     const store_root *roots, size_t nroots, enum store_roots how)
{
        if (race_armed > 0) {
                nereid_files *files = nrd_files_new();
                char other[NEREID_HASH_HEXLEN + 1];

                race_armed--;
                if (files) {
                        push(files, race_armed ? "late-a" : "late-b", MD5_B, 5);
                        CHECK(nrd_artifact_track(race_other, project, run_id, field, files, NULL,
                                                 ARTIFACT_MERGE, other) == 0);
                }
                nereid_files_free(files);
        }
        return race_real->field_swap(store, project, run_id, field, expect, hash, roots, nroots,
                                     how);
}

static void check_policy_retries(const char *location)
{
        nereid_store *a = open_or_report(location, NEREID_MODE_ASYNC);
        nereid_files *mine = nrd_files_new(), *got = nrd_files_new();
        store_ops race_ops;
        char hash[NEREID_HASH_HEXLEN + 1], held[NEREID_HASH_HEXLEN + 1];

        race_other = open_or_report(location, NEREID_MODE_ASYNC);
        if (!a || !race_other || !mine || !got)
                goto out;
        race_real = a->ops;
        race_ops = *a->ops;
        race_ops.field_swap = race_swap;
        a->ops = &race_ops;
        push(mine, "mine", MD5_A, 1);
        race_armed = 2; /* two conflicts in a row */
        CHECK(nrd_artifact_track(a, P, "CLS-2", "retry", mine, NULL, ARTIFACT_MERGE, hash) == 0);
        CHECK(race_armed == 0);
        CHECK(nrd_store_field_get(race_other, P, "CLS-2", "retry", held) == 0);
        CHECK_STR(held, hash);
        CHECK(nrd_store_artifact_each(race_other, P, held, collect, got) == 0);
        /* Nothing lost: both late writes and this track's record. */
        CHECK(got->count == 3);
        if (got->count == 3) {
                CHECK_STR(got->items[0].file_path, "late-a");
                CHECK_STR(got->items[1].file_path, "late-b");
                CHECK_STR(got->items[2].file_path, "mine");
        }
        /* --replace does not depend on what the field held: no retry. */
        race_armed = 1;
        CHECK(nrd_artifact_track(a, P, "CLS-2", "retry", mine, NULL, ARTIFACT_REPLACE, hash) == 0);
        CHECK(nrd_store_field_get(race_other, P, "CLS-2", "retry", held) == 0);
        CHECK_STR(held, hash);
        a->ops = race_real;
out:
        nereid_files_free(mine);
        nereid_files_free(got);
        nrd_store_close(a);
        nrd_store_close(race_other);
}

/* Read-only mode refuses every write, whatever the backend, and reads. */
static void check_read_only(const char *location, const char *h1)
{
        nereid_store *store = open_or_report(location, NEREID_MODE_READ_ONLY);
        nereid_files *files = nrd_files_new();
        char key[16], id[32], hash[NEREID_HASH_HEXLEN + 1];

        if (!store || !files)
                goto out;
        push(files, "ro", MD5_A, 1);
        CHECK(nrd_store_can_write(store) == NEREID_EREADONLY);
        CHECK(nrd_store_project_open(store, P, NULL, 1, key) == 0); /* exists: a read */
        CHECK(nrd_store_project_open(store, "ws/ro", NULL, 1, key) == NEREID_EREADONLY);
        CHECK(nrd_store_run_create(store, P, NULL, "me", id) == NEREID_EREADONLY);
        CHECK(put(store, P, files, hash) == NEREID_EREADONLY);
        CHECK(nrd_store_field_swap(store, P, "CLS-1", "ro", NULL, h1, NULL, 0, STORE_ROOTS_SET) ==
              NEREID_EREADONLY);
        CHECK(nrd_store_field_remove(store, P, "CLS-1", "data.x") == NEREID_EREADONLY);
        CHECK(nrd_artifact_track(store, P, "CLS-1", "ro", files, NULL, ARTIFACT_MERGE, hash) ==
              NEREID_EREADONLY);
        CHECK(nrd_store_field_get(store, P, "CLS-1", "data.x", hash) == 0);
        CHECK_STR(hash, h1);
out:
        nereid_files_free(files);
        nrd_store_close(store);
}

/* Debug mode: every write works within the session, none is stored. */
static void check_debug(const char *location, const char *h1)
{
        nereid_store *store = open_or_report(location, NEREID_MODE_DEBUG);
        nereid_files *files = nrd_files_new();
        store_run_info info;
        char key[16], id[32], hash[NEREID_HASH_HEXLEN + 1], out[4096] = "", created[32] = "";
        char want[1024];

        if (!store || !files)
                goto out;
        push(files, "dbg", MD5_C, 1);
        CHECK(nrd_store_run_get(store, P, "CLS-1", &info) == 0);
        snprintf(created, sizeof(created), "%s", info.creation_time);
        nrd_store_run_info_clear(&info);
        /* Pages read the real store until the first write... */
        CHECK(nrd_store_run_each(store, P, 1, 1, list_run, out) == 0);
        snprintf(want, sizeof(want), "CLS-2||%s\n", owner_bob);
        CHECK_STR(out, want);
        CHECK(nrd_store_can_write(store) == 0);
        CHECK(nrd_store_project_open(store, "ws/dbg", NULL, 1, key) == 0);
        CHECK(nrd_store_run_create(store, P, "d", "me", id) == 0);
        CHECK_STR(id, "CLS-3");
        /* ...then the session's copy, with the run made in it. */
        out[0] = '\0';
        CHECK(nrd_store_run_each(store, P, 1, 5, list_run, out) == 0);
        snprintf(want, sizeof(want), "CLS-2||%s\nCLS-3|d|me\n", owner_bob);
        CHECK_STR(out, want);
        out[0] = '\0';
        CHECK(nrd_store_run_each(store, P, 2, 0, list_run, out) == 0);
        CHECK_STR(out, "CLS-3|d|me\n");
        out[0] = '\0';
        CHECK(nrd_artifact_track(store, P, id, "f", files, NULL, ARTIFACT_MERGE, hash) == 0);
        CHECK(nrd_artifact_track(store, P, "CLS-1", "data.x", files, NULL, ARTIFACT_MERGE, hash) ==
              0);
        CHECK(strcmp(hash, h1) != 0);
        CHECK(nrd_store_field_remove(store, P, "CLS-2", "copy") == 0);
        CHECK(nrd_store_file_find(store, P, MD5_C, list_ref, out) == 0);
        CHECK(strstr(out, "CLS-3:f dbg\n") != NULL);
        /* The project was copied whole: runs keep their sys/ values. */
        CHECK(nrd_store_run_get(store, P, "CLS-1", &info) == 0);
        CHECK_STR(info.name, "first\nline");
        CHECK_STR(info.owner, owner_al);
        CHECK(strcmp(info.creation_time, created) == 0);
        nrd_store_run_info_clear(&info);
        CHECK(nrd_store_field_get(store, P, "CLS-2", "retry", hash) == 0);
        /* Records of artifacts the session did not write are the real store's. */
        out[0] = '\0';
        CHECK(nrd_store_file_find(store, P, MD5_B, list_ref, out) == 0);
        CHECK_STR(out, "CLS-1:data.x a\nCLS-2:race two\n");
        CHECK(nrd_artifact_assign(store, P, id, "alias", hash, NULL, 0) == 0);
        out[0] = '\0';
        CHECK(nrd_store_file_find(store, P, MD5_A, list_ref, out) == 0);
        snprintf(want, sizeof(want),
                 "CLS-1:data.x B\nCLS-1:data.x %s\nCLS-2:race one\nCLS-2:retry mine\nCLS-3:alias "
                 "mine\n",
                 odd_path);
        CHECK_STR(out, want);
        out[0] = '\0';
        CHECK(nrd_store_project_each(store, list_project, out) == 0);
        CHECK_STR(out, "ml-team/classification|CLS|3\nml-team/other|OTH|1\nws/dbg|DBG|0\n");
        nrd_store_close(store);
        store = open_or_report(location, NEREID_MODE_ASYNC);
        if (!store)
                goto out;
        CHECK(nrd_store_project_open(store, "ws/dbg", NULL, 0, key) == NEREID_ENOTFOUND);
        CHECK(nrd_store_run_get(store, P, "CLS-3", &info) == NEREID_ENOTFOUND);
        CHECK(nrd_store_field_get(store, P, "CLS-1", "data.x", hash) == 0);
        CHECK_STR(hash, h1);
        CHECK(nrd_store_field_get(store, P, "CLS-2", "copy", hash) == 0);
out:
        nereid_files_free(files);
        nrd_store_close(store);
}

/* --- version 4 ------------------------------------------------------------------------------ */

/* 64 copies of c: a hash-shaped string (two may be in use at once). */
static const char *h64(char c)
{
        static char bufs[2][NEREID_HASH_HEXLEN + 1];
        static int turn;
        char *b = bufs[turn++ & 1];

        memset(b, c, NEREID_HASH_HEXLEN);
        b[NEREID_HASH_HEXLEN] = '\0';
        return b;
}

static store_run_spec spec_of(const char *uuid, const char *custom, const char *name)
{
        store_run_spec spec;

        memset(&spec, 0, sizeof(spec));
        spec.uuid = uuid;
        spec.custom_run_id = custom;
        spec.name = name;
        spec.owner = "me";
        return spec;
}

static int count_run(void *payload, const store_run_info *info)
{
        (void)info;
        ++*(int *)payload;
        return 0;
}

static int runs_of(nereid_store *store, const char *project)
{
        int n = 0;

        CHECK(nrd_store_run_each(store, project, 0, 0, count_run, &n) == 0);
        return n;
}

/* Create by uuid, resume by custom_run_id, the metadata kept, bad specs
 * refused with nothing created. */
static void check_run_new(nereid_store *store)
{
        static const char *const tags[] = {"beta", "alpha", "\xc3\xa9t\xc3\xa9"};
        const char **sorted = NULL;
        store_run_spec spec;
        store_run_info info;
        char key[16], id[32], again[32];
        size_t nsorted = 0;
        int created = -1;

        spec = spec_of(U1, NULL, "one");
        CHECK(nrd_store_run_new(store, V, &spec, id, &created) == NEREID_ENOTFOUND);
        CHECK(created == 0);
        CHECK(nrd_store_project_open(store, V, "VER", 1, key) == 0);
        CHECK(nrd_store_run_new(store, V, &spec, id, &created) == 0);
        CHECK_STR(id, "VER-1");
        CHECK(created == 1);
        /* A retried create (same uuid, whatever else it says) finds its run. */
        spec.name = "another name";
        created = -1;
        CHECK(nrd_store_run_new(store, V, &spec, again, &created) == 0);
        CHECK_STR(again, "VER-1");
        CHECK(created == 0);
        /* custom_run_id: Neptune's resume, from any uuid. */
        CHECK(nrd_store_tags_normalize(tags, 3, &sorted, &nsorted) == 0);
        CHECK(nsorted == 3);
        spec = spec_of(U2, "exp-7", "two");
        spec.description = "first\ttry";
        spec.tags = sorted;
        spec.ntags = nsorted;
        CHECK(nrd_store_run_new(store, V, &spec, id, &created) == 0);
        CHECK_STR(id, "VER-2");
        CHECK(created == 1);
        spec = spec_of(U3, "exp-7", "three");
        CHECK(nrd_store_run_new(store, V, &spec, again, &created) == 0);
        CHECK_STR(again, "VER-2");
        CHECK(created == 0);
        /* The uuid wins over the custom_run_id of another run. */
        spec = spec_of(U1, "exp-7", NULL);
        CHECK(nrd_store_run_new(store, V, &spec, again, &created) == 0);
        CHECK_STR(again, "VER-1");
        /* uuid and custom_run_id are unique per project, not per store. */
        spec = spec_of(U2, "exp-7", NULL);
        CHECK(nrd_store_run_new(store, Q, &spec, again, &created) == 0);
        CHECK(created == 1 && strncmp(again, "OTH-", 4) == 0);
        CHECK(nrd_store_run_get(store, V, "VER-2", &info) == 0);
        /* The uuid the client made, from every store (through a server:
         * the API's RUN, docs/api/http.md, route 8). */
        CHECK_STR(info.uuid, U2);
        CHECK_STR(info.custom_run_id, "exp-7");
        CHECK_STR(info.description, "first\ttry");
        CHECK_STR(info.name, "two");
        CHECK(info.ntags == 3);
        if (info.ntags == 3) {
                CHECK_STR(info.tags[0], "alpha");
                CHECK_STR(info.tags[1], "beta");
                CHECK_STR(info.tags[2], "\xc3\xa9t\xc3\xa9");
        }
        nrd_store_run_info_clear(&info);
        CHECK(nrd_store_run_get(store, V, "VER-1", &info) == 0);
        CHECK_STR(info.uuid, U1);
        CHECK(info.custom_run_id == NULL);
        CHECK_STR(info.description, "");
        CHECK(info.ntags == 0 && info.tags == NULL);
        nrd_store_run_info_clear(&info);
        /* A run made the version-3 way gets a fresh uuid of its own. */
        CHECK(nrd_store_run_create(store, V, NULL, "me", id) == 0);
        CHECK_STR(id, "VER-3");
        CHECK(nrd_store_run_get(store, V, "VER-3", &info) == 0);
        CHECK(nrd_store_uuid_check(info.uuid) == 0 && info.uuid[14] == '4');
        CHECK(strcmp(info.uuid, U1) != 0 && strcmp(info.uuid, U2) != 0);
        nrd_store_run_info_clear(&info);
        /* Bad specs: refused before the store, nothing made. */
        spec = spec_of("0F8FAD5B-D9CB-469F-A165-70867728950E", NULL, NULL);
        CHECK(nrd_store_run_new(store, V, &spec, id, &created) == NEREID_EINVALID);
        CHECK(strstr(nereid_error_last(), "uuid") != NULL);
        spec = spec_of("0f8fad5b-d9cb-469f-a165-70867728950", NULL, NULL);
        CHECK(nrd_store_run_new(store, V, &spec, id, &created) == NEREID_EINVALID);
        spec = spec_of(NULL, NULL, NULL);
        CHECK(nrd_store_run_new(store, V, &spec, id, &created) == NEREID_EINVALID);
        spec = spec_of(U4, "", NULL);
        CHECK(nrd_store_run_new(store, V, &spec, id, &created) == NEREID_EINVALID);
        spec = spec_of(U4, "a\nb", NULL);
        CHECK(nrd_store_run_new(store, V, &spec, id, &created) == NEREID_EINVALID);
        CHECK(strstr(nereid_error_last(), "custom run ID") != NULL);
        spec = spec_of(U4, NULL, NULL);
        spec.tags = tags; /* not sorted */
        spec.ntags = 2;
        CHECK(nrd_store_run_new(store, V, &spec, id, &created) == NEREID_EINVALID);
        CHECK(strstr(nereid_error_last(), "sorted") != NULL);
        CHECK(runs_of(store, V) == 3);
        free(sorted);
}

/* Tag grammar and the normalisation into a sorted set. */
static void check_tags(void)
{
        static const char *const dup[] = {"b", "a", "b", "a"};
        char long_tag[STORE_TAG_MAX + 2];
        const char *many[STORE_TAGS_MAX + 1], **out = NULL;
        char names[STORE_TAGS_MAX + 1][8];
        size_t n = 0, i;

        CHECK(nrd_store_tag_check("release candidate") == 0);
        CHECK(nrd_store_tag_check("\xc3\xa9t\xc3\xa9") == 0);
        CHECK(nrd_store_tag_check("") == NEREID_EINVALID);
        CHECK(nrd_store_tag_check("a\tb") == NEREID_EINVALID);
        CHECK(strstr(nereid_error_last(), "control character") != NULL);
        CHECK(nrd_store_tag_check("a\x7f") == NEREID_EINVALID);
        CHECK(nrd_store_tag_check("a\xc2\x85") == NEREID_EINVALID); /* C1 NEL */
        CHECK(nrd_store_tag_check("a\xff") == NEREID_EINVALID);
        CHECK(strstr(nereid_error_last(), "UTF-8") != NULL);
        CHECK(nrd_store_tag_check("a,b") == NEREID_EINVALID);
        CHECK(nrd_store_tag_check(" a") == NEREID_EINVALID);
        CHECK(nrd_store_tag_check("a ") == NEREID_EINVALID);
        memset(long_tag, 'x', sizeof(long_tag));
        long_tag[STORE_TAG_MAX] = '\0';
        CHECK(nrd_store_tag_check(long_tag) == 0);
        long_tag[STORE_TAG_MAX] = 'x';
        long_tag[STORE_TAG_MAX + 1] = '\0';
        CHECK(nrd_store_tag_check(long_tag) == NEREID_EINVALID);
        CHECK(nrd_store_tags_normalize(dup, 4, &out, &n) == 0);
        CHECK(n == 2);
        if (n == 2) {
                CHECK_STR(out[0], "a");
                CHECK_STR(out[1], "b");
        }
        free(out);
        out = NULL;
        for (i = 0; i <= STORE_TAGS_MAX; i++) {
                snprintf(names[i], sizeof(names[i]), "t%zu", i);
                many[i] = names[i];
        }
        CHECK(nrd_store_tags_normalize(many, STORE_TAGS_MAX, &out, &n) == 0);
        CHECK(n == STORE_TAGS_MAX);
        free(out);
        out = NULL;
        CHECK(nrd_store_tags_normalize(many, STORE_TAGS_MAX + 1, &out, &n) == NEREID_EINVALID);
        CHECK(out == NULL && n == 0);
        CHECK(nrd_store_tags_normalize(NULL, 0, &out, &n) == 0);
        CHECK(out == NULL && n == 0);
}

/* Concurrent creators with one uuid (or one custom_run_id), each in its own
 * process with its own connection, get one run between them. */
#define CREATORS 6
static void check_concurrent_creators(const char *location, const char *custom)
{
        char ids[CREATORS][32];
        pid_t kids[CREATORS];
        int fds[CREATORS][2], i, status, before, after;
        nereid_store *store = open_or_report(location, NEREID_MODE_ASYNC);

        if (!store)
                return;
        before = runs_of(store, V);
        for (i = 0; i < CREATORS; i++) {
                CHECK(pipe(fds[i]) == 0);
                kids[i] = fork();
                if (kids[i] == 0) {
                        /* A uuid of its own when custom decides, one shared otherwise. */
                        static const char *const uuids[CREATORS] = {
                            "00000000-0000-4000-8000-000000000001",
                            "00000000-0000-4000-8000-000000000002",
                            "00000000-0000-4000-8000-000000000003",
                            "00000000-0000-4000-8000-000000000004",
                            "00000000-0000-4000-8000-000000000005",
                            "00000000-0000-4000-8000-000000000006"};
                        store_run_spec spec = spec_of(custom ? uuids[i] : U4, custom, "race");
                        nereid_store *mine = NULL;
                        char id[32] = "";
                        int created = 0, rc;

                        close(fds[i][0]);
                        rc = nrd_store_open(&mine, location, NEREID_MODE_ASYNC);
                        if (rc == 0)
                                rc = nrd_store_run_new(mine, V, &spec, id, &created);
                        if (write(fds[i][1], id, sizeof(id)) != (ssize_t)sizeof(id))
                                rc = -1;
                        nrd_store_close(mine);
                        _exit(rc == 0 ? 0 : 1);
                }
                close(fds[i][1]);
        }
        for (i = 0; i < CREATORS; i++) {
                memset(ids[i], 0, sizeof(ids[i]));
                CHECK(read(fds[i][0], ids[i], sizeof(ids[i])) == (ssize_t)sizeof(ids[i]));
                ids[i][31] = '\0';
                close(fds[i][0]);
                CHECK(waitpid(kids[i], &status, 0) == kids[i]);
                CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        }
        for (i = 1; i < CREATORS; i++)
                CHECK_STR(ids[i], ids[0]);
        after = runs_of(store, V);
        CHECK(after == before + 1);
        nrd_store_close(store);
}

/* Appends "file_path\n" to a 4096-byte buffer. */
static int list_path(void *payload, const struct nereid_file *file)
{
        char *out = payload;
        size_t n = strlen(out);

        snprintf(out + n, 4096 - n, "%s\n", file->file_path);
        return 0;
}

/* Keyset pages of an artifact's records, by file_path bytewise. */
static void check_artifact_page(nereid_store *store)
{
        static const nereid_files none = {NULL, 0, 0};
        nereid_files *files = nrd_files_new();
        char empty[NEREID_HASH_HEXLEN + 1], six[NEREID_HASH_HEXLEN + 1], out[4096] = "";
        char last3[128], from_b[192], all[256];
        int calls = 0;

        if (!files)
                return;
        if (api) {
                /* A path that is not UTF-8 ("\xff") is refused, nothing stored. */
                push(files, "a", MD5_A, 1);
                push(files, "\xff", MD5_C, 6);
                CHECK(put(store, V, files, six) == NEREID_EINVALID);
                CHECK(nrd_store_artifact_content_hash(store, V, six, empty) == NEREID_ENOTFOUND);
                nereid_files_free(files);
                if (!(files = nrd_files_new()))
                        return;
        }
        /* Bytes above 0x7f sort after ASCII, as SPEC section 3 sorts. */
        push(files, "a", MD5_A, 1);
        push(files, "b/c", MD5_A, 2);
        push(files, "b\xc3\xa9", MD5_B, 3);
        push(files, "z", MD5_B, 4);
        push(files, "\xc3\xa9t\xc3\xa9", MD5_C, 5);
        push(files, top_path, MD5_C, 6);
        nrd_files_sort(files);
        snprintf(last3, sizeof(last3), "z\n\xc3\xa9t\xc3\xa9\n%s\n", top_path);
        snprintf(from_b, sizeof(from_b), "b/c\nb\xc3\xa9\n%s", last3);
        snprintf(all, sizeof(all), "a\n%s", from_b);
        CHECK(put(store, V, files, six) == 0);
        CHECK(put(store, V, &none, empty) == 0);
        CHECK(nrd_store_artifact_page(store, V, empty, NULL, 10, list_path, out) == 0);
        CHECK_STR(out, "");
        CHECK(nrd_store_artifact_page(store, V, six, NULL, 3, list_path, out) == 0);
        CHECK_STR(out, "a\nb/c\nb\xc3\xa9\n");
        out[0] = '\0';
        CHECK(nrd_store_artifact_page(store, V, six, "b\xc3\xa9", 3, list_path, out) == 0);
        CHECK_STR(out, last3);
        /* An exact multiple of the limit: the page after the last is empty. */
        out[0] = '\0';
        CHECK(nrd_store_artifact_page(store, V, six, top_path, 3, list_path, out) == 0);
        CHECK_STR(out, "");
        /* after need not be a record's path; limit 0 is all of them. */
        CHECK(nrd_store_artifact_page(store, V, six, "b", 0, list_path, out) == 0);
        CHECK_STR(out, from_b);
        out[0] = '\0';
        CHECK(nrd_store_artifact_page(store, V, six, "", 1, list_path, out) == 0);
        CHECK_STR(out, "a\n");
        out[0] = '\0';
        CHECK(nrd_store_artifact_page(store, V, six, NULL, 0, list_path, out) == 0);
        CHECK_STR(out, all);
        CHECK(nrd_store_artifact_page(store, V, six, NULL, 0, stop_at_second, &calls) == 42);
        CHECK(calls == 2);
        CHECK(nrd_store_artifact_page(store, V, h64('0'), NULL, 3, list_path, out) ==
              NEREID_ENOTFOUND);
        CHECK(nrd_store_artifact_page(store, "ws/none", six, NULL, 3, list_path, out) ==
              NEREID_ENOTFOUND);
        nereid_files_free(files);
}

/* The records of a list given one at a time, failing with fail_code at
 * record fail_at (1-based; 0: never). */
struct feed {
        const nereid_files *files;
        size_t next;
        size_t fail_at;
        int fail_code;
};

static int feed_next(void *payload, const struct nereid_file **file)
{
        struct feed *f = payload;

        if (f->fail_at && f->next + 1 == f->fail_at)
                return nrd_error(f->fail_code, "feed: failed at record %zu", f->fail_at);
        if (f->next == f->files->count)
                return 0;
        *file = &f->files->items[f->next++];
        return 1;
}

static int stream(nereid_store *store, const char *project, const char *hash,
                  const nereid_files *files, size_t fail_at, char content[NEREID_HASH_HEXLEN + 1],
                  uint64_t *count)
{
        struct feed f = {files, 0, fail_at, NEREID_ECANCELLED};

        return nrd_store_artifact_put_stream(store, project, hash, "artifact", feed_next, &f,
                                             content, count);
}

/* Version 4+'s artifact_put_stream: records checked, ordered and hashed on
 * the way; every failure leaves nothing. */
static void check_artifact_put_stream(nereid_store *store)
{
        nereid_files *files = nrd_files_new(), *bad = nrd_files_new(), *big = nrd_files_new();
        char hash[NEREID_HASH_HEXLEN + 1], content[NEREID_HASH_HEXLEN + 1];
        char got[NEREID_HASH_HEXLEN + 1], have[NEREID_HASH_HEXLEN + 1], out[4096] = "";
        char path[32];
        uint64_t count = 0;
        size_t i;

        if (!store->ops->artifact_put_stream) {
                printf("skipped artifact_put_stream: the %s backend has none\n", store->ops->name);
                CHECK(stream(store, V, h64('1'), files, 0, got, &count) == NEREID_ERROR);
                goto out;
        }
        push(files, "s/a", MD5_A, 1);
        push(files, "s/b", MD5_B, 2);
        push(files, "s/\xc3\xa9", MD5_C, 3);
        CHECK(nrd_hash_files_pair(files, hash, content) == 0);
        /* A wrong hash, a failing source, a bad record: nothing is stored. */
        CHECK(stream(store, V, h64('1'), files, 0, got, &count) == NEREID_EINTEGRITY);
        CHECK(strstr(nereid_error_last(), "nothing was stored") != NULL);
        CHECK(stream(store, V, hash, files, 3, got, &count) == NEREID_ECANCELLED);
        CHECK(nrd_store_artifact_content_hash(store, V, hash, have) == NEREID_ENOTFOUND);
        CHECK(stream(store, "ws/none", hash, files, 0, got, &count) == NEREID_ENOTFOUND);
        CHECK(stream(store, V, "not-a-hash", files, 0, got, &count) == NEREID_EINVALID);
        /* Out of order, twice, or not a record: refused naming the record. */
        push(bad, "s/b", MD5_A, 1);
        push(bad, "s/a", MD5_B, 2);
        CHECK(stream(store, V, hash, bad, 0, got, &count) == NEREID_EINVALID);
        CHECK(strstr(nereid_error_last(), "artifact: record 2") != NULL);
        CHECK(strstr(nereid_error_last(), "sorted") != NULL);
        nrd_file_clear(&bad->items[1]);
        bad->items[1] = make("s/b", MD5_B, 2);
        CHECK(stream(store, V, hash, bad, 0, got, &count) == NEREID_EINVALID);
        CHECK(strstr(nereid_error_last(), "twice") != NULL);
        nrd_file_clear(&bad->items[1]);
        bad->items[1] = make("s/c", "not-an-md5", 2);
        CHECK(stream(store, V, hash, bad, 0, got, &count) == NEREID_EINVALID);
        CHECK(strstr(nereid_error_last(), "artifact: record 2") != NULL);
        CHECK(nrd_store_artifact_content_hash(store, V, hash, have) == NEREID_ENOTFOUND);
        /* The same artifact as artifact_put would store. */
        CHECK(stream(store, V, hash, files, 0, got, &count) == 0);
        CHECK_STR(got, content);
        CHECK(count == 3);
        CHECK(nrd_store_artifact_content_hash(store, V, hash, have) == 0);
        CHECK_STR(have, content);
        CHECK(nrd_store_artifact_page(store, V, hash, NULL, 0, list_path, out) == 0);
        CHECK_STR(out, "s/a\ns/b\ns/\xc3\xa9\n");
        /* Again: idempotent, and still checked. */
        CHECK(stream(store, V, hash, files, 0, got, &count) == 0);
        CHECK(stream(store, V, hash, files, 2, got, &count) == NEREID_ECANCELLED);
        CHECK(nrd_store_artifact_content_hash(store, V, hash, have) == 0);
        /* Many records. */
        for (i = 0; i < 20000; i++) {
                snprintf(path, sizeof(path), "big/%08zu", i);
                push(big, path, MD5_A, i);
        }
        CHECK(nrd_hash_files_pair(big, hash, content) == 0);
        CHECK(stream(store, V, hash, big, 0, got, &count) == 0);
        CHECK(count == 20000);
        CHECK_STR(got, content);
out:
        nereid_files_free(files);
        nereid_files_free(bad);
        nereid_files_free(big);
}

static int list_token(void *payload, const store_token *t)
{
        char *out = payload;
        size_t n = strlen(out);

        snprintf(out + n, 4096 - n, "%llu|%s|%s|%s|%.8s|%s|%d|%s\n", (unsigned long long)t->id,
                 t->name, t->project, nrd_store_role_name(t->role), t->hash, t->expires, t->revoked,
                 t->last_used[0] ? "used" : "unused");
        return 0;
}

static void check_tokens(nereid_store *store)
{
        store_token t, got;
        uint64_t id1 = 0, id2 = 0, id3 = 0;
        char out[4096] = "";
        int role = 0;

        CHECK(nrd_store_token_each(store, list_token, out) == 0);
        CHECK_STR(out, "");
        memset(&t, 0, sizeof(t));
        t.name = "ci";
        t.project = V;
        t.role = STORE_ROLE_WRITE;
        snprintf(t.hash, sizeof(t.hash), "%s", h64('a'));
        CHECK(nrd_store_token_find_by_hash(store, t.hash, &got) == NEREID_ENOTFOUND);
        CHECK(nrd_store_token_create(store, &t, &id1) == 0);
        CHECK(id1 >= 1);
        /* One hash, one token. */
        t.name = "again";
        CHECK(nrd_store_token_create(store, &t, &id2) == NEREID_EEXISTS);
        CHECK(id2 == 0);
        t.name = "all";
        t.project = "*";
        t.role = STORE_ROLE_ADMIN;
        snprintf(t.hash, sizeof(t.hash), "%s", h64('b'));
        snprintf(t.expires, sizeof(t.expires), "2030-01-01T00:00:00Z");
        CHECK(nrd_store_token_create(store, &t, &id2) == 0);
        CHECK(id2 > id1);
        /* Checked before the store. */
        t.role = 7;
        snprintf(t.hash, sizeof(t.hash), "%s", h64('c'));
        CHECK(nrd_store_token_create(store, &t, &id3) == NEREID_EINVALID);
        t.role = STORE_ROLE_READ;
        snprintf(t.hash, sizeof(t.hash), "%s", "ABC");
        CHECK(nrd_store_token_create(store, &t, &id3) == NEREID_EINVALID);
        snprintf(t.hash, sizeof(t.hash), "%s", h64('c'));
        snprintf(t.expires, sizeof(t.expires), "tomorrow");
        CHECK(nrd_store_token_create(store, &t, &id3) == NEREID_EINVALID);
        CHECK(strstr(nereid_error_last(), "expiry") != NULL);
        t.expires[0] = '\0';
        t.project = "";
        CHECK(nrd_store_token_create(store, &t, &id3) == NEREID_EINVALID);
        t.project = "../etc";
        CHECK(nrd_store_token_create(store, &t, &id3) == NEREID_EINVALID);
        t.project = "ws/a/b";
        CHECK(nrd_store_token_create(store, &t, &id3) == NEREID_EINVALID);
        CHECK(nrd_store_token_find_by_hash(store, "nope", &got) == NEREID_EINVALID);
        CHECK(nrd_store_token_find_by_hash(store, h64('b'), &got) == 0);
        CHECK(got.id == id2);
        CHECK_STR(got.name, "all");
        CHECK_STR(got.project, "*");
        CHECK(got.role == STORE_ROLE_ADMIN);
        CHECK_STR(got.expires, "2030-01-01T00:00:00Z");
        CHECK(strlen(got.created) == 24 && got.created[23] == 'Z');
        CHECK_STR(got.last_used, "");
        CHECK(got.revoked == 0);
        nrd_store_token_clear(&got);
        /* last_used, revocation; unknown IDs. */
        CHECK(nrd_store_token_touch(store, id1, NULL) == 0);
        CHECK(nrd_store_token_touch(store, id2, "2027-02-03T04:05:06.789Z") == 0);
        CHECK(nrd_store_token_touch(store, id2, "yesterday") == NEREID_EINVALID);
        CHECK(nrd_store_token_touch(store, 999999, NULL) == NEREID_ENOTFOUND);
        CHECK(nrd_store_token_revoke(store, id1) == 0);
        CHECK(nrd_store_token_revoke(store, id1) == 0);
        CHECK(nrd_store_token_revoke(store, 999999) == NEREID_ENOTFOUND);
        CHECK(nrd_store_token_find_by_hash(store, h64('b'), &got) == 0);
        CHECK_STR(got.last_used, "2027-02-03T04:05:06.789Z");
        nrd_store_token_clear(&got);
        snprintf(out, sizeof(out), "%s", "");
        CHECK(nrd_store_token_each(store, list_token, out) == 0);
        {
                char want[512];

                snprintf(want, sizeof(want),
                         "%llu|ci|" V "|write|aaaaaaaa||1|used\n"
                         "%llu|all|*|admin|bbbbbbbb|2030-01-01T00:00:00Z|0|used\n",
                         (unsigned long long)id1, (unsigned long long)id2);
                CHECK_STR(out, want);
        }
        CHECK(nrd_store_role_parse("write", &role) == 0 && role == STORE_ROLE_WRITE);
        CHECK(nrd_store_role_parse("root", &role) == NEREID_EINVALID);
}

static void check_meta(nereid_store *store)
{
        char *value = NULL, big[STORE_META_VALUE_MAX + 2];

        CHECK(nrd_store_meta_get(store, "server.url", &value) == NEREID_ENOTFOUND);
        CHECK(value == NULL);
        CHECK(nrd_store_meta_set(store, "server.url", "http://127.0.0.1:8642") == 0);
        CHECK(nrd_store_meta_get(store, "server.url", &value) == 0);
        CHECK_STR(value, "http://127.0.0.1:8642");
        free(value);
        CHECK(nrd_store_meta_set(store, "server.url", "https://nereid.example.com") == 0);
        CHECK(nrd_store_meta_get(store, "server.url", &value) == 0);
        CHECK_STR(value, "https://nereid.example.com");
        free(value);
        value = NULL;
        CHECK(nrd_store_meta_set(store, "Server URL", "x") == NEREID_EINVALID);
        CHECK(nrd_store_meta_set(store, "", "x") == NEREID_EINVALID);
        CHECK(nrd_store_meta_get(store, "../x", &value) == NEREID_EINVALID);
        memset(big, 'v', sizeof(big));
        big[STORE_META_VALUE_MAX + 1] = '\0';
        CHECK(nrd_store_meta_set(store, "big", big) == NEREID_EINVALID);
        big[STORE_META_VALUE_MAX] = '\0';
        CHECK(nrd_store_meta_set(store, "big", big) == 0);
}

/* Read-only and debug modes over the version-4 ops. */
/* Over the API, tokens and settings are the server's (nereid-server token
 * ..., its own store): every token and meta op is refused with NEREID_ERROR,
 * naming what was refused, and nothing comes back. */
static int server_only(int rc, const char *what)
{
        const char *msg = nereid_error_last();

        if (rc != NEREID_ERROR || !strstr(msg, what) || !strstr(msg, "is done on the server")) {
                fprintf(stderr, "%s: rc %d, \"%s\"\n", what, rc, msg);
                return 0;
        }
        return 1;
}

static void check_admin_refused(nereid_store *store)
{
        store_token t, got;
        uint64_t id = 7;
        char out[4096] = "", *value = (char *)"set";

        memset(&t, 0, sizeof(t));
        t.name = "ci";
        t.project = "*";
        t.role = STORE_ROLE_ADMIN;
        snprintf(t.hash, sizeof(t.hash), "%s", h64('a'));
        memset(&got, 0xff, sizeof(got));
        CHECK(server_only(nrd_store_token_create(store, &t, &id), "creating a token"));
        CHECK(
            server_only(nrd_store_token_find_by_hash(store, h64('a'), &got), "looking a token up"));
        CHECK(got.name == NULL && got.project == NULL);
        CHECK(server_only(nrd_store_token_each(store, list_token, out), "listing tokens"));
        CHECK_STR(out, "");
        CHECK(server_only(nrd_store_token_revoke(store, 1), "revoking a token"));
        CHECK(server_only(nrd_store_token_touch(store, 1, NULL), "using a token"));
        CHECK(server_only(nrd_store_meta_get(store, "server.url", &value),
                          "reading a server setting"));
        CHECK(value == NULL);
        CHECK(server_only(nrd_store_meta_set(store, "server.url", "http://x"),
                          "changing a server setting"));
        /* The store's own checks still come first. */
        CHECK(nrd_store_meta_set(store, "Server URL", "x") == NEREID_EINVALID);
        nrd_error_clear();
}

static void check_v4_modes(const char *location)
{
        nereid_store *store = open_or_report(location, NEREID_MODE_READ_ONLY);
        store_run_spec spec = spec_of("00000000-0000-4000-8000-0000000000aa", NULL, "ro");
        store_token t, got;
        uint64_t id = 0;
        char run[32], *value = NULL;
        int created = 0;

        memset(&t, 0, sizeof(t));
        memset(&got, 0, sizeof(got));
        t.name = "x";
        t.project = "*";
        t.role = STORE_ROLE_READ;
        snprintf(t.hash, sizeof(t.hash), "%s", h64('d'));
        if (!store)
                return;
        CHECK(nrd_store_run_new(store, V, &spec, run, &created) == NEREID_EREADONLY);
        CHECK(nrd_store_token_create(store, &t, &id) == NEREID_EREADONLY);
        CHECK(nrd_store_token_revoke(store, 1) == NEREID_EREADONLY);
        CHECK(nrd_store_token_touch(store, 1, NULL) == NEREID_EREADONLY);
        CHECK(nrd_store_meta_set(store, "server.url", "http://x") == NEREID_EREADONLY);
        if (api) {
                CHECK(server_only(nrd_store_meta_get(store, "server.url", &value),
                                  "reading a server setting"));
                CHECK(server_only(nrd_store_token_find_by_hash(store, h64('b'), &got),
                                  "looking a token up"));
        } else {
                CHECK(nrd_store_meta_get(store, "server.url", &value) == 0);
                CHECK(nrd_store_token_find_by_hash(store, h64('b'), &got) == 0);
        }
        free(value);
        value = NULL;
        nrd_store_token_clear(&got);
        nrd_store_close(store);
        /* Debug: a run made in memory only; tokens refused, clearly. */
        if (!(store = open_or_report(location, NEREID_MODE_DEBUG)))
                return;
        CHECK(nrd_store_run_new(store, V, &spec, run, &created) == 0);
        CHECK(created == 1);
        created = -1;
        CHECK(nrd_store_run_new(store, V, &spec, run, &created) == 0);
        CHECK(created == 0);
        CHECK(nrd_store_token_create(store, &t, &id) == NEREID_ERROR);
        CHECK(strstr(nereid_error_last(), "debug mode") != NULL);
        CHECK(nrd_store_meta_set(store, "server.url", "http://debug") == 0);
        CHECK(nrd_store_meta_get(store, "server.url", &value) == 0);
        CHECK_STR(value, "http://debug");
        free(value);
        value = NULL;
        nrd_store_close(store);
        if (!(store = open_or_report(location, NEREID_MODE_ASYNC)))
                return;
        CHECK(nrd_store_run_get(store, V, run, &(store_run_info){0}) == NEREID_ENOTFOUND);
        if (api) {
                CHECK(server_only(nrd_store_meta_get(store, "server.url", &value),
                                  "reading a server setting"));
        } else {
                CHECK(nrd_store_meta_get(store, "server.url", &value) == 0);
                CHECK_STR(value, "https://nereid.example.com");
        }
        free(value);
        nrd_store_close(store);
}

/* run_query: the table view's page. Rows append "ID(n):field=count/size;"
 * to the output. */
static int list_query(void *payload, const store_run_info *info, uint64_t number,
                      const store_field_summary *fields, size_t nfields)
{
        char *out = payload;
        size_t len = strlen(out);

        snprintf(out + len, 4096 - len, "%s(%llu)", info->id, (unsigned long long)number);
        for (size_t i = 0; i < nfields; i++) {
                len = strlen(out);
                snprintf(out + len, 4096 - len, ":%s=%llu/%llu", fields[i].field,
                         (unsigned long long)fields[i].file_count,
                         (unsigned long long)fields[i].total_size);
        }
        len = strlen(out);
        snprintf(out + len, 4096 - len, ";");
        return 0;
}

static void check_run_query(nereid_store *store)
{
        static const char *const tags[] = {"Golden"};
        const char *const names[] = {"b", "a", "b", "c"};
        const char *const uuids[] = {U1, U2, U3, U4};
        nereid_files *files = nrd_files_new();
        store_run_query q;
        store_run_spec spec;
        char key[16], id[32], hash[NEREID_HASH_HEXLEN + 1], out[4096] = "";
        int created;

        if (!files)
                return;
        memset(&q, 0, sizeof(q));
        q.limit = 10;
        CHECK(nrd_store_run_query(store, "ws/query", &q, list_query, out) == NEREID_ENOTFOUND);
        CHECK(nrd_store_project_open(store, "ws/query", "QRY", 1, key) == 0);
        for (int i = 0; i < 4; i++) {
                spec = spec_of(uuids[i], NULL, names[i]);
                if (i == 3) {
                        spec.owner = "Alice";
                        spec.tags = tags;
                        spec.ntags = 1;
                }
                CHECK(nrd_store_run_new(store, "ws/query", &spec, id, &created) == 0);
        }
        push(files, "x", MD5_A, 5);
        push(files, "y", MD5_B, 7);
        push(files, "z", MD5_C, 0);
        files->items[2].has_size = 0;
        nrd_files_sort(files);
        CHECK(put(store, "ws/query", files, hash) == 0);
        CHECK(nrd_store_field_swap(store, "ws/query", "QRY-2", "data", NULL, hash, NULL, 0,
                                   STORE_ROOTS_ADD) == 0);
        /* By ID, both ways, with a keyset cursor. */
        CHECK(nrd_store_run_query(store, "ws/query", &q, list_query, out) == 0);
        CHECK_STR(out, "QRY-1(1);QRY-2(2):data=3/12;QRY-3(3);QRY-4(4);");
        out[0] = '\0';
        q.descending = 1;
        q.has_after = 1;
        q.after_number = 4;
        q.limit = 2;
        CHECK(nrd_store_run_query(store, "ws/query", &q, list_query, out) == 0);
        CHECK_STR(out, "QRY-3(3);QRY-2(2):data=3/12;");
        /* By name: ties broken by number; the cursor continues after (b, 1). */
        out[0] = '\0';
        q.sort = STORE_SORT_NAME;
        q.descending = 0;
        q.after_key = "b";
        q.after_number = 1;
        q.limit = 10;
        CHECK(nrd_store_run_query(store, "ws/query", &q, list_query, out) == 0);
        CHECK_STR(out, "QRY-3(3);QRY-4(4);");
        /* Filters: case-insensitive substrings of ID, owner, tag; no wildcard. */
        q.has_after = 0;
        q.sort = STORE_SORT_ID;
        /* A server sets sys/owner to its token's name: the owner given is
         * only kept by a store of this machine; over the API every run is
         * the token's. */
        out[0] = '\0';
        if (api) {
                q.filter = owner_al;
                CHECK(nrd_store_run_query(store, "ws/query", &q, list_query, out) == 0);
                CHECK_STR(out, "QRY-1(1);QRY-2(2):data=3/12;QRY-3(3);QRY-4(4);");
        } else {
                q.filter = "alice";
                CHECK(nrd_store_run_query(store, "ws/query", &q, list_query, out) == 0);
                CHECK_STR(out, "QRY-4(4);");
        }
        out[0] = '\0';
        q.filter = "gold";
        CHECK(nrd_store_run_query(store, "ws/query", &q, list_query, out) == 0);
        CHECK_STR(out, "QRY-4(4);");
        out[0] = '\0';
        q.filter = "qry-2";
        CHECK(nrd_store_run_query(store, "ws/query", &q, list_query, out) == 0);
        CHECK_STR(out, "QRY-2(2):data=3/12;");
        out[0] = '\0';
        q.filter = "%";
        CHECK(nrd_store_run_query(store, "ws/query", &q, list_query, out) == 0);
        CHECK_STR(out, "");
        /* Bad queries are refused before the backend. */
        q.filter = NULL;
        q.limit = 0;
        CHECK(nrd_store_run_query(store, "ws/query", &q, list_query, out) == NEREID_EINVALID);
        q.limit = 1;
        q.sort = 99;
        CHECK(nrd_store_run_query(store, "ws/query", &q, list_query, out) == NEREID_EINVALID);
        q.sort = STORE_SORT_OWNER;
        q.has_after = 1;
        q.after_key = NULL;
        CHECK(nrd_store_run_query(store, "ws/query", &q, list_query, out) == NEREID_EINVALID);
        nrd_error_clear();
        nereid_files_free(files);
}

/* op_apply: each (queue, seq) applied once, whatever is retried; a
 * conflict records nothing; a removal of nothing is no error. */
static void check_op_apply(nereid_store *store)
{
        static const char QP[] = "ws/queued";
        nereid_files *a = nrd_files_new(), *b = nrd_files_new();
        store_root qroot = {"file:///q", ""};
        store_run_spec spec;
        char key[16], id[32], h1[NEREID_HASH_HEXLEN + 1], h2[NEREID_HASH_HEXLEN + 1];
        char hash[NEREID_HASH_HEXLEN + 1];
        int created = 0;

        if (!a || !b)
                abort();
        push(a, "one", MD5_A, 1);
        push(b, "two", MD5_B, 2);
        CHECK(nrd_store_project_open(store, QP, "QUE", 1, key) == 0);
        spec = spec_of(U3, NULL, "queued");
        CHECK(nrd_store_run_new(store, QP, &spec, id, &created) == 0);
        CHECK_STR(id, "QUE-1");
        CHECK(put(store, QP, a, h1) == 0);
        CHECK(put(store, QP, b, h2) == 0);
        CHECK(nrd_store_op_apply(store, QP, id, U4, 1, "f", "", h1, &qroot, 1, STORE_ROOTS_ADD) ==
              0);
        /* The same operation again: nothing changes, even with another value. */
        CHECK(nrd_store_op_apply(store, QP, id, U4, 1, "f", NULL, h2, NULL, 0, STORE_ROOTS_SET) ==
              STORE_APPLIED);
        CHECK(nrd_store_field_get(store, QP, id, "f", hash) == 0);
        CHECK_STR(hash, h1);
        /* A stale expectation: a conflict, and the key stays free. */
        CHECK(nrd_store_op_apply(store, QP, id, U4, 2, "f", "", h2, NULL, 0, STORE_ROOTS_ADD) ==
              STORE_CONFLICT);
        CHECK(nrd_store_op_apply(store, QP, id, U4, 2, "f", h1, h2, NULL, 0, STORE_ROOTS_ADD) == 0);
        CHECK(nrd_store_field_get(store, QP, id, "f", hash) == 0);
        CHECK_STR(hash, h2);
        /* Another queue's seq 1 is another operation. */
        CHECK(nrd_store_op_apply(store, QP, id, U2, 1, "g", NULL, h1, NULL, 0, STORE_ROOTS_SET) ==
              0);
        /* Removal (hash NULL), once; removing nothing is no error. */
        CHECK(nrd_store_op_apply(store, QP, id, U4, 3, "f", NULL, NULL, NULL, 0, STORE_ROOTS_SET) ==
              0);
        CHECK(nrd_store_field_get(store, QP, id, "f", hash) == NEREID_ENOTFOUND);
        CHECK(nrd_store_op_apply(store, QP, id, U4, 4, "f", NULL, NULL, NULL, 0, STORE_ROOTS_SET) ==
              0);
        CHECK(nrd_store_op_apply(store, QP, id, U4, 2, "f", NULL, h2, NULL, 0, STORE_ROOTS_SET) ==
              STORE_APPLIED);
        CHECK(nrd_store_field_get(store, QP, id, "f", hash) == NEREID_ENOTFOUND);
        /* Bad keys, unknown runs and artifacts: refused, nothing recorded. */
        CHECK(nrd_store_op_apply(store, QP, id, "not-a-uuid", 5, "f", NULL, h1, NULL, 0,
                                 STORE_ROOTS_SET) == NEREID_EINVALID);
        CHECK(nrd_store_op_apply(store, QP, id, U4, 0, "f", NULL, h1, NULL, 0, STORE_ROOTS_SET) ==
              NEREID_EINVALID);
        CHECK(nrd_store_op_apply(store, QP, "QUE-9", U4, 5, "f", NULL, h1, NULL, 0,
                                 STORE_ROOTS_SET) == NEREID_ENOTFOUND);
        CHECK(nrd_store_op_apply(store, QP, id, U4, 5, "f", NULL,
                                 "0000000000000000000000000000000000000000000000000000000000000000",
                                 NULL, 0, STORE_ROOTS_SET) == NEREID_ENOTFOUND);
        CHECK(nrd_store_op_apply(store, QP, id, U4, 5, "f", NULL, h1, NULL, 0, STORE_ROOTS_SET) ==
              0);
        CHECK(nrd_store_field_get(store, QP, id, "f", hash) == 0);
        CHECK_STR(hash, h1);
        nereid_files_free(a);
        nereid_files_free(b);
}

static void check_version_4(const char *location)
{
        nereid_store *store = open_or_report(location, NEREID_MODE_ASYNC);

        if (!store)
                return;
        check_run_new(store);
        check_artifact_page(store);
        check_artifact_put_stream(store);
        if (api) {
                check_admin_refused(store);
        } else {
                check_tokens(store);
                check_meta(store);
        }
        if (store->ops->run_query)
                check_run_query(store);
        check_op_apply(store);
        nrd_store_close(store);
        check_concurrent_creators(location, NULL);
        check_concurrent_creators(location, "shared-custom-id");
        check_v4_modes(location);
}

static void check_backend(const store_ops *ops)
{
        char h1[NEREID_HASH_HEXLEN + 1] = "", h2[NEREID_HASH_HEXLEN + 1] = "";
        char *location = fresh_location(ops, 0), *copy, var[96];
        nereid_store *store;
        size_t i;

        check_table(ops);
        if (!location) {
                printf("skipped the %s backend: set NEREID_TEST_STORE_%s\n", ops->name, ops->name);
                return;
        }
        api = (ops->caps & STORE_CAP_API) != 0;
        odd_path = api ? "a/b\tc\xc3\xbf" : "a/b\tc\xff";
        top_path = api ? "\xc3\xbf" : "\xff";
        owner_al = "al\xffice";
        owner_bob = "bob";
        if (api) {
                snprintf(var, sizeof(var), "NEREID_TEST_STORE_%s_OWNER", ops->name);
                for (i = 0; var[i]; i++)
                        var[i] = (char)toupper((unsigned char)var[i]);
                owner_al = owner_bob = getenv(var);
                if (!owner_al || !*owner_al) {
                        printf("%s: set %s to the name of the token: sys/owner is its name\n",
                               ops->name, var);
                        CHECK(0);
                        return;
                }
        }
        copy = xdup(location);
        printf("backend %s at %s\n", ops->name, copy);
        store = open_or_report(copy, NEREID_MODE_ASYNC);
        if (!store)
                goto out;
        CHECK(store->ops == ops);
        CHECK(nrd_store_can_write(store) == 0);
        check_projects_and_runs(store);
        check_artifacts(store, h1);
        check_fields(store, h1, h2);
        nrd_store_close(store);
        /* Everything is still there when the store is opened again. */
        store = open_or_report(copy, NEREID_MODE_ASYNC);
        if (store) {
                char hash[NEREID_HASH_HEXLEN + 1];

                CHECK(nrd_store_field_get(store, P, "CLS-1", "data.x", hash) == 0);
                CHECK_STR(hash, h1);
                nrd_store_close(store);
        }
        check_two_writers(copy);
        check_policy_retries(copy);
        check_read_only(copy, h1);
        check_debug(copy, h1);
        check_version_4(copy);
out:
        free(copy);
}

/* The registry: schemes lead to their backend; planned ones are named. */
static void check_registry(void)
{
        nereid_store *store = NULL;
        size_t i;

        CHECK(nrd_store_backend(0) == &nrd_store_sqlite_ops);
        for (i = 0; nrd_store_backend(i); i++)
                ;
        CHECK(i >= 1);
        /* Opening a server store only reads its address: no request yet. */
        CHECK(nrd_store_open(&store, "https://nereid.example.com", NEREID_MODE_ASYNC) == 0);
        CHECK(store && store->ops == &nrd_store_http_ops);
        nrd_store_close(store);
        store = NULL;
        /* Opening a PostgreSQL store only checks its location: no connection yet. */
        CHECK(nrd_store_open(&store, "postgres://db/nereid", NEREID_MODE_ASYNC) == 0);
        CHECK(store && store->ops == &nrd_store_postgres_ops);
        nrd_store_close(store);
        store = NULL;
        CHECK(nrd_store_open(&store, "postgresql://u:secret@db/n?bogus=1", NEREID_MODE_ASYNC) ==
              NEREID_EINVALID);
        CHECK(strstr(nereid_error_last(), "not a PostgreSQL location") != NULL);
        CHECK(strstr(nereid_error_last(), "secret") == NULL);
        CHECK(store == NULL);
        CHECK(nrd_store_open(&store, "HTTP://x", NEREID_MODE_ASYNC) == 0);
        CHECK(store && store->ops == &nrd_store_http_ops);
        nrd_store_close(store);
        store = NULL;
        CHECK(nrd_store_open(&store, "ftp://x/y", NEREID_MODE_ASYNC) == NEREID_EINVALID);
        CHECK(strstr(nereid_error_last(), "unknown kind of store") != NULL);
        CHECK(store == NULL);
        /* Without "//", a name with a ':' is a folder. */
        CHECK(chdir(root) == 0);
        CHECK(nrd_store_open(&store, "http:x", NEREID_MODE_ASYNC) == 0);
        CHECK(store && store->ops == &nrd_store_sqlite_ops);
        nrd_store_close(store);
        store = NULL;
        CHECK(nrd_store_open(&store, "", NEREID_MODE_ASYNC) == NEREID_EINVALID);
        CHECK(nrd_store_open(&store, "sqlite:", NEREID_MODE_ASYNC) == NEREID_EINVALID);
        CHECK(store == NULL);
        /* A folder whose name has a ':' is a folder. */
        CHECK(nrd_store_open(&store, path_in(root, "c:x"), NEREID_MODE_ASYNC) == 0);
        CHECK(store && store->ops == &nrd_store_sqlite_ops);
        nrd_store_close(store);
}

int main(void)
{
        size_t i;

        if (scratch_begin("store-conformance") < 0)
                return 1;
        /* The token of NEREID_TEST_STORE_HTTP's server, for every open. */
        nrd_store_http_token(getenv("NEREID_TEST_STORE_HTTP_TOKEN"));
        check_registry();
        check_tags();
        for (i = 0; nrd_store_backend(i); i++)
                check_backend(nrd_store_backend(i));
        return scratch_end(CHECK_DONE());
}
