/*
 * json.c - file records to and from the JSON form of SPEC section 2, through
 * jansson. The only module that knows the JSON layout of a record; it does
 * not judge the values (a file_path with "..", an unknown type): refusing
 * those is the job of the code that acts on them, such as download.
 *
 * Output is exactly {"file_path":…,"file_hash":…,"type":…,"size":…,
 * "metadata":{"file_path":…,"last_modified":…}}: compact, keys in that
 * order, non-ASCII kept as UTF-8, size null when unknown, a metadata key
 * left out when its value is unknown. Input is read strictly: unknown or
 * duplicate keys, wrong types and invalid UTF-8 are refused with a message
 * that names the record and the key; "size" and "metadata" may be absent
 * (null and {}).
 */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <jansson.h>
#include "error.h"
#include "json.h"
#include "store/http_page.h"

/* How much of an unknown key an error message quotes. */
#define JSON_QUOTE_MAX 80
/* How much of an input's label an error message quotes. */
#define JSON_LABEL_MAX 200
/* The largest JSON text one record of a stream may take: a record holds two
 * paths and a few short strings, so anything larger is not a record. */
#define JSON_RECORD_MAX ((size_t)1 << 20)
/* The read buffer of a stream. */
#define JSON_READ_CHUNK 65536

/* Adds the string text under key; label names it in the message when text is not UTF-8. */
static int json_set_string(json_t *obj, const char *key, const char *text, const char *label,
                           const char *file_path)
{
        json_t *value = json_string(text);

        if (!value)
                return nrd_error(NEREID_EINVALID, "record \"%s\": %s is not valid UTF-8", file_path,
                                 label);
        if (json_object_set_new(obj, key, value) < 0)
                return nrd_error_oom();
        return 0;
}

/* *out = the jansson object of one record, keys in SPEC order. */
static int json_record_build(const struct nereid_file *file, json_t **out)
{
        const char *name = file->file_path ? file->file_path : "";
        json_t *obj = NULL, *meta = NULL;
        int rc = 0;

        *out = NULL;
        if (!file->file_path || !file->file_hash || !file->type) {
                rc = nrd_error(NEREID_EINVALID,
                               "record \"%s\": file_path, file_hash and type "
                               "are required",
                               name);
                goto cleanup;
        }
        if (file->has_size && file->size > (uint64_t)INT64_MAX) {
                rc = nrd_error(NEREID_EINVALID, "record \"%s\": size is too large", name);
                goto cleanup;
        }
        obj = json_object();
        meta = json_object();
        if (!obj || !meta) {
                rc = nrd_error_oom();
                goto cleanup;
        }
        rc = json_set_string(obj, "file_path", file->file_path, "file_path", name);
        if (rc == 0)
                rc = json_set_string(obj, "file_hash", file->file_hash, "file_hash", name);
        if (rc == 0)
                rc = json_set_string(obj, "type", file->type, "type", name);
        if (rc == 0 && json_object_set_new(obj, "size",
                                           file->has_size ? json_integer((json_int_t)file->size)
                                                          : json_null()) < 0)
                rc = nrd_error_oom();
        if (rc == 0 && file->source)
                rc = json_set_string(meta, "file_path", file->source, "metadata.file_path", name);
        if (rc == 0 && file->last_modified)
                rc = json_set_string(meta, "last_modified", file->last_modified,
                                     "metadata.last_modified", name);
        if (rc < 0)
                goto cleanup;
        rc = json_object_set(obj, "metadata", meta) < 0 ? nrd_error_oom() : 0;
        if (rc < 0)
                goto cleanup;
        *out = obj;
        obj = NULL;
cleanup:
        json_decref(meta);
        json_decref(obj);
        return rc;
}

static int json_buf_sink(const char *buffer, size_t size, void *data)
{
        return nrd_buf_put(data, buffer, size) < 0 ? -1 : 0;
}

int nrd_json_record_append(nereid_buf *buf, const struct nereid_file *file)
{
        json_t *obj;
        int rc = json_record_build(file, &obj);

        if (rc < 0)
                return rc;
        if (json_dump_callback(obj, json_buf_sink, buf, JSON_COMPACT | JSON_PRESERVE_ORDER) < 0)
                rc = nrd_error_oom();
        json_decref(obj);
        return rc;
}

/* *out = a copy of the string value, or an error naming where and key. */
static int json_take_string(const json_t *value, const char *where, const char *key, char **out)
{
        if (!json_is_string(value))
                return nrd_error(NEREID_EINVALID, "%s: \"%s\" must be a string", where, key);
        *out = nrd_strdup(json_string_value(value));
        return *out ? 0 : NEREID_ERROR;
}

static int json_required_string(json_t *obj, const char *where, const char *key, char **out)
{
        json_t *value = json_object_get(obj, key);

        if (!value)
                return nrd_error(NEREID_EINVALID, "%s: \"%s\" is missing", where, key);
        return json_take_string(value, where, key, out);
}

static int json_metadata_parse(json_t *meta, const char *where, struct nereid_file *out)
{
        const char *key;
        json_t *value;
        int rc;

        if (!json_is_object(meta))
                return nrd_error(NEREID_EINVALID, "%s: \"metadata\" must be an object", where);
        json_object_foreach(meta, key, value)
        {
                if (strcmp(key, "file_path") == 0)
                        rc = json_take_string(value, where, "metadata.file_path", &out->source);
                else if (strcmp(key, "last_modified") == 0)
                        rc = json_take_string(value, where, "metadata.last_modified",
                                              &out->last_modified);
                else
                        rc = nrd_error(NEREID_EINVALID,
                                       "%s: unknown key \"metadata.%.*s\" (known: file_path, "
                                       "last_modified)",
                                       where, JSON_QUOTE_MAX, key);
                if (rc < 0)
                        return rc;
        }
        return 0;
}

/* One record object; index is 1-based for messages, 0 for a lone record;
 * label, when not NULL, names the input in messages. */
static int json_record_from(json_t *obj, const char *label, size_t index, struct nereid_file *out)
{
        static const char *const known[] = {"file_path", "file_hash", "type", "size", "metadata"};
        char where[JSON_LABEL_MAX + 40];
        const char *key;
        json_t *value;
        int rc = 0;
        size_t i;

        memset(out, 0, sizeof(*out));
        if (label)
                snprintf(where, sizeof(where), "%.*s: record %zu", JSON_LABEL_MAX, label, index);
        else if (index)
                snprintf(where, sizeof(where), "record %zu", index);
        else
                snprintf(where, sizeof(where), "record");
        if (!json_is_object(obj))
                return nrd_error(NEREID_EINVALID, "%s: expected an object", where);
        json_object_foreach(obj, key, value)
        {
                for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
                        if (strcmp(key, known[i]) == 0)
                                break;
                }
                if (i == sizeof(known) / sizeof(known[0])) {
                        rc = nrd_error(NEREID_EINVALID,
                                       "%s: unknown key \"%.*s\" (known: file_path, file_hash, "
                                       "type, size, metadata)",
                                       where, JSON_QUOTE_MAX, key);
                        goto cleanup;
                }
        }
        if ((rc = json_required_string(obj, where, "file_path", &out->file_path)) < 0 ||
            (rc = json_required_string(obj, where, "file_hash", &out->file_hash)) < 0 ||
            (rc = json_required_string(obj, where, "type", &out->type)) < 0)
                goto cleanup;
        value = json_object_get(obj, "size");
        if (value && json_is_integer(value)) {
                json_int_t size = json_integer_value(value);

                if (size < 0) {
                        rc = nrd_error(NEREID_EINVALID, "%s: \"size\" must not be negative", where);
                        goto cleanup;
                }
                out->size = (uint64_t)size;
                out->has_size = 1;
        } else if (value && !json_is_null(value)) {
                rc = nrd_error(NEREID_EINVALID, "%s: \"size\" must be an integer or null", where);
                goto cleanup;
        }
        value = json_object_get(obj, "metadata");
        if (value && (rc = json_metadata_parse(value, where, out)) < 0)
                goto cleanup;
cleanup:
        if (rc < 0)
                nrd_file_clear(out);
        return rc;
}

int nrd_json_record_value(struct json_t *value, const char *label, size_t index,
                          struct nereid_file *out)
{
        return json_record_from(value, label, index, out);
}

/* Parse text with jansson, strictly: no duplicate keys, no NUL in strings. */
static json_t *json_load_strict(const char *text, size_t len)
{
        json_error_t err;
        json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);

        if (!root)
                nrd_error(NEREID_EINVALID, "JSON: %s (line %d, column %d)", err.text, err.line,
                          err.column);
        return root;
}

int nrd_json_record_parse(const char *text, size_t len, struct nereid_file *out)
{
        json_t *root;
        int rc;

        memset(out, 0, sizeof(*out));
        if (!text)
                return nrd_error(NEREID_EINVALID, "JSON: no text");
        root = json_load_strict(text, len);
        if (!root)
                return NEREID_EINVALID;
        rc = json_record_from(root, NULL, 0, out);
        json_decref(root);
        return rc;
}

int nrd_json_files_parse(const char *text, size_t len, nereid_files **out)
{
        nereid_files *files = NULL;
        json_t *root = NULL;
        size_t i;
        int rc = 0;

        *out = NULL;
        if (!text)
                return nrd_error(NEREID_EINVALID, "JSON: no text");
        root = json_load_strict(text, len);
        if (!root) {
                rc = NEREID_EINVALID;
                goto cleanup;
        }
        if (!json_is_array(root)) {
                rc = nrd_error(NEREID_EINVALID, "JSON: expected an array of records");
                goto cleanup;
        }
        files = nrd_files_new();
        if (!files) {
                rc = NEREID_ERROR;
                goto cleanup;
        }
        for (i = 0; i < json_array_size(root); i++) {
                struct nereid_file file;

                rc = json_record_from(json_array_get(root, i), NULL, i + 1, &file);
                if (rc < 0)
                        goto cleanup;
                rc = nrd_files_push(files, &file);
                if (rc < 0)
                        goto cleanup;
        }
        *out = files;
        files = NULL;
cleanup:
        nereid_files_free(files);
        json_decref(root);
        return rc;
}

/* A JSON text read from a file descriptor through a buffer. Each record's
 * bytes are cut out by a small scanner that follows strings and nesting,
 * then decoded by jansson alone, so jansson never reads past a record and
 * no more than one record's text is held at a time. */
struct json_stream {
        int fd;                    /* read to its end, never closed here */
        const char *label;         /* names the input in messages */
        char buf[JSON_READ_CHUNK]; /* bytes read and not yet consumed */
        size_t pos, len;           /* consumed / valid bytes of buf */
        uint64_t offset;           /* bytes consumed since the start */
        int eof;                   /* the descriptor is at its end */
        int errnum;                /* errno of a failed read, or 0 */
        nereid_buf record;         /* the text of the current record */
};

/* The next byte without consuming it; -1 at the end or on a read error. */
static int json_stream_peek(struct json_stream *s)
{
        while (s->pos == s->len && !s->eof && !s->errnum) {
                ssize_t n = read(s->fd, s->buf, sizeof(s->buf));

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        s->errnum = errno;
                else if (n == 0)
                        s->eof = 1;
                s->pos = 0;
                s->len = n > 0 ? (size_t)n : 0;
        }
        return s->pos < s->len ? (unsigned char)s->buf[s->pos] : -1;
}

static int json_stream_next(struct json_stream *s)
{
        int c = json_stream_peek(s);

        if (c >= 0) {
                s->pos++;
                s->offset++;
        }
        return c;
}

/* The next byte that is not JSON white space, not consumed. */
static int json_stream_skip_space(struct json_stream *s)
{
        int c;

        while ((c = json_stream_peek(s)) == ' ' || c == '\t' || c == '\n' || c == '\r')
                json_stream_next(s);
        return c;
}

/* Move the text of one JSON object or array from the stream into
 * s->record: up to the bracket that closes the first one, following
 * strings and escapes. Malformed text is left for jansson to name; 1 when
 * the record is longer than JSON_RECORD_MAX. */
size_t nrd_json_span_scan(struct nrd_json_span *span, const char *t, size_t n)
{
        size_t i;

        for (i = 0; i < n; i++) {
                char c = t[i];

                if (span->in_string) {
                        if (span->escaped)
                                span->escaped = 0;
                        else if (c == '\\')
                                span->escaped = 1;
                        else if (c == '"')
                                span->in_string = 0;
                } else if (c == '"') {
                        span->in_string = 1;
                } else if (c == '{' || c == '[') {
                        span->depth++;
                } else if ((c == '}' || c == ']') && --span->depth <= 0) {
                        return i + 1;
                }
        }
        return 0;
}

static int json_stream_cut(struct json_stream *s)
{
        struct nrd_json_span span = {0, 0, 0};
        int done = 0;

        nrd_buf_clear(&s->record);
        while (!done && json_stream_peek(s) >= 0) {
                size_t i, start = s->pos, end;

                end = nrd_json_span_scan(&span, s->buf + start, s->len - start);
                done = end != 0;
                i = done ? start + end : s->len;
                if (s->record.len + (i - start) > JSON_RECORD_MAX)
                        return 1;
                if (nrd_buf_put(&s->record, s->buf + start, i - start) < 0)
                        return -1;
                s->offset += i - start;
                s->pos = i;
        }
        return 0; /* at the end of the input or on a read error, the caller sees which */
}

/* The error for what stopped the stream where a syntax error was seen. */
static int json_stream_error(struct json_stream *s, const char *what)
{
        if (s->errnum)
                return nrd_error_os(nrd_error_from_errno(s->errnum), s->errnum, "%.*s: read",
                                    JSON_LABEL_MAX, s->label);
        return nrd_error(NEREID_EINVALID, "%.*s: %s (byte %llu)", JSON_LABEL_MAX, s->label, what,
                         (unsigned long long)s->offset);
}

/* Decode the record that starts at the stream's position. */
static int json_stream_record(struct json_stream *s, size_t index, struct nereid_file *out)
{
        uint64_t start = s->offset;
        json_error_t err;
        json_t *value;
        int rc;

        if (json_stream_peek(s) != '{') {
                if (s->errnum)
                        return json_stream_error(s, "");
                return nrd_error(NEREID_EINVALID,
                                 "%.*s: record %zu: expected an object (byte %llu)", JSON_LABEL_MAX,
                                 s->label, index, (unsigned long long)start);
        }
        rc = json_stream_cut(s);
        if (rc < 0)
                return nrd_error_oom();
        if (rc > 0)
                return nrd_error(
                    NEREID_EINVALID, "%.*s: record %zu: longer than %zu bytes (byte %llu)",
                    JSON_LABEL_MAX, s->label, index, JSON_RECORD_MAX, (unsigned long long)start);
        if (s->errnum)
                return json_stream_error(s, "");
        /* The common shape without a tree (store/http_page.c, fuzzed
         * against this path); jansson for the rest, and for every error. */
        if ((rc = nrd_http_page_record_decode(s->record.ptr, s->record.len, out)) != 0)
                return rc < 0 ? rc : 0;
        value = json_loadb(s->record.ptr, s->record.len, JSON_REJECT_DUPLICATES, &err);
        if (!value)
                return nrd_error(NEREID_EINVALID, "%.*s: record %zu: JSON: %s (byte %llu)",
                                 JSON_LABEL_MAX, s->label, index, err.text,
                                 (unsigned long long)(start + (uint64_t)err.position));
        rc = json_record_from(value, s->label, index, out);
        json_decref(value);
        return rc;
}

struct nrd_json_records {
        struct json_stream s;
        size_t index; /* records returned so far */
        int state;    /* 0: before '[', 1: inside, 2: done */
};

int nrd_json_records_open(nrd_json_records **out, int fd, const char *label)
{
        nrd_json_records *r = nrd_calloc(1, sizeof(*r));

        *out = NULL;
        if (!r)
                return NEREID_ERROR;
        r->s.fd = fd;
        r->s.label = label ? label : "JSON";
        *out = r;
        return 0;
}

int nrd_json_records_next(nrd_json_records *r, struct nereid_file *file)
{
        struct json_stream *s = &r->s;
        int rc, c;

        if (r->state == 2)
                return 0;
        if (r->state == 0) {
                if (json_stream_skip_space(s) != '[')
                        return json_stream_error(s, "expected a JSON array of records");
                json_stream_next(s);
                r->state = 1;
        } else {
                c = json_stream_skip_space(s);
                if (c == ',') {
                        json_stream_next(s);
                        json_stream_skip_space(s);
                        goto record; /* "[{...},]" is refused there */
                }
                if (c != ']')
                        return json_stream_error(s, c < 0 ? "the array is not closed"
                                                          : "expected ',' or ']' after a record");
        }
        c = json_stream_skip_space(s);
        if (c == ']') {
                json_stream_next(s);
                if (json_stream_skip_space(s) >= 0 || s->errnum)
                        return json_stream_error(s, "data after the array");
                r->state = 2;
                return 0;
        }
record:
        if ((rc = json_stream_record(s, ++r->index, file)) < 0)
                return rc;
        return 1;
}

void nrd_json_records_close(nrd_json_records *r)
{
        if (!r)
                return;
        nrd_buf_free(&r->s.record);
        free(r);
}

int nrd_json_files_read(int fd, const char *label, nereid_files **out)
{
        nrd_json_records *r = NULL;
        nereid_files *files = NULL;
        int rc;

        *out = NULL;
        if ((rc = nrd_json_records_open(&r, fd, label)) < 0 || !(files = nrd_files_new())) {
                rc = NEREID_ERROR;
                goto cleanup;
        }
        for (;;) {
                struct nereid_file file;

                if ((rc = nrd_json_records_next(r, &file)) <= 0)
                        break;
                if ((rc = nrd_files_push(files, &file)) < 0)
                        goto cleanup;
        }
        if (rc == 0) {
                *out = files;
                files = NULL;
        }
cleanup:
        nereid_files_free(files);
        nrd_json_records_close(r);
        return rc;
}

int nereid_files_to_json(char **out, const nereid_files *files)
{
        nereid_buf buf = NEREID_BUF_INIT;
        size_t i, count = files ? files->count : 0;
        int rc = 0;

        nrd_error_clear();
        assert(out);
        *out = NULL;
        if (nrd_buf_putc(&buf, '[') < 0) {
                rc = NEREID_ERROR;
                goto cleanup;
        }
        for (i = 0; i < count; i++) {
                if (i && nrd_buf_putc(&buf, ',') < 0) {
                        rc = NEREID_ERROR;
                        goto cleanup;
                }
                rc = nrd_json_record_append(&buf, &files->items[i]);
                if (rc < 0)
                        goto cleanup;
        }
        if (nrd_buf_putc(&buf, ']') < 0) {
                rc = NEREID_ERROR;
                goto cleanup;
        }
        *out = nrd_buf_detach(&buf);
cleanup:
        nrd_buf_free(&buf);
        return rc;
}

int nereid_files_from_json(nereid_files **out, const char *json)
{
        nrd_error_clear();
        assert(out);
        *out = NULL;
        if (!json)
                return nrd_error(NEREID_EINVALID, "JSON: no text");
        return nrd_json_files_parse(json, strlen(json), out);
}

int nereid_file_to_json(char **out, const nereid_file *file)
{
        nereid_buf buf = NEREID_BUF_INIT;
        int rc;

        nrd_error_clear();
        assert(file);
        assert(out);
        *out = NULL;
        if ((rc = nrd_json_record_append(&buf, file)) < 0) {
                nrd_buf_free(&buf);
                return rc;
        }
        *out = nrd_buf_detach(&buf);
        return *out ? 0 : NEREID_ERROR;
}
