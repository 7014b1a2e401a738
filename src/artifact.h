/*
 * artifact.h - SPEC section 4's policy, above the store seam: what a field
 * holds after a track (the union by file_path, newer winning, or --replace),
 * the artifact and content hashes, and assignment. Every backend only
 * stores and reads; this is the one place the rule lives.
 */
#ifndef NEREID_ARTIFACT_H
#define NEREID_ARTIFACT_H

#include "store/store.h"

enum artifact_how {
        ARTIFACT_MERGE = 0,   /* the union of what the field holds and the records */
        ARTIFACT_REPLACE = 1, /* the records alone; the field forgets its roots */
};

/* Point field at the artifact of files (sorted, unique file_paths) merged
 * or replaced as how says, remembering root (may be NULL). Concurrent
 * writers to one field lose nothing: the store compares and swaps, and on a
 * conflict the union is computed again from what the field now holds. The
 * new artifact hash goes to hash_out. */
int nrd_artifact_track(nereid_store *store, const char *project, const char *run_id,
                       const char *field, const nereid_files *files, const store_root *root,
                       enum artifact_how how, char hash_out[NEREID_HASH_HEXLEN + 1]);

/* A queued operation's key (SPEC section 9): the queue's UUID and the
 * operation's number. */
typedef struct artifact_op {
        const char *queue; /* 36-char UUID */
        uint64_t seq;      /* from 1 */
} artifact_op;

/* nrd_artifact_track for a queued operation: roots (nroots of them) as
 * given, and the field written through op_apply under op's key, so a
 * retried delivery applies it once. *applied (may be NULL) is 1 when this
 * call applied it, 0 when an earlier delivery had (hash_out is then what
 * the union would be now, not necessarily what the field holds). */
int nrd_artifact_track_op(nereid_store *store, const char *project, const char *run_id,
                          const char *field, const nereid_files *files, const store_root *roots,
                          size_t nroots, enum artifact_how how, const artifact_op *op,
                          char hash_out[NEREID_HASH_HEXLEN + 1], int *applied);

/* nrd_artifact_track_op for records given as text (SPEC section 2's JSON
 * array, sorted: a queued put's bytes as the queue kept them) with their
 * artifact and content hashes: the store takes the text as it is
 * (artifact_put_text, which the caller checked the store has) and checks
 * it. Only where what the field will hold is these records (a new field,
 * a replace, a field that holds them already); ARTIFACT_NEEDS_RECORDS,
 * nothing written, when the field holds other records (the union needs
 * the records: the caller decodes them and calls nrd_artifact_track_op). */
#define ARTIFACT_NEEDS_RECORDS 1
int nrd_artifact_track_text(nereid_store *store, const char *project, const char *run_id,
                            const char *field, const char *text, size_t len, const char *hash,
                            const char *content, const store_root *roots, size_t nroots,
                            enum artifact_how how, const artifact_op *op,
                            char hash_out[NEREID_HASH_HEXLEN + 1]);

/* Point field at an artifact the project has (ENOTFOUND otherwise),
 * remembering roots (may be NULL/0) instead of the field's. */
int nrd_artifact_assign(nereid_store *store, const char *project, const char *run_id,
                        const char *field, const char *hash, const store_root *roots,
                        size_t nroots);

#endif
