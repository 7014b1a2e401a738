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
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "error.h"
#include "json.h"

/* How much of an unknown key an error message quotes. */
#define JSON_QUOTE_MAX 80

/* Adds the string text under key; label names it in the message when text is not UTF-8. */
static int json_set_string(json_t *obj, const char *key, const char *text, const char *label,
                           const char *file_path)
{
        json_t *value = json_string(text);

        if (!value)
                return nereid_error(NEREID_EUSAGE, "record \"%s\": %s is not valid UTF-8",
                                    file_path, label);
        if (json_object_set_new(obj, key, value) < 0)
                return nereid_error_oom();
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
                rc = nereid_error(NEREID_EUSAGE,
                                  "record \"%s\": file_path, file_hash and type "
                                  "are required",
                                  name);
                goto cleanup;
        }
        if (file->has_size && file->size > (uint64_t)INT64_MAX) {
                rc = nereid_error(NEREID_EUSAGE, "record \"%s\": size is too large", name);
                goto cleanup;
        }
        obj = json_object();
        meta = json_object();
        if (!obj || !meta) {
                rc = nereid_error_oom();
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
                rc = nereid_error_oom();
        if (rc == 0 && file->source)
                rc = json_set_string(meta, "file_path", file->source, "metadata.file_path", name);
        if (rc == 0 && file->last_modified)
                rc = json_set_string(meta, "last_modified", file->last_modified,
                                     "metadata.last_modified", name);
        if (rc < 0)
                goto cleanup;
        rc = json_object_set(obj, "metadata", meta) < 0 ? nereid_error_oom() : 0;
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
        return buf_put(data, buffer, size) < 0 ? -1 : 0;
}

int json_record_append(nereid_buf *buf, const struct nereid_file *file)
{
        json_t *obj;
        int rc = json_record_build(file, &obj);

        if (rc < 0)
                return rc;
        if (json_dump_callback(obj, json_buf_sink, buf, JSON_COMPACT | JSON_PRESERVE_ORDER) < 0)
                rc = nereid_error_oom();
        json_decref(obj);
        return rc;
}

/* *out = a copy of the string value, or an error naming where and key. */
static int json_take_string(const json_t *value, const char *where, const char *key, char **out)
{
        if (!json_is_string(value))
                return nereid_error(NEREID_EUSAGE, "%s: \"%s\" must be a string", where, key);
        *out = nereid_strdup(json_string_value(value));
        return *out ? 0 : NEREID_ERROR;
}

static int json_required_string(json_t *obj, const char *where, const char *key, char **out)
{
        json_t *value = json_object_get(obj, key);

        if (!value)
                return nereid_error(NEREID_EUSAGE, "%s: \"%s\" is missing", where, key);
        return json_take_string(value, where, key, out);
}

static int json_metadata_parse(json_t *meta, const char *where, struct nereid_file *out)
{
        const char *key;
        json_t *value;
        int rc;

        if (!json_is_object(meta))
                return nereid_error(NEREID_EUSAGE, "%s: \"metadata\" must be an object", where);
        json_object_foreach(meta, key, value)
        {
                if (strcmp(key, "file_path") == 0)
                        rc = json_take_string(value, where, "metadata.file_path", &out->source);
                else if (strcmp(key, "last_modified") == 0)
                        rc = json_take_string(value, where, "metadata.last_modified",
                                              &out->last_modified);
                else
                        rc = nereid_error(NEREID_EUSAGE,
                                          "%s: unknown key \"metadata.%.*s\" (known: file_path, "
                                          "last_modified)",
                                          where, JSON_QUOTE_MAX, key);
                if (rc < 0)
                        return rc;
        }
        return 0;
}

/* One record object; index is 1-based for messages, 0 for a lone record. */
static int json_record_from(json_t *obj, size_t index, struct nereid_file *out)
{
        static const char *const known[] = {"file_path", "file_hash", "type", "size", "metadata"};
        char where[40];
        const char *key;
        json_t *value;
        int rc = 0;
        size_t i;

        memset(out, 0, sizeof(*out));
        if (index)
                snprintf(where, sizeof(where), "record %zu", index);
        else
                snprintf(where, sizeof(where), "record");
        if (!json_is_object(obj))
                return nereid_error(NEREID_EUSAGE, "%s: expected an object", where);
        json_object_foreach(obj, key, value)
        {
                for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
                        if (strcmp(key, known[i]) == 0)
                                break;
                }
                if (i == sizeof(known) / sizeof(known[0])) {
                        rc = nereid_error(NEREID_EUSAGE,
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
                        rc =
                            nereid_error(NEREID_EUSAGE, "%s: \"size\" must not be negative", where);
                        goto cleanup;
                }
                out->size = (uint64_t)size;
                out->has_size = 1;
        } else if (value && !json_is_null(value)) {
                rc = nereid_error(NEREID_EUSAGE, "%s: \"size\" must be an integer or null", where);
                goto cleanup;
        }
        value = json_object_get(obj, "metadata");
        if (value && (rc = json_metadata_parse(value, where, out)) < 0)
                goto cleanup;
cleanup:
        if (rc < 0)
                file_clear(out);
        return rc;
}

/* Parse text with jansson, strictly: no duplicate keys, no NUL in strings. */
static json_t *json_load_strict(const char *text, size_t len)
{
        json_error_t err;
        json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);

        if (!root)
                nereid_error(NEREID_EUSAGE, "JSON: %s (line %d, column %d)", err.text, err.line,
                             err.column);
        return root;
}

int json_record_parse(const char *text, size_t len, struct nereid_file *out)
{
        json_t *root;
        int rc;

        memset(out, 0, sizeof(*out));
        if (!text)
                return nereid_error(NEREID_EUSAGE, "JSON: no text");
        root = json_load_strict(text, len);
        if (!root)
                return NEREID_EUSAGE;
        rc = json_record_from(root, 0, out);
        json_decref(root);
        return rc;
}

int json_files_parse(const char *text, size_t len, nereid_files **out)
{
        nereid_files *files = NULL;
        json_t *root = NULL;
        size_t i;
        int rc = 0;

        *out = NULL;
        if (!text)
                return nereid_error(NEREID_EUSAGE, "JSON: no text");
        root = json_load_strict(text, len);
        if (!root) {
                rc = NEREID_EUSAGE;
                goto cleanup;
        }
        if (!json_is_array(root)) {
                rc = nereid_error(NEREID_EUSAGE, "JSON: expected an array of records");
                goto cleanup;
        }
        files = files_new();
        if (!files) {
                rc = NEREID_ERROR;
                goto cleanup;
        }
        for (i = 0; i < json_array_size(root); i++) {
                struct nereid_file file;

                rc = json_record_from(json_array_get(root, i), i + 1, &file);
                if (rc < 0)
                        goto cleanup;
                rc = files_push(files, &file);
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

int nereid_files_to_json(const nereid_files *files, char **out)
{
        nereid_buf buf = NEREID_BUF_INIT;
        size_t i, count = files ? files->count : 0;
        int rc = 0;

        *out = NULL;
        if (buf_putc(&buf, '[') < 0) {
                rc = NEREID_ERROR;
                goto cleanup;
        }
        for (i = 0; i < count; i++) {
                if (i && buf_putc(&buf, ',') < 0) {
                        rc = NEREID_ERROR;
                        goto cleanup;
                }
                rc = json_record_append(&buf, &files->items[i]);
                if (rc < 0)
                        goto cleanup;
        }
        if (buf_putc(&buf, ']') < 0) {
                rc = NEREID_ERROR;
                goto cleanup;
        }
        *out = buf_detach(&buf);
cleanup:
        buf_free(&buf);
        return rc;
}

int nereid_files_from_json(const char *json, nereid_files **out)
{
        *out = NULL;
        if (!json)
                return nereid_error(NEREID_EUSAGE, "JSON: no text");
        return json_files_parse(json, strlen(json), out);
}

int nereid_file_to_json(const nereid_file *file, char **out)
{
        nereid_buf buf = NEREID_BUF_INIT;
        int rc;

        *out = NULL;
        if ((rc = json_record_append(&buf, file)) < 0) {
                buf_free(&buf);
                return rc;
        }
        *out = buf_detach(&buf);
        return *out ? 0 : NEREID_ERROR;
}
