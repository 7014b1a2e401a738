/*
 * store.c - the registry of store backends, and what every backend shares:
 * opening a store by its location's scheme, the seam's calls (store_*),
 * read-only mode (every write refused here, before any backend sees it) and
 * debug mode (store_debug.c), freeing the seam's small structs and deriving
 * a project key. Not for any backend's own work, nor for SPEC section 4's
 * policy (artifact.c).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/rand.h>
#include "../buf.h"
#include "../error.h"
#include "../fs.h"
#include "../hash.h"
#include "../record.h"
#include "../uri.h"
#include "http.h"
#include "postgres.h"
#include "store.h"

/* The backends of this build; a new one is a file and a row here. */
static const store_ops *const store_registry[] = {
    &nrd_store_sqlite_ops,
    &nrd_store_http_ops,
    &nrd_store_postgres_ops,
};

#define STORE_NBACKENDS (sizeof(store_registry) / sizeof(store_registry[0]))

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
        store_run_spec spec;
        char uuid[40];
        int created, rc;

        if ((rc = nrd_store_uuid_make(uuid)) < 0)
                return rc;
        memset(&spec, 0, sizeof(spec));
        spec.uuid = uuid;
        spec.name = name;
        spec.owner = owner;
        return nrd_store_run_new(store, project, &spec, id_out, &created);
}

int nrd_store_run_new(nereid_store *store, const char *project, const store_run_spec *spec,
                      char id_out[32], int *created)
{
        int rc = store_write(store);

        *created = 0;
        if (rc < 0 || (rc = nrd_store_run_spec_check(spec)) < 0)
                return rc;
        return store->ops->run_new(store, project, spec, id_out, created);
}

int nrd_store_artifact_page(nereid_store *store, const char *project, const char *hash,
                            const char *after, size_t limit, store_file_cb cb, void *payload)
{
        return store->ops->artifact_page(store, project, hash, after, limit, cb, payload);
}

/* A timestamp of the store: "" or SPEC's ISO 8601 UTC, as
 * nrd_fs_now_iso8601 writes it: "2026-12-03T10:50:40Z", with or without
 * ".123" (1-9 digits) before the Z. */
static int store_time_check(const char *what, const char *t)
{
        static const char shape[] = "dddd-dd-ddTdd:dd:dd";
        size_t i, frac = 0;

        if (!*t)
                return 0;
        for (i = 0; shape[i] && t[i]; i++)
                if (shape[i] == 'd' ? !isdigit((unsigned char)t[i]) : t[i] != shape[i])
                        break;
        if (shape[i])
                i = 0; /* too short, or not that shape */
        else if (t[i] == '.')
                for (i++; isdigit((unsigned char)t[i]); i++)
                        frac++;
        if (i == 0 || (t[19] == '.' && (frac < 1 || frac > 9)) || t[i] != 'Z' || t[i + 1])
                return nrd_error(NEREID_EINVALID,
                                 "%s \"%.40s\": not a UTC time like 2026-12-03T10:50:40Z", what, t);
        return 0;
}

static int store_hex64_check(const char *what, const char *hash)
{
        size_t i;

        for (i = 0; hash[i]; i++)
                if (!isdigit((unsigned char)hash[i]) && !(hash[i] >= 'a' && hash[i] <= 'f'))
                        break;
        if (i != NEREID_HASH_HEXLEN || hash[i])
                return nrd_error(NEREID_EINVALID, "%s: not 64 lowercase hex digits", what);
        return 0;
}

int nrd_store_token_create(nereid_store *store, const store_token *token, uint64_t *id_out)
{
        int rc = store_write(store);

        *id_out = 0;
        if (rc < 0)
                return rc;
        if (!token->name || strlen(token->name) > 256)
                return nrd_error(NEREID_EINVALID, "token: a name of at most 256 bytes is needed");
        if (!token->project)
                return nrd_error(NEREID_EINVALID, "token: no project (a name, or \"*\")");
        if (strcmp(token->project, "*") != 0 &&
            (rc = nrd_uri_check_project_name(token->project)) < 0)
                return rc;
        if (!nrd_store_role_name(token->role))
                return nrd_error(NEREID_EINVALID, "token: role %d: not read, write or admin",
                                 token->role);
        if ((rc = store_hex64_check("token hash", token->hash)) < 0 ||
            (rc = store_time_check("token expiry", token->expires)) < 0)
                return rc;
        return store->ops->token_create(store, token, id_out);
}

int nrd_store_token_find_by_hash(nereid_store *store, const char *hash, store_token *out)
{
        int rc;

        memset(out, 0, sizeof(*out));
        if ((rc = store_hex64_check("token hash", hash)) < 0)
                return rc;
        return store->ops->token_find_by_hash(store, hash, out);
}

int nrd_store_token_each(nereid_store *store, store_token_cb cb, void *payload)
{
        return store->ops->token_each(store, cb, payload);
}

int nrd_store_token_revoke(nereid_store *store, uint64_t id)
{
        int rc = store_write(store);

        return rc < 0 ? rc : store->ops->token_revoke(store, id);
}

int nrd_store_token_touch(nereid_store *store, uint64_t id, const char *when)
{
        int rc = store_write(store);

        if (rc == 0 && when)
                rc = store_time_check("token last use", when);
        return rc < 0 ? rc : store->ops->token_touch(store, id, when);
}

static int store_meta_key_check(const char *key)
{
        size_t n = strlen(key), i;

        for (i = 0; i < n; i++)
                if (!islower((unsigned char)key[i]) && !isdigit((unsigned char)key[i]) &&
                    !strchr("_.-", key[i]))
                        break;
        if (n == 0 || n > STORE_META_KEY_MAX || i != n)
                return nrd_error(NEREID_EINVALID,
                                 "store setting \"%.80s\": not 1-64 of a-z, 0-9, '_', '.', '-'",
                                 key);
        return 0;
}

int nrd_store_meta_get(nereid_store *store, const char *key, char **value_out)
{
        int rc;

        *value_out = NULL;
        if ((rc = store_meta_key_check(key)) < 0)
                return rc;
        return store->ops->meta_get(store, key, value_out);
}

int nrd_store_meta_set(nereid_store *store, const char *key, const char *value)
{
        int rc = store_write(store);

        if (rc == 0)
                rc = store_meta_key_check(key);
        if (rc == 0 && strlen(value) > STORE_META_VALUE_MAX)
                rc = nrd_error(NEREID_EINVALID, "store setting %s: value longer than %d bytes", key,
                               STORE_META_VALUE_MAX);
        return rc < 0 ? rc : store->ops->meta_set(store, key, value);
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

int nrd_store_op_apply(nereid_store *store, const char *project, const char *run_id,
                       const char *queue, uint64_t seq, const char *field, const char *expect,
                       const char *hash, const store_root *roots, size_t nroots,
                       enum store_roots how)
{
        int rc = store_write(store);

        if (rc < 0)
                return rc;
        if (!queue || nrd_store_uuid_check(queue) < 0 || seq == 0 || seq > (uint64_t)INT64_MAX)
                return nrd_error(NEREID_EINVALID,
                                 "%s:%s: an operation needs its queue's UUID and a sequence "
                                 "number from 1",
                                 run_id, field);
        if (!store->ops->op_apply)
                return nrd_error(NEREID_ERROR, "%s: this store cannot apply queued operations",
                                 store->ops->name);
        return store->ops->op_apply(store, project, run_id, queue, seq, field, expect, hash, roots,
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

int nrd_store_has_put_text(const nereid_store *store)
{
        return store->ops->version >= 6 && store->ops->artifact_put_text != NULL;
}

int nrd_store_artifact_put_text(nereid_store *store, const char *project, const char *hash,
                                const char *content, const char *text, size_t len)
{
        int rc = store_write(store);

        if (rc == 0 && !nrd_store_has_put_text(store))
                rc = nrd_error(NEREID_ERROR, "store %s: cannot store records as text",
                               store->location);
        return rc < 0 ? rc
                      : store->ops->artifact_put_text(store, project, hash, content, text, len);
}

/* What nrd_store_artifact_put_stream puts between the caller's records
 * and the backend: the checks and the hashes. */
struct store_put_check {
        store_file_next next;
        void *payload;
        const char *label;
        const char *hash;
        nrd_hash_stream *hasher;
        nereid_buf prev; /* file_path of the last record, NUL-terminated */
        uint64_t count;
        char content[NEREID_HASH_HEXLEN + 1];
};

static void store_put_check_where(const struct store_put_check *c, char *where, size_t size)
{
        snprintf(where, size, "%s: record %llu", c->label, (unsigned long long)c->count);
}

static int store_put_check_next(void *payload, const struct nereid_file **file)
{
        struct store_put_check *c = payload;
        char where[200], artifact[NEREID_HASH_HEXLEN + 1];
        int rc = c->next(c->payload, file);

        if (rc < 0)
                return rc;
        if (rc == 0) {
                if ((rc = nrd_hash_stream_final(c->hasher, artifact, c->content)) < 0)
                        return rc;
                if (strcmp(artifact, c->hash) != 0)
                        return nrd_error(NEREID_EINTEGRITY,
                                         "artifact %s: the records hash to %s; nothing was stored",
                                         c->hash, artifact);
                return 0;
        }
        c->count++;
        /* The message's "<label>: record N" is made only for a record that
         * fails: the check is run again with it, and fails the same way. */
        if (nrd_file_check(*file, c->label) < 0) {
                store_put_check_where(c, where, sizeof(where));
                return nrd_file_check(*file, where);
        }
        if (c->count > 1) {
                int order = strcmp(c->prev.ptr, (*file)->file_path);

                if (order >= 0) {
                        store_put_check_where(c, where, sizeof(where));
                        return nrd_error(NEREID_EINVALID, "%s (%.200s): %s", where,
                                         (*file)->file_path,
                                         order == 0 ? "file_path appears twice"
                                                    : "records must be sorted by file_path");
                }
        }
        nrd_buf_clear(&c->prev);
        if (nrd_buf_puts(&c->prev, (*file)->file_path) < 0)
                return NEREID_ERROR;
        return (rc = nrd_hash_stream_add(c->hasher, *file)) < 0 ? rc : 1;
}

int nrd_store_artifact_put_stream(nereid_store *store, const char *project, const char *hash,
                                  const char *label, store_file_next next, void *payload,
                                  char content_out[NEREID_HASH_HEXLEN + 1], uint64_t *count)
{
        struct store_put_check c;
        int rc = store_write(store);

        if (rc < 0)
                return rc;
        if (!store->ops->artifact_put_stream)
                return nrd_error(NEREID_ERROR, "store %s: cannot store an artifact as a stream",
                                 store->ops->name);
        if (!nrd_hash_is_sha256(hash))
                return nrd_error(NEREID_EINVALID, "artifact hash %.80s: not a SHA-256 hex", hash);
        memset(&c, 0, sizeof(c));
        c.next = next;
        c.payload = payload;
        c.label = label ? label : "artifact";
        c.hash = hash;
        nrd_buf_init(&c.prev, 0);
        if (!(c.hasher = nrd_hash_stream_new()))
                return NEREID_ERROR;
        rc = store->ops->artifact_put_stream(store, project, hash, c.content, store_put_check_next,
                                             &c);
        if (rc == 0 && content_out)
                memcpy(content_out, c.content, sizeof(c.content));
        if (rc == 0 && count)
                *count = c.count;
        nrd_hash_stream_free(c.hasher);
        nrd_buf_free(&c.prev);
        return rc;
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
        size_t i;

        free(info->name);
        free(info->owner);
        free(info->custom_run_id);
        free(info->description);
        for (i = 0; i < info->ntags; i++)
                free(info->tags[i]);
        free(info->tags);
        memset(info, 0, sizeof(*info));
}

int nrd_store_run_info_copy(store_run_info *dst, const store_run_info *src)
{
        size_t i;

        *dst = *src;
        dst->name = nrd_strdup(src->name ? src->name : "");
        dst->owner = nrd_strdup(src->owner ? src->owner : "");
        dst->description = nrd_strdup(src->description ? src->description : "");
        dst->custom_run_id = NULL;
        dst->tags = NULL;
        dst->ntags = 0;
        if (!dst->name || !dst->owner || !dst->description)
                goto fail;
        if (src->custom_run_id && !(dst->custom_run_id = nrd_strdup(src->custom_run_id)))
                goto fail;
        if (src->ntags && !(dst->tags = nrd_calloc(src->ntags, sizeof(*dst->tags))))
                goto fail;
        for (i = 0; i < src->ntags; i++, dst->ntags++)
                if (!(dst->tags[i] = nrd_strdup(src->tags[i])))
                        goto fail;
        return 0;
fail:
        nrd_store_run_info_clear(dst);
        return NEREID_ERROR;
}

int nrd_store_uuid_check(const char *s)
{
        size_t i;

        for (i = 0; i < 36; i++) {
                int dash = i == 8 || i == 13 || i == 18 || i == 23;

                if (dash ? s[i] != '-'
                         : !(isdigit((unsigned char)s[i]) || (s[i] >= 'a' && s[i] <= 'f')))
                        break;
        }
        if (i != 36 || s[36])
                return nrd_error(NEREID_EINVALID,
                                 "run uuid \"%.64s\": not a lowercase UUID "
                                 "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)",
                                 s);
        return 0;
}

int nrd_store_uuid_make(char out[40])
{
        unsigned char b[16];

        if (RAND_bytes(b, sizeof(b)) != 1)
                return nrd_error(NEREID_ERROR, "run uuid: no random bytes from OpenSSL");
        b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
        b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
        snprintf(out, 40, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
                 b[13], b[14], b[15]);
        return 0;
}

/* 1 when s holds a control character: C0, DEL, or C1 (U+0080-U+009F,
 * UTF-8 C2 80-C2 9F). */
static int store_has_control(const char *s)
{
        const unsigned char *p = (const unsigned char *)s;

        for (; *p; p++)
                if (*p < 0x20 || *p == 0x7f || (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
                        return 1;
        return 0;
}

int nrd_store_tag_check(const char *tag)
{
        size_t n = strlen(tag);

        if (n == 0)
                return nrd_error(NEREID_EINVALID, "tag: empty");
        if (n > STORE_TAG_MAX)
                return nrd_error(NEREID_EINVALID, "tag \"%.40s...\": longer than %d bytes", tag,
                                 STORE_TAG_MAX);
        if (!nrd_fs_is_utf8(tag))
                return nrd_error(NEREID_EINVALID, "tag: not valid UTF-8");
        if (store_has_control(tag))
                return nrd_error(NEREID_EINVALID, "tag: holds a control character");
        if (strchr(tag, ','))
                return nrd_error(NEREID_EINVALID,
                                 "tag \"%s\": holds a ',' (tags are shown "
                                 "joined by ',')",
                                 tag);
        if (tag[0] == ' ' || tag[n - 1] == ' ')
                return nrd_error(NEREID_EINVALID, "tag \"%s\": starts or ends with a space", tag);
        return 0;
}

static int store_tag_cmp(const void *a, const void *b)
{
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

char *nrd_store_tags_join(const store_run_spec *spec)
{
        nereid_buf buf = NEREID_BUF_INIT;
        size_t i;

        nrd_buf_puts(&buf, "");
        for (i = 0; i < spec->ntags; i++) {
                if (i)
                        nrd_buf_putc(&buf, '\n');
                nrd_buf_puts(&buf, spec->tags[i]);
        }
        return nrd_buf_detach(&buf);
}

int nrd_store_tags_split(const char *text, store_run_info *info)
{
        const char *p, *nl;
        size_t n = 1;

        info->tags = NULL;
        info->ntags = 0;
        if (!text || !*text)
                return 0;
        for (p = text; *p; p++)
                n += *p == '\n';
        if (!(info->tags = nrd_calloc(n, sizeof(*info->tags))))
                return NEREID_ERROR;
        for (p = text; p; p = nl ? nl + 1 : NULL) {
                nl = strchr(p, '\n');
                if (!(info->tags[info->ntags] =
                          nl ? nrd_strndup(p, (size_t)(nl - p)) : nrd_strdup(p)))
                        return NEREID_ERROR;
                info->ntags++;
        }
        return 0;
}

int nrd_store_tags_normalize(const char *const *tags, size_t ntags, const char ***out,
                             size_t *count)
{
        const char **sorted = NULL;
        size_t i, n = 0;
        int rc;

        *out = NULL;
        *count = 0;
        if (ntags && !tags)
                return nrd_error(NEREID_EINVALID, "tags: a count without an array");
        for (i = 0; i < ntags; i++) {
                if (!tags[i])
                        return nrd_error(NEREID_EINVALID, "tags: tag %zu is NULL", i + 1);
                if ((rc = nrd_store_tag_check(tags[i])) < 0)
                        return rc;
        }
        if (!ntags)
                return 0;
        if (!(sorted = nrd_calloc(ntags, sizeof(*sorted))))
                return NEREID_ERROR;
        memcpy(sorted, tags, ntags * sizeof(*sorted));
        qsort(sorted, ntags, sizeof(*sorted), store_tag_cmp);
        for (i = 0; i < ntags; i++)
                if (n == 0 || strcmp(sorted[n - 1], sorted[i]) != 0)
                        sorted[n++] = sorted[i];
        if (n > STORE_TAGS_MAX) {
                free(sorted);
                return nrd_error(NEREID_EINVALID, "tags: %zu distinct tags, at most %d", n,
                                 STORE_TAGS_MAX);
        }
        *out = sorted;
        *count = n;
        return 0;
}

int nrd_store_run_spec_check(const store_run_spec *spec)
{
        size_t i;
        int rc;

        if (!spec->uuid)
                return nrd_error(NEREID_EINVALID, "run: no uuid");
        if ((rc = nrd_store_uuid_check(spec->uuid)) < 0)
                return rc;
        if (!spec->owner)
                return nrd_error(NEREID_EINVALID, "run: no owner");
        if (spec->custom_run_id) {
                size_t n = strlen(spec->custom_run_id);

                if (n == 0 || n > STORE_CUSTOM_ID_MAX)
                        return nrd_error(NEREID_EINVALID, "custom run ID: not 1-%d bytes",
                                         STORE_CUSTOM_ID_MAX);
                if (!nrd_fs_is_utf8(spec->custom_run_id) || store_has_control(spec->custom_run_id))
                        return nrd_error(NEREID_EINVALID, "custom run ID: not valid UTF-8 "
                                                          "without control characters");
        }
        if (spec->description && strlen(spec->description) > STORE_DESCRIPTION_MAX)
                return nrd_error(NEREID_EINVALID, "run description: longer than %d bytes",
                                 STORE_DESCRIPTION_MAX);
        if (spec->ntags > STORE_TAGS_MAX)
                return nrd_error(NEREID_EINVALID, "tags: %zu tags, at most %d", spec->ntags,
                                 STORE_TAGS_MAX);
        if (spec->ntags && !spec->tags)
                return nrd_error(NEREID_EINVALID, "tags: a count without an array");
        for (i = 0; i < spec->ntags; i++) {
                if (!spec->tags[i])
                        return nrd_error(NEREID_EINVALID, "tags: tag %zu is NULL", i + 1);
                if ((rc = nrd_store_tag_check(spec->tags[i])) < 0)
                        return rc;
                if (i && strcmp(spec->tags[i - 1], spec->tags[i]) >= 0)
                        return nrd_error(NEREID_EINVALID, "tags: not sorted without duplicates");
        }
        return 0;
}

void nrd_store_token_clear(store_token *token)
{
        free(token->name);
        free(token->project);
        memset(token, 0, sizeof(*token));
}

static const char *const store_roles[] = {NULL, "read", "write", "admin"};

const char *nrd_store_role_name(int role)
{
        return role >= STORE_ROLE_READ && role <= STORE_ROLE_ADMIN ? store_roles[role] : NULL;
}

int nrd_store_role_parse(const char *name, int *role)
{
        int i;

        for (i = STORE_ROLE_READ; i <= STORE_ROLE_ADMIN; i++)
                if (strcmp(name, store_roles[i]) == 0) {
                        *role = i;
                        return 0;
                }
        return nrd_error(NEREID_EINVALID, "role %s: not read, write or admin", name);
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

int nrd_store_run_query_check(const store_run_query *q)
{
        if (q->sort < STORE_SORT_ID || q->sort > STORE_SORT_MODIFICATION_TIME)
                return nrd_error(NEREID_EINVALID, "run query: unknown sort key %d", q->sort);
        if (q->limit < 1 || q->limit > 1000)
                return nrd_error(NEREID_EINVALID, "run query: limit %zu is not in 1..1000",
                                 q->limit);
        if (q->filter && strlen(q->filter) > STORE_QUERY_FILTER_MAX)
                return nrd_error(NEREID_EINVALID, "run query: filter longer than %d bytes",
                                 STORE_QUERY_FILTER_MAX);
        if (q->has_after && q->sort != STORE_SORT_ID && !q->after_key)
                return nrd_error(NEREID_EINVALID, "run query: cursor without its sort value");
        if (q->has_after && q->after_number > INT64_MAX)
                return nrd_error(NEREID_EINVALID, "run query: cursor run number out of range");
        return 0;
}

int nrd_store_run_query(nereid_store *store, const char *project, const store_run_query *q,
                        store_run_row_cb cb, void *payload)
{
        int rc = nrd_store_run_query_check(q);

        if (rc < 0)
                return rc;
        if (!store->ops->run_query)
                return nrd_error(NEREID_ERROR, "store %s: the %s store cannot query runs",
                                 store->location, store->ops->name);
        return store->ops->run_query(store, project, q, cb, payload);
}
