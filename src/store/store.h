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
 *
 * The seam's rules: ops are only appended and NEREID_STORE_VERSION bumped
 * with each change; a slot is never reused or reordered. Version 4 added
 * run_new (client-made UUID and Neptune's run metadata), artifact_page,
 * the token ops and meta_get/meta_set. run_new is a new op rather than a
 * changed run_create because its contract differs (it may return an
 * existing run, and says so): a version-3 caller of run_create keeps its
 * meaning, and store.c's nrd_store_run_create is now a thin wrapper that
 * makes a UUID and calls run_new, so a backend written for version 4 may
 * leave run_create NULL.
 */
#ifndef NEREID_STORE_H
#define NEREID_STORE_H

#include <stdint.h>
#include "nereid.h"
#include "record.h"

/* The version of store_ops this build fills and calls. */
#define NEREID_STORE_VERSION 6

/* What the store knows of a run: the sys/ namespace. */
typedef struct store_run_info {
        char id[32];
        char *name; /* "" when none was given */
        char *owner;
        char creation_time[32];
        char modification_time[32];
        char uuid[40];       /* 36-char lowercase UUID; "" for a run of an unmigrated store */
        char *custom_run_id; /* NULL when the run has none */
        char *description;   /* "" when none was given; may be NULL from older backends */
        char **tags;         /* sorted bytewise, no duplicates; NULL when ntags is 0 */
        size_t ntags;        /* number of tags */
} store_run_info;

void nrd_store_run_info_clear(store_run_info *info);
/* Deep copy of src into dst (dst's old contents are not freed). */
int nrd_store_run_info_copy(store_run_info *dst, const store_run_info *src);

/* What run_new creates. Every string is borrowed for the call. store.c
 * checks it (nrd_store_run_spec_check) before a backend sees it, so a
 * backend may trust the grammar. */
typedef struct store_run_spec {
        const char *uuid;          /* 36-char lowercase UUID, required */
        const char *custom_run_id; /* NULL: none; else 1-128 bytes, see below */
        const char *name;          /* NULL: "" */
        const char *owner;         /* sys/owner, required */
        const char *description;   /* NULL: "" */
        const char *const *tags;   /* sorted bytewise, no duplicates (nrd_store_tags_normalize) */
        size_t ntags;              /* at most STORE_TAGS_MAX */
} store_run_spec;

/* Limits of run metadata (documented in docs/internals/store.md and
 * include/nereid.h): a tag is 1-128 bytes of valid UTF-8 with no control
 * character (C0, DEL, C1), no ',' (the text form of sys/tags joins them
 * with ','), and no leading or trailing space; a run has at most 100
 * distinct tags. custom_run_id: 1-128 bytes of valid UTF-8, no control
 * character. description: at most 16384 bytes, any byte but NUL. */
#define STORE_TAG_MAX         128
#define STORE_TAGS_MAX        100
#define STORE_CUSTOM_ID_MAX   128
#define STORE_DESCRIPTION_MAX 16384

/* 0 when s is a canonical lowercase UUID (8-4-4-4-12 hex digits). */
int nrd_store_uuid_check(const char *s);
/* A fresh random version-4 UUID (OpenSSL RAND_bytes), lowercase. */
int nrd_store_uuid_make(char out[40]);
/* EINVALID, naming what failed, unless tag follows the grammar above. */
int nrd_store_tag_check(const char *tag);
/* Check every part of a spec; EINVALID naming the part otherwise. */
int nrd_store_run_spec_check(const store_run_spec *spec);
/* Check tags, and sort them bytewise without duplicates into *out (an
 * array of borrowed pointers the caller frees with free()). */
int nrd_store_tags_normalize(const char *const *tags, size_t ntags, const char ***out,
                             size_t *count);
/* Tags as a backend stores them: joined by '\n' (the spec was checked, so
 * none holds one); a new string, NULL when out of memory. */
char *nrd_store_tags_join(const store_run_spec *spec);
/* The stored form split back into info->tags (copies); none for NULL or "". */
int nrd_store_tags_split(const char *text, store_run_info *info);

/* Token roles (apiv1.md): read < write < admin. */
enum store_role {
        STORE_ROLE_READ = 1,
        STORE_ROLE_WRITE = 2,
        STORE_ROLE_ADMIN = 3,
};

/* A server's API token, as the store keeps it: never the secret. */
typedef struct store_token {
        uint64_t id;                       /* the store's, from 1; 0 before token_create */
        char *name;                        /* a label, any byte but NUL, at most 256; "" none */
        char *project;                     /* "workspace/project", or "*" for every project */
        int role;                          /* enum store_role */
        char hash[NEREID_HASH_HEXLEN + 1]; /* SHA-256 hex of the whole token string */
        char created[32];                  /* ISO 8601 UTC, set by token_create */
        char expires[32];                  /* ISO 8601 UTC, "" for never */
        char last_used[32];                /* ISO 8601 UTC, "" for never */
        int revoked;                       /* 1 once revoked */
} store_token;

void nrd_store_token_clear(store_token *token);
/* "read", "write", "admin"; NULL for another value. */
const char *nrd_store_role_name(int role);
/* The role named, or EINVALID. */
int nrd_store_role_parse(const char *name, int *role);
/* token is borrowed for the call. */
typedef int (*store_token_cb)(void *payload, const store_token *token);

/* Keys of meta_get/meta_set: 1-64 bytes of [a-z0-9_.-]; values up to 4096 bytes. */
#define STORE_META_KEY_MAX   64
#define STORE_META_VALUE_MAX 4096

/* What run_query sorts by: one of the sys/ columns. The run number breaks
 * ties, so every order is total and a keyset cursor is exact. */
enum store_run_sort {
        STORE_SORT_ID = 0, /* sys/id, by run number */
        STORE_SORT_NAME = 1,
        STORE_SORT_OWNER = 2,
        STORE_SORT_CREATION_TIME = 3,
        STORE_SORT_MODIFICATION_TIME = 4,
};
#define STORE_QUERY_FILTER_MAX 256 /* bytes of a run_query filter */

/* A page of the table view. Strings are borrowed for the call. */
typedef struct store_run_query {
        int sort;           /* enum store_run_sort */
        int descending;     /* 1: largest first */
        const char *filter; /* NULL or "": every run; else runs whose ID, name, owner,
                               custom_run_id or a tag contains it (ASCII case-insensitive,
                               no wildcard: '%' and '_' are literal) */
        /* Keyset cursor: the sort value and run number of the last run of
         * the previous page (after_key NULL: the first page). For
         * STORE_SORT_ID after_key is ignored and after_number alone is used
         * when has_after is set. */
        int has_after;
        const char *after_key;
        uint64_t after_number;
        size_t limit; /* 1..1000 */
} store_run_query;

/* One artifact field of a run in the table view. */
typedef struct store_field_summary {
        const char *field;
        const char *hash;
        const char *content_hash;
        uint64_t file_count;
        uint64_t total_size; /* sum of the records' sizes (records without a size count 0) */
} store_field_summary;

/* A row of run_query: info, its run number (for the cursor) and its fields,
 * all borrowed for the call. */
typedef int (*store_run_row_cb)(void *payload, const store_run_info *info, uint64_t number,
                                const store_field_summary *fields, size_t nfields);
/* EINVALID naming the part unless q is a valid query. */
int nrd_store_run_query_check(const store_run_query *q);

/* A place a field was tracked from, remembered for `status`. */
typedef struct store_root {
        char *location;    /* the path as resolved (file:///... or s3://...) */
        char *destination; /* "" for none */
} store_root;

typedef int (*store_file_cb)(void *payload, const struct nereid_file *file);
/* The records of artifact_put_stream, pulled one at a time: 1 with *file
 * set (borrowed until the next call), 0 after the last, or a negative code
 * with the message set. */
typedef int (*store_file_next)(void *payload, const struct nereid_file **file);
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
/* nrd_store_op_apply's answer when the operation was applied before. */
#define STORE_APPLIED 2

/* Capability flags of a backend (store_ops.caps). */
#define STORE_CAP_LOCAL 0x1 /* lives on this machine: no network, no token */
/* A client of nereid-server's HTTP API (docs/api/http.md): tokens and
 * settings are the server's (every token and meta op is refused with
 * NEREID_ERROR), names travel as JSON strings (a name, path or location that
 * is not valid UTF-8 is refused with NEREID_EINVALID, nothing sent), sys/owner
 * is the token's name, and a run's uuid is the server's ("" from a server too old
 * to send it). */
#define STORE_CAP_API 0x2

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

        /* Version 3's: allocate the next run ID atomically and create the
         * run. Not called since version 4 (run_new does it); may be NULL. */
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

        /* --- version 4 --- */

        /* Create a run, atomically, unless the project has one already with
         * spec->uuid (a retried create) or, when spec->custom_run_id is set,
         * with that custom_run_id (Neptune's resume): then that run's ID is
         * written and nothing is created or changed. The uuid is looked up
         * first, so a retry finds its own run. *created is 1 for a new run,
         * 0 for an existing one. Concurrent creators with one uuid (or one
         * custom_run_id) get one run: unique indexes and the transaction.
         * ENOTFOUND when the project does not exist. */
        int (*run_new)(nereid_store *store, const char *project, const store_run_spec *spec,
                       char id_out[32], int *created);
        /* Records of an artifact sorted by file_path (bytewise), those after
         * the file_path after (NULL: from the first), at most limit (0: all),
         * in one keyset query on the (artifact, file_path) index. A callback
         * returning non-zero stops the walk and that value is returned.
         * ENOTFOUND when the project has no such artifact. */
        int (*artifact_page)(nereid_store *store, const char *project, const char *hash,
                             const char *after, size_t limit, store_file_cb cb, void *payload);

        /* Tokens (the server's; a backend may refuse them with NEREID_ERROR
         * and a clear message). token_create stores name, project, role,
         * hash and expires of token (created is set to now, last_used "",
         * revoked 0) and writes its new ID to *id_out; EEXISTS when a token
         * with this hash exists. */
        int (*token_create)(nereid_store *store, const store_token *token, uint64_t *id_out);
        /* The token with this SHA-256 hex, revoked or expired ones included
         * (the caller decides); ENOTFOUND when none. Caller clears *out
         * with nrd_store_token_clear. */
        int (*token_find_by_hash)(nereid_store *store, const char *hash, store_token *out);
        /* Every token by ID, revoked ones included. */
        int (*token_each)(nereid_store *store, store_token_cb cb, void *payload);
        /* Mark a token revoked (again: no change, 0); ENOTFOUND for no such ID. */
        int (*token_revoke)(nereid_store *store, uint64_t id);
        /* Set a token's last_used to when (ISO 8601 UTC; NULL: now);
         * ENOTFOUND for no such ID. */
        int (*token_touch)(nereid_store *store, uint64_t id, const char *when);
        /* A small key/value of the store (the server's last URL). meta_get
         * gives a copy the caller frees; ENOTFOUND when the key is unset. */
        int (*meta_get)(nereid_store *store, const char *key, char **value_out);
        int (*meta_set)(nereid_store *store, const char *key, const char *value);

        /* --- version 5: the table view, streamed uploads, queued delivery --- */

        /* The table view's page of runs (see store_run_query): sorted,
         * filtered, after a keyset cursor, at most q->limit of them, each
         * with its artifact fields summarised (sorted by path). One query
         * for the runs and one per run for its fields: never a walk of a
         * whole artifact. A callback returning non-zero stops the walk and
         * that value is returned. ENOTFOUND when the project does not exist.
         * May be NULL (the wrapper says the store cannot do it). */
        int (*run_query)(nereid_store *store, const char *project, const store_run_query *q,
                         store_run_row_cb cb, void *payload);
        /* artifact_put for an artifact too large to hold: the records come
         * one at a time from next (store_file_next), sorted by file_path,
         * and are written in one transaction as they come. When next has
         * returned 0 the records are complete and checked and content (a
         * buffer of the caller) holds their content hash; a backend reads it
         * only then. A negative code from next, or any failure, stores
         * nothing. Idempotent: when the project has the artifact already,
         * the records are still read to their end (so they are checked) and
         * nothing is written. Always called through
         * nrd_store_artifact_put_stream, which checks each record, their
         * order and the hash. */
        int (*artifact_put_stream)(nereid_store *store, const char *project, const char *hash,
                                   const char *content, store_file_next next, void *payload);
        /* --- appended: idempotent delivery of queued operations (SPEC
         * section 9, docs/internals/queue.md) --- */

        /* Apply one operation of a client's queue once. When the store has
         * recorded (queue, seq) already, change nothing and return
         * STORE_APPLIED. Otherwise, in one transaction: with hash set, what
         * field_swap does (STORE_CONFLICT likewise, recording nothing);
         * with hash NULL, what field_remove does, removing nothing being no
         * error here (the queue checked the field when the operation was
         * queued); then record (queue, seq). queue is a 36-char lowercase
         * UUID (checked by store.c), seq from 1. ENOTFOUND when the run, or
         * the artifact in the project, does not exist. */
        int (*op_apply)(nereid_store *store, const char *project, const char *run_id,
                        const char *queue, uint64_t seq, const char *field, const char *expect,
                        const char *hash, const store_root *roots, size_t nroots,
                        enum store_roots how);
        /* --- appended (version 6): a queued upload's text sent as it is --- */

        /* artifact_put given the records as text: SPEC section 2's JSON
         * array, sorted by file_path (the bytes a queue kept, the upload's
         * body as it is), with the hashes the caller computed from them.
         * The store behind it checks every record and computes the hash
         * again: EINTEGRITY, nothing stored, when they differ. Idempotent
         * like artifact_put. May be NULL (the caller then decodes the text
         * and calls artifact_put). */
        int (*artifact_put_text)(nereid_store *store, const char *project, const char *hash,
                                 const char *content, const char *text, size_t len);
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

/* Version 4: run_new with the spec checked (EINVALID naming the part);
 * nrd_store_run_create above now calls it with a fresh UUID. */
int nrd_store_run_new(nereid_store *store, const char *project, const store_run_spec *spec,
                      char id_out[32], int *created);
int nrd_store_artifact_page(nereid_store *store, const char *project, const char *hash,
                            const char *after, size_t limit, store_file_cb cb, void *payload);
/* token->name (at most 256 bytes), project ("*" or a "workspace/project"
 * name), role, hash (64 lowercase hex) and expires ("" or ISO 8601 UTC)
 * are checked here (EINVALID). */
int nrd_store_token_create(nereid_store *store, const store_token *token, uint64_t *id_out);
int nrd_store_token_find_by_hash(nereid_store *store, const char *hash, store_token *out);
int nrd_store_token_each(nereid_store *store, store_token_cb cb, void *payload);
int nrd_store_token_revoke(nereid_store *store, uint64_t id);
int nrd_store_token_touch(nereid_store *store, uint64_t id, const char *when);
/* key and value are checked here (EINVALID): see STORE_META_*. */
int nrd_store_meta_get(nereid_store *store, const char *key, char **value_out);
int nrd_store_meta_set(nereid_store *store, const char *key, const char *value);

/* q checked here (EINVALID); NEREID_ERROR when the backend cannot. */
int nrd_store_run_query(nereid_store *store, const char *project, const store_run_query *q,
                        store_run_row_cb cb, void *payload);
/* artifact_put_stream with the records checked on the way (nrd_file_check,
 * messages "<label>: record N"), their order (strictly increasing file_path,
 * bytewise: EINVALID naming the record out of order or twice) and both
 * hashes computed as they pass: NEREID_EINTEGRITY, nothing stored, when the
 * artifact hash is not hash. content_out (may be NULL) receives the content
 * hash and *count (may be NULL) the number of records. */
int nrd_store_artifact_put_stream(nereid_store *store, const char *project, const char *hash,
                                  const char *label, store_file_next next, void *payload,
                                  char content_out[NEREID_HASH_HEXLEN + 1], uint64_t *count);
/* Appended op: queue and seq checked here (EINVALID); see store_ops. */
int nrd_store_op_apply(nereid_store *store, const char *project, const char *run_id,
                       const char *queue, uint64_t seq, const char *field, const char *expect,
                       const char *hash, const store_root *roots, size_t nroots,
                       enum store_roots how);

/* Appended op: 1 when the store takes an artifact as text. */
int nrd_store_has_put_text(const nereid_store *store);
int nrd_store_artifact_put_text(nereid_store *store, const char *project, const char *hash,
                                const char *content, const char *text, size_t len);

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
