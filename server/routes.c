/*
 * routes.c - the one route table of the HTTP API (docs/api/http.md): each
 * row is a method, a path pattern, the scope a token needs, the handler, the
 * largest body and a summary. Dispatch (srv_routes_match), the auth check
 * (auth.c reads the row's scope) and the OpenAPI document
 * (srv_routes_openapi) all enumerate this table, so no route exists outside
 * it; srv_routes_check refuses a row without a scope at start and in the
 * unit tests. Not the place for what a route does (handlers.c) or for
 * decoding and validating parameters (pathparam.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "server.h"

#define P   "/api/v1/projects/{ws}/{name}"
#define RUN P "/runs/{run}"

const struct srv_route srv_routes[] = {
    {"GET", "/api/v1/health", SRV_SCOPE_NONE, srv_h_health, 0, "the server is up, and its version"},
    {"GET", "/api/v1/openapi.json", SRV_SCOPE_TOKEN, srv_h_openapi, 0,
     "this document: every route of the API"},
    {"GET", "/api/v1/projects", SRV_SCOPE_READ, srv_h_projects, 0,
     "the projects the token may read, with their keys and numbers of runs"},
    {"PUT", P, SRV_SCOPE_WRITE, srv_h_project_put, SRV_BODY_MAX,
     "get or create a project, with a chosen run-ID key"},
    {"GET", P, SRV_SCOPE_READ, srv_h_project_get, 0, "a project: name, key and number of runs"},
    {"GET", P "/runs", SRV_SCOPE_READ, srv_h_runs, 0,
     "the runs of a project, oldest first, a page at a time"},
    {"POST", P "/runs", SRV_SCOPE_WRITE, srv_h_run_create, SRV_BODY_MAX,
     "create a run; a retry with the same uuid gives the same run"},
    {"GET", RUN, SRV_SCOPE_READ, srv_h_run_get, 0, "a run's sys/ values"},
    {"GET", RUN "/fields", SRV_SCOPE_READ, srv_h_fields, 0,
     "every artifact field of a run and its hash, sorted by path"},
    {"GET", RUN "/fields/{field+}", SRV_SCOPE_READ, srv_h_field_get, 0,
     "an artifact field: its hash and the places it was tracked from"},
    {"PUT", RUN "/fields/{field+}", SRV_SCOPE_WRITE, srv_h_field_put, SRV_BODY_MAX,
     "point a field at an artifact of the project, if it holds what is expected"},
    {"DELETE", RUN "/fields/{field+}", SRV_SCOPE_WRITE, srv_h_field_delete, 0,
     "remove a field, or every field below a namespace"},
    {"POST", RUN "/ops", SRV_SCOPE_WRITE, srv_h_op_apply, SRV_BODY_MAX,
     "apply one operation of a client's queue once per (queue, seq): a field write or removal"},
    {"PUT", P "/artifacts/{hash}", SRV_SCOPE_WRITE, srv_h_artifact_put, SRV_UPLOAD_MAX,
     "store an artifact's records; the server computes the hash and refuses a mismatch"},
    {"GET", P "/artifacts/{hash}", SRV_SCOPE_READ, srv_h_artifact_get, 0,
     "whether the project has an artifact, and its content hash"},
    {"GET", P "/artifacts/{hash}/files", SRV_SCOPE_READ, srv_h_artifact_files, 0,
     "an artifact's records sorted by file_path, a page at a time"},
    {"GET", P "/artifacts/{hash}/users", SRV_SCOPE_READ, srv_h_artifact_users, 0,
     "every field of the project holding an artifact"},
    {"GET", P "/file-hashes/{file_hash}/users", SRV_SCOPE_READ, srv_h_file_users, 0,
     "every field whose artifact has a file with this MD5, and its file_path"},
    {"GET", P "/diff", SRV_SCOPE_READ, srv_h_diff, 0,
     "files added, removed or changed from one field to another"},
    {"GET", P "/run-table", SRV_SCOPE_READ, srv_h_run_table, 0,
     "the table view: runs sorted, filtered and paged, with artifact field summaries"},
    {"GET", P "/artifacts/{hash}/preview", SRV_SCOPE_READ, srv_h_preview, 0,
     "the first bytes of a tracked local file, checked against its record (nereid ui only)"},
};

const size_t srv_routes_count = sizeof(srv_routes) / sizeof(srv_routes[0]);

static const char *const scope_names[] = {"unset", "none", "token", "read", "write", "admin"};

/* The next segment of s (up to '/' or the end): its length. */
static size_t seg_len(const char *s)
{
        return strcspn(s, "/");
}

static int is_param(const char *seg, size_t len)
{
        return len >= 3 && seg[0] == '{' && seg[len - 1] == '}';
}

static int is_rest_param(const char *seg, size_t len)
{
        return is_param(seg, len) && seg[len - 2] == '+';
}

/* Number of parameters in a pattern; -1 when malformed. */
static int pattern_params(const char *pattern)
{
        const char *s = pattern;
        int n = 0;

        if (strncmp(s, "/api/v1/", 8) != 0)
                return -1;
        while (*s == '/') {
                size_t len = seg_len(++s);
                size_t i;

                if (!len)
                        return -1;
                if (is_param(s, len)) {
                        if (is_rest_param(s, len) && s[len])
                                return -1; /* {x+} only last */
                        n++;
                } else {
                        for (i = 0; i < len; i++)
                                if (strchr("{}%", s[i]))
                                        return -1;
                }
                s += len;
        }
        return *s || n > SRV_PARAMS ? -1 : n;
}

int srv_routes_check(char *why, size_t cap)
{
        size_t i, j;

        for (i = 0; i < srv_routes_count; i++) {
                const struct srv_route *r = &srv_routes[i];
                const char *m = r->method ? r->method : "";

                if (strcmp(m, "GET") && strcmp(m, "PUT") && strcmp(m, "POST") &&
                    strcmp(m, "DELETE")) {
                        snprintf(why, cap, "route %zu: no method", i + 1);
                        return -1;
                }
                if (!r->pattern || pattern_params(r->pattern) < 0) {
                        snprintf(why, cap, "route %zu: bad pattern", i + 1);
                        return -1;
                }
                if (r->scope <= SRV_SCOPE_UNSET || r->scope > SRV_SCOPE_ADMIN) {
                        snprintf(why, cap, "route %s %s: no scope", m, r->pattern);
                        return -1;
                }
                if (!r->handler || !r->summary || !*r->summary) {
                        snprintf(why, cap, "route %s %s: no handler or summary", m, r->pattern);
                        return -1;
                }
                if (!strcmp(m, "GET") && r->body_max) {
                        snprintf(why, cap, "route %s %s: a GET with a body", m, r->pattern);
                        return -1;
                }
                for (j = 0; j < i; j++)
                        if (!strcmp(m, srv_routes[j].method) &&
                            !strcmp(r->pattern, srv_routes[j].pattern)) {
                                snprintf(why, cap, "route %s %s: twice", m, r->pattern);
                                return -1;
                        }
        }
        return 0;
}

/* Whether path has the shape of pattern (literal segments equal, one
 * non-empty segment per parameter, the rest for {x+}). */
static int shape_matches(const char *pattern, const char *path)
{
        const char *p = pattern, *s = path;

        while (*p == '/' && *s == '/') {
                size_t plen = seg_len(++p), slen = seg_len(++s);

                if (is_rest_param(p, plen))
                        return 1; /* the rest, any number of segments (checked later) */
                if (is_param(p, plen)) {
                        /* an empty parameter is a match, refused when decoded */
                } else if (plen != slen || memcmp(p, s, plen) != 0) {
                        return 0;
                }
                p += plen;
                s += slen;
        }
        return !*p && !*s;
}

/* Decode the parameters of path along pattern. */
static int decode_params(const char *pattern, const char *path, char *params[SRV_PARAMS], char *why,
                         size_t cap)
{
        const char *p = pattern, *s = path;
        int n = 0;

        while (*p == '/' && *s == '/') {
                size_t plen = seg_len(++p), slen = seg_len(++s);

                if (is_rest_param(p, plen)) {
                        /* Each segment decoded alone, so that %2F never makes a '/'. */
                        char joined[SRV_PARAM_MAX + 1];
                        size_t used = 0;

                        for (;;) {
                                char *seg = NULL;
                                size_t len;

                                slen = seg_len(s);
                                if (!slen) {
                                        snprintf(why, cap, "empty segment in the field path");
                                        return -1;
                                }
                                if (srv_path_decode(s, slen, 1, &seg, why, cap) < 0)
                                        return -1;
                                len = strlen(seg);
                                if (used + len + 1 > SRV_PARAM_MAX) {
                                        free(seg);
                                        snprintf(why, cap, "field path longer than %d bytes",
                                                 SRV_PARAM_MAX);
                                        return -1;
                                }
                                if (used)
                                        joined[used++] = '/';
                                memcpy(joined + used, seg, len);
                                used += len;
                                free(seg);
                                s += slen;
                                if (*s != '/')
                                        break;
                                s++;
                        }
                        joined[used] = '\0';
                        if (!(params[n++] = strdup(joined))) {
                                snprintf(why, cap, "out of memory");
                                return -1;
                        }
                        return 0;
                }
                if (is_param(p, plen)) {
                        if (!slen) {
                                snprintf(why, cap, "empty path parameter %.*s", (int)plen, p);
                                return -1;
                        }
                        if (srv_path_decode(s, slen, 1, &params[n++], why, cap) < 0)
                                return -1;
                }
                p += plen;
                s += slen;
        }
        return 0;
}

int srv_routes_match(const char *method, const char *path, const struct srv_route **route_out,
                     char *params[SRV_PARAMS], char *why, size_t cap)
{
        int other_method = 0;
        size_t i;

        *route_out = NULL;
        for (i = 0; i < SRV_PARAMS; i++)
                params[i] = NULL;
        for (i = 0; i < srv_routes_count; i++) {
                const struct srv_route *r = &srv_routes[i];

                if (!shape_matches(r->pattern, path))
                        continue;
                if (strcmp(r->method, method) != 0) {
                        other_method = 1;
                        continue;
                }
                *route_out = r;
                if (decode_params(r->pattern, path, params, why, cap) < 0) {
                        for (i = 0; i < SRV_PARAMS; i++) {
                                free(params[i]);
                                params[i] = NULL;
                        }
                        return 400;
                }
                return 0;
        }
        return other_method ? 405 : 404;
}

/* The names of a pattern's parameters, in order, into names (each at most
 * 15 bytes); returns how many. */
static int pattern_names(const char *pattern, char names[SRV_PARAMS][16])
{
        const char *s = pattern;
        int n = 0;

        while (*s == '/') {
                size_t len = seg_len(++s);

                if (is_param(s, len) && n < SRV_PARAMS) {
                        size_t nl = len - 2 - (is_rest_param(s, len) ? 1 : 0);

                        if (nl > 15)
                                nl = 15;
                        memcpy(names[n], s + 1, nl);
                        names[n][nl] = '\0';
                        n++;
                }
                s += len;
        }
        return n;
}

int srv_route_param_index(const struct srv_route *route, const char *name)
{
        char names[SRV_PARAMS][16];
        int n = pattern_names(route->pattern, names), i;

        for (i = 0; i < n; i++)
                if (!strcmp(names[i], name))
                        return i;
        return -1;
}

const char *srv_scope_name(enum srv_scope scope)
{
        return (unsigned)scope < sizeof(scope_names) / sizeof(scope_names[0]) ? scope_names[scope]
                                                                              : "unset";
}

/* The OpenAPI spelling of a pattern: {x+} as {x}. */
static void openapi_path(const char *pattern, char *out, size_t cap)
{
        size_t o = 0;

        for (; *pattern && o + 1 < cap; pattern++)
                if (!(*pattern == '+' && pattern[1] == '}'))
                        out[o++] = *pattern;
        out[o] = '\0';
}

static json_t *openapi_operation(const struct srv_route *r, size_t index)
{
        char names[SRV_PARAMS][16], opid[64];
        int n = pattern_names(r->pattern, names), i;
        json_t *op = json_object(), *params = json_array(), *responses = json_object();
        char method_lower[8];
        size_t k;

        for (k = 0; r->method[k] && k + 1 < sizeof(method_lower); k++)
                method_lower[k] = (char)(r->method[k] | 0x20);
        method_lower[k] = '\0';
        snprintf(opid, sizeof(opid), "route%zu_%s", index + 1, method_lower);
        json_object_set_new(op, "operationId", json_string(opid));
        json_object_set_new(op, "summary", json_string(r->summary));
        json_object_set_new(op, "x-nereid-scope", json_string(srv_scope_name(r->scope)));
        for (i = 0; i < n; i++)
                json_array_append_new(params,
                                      json_pack("{s:s, s:s, s:b, s:{s:s}}", "name", names[i], "in",
                                                "path", "required", 1, "schema", "type", "string"));
        json_object_set_new(op, "parameters", params);
        if (r->scope == SRV_SCOPE_NONE)
                json_object_set_new(op, "security", json_array());
        if (r->body_max)
                json_object_set_new(op, "requestBody",
                                    json_pack("{s:b, s:{s:{s:{}}}}", "required", 1, "content",
                                              "application/json", "schema"));
        json_object_set_new(responses, "200",
                            json_pack("{s:s}", "description", "success, JSON body"));
        json_object_set_new(
            responses, "default",
            json_pack("{s:s}", "description", "an error: {\"error\":{\"code\",\"message\"}}"));
        json_object_set_new(op, "responses", responses);
        return op;
}

json_t *srv_routes_openapi(void)
{
        json_t *doc, *paths = json_object();
        size_t i;

        for (i = 0; i < srv_routes_count; i++) {
                const struct srv_route *r = &srv_routes[i];
                char path[256], method_lower[8];
                json_t *item;
                size_t k;

                openapi_path(r->pattern, path, sizeof(path));
                if (!(item = json_object_get(paths, path))) {
                        item = json_object();
                        json_object_set_new(paths, path, item);
                }
                for (k = 0; r->method[k] && k + 1 < sizeof(method_lower); k++)
                        method_lower[k] = (char)(r->method[k] | 0x20);
                method_lower[k] = '\0';
                json_object_set_new(item, method_lower, openapi_operation(r, i));
        }
        doc = json_pack("{s:s, s:{s:s, s:s}, s:o, s:{s:{s:{s:s, s:s}}}, s:[{s:[]}]}", "openapi",
                        "3.0.3", "info", "title", "Nereid HTTP API", "version", "1", "paths", paths,
                        "components", "securitySchemes", "bearer", "type", "http", "scheme",
                        "bearer", "security", "bearer");
        return doc;
}
