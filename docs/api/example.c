/*
 * example.c - a complete program using libnereid, the one shown in
 * docs/api/README.md: track a folder into a new run, read its hashes and
 * records back, and list the project's runs a page at a time. The test
 * suite builds and runs it (tests/CMakeLists.txt), so it stays correct.
 * Not a reference: the comments of include/nereid.h are.
 *
 *   cc example.c -lnereid -o example && ./example STORE_FOLDER PATH
 */
#include <stdio.h>
#include <nereid.h>

/* Warnings and per-file failures; may run on a worker thread. */
static void on_notify(int code, const char *message, void *payload)
{
        (void)payload;
        fprintf(stderr, "%s: %s\n", code ? "failed" : "warning", message);
}

/* Say why the last call failed; return 1 for main. */
static int fail(const char *what, int code)
{
        fprintf(stderr, "example: %s: %s (%s)\n", what, nereid_error_last(),
                nereid_error_name(code));
        return 1;
}

static int list_runs(nereid_project *project)
{
        char after[32] = "";
        int rc;

        for (;;) { /* pages of 100 runs, each after the last run of the one before */
                nereid_runs *page = NULL;
                size_t i, n;

                rc = nereid_project_runs_page(&page, project, after[0] ? after : NULL, 100);
                if (rc < 0)
                        return fail("runs", rc);
                n = nereid_runs_count(page);
                for (i = 0; i < n; i++)
                        printf("run %s, made %s\n", nereid_runs_id(page, i),
                               nereid_runs_creation_time(page, i));
                if (n > 0)
                        snprintf(after, sizeof(after), "%s", nereid_runs_id(page, n - 1));
                nereid_runs_free(page);
                if (n < 100)
                        return 0;
        }
}

int main(int argc, char **argv)
{
        nereid_options opts = NEREID_OPTIONS_INIT;
        nereid_project *project = NULL;
        nereid_run *run = NULL;
        nereid_files *files = NULL;
        char hash[NEREID_HASH_BUFSIZE], content[NEREID_HASH_BUFSIZE];
        size_t i;
        int rc, status = 1;

        if (argc != 3) {
                fprintf(stderr, "usage: example STORE_FOLDER PATH\n");
                return 2;
        }
        if (nereid_init() < 0)
                return 1;
        opts.store = argv[1]; /* copied at open; the library reads no variable */
        opts.owner = "example";
        opts.notify = on_notify;
        rc = nereid_project_open(&project, "docs/example", &opts);
        if (rc < 0) {
                fail("open", rc);
                goto out;
        }
        /* A new run, made only once the files have been read. */
        rc = nereid_run_track_new(&run, hash, project, "first", "data", argv[2], NULL);
        if (rc < 0) {
                fail("track", rc);
                goto out;
        }
        if ((rc = nereid_run_fetch_hash(content, run, "data", NEREID_HASH_CONTENT)) < 0) {
                fail("hash", rc);
                goto out;
        }
        printf("%s:data %s (content %s)\n", nereid_run_id(run), hash, content);
        if ((rc = nereid_run_fetch_files_list(&files, run, "data")) < 0) {
                fail("list", rc);
                goto out;
        }
        for (i = 0; i < nereid_files_count(files); i++) {
                const nereid_file *file = nereid_files_get(files, i); /* borrowed */

                printf("  %s %s %llu\n", nereid_file_path(file), nereid_file_hash(file),
                       (unsigned long long)nereid_file_size(file));
        }
        /* A field that does not exist: a code, and a message naming it. */
        rc = nereid_run_fetch_hash(hash, run, "no/such/field", NEREID_HASH_ARTIFACT);
        if (rc != NEREID_ENOTFOUND) {
                fprintf(stderr, "example: expected not-found, got %s\n", nereid_error_name(rc));
                goto out;
        }
        printf("as expected: %s\n", nereid_error_last());
        status = list_runs(project);
out:
        nereid_files_free(files); /* every _free accepts NULL */
        nereid_run_free(run);
        nereid_project_free(project); /* after its runs */
        nereid_shutdown();
        return status;
}
