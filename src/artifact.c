/*
 * artifact.c - SPEC section 4's policy above the store seam (artifact.h):
 * the union a track stores, its hashes, --replace and assign, built on the
 * seam's artifact_put (idempotent by hash) and field_swap (compare and
 * swap). Not for storing anything itself (store/), nor for scanning
 * sources (run.c).
 */
#include <stdlib.h>
#include <string.h>
#include "artifact.h"
#include "error.h"
#include "hash.h"

/* How many times a track computes the union again because another writer
 * changed the field in between; each conflict is another writer's success,
 * so this is only reached by a store that never lets a swap through. */
#define ARTIFACT_MAX_CONFLICTS 10000

static int artifact_collect(void *payload, const struct nereid_file *file)
{
        return nrd_files_push_copy(payload, file);
}

/* What the field will hold, given the hash it holds ("" for none); the
 * hashes of it go to hash and content. *owned is what the caller frees. */
static int artifact_result(nereid_store *store, const char *project, const nereid_files *files,
                           const char *held, const char *files_hash, enum artifact_how how,
                           const nereid_files **result, nereid_files **owned)
{
        nereid_files *old;
        int rc;

        *result = files;
        *owned = NULL;
        /* Replacing, a new field, or a re-track that found what the field
         * holds: the records alone. */
        if (how == ARTIFACT_REPLACE || !*held || strcmp(held, files_hash) == 0)
                return 0;
        if (!(old = nrd_files_new()))
                return NEREID_ERROR;
        rc = nrd_store_artifact_each(store, project, held, artifact_collect, old);
        if (rc == 0)
                rc = nrd_files_merge(old, files, owned);
        nereid_files_free(old);
        if (rc == 0)
                *result = *owned;
        return rc;
}

int nrd_artifact_track(nereid_store *store, const char *project, const char *run_id,
                       const char *field, const nereid_files *files, const store_root *root,
                       enum artifact_how how, char hash_out[NEREID_HASH_HEXLEN + 1])
{
        return nrd_artifact_track_op(store, project, run_id, field, files, root, root ? 1 : 0, how,
                                     NULL, hash_out, NULL);
}

/* What a track stores: records (files), or a queued put's records as the
 * text the queue kept (files NULL), with both hashes of the records alone. */
typedef struct artifact_in {
        const nereid_files *files;
        const char *text;
        size_t len;
        char hash[NEREID_HASH_HEXLEN + 1];
        char content[NEREID_HASH_HEXLEN + 1];
} artifact_in;

/* The one loop of every track: what the field will hold, stored once,
 * then the compare and swap (or op_apply under op's key), again on a
 * conflict. Text is sent as it is; ARTIFACT_NEEDS_RECORDS when the field
 * holds other records, whose union needs the records themselves. */
static int artifact_track_in(nereid_store *store, const char *project, const char *run_id,
                             const char *field, const artifact_in *in, const store_root *roots,
                             size_t nroots, enum artifact_how how, const artifact_op *op,
                             char hash_out[NEREID_HASH_HEXLEN + 1], int *applied)
{
        char held[NEREID_HASH_HEXLEN + 1];
        char hash[NEREID_HASH_HEXLEN + 1], content[NEREID_HASH_HEXLEN + 1];
        unsigned conflicts = 0;
        int rc;

        for (;;) {
                const nereid_files *result = in->files;
                nereid_files *owned = NULL;

                rc = nrd_store_field_get(store, project, run_id, field, held);
                if (rc == NEREID_ENOTFOUND) {
                        nrd_error_clear(); /* a new field: it holds "" */
                        held[0] = '\0';
                } else if (rc < 0) {
                        return rc;
                }
                if (!in->files && how != ARTIFACT_REPLACE && held[0] && strcmp(held, in->hash) != 0)
                        return ARTIFACT_NEEDS_RECORDS;
                rc = in->files ? artifact_result(store, project, in->files, held, in->hash, how,
                                                 &result, &owned)
                               : 0;
                if (rc == 0 && result == in->files) {
                        memcpy(hash, in->hash, sizeof(hash));
                        memcpy(content, in->content, sizeof(content));
                } else if (rc == 0) {
                        rc = nrd_hash_files_pair(result, hash, content);
                }
                /* An artifact the project has is stored once. */
                if (rc == 0 && strcmp(hash, held) != 0)
                        rc = result ? nrd_store_artifact_put(store, project, hash, content, result)
                                    : nrd_store_artifact_put_text(store, project, hash, content,
                                                                  in->text, in->len);
                nereid_files_free(owned);
                if (rc == 0 && op)
                        rc = nrd_store_op_apply(
                            store, project, run_id, op->queue, op->seq, field,
                            how == ARTIFACT_REPLACE ? NULL : held, hash, roots, nroots,
                            how == ARTIFACT_REPLACE ? STORE_ROOTS_SET : STORE_ROOTS_ADD);
                else if (rc == 0)
                        rc = nrd_store_field_swap(
                            store, project, run_id, field, how == ARTIFACT_REPLACE ? NULL : held,
                            hash, roots, nroots,
                            how == ARTIFACT_REPLACE ? STORE_ROOTS_SET : STORE_ROOTS_ADD);
                if (applied)
                        *applied = rc == 0;
                if (rc == STORE_APPLIED)
                        rc = 0;
                if (rc != STORE_CONFLICT)
                        break;
                /* Another writer changed the field: merge with what it holds now. */
                if (++conflicts >= ARTIFACT_MAX_CONFLICTS)
                        return nrd_error(NEREID_ERROR,
                                         "%s:%s: changed by other writers %u times in a row; "
                                         "nothing was recorded",
                                         run_id, field, conflicts);
        }
        if (rc == 0)
                memcpy(hash_out, hash, sizeof(hash));
        return rc;
}

/* The run must exist: a field of no run is not an empty field. */
static int artifact_run_exists(nereid_store *store, const char *project, const char *run_id)
{
        store_run_info info = {0};
        int rc = nrd_store_run_get(store, project, run_id, &info);

        nrd_store_run_info_clear(&info);
        return rc < 0 ? rc : 0;
}

int nrd_artifact_track_op(nereid_store *store, const char *project, const char *run_id,
                          const char *field, const nereid_files *files, const store_root *roots,
                          size_t nroots, enum artifact_how how, const artifact_op *op,
                          char hash_out[NEREID_HASH_HEXLEN + 1], int *applied)
{
        artifact_in in = {files, NULL, 0, "", ""};
        int rc;

        if ((rc = artifact_run_exists(store, project, run_id)) < 0)
                return rc;
        /* Both hashes of the records at once: they are what the field will
         * hold when it is new, replaced or holds these records already. */
        if ((rc = nrd_hash_files_pair(files, in.hash, in.content)) < 0)
                return rc;
        return artifact_track_in(store, project, run_id, field, &in, roots, nroots, how, op,
                                 hash_out, applied);
}

int nrd_artifact_track_text(nereid_store *store, const char *project, const char *run_id,
                            const char *field, const char *text, size_t len, const char *hash,
                            const char *content, const store_root *roots, size_t nroots,
                            enum artifact_how how, const artifact_op *op,
                            char hash_out[NEREID_HASH_HEXLEN + 1])
{
        artifact_in in = {NULL, text, len, "", ""};
        int rc;

        if (strlen(hash) != NEREID_HASH_HEXLEN || strlen(content) != NEREID_HASH_HEXLEN)
                return nrd_error(NEREID_EINVALID, "%s:%s: the records' hashes are malformed",
                                 run_id, field);
        memcpy(in.hash, hash, sizeof(in.hash));
        memcpy(in.content, content, sizeof(in.content));
        if ((rc = artifact_run_exists(store, project, run_id)) < 0)
                return rc;
        return artifact_track_in(store, project, run_id, field, &in, roots, nroots, how, op,
                                 hash_out, NULL);
}

int nrd_artifact_assign(nereid_store *store, const char *project, const char *run_id,
                        const char *field, const char *hash, const store_root *roots, size_t nroots)
{
        /* The field now holds another artifact: its old roots no longer apply. */
        return nrd_store_field_swap(store, project, run_id, field, NULL, hash, roots, nroots,
                                    STORE_ROOTS_SET);
}
