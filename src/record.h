/*
 * record.h - file records (SPEC section 2) and lists of them: the public
 * nereid_file / nereid_files types. Only data and its bookkeeping (add,
 * sort, find, merge); hashing is in hash.c, JSON in json.c.
 */
#ifndef NEREID_RECORD_H
#define NEREID_RECORD_H

#include <stdint.h>
#include "nereid.h"

struct nereid_file {
        char *file_path;     /* relative POSIX path inside the artifact */
        char *file_hash;     /* MD5 hex, or ETag without quotes */
        char *type;          /* the type of its source driver: "Local", "S3" */
        uint64_t size;       /* bytes, valid when has_size */
        int has_size;        /* 0: size is null */
        char *source;        /* metadata.file_path, or NULL when absent */
        char *last_modified; /* metadata.last_modified, or NULL when absent */
};

struct nereid_files {
        struct nereid_file *items;
        size_t count;
        size_t cap;
};

/* An empty list; caller frees with nereid_files_free(). NULL on ENOMEM. */
nereid_files *nrd_files_new(void);
/* Append a record, taking ownership of its strings (and clearing *file).
 * On failure the strings are freed. */
int nrd_files_push(nereid_files *files, struct nereid_file *file);
/* Append a deep copy of a record. */
int nrd_files_push_copy(nereid_files *files, const struct nereid_file *file);
/* Sort bytewise by file_path. */
void nrd_files_sort(nereid_files *files);
/* After nrd_files_sort: the record with this file_path, or NULL. */
const struct nereid_file *nrd_files_find(const nereid_files *files, const char *file_path);
/* After nrd_files_sort: the index i of the first record whose file_path is
 * that of record i - 1, or 0 when every file_path is unique. Whatever
 * gathers records checks this before they reach the store, which holds one
 * record per file_path. */
size_t nrd_files_first_duplicate(const nereid_files *files);
/* Union by file_path, a record of newer winning over one of older; the
 * result is sorted. Both inputs are left as they are. */
int nrd_files_merge(const nereid_files *older, const nereid_files *newer, nereid_files **out);
/* Deep copy of src into dst; on failure dst is left cleared. */
int nrd_file_copy(struct nereid_file *dst, const struct nereid_file *src);
/* Free the strings of one record and zero it. */
void nrd_file_clear(struct nereid_file *file);

/* The one check of a record that comes from outside (SPEC section 2), in
 * record_check.c: 0, or NEREID_EINVALID with a message "<where> (\"path\"):
 * <why>". */
int nrd_file_check(const struct nereid_file *file, const char *where);
/* nrd_file_check on every record, and no file_path twice: 0, or NEREID_EINVALID
 * naming the first bad record in list order, "<label>: record N ...",
 * N counted from 1. */
int nrd_files_check(const nereid_files *files, const char *label);

#endif
