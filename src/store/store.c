/*
 * store.c - the registry of store backends, and what every backend shares:
 * opening a store by its location's scheme, the seam's calls (store_*),
 * read-only mode (every write refused here, before any backend sees it) and
 * debug mode (store_debug.c), freeing the seam's small structs and deriving
 * a project key. Not for any backend's own work, nor for SPEC section 4's
 * policy (artifact.c).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "../buf.h"
#include "../error.h"
#include "http.h"
#include "store.h"

/* The backends of this build; a new one is a file and a row here. */
static const store_ops *const store_registry[] = {
    &nrd_store_sqlite_ops,
    &nrd_store_http_ops,
};

#define STORE_NBACKENDS (sizeof(store_registry) / sizeof(store_registry[0]))

/* Schemes SPEC section 8 names whose backends are still to come. */
static const char *const store_planned[] = {"postgres", "postgresql"};

const store_ops *nrd_store_backend(size_t i)
{
        return i < STORE_NBACKENDS ? store_registry[i] : NULL;
}

/* The length of location's scheme ("sqlite" in "sqlite:x", "https" in
 * "https://x"), or 0 for a bare folder; *url tells whether "//" follows.
 * A scheme is a letter then letters, digits, '+', '-' or '.' (RFC 3986),
 * followed by ':'. A single letter is a folder ("c:"), as is a name with ':'
 * that is no registered scheme and not followed by "//" ("http:x"). */
static size_t store_scheme_len(const char *location, int *url)
{
        size_t n = 0;

        *url = 0;
        if (!isalpha((unsigned char)location[0]))
                return 0;
        while (isalnum((unsigned char)location[n]) || (location[n] && strchr("+-.", location[n])))
                n++;
        if (location[n] != ':' || n < 2)
                return 0;
        *url = strncmp(location + n, "://", 3) == 0;
        return n;
}

static int store_scheme_is(const char *location, size_t n, const char *scheme)
{
        size_t i;

        if (strlen(scheme) != n)
                return 0;
        for (i = 0; i < n; i++)
                if (tolower((unsigned char)location[i]) != scheme[i])
                        return 0;
        return 1;
}

/* The backend serving location: by its scheme, or the first (the embedded
 * store) for a folder. */
static int store_find(const char *location, const store_ops **ops)
{
        int url;
        size_t n = store_scheme_len(location, &url), i;
        const char *const *scheme;

        *ops = store_registry[0];
        if (n == 0)
                return 0;
        for (i = 0; i < STORE_NBACKENDS; i++)
                for (scheme = store_registry[i]->schemes; *scheme; scheme++)
                        /* A network store's location is a URL: "http:x" is a folder. */
                        if (store_scheme_is(location, n, *scheme) &&
                            (url || (store_registry[i]->caps & STORE_CAP_LOCAL))) {
                                *ops = store_registry[i];
                                return 0;
                        }
        for (i = 0; url && i < sizeof(store_planned) / sizeof(store_planned[0]); i++)
                if (store_scheme_is(location, n, store_planned[i]))
                        return nrd_error(NEREID_ERROR,
                                         "store %s: no store backend for scheme \"%.*s\" in "
                                         "this build (a folder, sqlite:FOLDER or http(s)://server)",
                                         location, (int)n, location);
        if (!url)
                return 0; /* a folder whose name has a ':' */
        return nrd_error(NEREID_EINVALID,
                         "store %s: unknown kind of store (a folder, sqlite:FOLDER, "
                         "http(s)://... or postgres://...)",
                         location);
}

int nrd_store_open(nereid_store **out, const char *location, int mode)
{
        const store_ops *ops;
        nereid_store *store = NULL;
        char *copy;
        int rc;

        *out = NULL;
        if (!location || !*location)
                return nrd_error(NEREID_EINVALID, "store: no location given");
        if ((rc = store_find(location, &ops)) < 0)
                return rc;
        if (!(copy = nrd_strdup(location)))
                return NEREID_ERROR;
        if (mode == NEREID_MODE_DEBUG)
                rc = nrd_store_debug_open(&store, ops, location);
        else
                rc = ops->open(&store, location, mode);
        if (rc < 0) {
                free(copy);
                return rc;
        }
        store->mode = mode;
        store->location = copy;
        *out = store;
        return 0;
}

void nrd_store_close(nereid_store *store)
{
        char *location;

        if (!store)
                return;
        location = store->location;
        store->ops->close(store);
        free(location);
}

/* Read-only mode: every write is refused here, whatever the backend. */
static int store_write(nereid_store *store)
{
        if (store->mode == NEREID_MODE_READ_ONLY)
                return nrd_error(NEREID_EREADONLY, "store %s: read-only mode: nothing is written",
                                 store->location);
        return 0;
}

int nrd_store_can_write(nereid_store *store)
{
        int rc = store_write(store);

        return rc < 0 ? rc : store->ops->can_write(store);
}

int nrd_store_project_open(nereid_store *store, const char *project, const char *key, int create,
                           char key_out[16])
{
        int rc = create ? store_write(store) : 0;

        /* Looking a project up is a read even in read-only mode. */
        if (rc < 0) {
                rc = store->ops->project_open(store, project, key, 0, key_out);
                return rc == NEREID_ENOTFOUND ? store_write(store) : rc;
        }
        return store->ops->project_open(store, project, key, create, key_out);
}

int nrd_store_project_each(nereid_store *store, store_project_cb cb, void *payload)
{
        return store->ops->project_each(store, cb, payload);
}

int nrd_store_run_create(nereid_store *store, const char *project, const char *name,
                         const char *owner, char id_out[32])
{
        int rc = store_write(store);

        return rc < 0 ? rc : store->ops->run_create(store, project, name, owner, id_out);
}

int nrd_store_run_get(nereid_store *store, const char *project, const char *run_id,
                      store_run_info *info)
{
        return store->ops->run_info(store, project, run_id, info);
}

int nrd_store_run_each(nereid_store *store, const char *project, uint64_t after, size_t limit,
                       store_run_cb cb, void *payload)
{
        return store->ops->run_each(store, project, after, limit, cb, payload);
}

int nrd_store_field_each(nereid_store *store, const char *project, const char *run_id,
                         store_field_cb cb, void *payload)
{
        return store->ops->field_each(store, project, run_id, cb, payload);
}

int nrd_store_field_get(nereid_store *store, const char *project, const char *run_id,
                        const char *field, char hash_out[NEREID_HASH_HEXLEN + 1])
{
        return store->ops->field_get(store, project, run_id, field, hash_out);
}

int nrd_store_field_roots(nereid_store *store, const char *project, const char *run_id,
                          const char *field, store_root **out, size_t *count)
{
        return store->ops->field_roots(store, project, run_id, field, out, count);
}

int nrd_store_field_swap(nereid_store *store, const char *project, const char *run_id,
                         const char *field, const char *expect, const char *hash,
                         const store_root *roots, size_t nroots, enum store_roots how)
{
        int rc = store_write(store);

        return rc < 0 ? rc
                      : store->ops->field_swap(store, project, run_id, field, expect, hash, roots,
                                               nroots, how);
}

int nrd_store_field_remove(nereid_store *store, const char *project, const char *run_id,
                           const char *field)
{
        int rc = store_write(store);

        return rc < 0 ? rc : store->ops->field_remove(store, project, run_id, field);
}

int nrd_store_artifact_put(nereid_store *store, const char *project, const char *hash,
                           const char *content, const nereid_files *files)
{
        int rc = store_write(store);

        return rc < 0 ? rc : store->ops->artifact_put(store, project, hash, content, files);
}

int nrd_store_artifact_content_hash(nereid_store *store, const char *project, const char *hash,
                                    char content_out[NEREID_HASH_HEXLEN + 1])
{
        return store->ops->artifact_content_hash(store, project, hash, content_out);
}

int nrd_store_artifact_each(nereid_store *store, const char *project, const char *hash,
                            store_file_cb cb, void *payload)
{
        return store->ops->artifact_each(store, project, hash, cb, payload);
}

int nrd_store_field_users(nereid_store *store, const char *project, const char *hash,
                          store_ref_cb cb, void *payload)
{
        return store->ops->field_users(store, project, hash, cb, payload);
}

int nrd_store_file_find(nereid_store *store, const char *project, const char *file_hash,
                        store_ref_cb cb, void *payload)
{
        return store->ops->file_find(store, project, file_hash, cb, payload);
}

void nrd_store_run_info_clear(store_run_info *info)
{
        free(info->name);
        free(info->owner);
        memset(info, 0, sizeof(*info));
}

void nrd_store_roots_free(store_root *roots, size_t count)
{
        size_t i;

        for (i = 0; i < count; i++) {
                free(roots[i].location);
                free(roots[i].destination);
        }
        free(roots);
}

static int store_is_vowel(int c)
{
        return strchr("AEIOUY", c) != NULL;
}

void nrd_store_derive_key(const char *project, char key_out[16])
{
        const char *slash = strrchr(project, '/');
        const char *p = slash ? slash + 1 : project;
        size_t n = 0;

        /* "classification" -> C, then the next consonants L, S -> "CLS". */
        for (; *p && n < 3; p++) {
                int c = toupper((unsigned char)*p);

                if (c < 'A' || c > 'Z')
                        continue;
                if (n == 0 || !store_is_vowel(c))
                        key_out[n++] = (char)c;
        }
        while (n < 2)
                key_out[n++] = 'X';
        key_out[n] = '\0';
}
