/*
 * server.h - what the files of nereid-server share: the route table's row
 * type and scopes, a request as the handlers see it, the store pool and the
 * helpers that answer with JSON. The server is a transport for the store
 * seam (src/store/store.h): handlers validate, authorise, then call the
 * store and the library's own policy functions. Not the place for policy
 * (the union rule, hashing, record checks): that is the library's.
 */
#ifndef NEREID_SERVER_H
#define NEREID_SERVER_H

#include <jansson.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "store/store.h"

/* Limits, set once here (STYLE: limits in one place). */
#define SRV_BODY_MAX           ((size_t)1 << 20)   /* a JSON request body: 1 MiB */
#define SRV_UPLOAD_MAX         ((size_t)256 << 20) /* an artifact's records (route 13): 256 MiB */
#define SRV_JSON_DEPTH         64                  /* deepest JSON a request body may nest */
#define SRV_PARAM_MAX          1024                /* one decoded path parameter, in bytes */
#define SRV_PARAMS             4                   /* path parameters of the longest pattern */
#define SRV_RUNS_LIMIT         1000                /* route 6: default page */
#define SRV_RUNS_LIMIT_MAX     10000               /* route 6: largest page */
#define SRV_FILES_LIMIT        10000               /* route 15: default and largest page */
#define SRV_TOUCH_SECONDS      60                  /* last_used is written at most this often */
#define SRV_PREVIEW_MAX        ((size_t)1 << 20)   /* bytes of a file a preview reads */
#define SRV_PREVIEW_S3_MAX     64                  /* buckets of serve/ui --preview-s3 */
#define SRV_RATE_DEFAULT       200 /* requests a second per token (serve --rate-limit) */
#define SRV_RATE_BURST_SECONDS 20  /* default burst: this many seconds of the rate */

/* The scope a route needs. 0 is no scope: a row without one fails
 * srv_routes_check (run at start and by tests/unit/test_server_routes.c). */
enum srv_scope {
        SRV_SCOPE_UNSET = 0,
        SRV_SCOPE_NONE,  /* no token at all (health) */
        SRV_SCOPE_TOKEN, /* any valid token, whatever its project and role */
        SRV_SCOPE_READ,  /* a read, write or admin token of the route's project */
        SRV_SCOPE_WRITE, /* a write or admin token of the route's project */
        SRV_SCOPE_ADMIN, /* an admin token */
};

struct srv_request;
struct srv_server;
struct options_config;

typedef void (*srv_handler)(struct srv_request *req);

/* One row of the route table (routes.c). */
struct srv_route {
        const char *method;  /* "GET", "PUT", "POST", "DELETE" */
        const char *pattern; /* "/api/v1/projects/{ws}/{name}"; "{field+}" takes the rest */
        enum srv_scope scope;
        srv_handler handler;
        size_t body_max;     /* largest body accepted; 0: the route takes no body */
        const char *summary; /* one line, for the OpenAPI document */
};

/* The authenticated token of a request. */
struct srv_auth {
        int ok;            /* 1 once a valid token was found */
        uint64_t id;       /* the token's ID */
        char name[256];    /* the token's name: sys/owner of runs it makes */
        char project[512]; /* "workspace/project" or "*" */
        int role;          /* enum store_role: read < write < admin */
};

/* A request, from its first call to its completion (http.c owns it). */
struct srv_request {
        struct srv_server *srv;
        void *conn;                          /* the struct MHD_Connection */
        const struct srv_route *route;       /* NULL: no route matched */
        char *params[SRV_PARAMS];            /* decoded path parameters, in pattern order */
        char project[SRV_PARAM_MAX * 2 + 2]; /* "ws/name" when the pattern has them */
        nereid_store *store;                 /* from the pool for the handler's call */
        struct srv_auth auth;
        char *body;  /* the request body, NUL-terminated */
        FILE *spool; /* a body larger than SRV_BODY_MAX, on disk (unlinked), or NULL */
        size_t body_len;
        size_t body_cap;
        size_t body_max;
        int too_large;       /* the body passed body_max */
        int answered;        /* a response was queued */
        unsigned status;     /* the status answered, for the log */
        double started;      /* monotonic seconds at the first call */
        int match;           /* srv_routes_match's answer: 0, 400, 404 or 405 */
        char match_why[256]; /* why a parameter was refused (match 400) */
        const char *method;
        const char *retry_after; /* a Retry-After header for the answer being queued */
};

/* The server: its store location and the pool of open store handles. */
struct srv_server {
        const char *location; /* the store location; NULL: the default folder */
        const char *home;     /* HOME, for the default folder */
        pthread_mutex_t lock; /* guards the pool */
        nereid_store **pool;  /* idle handles */
        size_t pool_count;
        size_t pool_cap;
        struct srv_rate *rate; /* the per-token budget; NULL: none (--rate-limit off) */
        int ui_local;          /* `ui` mode: loopback, no tokens, reads only, previews */
        unsigned port;         /* the port listened on (set once listening) */
        /* Buckets whose objects previews may read (--preview-s3), and the
         * credentials and endpoint they are read with; none: no S3 preview. */
        const char *const *preview_s3;
        size_t preview_s3_count;
        const struct options_config *s3;
        int store_down; /* the store was found unreachable (atomic): logged once */
};

/* ui.c: 1 when name is an S3 bucket name (3 to 63 of a-z 0-9 . -, starting
 * and ending with a letter or digit). */
int srv_bucket_name_ok(const char *name);

/* ratelimit.c: a token bucket per token ID. */
struct srv_rate;
/* "RATE[:BURST]" (requests a second, decimals allowed; BURST defaults to
 * SRV_RATE_BURST_SECONDS of RATE) or "off" (both 0); -1 when malformed. */
int srv_rate_parse(const char *text, double *rate, double *burst);
/* NULL when rate is not positive or out of memory. */
struct srv_rate *srv_rate_new(double rate, double burst);
void srv_rate_free(struct srv_rate *r);
/* Take one request from id's bucket at now (monotonic seconds): 0 when
 * allowed, else the seconds until it would be (nothing is taken). */
double srv_rate_take(struct srv_rate *r, uint64_t id, double now);
double srv_rate_rate(const struct srv_rate *r);
double srv_rate_burst(const struct srv_rate *r);

/* routes.c */
extern const struct srv_route srv_routes[];
extern const size_t srv_routes_count;
/* 0 when every row has a method, a well-formed pattern, a scope, a handler
 * and a summary and no two rows share method and pattern; otherwise -1 with
 * a line in why (cap bytes). */
int srv_routes_check(char *why, size_t cap);
/* Match a raw (not yet decoded) path. *route_out: the row of this method
 * and path, or NULL. Returns 0 matched; 404 when no pattern matches the
 * path; 405 when one does for another method; 400 with why set when a
 * parameter is malformed (bad percent-encoding, a forbidden byte).
 * params receive the decoded parameters (caller frees). */
int srv_routes_match(const char *method, const char *path, const struct srv_route **route_out,
                     char *params[SRV_PARAMS], char *why, size_t cap);
/* The index of parameter name ("run") in route's pattern, or -1. */
int srv_route_param_index(const struct srv_route *route, const char *name);
/* "read", "write"...: a scope's name for the OpenAPI document and `routes`. */
const char *srv_scope_name(enum srv_scope scope);
/* The OpenAPI 3.0 document of the table; caller json_decref's. */
json_t *srv_routes_openapi(void);

/* pathparam.c: decode one path segment or query value exactly once. 0, or
 * -1 with why set: bad %XX, a NUL, or (when segment) a '/', '\\', ';' or
 * '#' after decoding, or longer than SRV_PARAM_MAX. Caller frees *out. */
int srv_path_decode(const char *in, size_t len, int segment, char **out, char *why, size_t cap);
/* Check the decoded parameters of a matched route against SPEC grammar
 * (project name, run ID, field path, hashes); 0 or -1 with why set. Fills
 * req->project. */
int srv_params_check(struct srv_request *req, char *why, size_t cap);

/* The decoded parameter name of req's route, or NULL. */
const char *srv_param(const struct srv_request *req, const char *name);

/* http.c: answers. Each queues the response; the body is JSON. */
void srv_reply_json(struct srv_request *req, unsigned status, json_t *body);
/* text (malloc'd JSON, taken over; NULL: out of memory) as the answer. */
void srv_reply_raw(struct srv_request *req, unsigned status, char *text);
/* 429 rate-limited with Retry-After: seconds (whole, at least 1). */
void srv_reply_rate_limited(struct srv_request *req, double wait);
/* {"error":{"code":code,"message":message}} */
void srv_reply_error(struct srv_request *req, unsigned status, const char *code,
                     const char *message);
/* The status and code that fit a library status, with the library's
 * message (never SQL or a stack: the store's messages are one line). */
void srv_reply_status(struct srv_request *req, int rc);
/* The store cannot be reached now (nrd_error_is_unavailable, or no handle
 * could be opened): 503 "unavailable" with Retry-After, so that clients
 * retry with backoff; the first of an outage is logged, in one line, and
 * the first answer below 500 after it logs that the store is back. */
#define SRV_UNAVAILABLE_RETRY "1"
void srv_reply_unavailable(struct srv_request *req, const char *message);
/* A query argument, decoded once; NULL when absent or malformed (then an
 * error reply was queued when bad is set). Caller frees. */
char *srv_query(struct srv_request *req, const char *name, int *bad);
/* Parse the body as one JSON object, depth-limited; NULL after an error
 * reply was queued. */
json_t *srv_body_object(struct srv_request *req);
/* 0 when text (len bytes) nests arrays and objects at most max deep
 * (strings skipped), else -1: checked before jansson builds a tree. */
int srv_json_depth_ok(const char *text, size_t len, int max);
struct sockaddr;
/* Run the daemon on addr until SIGINT or SIGTERM; ready(port) is called
 * once it listens. 0, or -1 with why set. */
int srv_serve(struct srv_server *srv, const struct sockaddr *addr, const char *public_url,
              void (*ready)(unsigned port, void *payload), void *payload, char *why, size_t cap);

/* The store pool (http.c): a handle for one request, given back after. */
int srv_store_take(struct srv_server *srv, nereid_store **out);
void srv_store_give(struct srv_server *srv, nereid_store *store);
void srv_store_pool_free(struct srv_server *srv);

/* auth.c */
/* Authenticate req from its Authorization header into req->auth; 0, or an
 * error reply queued (401) and -1. */
int srv_auth_authenticate(struct srv_request *req);
/* Authorise the route's scope on req->project; 0, or an error reply
 * queued (403 or 404) and -1. */
int srv_auth_authorise(struct srv_request *req);
/* 1 when the token may read project (project listing). */
int srv_auth_may_read(const struct srv_auth *auth, const char *project);

/* handlers.c: one per route. */
void srv_h_health(struct srv_request *req);
void srv_h_openapi(struct srv_request *req);
void srv_h_projects(struct srv_request *req);
void srv_h_project_put(struct srv_request *req);
void srv_h_project_get(struct srv_request *req);
void srv_h_runs(struct srv_request *req);
void srv_h_run_create(struct srv_request *req);
void srv_h_run_get(struct srv_request *req);
void srv_h_fields(struct srv_request *req);
void srv_h_field_get(struct srv_request *req);
void srv_h_field_put(struct srv_request *req);
void srv_h_field_delete(struct srv_request *req);
void srv_h_op_apply(struct srv_request *req);
void srv_h_artifact_put(struct srv_request *req);
void srv_h_artifact_get(struct srv_request *req);
void srv_h_artifact_files(struct srv_request *req);
void srv_h_artifact_users(struct srv_request *req);
void srv_h_file_users(struct srv_request *req);
void srv_h_diff(struct srv_request *req);
/* handlers.c: the JSON of a run's sys/ values, and of a name (any bytes). */
json_t *srv_json_run(const store_run_info *info);
json_t *srv_json_str(const char *s);

/* ui.c: the web UI. The files of web/, compiled in (ui_files.c, made by
 * cmake/embed_web.cmake at build time). */
struct srv_ui_file {
        const char *path; /* "index.html", "app.js" */
        const unsigned char *data;
        size_t len;
};
extern const struct srv_ui_file srv_ui_files[];
extern const size_t srv_ui_files_count;
/* Answer GET url ("/" is index.html) from the UI's files, with the UI's
 * security headers; 1 when answered, 0 when url is none of them. */
int srv_ui_static(struct srv_request *req, const char *url);
/* `ui` mode: 1 when the Host header names loopback with port. */
int srv_ui_host_ok(struct srv_request *req, unsigned port);
/* `ui` mode: the request reads every project, as a read token of "*". */
void srv_ui_auth(struct srv_request *req);
/* Route 19's cursor, "SORT.ORDER.NUMBER.HEX(KEY)" (malloc'd; NULL: out of
 * memory), and its parser: 0 with *number and *key (caller frees) when text
 * is a cursor of this sort (enum store_run_sort) and order, else -1. */
char *srv_ui_cursor_make(int sort, int desc, uint64_t number, const char *key);
int srv_ui_cursor_parse(const char *text, int sort, int desc, uint64_t *number, char **key);
void srv_h_run_table(struct srv_request *req);
void srv_h_preview(struct srv_request *req);

#endif
