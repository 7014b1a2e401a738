/*
 * http_json.c - the answers of a nereid-server (HTTP API v1) read into the
 * store seam's types, for the http(s) store backend (http.c). A server is
 * treated as untrusted input: every member is checked for its JSON type,
 * its length and its grammar (run IDs, hashes, field paths, records as
 * the library checks records from outside), and a list must move forward
 * (sorted, no item twice, no cursor twice), so a broken or hostile server
 * gives a clear error, never a crash, a loop or a record the embedded
 * store would not hold. Not for the transport (http.c) nor for building
 * request bodies.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../alloc.h"
#include "../buf.h"
#include "../error.h"
#include "../hash.h"
#include "../json.h"
#include "../record.h"
#include "../uri.h"
#include "http_json.h"
#include "http_page.h"

/* The most bytes of a server's error message kept in ours. */
#define HTTP_JSON_MESSAGE_MAX 400
/* The most bytes of a name, owner, root or cursor taken from an answer. */
#define HTTP_JSON_TEXT_MAX 65536

json_t *nrd_http_json_load(const char *text, size_t len, const char *what)
{
        json_error_t err;
        json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);

        if (!root) {
                nrd_error(NEREID_ERROR, "%s: the answer is not JSON: %s (line %d, column %d)", what,
                          err.text, err.line, err.column);
                return NULL;
        }
        if (!json_is_object(root)) {
                json_decref(root);
                nrd_error(NEREID_ERROR, "%s: the answer is not a JSON object", what);
                return NULL;
        }
        return root;
}

/* The code an error answer's status alone implies. */
static int http_json_status_code(long status)
{
        switch (status) {
        case 400:
        case 413:
                return NEREID_EINVALID;
        case 401:
        case 403:
                return NEREID_EACCESS;
        case 404:
                return NEREID_ENOTFOUND;
        case 409:
                return NEREID_EEXISTS;
        default:
                return NEREID_ERROR;
        }
}

/* The code named by an error answer's "code" (the library's names, and the
 * API's own), or 0 for an unknown name. */
static int http_json_named_code(const char *name)
{
        static const struct {
                const char *name;
                int code;
        } names[] = {
            {"invalid", NEREID_EINVALID},        {"not-found", NEREID_ENOTFOUND},
            {"access", NEREID_EACCESS},          {"access-denied", NEREID_EACCESS},
            {"unauthenticated", NEREID_EACCESS}, {"forbidden", NEREID_EACCESS},
            {"integrity", NEREID_EINTEGRITY},    {"exists", NEREID_EEXISTS},
            {"read-only", NEREID_EREADONLY},     {"too-large", NEREID_EINVALID},
            {"rate-limited", NEREID_ERROR},      {"error", NEREID_ERROR},
            {"conflict", HTTP_JSON_CONFLICT},
        };
        size_t i;

        for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
                if (strcmp(name, names[i].name) == 0)
                        return names[i].code;
        return 0;
}

int nrd_http_json_error(const char *text, size_t len, long status, const char *server,
                        const char *request)
{
        json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
        json_t *error = root ? json_object_get(root, "error") : NULL;
        const char *name = NULL, *message = NULL;
        int code = http_json_status_code(status), named, set;

        if (json_is_object(error)) {
                name = json_string_value(json_object_get(error, "code"));
                message = json_string_value(json_object_get(error, "message"));
        }
        if (name && (named = http_json_named_code(name)) != 0)
                code = named;
        /* 401 and 403 are always refusals, whatever the body says. */
        if (status == 401 || status == 403)
                code = NEREID_EACCESS;
        set = code == HTTP_JSON_CONFLICT ? NEREID_EEXISTS : code;
        if (!message || !*message || strlen(message) > HTTP_JSON_MESSAGE_MAX ||
            strpbrk(message, "\r\n"))
                nrd_error(set, "server %s: %s: HTTP %ld", server, request, status);
        else if (status == 400 || status == 404 || status == 409)
                nrd_error(set, "%s", message); /* it names the object, as the store's do */
        else
                nrd_error(set, "server %s: %s", server, message);
        json_decref(root);
        return code;
}

int nrd_http_json_string(json_t *obj, const char *key, int nullable, size_t max, const char **out,
                         const char *what)
{
        json_t *value = json_object_get(obj, key);

        *out = NULL;
        if (nullable && (!value || json_is_null(value)))
                return 0;
        if (!json_is_string(value))
                return nrd_error(NEREID_ERROR, "%s: \"%s\" is %s in the answer", what, key,
                                 value ? "not a string" : "missing");
        if (max && json_string_length(value) > max)
                return nrd_error(NEREID_ERROR, "%s: \"%s\" is longer than %zu bytes", what, key,
                                 max);
        *out = json_string_value(value);
        return 0;
}

int nrd_http_json_next(json_t *obj, const char *prev, char **next, const char *what)
{
        const char *cursor;
        int rc;

        *next = NULL;
        if ((rc = nrd_http_json_string(obj, "next", 1, 4096, &cursor, what)) < 0)
                return rc;
        if (!cursor)
                return 0;
        if (!*cursor || (prev && strcmp(cursor, prev) == 0))
                return nrd_error(NEREID_ERROR, "%s: the server's next page cursor %s", what,
                                 *cursor ? "repeats the last one" : "is empty");
        *next = nrd_strdup(cursor);
        return *next ? 0 : NEREID_ERROR;
}

int nrd_http_json_hash(json_t *obj, const char *key, char out[NEREID_HASH_HEXLEN + 1],
                       const char *what)
{
        const char *hash;
        int rc;

        if ((rc = nrd_http_json_string(obj, key, 0, 0, &hash, what)) < 0)
                return rc;
        if (!nrd_hash_is_sha256(hash))
                return nrd_error(NEREID_ERROR, "%s: \"%s\" is not a 64-hex hash in the answer",
                                 what, key);
        memcpy(out, hash, NEREID_HASH_HEXLEN + 1);
        return 0;
}

/* An unsigned integer member. */
static int http_json_count(json_t *obj, const char *key, uint64_t *out, const char *what)
{
        json_t *value = json_object_get(obj, key);

        if (!json_is_integer(value) || json_integer_value(value) < 0)
                return nrd_error(NEREID_ERROR, "%s: \"%s\" is not a count in the answer", what,
                                 key);
        *out = (uint64_t)json_integer_value(value);
        return 0;
}

int nrd_http_json_project(json_t *obj, const char **name, char key_out[16], uint64_t *runs,
                          const char *what)
{
        const char *key;
        int rc;

        if (!json_is_object(obj))
                return nrd_error(NEREID_ERROR, "%s: a project is not an object", what);
        if ((rc = nrd_http_json_string(obj, "name", 0, 0, name, what)) < 0 ||
            (rc = nrd_http_json_string(obj, "key", 0, 15, &key, what)) < 0 ||
            (rc = http_json_count(obj, "runs", runs, what)) < 0)
                return rc;
        if (nrd_uri_check_project_name(*name) < 0 || nrd_uri_check_project_key(key) < 0)
                return nrd_error(NEREID_ERROR, "%s: a project's name or key is malformed", what);
        snprintf(key_out, 16, "%s", key);
        return 0;
}

uint64_t nrd_http_json_run_number(const char *id)
{
        const char *dash = strrchr(id, '-');
        uint64_t n = 0;

        if (nrd_uri_check_run_id(id) < 0 || !dash)
                return 0;
        for (dash++; *dash; dash++) {
                if (n > (UINT64_MAX - 9) / 10)
                        return 0;
                n = n * 10 + (uint64_t)(*dash - '0');
        }
        return n;
}

/* A time member: SPEC's UTC ISO 8601 string, at most 31 bytes. */
static int http_json_time(json_t *obj, const char *key, char out[32], const char *what)
{
        const char *t;
        int rc;

        if ((rc = nrd_http_json_string(obj, key, 0, 31, &t, what)) < 0)
                return rc;
        snprintf(out, 32, "%s", t);
        return 0;
}

/* The optional members of a run (version 4): uuid, custom_run_id,
 * description, tags. */
static int http_json_run_extra(json_t *obj, store_run_info *info, const char *what)
{
        const char *uuid, *custom, *description;
        json_t *tags = json_object_get(obj, "tags"), *tag;
        size_t i;
        int rc;

        if ((rc = nrd_http_json_string(obj, "uuid", 1, 36, &uuid, what)) < 0 ||
            (rc = nrd_http_json_string(obj, "custom_run_id", 1, STORE_CUSTOM_ID_MAX, &custom,
                                       what)) < 0 ||
            (rc = nrd_http_json_string(obj, "description", 1, STORE_DESCRIPTION_MAX, &description,
                                       what)) < 0)
                return rc;
        if (uuid && nrd_store_uuid_check(uuid) < 0)
                return nrd_error(NEREID_ERROR, "%s: a run's uuid is malformed", what);
        snprintf(info->uuid, sizeof(info->uuid), "%s", uuid ? uuid : "");
        if ((custom && !(info->custom_run_id = nrd_strdup(custom))) ||
            !(info->description = nrd_strdup(description ? description : "")))
                return NEREID_ERROR;
        if (!tags || json_is_null(tags))
                return 0;
        if (!json_is_array(tags) || json_array_size(tags) > STORE_TAGS_MAX)
                return nrd_error(NEREID_ERROR, "%s: a run's tags are not an array of at most %d",
                                 what, STORE_TAGS_MAX);
        if (json_array_size(tags) &&
            !(info->tags = nrd_calloc(json_array_size(tags), sizeof(*info->tags))))
                return NEREID_ERROR;
        json_array_foreach(tags, i, tag)
        {
                const char *t = json_string_value(tag);

                if (!t || nrd_store_tag_check(t) < 0 ||
                    (info->ntags && strcmp(info->tags[info->ntags - 1], t) >= 0))
                        return nrd_error(NEREID_ERROR,
                                         "%s: a run's tag is malformed, repeated or out of order",
                                         what);
                if (!(info->tags[info->ntags] = nrd_strdup(t)))
                        return NEREID_ERROR;
                info->ntags++;
        }
        return 0;
}

int nrd_http_json_run(json_t *obj, store_run_info *info, const char *what)
{
        const char *id, *name, *owner;
        int rc;

        memset(info, 0, sizeof(*info));
        if (!json_is_object(obj))
                return nrd_error(NEREID_ERROR, "%s: a run is not an object", what);
        if ((rc = nrd_http_json_string(obj, "id", 0, 31, &id, what)) < 0 ||
            (rc = nrd_http_json_string(obj, "name", 1, HTTP_JSON_TEXT_MAX, &name, what)) < 0 ||
            (rc = nrd_http_json_string(obj, "owner", 1, HTTP_JSON_TEXT_MAX, &owner, what)) < 0 ||
            (rc = http_json_time(obj, "creation_time", info->creation_time, what)) < 0 ||
            (rc = http_json_time(obj, "modification_time", info->modification_time, what)) < 0)
                return rc;
        if (!nrd_http_json_run_number(id))
                return nrd_error(NEREID_ERROR, "%s: a run ID in the answer is malformed", what);
        snprintf(info->id, sizeof(info->id), "%s", id);
        info->name = nrd_strdup(name ? name : "");
        info->owner = nrd_strdup(owner ? owner : "");
        if (!info->name || !info->owner || (rc = http_json_run_extra(obj, info, what)) < 0) {
                nrd_store_run_info_clear(info);
                return rc < 0 ? rc : NEREID_ERROR;
        }
        return 0;
}

/* The array member key of obj. */
static json_t *http_json_array(json_t *obj, const char *key, const char *what)
{
        json_t *value = json_object_get(obj, key);

        if (!json_is_array(value))
                nrd_error(NEREID_ERROR, "%s: \"%s\" is %s in the answer", what, key,
                          value ? "not an array" : "missing");
        return json_is_array(value) ? value : NULL;
}

/* Keep a copy of path in *last, reusing its allocation when it is large
 * enough (*last_cap: its size, kept with it by every caller; 0 when
 * unknown). */
static int http_json_last_set(char **last, size_t *last_cap, const char *path)
{
        size_t len = strlen(path);

        if (!*last || *last_cap <= len) {
                size_t cap = len + 1 < 256 ? 256 : len + 1;
                char *copy = nrd_malloc(cap);

                if (!copy)
                        return NEREID_ERROR;
                free(*last);
                *last = copy;
                *last_cap = cap;
        }
        memcpy(*last, path, len + 1);
        return 0;
}

/* A parsed record (rc from its parse): checked, in order after *last,
 * given to cb; cleared when owned (its strings its own; otherwise they
 * live in the page reader's scratch). */
static int http_json_file_given(int rc, struct nereid_file *file, int owned, char **last,
                                size_t *last_cap, store_file_cb cb, void *payload, size_t *count,
                                const char *what)
{
        if (rc < 0 || (rc = nrd_file_check(file, what)) < 0) {
                char why[1024];

                if (owned)
                        nrd_file_clear(file);
                /* A server's bad record is the server's failure, not the
                 * user's: NEREID_ERROR, with the record's message. */
                snprintf(why, sizeof(why), "%s", nereid_error_last());
                return nrd_error(NEREID_ERROR, "%s", why);
        }
        (*count)++;
        if (*last && strcmp(file->file_path, *last) <= 0) {
                if (owned)
                        nrd_file_clear(file);
                return nrd_error(NEREID_ERROR,
                                 "%s: record %zu is out of order or repeated (the records must "
                                 "come sorted by file_path)",
                                 what, *count);
        }
        if (http_json_last_set(last, last_cap, file->file_path) < 0) {
                if (owned)
                        nrd_file_clear(file);
                return NEREID_ERROR;
        }
        rc = cb(payload, file);
        if (owned)
                nrd_file_clear(file);
        return rc;
}

/* One record of a page: parsed, checked, in order after *last, given to cb. */
static int http_json_file_one(json_t *value, char **last, size_t *last_cap, store_file_cb cb,
                              void *payload, size_t *count, const char *what)
{
        struct nereid_file file;
        int rc = nrd_json_record_value(value, what, *count + 1, &file);

        return http_json_file_given(rc, &file, 1, last, last_cap, cb, payload, count, what);
}

int nrd_http_json_files(json_t *obj, char **last, store_file_cb cb, void *payload, size_t *count,
                        const char *what)
{
        json_t *files = http_json_array(obj, "files", what), *value;
        size_t i, last_cap = 0;
        int rc;

        if (!files)
                return NEREID_ERROR;
        json_array_foreach(files, i, value)
        {
                if ((rc = http_json_file_one(value, last, &last_cap, cb, payload, count, what)) !=
                    0)
                        return rc;
        }
        return 0;
}

int nrd_http_json_refs(json_t *obj, int with_path, store_ref_cb cb, void *payload, const char *what)
{
        json_t *refs = http_json_array(obj, "refs", what), *value;
        const char *run, *field, *path = NULL;
        size_t i;
        int rc;

        if (!refs)
                return NEREID_ERROR;
        json_array_foreach(refs, i, value)
        {
                if (!json_is_object(value))
                        return nrd_error(NEREID_ERROR, "%s: a reference is not an object", what);
                if ((rc = nrd_http_json_string(value, "run", 0, 31, &run, what)) < 0 ||
                    (rc = nrd_http_json_string(value, "field", 0, 0, &field, what)) < 0 ||
                    (with_path && (rc = nrd_http_json_string(value, "file_path", 0,
                                                             HTTP_JSON_TEXT_MAX, &path, what)) < 0))
                        return rc;
                if (!nrd_http_json_run_number(run) || nrd_uri_check_field(field) < 0)
                        return nrd_error(NEREID_ERROR,
                                         "%s: a reference's run or field is malformed", what);
                if ((rc = cb(payload, run, field, with_path ? path : NULL)) != 0)
                        return rc;
        }
        return 0;
}

int nrd_http_json_fields(json_t *obj, store_field_cb cb, void *payload, const char *what)
{
        json_t *fields = http_json_array(obj, "fields", what), *value;
        const char *path, *prev = NULL;
        char hash[NEREID_HASH_HEXLEN + 1];
        size_t i;
        int rc;

        if (!fields)
                return NEREID_ERROR;
        json_array_foreach(fields, i, value)
        {
                if (!json_is_object(value))
                        return nrd_error(NEREID_ERROR, "%s: a field is not an object", what);
                if ((rc = nrd_http_json_string(value, "path", 0, 0, &path, what)) < 0 ||
                    (rc = nrd_http_json_hash(value, "hash", hash, what)) < 0)
                        return rc;
                if (nrd_uri_check_field(path) < 0)
                        return nrd_error(NEREID_ERROR, "%s: a field path is malformed", what);
                if (prev && strcmp(path, prev) <= 0)
                        return nrd_error(NEREID_ERROR,
                                         "%s: the fields are out of order or repeated", what);
                prev = path;
                if ((rc = cb(payload, path, hash)) != 0)
                        return rc;
        }
        return 0;
}

int nrd_http_json_roots(json_t *obj, store_root **out, size_t *count, const char *what)
{
        json_t *roots = http_json_array(obj, "roots", what), *value;
        store_root *list = NULL;
        const char *location, *destination;
        size_t i, n = 0;
        int rc = 0;

        *out = NULL;
        *count = 0;
        if (!roots)
                return NEREID_ERROR;
        if (json_array_size(roots) && !(list = nrd_calloc(json_array_size(roots), sizeof(*list))))
                return NEREID_ERROR;
        json_array_foreach(roots, i, value)
        {
                if (!json_is_object(value)) {
                        rc = nrd_error(NEREID_ERROR, "%s: a root is not an object", what);
                        break;
                }
                if ((rc = nrd_http_json_string(value, "location", 0, HTTP_JSON_TEXT_MAX, &location,
                                               what)) < 0 ||
                    (rc = nrd_http_json_string(value, "destination", 1, HTTP_JSON_TEXT_MAX,
                                               &destination, what)) < 0)
                        break;
                list[n].location = nrd_strdup(location);
                list[n].destination = nrd_strdup(destination ? destination : "");
                n++;
                if (!list[n - 1].location || !list[n - 1].destination) {
                        rc = NEREID_ERROR;
                        break;
                }
        }
        if (rc < 0) {
                nrd_store_roots_free(list, n);
                return rc;
        }
        *out = list;
        *count = n;
        return 0;
}

/* --- a page of records read one record at a time --- */

static size_t http_json_ws(const char *t, size_t len, size_t i)
{
        while (i < len && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r'))
                i++;
        return i;
}

/* The end of the string starting at t[i] == '"' (past its closing quote),
 * or 0 when it does not end. */
static size_t http_json_string_end(const char *t, size_t len, size_t i)
{
        for (i++; i < len; i++) {
                if (t[i] == '\\')
                        i++;
                else if (t[i] == '"')
                        return i + 1;
        }
        return 0;
}

/* The end of the JSON value starting at t[i] (its extent only: jansson
 * judges the value itself), or 0 when it does not end. */
static size_t http_json_value_end(const char *t, size_t len, size_t i)
{
        size_t depth = 0;

        if (i >= len)
                return 0;
        if (t[i] == '"')
                return http_json_string_end(t, len, i);
        if (t[i] != '{' && t[i] != '[') {
                while (i < len && !strchr(",}] \t\r\n", t[i]))
                        i++;
                return i;
        }
        for (; i < len; i++) {
                if (t[i] == '"') {
                        if (!(i = http_json_string_end(t, len, i)))
                                return 0;
                        i--;
                } else if (t[i] == '{' || t[i] == '[') {
                        depth++;
                } else if (t[i] == '}' || t[i] == ']') {
                        if (--depth == 0)
                                return i + 1;
                }
        }
        return 0;
}

static int http_json_page_bad(const char *what, size_t at)
{
        return nrd_error(NEREID_ERROR, "%s: the answer is not a page of records (at byte %zu)",
                         what, at);
}

/* One record of a page's text at t[i]: in one pass when it has the common
 * shape (http_page.c, its strings in scratch), otherwise its extent found
 * and the record parsed alone by jansson; then checked as
 * nrd_http_json_files does. *end: just past it. */
static int http_json_page_record(const char *t, size_t len, size_t i, size_t *end,
                                 nereid_buf *scratch, char **last, size_t *last_cap,
                                 store_file_cb cb, void *payload, size_t *count, const char *what)
{
        struct nereid_file file;
        json_error_t err;
        json_t *value;
        size_t n;
        int rc;

        if ((rc = nrd_http_page_record_scan(t + i, len - i, scratch, &file, &n)) < 0)
                return rc;
        if (rc == 1) {
                *end = i + n;
                return http_json_file_given(0, &file, 0, last, last_cap, cb, payload, count, what);
        }
        if (!(n = http_json_value_end(t, len, i)))
                return http_json_page_bad(what, i);
        *end = n;
        if (!(value = json_loadb(t + i, n - i, JSON_REJECT_DUPLICATES, &err)))
                return nrd_error(NEREID_ERROR, "%s: record %zu is not JSON: %s", what, *count + 1,
                                 err.text);
        rc = http_json_file_one(value, last, last_cap, cb, payload, count, what);
        json_decref(value);
        return rc;
}

static int http_json_files_text(const char *t, size_t len, const char *prev, char **last,
                                store_file_cb cb, void *payload, size_t *count, char **next,
                                const char *what, nereid_buf *scratch)
{
        size_t i = http_json_ws(t, len, 0), key, key_end, end = 0, last_cap = 0;
        int rc = 0, seen_files = 0, seen_next = 0;

        *next = NULL;
        if (i >= len || t[i] != '{')
                return http_json_page_bad(what, i);
        for (i = http_json_ws(t, len, i + 1); i < len && t[i] != '}';) {
                if (t[i] != '"' || !(key_end = http_json_string_end(t, len, i)))
                        return http_json_page_bad(what, i);
                key = i + 1;
                i = http_json_ws(t, len, key_end);
                if (i >= len || t[i] != ':')
                        return http_json_page_bad(what, i);
                i = http_json_ws(t, len, i + 1);
                if (key_end - key - 1 == 5 && memcmp(t + key, "files", 5) == 0) {
                        if (seen_files++ || i >= len || t[i] != '[')
                                return http_json_page_bad(what, i);
                        if (!cb) { /* only the cursor is wanted */
                                if (!(end = http_json_value_end(t, len, i)))
                                        return http_json_page_bad(what, i);
                                goto member_done;
                        }
                        for (i = http_json_ws(t, len, i + 1); i < len && t[i] != ']';) {
                                if ((rc = http_json_page_record(t, len, i, &end, scratch, last,
                                                                &last_cap, cb, payload, count,
                                                                what)) != 0)
                                        return rc;
                                i = http_json_ws(t, len, end);
                                if (i < len && t[i] == ',')
                                        i = http_json_ws(t, len, i + 1);
                                else if (i >= len || t[i] != ']')
                                        return http_json_page_bad(what, i);
                        }
                        if (i >= len)
                                return http_json_page_bad(what, i);
                        end = i + 1;
                } else if (key_end - key - 1 == 4 && memcmp(t + key, "next", 4) == 0) {
                        json_t *obj, *value;

                        if (seen_next++ || !(end = http_json_value_end(t, len, i)))
                                return http_json_page_bad(what, i);
                        value = json_loadb(t + i, end - i, JSON_DECODE_ANY, NULL);
                        obj = value ? json_object() : NULL;
                        if (!obj || json_object_set_new(obj, "next", value) < 0) {
                                json_decref(obj);
                                return value ? nrd_error_oom() : http_json_page_bad(what, i);
                        }
                        rc = nrd_http_json_next(obj, prev, next, what);
                        json_decref(obj);
                        if (rc < 0)
                                return rc;
                } else if (!(end = http_json_value_end(t, len, i))) {
                        return http_json_page_bad(what, i);
                }
        member_done:
                i = http_json_ws(t, len, end);
                if (i < len && t[i] == ',')
                        i = http_json_ws(t, len, i + 1);
                else if (i >= len || t[i] != '}')
                        return http_json_page_bad(what, i);
        }
        if (i >= len || http_json_ws(t, len, i + 1) != len || !seen_files) {
                free(*next);
                *next = NULL;
                return seen_files ? http_json_page_bad(what, i)
                                  : nrd_error(NEREID_ERROR,
                                              "%s: \"files\" is missing in the answer", what);
        }
        return 0;
}

int nrd_http_json_files_page(const char *t, size_t len, const char *prev, char **last,
                             store_file_cb cb, void *payload, size_t *count, char **next,
                             const char *what)
{
        nereid_buf scratch = NEREID_BUF_INIT;
        int rc = http_json_files_text(t, len, prev, last, cb, payload, count, next, what, &scratch);

        nrd_buf_free(&scratch);
        return rc;
}
