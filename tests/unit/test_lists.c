/*
 * test_lists.c - the typed lists of the public API: nereid_project_runs()
 * and nereid_run_fields() return every run and field with its values byte
 * for byte, whatever a name or owner holds (tab, newline, escape, invalid
 * UTF-8), never as text a name could split; empty lists, out-of-range
 * indexes and NULL handles are safe.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "scratch.h"
#include "nereid.h"

/* Names that would break a tab/newline list, or a terminal. */
static const char *const names[] = {
    "x\nmodel/weights\t0000000000000000000000000000000000000000000000000000000000000000",
    "tab\there",
    "\n",
    "esc\x1b[31mred",
    "bad\xff\xfeutf8",
    "",
    "plain"};
#define NNAMES (sizeof(names) / sizeof(names[0]))

/* The store of the test, and the owner of the runs a handle makes. */
static char store_dir[2100];

static nereid_options options_as(const char *owner)
{
        nereid_options opts = NEREID_OPTIONS_INIT;

        opts.store = store_dir;
        opts.owner = owner;
        return opts;
}

static void test_runs(void)
{
        nereid_options opts = options_as(NULL);
        nereid_project *project = NULL;
        nereid_runs *runs = NULL;
        nereid_run *run = NULL;
        size_t i;

        CHECK(nereid_project_create(&project, "ws/lists", NULL, &opts) == 0);
        if (!project)
                return;
        /* A project with no run yet: an empty list, not an error. */
        CHECK(nereid_project_runs(&runs, project) == 0);
        CHECK(runs != NULL && nereid_runs_count(runs) == 0);
        CHECK(nereid_runs_id(runs, 0) == NULL);
        nereid_runs_free(runs);

        for (i = 0; i < NNAMES; i++) {
                nereid_project *as_owner = NULL;

                /* The owner is an option of the handle that makes the run. */
                opts = options_as(*names[NNAMES - 1 - i] ? names[NNAMES - 1 - i] : "nobody");
                CHECK(nereid_project_open(&as_owner, "ws/lists", &opts) == 0);
                if (!as_owner)
                        continue;
                CHECK(nereid_run_open(&run, as_owner, NULL, names[i]) == 0);
                nereid_run_free(run);
                nereid_project_free(as_owner);
        }
        CHECK(nereid_project_runs(&runs, project) == 0);
        CHECK(nereid_runs_count(runs) == NNAMES);
        for (i = 0; runs && i < NNAMES && i < nereid_runs_count(runs); i++) {
                char id[32];
                const char *owner = *names[NNAMES - 1 - i] ? names[NNAMES - 1 - i] : "nobody";

                snprintf(id, sizeof(id), "%s-%zu", nereid_project_key(project), i + 1);
                CHECK_STR(nereid_runs_id(runs, i), id);
                CHECK_STR(nereid_runs_name(runs, i), names[i]);
                CHECK_STR(nereid_runs_owner(runs, i), owner);
                CHECK(strlen(nereid_runs_creation_time(runs, i)) == 24);
                CHECK_STR(nereid_runs_modification_time(runs, i),
                          nereid_runs_creation_time(runs, i));
        }
        CHECK(nereid_runs_id(runs, NNAMES) == NULL);
        CHECK(nereid_runs_name(runs, NNAMES) == NULL);
        CHECK(nereid_runs_owner(runs, (size_t)-1) == NULL);
        nereid_runs_free(runs);
        nereid_runs_free(NULL);
        CHECK(nereid_runs_count(NULL) == 0);
        nereid_project_free(project);
}

static void test_fields(void)
{
        static const char *const want[] = {
            "sys/creation_time", "sys/id",    "sys/modification_time",
            "sys/name",          "sys/owner", "sys/uuid",
            "a/first",           "b"};
        nereid_project *project = NULL;
        nereid_fields *fields = NULL;
        nereid_run *run = NULL;
        char hash[NEREID_HASH_HEXLEN + 1], dir[2100];
        FILE *f;
        size_t i;

        nereid_options opts = options_as("eve\n");

        CHECK(nereid_project_open(&project, "ws/fields", &opts) == 0);
        if (!project)
                return;
        CHECK(nereid_run_open(&run, project, NULL, names[0]) == 0);
        if (!run) {
                nereid_project_free(project);
                return;
        }
        snprintf(dir, sizeof(dir), "%s/data", root);
        CHECK(mkdir(dir, 0755) == 0);
        f = fopen(path_in(dir, "file.txt"), "w");
        if (f) {
                fputs("hello\n", f);
                fclose(f);
        }
        CHECK(nereid_run_track_files(hash, run, "b", dir, NULL) == 0);
        CHECK(nereid_run_track_files(NULL, run, "a/first", dir, NULL) == 0);

        CHECK(nereid_run_fields(&fields, run) == 0);
        CHECK(nereid_fields_count(fields) == 8);
        for (i = 0; fields && i < 8 && i < nereid_fields_count(fields); i++)
                CHECK_STR(nereid_fields_path(fields, i), want[i]);
        CHECK_STR(nereid_fields_value(fields, 1), nereid_run_id(run));
        /* The name that held "\n...model/weights\t000..." is one value, not two fields. */
        CHECK_STR(nereid_fields_value(fields, 3), names[0]);
        CHECK_STR(nereid_fields_value(fields, 4), "eve\n");
        /* sys/uuid: the UUID the library made for the run (version 4). */
        CHECK(nereid_fields_value(fields, 5) && strlen(nereid_fields_value(fields, 5)) == 36 &&
              nereid_fields_value(fields, 5)[14] == '4');
        CHECK_STR(nereid_fields_value(fields, 6), hash);
        CHECK_STR(nereid_fields_value(fields, 7), hash);
        CHECK(nereid_fields_path(fields, 8) == NULL);
        CHECK(nereid_fields_value(fields, 8) == NULL);
        nereid_fields_free(fields);
        nereid_fields_free(NULL);
        CHECK(nereid_fields_count(NULL) == 0);
        nereid_run_free(run);
        nereid_project_free(project);
}

int main(void)
{
        char home[2100];
        int rc;

        if (scratch_begin("lists") < 0)
                return 1;
        snprintf(home, sizeof(home), "%s/home", root);
        snprintf(store_dir, sizeof(store_dir), "%s", home);
        CHECK(nereid_init() == 1);
        test_runs();
        test_fields();
        CHECK(nereid_shutdown() == 0);
        rc = CHECK_DONE();
        return scratch_end(rc);
}
