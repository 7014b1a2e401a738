/*
 * store_debug.c - debug mode for any backend: everything is computed and
 * nothing is stored. A debug store is an overlay: the real store, opened in
 * read-only mode (so nothing in it is ever created, migrated or written),
 * and an empty SQLite store in memory that takes the writes. A project is
 * read from the real store until the first write to it; that write first
 * copies the project (its key, its runs with their sys/ values, its fields
 * with their roots, and the artifacts they hold) through the seam into
 * memory, and from then on the project is read and written there. The
 * artifacts are not copied: memory holds their hashes (stubs) and their
 * records are read from the real store, where an artifact never changes.
 * So it works the same over the embedded store, a server or PostgreSQL,
 * holds no lock on the real store, and closing it drops every write. Reads
 * go through to the real store at the time they are made (no snapshot).
 * Not for read-only mode (store.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../buf.h"
#include "../error.h"
#include "store.h"

/* An artifact of a copied project whose records are the real store's. */
typedef struct debug_stub {
        char *project;
        char hash[NEREID_HASH_HEXLEN + 1];
} debug_stub;

typedef struct debug_store {
        nereid_store base;
        nereid_store *real; /* read-only */
        nereid_store *mem;  /* the writes */
        char **copied;      /* projects that now live in mem */
        size_t ncopied, cap;
        debug_stub *stubs; /* sorted by project, hash */
        size_t nstubs, stubs_cap;
} debug_store;

static int debug_stub_cmp(const void *a, const void *b)
{
        const debug_stub *x = a, *y = b;
        int c = strcmp(x->project, y->project);

        return c ? c : strcmp(x->hash, y->hash);
}

static int debug_is_stub(const debug_store *d, const char *project, const char *hash)
{
        debug_stub key;

        if (!d->nstubs || strlen(hash) != NEREID_HASH_HEXLEN)
                return 0;
        key.project = (char *)project;
        memcpy(key.hash, hash, sizeof(key.hash));
        return bsearch(&key, d->stubs, d->nstubs, sizeof(*d->stubs), debug_stub_cmp) != NULL;
}

/* Remember a stub; the array is sorted again once the project is copied. */
static int debug_add_stub(debug_store *d, const char *project, const char *hash)
{
        if (d->nstubs == d->stubs_cap) {
                size_t cap = d->stubs_cap ? d->stubs_cap * 2 : 16;
                debug_stub *grown = nrd_realloc_array(d->stubs, cap, sizeof(*grown));

                if (!grown)
                        return nrd_error_oom();
                d->stubs = grown;
                d->stubs_cap = cap;
        }
        if (!(d->stubs[d->nstubs].project = nrd_strdup(project)))
                return NEREID_ERROR;
        snprintf(d->stubs[d->nstubs].hash, sizeof(d->stubs[0].hash), "%s", hash);
        d->nstubs++;
        return 0;
}

static int debug_is_copied(const debug_store *d, const char *project)
{
        size_t i;

        for (i = 0; i < d->ncopied; i++)
                if (strcmp(d->copied[i], project) == 0)
                        return 1;
        return 0;
}

static int debug_mark_copied(debug_store *d, const char *project)
{
        if (d->ncopied == d->cap) {
                size_t cap = d->cap ? d->cap * 2 : 4;
                char **grown = nrd_realloc_array(d->copied, cap, sizeof(*grown));

                if (!grown)
                        return nrd_error_oom();
                d->copied = grown;
                d->cap = cap;
        }
        if (!(d->copied[d->ncopied] = nrd_strdup(project)))
                return NEREID_ERROR;
        d->ncopied++;
        return 0;
}

/* The store that answers reads of project. */
static nereid_store *debug_reader(nereid_store *base, const char *project)
{
        debug_store *d = (debug_store *)base;

        return debug_is_copied(d, project) ? d->mem : d->real;
}

/* --- copying a project into memory -------------------------------------------------------- */

typedef struct debug_copy {
        debug_store *d;
        const char *project;
        store_run_info *runs;
        size_t nruns, cap;
        const char *run_id;
        int rc;
} debug_copy;

static int debug_collect_run(void *payload, const store_run_info *info)
{
        debug_copy *c = payload;
        store_run_info *item;

        if (c->nruns == c->cap) {
                size_t cap = c->cap ? c->cap * 2 : 16;
                store_run_info *grown = nrd_realloc_array(c->runs, cap, sizeof(*grown));

                if (!grown)
                        return nrd_error_oom();
                c->runs = grown;
                c->cap = cap;
        }
        item = &c->runs[c->nruns];
        if (nrd_store_run_info_copy(item, info) < 0)
                return NEREID_ERROR;
        c->nruns++;
        return 0;
}

/* Point the field at its artifact in memory, a stub made for it when
 * memory has no artifact with that hash yet, with its roots. */
static int debug_copy_field(void *payload, const char *field, const char *hash)
{
        static const nereid_files no_records = {NULL, 0, 0};
        debug_copy *c = payload;
        debug_store *d = c->d;
        char content[NEREID_HASH_HEXLEN + 1];
        store_root *roots = NULL;
        size_t nroots = 0;
        int rc;

        rc = d->mem->ops->artifact_content_hash(d->mem, c->project, hash, content);
        if (rc == NEREID_ENOTFOUND &&
            (rc = d->real->ops->artifact_content_hash(d->real, c->project, hash, content)) == 0 &&
            (rc = d->mem->ops->artifact_put(d->mem, c->project, hash, content, &no_records)) == 0)
                rc = debug_add_stub(d, c->project, hash);
        if (rc == 0)
                rc = d->real->ops->field_roots(d->real, c->project, c->run_id, field, &roots,
                                               &nroots);
        if (rc == 0)
                rc = d->mem->ops->field_swap(d->mem, c->project, c->run_id, field, NULL, hash,
                                             roots, nroots, STORE_ROOTS_SET);
        nrd_store_roots_free(roots, nroots);
        return rc;
}

/* Before the first write to project: copy it into memory. */
static int debug_copy_project(debug_store *d, const char *project)
{
        debug_copy c;
        char key[16];
        size_t i;
        int rc;

        if (debug_is_copied(d, project))
                return 0;
        memset(&c, 0, sizeof(c));
        c.d = d;
        c.project = project;
        rc = d->real->ops->project_open(d->real, project, NULL, 0, key);
        if (rc == NEREID_ENOTFOUND)
                return debug_mark_copied(d, project); /* made in memory, if at all */
        if (rc < 0)
                return rc;
        if ((rc = d->mem->ops->project_open(d->mem, project, key, 1, key)) < 0 ||
            (rc = d->real->ops->run_each(d->real, project, 0, 0, debug_collect_run, &c)) < 0)
                goto cleanup;
        for (i = 0; i < c.nruns && rc == 0; i++)
                rc = nrd_store_sqlite_run_restore(d->mem, project, &c.runs[i]);
        for (i = 0; i < c.nruns && rc == 0; i++) {
                c.run_id = c.runs[i].id;
                rc = d->real->ops->field_each(d->real, project, c.run_id, debug_copy_field, &c);
                /* Copying the fields set the modification time: put it back. */
                if (rc == 0)
                        rc = nrd_store_sqlite_run_restore(d->mem, project, &c.runs[i]);
        }
        if (rc == 0)
                rc = debug_mark_copied(d, project);
        if (d->nstubs)
                qsort(d->stubs, d->nstubs, sizeof(*d->stubs), debug_stub_cmp);
cleanup:
        for (i = 0; i < c.nruns; i++)
                nrd_store_run_info_clear(&c.runs[i]);
        free(c.runs);
        return rc;
}

/* The store that takes a write to project: mem, with the project copied. */
static int debug_writer(nereid_store *base, const char *project, nereid_store **out)
{
        debug_store *d = (debug_store *)base;
        int rc = debug_copy_project(d, project);

        *out = d->mem;
        return rc;
}

/* --- the table ------------------------------------------------------------------------------ */

static void debug_close(nereid_store *base)
{
        debug_store *d = (debug_store *)base;
        size_t i;

        if (!d)
                return;
        if (d->real)
                d->real->ops->close(d->real);
        if (d->mem)
                d->mem->ops->close(d->mem);
        for (i = 0; i < d->ncopied; i++)
                free(d->copied[i]);
        free(d->copied);
        for (i = 0; i < d->nstubs; i++)
                free(d->stubs[i].project);
        free(d->stubs);
        free(d);
}

static int debug_can_write(nereid_store *base)
{
        (void)base;
        return 0; /* every write goes to memory */
}

static int debug_project_open(nereid_store *base, const char *project, const char *key, int create,
                              char key_out[16])
{
        nereid_store *w;
        int rc;

        if (!create)
                return debug_reader(base, project)
                    ->ops->project_open(debug_reader(base, project), project, key, 0, key_out);
        if ((rc = debug_writer(base, project, &w)) < 0)
                return rc;
        return w->ops->project_open(w, project, key, 1, key_out);
}

/* Projects of both stores, by name; a copied project is mem's. */
typedef struct debug_project_row {
        char *name;
        char key[16];
        uint64_t runs;
} debug_project_row;

typedef struct debug_project_list {
        debug_project_row *rows;
        size_t count, cap;
} debug_project_list;

static int debug_collect_project(void *payload, const char *name, const char *key, uint64_t runs)
{
        debug_project_list *list = payload;

        if (list->count == list->cap) {
                size_t cap = list->cap ? list->cap * 2 : 8;
                debug_project_row *grown = nrd_realloc_array(list->rows, cap, sizeof(*grown));

                if (!grown)
                        return nrd_error_oom();
                list->rows = grown;
                list->cap = cap;
        }
        list->rows[list->count].name = nrd_strdup(name);
        snprintf(list->rows[list->count].key, 16, "%s", key);
        list->rows[list->count].runs = runs;
        return list->rows[list->count++].name ? 0 : NEREID_ERROR;
}

static void debug_project_list_clear(debug_project_list *list)
{
        size_t i;

        for (i = 0; i < list->count; i++)
                free(list->rows[i].name);
        free(list->rows);
}

static int debug_project_each(nereid_store *base, store_project_cb cb, void *payload)
{
        debug_store *d = (debug_store *)base;
        debug_project_list real = {0}, mem = {0};
        size_t i = 0, j = 0;
        int rc;

        if ((rc = d->real->ops->project_each(d->real, debug_collect_project, &real)) < 0 ||
            (rc = d->mem->ops->project_each(d->mem, debug_collect_project, &mem)) < 0)
                goto cleanup;
        /* Both sorted by name (bytewise): merge. */
        while (rc == 0 && (i < real.count || j < mem.count)) {
                int order = i == real.count  ? 1
                            : j == mem.count ? -1
                                             : strcmp(real.rows[i].name, mem.rows[j].name);
                const debug_project_row *row;

                if (order < 0 && debug_is_copied(d, real.rows[i].name)) {
                        i++; /* copied, then gone: cannot happen, but mem is the truth */
                        continue;
                }
                row = order < 0 ? &real.rows[i] : &mem.rows[j];
                rc = cb(payload, row->name, row->key, row->runs);
                if (order <= 0)
                        i++;
                if (order >= 0)
                        j++;
        }
cleanup:
        debug_project_list_clear(&real);
        debug_project_list_clear(&mem);
        return rc;
}

static int debug_run_new(nereid_store *base, const char *project, const store_run_spec *spec,
                         char id_out[32], int *created)
{
        nereid_store *w;
        int rc = debug_writer(base, project, &w);

        *created = 0;
        return rc < 0 ? rc : w->ops->run_new(w, project, spec, id_out, created);
}

static int debug_run_info(nereid_store *base, const char *project, const char *run_id,
                          store_run_info *info)
{
        nereid_store *r = debug_reader(base, project);

        return r->ops->run_info(r, project, run_id, info);
}

static int debug_run_each(nereid_store *base, const char *project, uint64_t after, size_t limit,
                          store_run_cb cb, void *payload)
{
        nereid_store *r = debug_reader(base, project);

        return r->ops->run_each(r, project, after, limit, cb, payload);
}

static int debug_field_each(nereid_store *base, const char *project, const char *run_id,
                            store_field_cb cb, void *payload)
{
        nereid_store *r = debug_reader(base, project);

        return r->ops->field_each(r, project, run_id, cb, payload);
}

static int debug_field_get(nereid_store *base, const char *project, const char *run_id,
                           const char *field, char hash_out[NEREID_HASH_HEXLEN + 1])
{
        nereid_store *r = debug_reader(base, project);

        return r->ops->field_get(r, project, run_id, field, hash_out);
}

static int debug_field_roots(nereid_store *base, const char *project, const char *run_id,
                             const char *field, store_root **out, size_t *count)
{
        nereid_store *r = debug_reader(base, project);

        return r->ops->field_roots(r, project, run_id, field, out, count);
}

static int debug_field_swap(nereid_store *base, const char *project, const char *run_id,
                            const char *field, const char *expect, const char *hash,
                            const store_root *roots, size_t nroots, enum store_roots how)
{
        nereid_store *w;
        int rc = debug_writer(base, project, &w);

        return rc < 0 ? rc
                      : w->ops->field_swap(w, project, run_id, field, expect, hash, roots, nroots,
                                           how);
}

static int debug_field_remove(nereid_store *base, const char *project, const char *run_id,
                              const char *field)
{
        nereid_store *w;
        int rc = debug_writer(base, project, &w);

        return rc < 0 ? rc : w->ops->field_remove(w, project, run_id, field);
}

static int debug_op_apply(nereid_store *base, const char *project, const char *run_id,
                          const char *queue, uint64_t seq, const char *field, const char *expect,
                          const char *hash, const store_root *roots, size_t nroots,
                          enum store_roots how)
{
        nereid_store *w;
        int rc = debug_writer(base, project, &w);

        return rc < 0 ? rc
                      : w->ops->op_apply(w, project, run_id, queue, seq, field, expect, hash, roots,
                                         nroots, how);
}

static int debug_artifact_put(nereid_store *base, const char *project, const char *hash,
                              const char *content, const nereid_files *files)
{
        nereid_store *w;
        int rc = debug_writer(base, project, &w);

        return rc < 0 ? rc : w->ops->artifact_put(w, project, hash, content, files);
}

static int debug_artifact_put_stream(nereid_store *base, const char *project, const char *hash,
                                     const char *content, store_file_next next, void *payload)
{
        nereid_store *w;
        int rc = debug_writer(base, project, &w);

        return rc < 0 ? rc : w->ops->artifact_put_stream(w, project, hash, content, next, payload);
}

static int debug_artifact_content_hash(nereid_store *base, const char *project, const char *hash,
                                       char content_out[NEREID_HASH_HEXLEN + 1])
{
        nereid_store *r = debug_reader(base, project);

        return r->ops->artifact_content_hash(r, project, hash, content_out);
}

static int debug_artifact_each(nereid_store *base, const char *project, const char *hash,
                               store_file_cb cb, void *payload)
{
        debug_store *d = (debug_store *)base;
        nereid_store *r = debug_reader(base, project);

        if (debug_is_stub(d, project, hash))
                r = d->real;
        return r->ops->artifact_each(r, project, hash, cb, payload);
}

static int debug_artifact_page(nereid_store *base, const char *project, const char *hash,
                               const char *after, size_t limit, store_file_cb cb, void *payload)
{
        debug_store *d = (debug_store *)base;
        nereid_store *r = debug_reader(base, project);

        if (debug_is_stub(d, project, hash))
                r = d->real;
        return r->ops->artifact_page(r, project, hash, after, limit, cb, payload);
}

static int debug_run_query(nereid_store *base, const char *project, const store_run_query *q,
                           store_run_row_cb cb, void *payload)
{
        nereid_store *r = debug_reader(base, project);

        if (!r->ops->run_query)
                return nrd_error(NEREID_ERROR, "store %s: the %s store cannot query runs",
                                 r->location, r->ops->name);
        return r->ops->run_query(r, project, q, cb, payload);
}

/* Tokens are the server's: debug mode reads the real store's and writes none. */
static int debug_no_tokens(void)
{
        return nrd_error(NEREID_ERROR, "debug mode: tokens are not created or changed");
}

static int debug_token_create(nereid_store *base, const store_token *token, uint64_t *id_out)
{
        (void)base;
        (void)token;
        *id_out = 0;
        return debug_no_tokens();
}

static int debug_token_find_by_hash(nereid_store *base, const char *hash, store_token *out)
{
        debug_store *d = (debug_store *)base;

        return d->real->ops->token_find_by_hash(d->real, hash, out);
}

static int debug_token_each(nereid_store *base, store_token_cb cb, void *payload)
{
        debug_store *d = (debug_store *)base;

        return d->real->ops->token_each(d->real, cb, payload);
}

static int debug_token_revoke(nereid_store *base, uint64_t id)
{
        (void)base;
        (void)id;
        return debug_no_tokens();
}

static int debug_token_touch(nereid_store *base, uint64_t id, const char *when)
{
        (void)base;
        (void)id;
        (void)when;
        return debug_no_tokens();
}

/* Settings written in debug mode live in memory, read before the real store's. */
static int debug_meta_get(nereid_store *base, const char *key, char **value_out)
{
        debug_store *d = (debug_store *)base;
        int rc = d->mem->ops->meta_get(d->mem, key, value_out);

        if (rc != NEREID_ENOTFOUND)
                return rc;
        nrd_error_clear();
        return d->real->ops->meta_get(d->real, key, value_out);
}

static int debug_meta_set(nereid_store *base, const char *key, const char *value)
{
        debug_store *d = (debug_store *)base;

        return d->mem->ops->meta_set(d->mem, key, value);
}

static int debug_field_users(nereid_store *base, const char *project, const char *hash,
                             store_ref_cb cb, void *payload)
{
        nereid_store *r = debug_reader(base, project);

        return r->ops->field_users(r, project, hash, cb, payload);
}

/* find-file in a copied project: memory's answer, and the matching records
 * of the stubs (in the real store) under the fields of memory that hold
 * them, in one order. */
typedef struct debug_ref {
        char *run, *field, *file_path;
} debug_ref;

typedef struct debug_refs {
        debug_ref *items;
        size_t count, cap;
        const char *file_hash;
        nereid_files *paths; /* a stub's matching records */
        const nereid_files *current;
} debug_refs;

static int debug_push_ref(void *payload, const char *run, const char *field, const char *file_path)
{
        debug_refs *refs = payload;
        debug_ref *item;

        if (refs->count == refs->cap) {
                size_t cap = refs->cap ? refs->cap * 2 : 16;
                debug_ref *grown = nrd_realloc_array(refs->items, cap, sizeof(*grown));

                if (!grown)
                        return nrd_error_oom();
                refs->items = grown;
                refs->cap = cap;
        }
        item = &refs->items[refs->count++];
        item->run = nrd_strdup(run);
        item->field = nrd_strdup(field);
        item->file_path = nrd_strdup(file_path ? file_path : "");
        return item->run && item->field && item->file_path ? 0 : NEREID_ERROR;
}

static int debug_match_record(void *payload, const struct nereid_file *file)
{
        debug_refs *refs = payload;

        if (strcmp(file->file_hash, refs->file_hash) != 0)
                return 0;
        return nrd_files_push_copy(refs->paths, file);
}

/* Every record of the current stub that matched, under this field. */
static int debug_push_stub_refs(void *payload, const char *run, const char *field,
                                const char *file_path)
{
        debug_refs *refs = payload;
        size_t i;
        int rc = 0;

        (void)file_path;
        for (i = 0; i < refs->current->count && rc == 0; i++)
                rc = debug_push_ref(refs, run, field, refs->current->items[i].file_path);
        return rc;
}

static unsigned long long debug_run_number(const char *run)
{
        const char *dash = strrchr(run, '-');

        return dash ? strtoull(dash + 1, NULL, 10) : 0;
}

static int debug_ref_cmp(const void *a, const void *b)
{
        const debug_ref *x = a, *y = b;
        unsigned long long nx = debug_run_number(x->run), ny = debug_run_number(y->run);
        int c;

        if (nx != ny)
                return nx < ny ? -1 : 1;
        if ((c = strcmp(x->field, y->field)) != 0)
                return c;
        return strcmp(x->file_path, y->file_path);
}

static int debug_file_find(nereid_store *base, const char *project, const char *file_hash,
                           store_ref_cb cb, void *payload)
{
        debug_store *d = (debug_store *)base;
        debug_refs refs;
        size_t i;
        int rc;

        if (!debug_is_copied(d, project))
                return d->real->ops->file_find(d->real, project, file_hash, cb, payload);
        memset(&refs, 0, sizeof(refs));
        refs.file_hash = file_hash;
        rc = d->mem->ops->file_find(d->mem, project, file_hash, debug_push_ref, &refs);
        for (i = 0; i < d->nstubs && rc == 0; i++) {
                if (strcmp(d->stubs[i].project, project) != 0)
                        continue;
                if (!(refs.paths = nrd_files_new())) {
                        rc = NEREID_ERROR;
                        break;
                }
                rc = d->real->ops->artifact_each(d->real, project, d->stubs[i].hash,
                                                 debug_match_record, &refs);
                refs.current = refs.paths;
                if (rc == 0 && refs.paths->count)
                        rc = d->mem->ops->field_users(d->mem, project, d->stubs[i].hash,
                                                      debug_push_stub_refs, &refs);
                nereid_files_free(refs.paths);
                refs.paths = NULL;
        }
        if (rc == 0)
                qsort(refs.items, refs.count, sizeof(*refs.items), debug_ref_cmp);
        for (i = 0; i < refs.count && rc == 0; i++)
                rc = cb(payload, refs.items[i].run, refs.items[i].field, refs.items[i].file_path);
        for (i = 0; i < refs.count; i++) {
                free(refs.items[i].run);
                free(refs.items[i].field);
                free(refs.items[i].file_path);
        }
        free(refs.items);
        return rc;
}

static const char *const debug_schemes[] = {NULL};

/* Not in the registry: nrd_store_open makes one for debug mode. */
const store_ops nrd_store_debug_ops = {
    .version = NEREID_STORE_VERSION,
    .name = "debug",
    .schemes = debug_schemes,
    .caps = 0,
    .open = NULL,
    .close = debug_close,
    .can_write = debug_can_write,
    .project_open = debug_project_open,
    .project_each = debug_project_each,
    .run_create = NULL, /* version 3's: run_new does it */
    .run_info = debug_run_info,
    .run_each = debug_run_each,
    .field_each = debug_field_each,
    .field_get = debug_field_get,
    .field_roots = debug_field_roots,
    .field_swap = debug_field_swap,
    .field_remove = debug_field_remove,
    .artifact_put = debug_artifact_put,
    .artifact_content_hash = debug_artifact_content_hash,
    .artifact_each = debug_artifact_each,
    .field_users = debug_field_users,
    .file_find = debug_file_find,
    .run_new = debug_run_new,
    .artifact_page = debug_artifact_page,
    .run_query = debug_run_query,
    .token_create = debug_token_create,
    .token_find_by_hash = debug_token_find_by_hash,
    .token_each = debug_token_each,
    .token_revoke = debug_token_revoke,
    .token_touch = debug_token_touch,
    .meta_get = debug_meta_get,
    .meta_set = debug_meta_set,
    .artifact_put_stream = debug_artifact_put_stream,
    .op_apply = debug_op_apply,
};

int nrd_store_debug_open(nereid_store **out, const store_ops *ops, const char *location)
{
        debug_store *d;
        int rc;

        *out = NULL;
        if (!(d = nrd_calloc(1, sizeof(*d))))
                return NEREID_ERROR;
        d->base.ops = &nrd_store_debug_ops;
        if ((rc = ops->open(&d->real, location, NEREID_MODE_READ_ONLY)) < 0)
                goto fail;
        d->real->mode = NEREID_MODE_READ_ONLY;
        if ((rc = nrd_store_sqlite_memory(&d->mem, location)) < 0)
                goto fail;
        *out = &d->base;
        return 0;
fail:
        debug_close(&d->base);
        return rc;
}
