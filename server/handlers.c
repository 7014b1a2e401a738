/*
 * handlers.c - what each route of the table (routes.c) does: read the
 * request's JSON, call the store seam and the library's own checks and
 * hashing (the same code the nereid command runs), answer JSON. By the time
 * a handler runs, the path parameters are decoded and checked (pathparam.c)
 * and the token is authorised for the route's project (auth.c). Not the
 * place for policy: a handler never computes what the library computes.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "nereid.h"
#include "buf.h"
#include "error.h"
#include "hash.h"
#include "json.h"
#include "record.h"
#include "store/http_page.h"
#include "uri.h"
#include "server.h"

/* Roots a field may be given in one request. */
#define SRV_ROOTS_MAX 10000

/* A JSON string of s: as it is when valid UTF-8, else every byte above
 * 0x7f as \xNN (the escaped form the CLI prints), so an answer stays JSON. */
static json_t *jstr(const char *s)
{
        json_t *v;
        nereid_buf b = NEREID_BUF_INIT;
        char *text;

        if (!s)
                return json_null();
        if ((v = json_string(s)))
                return v;
        for (; *s; s++) {
                unsigned char c = (unsigned char)*s;

                if (c >= 0x80)
                        nrd_buf_printf(&b, "\\x%02x", c);
                else
                        nrd_buf_putc(&b, (char)c);
        }
        text = nrd_buf_detach(&b);
        v = text ? json_string(text) : NULL;
        free(text);
        return v;
}

static json_t *run_json(const store_run_info *info)
{
        json_t *tags = json_array(), *o;
        size_t i;

        for (i = 0; i < info->ntags; i++)
                json_array_append_new(tags, jstr(info->tags[i]));
        o = json_object();
        json_object_set_new(o, "id", json_string(info->id));
        json_object_set_new(o, "name", jstr(info->name ? info->name : ""));
        json_object_set_new(o, "owner", jstr(info->owner ? info->owner : ""));
        json_object_set_new(o, "creation_time", json_string(info->creation_time));
        json_object_set_new(o, "modification_time", json_string(info->modification_time));
        json_object_set_new(o, "uuid", info->uuid[0] ? json_string(info->uuid) : json_null());
        json_object_set_new(o, "custom_run_id", jstr(info->custom_run_id));
        json_object_set_new(o, "description", jstr(info->description ? info->description : ""));
        json_object_set_new(o, "tags", tags);
        return o;
}

void srv_h_health(struct srv_request *req)
{
        srv_reply_json(req, 200,
                       json_pack("{s:s, s:s}", "status", "ok", "version", nereid_version()));
}

/* The OpenAPI document never changes while the server runs: built once. */
static pthread_once_t openapi_once = PTHREAD_ONCE_INIT;
static char *openapi_text;

static void openapi_build(void)
{
        json_t *doc = srv_routes_openapi();

        openapi_text = doc ? json_dumps(doc, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
        json_decref(doc);
}

void srv_h_openapi(struct srv_request *req)
{
        pthread_once(&openapi_once, openapi_build);
        srv_reply_raw(req, 200, openapi_text ? strdup(openapi_text) : NULL);
}

struct project_walk {
        const struct srv_auth *auth; /* NULL: every project */
        const char *only;            /* one project's name, or NULL */
        json_t *list;
};

static int project_cb(void *payload, const char *name, const char *key, uint64_t runs)
{
        struct project_walk *w = payload;

        if (w->only && strcmp(w->only, name) != 0)
                return 0;
        if (w->auth && !srv_auth_may_read(w->auth, name))
                return 0;
        json_array_append_new(w->list, json_pack("{s:o, s:s, s:I}", "name", jstr(name), "key", key,
                                                 "runs", (json_int_t)runs));
        return 0;
}

/* Answer a list a store walk filled: {"name":[...]} (200), or the walk's
 * failure. Takes list (NULL: out of memory). */
static void reply_list(struct srv_request *req, int rc, const char *name, json_t *list)
{
        if (rc < 0 || !list) {
                json_decref(list);
                if (rc < 0)
                        srv_reply_status(req, rc);
                else
                        srv_reply_error(req, 500, "error", "out of memory");
                return;
        }
        srv_reply_json(req, 200, json_pack("{s:o}", name, list));
}

void srv_h_projects(struct srv_request *req)
{
        struct project_walk w = {&req->auth, NULL, json_array()};
        int rc = nrd_store_project_each(req->store, project_cb, &w);

        reply_list(req, rc, "projects", w.list);
}

/* Answer the project req names as {"name","key","runs"}. */
static void project_answer(struct srv_request *req, unsigned status)
{
        struct project_walk w = {NULL, req->project, json_array()};
        int rc = nrd_store_project_each(req->store, project_cb, &w);

        if (rc == 0 && json_array_size(w.list) == 1) {
                srv_reply_json(req, status, json_incref(json_array_get(w.list, 0)));
        } else if (rc < 0) {
                srv_reply_status(req, rc);
        } else {
                char msg[2400];

                snprintf(msg, sizeof(msg), "project %s: not found", req->project);
                srv_reply_error(req, 404, "not-found", msg);
        }
        json_decref(w.list);
}

void srv_h_project_get(struct srv_request *req)
{
        char key[16];
        int rc = nrd_store_project_open(req->store, req->project, NULL, 0, key);

        if (rc < 0) {
                srv_reply_status(req, rc);
                return;
        }
        project_answer(req, 200);
}

void srv_h_project_put(struct srv_request *req)
{
        json_t *body = NULL, *jkey;
        const char *key = NULL;
        char have[16], msg[2400];
        int rc;

        if (req->body_len && !(body = srv_body_object(req)))
                return;
        jkey = body ? json_object_get(body, "key") : NULL;
        if (jkey && !json_is_null(jkey)) {
                if (!json_is_string(jkey) ||
                    nrd_uri_check_project_key(json_string_value(jkey)) < 0) {
                        srv_reply_error(req, 400, "invalid",
                                        json_is_string(jkey) ? nereid_error_last()
                                                             : "key: a string or null expected");
                        goto cleanup;
                }
                key = json_string_value(jkey);
        }
        rc = nrd_store_project_open(req->store, req->project, NULL, 0, have);
        if (rc == 0) {
                if (key && strcmp(key, have) != 0) {
                        snprintf(msg, sizeof(msg), "project %s: exists with key %s, not %s",
                                 req->project, have, key);
                        srv_reply_error(req, 409, "exists", msg);
                } else {
                        project_answer(req, 200);
                }
                goto cleanup;
        }
        if (rc != NEREID_ENOTFOUND) {
                srv_reply_status(req, rc);
                goto cleanup;
        }
        if ((rc = nrd_store_project_open(req->store, req->project, key, 1, have)) < 0)
                srv_reply_status(req, rc);
        else
                project_answer(req, 201);
cleanup:
        json_decref(body);
}

/* A decimal in [1, max] from text, or 0 when text is not one. */
static uint64_t parse_count(const char *text, uint64_t max)
{
        uint64_t n = 0;

        if (!text || !*text || strlen(text) > 19)
                return 0;
        for (; *text; text++) {
                if (*text < '0' || *text > '9')
                        return 0;
                n = n * 10 + (uint64_t)(*text - '0');
        }
        return n <= max ? n : 0;
}

/* The page size of a list route: limit= or def, at most max; 0 after an
 * error reply. */
static size_t page_limit(struct srv_request *req, size_t def, size_t max)
{
        int bad;
        char *text = srv_query(req, "limit", &bad), msg[128];
        uint64_t n;

        if (bad)
                return 0;
        if (!text)
                return def;
        n = parse_count(text, max);
        free(text);
        if (!n) {
                snprintf(msg, sizeof(msg), "limit: a number from 1 to %zu expected", max);
                srv_reply_error(req, 400, "invalid", msg);
                return 0;
        }
        return (size_t)n;
}

struct runs_walk {
        json_t *list;
        uint64_t last; /* the number of the last run listed */
};

static int runs_cb(void *payload, const store_run_info *info)
{
        struct runs_walk *w = payload;
        const char *dash = strrchr(info->id, '-');

        json_array_append_new(w->list, run_json(info));
        w->last = dash ? strtoull(dash + 1, NULL, 10) : 0;
        return 0;
}

void srv_h_runs(struct srv_request *req)
{
        struct runs_walk w = {NULL, 0};
        size_t limit = page_limit(req, SRV_RUNS_LIMIT, SRV_RUNS_LIMIT_MAX);
        char *cursor;
        uint64_t after = 0;
        json_t *next;
        int bad, rc;

        if (!limit)
                return;
        if ((cursor = srv_query(req, "cursor", &bad))) {
                after = parse_count(cursor, UINT64_MAX / 10);
                free(cursor);
                if (!after) {
                        srv_reply_error(req, 400, "invalid", "cursor: not one this server gave");
                        return;
                }
        } else if (bad) {
                return;
        }
        w.list = json_array();
        if ((rc = nrd_store_run_each(req->store, req->project, after, limit, runs_cb, &w)) < 0) {
                json_decref(w.list);
                srv_reply_status(req, rc);
                return;
        }
        if (json_array_size(w.list) == limit) {
                char text[24];

                snprintf(text, sizeof(text), "%llu", (unsigned long long)w.last);
                next = json_string(text);
        } else {
                next = json_null();
        }
        srv_reply_json(req, 200, json_pack("{s:o, s:o}", "runs", w.list, "next", next));
}

static void run_answer(struct srv_request *req, const char *run_id, unsigned status)
{
        store_run_info info;
        int rc;

        memset(&info, 0, sizeof(info));
        if ((rc = nrd_store_run_get(req->store, req->project, run_id, &info)) < 0)
                srv_reply_status(req, rc);
        else
                srv_reply_json(req, status, run_json(&info));
        nrd_store_run_info_clear(&info);
}

void srv_h_run_get(struct srv_request *req)
{
        run_answer(req, srv_param(req, "run"), 200);
}

/* A string member of body, or NULL when absent or null; *bad when it is
 * another type (an error reply queued). */
static const char *opt_string(struct srv_request *req, json_t *body, const char *key, int *bad)
{
        json_t *v = json_object_get(body, key);
        char msg[128];

        if (!v || json_is_null(v))
                return NULL;
        if (json_is_string(v))
                return json_string_value(v);
        snprintf(msg, sizeof(msg), "%s: a string or null expected", key);
        srv_reply_error(req, 400, "invalid", msg);
        *bad = 1;
        return NULL;
}

void srv_h_run_create(struct srv_request *req)
{
        json_t *body = srv_body_object(req), *jtags;
        store_run_spec spec;
        const char **tags = NULL;
        char id[32];
        int bad = 0, created = 0, rc;
        size_t i;

        if (!body)
                return;
        memset(&spec, 0, sizeof(spec));
        spec.uuid = opt_string(req, body, "uuid", &bad);
        if (!bad)
                spec.name = opt_string(req, body, "name", &bad);
        if (!bad)
                spec.custom_run_id = opt_string(req, body, "custom_run_id", &bad);
        if (!bad)
                spec.description = opt_string(req, body, "description", &bad);
        if (bad)
                goto cleanup;
        if (!spec.uuid) {
                srv_reply_error(req, 400, "invalid", "uuid: required (the client makes it)");
                goto cleanup;
        }
        jtags = json_object_get(body, "tags");
        if (jtags && !json_is_null(jtags)) {
                if (!json_is_array(jtags) || json_array_size(jtags) > STORE_TAGS_MAX * 4) {
                        srv_reply_error(req, 400, "invalid", "tags: an array of strings expected");
                        goto cleanup;
                }
                if (!(tags = calloc(json_array_size(jtags) + 1, sizeof(*tags)))) {
                        srv_reply_error(req, 500, "error", "out of memory");
                        goto cleanup;
                }
                for (i = 0; i < json_array_size(jtags); i++) {
                        json_t *t = json_array_get(jtags, i);

                        if (!json_is_string(t)) {
                                srv_reply_error(req, 400, "invalid",
                                                "tags: an array of strings expected");
                                goto cleanup;
                        }
                        tags[i] = json_string_value(t);
                }
                spec.ntags = json_array_size(jtags);
        }
        /* sys/owner is who the token is, never what the client says. */
        spec.owner = req->auth.name[0] ? req->auth.name : "unknown";
        if (spec.ntags) {
                const char **sorted = NULL;
                size_t count = 0;

                if ((rc = nrd_store_tags_normalize(tags, spec.ntags, &sorted, &count)) < 0) {
                        srv_reply_status(req, rc);
                        goto cleanup;
                }
                free(tags);
                tags = sorted;
                spec.ntags = count;
        }
        spec.tags = tags;
        if ((rc = nrd_store_run_new(req->store, req->project, &spec, id, &created)) < 0) {
                srv_reply_status(req, rc);
                goto cleanup;
        }
        run_answer(req, id, created ? 201 : 200);
cleanup:
        free(tags);
        json_decref(body);
}

static int fields_cb(void *payload, const char *field, const char *hash)
{
        json_array_append_new(payload, json_pack("{s:o, s:s}", "path", jstr(field), "hash", hash));
        return 0;
}

void srv_h_fields(struct srv_request *req)
{
        json_t *list = json_array();
        int rc =
            nrd_store_field_each(req->store, req->project, srv_param(req, "run"), fields_cb, list);

        reply_list(req, rc, "fields", list);
}

void srv_h_field_get(struct srv_request *req)
{
        const char *run = srv_param(req, "run"), *field = srv_param(req, "field");
        char hash[NEREID_HASH_HEXLEN + 1];
        store_root *roots = NULL;
        size_t count = 0, i;
        json_t *list;
        int rc;

        if ((rc = nrd_store_field_get(req->store, req->project, run, field, hash)) < 0 ||
            (rc = nrd_store_field_roots(req->store, req->project, run, field, &roots, &count)) <
                0) {
                srv_reply_status(req, rc);
                return;
        }
        list = json_array();
        for (i = 0; i < count; i++)
                json_array_append_new(list,
                                      json_pack("{s:o, s:o}", "location", jstr(roots[i].location),
                                                "destination", jstr(roots[i].destination)));
        nrd_store_roots_free(roots, count);
        srv_reply_json(req, 200,
                       json_pack("{s:s, s:s, s:o}", "path", field, "hash", hash, "roots", list));
}

/* What a field write carries (PUT .../fields/{field} and POST .../ops):
 * borrowed from the body. */
struct field_write {
        const char *expect;   /* NULL: whatever the field holds */
        const char *hash;     /* the artifact; NULL only where allowed (removal) */
        store_root *roots;    /* the caller frees the array, not the strings */
        size_t nroots;        /* entries of roots */
        enum store_roots how; /* roots_mode */
};

/* Read expect, hash, roots and roots_mode from body; a reply is sent and -1
 * returned for a bad one. hash may be null when null_hash is set. */
static int field_write_parse(struct srv_request *req, json_t *body, int null_hash,
                             struct field_write *w)
{
        json_t *jexpect, *jroots;
        const char *mode;
        size_t i;
        int bad = 0;

        memset(w, 0, sizeof(*w));
        w->how = STORE_ROOTS_ADD;
        jexpect = json_object_get(body, "expect");
        if (jexpect && !json_is_null(jexpect)) {
                w->expect = json_string_value(jexpect);
                if (!w->expect || (*w->expect && !nrd_hash_is_sha256(w->expect))) {
                        srv_reply_error(req, 400, "invalid",
                                        "expect: null, \"\" or an artifact hash expected");
                        return -1;
                }
        }
        w->hash = opt_string(req, body, "hash", &bad);
        if (bad)
                return -1;
        if (w->hash ? !nrd_hash_is_sha256(w->hash) : !null_hash) {
                srv_reply_error(req, 400, "invalid",
                                null_hash ? "hash: an artifact hash (64 lowercase hex digits) "
                                            "or null (remove) expected"
                                          : "hash: an artifact hash (64 lowercase hex digits) "
                                            "expected");
                return -1;
        }
        mode = opt_string(req, body, "roots_mode", &bad);
        if (bad)
                return -1;
        if (mode && !strcmp(mode, "set")) {
                w->how = STORE_ROOTS_SET;
        } else if (mode && strcmp(mode, "add") != 0) {
                srv_reply_error(req, 400, "invalid", "roots_mode: \"add\" or \"set\" expected");
                return -1;
        }
        jroots = json_object_get(body, "roots");
        if (!jroots || json_is_null(jroots))
                return 0;
        if (!json_is_array(jroots) || json_array_size(jroots) > SRV_ROOTS_MAX) {
                srv_reply_error(req, 400, "invalid",
                                "roots: an array of {location, destination} expected");
                return -1;
        }
        w->nroots = json_array_size(jroots);
        if (w->nroots && !(w->roots = calloc(w->nroots, sizeof(*w->roots)))) {
                srv_reply_error(req, 500, "error", "out of memory");
                return -1;
        }
        for (i = 0; i < w->nroots; i++) {
                json_t *r = json_array_get(jroots, i);
                json_t *loc = json_object_get(r, "location");
                json_t *dst = json_object_get(r, "destination");

                if (!json_is_object(r) || !json_is_string(loc) || !*json_string_value(loc) ||
                    (dst && !json_is_null(dst) && !json_is_string(dst))) {
                        srv_reply_error(req, 400, "invalid",
                                        "roots: an array of {location, destination} expected");
                        return -1;
                }
                /* Borrowed from body for the call. */
                w->roots[i].location = (char *)json_string_value(loc);
                w->roots[i].destination =
                    (char *)(json_is_string(dst) ? json_string_value(dst) : "");
        }
        return 0;
}

static void field_conflict(struct srv_request *req, const char *run, const char *field)
{
        char msg[1200];

        snprintf(msg, sizeof(msg), "%s:%s: the field no longer holds what was expected", run,
                 field);
        srv_reply_error(req, 409, "conflict", msg);
}

void srv_h_field_put(struct srv_request *req)
{
        const char *run = srv_param(req, "run"), *field = srv_param(req, "field");
        json_t *body = srv_body_object(req);
        struct field_write w;
        int rc;

        if (!body)
                return;
        memset(&w, 0, sizeof(w));
        if ((rc = nrd_uri_field_writable(field)) < 0) {
                srv_reply_status(req, rc);
                goto cleanup;
        }
        if (field_write_parse(req, body, 0, &w) < 0)
                goto cleanup;
        rc = nrd_store_field_swap(req->store, req->project, run, field, w.expect, w.hash, w.roots,
                                  w.nroots, w.how);
        if (rc == STORE_CONFLICT)
                field_conflict(req, run, field);
        else if (rc < 0)
                srv_reply_status(req, rc);
        else
                srv_reply_json(req, 200, json_pack("{s:s, s:s}", "path", field, "hash", w.hash));
cleanup:
        free(w.roots);
        json_decref(body);
}

/* POST .../runs/{run}/ops: one operation of a client's queue, applied once
 * per (queue, seq) (SPEC section 9): a field write as PUT .../fields, or a
 * removal when hash is null. The answer says whether this request applied
 * it ("applied": true) or an earlier one had ("applied": false); both mean
 * the client may forget the operation. */
void srv_h_op_apply(struct srv_request *req)
{
        const char *run = srv_param(req, "run"), *field, *queue;
        json_t *body = srv_body_object(req), *jseq;
        struct field_write w;
        json_int_t seq;
        int bad = 0, rc;

        if (!body)
                return;
        memset(&w, 0, sizeof(w));
        queue = opt_string(req, body, "queue", &bad);
        if (bad)
                goto cleanup;
        field = opt_string(req, body, "field", &bad);
        if (bad)
                goto cleanup;
        jseq = json_object_get(body, "seq");
        if (!queue || nrd_store_uuid_check(queue) < 0 || !json_is_integer(jseq) ||
            (seq = json_integer_value(jseq)) < 1) {
                srv_reply_error(req, 400, "invalid",
                                "queue and seq: the queue's UUID and a sequence number from 1 "
                                "expected");
                goto cleanup;
        }
        if (!field || (rc = nrd_uri_field_writable(field)) < 0) {
                if (!field)
                        srv_reply_error(req, 400, "invalid", "field: a field path expected");
                else
                        srv_reply_status(req, rc);
                goto cleanup;
        }
        if (field_write_parse(req, body, 1, &w) < 0)
                goto cleanup;
        rc = nrd_store_op_apply(req->store, req->project, run, queue, (uint64_t)seq, field,
                                w.expect, w.hash, w.roots, w.nroots, w.how);
        if (rc == STORE_CONFLICT)
                field_conflict(req, run, field);
        else if (rc < 0)
                srv_reply_status(req, rc);
        else
                srv_reply_json(req, 200,
                               json_pack("{s:s, s:I, s:b}", "queue", queue, "seq", (json_int_t)seq,
                                         "applied", rc == 0));
cleanup:
        free(w.roots);
        json_decref(body);
}

void srv_h_field_delete(struct srv_request *req)
{
        const char *field = srv_param(req, "field");
        int rc;

        if ((rc = nrd_uri_field_writable(field)) < 0 ||
            (rc = nrd_store_field_remove(req->store, req->project, srv_param(req, "run"), field)) <
                0) {
                srv_reply_status(req, rc);
                return;
        }
        srv_reply_json(req, 200, json_pack("{s:s}", "removed", field));
}

/* The records of an upload read back from its spool, one at a time, for
 * nrd_store_artifact_put_stream. A record out of order stops the stream
 * with unsorted set: the handler then sorts in memory instead. */
struct srv_upload {
        nrd_json_records *reader;
        struct nereid_file file;
        nereid_buf prev; /* file_path of the record before */
        int unsorted;
};

static int srv_upload_next(void *payload, const struct nereid_file **file)
{
        struct srv_upload *u = payload;
        int rc;

        nrd_file_clear(&u->file);
        if ((rc = nrd_json_records_next(u->reader, &u->file)) <= 0)
                return rc;
        if (u->file.file_path && u->prev.len && strcmp(u->prev.ptr, u->file.file_path) > 0) {
                u->unsorted = 1;
                return nrd_error(NEREID_EINVALID, "request body: records not sorted");
        }
        nrd_buf_clear(&u->prev);
        if (u->file.file_path && nrd_buf_puts(&u->prev, u->file.file_path) < 0)
                return NEREID_ERROR;
        *file = &u->file;
        return 1;
}

/* An upload whose records are not sorted: read whole, checked, sorted and
 * hashed in memory (bounded by the route's body limit), then stored. */
static int srv_artifact_put_unsorted(struct srv_request *req, const char *want,
                                     char content[NEREID_HASH_HEXLEN + 1], uint64_t *count)
{
        char hash[NEREID_HASH_HEXLEN + 1], have[NEREID_HASH_HEXLEN + 1];
        nereid_files *files = NULL;
        int rc;

        if (fseek(req->spool, 0, SEEK_SET) != 0)
                return nrd_error(NEREID_ERROR, "request body: cannot read it again");
        if ((rc = nrd_json_files_read(fileno(req->spool), "request body", &files)) < 0 ||
            (rc = nrd_files_check(files, "artifact")) < 0)
                goto cleanup;
        nrd_files_sort(files);
        if ((rc = nrd_hash_files_pair(files, hash, content)) < 0)
                goto cleanup;
        if (strcmp(hash, want) != 0) {
                rc = nrd_error(NEREID_EINTEGRITY,
                               "artifact %s: the records hash to %s; nothing was stored", want,
                               hash);
                goto cleanup;
        }
        *count = files->count;
        if (nrd_store_artifact_content_hash(req->store, req->project, hash, have) != 0)
                rc = nrd_store_artifact_put(req->store, req->project, hash, content, files);
cleanup:
        nereid_files_free(files);
        return rc;
}

void srv_h_artifact_put(struct srv_request *req)
{
        const char *want = srv_param(req, "hash");
        char content[NEREID_HASH_HEXLEN + 1], have[NEREID_HASH_HEXLEN + 1];
        struct srv_upload up;
        unsigned status = 201;
        uint64_t count = 0;
        int rc;

        /* The body was spooled to a file (http.c). Sorted records, as the
         * client sends them, are read back one at a time, checked, hashed
         * and written as they pass (nrd_store_artifact_put_stream): memory
         * does not grow with the artifact. Records in another order are
         * sorted in memory. Either way the server's hash decides and a
         * failure stores nothing. */
        if (!req->spool || fflush(req->spool) != 0 || fseek(req->spool, 0, SEEK_SET) != 0) {
                srv_reply_error(req, 400, "invalid", "request body: empty, records expected");
                return;
        }
        memset(&up, 0, sizeof(up));
        nrd_buf_init(&up.prev, 0);
        if (nrd_store_artifact_content_hash(req->store, req->project, want, have) == 0)
                status = 200;
        nrd_error_clear();
        if ((rc = nrd_json_records_open(&up.reader, fileno(req->spool), "request body")) == 0)
                rc = nrd_store_artifact_put_stream(req->store, req->project, want, "artifact",
                                                   srv_upload_next, &up, content, &count);
        if (rc < 0 && up.unsorted) {
                nrd_error_clear();
                rc = srv_artifact_put_unsorted(req, want, content, &count);
        }
        if (rc < 0) {
                srv_reply_status(req, rc);
                goto cleanup;
        }
        srv_reply_json(req, status,
                       json_pack("{s:s, s:s, s:I}", "hash", want, "content_hash", content, "files",
                                 (json_int_t)count));
cleanup:
        nrd_file_clear(&up.file);
        nrd_buf_free(&up.prev);
        nrd_json_records_close(up.reader);
}

void srv_h_artifact_get(struct srv_request *req)
{
        char content[NEREID_HASH_HEXLEN + 1];
        const char *hash = srv_param(req, "hash");
        int rc = nrd_store_artifact_content_hash(req->store, req->project, hash, content);

        if (rc < 0) {
                srv_reply_status(req, rc);
                return;
        }
        srv_reply_json(req, 200, json_pack("{s:s, s:s}", "hash", hash, "content_hash", content));
}

struct files_walk {
        nereid_buf out;  /* the answer being written */
        size_t count;    /* records written */
        nereid_buf last; /* file_path of the last record */
};

static int files_cb(void *payload, const struct nereid_file *file)
{
        struct files_walk *w = payload;
        int rc;

        if (w->count && (rc = nrd_buf_putc(&w->out, ',')) < 0)
                return rc;
        if ((rc = nrd_http_page_record_encode(&w->out, file)) < 0)
                return rc;
        w->count++;
        nrd_buf_clear(&w->last);
        return nrd_buf_puts(&w->last, file->file_path);
}

/* The cursor of a files page: the hex of the last file_path (any bytes). */
static char *hex_encode(const char *s)
{
        size_t n = strlen(s), i;
        char *out = malloc(n * 2 + 1);

        if (!out)
                return NULL;
        for (i = 0; i < n; i++)
                snprintf(out + i * 2, 3, "%02x", (unsigned char)s[i]);
        out[n * 2] = '\0';
        return out;
}

static char *hex_decode(const char *s)
{
        size_t n = strlen(s), i;
        char *out;

        if (!n || n % 2 || n > 8192 || !(out = malloc(n / 2 + 1)))
                return NULL;
        for (i = 0; i < n / 2; i++) {
                int hi = nrd_uri_hex_value(s[2 * i]), lo = nrd_uri_hex_value(s[2 * i + 1]);

                if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
                        free(out);
                        return NULL;
                }
                out[i] = (char)(hi * 16 + lo);
        }
        out[n / 2] = '\0';
        return out;
}

void srv_h_artifact_files(struct srv_request *req)
{
        struct files_walk w = {NEREID_BUF_INIT, 0, NEREID_BUF_INIT};
        size_t limit = page_limit(req, SRV_FILES_LIMIT, SRV_FILES_LIMIT);
        char *cursor, *after = NULL, *text;
        int bad, rc;

        if (!limit)
                return;
        if ((cursor = srv_query(req, "cursor", &bad))) {
                after = hex_decode(cursor);
                free(cursor);
                if (!after) {
                        srv_reply_error(req, 400, "invalid", "cursor: not one this server gave");
                        return;
                }
        } else if (bad) {
                return;
        }
        /* Room for a page of common records at once: the answer is not
         * grown by copies. */
        nrd_buf_grow(&w.out, limit * 256);
        nrd_buf_puts(&w.out, "{\"files\":[");
        rc = nrd_store_artifact_page(req->store, req->project, srv_param(req, "hash"), after, limit,
                                     files_cb, &w);
        if (rc < 0) {
                srv_reply_status(req, rc);
                goto cleanup;
        }
        nrd_buf_puts(&w.out, "],\"next\":");
        if (w.count == limit && w.last.ptr) {
                char *next = hex_encode(w.last.ptr);

                nrd_buf_printf(&w.out, "\"%s\"}", next ? next : "");
                free(next);
        } else {
                nrd_buf_puts(&w.out, "null}");
        }
        if (!(text = nrd_buf_detach(&w.out))) {
                srv_reply_error(req, 500, "error", nereid_error_last());
                goto cleanup;
        }
        srv_reply_raw(req, 200, text);
cleanup:
        nrd_buf_free(&w.out);
        nrd_buf_free(&w.last);
        free(after);
}

static int refs_cb(void *payload, const char *run_id, const char *field, const char *file_path)
{
        json_t *o = json_pack("{s:s, s:o}", "run", run_id, "field", jstr(field));

        if (file_path)
                json_object_set_new(o, "file_path", jstr(file_path));
        json_array_append_new(payload, o);
        return 0;
}

void srv_h_artifact_users(struct srv_request *req)
{
        json_t *list = json_array();
        int rc =
            nrd_store_field_users(req->store, req->project, srv_param(req, "hash"), refs_cb, list);

        reply_list(req, rc, "refs", list);
}

void srv_h_file_users(struct srv_request *req)
{
        char hash[64];
        json_t *list;
        size_t i;
        int rc;

        snprintf(hash, sizeof(hash), "%s", srv_param(req, "file_hash"));
        for (i = 0; hash[i]; i++)
                if (hash[i] >= 'A' && hash[i] <= 'F')
                        hash[i] = (char)(hash[i] + ('a' - 'A'));
        list = json_array();
        rc = nrd_store_file_find(req->store, req->project, hash, refs_cb, list);
        reply_list(req, rc, "refs", list);
}

static int collect_cb(void *payload, const struct nereid_file *file)
{
        return nrd_files_push_copy(payload, file);
}

/* The records the field named by ref ("RUN:FIELD") holds, into *out. */
static int ref_files(struct srv_request *req, const char *ref, nereid_files **out)
{
        char *run = NULL, *field = NULL, hash[NEREID_HASH_HEXLEN + 1];
        int rc;

        *out = NULL;
        if ((rc = nrd_uri_parse_ref(ref, 1, &run, &field)) < 0 ||
            (rc = nrd_store_field_get(req->store, req->project, run, field, hash)) < 0)
                goto cleanup;
        if (!(*out = nrd_files_new())) {
                rc = NEREID_ERROR;
                goto cleanup;
        }
        rc = nrd_store_artifact_each(req->store, req->project, hash, collect_cb, *out);
cleanup:
        free(run);
        free(field);
        return rc;
}

void srv_h_diff(struct srv_request *req)
{
        static const char *const kinds[] = {"", "added", "removed", "changed"};
        char *from = NULL, *to = NULL;
        nereid_files *a = NULL, *b = NULL;
        nereid_diff *diff = NULL;
        json_t *list, *next = NULL;
        char *limit_text = NULL, *cursor = NULL;
        size_t counts[4] = {0, 0, 0, 0}, first = 0, limit = SIZE_MAX;
        int bad = 0, rc;
        size_t i;

        from = srv_query(req, "from", &bad);
        if (!bad)
                to = srv_query(req, "to", &bad);
        if (bad)
                goto cleanup;
        if (!from || !to) {
                srv_reply_error(req, 400, "invalid",
                                "from=RUN:FIELD and to=RUN:FIELD are required");
                goto cleanup;
        }
        if ((rc = ref_files(req, from, &a)) < 0 || (rc = ref_files(req, to, &b)) < 0 ||
            (rc = nereid_diff_files(&diff, a, b)) < 0) {
                srv_reply_status(req, rc);
                goto cleanup;
        }
        /* counts: every change of the diff, and the files of from that
         * neither went nor changed. With limit= the changes come a page at a
         * time (cursor: the index of the next change), for the UI. */
        for (i = 0; i < nereid_diff_count(diff); i++) {
                const char *path = NULL;
                int kind = nereid_diff_get(&path, diff, i);

                if (kind >= 1 && kind <= 3)
                        counts[kind]++;
        }
        if (!(limit_text = srv_query(req, "limit", &bad)) && bad)
                goto cleanup;
        if (!(cursor = srv_query(req, "cursor", &bad)) && bad)
                goto cleanup;
        if (limit_text) {
                char *end = NULL;

                errno = 0;
                limit = strtoul(limit_text, &end, 10);
                if (errno || end == limit_text || *end || limit < 1 || limit > 10000) {
                        srv_reply_error(req, 400, "invalid",
                                        "limit: a number from 1 to 10000 expected");
                        goto cleanup;
                }
        }
        if (cursor) {
                char *end = NULL;

                errno = 0;
                first = strtoul(cursor, &end, 10);
                if (errno || end == cursor || *end || first > nereid_diff_count(diff)) {
                        srv_reply_error(req, 400, "invalid", "cursor: not one this server gave");
                        goto cleanup;
                }
                if (!limit_text)
                        limit = 1000;
        }
        list = json_array();
        for (i = first; i < nereid_diff_count(diff) && i - first < limit; i++) {
                const char *path = NULL;
                int kind = nereid_diff_get(&path, diff, i);

                json_array_append_new(list, json_pack("{s:s, s:o}", "kind",
                                                      kind >= 1 && kind <= 3 ? kinds[kind] : "",
                                                      "path", jstr(path)));
        }
        if (i < nereid_diff_count(diff)) {
                char text[24];

                snprintf(text, sizeof(text), "%zu", i);
                next = json_string(text);
        }
        srv_reply_json(req, 200,
                       json_pack("{s:o, s:{s:I, s:I, s:I, s:I}, s:o}", "changes", list, "counts",
                                 "added", (json_int_t)counts[1], "removed", (json_int_t)counts[2],
                                 "changed", (json_int_t)counts[3], "unchanged",
                                 (json_int_t)(a->count - counts[2] - counts[3]), "next",
                                 next ? next : json_null()));
cleanup:
        nereid_diff_free(diff);
        nereid_files_free(a);
        nereid_files_free(b);
        free(from);
        free(to);
        free(limit_text);
        free(cursor);
}

json_t *srv_json_run(const store_run_info *info)
{
        return run_json(info);
}

json_t *srv_json_str(const char *s)
{
        return jstr(s);
}
