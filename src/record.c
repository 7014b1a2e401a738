/*
 * record.c - lists of file records: growth, sorting, lookup, the union of
 * SPEC section 4, and the public accessors of one record.
 */
#include <stdlib.h>
#include <string.h>
#include "buf.h"
#include "error.h"
#include "record.h"

nereid_files *nrd_files_new(void)
{
        return nrd_calloc(1, sizeof(nereid_files));
}

void nrd_file_clear(struct nereid_file *file)
{
        free(file->file_path);
        free(file->file_hash);
        free(file->type);
        free(file->source);
        free(file->last_modified);
        memset(file, 0, sizeof(*file));
}

static int files_reserve(nereid_files *files, size_t extra)
{
        size_t cap;
        struct nereid_file *items;

        if (files->count + extra <= files->cap)
                return 0;
        cap = files->cap ? files->cap * 2 : 64;
        while (cap < files->count + extra)
                cap *= 2;
        if (cap > SIZE_MAX / sizeof(*items))
                return nrd_error(NEREID_ERROR, "file list: size overflow");
        items = nrd_realloc_array(files->items, cap, sizeof(*items));
        if (!items)
                return nrd_error_oom();
        files->items = items;
        files->cap = cap;
        return 0;
}

int nrd_files_push(nereid_files *files, struct nereid_file *file)
{
        if (files_reserve(files, 1) < 0) {
                nrd_file_clear(file);
                return NEREID_ERROR;
        }
        files->items[files->count++] = *file;
        memset(file, 0, sizeof(*file));
        return 0;
}

static int dup_optional(char **dst, const char *src)
{
        *dst = NULL;
        if (!src)
                return 0;
        *dst = nrd_strdup(src);
        return *dst ? 0 : NEREID_ERROR;
}

int nrd_file_copy(struct nereid_file *dst, const struct nereid_file *src)
{
        memset(dst, 0, sizeof(*dst));
        dst->size = src->size;
        dst->has_size = src->has_size;
        if (dup_optional(&dst->file_path, src->file_path) < 0 ||
            dup_optional(&dst->file_hash, src->file_hash) < 0 ||
            dup_optional(&dst->type, src->type) < 0 ||
            dup_optional(&dst->source, src->source) < 0 ||
            dup_optional(&dst->last_modified, src->last_modified) < 0) {
                nrd_file_clear(dst);
                return NEREID_ERROR;
        }
        return 0;
}

int nrd_files_push_copy(nereid_files *files, const struct nereid_file *file)
{
        struct nereid_file copy;

        if (nrd_file_copy(&copy, file) < 0)
                return NEREID_ERROR;
        return nrd_files_push(files, &copy);
}

static int file_compare(const void *a, const void *b)
{
        const struct nereid_file *fa = a, *fb = b;

        return strcmp(fa->file_path, fb->file_path);
}

void nrd_files_sort(nereid_files *files)
{
        size_t i;

        /* A local walk makes them sorted already: one pass tells. */
        for (i = 1; i < files->count; i++)
                if (file_compare(&files->items[i - 1], &files->items[i]) > 0)
                        break;
        if (i < files->count)
                qsort(files->items, files->count, sizeof(*files->items), file_compare);
}

const struct nereid_file *nrd_files_find(const nereid_files *files, const char *file_path)
{
        struct nereid_file key = {0};

        if (!files->count)
                return NULL;
        key.file_path = (char *)file_path;
        return bsearch(&key, files->items, files->count, sizeof(*files->items), file_compare);
}

size_t nrd_files_first_duplicate(const nereid_files *files)
{
        size_t i;

        for (i = 1; i < files->count; i++)
                if (strcmp(files->items[i - 1].file_path, files->items[i].file_path) == 0)
                        return i;
        return 0;
}

int nrd_files_merge(const nereid_files *older, const nereid_files *newer, nereid_files **out)
{
        nereid_files *merged = nrd_files_new();
        size_t i = 0, j = 0;
        int rc = 0;

        if (!merged)
                return NEREID_ERROR;
        /* Both are sorted: one pass, like the merge step of a merge sort. */
        while (rc == 0 && (i < older->count || j < newer->count)) {
                int cmp;

                if (i == older->count)
                        cmp = 1;
                else if (j == newer->count)
                        cmp = -1;
                else
                        cmp = strcmp(older->items[i].file_path, newer->items[j].file_path);
                if (cmp < 0) {
                        rc = nrd_files_push_copy(merged, &older->items[i++]);
                } else {
                        if (cmp == 0)
                                i++;
                        rc = nrd_files_push_copy(merged, &newer->items[j++]);
                }
        }
        if (rc < 0) {
                nereid_files_free(merged);
                return rc;
        }
        *out = merged;
        return 0;
}

size_t nereid_files_count(const nereid_files *files)
{
        return files ? files->count : 0;
}

const nereid_file *nereid_files_get(const nereid_files *files, size_t i)
{
        return files && i < files->count ? &files->items[i] : NULL;
}

void nereid_files_free(nereid_files *files)
{
        size_t i;

        if (!files)
                return;
        for (i = 0; i < files->count; i++)
                nrd_file_clear(&files->items[i]);
        free(files->items);
        free(files);
}

const char *nereid_file_path(const nereid_file *file)
{
        return file->file_path;
}

const char *nereid_file_hash(const nereid_file *file)
{
        return file->file_hash;
}

const char *nereid_file_type(const nereid_file *file)
{
        return file->type;
}

int nereid_file_has_size(const nereid_file *file)
{
        return file->has_size;
}

uint64_t nereid_file_size(const nereid_file *file)
{
        return file->has_size ? file->size : 0;
}

const char *nereid_file_source(const nereid_file *file)
{
        return file->source;
}

const char *nereid_file_last_modified(const nereid_file *file)
{
        return file->last_modified;
}
