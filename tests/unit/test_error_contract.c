/*
 * test_error_contract.c - the error contract of include/nereid.h: every
 * function that returns a status clears the thread's last error when it
 * is called (a success leaves "", never the message of an earlier
 * failure), a failure sets a message for its own cause, functions that
 * cannot fail (accessors, _free) leave the message alone, and
 * nereid_error_name gives every code its stable name.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "check.h"
#include "nereid.h"
#include "scratch.h"

/* The store in the scratch folder, read-write and read-only. */
static nereid_options opts = NEREID_OPTIONS_INIT, ro = NEREID_OPTIONS_INIT;

/* Leave a failure's message behind, as a program's earlier call would. */
static void stale(void)
{
        int mode;

        CHECK(nereid_mode_parse(&mode, "no-such-mode") == NEREID_EINVALID);
        CHECK(strstr(nereid_error_last(), "no-such-mode") != NULL);
}

/* A call that succeeded: 0 and no message. */
#define CHECK_CLEAN(call)                                                                          \
        do {                                                                                       \
                stale();                                                                           \
                CHECK((call) == 0);                                                                \
                CHECK_STR(nereid_error_last(), "");                                                \
        } while (0)

static void test_names(void)
{
        CHECK_STR(nereid_error_name(NEREID_OK), "ok");
        CHECK_STR(nereid_error_name(NEREID_ERROR), "error");
        CHECK_STR(nereid_error_name(NEREID_EINVALID), "invalid");
        CHECK_STR(nereid_error_name(NEREID_EUSAGE), "invalid"); /* the older name */
        CHECK_STR(nereid_error_name(NEREID_ENOTFOUND), "not-found");
        CHECK_STR(nereid_error_name(NEREID_EACCESS), "access");
        CHECK_STR(nereid_error_name(NEREID_EINTEGRITY), "integrity");
        CHECK_STR(nereid_error_name(NEREID_EEXISTS), "exists");
        CHECK_STR(nereid_error_name(NEREID_EREADONLY), "read-only");
        CHECK_STR(nereid_error_name(NEREID_ECANCELLED), "cancelled");
        CHECK_STR(nereid_error_name(-9), "unknown");
        CHECK_STR(nereid_error_name(1), "unknown");
        CHECK_STR(nereid_error_name(-2147483647 - 1), "unknown");
        /* The values are part of the ABI: never renumbered. */
        CHECK(NEREID_ERROR == -1 && NEREID_EINVALID == -2 && NEREID_ENOTFOUND == -3);
        CHECK(NEREID_EACCESS == -4 && NEREID_EINTEGRITY == -5 && NEREID_EEXISTS == -6);
        CHECK(NEREID_EREADONLY == -7 && NEREID_ECANCELLED == -8);
}

static int write_file(const char *path, const char *text)
{
        FILE *f = fopen(path, "w");

        if (!f)
                return -1;
        fputs(text, f);
        return fclose(f);
}

static int count_cb(const nereid_file *file, void *payload)
{
        (void)file;
        ++*(int *)payload;
        return 0;
}

/* Every fallible function of the header, once on success after a failure. */
static void test_reset_at_entry(const char *data)
{
        nereid_project *project = NULL, *made = NULL;
        nereid_projects *projects = NULL;
        nereid_run *run = NULL, *again = NULL, *other = NULL;
        nereid_runs *runs = NULL;
        nereid_fields *fields = NULL;
        nereid_files *files = NULL, *parsed = NULL;
        nereid_diff *diff = NULL;
        char hash[NEREID_HASH_HEXLEN + 1], got[NEREID_HASH_HEXLEN + 1];
        char *text = NULL, *sys = NULL;
        int mode = -1, n = 0, fd;

        CHECK_CLEAN(nereid_mode_parse(&mode, "read-only"));
        CHECK(mode == NEREID_MODE_READ_ONLY);
        {
                nereid_options fresh;

                CHECK_CLEAN(nereid_options_init(&fresh, NEREID_OPTIONS_VERSION));
                CHECK_CLEAN(nereid_options_from_env(&fresh));
                nereid_options_dispose(&fresh);
                stale();
                CHECK(nereid_init() == 2);
                CHECK_STR(nereid_error_last(), "");
                stale();
                CHECK(nereid_shutdown() == 1);
                CHECK_STR(nereid_error_last(), "");
        }
        CHECK_CLEAN(nereid_field_path_check("data/train"));
        CHECK_CLEAN(nereid_project_open(&project, "ws/contract", &opts));
        if (!project)
                return;
        CHECK_CLEAN(nereid_project_create(&made, "ws/made", "MADE", &opts));
        nereid_project_free(made);
        made = NULL;
        CHECK_CLEAN(nereid_project_create(&made, "ws/made", "MADE", &opts));
        nereid_project_free(made);
        CHECK_CLEAN(nereid_run_track_new(&run, hash, project, "contract", "data", data, NULL));
        if (!run)
                goto cleanup;
        CHECK_CLEAN(nereid_run_track_files(hash, run, "more", data, NULL));
        CHECK_CLEAN(nereid_run_track_files_replace(NULL, run, "more", data, "d"));
        CHECK_CLEAN(nereid_projects_list(&projects, &opts));
        CHECK_CLEAN(nereid_project_runs(&runs, project));
        CHECK_CLEAN(nereid_project_artifact_exists(project, hash));
        CHECK_CLEAN(nereid_project_artifact_files(&files, project, hash));
        nereid_files_free(files);
        files = NULL;
        CHECK_CLEAN(nereid_run_open(&again, project, nereid_run_id(run), NULL));
        CHECK_CLEAN(nereid_run_open(&other, project, NULL, NULL));
        CHECK_CLEAN(nereid_run_sys(&sys, run, "sys/name"));
        CHECK_CLEAN(nereid_run_fields(&fields, run));
        CHECK_CLEAN(nereid_run_fetch_hash(got, run, "data", NEREID_HASH_CONTENT));
        CHECK_CLEAN(nereid_run_fetch_files_list(&files, run, "data"));
        CHECK_CLEAN(nereid_run_each_file(run, "data", count_cb, &n));
        CHECK(n == 1);
        CHECK_CLEAN(nereid_files_to_json(&text, files));
        if (text) {
                CHECK_CLEAN(nereid_files_from_json(&parsed, text));
                nereid_string_free(text);
                text = NULL;
        }
        CHECK_CLEAN(nereid_file_to_json(&text, nereid_files_get(files, 0)));
        CHECK_CLEAN(nereid_files_hash(got, files, NEREID_HASH_ARTIFACT));
        CHECK_STR(got, hash);
        CHECK_CLEAN(nereid_diff_files(&diff, files, parsed));
        CHECK(nereid_diff_count(diff) == 0);
        nereid_diff_free(diff);
        diff = NULL;
        CHECK_CLEAN(nereid_run_import_files(NULL, run, "imported", files));
        fd = open(path_in(data, "f.txt"), O_RDONLY);
        /* Not JSON: a failure, with its own message, not the stale one. */
        stale();
        CHECK(nereid_run_import_json(NULL, run, "bad", fd, "f.txt") == NEREID_EINVALID);
        CHECK(strstr(nereid_error_last(), "f.txt") != NULL);
        CHECK(strstr(nereid_error_last(), "no-such-mode") == NULL);
        if (fd >= 0)
                close(fd);
        CHECK_CLEAN(nereid_run_assign_field(other, "copy", nereid_run_id(run), "data"));
        CHECK_CLEAN(nereid_run_assign_hash(other, "copy2", hash));
        CHECK_CLEAN(nereid_run_remove_field(other, "copy2"));
        CHECK_CLEAN(nereid_run_status(&diff, run, "data"));
        CHECK(nereid_diff_count(diff) == 0);
        CHECK_CLEAN(nereid_run_download(run, "data", path_in(root, "down"), NEREID_DOWNLOAD_COPY));

        /* Functions that cannot fail leave a failure's message to be read. */
        stale();
        nereid_diff_free(diff);
        diff = NULL;
        CHECK(nereid_files_count(files) == 1);
        CHECK(nereid_run_id(run) != NULL);
        nereid_files_free(parsed);
        parsed = NULL;
        CHECK(strstr(nereid_error_last(), "no-such-mode") != NULL);

        /* A failure names its own cause. */
        CHECK(nereid_run_fetch_hash(got, run, "missing", NEREID_HASH_ARTIFACT) == NEREID_ENOTFOUND);
        CHECK(strstr(nereid_error_last(), "missing") != NULL);
        CHECK(nereid_project_create(&made, "ws/made", "OTHER", &opts) == NEREID_EEXISTS);
        CHECK(strstr(nereid_error_last(), "MADE") != NULL);
cleanup:
        nereid_string_free(text);
        nereid_string_free(sys);
        nereid_diff_free(diff);
        nereid_files_free(files);
        nereid_files_free(parsed);
        nereid_fields_free(fields);
        nereid_runs_free(runs);
        nereid_projects_free(projects);
        nereid_run_free(other);
        nereid_run_free(again);
        nereid_run_free(run);
        nereid_project_free(project);
}

/* Read-only mode refuses writes with NEREID_EREADONLY, not EACCESS. */
static void test_read_only(void)
{
        nereid_project *project = NULL;
        nereid_run *run = NULL;

        CHECK(nereid_project_create(&project, "ws/ro", NULL, &ro) == NEREID_EREADONLY);
        CHECK(strstr(nereid_error_last(), "read-only") != NULL);
        CHECK(nereid_project_open(&project, "ws/contract", &ro) == 0);
        if (!project)
                return;
        CHECK(nereid_run_open(&run, project, NULL, NULL) == NEREID_EREADONLY);
        CHECK(nereid_run_open(&run, project, "CNT-1", NULL) == 0);
        if (run)
                CHECK(nereid_run_remove_field(run, "data") == NEREID_EREADONLY);
        nereid_run_free(run);
        nereid_project_free(project);
}

int main(void)
{
        const char *data;

        if (scratch_begin("error-contract") < 0 || nereid_init() < 0)
                return 1;
        opts.store = ro.store = root;
        ro.mode = NEREID_MODE_READ_ONLY;
        data = path_in(root, "data");
        if (mkdir(data, 0700) < 0 || write_file(path_in(data, "f.txt"), "hello\n") < 0)
                return 1;
        test_names();
        test_reset_at_entry(data);
        test_read_only();
        nereid_shutdown();
        return scratch_end(CHECK_DONE());
}
