/*
 * test_import.c - unit tests of src/import.c through the public API:
 * nereid_run_import_files and nereid_run_import_json refuse a list with a
 * bad record as a whole (naming it), leave the field as it was, and store
 * good records with the union rule; import_json reads a pipe.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "nereid.h"
#include "scratch.h"

#define GOOD                                                                                       \
        "{\"file_path\":\"a\",\"file_hash\":\"9e107d9d372bb6826bd81d3542a419d6\",\"type\":"        \
        "\"Local\",\"size\":1,\"metadata\":{\"file_path\":\"file:///d/a\",\"last_modified\":"      \
        "\"2022-09-30 10:50:40\"}}"
#define BAD                                                                                        \
        "{\"file_path\":\"../b\",\"file_hash\":\"9e107d9d372bb6826bd81d3542a419d6\",\"type\":"     \
        "\"Local\",\"size\":1}"

/* import_json of text through a pipe. */
static int import_text(nereid_run *run, const char *field, const char *text, char *hash)
{
        int fds[2], rc;
        size_t len = strlen(text);

        if (pipe(fds) != 0 || write(fds[1], text, len) != (ssize_t)len)
                return 99;
        close(fds[1]);
        rc = nereid_run_import_json(hash, run, field, fds[0], "pipe");
        close(fds[0]);
        return rc;
}

static void test_import(nereid_run *run)
{
        char hash[NEREID_HASH_HEXLEN + 1], now[NEREID_HASH_HEXLEN + 1];
        nereid_files *files = NULL;

        /* The C API checks too: a list with a bad record stores nothing. */
        CHECK(nereid_files_from_json(&files, "[" GOOD "," BAD "]") == 0);
        CHECK(nereid_run_import_files(hash, run, "f", files) == NEREID_EINVALID);
        CHECK(strstr(nereid_error_last(), "import: record 2 (\"../b\"): file_path") != NULL);
        CHECK(nereid_run_fetch_hash(now, run, "f", NEREID_HASH_ARTIFACT) == NEREID_ENOTFOUND);
        nereid_files_free(files);

        CHECK(nereid_files_from_json(&files, "[" GOOD "]") == 0);
        CHECK(nereid_run_import_files(hash, run, "f", files) == 0);
        CHECK(nereid_run_fetch_hash(now, run, "f", NEREID_HASH_ARTIFACT) == 0);
        CHECK_STR(now, hash);
        nereid_files_free(files);

        /* The same through a file descriptor; the field is left as it was. */
        CHECK(import_text(run, "f", "[" BAD "]", NULL) == NEREID_EINVALID);
        CHECK(strstr(nereid_error_last(), "pipe: record 1 (\"../b\")") != NULL);
        CHECK(import_text(run, "f", "[" GOOD ",", NULL) == NEREID_EINVALID);
        CHECK(strstr(nereid_error_last(), "pipe: record 2: expected an object") != NULL);
        CHECK(nereid_run_fetch_hash(now, run, "f", NEREID_HASH_ARTIFACT) == 0);
        CHECK_STR(now, hash);
        CHECK(import_text(run, "g", "[" GOOD "]", now) == 0);
        CHECK_STR(now, hash);
        CHECK(import_text(run, "h", "[]", NULL) == NEREID_EINVALID);
        CHECK(strstr(nereid_error_last(), "pipe: no records") != NULL);
        CHECK(nereid_run_import_json(NULL, run, "h", -1, NULL) < 0);
        CHECK(strstr(nereid_error_last(), "import: read") != NULL);
        CHECK(nereid_run_fetch_hash(now, run, "h", NEREID_HASH_ARTIFACT) == NEREID_ENOTFOUND);
}

int main(void)
{
        nereid_project *project = NULL;
        nereid_run *run = NULL;
        nereid_options opts = NEREID_OPTIONS_INIT;

        if (scratch_begin("import") < 0 || nereid_init() != 1)
                return 1;
        opts.store = root;
        CHECK(nereid_project_open(&project, "local/sandbox", &opts) == 0);
        if (project)
                CHECK(nereid_run_open(&run, project, NULL, "import") == 0);
        if (run)
                test_import(run);
        nereid_run_free(run);
        nereid_project_free(project);
        nereid_shutdown();
        return scratch_end(CHECK_DONE());
}
