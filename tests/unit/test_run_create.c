/*
 * test_run_create.c - nereid_run_create and nereid_run_options: a new run
 * with its metadata, a retried create (same uuid, any case) and a resume
 * (same custom_run_id) opening the run they name, the options' version,
 * every bad value refused before anything is written, read-only and debug
 * modes, sys/ values through nereid_run_sys and nereid_run_fields, and
 * every allocation failure clean (no run made, a message set).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "alloc.h"
#include "check.h"
#include "scratch.h"
#include "nereid.h"

#define PROJECT "ws/create"
#define UUID_UP "3F2504E0-4F89-41D3-9A0C-0305E82C3301"

static nereid_options opts = NEREID_OPTIONS_INIT;

static size_t runs_count(nereid_project *project)
{
        nereid_runs *runs = NULL;
        size_t n;

        CHECK(nereid_project_runs(&runs, project) == 0);
        n = nereid_runs_count(runs);
        nereid_runs_free(runs);
        return n;
}

static void check_sys(nereid_run *run, const char *field, const char *want)
{
        char *value = NULL;
        int rc = nereid_run_sys(&value, run, field);

        if (want) {
                CHECK(rc == 0);
                CHECK_STR(value, want);
        } else {
                CHECK(rc == NEREID_ENOTFOUND);
                CHECK(value == NULL);
        }
        nereid_string_free(value);
}

/* The list of runs carries the metadata too. */
static void test_runs_list(nereid_project *project)
{
        nereid_runs *runs = NULL;

        CHECK(nereid_project_runs(&runs, project) == 0);
        CHECK(nereid_runs_count(runs) == 2);
        CHECK_STR(nereid_runs_custom_run_id(runs, 0), "exp-1");
        CHECK_STR(nereid_runs_description(runs, 0), "first try");
        CHECK(nereid_runs_tag_count(runs, 0) == 2);
        CHECK_STR(nereid_runs_tag(runs, 0, 0), "alpha");
        CHECK_STR(nereid_runs_tag(runs, 0, 1), "zeta");
        CHECK(nereid_runs_tag(runs, 0, 2) == NULL);
        CHECK(nereid_runs_custom_run_id(runs, 1) == NULL);
        CHECK_STR(nereid_runs_description(runs, 1), "");
        CHECK(nereid_runs_tag_count(runs, 1) == 0);
        CHECK(nereid_runs_tag_count(runs, 2) == 0);
        CHECK(nereid_runs_description(runs, 2) == NULL);
        nereid_runs_free(runs);
}

static void test_create_and_resume(nereid_project *project)
{
        static const char *const tags[] = {"zeta", "alpha", "zeta"};
        nereid_run_options ro = NEREID_RUN_OPTIONS_INIT;
        nereid_run *run = NULL, *again = NULL;
        nereid_fields *fields = NULL;
        size_t i;

        ro.uuid = UUID_UP;
        ro.name = "baseline";
        ro.description = "first try";
        ro.custom_run_id = "exp-1";
        ro.tags = tags;
        ro.ntags = 3;
        CHECK(nereid_run_create(&run, project, &ro) == 0);
        CHECK_STR(nereid_run_id(run), "CRT-1");
        CHECK(nereid_run_resumed(run) == 0);
        check_sys(run, "sys/name", "baseline");
        check_sys(run, "sys/description", "first try");
        check_sys(run, "sys/custom_run_id", "exp-1");
        check_sys(run, "sys/tags", "alpha,zeta");
        /* The UUID given, in lower case: the one the run keeps. */
        check_sys(run, "sys/uuid", "3f2504e0-4f89-41d3-9a0c-0305e82c3301");
        CHECK(nereid_run_fields(&fields, run) == 0);
        {
                const char *want[] = {"sys/creation_time",
                                      "sys/custom_run_id",
                                      "sys/description",
                                      "sys/id",
                                      "sys/modification_time",
                                      "sys/name",
                                      "sys/owner",
                                      "sys/tags",
                                      "sys/uuid"};

                CHECK(nereid_fields_count(fields) == 9);
                for (i = 0; i < 9 && i < nereid_fields_count(fields); i++)
                        CHECK_STR(nereid_fields_path(fields, i), want[i]);
        }
        nereid_fields_free(fields);
        /* A retry: the same uuid in lower case, other values: the same run, unchanged. */
        ro.uuid = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
        ro.name = "other";
        ro.custom_run_id = NULL;
        ro.tags = NULL;
        ro.ntags = 0;
        CHECK(nereid_run_create(&again, project, &ro) == 0);
        CHECK_STR(nereid_run_id(again), "CRT-1");
        CHECK(nereid_run_resumed(again) == 1);
        check_sys(again, "sys/name", "baseline");
        nereid_run_free(again);
        again = NULL;
        /* Neptune's resume: a fresh uuid (NULL), the same custom_run_id. */
        ro.uuid = NULL;
        ro.custom_run_id = "exp-1";
        CHECK(nereid_run_create(&again, project, &ro) == 0);
        CHECK_STR(nereid_run_id(again), "CRT-1");
        CHECK(nereid_run_resumed(again) == 1);
        nereid_run_free(again);
        again = NULL;
        /* NULL options: a plain new run; no metadata listed, sys/ values empty. */
        CHECK(nereid_run_create(&again, project, NULL) == 0);
        CHECK_STR(nereid_run_id(again), "CRT-2");
        CHECK(nereid_run_resumed(again) == 0);
        check_sys(again, "sys/custom_run_id", NULL);
        check_sys(again, "sys/description", "");
        check_sys(again, "sys/tags", "");
        CHECK(nereid_run_fields(&fields, again) == 0);
        CHECK(nereid_fields_count(fields) == 6); /* the five of before and sys/uuid */
        nereid_fields_free(fields);
        nereid_run_free(again);
        again = NULL;
        /* nereid_run_open keeps its meaning, and opens a run as not resumed. */
        CHECK(nereid_run_open(&again, project, "CRT-1", NULL) == 0);
        CHECK(nereid_run_resumed(again) == 0);
        nereid_run_free(again);
        nereid_run_free(run);
        CHECK(runs_count(project) == 2);
        test_runs_list(project);
}

static void expect_invalid(nereid_project *project, const nereid_run_options *ro, const char *part)
{
        nereid_run *run = (nereid_run *)1;

        CHECK(nereid_run_create(&run, project, ro) == NEREID_EINVALID);
        CHECK(run == NULL);
        if (!strstr(nereid_error_last(), part))
                fprintf(stderr, "message \"%s\" lacks \"%s\"\n", nereid_error_last(), part);
        CHECK(strstr(nereid_error_last(), part) != NULL);
}

static void test_refused(nereid_project *project)
{
        static const char *const bad_tag[] = {"ok", "no\nnewline"};
        static const char *const null_tag[] = {"ok", NULL};
        nereid_run_options ro = NEREID_RUN_OPTIONS_INIT;
        char description[16386];

        ro.version = 99;
        expect_invalid(project, &ro, "version 99");
        CHECK(nereid_run_options_init(&ro, 99) == NEREID_EINVALID);
        CHECK(nereid_run_options_init(&ro, NEREID_RUN_OPTIONS_VERSION) == 0);
        CHECK(ro.uuid == NULL && ro.tags == NULL && ro.ntags == 0);
        ro.uuid = "not-a-uuid";
        expect_invalid(project, &ro, "uuid");
        ro.uuid = "3f2504e0-4f89-41d3-9a0c-0305e82c330g";
        expect_invalid(project, &ro, "uuid");
        ro.uuid = NULL;
        ro.tags = bad_tag;
        ro.ntags = 2;
        expect_invalid(project, &ro, "control character");
        ro.tags = null_tag;
        expect_invalid(project, &ro, "NULL");
        ro.tags = NULL;
        expect_invalid(project, &ro, "count without");
        ro.ntags = 0;
        ro.custom_run_id = "";
        expect_invalid(project, &ro, "custom run ID");
        ro.custom_run_id = NULL;
        memset(description, 'd', sizeof(description) - 1);
        description[sizeof(description) - 1] = '\0';
        ro.description = description;
        expect_invalid(project, &ro, "description");
        CHECK(runs_count(project) == 2);
}

static void test_modes(void)
{
        nereid_options mode_opts = opts;
        nereid_run_options ro = NEREID_RUN_OPTIONS_INIT;
        nereid_project *project = NULL;
        nereid_run *run = NULL;

        /* Read-only: an existing run named by custom_run_id or uuid opens;
         * anything else is refused, and nothing is made. */
        ro.custom_run_id = "exp-1";
        mode_opts.mode = NEREID_MODE_READ_ONLY;
        CHECK(nereid_project_open(&project, PROJECT, &mode_opts) == 0);
        CHECK(nereid_run_create(&run, project, &ro) == 0);
        CHECK(run && strcmp(nereid_run_id(run), "CRT-1") == 0);
        CHECK(nereid_run_resumed(run) == 1);
        nereid_run_free(run);
        run = NULL;
        ro.custom_run_id = NULL;
        ro.uuid = UUID_UP;
        CHECK(nereid_run_create(&run, project, &ro) == 0);
        CHECK(run && strcmp(nereid_run_id(run), "CRT-1") == 0);
        nereid_run_free(run);
        run = NULL;
        ro.uuid = NULL;
        ro.custom_run_id = "no-such-run";
        CHECK(nereid_run_create(&run, project, &ro) == NEREID_EREADONLY);
        CHECK(strstr(nereid_error_last(), "existing run") != NULL);
        CHECK(run == NULL);
        ro.custom_run_id = NULL;
        CHECK(nereid_run_create(&run, project, &ro) == NEREID_EREADONLY);
        CHECK(run == NULL);
        CHECK(runs_count(project) == 2);
        nereid_project_free(project);
        ro.custom_run_id = "exp-1";
        mode_opts.mode = NEREID_MODE_DEBUG;
        CHECK(nereid_project_open(&project, PROJECT, &mode_opts) == 0);
        ro.custom_run_id = "debug-only";
        CHECK(nereid_run_create(&run, project, &ro) == 0);
        CHECK_STR(nereid_run_id(run), "CRT-3");
        nereid_run_free(run);
        nereid_project_free(project);
}

/* Fail the 1st, 2nd... allocation of a create with every option: each
 * failure returns an error with a message and makes no run. */
static void test_alloc_walk(nereid_project *project)
{
        static const char *const tags[] = {"b", "a"};
        nereid_run_options ro = NEREID_RUN_OPTIONS_INIT;
        nereid_run *run = NULL;
        unsigned long n, made = 0;
        size_t before = runs_count(project);
        int rc = -1;

        if (!nrd_alloc_injected())
                return;
        ro.uuid = "00000000-0000-4000-8000-00000000a110";
        ro.name = "walk";
        ro.description = "d";
        ro.custom_run_id = "walk";
        ro.tags = tags;
        ro.ntags = 2;
        for (n = 1; n < 5000; n++) {
                nrd_alloc_fail_at(n);
                rc = nereid_run_create(&run, project, &ro);
                made = nrd_alloc_count();
                nrd_alloc_fail_at(0);
                if (made < n)
                        break;
                if (rc == 0) {
                        nereid_run_free(run);
                        run = NULL;
                        continue;
                }
                CHECK(rc < 0 && nereid_error_last()[0] != '\0');
                CHECK(run == NULL);
                CHECK(runs_count(project) == before);
        }
        CHECK(rc == 0 && n > 1);
        nereid_run_free(run);
        CHECK(runs_count(project) == before + 1);
}

int main(void)
{
        nereid_project *project = NULL;

        if (scratch_begin("run-create") < 0 || nereid_init() < 0)
                return 1;
        opts.store = root;
        opts.owner = "tester";
        if (nereid_project_create(&project, PROJECT, "CRT", &opts) < 0) {
                fprintf(stderr, "%s\n", nereid_error_last());
                return 1;
        }
        test_create_and_resume(project);
        test_refused(project);
        test_modes();
        test_alloc_walk(project);
        nereid_project_free(project);
        nereid_shutdown();
        return scratch_end(CHECK_DONE());
}
