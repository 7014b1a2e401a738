/*
 * test_alloc_fail_lookups.c - allocation failures in the reverse lookups
 * (nereid_project_used_by, nereid_project_find_file) and in
 * nereid_options_from_env, walked as test_alloc_fail.c walks the other
 * operations: the 1st, 2nd, 3rd... allocation the library makes fails
 * until the operation succeeds without an injected failure. Each failure
 * must return NEREID_ERROR with a message (never "not found" or an empty
 * or shorter answer), leak nothing (ASan), and leave the store, or the
 * options, as they were. Needs a library built with NEREID_ALLOC_FAIL (on
 * with NEREID_SANITIZE); otherwise it says so and passes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "alloc.h"
#include "check.h"
#include "digest.h"
#include "error.h"
#include "nereid.h"
#include "scratch.h"

#define PROJECT "ws/lookups"
/* An operation stops after this many steps even if it never succeeds. */
#define MAX_STEPS 20000

static nereid_options opts = NEREID_OPTIONS_INIT;
static char run_id[64], run2_id[64];
static char base_hash[NEREID_HASH_HEXLEN + 1];

/* 1 when entry i of refs is run:field (and file_path, unless NULL). */
static int ref_is(const nereid_refs *refs, size_t i, const char *run, const char *field,
                  const char *file_path)
{
        const char *got_path = nereid_refs_file_path(refs, i);

        if (!nereid_refs_run(refs, i) || strcmp(nereid_refs_run(refs, i), run) != 0 ||
            !nereid_refs_field(refs, i) || strcmp(nereid_refs_field(refs, i), field) != 0)
                return 0;
        if (!file_path)
                return got_path == NULL;
        return got_path && strcmp(got_path, file_path) == 0;
}

/* used-by of the artifact "base" holds: both runs' fields that hold it. */
static int op_used_by(void)
{
        nereid_project *project = NULL;
        nereid_refs *refs = NULL;
        int rc = nereid_project_open(&project, PROJECT, &opts);

        if (rc == 0)
                rc = nereid_project_used_by(&refs, project, base_hash);
        if (rc == 0 && !(nereid_refs_count(refs) == 2 && ref_is(refs, 0, run_id, "base", NULL) &&
                         ref_is(refs, 1, run2_id, "copy", NULL)))
                rc = -100;
        nereid_refs_free(refs);
        nereid_project_free(project);
        return rc;
}

/* find-file of a.txt's MD5 (in upper case): the three records holding
 * that content, in two fields of run 1 and one of run 2. */
static int op_find_file(void)
{
        nereid_project *project = NULL;
        nereid_refs *refs = NULL;
        int rc = nereid_project_open(&project, PROJECT, &opts);

        if (rc == 0)
                rc = nereid_project_find_file(&refs, project, "9F9F90DBE3E5EE1218C86B8839DB1995");
        if (rc == 0 && !(nereid_refs_count(refs) == 3 && ref_is(refs, 0, run_id, "base", "a.txt") &&
                         ref_is(refs, 1, run_id, "other", "b.txt") &&
                         ref_is(refs, 2, run2_id, "copy", "a.txt")))
                rc = -100;
        nereid_refs_free(refs);
        nereid_project_free(project);
        return rc;
}

static void walk(const char *name, int (*op)(void))
{
        static char before[65536], after[65536];
        unsigned long n, made = 0;
        int rc = -1, failures = 0;

        CHECK(store_digest(&opts, PROJECT, before, sizeof(before)) == 0);
        for (n = 1; n <= MAX_STEPS; n++) {
                nrd_error_clear();
                nrd_alloc_fail_at(n);
                rc = op();
                made = nrd_alloc_count();
                nrd_alloc_fail_at(0);
                if (made < n) /* no allocation failed: the end of the walk */
                        break;
                if (rc == 0)
                        continue; /* a failure the library worked around */
                failures++;
                /* Out of memory is NEREID_ERROR, never "not found", "bad
                 * hash" or a wrong answer (-100). */
                if (rc != NEREID_ERROR || nereid_error_last()[0] == '\0') {
                        fprintf(stderr, "%s: allocation %lu: status %d, message \"%s\"\n", name, n,
                                rc, nereid_error_last());
                        CHECK(rc == NEREID_ERROR && nereid_error_last()[0] != '\0');
                }
        }
        printf("%s: %lu allocations, %d failed cleanly\n", name, made, failures);
        CHECK(rc == 0);
        CHECK(n > 1);
        CHECK(failures > 0);
        CHECK(store_digest(&opts, PROJECT, after, sizeof(after)) == 0);
        CHECK_STR(after, before);
}

/* Every field nereid_options_from_env may set, to compare two options. */
static int same_options(const nereid_options *a, const nereid_options *b)
{
        const char *const *x[] = {&a->project,
                                  &a->store,
                                  &a->cache,
                                  &a->api_token,
                                  &a->owner,
                                  &a->home,
                                  &a->s3_access_key_id,
                                  &a->s3_secret_access_key,
                                  &a->s3_session_token,
                                  &a->s3_region,
                                  &a->s3_endpoint};
        const char *const *y[] = {&b->project,
                                  &b->store,
                                  &b->cache,
                                  &b->api_token,
                                  &b->owner,
                                  &b->home,
                                  &b->s3_access_key_id,
                                  &b->s3_secret_access_key,
                                  &b->s3_session_token,
                                  &b->s3_region,
                                  &b->s3_endpoint};
        size_t i;

        for (i = 0; i < sizeof(x) / sizeof(x[0]); i++)
                if (*x[i] != *y[i])
                        return 0;
        return a->internal == b->internal;
}

/* nereid_options_from_env, on fresh options and on options that already
 * hold an earlier call's copy: a failure leaves every field (and what the
 * earlier call allocated) as it was. */
static void walk_options_from_env(void)
{
        int round;

        setenv("NEREID_PROJECT", "ws/from-env", 1);
        setenv("NEREID_HOME", "/nowhere/home", 1);
        setenv("AWS_ACCESS_KEY_ID", "key-id", 1);
        setenv("AWS_SECRET_ACCESS_KEY", "secret", 1);
        setenv("AWS_REGION", "eu-west-3", 1);
        for (round = 0; round < 2; round++) {
                nereid_options o = NEREID_OPTIONS_INIT, saved;
                unsigned long n, made = 0;
                int rc = -1, failures = 0;

                o.owner = "kept";
                if (round == 1)
                        CHECK(nereid_options_from_env(&o) == 0 && o.internal != NULL);
                for (n = 1; n <= MAX_STEPS; n++) {
                        saved = o;
                        nrd_error_clear();
                        nrd_alloc_fail_at(n);
                        rc = nereid_options_from_env(&o);
                        made = nrd_alloc_count();
                        nrd_alloc_fail_at(0);
                        if (made < n)
                                break;
                        if (rc == 0) {
                                /* Worked around a failure: undo this call. */
                                nereid_options_dispose(&o);
                                o = saved;
                                CHECK(0);
                                break;
                        }
                        failures++;
                        CHECK(rc == NEREID_ERROR);
                        CHECK_STR(nereid_error_last(), "out of memory");
                        CHECK(same_options(&o, &saved));
                }
                printf("options_from_env (round %d): %lu allocations, %d failed cleanly\n", round,
                       made, failures);
                CHECK(rc == 0 && failures > 0);
                CHECK(o.project && strcmp(o.project, "ws/from-env") == 0);
                CHECK(o.store && strcmp(o.store, "/nowhere/home") == 0);
                CHECK(o.s3_region && strcmp(o.s3_region, "eu-west-3") == 0);
                CHECK(o.owner && (getenv("USER") || strcmp(o.owner, "kept") == 0));
                nereid_options_dispose(&o);
                CHECK(o.project == NULL && o.internal == NULL);
        }
        unsetenv("NEREID_PROJECT");
        unsetenv("NEREID_HOME");
        unsetenv("AWS_ACCESS_KEY_ID");
        unsetenv("AWS_SECRET_ACCESS_KEY");
        unsetenv("AWS_REGION");
}

static int write_file(const char *path, const char *text)
{
        FILE *f = fopen(path, "w");

        if (!f)
                return -1;
        fputs(text, f);
        return fclose(f);
}

/* Run 1: "base" (a.txt, dir/b.txt) and "other" (b.txt holding what a.txt
 * holds, c.txt);
 * run 2: "copy", assigned the artifact of "base". */
static int setup(void)
{
        nereid_project *project = NULL;
        nereid_run *run = NULL, *run2 = NULL;
        const char *data = path_in(root, "data"), *data2 = path_in(root, "data2");
        int rc;

        if (mkdir(data, 0700) < 0 || mkdir(path_in(data, "dir"), 0700) < 0 ||
            mkdir(data2, 0700) < 0 || write_file(path_in(data, "a.txt"), "alpha\n") < 0 ||
            write_file(path_in(data, "dir/b.txt"), "beta\n") < 0 ||
            write_file(path_in(data2, "b.txt"), "alpha\n") < 0 ||
            write_file(path_in(data2, "c.txt"), "gamma\n") < 0)
                return -1;
        if ((rc = nereid_project_open(&project, PROJECT, &opts)) < 0 ||
            (rc = nereid_run_open(&run, project, NULL, "first")) < 0 ||
            (rc = nereid_run_track_files(base_hash, run, "base", data, NULL)) < 0 ||
            (rc = nereid_run_track_files(NULL, run, "other", data2, NULL)) < 0 ||
            (rc = nereid_run_open(&run2, project, NULL, "second")) < 0 ||
            (rc = nereid_run_assign_hash(run2, "copy", base_hash)) < 0)
                fprintf(stderr, "setup: %s\n", nereid_error_last());
        if (rc == 0) {
                snprintf(run_id, sizeof(run_id), "%s", nereid_run_id(run));
                snprintf(run2_id, sizeof(run2_id), "%s", nereid_run_id(run2));
        }
        nereid_run_free(run2);
        nereid_run_free(run);
        nereid_project_free(project);
        return rc;
}

int main(void)
{
        if (!nrd_alloc_injected()) {
                puts("built without NEREID_ALLOC_FAIL: nothing to test");
                return 0;
        }
        walk_options_from_env();
        if (scratch_begin("alloc-fail-lookups") < 0 || nereid_init() < 0)
                return 1;
        opts.store = root;
        if (setup() < 0)
                return 1;
        walk("used-by", op_used_by);
        walk("find-file", op_find_file);
        nereid_shutdown();
        return scratch_end(CHECK_DONE());
}
