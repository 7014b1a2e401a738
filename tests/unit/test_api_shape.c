/*
 * test_api_shape.c - the shape of the public API: nereid_project_runs_page()
 * pages the runs by run number (every run once, in order, however the
 * pages are cut; a bad after_id refused naming it); hashes are asked for
 * by enum nereid_hash_kind (another value refused, nothing written) into
 * buffers of NEREID_HASH_BUFSIZE; out parameters come first and callbacks
 * take their payload last.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "scratch.h"
#include "nereid.h"

#define NRUNS 7

static char store_dir[2100];
static char data_dir[2100];

/* Every run ID of the project read in pages of limit, joined by ' '. */
static void read_paged(nereid_project *project, size_t limit, char *out, size_t size)
{
        char after[32] = "";
        size_t pages = 0;

        out[0] = '\0';
        for (;;) {
                nereid_runs *page = NULL;
                size_t i, n;

                CHECK(nereid_project_runs_page(&page, project, *after ? after : NULL, limit) == 0);
                n = nereid_runs_count(page);
                CHECK(limit == 0 || n <= limit);
                for (i = 0; i < n; i++) {
                        size_t len = strlen(out);

                        snprintf(out + len, size - len, "%s%s", len ? " " : "",
                                 nereid_runs_id(page, i));
                }
                if (n)
                        snprintf(after, sizeof(after), "%s", nereid_runs_id(page, n - 1));
                nereid_runs_free(page);
                /* Never more pages than runs plus the empty last one. */
                if (n == 0 || limit == 0 || ++pages > NRUNS + 1)
                        break;
        }
}

static void test_runs_page(void)
{
        nereid_options opts = NEREID_OPTIONS_INIT;
        nereid_project *project = NULL;
        nereid_runs *runs = NULL;
        char want[512] = "", got[512];
        size_t limit, i;

        opts.store = store_dir;
        CHECK(nereid_project_create(&project, "ws/paged", "PGD", &opts) == 0);
        if (!project)
                return;
        /* No run yet: an empty first page. */
        CHECK(nereid_project_runs_page(&runs, project, NULL, 3) == 0);
        CHECK(runs && nereid_runs_count(runs) == 0);
        nereid_runs_free(runs);
        for (i = 1; i <= NRUNS; i++) {
                nereid_run *run = NULL;
                size_t len = strlen(want);

                CHECK(nereid_run_open(&run, project, NULL, "r") == 0);
                nereid_run_free(run);
                snprintf(want + len, sizeof(want) - len, "%sPGD-%zu", len ? " " : "", i);
        }
        /* Every cut gives every run once, oldest first. */
        for (limit = 0; limit <= NRUNS + 1; limit++) {
                read_paged(project, limit, got, sizeof(got));
                CHECK_STR(got, want);
        }
        /* A page starts after the number given, whether or not that run exists. */
        CHECK(nereid_project_runs_page(&runs, project, "PGD-5", 1) == 0);
        CHECK(nereid_runs_count(runs) == 1);
        CHECK_STR(nereid_runs_id(runs, 0), "PGD-6");
        nereid_runs_free(runs);
        CHECK(nereid_project_runs_page(&runs, project, "PGD-999", 10) == 0);
        CHECK(nereid_runs_count(runs) == 0);
        nereid_runs_free(runs);
        /* Not a run ID of this project: refused, naming it; *out is NULL. */
        {
                static const char *const bad[] = {"OTH-1", "PGD-0",  "PGD-01", "PGD-",  "PGD",
                                                  "pgd-1", "PGD-1x", "",       "PGDX-1"};

                for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                        runs = (nereid_runs *)1;
                        CHECK(nereid_project_runs_page(&runs, project, bad[i], 5) ==
                              NEREID_EINVALID);
                        CHECK(runs == NULL);
                        CHECK(strstr(nereid_error_last(), "runs after ") != NULL);
                        CHECK(strstr(nereid_error_last(), "not a run ID of project ws/paged") !=
                              NULL);
                }
        }
        /* The unpaged form is the first page without a limit. */
        CHECK(nereid_project_runs(&runs, project) == 0);
        CHECK(nereid_runs_count(runs) == NRUNS);
        nereid_runs_free(runs);
        nereid_project_free(project);
}

static int count_file(const nereid_file *file, void *payload)
{
        size_t *n = payload;

        CHECK(nereid_file_path(file) != NULL);
        (*n)++;
        return 0;
}

static void test_hash_kind(void)
{
        nereid_options opts = NEREID_OPTIONS_INIT;
        nereid_project *project = NULL;
        nereid_run *run = NULL;
        nereid_files *files = NULL;
        char tracked[NEREID_HASH_BUFSIZE], artifact[NEREID_HASH_BUFSIZE];
        char content[NEREID_HASH_BUFSIZE], listed[NEREID_HASH_BUFSIZE];
        char untouched[NEREID_HASH_BUFSIZE];
        size_t n = 0;

        CHECK(sizeof(tracked) == NEREID_HASH_HEXLEN + 1);
        opts.store = store_dir;
        CHECK(nereid_project_open(&project, "ws/kinds", &opts) == 0);
        if (!project)
                return;
        CHECK(nereid_run_track_new(&run, tracked, project, NULL, "data", data_dir, NULL) == 0);
        if (!run) {
                nereid_project_free(project);
                return;
        }
        CHECK(nereid_run_fetch_hash(artifact, run, "data", NEREID_HASH_ARTIFACT) == 0);
        CHECK_STR(artifact, tracked);
        CHECK(nereid_run_fetch_hash(content, run, "data", NEREID_HASH_CONTENT) == 0);
        CHECK(strlen(content) == NEREID_HASH_HEXLEN && strcmp(content, artifact) != 0);
        /* The list gives the same two hashes. */
        CHECK(nereid_run_fetch_files_list(&files, run, "data") == 0);
        CHECK(nereid_files_hash(listed, files, NEREID_HASH_ARTIFACT) == 0);
        CHECK_STR(listed, artifact);
        CHECK(nereid_files_hash(listed, files, NEREID_HASH_CONTENT) == 0);
        CHECK_STR(listed, content);
        /* Another kind (a binding passing any int) is refused; nothing written. */
        memset(untouched, 'x', sizeof(untouched));
        CHECK(nereid_run_fetch_hash(untouched, run, "data", (enum nereid_hash_kind)2) ==
              NEREID_EINVALID);
        CHECK(strstr(nereid_error_last(), "unknown kind 2") != NULL);
        CHECK(untouched[0] == 'x');
        CHECK(nereid_files_hash(untouched, files, (enum nereid_hash_kind) - 1) == NEREID_EINVALID);
        CHECK(strstr(nereid_error_last(), "unknown kind -1") != NULL);
        CHECK(untouched[0] == 'x');
        /* The file callback takes its payload last. */
        CHECK(nereid_run_each_file(run, "data", count_file, &n) == 0);
        CHECK(n == nereid_files_count(files) && n == 2);
        nereid_files_free(files);
        nereid_run_free(run);
        nereid_project_free(project);
}

static void test_diff_get(void)
{
        nereid_files *a = NULL, *b = NULL;
        nereid_diff *diff = NULL;
        const char *path = "unset";

        CHECK(nereid_files_from_json(&a, "[]") == 0);
        CHECK(nereid_files_from_json(
                  &b, "[{\"file_path\":\"x\",\"file_hash\":\"0123456789abcdef0123456789abcdef\","
                      "\"type\":\"Local\",\"size\":1}]") == 0);
        CHECK(nereid_diff_files(&diff, a, b) == 0);
        CHECK(nereid_diff_get(&path, diff, 0) == NEREID_CHANGE_ADDED);
        CHECK_STR(path, "x");
        /* Out of range: kind 0 and the path set to NULL, not left as it was. */
        CHECK(nereid_diff_get(&path, diff, 1) == 0);
        CHECK(path == NULL);
        nereid_diff_free(diff);
        nereid_files_free(a);
        nereid_files_free(b);
}

static void write_file(const char *path, const char *text)
{
        FILE *f = fopen(path, "w");

        CHECK(f != NULL);
        if (f) {
                fputs(text, f);
                CHECK(fclose(f) == 0);
        }
}

int main(void)
{
        int rc;

        if (scratch_begin("api_shape") < 0)
                return 1;
        snprintf(store_dir, sizeof(store_dir), "%s/store", root);
        snprintf(data_dir, sizeof(data_dir), "%s/data", root);
        if (mkdir(data_dir, 0700) < 0)
                return 1;
        write_file(path_in(data_dir, "a.txt"), "alpha\n");
        write_file(path_in(data_dir, "b.txt"), "beta\n");
        CHECK(nereid_init() == 1);
        test_runs_page();
        test_hash_kind();
        test_diff_get();
        CHECK(nereid_shutdown() == 0);
        rc = CHECK_DONE();
        return scratch_end(rc);
}
