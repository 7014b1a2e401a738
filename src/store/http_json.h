/*
 * http_json.h - reading the answers of a nereid-server (the HTTP API v1,
 * docs/api/http.md) for the http(s) store backend: error bodies to
 * NEREID_E* codes, and each answer's objects (projects, runs, fields,
 * records, references, cursors) to the store seam's types, every value
 * checked for its type and grammar as if the server were hostile. Pure
 * parsing: no network (http.c), no policy.
 */
#ifndef NEREID_HTTP_JSON_H
#define NEREID_HTTP_JSON_H

#include <jansson.h>
#include <stddef.h>
#include "store.h"

/* The answer code "conflict" (a field swap whose expectation failed):
 * nrd_http_json_error returns it so the caller can answer STORE_CONFLICT. */
#define HTTP_JSON_CONFLICT 1

/* Parse an answer body that must be one JSON object; NULL with
 * NEREID_ERROR's message "what: ..." otherwise. Caller json_decref()s. */
json_t *nrd_http_json_load(const char *text, size_t len, const char *what);

/* The NEREID_E* code of an error answer (HTTP status, body
 * {"error":{"code","message"}}), or HTTP_JSON_CONFLICT (its message set
 * with NEREID_EEXISTS). The message is the server's own for 400, 404 and
 * 409 (it names the object, as the embedded store's messages do),
 * "server SERVER: <its message>" otherwise, and "server SERVER: REQUEST:
 * HTTP <status>" for a body that holds no one-line message. */
int nrd_http_json_error(const char *text, size_t len, long status, const char *server,
                        const char *request);

/* The string member key of obj: 0 and *out borrowed from obj; NEREID_ERROR
 * naming key when it is missing or not a string (or, when nullable, *out
 * NULL for null). max: the most bytes it may have (0: no limit). */
int nrd_http_json_string(json_t *obj, const char *key, int nullable, size_t max, const char **out,
                         const char *what);

/* The member "next" of a page: *next NULL at the end, else a copy (caller
 * frees); NEREID_ERROR when it is not a string or null, or repeats prev
 * (a server that would make the walk loop). */
int nrd_http_json_next(json_t *obj, const char *prev, char **next, const char *what);

/* A 64-hex artifact hash member into out. */
int nrd_http_json_hash(json_t *obj, const char *key, char out[NEREID_HASH_HEXLEN + 1],
                       const char *what);

/* {"name","key","runs"}: name checked, key into key_out (2-10 letters). */
int nrd_http_json_project(json_t *obj, const char **name, char key_out[16], uint64_t *runs,
                          const char *what);

/* RUN = {"id","name","owner","creation_time","modification_time",...}
 * into info (caller clears it). */
int nrd_http_json_run(json_t *obj, store_run_info *info, const char *what);

/* The run number N of an ID "KEY-N" (checked); 0 when it is not one. */
uint64_t nrd_http_json_run_number(const char *id);

/* The records of a page {"files":[RECORD...]}: each parsed as SPEC section
 * 2's JSON form, checked as the library checks records from outside
 * (nrd_file_check), and strictly after *last by file_path (bytewise: the
 * order the walk promises; so no record comes twice), then given to cb.
 * *last is a copy of the last file_path seen (caller frees). A callback's
 * non-zero answer stops the walk and is returned. *count: records seen. */
int nrd_http_json_files(json_t *obj, char **last, store_file_cb cb, void *payload, size_t *count,
                        const char *what);

/* nrd_http_json_files and nrd_http_json_next over the text of a page
 * {"files":[...],"next":...} (members in any order, others ignored),
 * without building the page's tree: each record is parsed alone, so memory
 * holds one record's tree at a time. The text must be one object (strings,
 * brackets and separators checked; every record and the cursor are
 * parsed by jansson). prev: the cursor that brought the page. With cb
 * NULL the records are skipped, not read: only *next is found. */
int nrd_http_json_files_page(const char *text, size_t len, const char *prev, char **last,
                             store_file_cb cb, void *payload, size_t *count, char **next,
                             const char *what);

/* {"refs":[{"run","field"[,"file_path"]}]}: each given to cb (file_path
 * NULL when with_path is 0). */
int nrd_http_json_refs(json_t *obj, int with_path, store_ref_cb cb, void *payload,
                       const char *what);

/* {"fields":[{"path","hash"}]} in strictly increasing path order. */
int nrd_http_json_fields(json_t *obj, store_field_cb cb, void *payload, const char *what);

/* The roots of a field answer {"roots":[{"location","destination"}]}:
 * *out an array the caller frees with nrd_store_roots_free. */
int nrd_http_json_roots(json_t *obj, store_root **out, size_t *count, const char *what);

#endif
