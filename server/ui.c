/*
 * ui.c - the web UI's side of nereid-server (SPEC section 11,
 * docs/internals/ui.md): the UI's static files, compiled in from web/ by
 * cmake/embed_web.cmake and answered with a strict Content-Security-Policy;
 * `ui` mode's checks (loopback Host names only, every request a read of
 * every project); and the two routes only the UI needs: the table view's
 * page of runs (run_query) and a file's preview (a local file under `ui`,
 * an object of a --preview-s3 bucket, through s3_preview.h). Not the place for the
 * JSON API's other routes (handlers.c), tokens (auth.c) or the UI itself
 * (web/).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <microhttpd.h>
#include <openssl/evp.h>
#include "nereid.h"
#include "buf.h"
#include "error.h"
#include "hash.h"
#include "record.h"
#include "source/fileurl.h"
#include "source/s3_location.h"
#include "source/s3_preview.h"
#include "uri.h"
#include "server.h"

/* No inline script or style, no eval, nothing from elsewhere; images of a
 * preview come as blob: URLs the UI makes from bytes it fetched. */
#define UI_CSP                                                                                     \
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:;"           \
        " connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

static const char *ui_type(const char *path)
{
        static const char *const types[][2] = {
            {".html", "text/html; charset=utf-8"},
            {".js", "text/javascript; charset=utf-8"},
            {".css", "text/css; charset=utf-8"},
            {".svg", "image/svg+xml"},
            {".png", "image/png"},
            {".txt", "text/plain; charset=utf-8"},
        };
        const char *dot = strrchr(path, '.');
        size_t i;

        for (i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
                if (!strcmp(dot, types[i][0]))
                        return types[i][1];
        return "application/octet-stream";
}

static void ui_headers(struct MHD_Response *resp, const char *type)
{
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
        MHD_add_response_header(resp, "Content-Security-Policy", UI_CSP);
        MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
        MHD_add_response_header(resp, "X-Frame-Options", "DENY");
        MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
}

int srv_ui_static(struct srv_request *req, const char *url)
{
        const char *name = !strcmp(url, "/") ? "index.html" : url + 1;
        struct MHD_Response *resp;
        size_t i;

        if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0)
                return 0;
        for (i = 0; i < srv_ui_files_count; i++)
                if (!strcmp(srv_ui_files[i].path, name))
                        break;
        if (i == srv_ui_files_count)
                return 0;
        resp = MHD_create_response_from_buffer(srv_ui_files[i].len, (void *)srv_ui_files[i].data,
                                               MHD_RESPMEM_PERSISTENT);
        if (!resp)
                return 0;
        ui_headers(resp, ui_type(name));
        if (MHD_queue_response(req->conn, 200, resp) == MHD_YES) {
                req->answered = 1;
                req->status = 200;
        }
        MHD_destroy_response(resp);
        return 1;
}

int srv_ui_host_ok(struct srv_request *req, unsigned port)
{
        const char *host = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "Host");
        static const char *const names[] = {"127.0.0.1", "localhost", "[::1]"};
        char want[64];
        size_t i;

        /* A page of another site whose name was pointed at 127.0.0.1 (DNS
         * rebinding) sends its own name: it is refused, so nothing without
         * a token is read by anyone but this machine's browser. */
        for (i = 0; host && i < sizeof(names) / sizeof(names[0]); i++) {
                snprintf(want, sizeof(want), "%s:%u", names[i], port);
                if (!strcmp(host, want) || (port == 80 && !strcmp(host, names[i])))
                        return 1;
        }
        return 0;
}

void srv_ui_auth(struct srv_request *req)
{
        memset(&req->auth, 0, sizeof(req->auth));
        req->auth.ok = 1;
        req->auth.role = STORE_ROLE_READ;
        snprintf(req->auth.name, sizeof(req->auth.name), "ui");
        snprintf(req->auth.project, sizeof(req->auth.project), "*");
}

/* ---- the table view: GET .../run-table ---- */

static const char *const sort_names[] = {"id", "name", "owner", "creation_time",
                                         "modification_time"};

/* The sort value of info for the cursor. */
static const char *sort_value(const store_run_info *info, int sort)
{
        switch (sort) {
        case STORE_SORT_NAME:
                return info->name ? info->name : "";
        case STORE_SORT_OWNER:
                return info->owner ? info->owner : "";
        case STORE_SORT_CREATION_TIME:
                return info->creation_time;
        case STORE_SORT_MODIFICATION_TIME:
                return info->modification_time;
        default:
                return "";
        }
}

struct table_walk {
        json_t *list;
        int sort;
        uint64_t last_number;
        char *last_key;
};

static int table_cb(void *payload, const store_run_info *info, uint64_t number,
                    const store_field_summary *fields, size_t nfields)
{
        struct table_walk *w = payload;
        json_t *row = srv_json_run(info), *list = json_array();
        size_t i;

        for (i = 0; i < nfields; i++)
                json_array_append_new(
                    list,
                    json_pack("{s:o, s:s, s:s, s:I, s:I}", "field", srv_json_str(fields[i].field),
                              "hash", fields[i].hash, "content_hash", fields[i].content_hash,
                              "file_count", (json_int_t)fields[i].file_count, "total_size",
                              (json_int_t)fields[i].total_size));
        json_object_set_new(row, "fields", list);
        json_array_append_new(w->list, row);
        w->last_number = number;
        free(w->last_key);
        w->last_key = strdup(sort_value(info, w->sort));
        return w->last_key ? 0 : NEREID_ERROR;
}

/* A cursor is "SORT.ORDER.NUMBER.HEX(KEY)": opaque to clients, checked
 * against the request's sort and order. */
char *srv_ui_cursor_make(int sort, int desc, uint64_t number, const char *key)
{
        nereid_buf b = NEREID_BUF_INIT;

        nrd_buf_printf(&b, "%s.%s.%llu.", sort_names[sort], desc ? "desc" : "asc",
                       (unsigned long long)number);
        for (; *key; key++)
                nrd_buf_printf(&b, "%02x", (unsigned char)*key);
        return nrd_buf_detach(&b);
}

int srv_ui_cursor_parse(const char *text, int sort, int desc, uint64_t *number, char **key)
{
        char prefix[64];
        const char *s;
        size_t n, i;
        char *out, *end;

        snprintf(prefix, sizeof(prefix), "%s.%s.", sort_names[sort], desc ? "desc" : "asc");
        if (strncmp(text, prefix, strlen(prefix)) != 0)
                return -1;
        s = text + strlen(prefix);
        if (*s < '1' || *s > '9')
                return -1;
        errno = 0;
        *number = strtoull(s, &end, 10);
        if (errno || *end != '.' || *number > INT64_MAX)
                return -1;
        s = end + 1;
        n = strlen(s);
        if (n % 2 || n > 2 * SRV_PARAM_MAX || !(out = malloc(n / 2 + 1)))
                return -1;
        for (i = 0; i < n / 2; i++) {
                int hi = nrd_uri_hex_value(s[2 * i]), lo = nrd_uri_hex_value(s[2 * i + 1]);

                if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
                        free(out);
                        return -1;
                }
                out[i] = (char)(hi * 16 + lo);
        }
        out[n / 2] = '\0';
        *key = out;
        return 0;
}

void srv_h_run_table(struct srv_request *req)
{
        struct table_walk w = {NULL, 0, 0, NULL};
        store_run_query q;
        char *sort = NULL, *order = NULL, *filter = NULL, *limit = NULL, *cursor = NULL;
        char *key = NULL, *next = NULL;
        int bad = 0, rc;
        size_t i;

        memset(&q, 0, sizeof(q));
        q.limit = 50;
        if (!bad)
                sort = srv_query(req, "sort", &bad);
        if (!bad)
                order = srv_query(req, "order", &bad);
        if (!bad)
                filter = srv_query(req, "q", &bad);
        if (!bad)
                limit = srv_query(req, "limit", &bad);
        if (!bad)
                cursor = srv_query(req, "cursor", &bad);
        if (bad)
                goto cleanup;
        if (sort) {
                for (i = 0; i < sizeof(sort_names) / sizeof(sort_names[0]); i++)
                        if (!strcmp(sort, sort_names[i]))
                                break;
                if (i == sizeof(sort_names) / sizeof(sort_names[0])) {
                        srv_reply_error(req, 400, "invalid",
                                        "sort: one of id, name, owner, creation_time, "
                                        "modification_time expected");
                        goto cleanup;
                }
                q.sort = (int)i;
        }
        if (order && strcmp(order, "asc") != 0 && strcmp(order, "desc") != 0) {
                srv_reply_error(req, 400, "invalid", "order: asc or desc expected");
                goto cleanup;
        }
        q.descending = order && !strcmp(order, "desc");
        if (limit) {
                char *end;
                unsigned long n;

                errno = 0;
                n = strtoul(limit, &end, 10);
                if (errno || end == limit || *end || n < 1 || n > 1000) {
                        srv_reply_error(req, 400, "invalid",
                                        "limit: a number from 1 to 1000 expected");
                        goto cleanup;
                }
                q.limit = n;
        }
        if (filter && strlen(filter) > STORE_QUERY_FILTER_MAX) {
                srv_reply_error(req, 400, "invalid", "q: longer than 256 bytes");
                goto cleanup;
        }
        q.filter = filter;
        if (cursor) {
                if (srv_ui_cursor_parse(cursor, q.sort, q.descending, &q.after_number, &key) < 0) {
                        srv_reply_error(req, 400, "invalid",
                                        "cursor: not one this server gave for this sort and order");
                        goto cleanup;
                }
                q.has_after = 1;
                q.after_key = key;
        }
        w.sort = q.sort;
        w.list = json_array();
        if ((rc = nrd_store_run_query(req->store, req->project, &q, table_cb, &w)) < 0) {
                json_decref(w.list);
                srv_reply_status(req, rc);
                goto cleanup;
        }
        if (json_array_size(w.list) == q.limit && w.last_key &&
            !(next = srv_ui_cursor_make(q.sort, q.descending, w.last_number, w.last_key))) {
                json_decref(w.list);
                srv_reply_error(req, 500, "error", "out of memory");
                goto cleanup;
        }
        srv_reply_json(req, 200,
                       json_pack("{s:o, s:o}", "runs", w.list, "next",
                                 next ? json_string(next) : json_null()));
cleanup:
        free(sort);
        free(order);
        free(filter);
        free(limit);
        free(cursor);
        free(key);
        free(next);
        free(w.last_key);
}

/* ---- previews: GET .../artifacts/{hash}/preview?path=P ---- */

struct find_walk {
        const char *path;
        nereid_files *found; /* a copy of the record, once found */
        int past;            /* a path after the one sought was seen */
        char *last;
        size_t seen;
};

static int find_cb(void *payload, const struct nereid_file *file)
{
        struct find_walk *w = payload;
        int cmp = strcmp(file->file_path, w->path);

        w->seen++;
        free(w->last);
        if (!(w->last = strdup(file->file_path)))
                return NEREID_ERROR;
        if (cmp == 0) {
                nereid_files *one = nrd_files_new();

                if (!one || nrd_files_push_copy(one, file) < 0) {
                        nereid_files_free(one);
                        return NEREID_ERROR;
                }
                w->found = one;
                return 1;
        }
        if (cmp > 0) {
                w->past = 1;
                return 1;
        }
        return 0;
}

/* The record of path in the artifact: artifact_page from just before it,
 * so a field of a million files is one index seek. *out is a nereid_files
 * of one record (caller frees) or NULL when there is none. */
static int find_record(struct srv_request *req, const char *hash, const char *path,
                       nereid_files **out)
{
        struct find_walk w = {path, NULL, 0, NULL, 0};
        size_t len = strlen(path);
        char *after = NULL;
        int rc = 0, rounds;

        *out = NULL;
        /* The path with its last byte one less, then 0xff bytes: below path,
         * above nearly every other path below it. */
        if (len && (unsigned char)path[len - 1] > 1) {
                if (!(after = malloc(len + 33)))
                        return NEREID_ERROR;
                memcpy(after, path, len);
                after[len - 1] = (char)((unsigned char)path[len - 1] - 1);
                memset(after + len, 0xff, 32);
                after[len + 32] = '\0';
        }
        for (rounds = 0; rounds < 16 && !w.found && !w.past; rounds++) {
                size_t before = w.seen;

                rc = nrd_store_artifact_page(req->store, req->project, hash,
                                             rounds ? w.last : after, 64, find_cb, &w);
                if (rc < 0 || w.seen == before)
                        break;
                rc = 0;
        }
        free(after);
        free(w.last);
        if (rc < 0)
                return rc;
        *out = w.found;
        return 0;
}

/* What a preview may show, by the file's extension: never a script. */
static const char *preview_mime(const char *path)
{
        static const char *const images[][2] = {
            {".png", "image/png"}, {".jpg", "image/jpeg"},  {".jpeg", "image/jpeg"},
            {".gif", "image/gif"}, {".webp", "image/webp"}, {".bmp", "image/bmp"},
        };
        const char *dot = strrchr(path, '.');
        size_t i;

        for (i = 0; dot && i < sizeof(images) / sizeof(images[0]); i++)
                if (!strcasecmp(dot, images[i][0]))
                        return images[i][1];
        return "text/plain"; /* HTML and SVG included: shown as text */
}

int srv_bucket_name_ok(const char *name)
{
        size_t n = strlen(name), i;

        if (n < 3 || n > 63 || name[0] == '.' || name[0] == '-' || name[n - 1] == '.' ||
            name[n - 1] == '-')
                return 0;
        for (i = 0; i < n; i++)
                if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
                      name[i] == '.' || name[i] == '-'))
                        return 0;
        return 1;
}

/* Answer a preview of data (got bytes of a file of size bytes), base64 in
 * JSON. */
static void preview_reply(struct srv_request *req, const char *path, const unsigned char *data,
                          size_t got, uint64_t size, int verified)
{
        unsigned char *b64 = malloc(4 * ((got + 2) / 3) + 1);

        if (!b64) {
                srv_reply_error(req, 500, "error", "out of memory");
                return;
        }
        EVP_EncodeBlock(b64, data, (int)got);
        srv_reply_json(req, 200,
                       json_pack("{s:o, s:s, s:I, s:b, s:b, s:s}", "path", srv_json_str(path),
                                 "mime", preview_mime(path), "size", (json_int_t)size, "truncated",
                                 (uint64_t)got < size, "verified", verified, "data",
                                 (const char *)b64));
        free(b64);
}

/* 1 when the MD5 of data differs from a plain-MD5 hash (an S3 multipart
 * ETag is no MD5: never compared). */
static int md5_differs(const unsigned char *data, size_t len, const char *hash)
{
        char md5[NEREID_MD5_HEXLEN + 1];
        hash_md5_ctx *ctx;
        int differs = 0;

        if (!nrd_hash_is_md5(hash))
                return 0;
        if ((ctx = nrd_hash_md5_new()) && nrd_hash_md5_update(ctx, data, len) == 0 &&
            nrd_hash_md5_final(ctx, md5) == 0)
                differs = strcmp(md5, hash) != 0;
        else
                nrd_hash_md5_free(ctx);
        nrd_error_clear();
        return differs;
}

/* The preview of an S3 record: only a bucket of --preview-s3, checked
 * before any request; the record's own object at the configured endpoint,
 * its first SRV_PREVIEW_MAX bytes, of the tracked version (If-Match). */
static void preview_s3(struct srv_request *req, const char *path, const struct nereid_file *f)
{
        const struct srv_server *srv = req->srv;
        source_location loc = {0};
        nereid_buf data = NEREID_BUF_INIT;
        char msg[512];
        size_t i;
        int rc, whole = 0;

        if (!f->source || nrd_s3_location_parse_source(f->source, &loc) < 0) {
                nrd_error_clear();
                srv_reply_error(req, 403, "forbidden",
                                "preview: the record's source is not an s3://bucket/key location");
                goto cleanup;
        }
        for (i = 0; srv->s3 && i < srv->preview_s3_count; i++)
                if (!strcmp(loc.host, srv->preview_s3[i]))
                        break;
        if (!srv->s3 || i == srv->preview_s3_count) {
                snprintf(msg, sizeof(msg),
                         "preview: bucket %.63s is not one this server previews (--preview-s3)",
                         srv_bucket_name_ok(loc.host) ? loc.host : "(invalid name)");
                srv_reply_error(req, 403, "forbidden", msg);
                goto cleanup;
        }
        if ((rc = nrd_s3_read_capped(srv->s3, f, SRV_PREVIEW_MAX, &data, &whole)) < 0) {
                snprintf(msg, sizeof(msg), "preview: %s", nereid_error_last());
                if (rc == NEREID_EINTEGRITY)
                        srv_reply_error(req, 409, "conflict", msg);
                else if (rc == NEREID_ENOTFOUND)
                        srv_reply_error(req, 404, "not-found", msg);
                else if (rc == NEREID_EACCESS)
                        srv_reply_error(req, 403, "access-denied", msg);
                else
                        srv_reply_error(req, 502, "bad-gateway", msg);
                goto cleanup;
        }
        if (whole && md5_differs((const unsigned char *)data.ptr, data.len, f->file_hash)) {
                srv_reply_error(req, 409, "conflict",
                                "preview: the object's MD5 is not the recorded one");
                goto cleanup;
        }
        preview_reply(req, path, (const unsigned char *)(data.ptr ? data.ptr : ""), data.len,
                      f->has_size ? f->size : data.len, whole);
cleanup:
        nrd_source_location_clear(&loc);
        nrd_buf_free(&data);
}

void srv_h_preview(struct srv_request *req)
{
        const char *hash = srv_param(req, "hash");
        char *path = NULL, *local = NULL, msg[512];
        unsigned char *data = NULL;
        nereid_files *rec = NULL;
        const struct nereid_file *f;
        struct stat st;
        size_t got = 0, want;
        int bad = 0, fd = -1, rc, verified = 0;

        /* `nereid ui` reads the local files a record names, a server given
         * --preview-s3 the objects of those buckets: never a path or URL
         * the request chose. */
        if (!req->srv->ui_local && !req->srv->preview_s3_count) {
                srv_reply_error(req, 403, "forbidden",
                                "preview: this server reads no sources (nereid ui previews the "
                                "local files of its own machine; --preview-s3 BUCKET the objects "
                                "of a bucket)");
                goto cleanup;
        }
        if (!(path = srv_query(req, "path", &bad))) {
                if (!bad)
                        srv_reply_error(req, 400, "invalid", "path=FILE_PATH is required");
                goto cleanup;
        }
        if ((rc = find_record(req, hash, path, &rec)) < 0) {
                srv_reply_status(req, rc);
                goto cleanup;
        }
        if (!rec) {
                srv_reply_error(req, 404, "not-found", "preview: no such file in the artifact");
                goto cleanup;
        }
        f = &rec->items[0];
        if (!strcmp(f->type, "S3")) {
                preview_s3(req, path, f);
                goto cleanup;
        }
        if (!req->srv->ui_local || strcmp(f->type, "Local") != 0 || !f->source ||
            nrd_fileurl_to_path(f->source, &local) < 0) {
                nrd_error_clear();
                srv_reply_error(req, 403, "forbidden",
                                req->srv->ui_local
                                    ? "preview: only local and S3 files can be previewed"
                                    : "preview: only nereid ui previews local files");
                goto cleanup;
        }
        if ((fd = open(local, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)) < 0 ||
            fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
                srv_reply_error(req, 404, "not-found",
                                "preview: the tracked file is gone or is not a regular file");
                goto cleanup;
        }
        if (f->has_size && (uint64_t)st.st_size != f->size) {
                snprintf(msg, sizeof(msg),
                         "preview: the file changed since it was tracked (%lld bytes, %llu "
                         "recorded)",
                         (long long)st.st_size, (unsigned long long)f->size);
                srv_reply_error(req, 409, "conflict", msg);
                goto cleanup;
        }
        want = (uint64_t)st.st_size < SRV_PREVIEW_MAX ? (size_t)st.st_size : SRV_PREVIEW_MAX;
        if (!(data = malloc(want + 1))) {
                srv_reply_error(req, 500, "error", "out of memory");
                goto cleanup;
        }
        while (got < want) {
                ssize_t n = read(fd, data + got, want - got);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                got += (size_t)n;
        }
        if ((uint64_t)got == (uint64_t)st.st_size) {
                if (md5_differs(data, got, f->file_hash)) {
                        srv_reply_error(req, 409, "conflict",
                                        "preview: the file's MD5 changed since it was tracked");
                        goto cleanup;
                }
                verified = 1;
        }
        preview_reply(req, path, data, got, (uint64_t)st.st_size, verified);
cleanup:
        if (fd >= 0)
                close(fd);
        nereid_files_free(rec);
        free(local);
        free(path);
        free(data);
}
