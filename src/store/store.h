/*
 * store.h - the store seam: where projects, runs, fields and artifacts
 * live. Each backend is one file with one read-only `const store_ops` table
 * (its version, schemes, capability flags and functions), listed in the
 * registry of store.c; every open store (a nereid_store) points to its
 * table first, as SQLite's sqlite3_file points to its sqlite3_io_methods.
 * The rest of the library calls the store_* wrappers below, never a table.
 *
 * A backend only stores and reads: SPEC section 4's policy (the union by
 * file_path, the hashes, --replace) is the library's (artifact.c), and so
 * are read-only and debug modes (store.c, store_debug.c). How to add a
 * backend: docs/internals/store.md.
 *
 * Every function returns 0 or a negative NEREID_E* code with the message
 * set. Every write is atomic: a failure leaves the store as it was.
 */
#ifndef NEREID_STORE_H
#define NEREID_STORE_H

#include <stdint.h>
#include "nereid.h"
#include "record.h"

/* The version of store_ops this build fills and calls. */
#define NEREID_STORE_VERSION 3

/* What the store knows of a run: the sys/ namespace. */
typedef struct store_run_info {
        char id[32];
        char *name; /* "" when none was given */
        char *owner;
        char creation_time[32];
        char modification_time[32];
} store_run_info;

void nrd_store_run_info_clear(store_run_info *info);

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
/* A field of a run (reverse lookups); file_path is NULL for nrd_store_field_users. */
typedef int (*store_ref_cb)(void *payload, const char *run_id, const char *field,
                            const char *file_path);

/* What nrd_store_field_swap does with the places a field was tracked from. */
enum store_roots {
        STORE_ROOTS_ADD = 0, /* remember roots beside those the field has */
        STORE_ROOTS_SET = 1, /* forget the field's roots, then remember roots */
};

/* nrd_store_field_swap's answer when the field did not hold the expected hash. */
#define STORE_CONFLICT 1

/* Capability flags of a backend (store_ops.caps). */
#define STORE_CAP_LOCAL 0x1 /* lives on this machine: no network, no token */

typedef struct nereid_store nereid_store;

typedef struct store_ops {
        int version;                /* NEREID_STORE_VERSION when the table was written */
        const char *name;           /* "sqlite": for messages */
        const char *const *schemes; /* the location schemes it serves, NULL-terminated */
        unsigned caps;              /* STORE_CAP_* */

        /* Open the store at location (its scheme included, or a bare folder
         * for the default backend). Opening only reads: a store that does not
         * exist reads as empty and is made by the first write. mode is the
         * nereid_mode, for the backend's own messages; the modes themselves
         * are store.c's. */
        int (*open)(nereid_store **out, const char *location, int mode);
        void (*close)(nereid_store *store);
        /* 0 when writes may succeed; EACCESS with the reason when this user
         * can only read the store. Creates nothing. */
        int (*can_write)(nereid_store *store);

        /* Find a project, or create it (when create is set) with key (NULL:
         * derived from the name). The project's key is written to key_out. */
        int (*project_open)(nereid_store *store, const char *project, const char *key, int create,
                            char key_out[16]);
        /* Every project, sorted by name, with its key and number of runs. */
        int (*project_each)(nereid_store *store, store_project_cb cb, void *payload);

        /* Allocate the next run ID atomically and create the run. */
        int (*run_create)(nereid_store *store, const char *project, const char *name,
                          const char *owner, char id_out[32]);
        /* ENOTFOUND for an unknown run. Caller clears info. */
        int (*run_info)(nereid_store *store, const char *project, const char *run_id,
                        store_run_info *info);
        /* The runs of the project numbered above after (0: from the
         * first), oldest first, at most limit of them (0: all), with their
         * sys/ values: keyset pagination in one query. */
        int (*run_each)(nereid_store *store, const char *project, uint64_t after, size_t limit,
                        store_run_cb cb, void *payload);

        /* Every artifact field of a run, sorted by path (bytewise). */
        int (*field_each)(nereid_store *store, const char *project, const char *run_id,
                          store_field_cb cb, void *payload);
        /* The artifact hash a field holds; ENOTFOUND when the run or the
         * field does not exist. */
        int (*field_get)(nereid_store *store, const char *project, const char *run_id,
                         const char *field, char hash_out[NEREID_HASH_HEXLEN + 1]);
        /* The roots a field was tracked from, sorted; *out is an array the
         * caller frees with nrd_store_roots_free. */
        int (*field_roots)(nereid_store *store, const char *project, const char *run_id,
                           const char *field, store_root **out, size_t *count);
        /* Atomically, compare and swap: when the field holds expect (NULL:
         * whatever it holds; "": no artifact), point it at hash, apply roots
         * as how says, and set the run's modification time; otherwise change
         * nothing and return STORE_CONFLICT. ENOTFOUND when the run, or the
         * artifact in the project, does not exist. */
        int (*field_swap)(nereid_store *store, const char *project, const char *run_id,
                          const char *field, const char *expect, const char *hash,
                          const store_root *roots, size_t nroots, enum store_roots how);
        /* Atomically remove a field and every field below it (a namespace),
         * with their roots; ENOTFOUND when there is none. Artifacts stay. */
        int (*field_remove)(nereid_store *store, const char *project, const char *run_id,
                            const char *field);

        /* Store an artifact of the project: its hash and content hash (the
         * library computes them) and its records, sorted by file_path.
         * Idempotent: an artifact the project has already is left as it is. */
        int (*artifact_put)(nereid_store *store, const char *project, const char *hash,
                            const char *content, const nereid_files *files);
        /* ENOTFOUND when the project has no artifact with this hash. */
        int (*artifact_content_hash)(nereid_store *store, const char *project, const char *hash,
                                     char content_out[NEREID_HASH_HEXLEN + 1]);
        /* Every record of an artifact, sorted by file_path, one at a time. A
         * callback returning non-zero stops the walk and that value is returned. */
        int (*artifact_each)(nereid_store *store, const char *project, const char *hash,
                             store_file_cb cb, void *payload);

        /* Reverse lookups, indexed. Every field of the project holding the
         * artifact, by run (oldest first) then field; ENOTFOUND when the
         * project has no such artifact. */
        int (*field_users)(nereid_store *store, const char *project, const char *hash,
                           store_ref_cb cb, void *payload);
        /* Every field of the project whose artifact has a record with this
         * file_hash, with that record's file_path; by run, field, file_path. */
        int (*file_find)(nereid_store *store, const char *project, const char *file_hash,
                         store_ref_cb cb, void *payload);
} store_ops;

/* Every open store starts with this. */
struct nereid_store {
        const store_ops *ops;
        int mode;       /* enum nereid_mode, applied by store.c */
        char *location; /* as given to nrd_store_open, for messages */
};

/* Open the store at location through the registry: a folder, or
 * sqlite:FOLDER, is the embedded store; http://, https:// and postgres://
 * are named but not in this build (a clear error); anything else with a
 * scheme is refused. Read-only mode refuses every write here, before the
 * backend; debug mode opens a private copy (see store.c). */
int nrd_store_open(nereid_store **out, const char *location, int mode);
void nrd_store_close(nereid_store *store);
/* Debug mode (store_debug.c): a store that reads what the store at location
 * holds and keeps every write in memory, never in the real store. */
int nrd_store_debug_open(nereid_store **out, const store_ops *ops, const char *location);
/* The table of debug mode's stores (store_debug.c). */
extern const store_ops nrd_store_debug_ops;
/* The backends of this build, for the conformance suite: NULL past the end. */
const store_ops *nrd_store_backend(size_t i);

/* The seam's calls, with the modes applied; see store_ops for each. */
int nrd_store_can_write(nereid_store *store);
int nrd_store_project_open(nereid_store *store, const char *project, const char *key, int create,
                           char key_out[16]);
int nrd_store_project_each(nereid_store *store, store_project_cb cb, void *payload);
int nrd_store_run_create(nereid_store *store, const char *project, const char *name,
                         const char *owner, char id_out[32]);
int nrd_store_run_get(nereid_store *store, const char *project, const char *run_id,
                      store_run_info *info);
int nrd_store_run_each(nereid_store *store, const char *project, uint64_t after, size_t limit,
                       store_run_cb cb, void *payload);
int nrd_store_field_each(nereid_store *store, const char *project, const char *run_id,
                         store_field_cb cb, void *payload);
int nrd_store_field_get(nereid_store *store, const char *project, const char *run_id,
                        const char *field, char hash_out[NEREID_HASH_HEXLEN + 1]);
int nrd_store_field_roots(nereid_store *store, const char *project, const char *run_id,
                          const char *field, store_root **out, size_t *count);
int nrd_store_field_swap(nereid_store *store, const char *project, const char *run_id,
                         const char *field, const char *expect, const char *hash,
                         const store_root *roots, size_t nroots, enum store_roots how);
int nrd_store_field_remove(nereid_store *store, const char *project, const char *run_id,
                           const char *field);
int nrd_store_artifact_put(nereid_store *store, const char *project, const char *hash,
                           const char *content, const nereid_files *files);
int nrd_store_artifact_content_hash(nereid_store *store, const char *project, const char *hash,
                                    char content_out[NEREID_HASH_HEXLEN + 1]);
int nrd_store_artifact_each(nereid_store *store, const char *project, const char *hash,
                            store_file_cb cb, void *payload);
int nrd_store_field_users(nereid_store *store, const char *project, const char *hash,
                          store_ref_cb cb, void *payload);
int nrd_store_file_find(nereid_store *store, const char *project, const char *file_hash,
                        store_ref_cb cb, void *payload);

void nrd_store_roots_free(store_root *roots, size_t count);

/* The embedded SQLite store's table (sqlite.c). */
extern const store_ops nrd_store_sqlite_ops;
/* An empty SQLite store in memory, writable, named label in messages: the
 * overlay of debug mode (store_debug.c). */
int nrd_store_sqlite_memory(nereid_store **out, const char *label);
/* Store a run of an existing project as it is (its ID and sys/ values),
 * replacing one with its ID: debug mode's copy of a project. */
int nrd_store_sqlite_run_restore(nereid_store *store, const char *project,
                                 const store_run_info *info);

/* Derive a project key from the project part of "workspace/project":
 * the first letter and the next consonants, up to 3 letters, uppercase
 * ("classification" -> "CLS"), padded with 'X' to at least 2. */
void nrd_store_derive_key(const char *project, char key_out[16]);

#endif
