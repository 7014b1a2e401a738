/*
 * import.c - records from outside into an artifact field (nereid import,
 * SPEC section 7): every record is checked (record_check.c) before
 * anything is stored, the whole import is refused on the first bad one,
 * and the records are then merged into the field with the union rule of
 * track. Reading JSON is json.c's job, storing the store's; a sorted file
 * into a new field is streamed instead (import_stream.c).
 */
#include <assert.h>
#include <string.h>
#include "artifact.h"
#include "error.h"
#include "import_stream.h"
#include "json.h"
#include "project.h"
#include "record.h"
#include "run.h"
#include "uri.h"

/* Check the field, then the records (in their order, for messages), then
 * sort them in place and merge them into the field. */
static int import_sorted(nereid_run *run, const char *field, nereid_files *files, const char *label,
                         char *hash_out)
{
        nereid_project *project = run->project;
        char hash[NEREID_HASH_HEXLEN + 1];
        int rc;

        if (!files->count)
                return nrd_error(NEREID_EINVALID, "%s: no records", label);
        if ((rc = nrd_files_check(files, label)) < 0)
                return rc;
        nrd_files_sort(files);
        rc = nrd_artifact_track(project->store, project->name, run->id, field, files, NULL,
                                ARTIFACT_MERGE, hash);
        if (rc == 0 && hash_out)
                memcpy(hash_out, hash, sizeof(hash));
        return rc;
}

static int import_check_field(nereid_run *run, const char *field)
{
        int rc;

        if ((rc = nrd_uri_field_writable(field)) < 0 ||
            (rc = nrd_project_check_writable(run->project, field)) < 0)
                return rc;
        return 0;
}

int nereid_run_import_files(char hash_out[NEREID_HASH_BUFSIZE], nereid_run *run, const char *field,
                            const nereid_files *files)
{
        nereid_files *copy = NULL;
        size_t i;
        int rc;

        nrd_error_clear();
        assert(run);
        if ((rc = import_check_field(run, field)) < 0)
                return rc;
        if (!(copy = nrd_files_new()))
                return NEREID_ERROR;
        for (i = 0; i < files->count && rc == 0; i++)
                rc = nrd_files_push_copy(copy, &files->items[i]);
        if (rc == 0)
                rc = import_sorted(run, field, copy, "import", hash_out);
        nereid_files_free(copy);
        return rc;
}

int nereid_run_import_json(char hash_out[NEREID_HASH_BUFSIZE], nereid_run *run, const char *field,
                           int fd, const char *label)
{
        char hash[NEREID_HASH_HEXLEN + 1];
        nereid_files *files = NULL;
        int rc;

        nrd_error_clear();
        assert(run);
        if (!label)
                label = "import";
        if ((rc = import_check_field(run, field)) < 0)
                return rc;
        /* A sorted file into a new field goes as a stream (import_stream.c). */
        if ((rc = nrd_import_stream(run, field, fd, label, hash)) != IMPORT_STREAM_NO) {
                if (rc == 0 && hash_out)
                        memcpy(hash_out, hash, sizeof(hash));
                return rc;
        }
        nrd_error_clear();
        if ((rc = nrd_json_files_read(fd, label, &files)) < 0)
                return rc;
        rc = import_sorted(run, field, files, label, hash_out);
        nereid_files_free(files);
        return rc;
}
