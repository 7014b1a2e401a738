/*
 * diff.c - comparing two lists of records (nereid_diff_files) and a field
 * with its sources (nereid_run_status). A record is changed when its
 * file_hash, size or type differ: moving or touching a file with the same
 * content is not a change of the data.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include "buf.h"
#include "error.h"
#include "project.h"
#include "record.h"
#include "run.h"
#include "source/local_scan.h"
#include "source/source.h"

typedef struct diff_entry {
        int kind;
        char *path;
} diff_entry;

struct nereid_diff {
        diff_entry *items;
        size_t count, cap;
};

static int diff_add(nereid_diff *diff, int kind, const char *path)
{
        if (diff->count == diff->cap) {
                size_t cap = diff->cap ? diff->cap * 2 : 16;
                diff_entry *grown = nrd_realloc_array(diff->items, cap, sizeof(*grown));

                if (!grown)
                        return nrd_error_oom();
                diff->items = grown;
                diff->cap = cap;
        }
        diff->items[diff->count].kind = kind;
        diff->items[diff->count].path = nrd_strdup(path);
        if (!diff->items[diff->count].path)
                return NEREID_ERROR;
        diff->count++;
        return 0;
}

static int diff_same_content(const struct nereid_file *a, const struct nereid_file *b)
{
        return strcmp(a->file_hash, b->file_hash) == 0 && strcmp(a->type, b->type) == 0 &&
               a->has_size == b->has_size && a->size == b->size;
}

int nereid_diff_files(nereid_diff **out, const nereid_files *old_files,
                      const nereid_files *new_files)
{
        nereid_diff *diff;
        size_t i = 0, j = 0;
        int rc = 0;

        nrd_error_clear();
        assert(out);
        *out = NULL;
        diff = nrd_calloc(1, sizeof(*diff));
        if (!diff)
                return NEREID_ERROR;
        /* Both lists are sorted by file_path: one merge pass. */
        while (rc == 0 && (i < old_files->count || j < new_files->count)) {
                int cmp;

                if (i == old_files->count)
                        cmp = 1;
                else if (j == new_files->count)
                        cmp = -1;
                else
                        cmp = strcmp(old_files->items[i].file_path, new_files->items[j].file_path);
                if (cmp < 0) {
                        rc = diff_add(diff, NEREID_CHANGE_REMOVED, old_files->items[i++].file_path);
                } else if (cmp > 0) {
                        rc = diff_add(diff, NEREID_CHANGE_ADDED, new_files->items[j++].file_path);
                } else {
                        if (!diff_same_content(&old_files->items[i], &new_files->items[j]))
                                rc = diff_add(diff, NEREID_CHANGE_CHANGED,
                                              old_files->items[i].file_path);
                        i++;
                        j++;
                }
        }
        if (rc < 0) {
                nereid_diff_free(diff);
                return rc;
        }
        *out = diff;
        return 0;
}

size_t nereid_diff_count(const nereid_diff *diff)
{
        return diff ? diff->count : 0;
}

int nereid_diff_get(const char **path_out, const nereid_diff *diff, size_t i)
{
        if (!diff || i >= diff->count) {
                *path_out = NULL;
                return 0;
        }
        *path_out = diff->items[i].path;
        return diff->items[i].kind;
}

void nereid_diff_free(nereid_diff *diff)
{
        size_t i;

        if (!diff)
                return;
        for (i = 0; i < diff->count; i++)
                free(diff->items[i].path);
        free(diff->items);
        free(diff);
}

/* Add the files found to current (later scans win). */
static int status_add(nereid_files **current, nereid_files *found)
{
        nereid_files *merged = NULL;
        int rc = nrd_files_merge(*current, found, &merged);

        nereid_files_free(found);
        if (rc < 0)
                return rc;
        nereid_files_free(*current);
        *current = merged;
        return 0;
}

/* Add what one tracked location holds now. A location that no longer
 * exists holds nothing: its files count as removed. */
static int status_scan_root(nereid_project *project, const store_root *root, nereid_files **current)
{
        nereid_files *found = NULL;
        int rc = nrd_run_scan(project, root->location, root->destination, &found, NULL);

        if (rc == NEREID_ENOTFOUND) {
                nrd_error_clear(); /* a source gone: its records are removed */
                return 0;
        }
        return rc < 0 ? rc : status_add(current, found);
}

/* Local sources are re-checked this many at a time, side by side. */
#define STATUS_BATCH 4096

/* One record's own source, scanned alone: its file, if it is one file
 * now, goes to found under the record's file_path. */
static int status_scan_one(nereid_project *project, const struct nereid_file *rec,
                           const source_location *loc, nereid_files *found)
{
        nereid_files *one = NULL;
        char *file_path;
        int rc = nrd_run_scan_location(project, loc, rec->source, NULL, &one, NULL);

        if (rc == NEREID_ENOTFOUND) {
                nrd_error_clear();
                return 0;
        }
        if (rc < 0)
                return rc;
        if (one->count != 1) { /* not one file: removed */
                nereid_files_free(one);
                return 0;
        }
        if (!(file_path = nrd_strdup(rec->file_path))) {
                nereid_files_free(one);
                return NEREID_ERROR;
        }
        free(one->items[0].file_path);
        one->items[0].file_path = file_path;
        rc = nrd_files_push(found, &one->items[0]);
        nereid_files_free(one);
        return rc;
}

/* A batch of local sources (locs[k] of record idx[k]) in one scan, the
 * files hashed side by side in the multi-buffer lanes. Should the batch
 * fail, its records are scanned one by one, so the error (or the file
 * gone meanwhile) is that of the one record it concerns. */
static int status_scan_batch(nereid_project *project, const nereid_files *recorded,
                             const source_location *locs, const size_t *idx, size_t n,
                             nereid_files *found)
{
        struct nereid_file *got = nrd_calloc(n, sizeof(*got));
        size_t k;
        int rc;

        if (!got)
                return NEREID_ERROR;
        rc = nrd_local_scan_files(project, locs, n, got);
        if (nrd_project_cancelled(project)) {
                free(got);
                return nrd_error(NEREID_ECANCELLED, "status: cancelled");
        }
        if (rc < 0) {
                nrd_error_clear();
                rc = 0;
                for (k = 0; k < n && rc == 0; k++)
                        rc = status_scan_one(project, &recorded->items[idx[k]], &locs[k], found);
                free(got);
                return rc;
        }
        for (k = 0; k < n; k++) {
                char *file_path = NULL;

                if (!got[k].file_path)
                        continue; /* nothing there now: removed */
                if (rc == 0 && !(file_path = nrd_strdup(recorded->items[idx[k]].file_path)))
                        rc = NEREID_ERROR;
                if (rc == 0) {
                        free(got[k].file_path);
                        got[k].file_path = file_path;
                        rc = nrd_files_push(found, &got[k]);
                }
                nrd_file_clear(&got[k]);
        }
        free(got);
        return rc;
}

/* Without remembered roots (a field assigned from a hash), each record's
 * own source is re-checked: the one file it names, read by the driver of
 * the record's type, and compared under the record's own file_path. What
 * is now something else there (a folder, another kind of source) counts
 * as removed, never as files added to the field. Local files are checked
 * in batches (status_scan_batch), the others one at a time. */
static int status_scan_records(nereid_project *project, const nereid_files *recorded,
                               nereid_files **current)
{
        size_t cap = recorded->count < STATUS_BATCH ? recorded->count : STATUS_BATCH;
        source_location *locs = nrd_calloc(cap ? cap : 1, sizeof(*locs));
        size_t *idx = nrd_calloc(cap ? cap : 1, sizeof(*idx));
        nereid_files *found = nrd_files_new();
        size_t i, n = 0;
        int rc = 0;

        if (!locs || !idx || !found) {
                rc = NEREID_ERROR;
                goto cleanup;
        }
        nrd_project_uncancel(project);
        for (i = 0; i < recorded->count && rc == 0; i++) {
                const struct nereid_file *rec = &recorded->items[i];
                source_location loc;

                if (!rec->source || nrd_source_location_of_record(rec, &loc) < 0)
                        continue; /* nothing to compare with: reported as removed */
                if (loc.driver == &nrd_source_local) {
                        locs[n] = loc;
                        idx[n++] = i;
                        if (n == cap) {
                                rc = status_scan_batch(project, recorded, locs, idx, n, found);
                                while (n > 0)
                                        nrd_source_location_clear(&locs[--n]);
                        }
                        continue;
                }
                rc = status_scan_one(project, rec, &loc, found);
                nrd_source_location_clear(&loc);
        }
        if (rc == 0 && n > 0)
                rc = status_scan_batch(project, recorded, locs, idx, n, found);
cleanup:
        while (n > 0)
                nrd_source_location_clear(&locs[--n]);
        free(locs);
        free(idx);
        if (rc == 0 && found) {
                nrd_files_sort(found);
                return status_add(current, found);
        }
        nereid_files_free(found);
        return rc;
}

int nereid_run_status(nereid_diff **out, nereid_run *run, const char *field)
{
        nereid_project *project;
        nereid_store *store;
        nereid_files *recorded = NULL, *current;
        store_root *roots = NULL;
        size_t nroots = 0, i;
        int rc;

        nrd_error_clear();
        assert(run);
        project = run->project;
        store = project->store;
        assert(out);
        *out = NULL;
        current = nrd_files_new();
        if (!current)
                return NEREID_ERROR;
        if ((rc = nereid_run_fetch_files_list(&recorded, run, field)) < 0 ||
            (rc = nrd_store_field_roots(store, project->name, run->id, field, &roots, &nroots)) < 0)
                goto cleanup;
        for (i = 0; i < nroots && rc == 0; i++)
                rc = status_scan_root(project, &roots[i], &current);
        if (rc == 0 && !nroots)
                rc = status_scan_records(project, recorded, &current);
        nrd_project_wait_background(project);
        if (rc == 0)
                rc = nereid_diff_files(out, recorded, current);
cleanup:
        nrd_store_roots_free(roots, nroots);
        nereid_files_free(recorded);
        nereid_files_free(current);
        return rc;
}
