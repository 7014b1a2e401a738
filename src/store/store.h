/*
 * store.h - the store seam: where projects, runs, fields and artifacts
 * live. A backend fills a struct nereid_store with its functions; the rest
 * of the library talks to the store only through it. Backends: sqlite.c
 * (the embedded store); later http.c (a server) and postgres.c.
 *
 * Every function returns 0 or a negative NEREID_E* code with the message
 * set. Writes are atomic: a failure leaves the store as it was.
 */
#ifndef NEREID_STORE_H
#define NEREID_STORE_H

#include <stdint.h>
#include "nereid.h"
#include "record.h"

#define NEREID_STORE_VERSION 2

/* What the store knows of a run: the sys/ namespace. */
typedef struct store_run_info {
        char id[32];
        char *name; /* "" when none was given */
        char *owner;
        char creation_time[32];
        char modification_time[32];
} store_run_info;

void store_run_info_clear(store_run_info *info);

/* A place a field was tracked from, remembered for `status`. */
typedef struct store_root {
        char *location;    /* the path as resolved (file:///... or s3://...) */
        char *destination; /* "" for none */
} store_root;

typedef int (*store_file_cb)(void *payload, const struct nereid_file *file);
typedef int (*store_field_cb)(void *payload, const char *field, const char *hash);
/* info is borrowed for the call. */
typedef int (*store_run_cb)(void *payload, const store_run_info *info);
typedef int (*store_project_cb)(void *payload, const char *name, const char *key, uint64_t runs);

typedef struct nereid_store nereid_store;
struct nereid_store {
        int version;

        /* Find a project, or create it (when create is set) with key (NULL:
         * derived from the name). The project's key is written to key_out. */
        int (*project_open)(nereid_store *store, const char *project, const char *key, int create,
                            char key_out[16]);

        /* Allocate the next run ID atomically and create the run. */
        int (*run_create)(nereid_store *store, const char *project, const char *name,
                          const char *owner, char id_out[32]);
        /* ENOTFOUND for an unknown run. Caller clears info. */
        int (*run_info)(nereid_store *store, const char *project, const char *run_id,
                        store_run_info *info);
        /* Every run of the project with its sys/ values, oldest first, in one
         * query. */
        int (*run_each)(nereid_store *store, const char *project, store_run_cb cb, void *payload);

        /* Every artifact field of a run, sorted by path. */
        int (*field_each)(nereid_store *store, const char *project, const char *run_id,
                          store_field_cb cb, void *payload);
        /* The artifact hash a field holds; ENOTFOUND when it has none. */
        int (*field_get)(nereid_store *store, const char *project, const char *run_id,
                         const char *field, char hash_out[NEREID_HASH_HEXLEN + 1]);
        /* Atomically: union what the field holds with files (files winning by
         * file_path), store the artifact if new, point the field at it, and
         * remember root. files must be sorted. The new hash goes to hash_out. */
        int (*field_merge)(nereid_store *store, const char *project, const char *run_id,
                           const char *field, const nereid_files *files, const store_root *root,
                           char hash_out[NEREID_HASH_HEXLEN + 1]);
        /* Point a field at an existing artifact (ENOTFOUND otherwise); roots
         * may be NULL/0 (assigned from a hash). */
        int (*field_assign)(nereid_store *store, const char *project, const char *run_id,
                            const char *field, const char *hash, const store_root *roots,
                            size_t nroots);
        /* The roots a field was tracked from; *out is an array the caller frees
         * with store_roots_free. */
        int (*field_roots)(nereid_store *store, const char *project, const char *run_id,
                           const char *field, store_root **out, size_t *count);

        /* ENOTFOUND when the project has no artifact with this hash. */
        int (*artifact_content_hash)(nereid_store *store, const char *project, const char *hash,
                                     char content_out[NEREID_HASH_HEXLEN + 1]);
        /* Every record of an artifact, sorted by file_path, one at a time. A
         * callback returning non-zero stops the walk and that value is returned. */
        int (*artifact_each)(nereid_store *store, const char *project, const char *hash,
                             store_file_cb cb, void *payload);

        void (*free)(nereid_store *store);

        /* Every project of the store, sorted by name, with its key and its
         * number of runs. */
        int (*project_each)(nereid_store *store, store_project_cb cb, void *payload);
        /* Atomically remove a field and every field below it (a namespace),
         * with the places they were tracked from; ENOTFOUND when there is
         * none. The artifacts stay in the project. */
        int (*field_remove)(nereid_store *store, const char *project, const char *run_id,
                            const char *field);
        /* As field_merge, but the field then holds files alone (no union)
         * and remembers only root. */
        int (*field_replace)(nereid_store *store, const char *project, const char *run_id,
                             const char *field, const nereid_files *files, const store_root *root,
                             char hash_out[NEREID_HASH_HEXLEN + 1]);
        /* 0 when writes may succeed; EREADONLY in read-only mode, EACCESS
         * with the reason when this user may only read the store. Creates
         * nothing: a write can be refused before any work is done for it. */
        int (*can_write)(nereid_store *store);
};

void store_roots_free(store_root *roots, size_t count);

/* Open the embedded SQLite store in folder home (NEREID_HOME). Opening
 * only reads: a missing store is an empty one in memory, and the first
 * write creates it (or migrates an older one); a store this user cannot
 * write is read, and writes to it fail with EACCESS (every write in
 * read-only mode with EREADONLY). Another program's database or a newer schema is refused.
 * Debug mode works on a private in-memory copy of the store: nothing is
 * written back and no lock is held. */
int store_sqlite_open(nereid_store **out, const char *home, int mode);

/* Derive a project key from the project part of "workspace/project":
 * the first letter and the next consonants, up to 3 letters, uppercase
 * ("classification" -> "CLS"), padded with 'X' to at least 2. */
void store_derive_key(const char *project, char key_out[16]);

#endif
