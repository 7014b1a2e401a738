/*
 * import_stream.c - `nereid import` of a JSON file too large to hold: when
 * the input is a regular file whose records are already sorted by
 * file_path and the field holds no artifact yet, the file is read twice,
 * one record at a time (json.c's reader): once to check the records and
 * compute the artifact's hash, once to hand them to the store's
 * artifact_put_stream (an http(s) store streams them up to the server).
 * Memory does not grow with the artifact.
 *
 * Not for: merging with records the field holds, or sorting (import.c does
 * those in memory); the caller falls back to import.c's path whenever this
 * one answers IMPORT_STREAM_NO.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "error.h"
#include "hash.h"
#include "import_stream.h"
#include "json.h"
#include "project.h"
#include "record.h"
#include "run.h"
#include "store/store.h"

/* The records of the second pass, for nrd_store_artifact_put_stream. */
struct import_pull {
        nrd_json_records *reader;
        struct nereid_file file;
};

static int import_pull_next(void *payload, const struct nereid_file **file)
{
        struct import_pull *p = payload;
        int rc;

        nrd_file_clear(&p->file);
        if ((rc = nrd_json_records_next(p->reader, &p->file)) <= 0)
                return rc;
        *file = &p->file;
        return 1;
}

/* The first pass: every record checked, in strict file_path order, and
 * hashed. IMPORT_STREAM_NO when the records are not sorted (import.c
 * sorts them), a negative code for a bad record or bad JSON. */
static int import_first_pass(int fd, const char *label, char hash[NEREID_HASH_HEXLEN + 1],
                             char content[NEREID_HASH_HEXLEN + 1])
{
        nrd_json_records *r = NULL;
        nrd_hash_stream *h = NULL;
        struct nereid_file file, prev;
        char where[200];
        uint64_t n = 0;
        int rc;

        memset(&file, 0, sizeof(file));
        memset(&prev, 0, sizeof(prev));
        if (!(h = nrd_hash_stream_new()))
                return NEREID_ERROR;
        if ((rc = nrd_json_records_open(&r, fd, label)) < 0)
                goto cleanup;
        while ((rc = nrd_json_records_next(r, &file)) > 0) {
                n++;
                snprintf(where, sizeof(where), "%s: record %llu", label, (unsigned long long)n);
                if ((rc = nrd_file_check(&file, where)) < 0)
                        goto cleanup;
                if (n > 1 && strcmp(prev.file_path, file.file_path) >= 0) {
                        rc = IMPORT_STREAM_NO; /* unsorted or a duplicate: import.c says which */
                        goto cleanup;
                }
                if ((rc = nrd_hash_stream_add(h, &file)) < 0)
                        goto cleanup;
                nrd_file_clear(&prev);
                prev = file;
                memset(&file, 0, sizeof(file));
        }
        if (rc == 0 && n == 0)
                rc = nrd_error(NEREID_EINVALID, "%s: no records", label);
        if (rc == 0)
                rc = nrd_hash_stream_final(h, hash, content);
cleanup:
        nrd_file_clear(&file);
        nrd_file_clear(&prev);
        nrd_json_records_close(r);
        nrd_hash_stream_free(h);
        return rc;
}

int nrd_import_stream(nereid_run *run, const char *field, int fd, const char *label,
                      char hash_out[NEREID_HASH_HEXLEN + 1])
{
        nereid_project *project = run->project;
        nereid_store *store = project->store;
        char hash[NEREID_HASH_HEXLEN + 1], content[NEREID_HASH_HEXLEN + 1];
        char held[NEREID_HASH_HEXLEN + 1];
        struct import_pull pull;
        store_run_info info = {0};
        struct stat st;
        off_t start;
        int rc;

        /* Only a regular file can be read twice; only a field with no
         * artifact needs no merge. Anything else: import.c's path. */
        if (run->offline || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
            (start = lseek(fd, 0, SEEK_CUR)) < 0)
                return IMPORT_STREAM_NO;
        if ((rc = nrd_store_run_get(store, project->name, run->id, &info)) < 0)
                return rc;
        nrd_store_run_info_clear(&info);
        rc = nrd_store_field_get(store, project->name, run->id, field, held);
        if (rc == 0)
                return IMPORT_STREAM_NO;
        if (rc != NEREID_ENOTFOUND)
                return rc;
        nrd_error_clear();
        if ((rc = import_first_pass(fd, label, hash, content)) != 0) {
                if (rc == IMPORT_STREAM_NO && lseek(fd, start, SEEK_SET) != start)
                        return nrd_error(NEREID_ERROR, "%s: cannot read it again", label);
                return rc;
        }
        if (lseek(fd, start, SEEK_SET) != start)
                return nrd_error(NEREID_ERROR, "%s: cannot read it again", label);
        memset(&pull, 0, sizeof(pull));
        /* The second pass is checked again on the way (order, records, and
         * the hash: a file changed between the passes stores nothing). */
        if ((rc = nrd_json_records_open(&pull.reader, fd, label)) == 0)
                rc = nrd_store_artifact_put_stream(store, project->name, hash, label,
                                                   import_pull_next, &pull, NULL, NULL);
        nrd_file_clear(&pull.file);
        nrd_json_records_close(pull.reader);
        if (rc < 0)
                return rc;
        rc = nrd_store_field_swap(store, project->name, run->id, field, "", hash, NULL, 0,
                                  STORE_ROOTS_ADD);
        if (rc == STORE_CONFLICT) {
                /* Another writer made the field meanwhile: merge in memory. */
                if (lseek(fd, start, SEEK_SET) != start)
                        return nrd_error(NEREID_ERROR, "%s: cannot read it again", label);
                return IMPORT_STREAM_NO;
        }
        if (rc == 0)
                memcpy(hash_out, hash, sizeof(hash));
        return rc;
}
