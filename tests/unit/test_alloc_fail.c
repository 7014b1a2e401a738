/*
 * test_alloc_fail.c - every allocation failure is clean. For each of
 * opening a project and a run, tracking a small folder, reading the list
 * of records, comparing two fields and re-scanning (status), and
 * downloading copies, the test fails the 1st, 2nd, 3rd... allocation the
 * library makes until the operation succeeds without an injected failure.
 * Each failure must return a negative code with a message, crash nothing,
 * leak nothing (ASan), leave the store as it was and no temporary file in
 * the download folder. Needs a library built with NEREID_ALLOC_FAIL (on
 * with NEREID_SANITIZE); otherwise it says so and passes.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "alloc.h"
#include "check.h"
#include "digest.h"
#include "nereid.h"
#include "scratch.h"

#define PROJECT "ws/alloc"
/* An operation stops after this many steps even if it never succeeds. */
#define MAX_STEPS 20000

/* The store in the scratch folder, three workers: failures in worker
 * threads are walked too. */
static nereid_options opts = NEREID_OPTIONS_INIT;
static char run_id[64];
static const char *data, *data2, *down;

/* Open the project and the run, with three workers: failures in worker
 * threads are walked too (the count may differ from run to run). */
static int open_run(nereid_project **project, nereid_run **run)
{
        int rc;

        *run = NULL;
        if ((rc = nereid_project_open(project, PROJECT, &opts)) < 0)
                return rc;
        return nereid_run_open(run, *project, run_id, NULL);
}

static int op_open(void)
{
        nereid_project *project = NULL;
        nereid_run *run = NULL;
        int rc = open_run(&project, &run);

        nereid_run_free(run);
        nereid_project_free(project);
        return rc;
}

static int op_track(void)
{
        nereid_project *project = NULL;
        nereid_run *run = NULL;
        char hash[NEREID_HASH_HEXLEN + 1];
        int rc = open_run(&project, &run);

        if (rc == 0)
                rc = nereid_run_track_files(hash, run, "tracked", data2, "sub");
        nereid_run_free(run);
        nereid_project_free(project);
        return rc;
}

static int op_list(void)
{
        nereid_project *project = NULL;
        nereid_run *run = NULL;
        nereid_files *files = NULL;
        char *json = NULL;
        int rc = open_run(&project, &run);

        if (rc == 0)
                rc = nereid_run_fetch_files_list(&files, run, "base");
        if (rc == 0)
                rc = nereid_files_to_json(&json, files);
        if (rc == 0 && nereid_files_count(files) != 2)
                rc = -100;
        nereid_string_free(json);
        nereid_files_free(files);
        nereid_run_free(run);
        nereid_project_free(project);
        return rc;
}

static int op_diff(void)
{
        nereid_project *project = NULL;
        nereid_run *run = NULL;
        nereid_files *a = NULL, *b = NULL;
        nereid_diff *diff = NULL;
        int rc = open_run(&project, &run);

        if (rc == 0)
                rc = nereid_run_fetch_files_list(&a, run, "base");
        if (rc == 0)
                rc = nereid_run_fetch_files_list(&b, run, "other");
        if (rc == 0)
                rc = nereid_diff_files(&diff, a, b);
        if (rc == 0 && nereid_diff_count(diff) != 3)
                rc = -100;
        nereid_diff_free(diff);
        diff = NULL;
        if (rc == 0)
                rc = nereid_run_status(&diff, run, "base");
        if (rc == 0 && nereid_diff_count(diff) != 0)
                rc = -100;
        nereid_diff_free(diff);
        nereid_files_free(a);
        nereid_files_free(b);
        nereid_run_free(run);
        nereid_project_free(project);
        return rc;
}

static int op_download(void)
{
        nereid_project *project = NULL;
        nereid_run *run = NULL;
        int rc = open_run(&project, &run);

        if (rc == 0)
                rc = nereid_run_download(run, "base", down, NEREID_DOWNLOAD_COPY);
        nereid_run_free(run);
        nereid_project_free(project);
        return rc;
}

/* 1 when a download temporary ".NAME.nereid-*" is left below dir. */
static int has_temporary(const char *dir)
{
        DIR *d = opendir(dir);
        struct dirent *e;
        int found = 0;

        if (!d)
                return 0;
        while (!found && (e = readdir(d)) != NULL) {
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                        continue;
                if (strstr(e->d_name, ".nereid-"))
                        found = 1;
                else if (e->d_type == DT_DIR)
                        found = has_temporary(path_in(dir, e->d_name));
        }
        closedir(d);
        return found;
}

/* A downloaded file holds either all its content or does not exist. */
static int file_is(const char *path, const char *want)
{
        char got[64] = "";
        FILE *f = fopen(path, "r");
        size_t n;

        if (!f)
                return 1; /* not made: fine after a failure */
        n = fread(got, 1, sizeof(got) - 1, f);
        got[n] = '\0';
        fclose(f);
        return strcmp(got, want) == 0;
}

static void walk(const char *name, int (*op)(void), int changes_store)
{
        static char before[65536], after[65536];
        unsigned long n, made = 0;
        int rc = -1, failures = 0;

        CHECK(store_digest(&opts, PROJECT, before, sizeof(before)) == 0);
        for (n = 1; n <= MAX_STEPS; n++) {
                nrd_alloc_fail_at(n);
                rc = op();
                made = nrd_alloc_count();
                nrd_alloc_fail_at(0);
                if (made < n) /* no allocation failed: the end of the walk */
                        break;
                if (rc == 0)
                        continue; /* a failure the library worked around */
                failures++;
                if (rc >= 0 || nereid_error_last()[0] == '\0') {
                        fprintf(stderr, "%s: allocation %lu: status %d, message \"%s\"\n", name, n,
                                rc, nereid_error_last());
                        CHECK(rc < 0 && nereid_error_last()[0] != '\0');
                }
                CHECK(store_digest(&opts, PROJECT, after, sizeof(after)) == 0);
                if (strcmp(before, after) != 0) {
                        fprintf(stderr, "%s: allocation %lu changed the store\n", name, n);
                        CHECK(strcmp(before, after) == 0);
                }
                if (has_temporary(down)) {
                        fprintf(stderr, "%s: allocation %lu left a temporary\n", name, n);
                        CHECK(0);
                }
                CHECK(file_is(path_in(down, "a.txt"), "alpha\n"));
                CHECK(file_is(path_in(down, "dir/b.txt"), "beta\n"));
        }
        printf("%s: %lu allocations, %d failed cleanly\n", name, made, failures);
        CHECK(rc == 0);
        CHECK(n > 1);
        if (!changes_store) {
                CHECK(store_digest(&opts, PROJECT, after, sizeof(after)) == 0);
                CHECK_STR(after, before);
        }
}

static int write_file(const char *path, const char *text)
{
        FILE *f = fopen(path, "w");

        if (!f)
                return -1;
        fputs(text, f);
        return fclose(f);
}

/* A run with fields "base" (data: a.txt, dir/b.txt) and "other". */
static int setup(void)
{
        nereid_project *project = NULL;
        nereid_run *run = NULL;
        int rc;

        data = strdup(path_in(root, "data"));
        data2 = strdup(path_in(root, "data2"));
        down = strdup(path_in(root, "down"));
        if (mkdir(data, 0700) < 0 || mkdir(path_in(data, "dir"), 0700) < 0 ||
            mkdir(data2, 0700) < 0 || write_file(path_in(data, "a.txt"), "alpha\n") < 0 ||
            write_file(path_in(data, "dir/b.txt"), "beta\n") < 0 ||
            write_file(path_in(data2, "a.txt"), "changed\n") < 0 ||
            write_file(path_in(data2, "c.txt"), "gamma\n") < 0)
                return -1;
        if ((rc = nereid_project_open(&project, PROJECT, &opts)) < 0 ||
            (rc = nereid_run_open(&run, project, NULL, "alloc")) < 0 ||
            (rc = nereid_run_track_files(NULL, run, "base", data, NULL)) < 0 ||
            (rc = nereid_run_track_files(NULL, run, "other", data2, NULL)) < 0)
                fprintf(stderr, "setup: %s\n", nereid_error_last());
        else
                snprintf(run_id, sizeof(run_id), "%s", nereid_run_id(run));
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
        if (scratch_begin("alloc-fail") < 0 || nereid_init() < 0)
                return 1;
        opts.store = root;
        opts.workers = 3;
        if (setup() < 0)
                return 1;
        walk("open", op_open, 0);
        walk("list", op_list, 0);
        walk("diff", op_diff, 0);
        walk("download", op_download, 0);
        CHECK(access(path_in(down, "a.txt"), F_OK) == 0);
        CHECK(access(path_in(down, "dir/b.txt"), F_OK) == 0);
        walk("track", op_track, 1);
        free((void *)data);
        free((void *)data2);
        free((void *)down);
        nereid_shutdown();
        return scratch_end(CHECK_DONE());
}
