/*
 * http.c - the HTTP side of nereid-server: GNU libmicrohttpd in thread-pool
 * + epoll mode, a request's life (body accumulated up to its route's limit,
 * 413 before reading past it; the answer queued on the handler's second or
 * later call, so keep-alive holds), the JSON answers and error bodies, one
 * log line per request, and the pool of store handles the handlers borrow.
 * Not the place for routes (routes.c), tokens (auth.c) or what a route
 * does (handlers.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <microhttpd.h>
#include "nereid.h"
#include "error.h"
#include "project.h"
#include "server.h"

/* Seconds an idle connection (or one sending its headers too slowly) is kept. */
#define SRV_CONNECTION_TIMEOUT 30
/* Connections at once, and from one address. */
#define SRV_CONNECTION_LIMIT 4000
#define SRV_PER_IP_LIMIT     256

static double now_seconds(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the store pool ---- */

int srv_store_take(struct srv_server *srv, nereid_store **out)
{
        int rc;

        pthread_mutex_lock(&srv->lock);
        if (srv->pool_count) {
                *out = srv->pool[--srv->pool_count];
                pthread_mutex_unlock(&srv->lock);
                return 0;
        }
        pthread_mutex_unlock(&srv->lock);
        rc = nrd_project_store_open(out, srv->location, srv->home, NEREID_MODE_SYNC, NULL);
        return rc;
}

void srv_store_give(struct srv_server *srv, nereid_store *store)
{
        if (!store)
                return;
        pthread_mutex_lock(&srv->lock);
        if (srv->pool_count == srv->pool_cap) {
                size_t cap = srv->pool_cap ? srv->pool_cap * 2 : 8;
                nereid_store **pool = realloc(srv->pool, cap * sizeof(*pool));

                if (!pool) {
                        pthread_mutex_unlock(&srv->lock);
                        nrd_store_close(store);
                        return;
                }
                srv->pool = pool;
                srv->pool_cap = cap;
        }
        srv->pool[srv->pool_count++] = store;
        pthread_mutex_unlock(&srv->lock);
}

void srv_store_pool_free(struct srv_server *srv)
{
        size_t i;

        for (i = 0; i < srv->pool_count; i++)
                nrd_store_close(srv->pool[i]);
        free(srv->pool);
        srv->pool = NULL;
        srv->pool_count = srv->pool_cap = 0;
}

/* ---- answers ---- */

void srv_reply_raw(struct srv_request *req, unsigned status, char *text)
{
        struct MHD_Response *resp;

        if (req->answered) {
                free(text);
                return;
        }
        if (!text) {
                static const char oom[] =
                    "{\"error\":{\"code\":\"error\",\"message\":\"out of memory\"}}";
                status = 500;
                resp = MHD_create_response_from_buffer(sizeof(oom) - 1, (void *)oom,
                                                       MHD_RESPMEM_PERSISTENT);
        } else {
                resp = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
        }
        if (!resp) {
                free(text);
                return;
        }
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
        MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
        if (status == 405 && req->method)
                MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, PUT, POST, DELETE");
        if (req->retry_after)
                MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, req->retry_after);
        if (MHD_queue_response(req->conn, status, resp) == MHD_YES) {
                req->answered = 1;
                req->status = status;
        }
        MHD_destroy_response(resp);
}

void srv_reply_rate_limited(struct srv_request *req, double wait)
{
        char retry[32], msg[256];
        unsigned long long secs =
            wait < 1 ? 1 : (unsigned long long)wait + (wait > (double)(unsigned long long)wait);

        snprintf(retry, sizeof(retry), "%llu", secs);
        snprintf(msg, sizeof(msg),
                 "token %llu: over its budget of %g requests a second (%g at once); retry after "
                 "%llu s",
                 (unsigned long long)req->auth.id, srv_rate_rate(req->srv->rate),
                 srv_rate_burst(req->srv->rate), secs);
        req->retry_after = retry;
        srv_reply_error(req, 429, "rate-limited", msg);
        req->retry_after = NULL;
}

void srv_reply_json(struct srv_request *req, unsigned status, json_t *body)
{
        char *text = body ? json_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;

        json_decref(body);
        srv_reply_raw(req, status, text);
}

void srv_reply_error(struct srv_request *req, unsigned status, const char *code,
                     const char *message)
{
        json_t *body = json_pack("{s:{s:s, s:s}}", "error", "code", code, "message",
                                 message && *message ? message : code);

        if (!body) /* a message that is not UTF-8 */
                body = json_pack("{s:{s:s, s:s}}", "error", "code", code, "message",
                                 "(message not UTF-8)");
        srv_reply_json(req, status, body);
}

void srv_reply_status(struct srv_request *req, int rc)
{
        const char *msg = nereid_error_last();
        unsigned status;
        const char *code;

        switch (rc) {
        case NEREID_EINVALID:
                status = 400, code = "invalid";
                break;
        case NEREID_ENOTFOUND:
                status = 404, code = "not-found";
                break;
        case NEREID_EACCESS:
                status = 403, code = "access-denied";
                break;
        case NEREID_EINTEGRITY:
                status = 400, code = "integrity";
                break;
        case NEREID_EEXISTS:
                status = 409, code = "exists";
                break;
        case NEREID_EREADONLY:
                status = 403, code = "read-only";
                break;
        default:
                if (nrd_error_is_unavailable()) {
                        srv_reply_unavailable(req, msg);
                        return;
                }
                status = 500, code = "error";
                break;
        }
        srv_reply_error(req, status, code, msg);
}

void srv_reply_unavailable(struct srv_request *req, const char *message)
{
        char line[1200];
        int n;

        /* One line when the outage is first seen, not one per request. */
        if (!__atomic_exchange_n(&req->srv->store_down, 1, __ATOMIC_ACQ_REL)) {
                n = snprintf(line, sizeof(line),
                             "nereid-server: store unavailable, answering 503 until it is back: "
                             "%s\n",
                             message && *message ? message : "cannot be reached");
                if (n > 0)
                        (void)!write(STDERR_FILENO, line,
                                     (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
        }
        req->retry_after = SRV_UNAVAILABLE_RETRY;
        srv_reply_error(req, 503, "unavailable", message);
        req->retry_after = NULL;
}

/* A request that read the store (its token, at least) answered below 500
 * after an outage: the store is back. Not the health route: it reads none. */
static void store_back(struct srv_request *req)
{
        static const char line[] = "nereid-server: store available again\n";

        if (req->answered && req->status < 500 && req->route->scope != SRV_SCOPE_NONE &&
            __atomic_load_n(&req->srv->store_down, __ATOMIC_ACQUIRE) &&
            __atomic_exchange_n(&req->srv->store_down, 0, __ATOMIC_ACQ_REL))
                (void)!write(STDERR_FILENO, line, sizeof(line) - 1);
}

char *srv_query(struct srv_request *req, const char *name, int *bad)
{
        const char *raw = MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
        char why[256], *out = NULL;

        if (bad)
                *bad = 0;
        if (!raw)
                return NULL;
        if (srv_path_decode(raw, strlen(raw), 0, &out, why, sizeof(why)) < 0) {
                char msg[320];

                snprintf(msg, sizeof(msg), "query argument %s: %s", name, why);
                srv_reply_error(req, 400, "invalid", msg);
                if (bad)
                        *bad = 1;
                return NULL;
        }
        return out;
}

json_t *srv_body_object(struct srv_request *req)
{
        json_error_t err;
        json_t *root;
        char msg[300];

        if (!req->body_len) {
                srv_reply_error(req, 400, "invalid", "request body: empty, a JSON object expected");
                return NULL;
        }
        if (srv_json_depth_ok(req->body, req->body_len, SRV_JSON_DEPTH) < 0) {
                snprintf(msg, sizeof(msg), "request body: JSON nested deeper than %d",
                         SRV_JSON_DEPTH);
                srv_reply_error(req, 400, "invalid", msg);
                return NULL;
        }
        if (!(root = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &err))) {
                snprintf(msg, sizeof(msg), "request body: not JSON: %s (line %d)", err.text,
                         err.line);
                srv_reply_error(req, 400, "invalid", msg);
                return NULL;
        }
        if (!json_is_object(root)) {
                json_decref(root);
                srv_reply_error(req, 400, "invalid", "request body: a JSON object expected");
                return NULL;
        }
        return root;
}

int srv_json_depth_ok(const char *text, size_t len, int max)
{
        int depth = 0, in_string = 0;
        size_t i;

        for (i = 0; i < len; i++) {
                char c = text[i];

                if (in_string) {
                        if (c == '\\')
                                i++;
                        else if (c == '"')
                                in_string = 0;
                } else if (c == '"') {
                        in_string = 1;
                } else if (c == '[' || c == '{') {
                        if (++depth > max)
                                return -1;
                } else if (c == ']' || c == '}') {
                        depth--;
                }
        }
        return 0;
}

/* ---- a request's life ---- */

static void request_free(struct srv_request *req)
{
        size_t i;

        for (i = 0; i < SRV_PARAMS; i++)
                free(req->params[i]);
        free(req->body);
        if (req->spool)
                fclose(req->spool);
        free(req);
}

static void log_request(const struct srv_request *req)
{
        char line[512];
        int n;

        /* The route's pattern, never the path or the query: nothing a client
         * sent (a token pasted in a URL) reaches the log. */
        n = snprintf(line, sizeof(line), "%s %s %u %.1fms\n", req->method ? req->method : "-",
                     req->route ? req->route->pattern : "-", req->status,
                     (now_seconds() - req->started) * 1000.0);
        if (n > 0)
                (void)!write(STDERR_FILENO, line,
                             (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
        struct srv_request *req = *con_cls;

        (void)cls;
        (void)conn;
        (void)toe;
        if (!req)
                return;
        if (!req->answered)
                req->status = 499; /* the client went away before an answer */
        log_request(req);
        request_free(req);
        *con_cls = NULL;
}

/* Identity: the path reaches routes.c as sent, each parameter decoded
 * there once (pathparam.c), so "%2F" stays inside its segment. */
static size_t unescape_none(void *cls, struct MHD_Connection *conn, char *s)
{
        (void)cls;
        (void)conn;
        return strlen(s);
}

/* 413, naming the route's limit. */
static void too_large(struct srv_request *req)
{
        char msg[128];

        req->too_large = 1;
        if (req->body_max)
                snprintf(msg, sizeof(msg), "request body: more than %zu bytes, this route's limit",
                         req->body_max);
        else
                snprintf(msg, sizeof(msg), "request body: this route takes none");
        srv_reply_error(req, 413, "too-large", msg);
}

static void dispatch(struct srv_request *req, int match, const char *match_why)
{
        char why[512];
        int rc;

        if (match == 404) {
                srv_reply_error(req, 404, "not-found", "no such route");
                return;
        }
        if (match == 405) {
                srv_reply_error(req, 405, "invalid", "method not allowed on this route");
                return;
        }
        if (req->route->scope != SRV_SCOPE_NONE && !req->auth.ok && srv_auth_authenticate(req) < 0)
                return;
        if (match == 400) {
                srv_reply_error(req, 400, "invalid", match_why);
                return;
        }
        if (req->too_large) {
                too_large(req);
                return;
        }
        if (srv_params_check(req, why, sizeof(why)) < 0) {
                srv_reply_error(req, 400, "invalid", why);
                return;
        }
        /* A failure left by another request of this thread is not this one's. */
        nrd_error_clear();
        if (req->route->scope != SRV_SCOPE_NONE && srv_auth_authorise(req) < 0)
                return;
        if ((rc = srv_store_take(req->srv, &req->store)) < 0) {
                srv_reply_unavailable(req, nereid_error_last());
                return;
        }
        req->route->handler(req);
        srv_store_give(req->srv, req->store);
        req->store = NULL;
        if (!req->answered)
                srv_reply_error(req, 500, "error", "no answer");
        store_back(req);
}

static enum MHD_Result access_handler(void *cls, struct MHD_Connection *conn, const char *url,
                                      const char *method, const char *version,
                                      const char *upload_data, size_t *upload_data_size,
                                      void **con_cls)
{
        struct srv_request *req = *con_cls;

        (void)version;
        if (!req) {
                const char *len_hdr;
                char why[256] = "";

                if (!(req = calloc(1, sizeof(*req))))
                        return MHD_NO;
                req->srv = cls;
                req->conn = conn;
                req->method = method;
                req->started = now_seconds();
                *con_cls = req;
                if (req->srv->ui_local) {
                        if (!srv_ui_host_ok(req, req->srv->port)) {
                                srv_reply_error(req, 403, "forbidden",
                                                "nereid ui: only a loopback host name is served");
                                return MHD_YES;
                        }
                        srv_ui_auth(req);
                }
                /* The UI's files: no token, as health. */
                if (strncmp(url, "/api/", 5) != 0 && srv_ui_static(req, url))
                        return MHD_YES;
                req->match =
                    srv_routes_match(method, url, &req->route, req->params, why, sizeof(why));
                snprintf(req->match_why, sizeof(req->match_why), "%s", why);
                if (!req->route) {
                        /* 404 or 405: at once when a body follows (it is
                         * not read; the connection closes), else on the
                         * next call, so keep-alive holds. */
                        if (MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                        MHD_HTTP_HEADER_TRANSFER_ENCODING) ||
                            ((len_hdr = MHD_lookup_connection_value(
                                  conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH)) &&
                             strcmp(len_hdr, "0") != 0))
                                dispatch(req, req->match, req->match_why);
                        return MHD_YES;
                }
                req->body_max = req->route->body_max;
                /* A route that takes a body authenticates before reading
                 * it: no one without a token makes the server read 256 MiB. */
                if (req->body_max && req->route->scope != SRV_SCOPE_NONE && req->match == 0 &&
                    !req->auth.ok && srv_auth_authenticate(req) < 0)
                        return MHD_YES;
                len_hdr = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                      MHD_HTTP_HEADER_CONTENT_LENGTH);
                if (len_hdr) {
                        char *end;
                        unsigned long long n;

                        errno = 0;
                        n = strtoull(len_hdr, &end, 10);
                        if (errno || end == len_hdr || *end || n > req->body_max) {
                                /* Refused before a byte of the body is read. */
                                too_large(req);
                                return MHD_YES;
                        }
                }
                return MHD_YES;
        }
        if (*upload_data_size) {
                size_t n = *upload_data_size;

                *upload_data_size = 0;
                if (req->answered)
                        return MHD_YES;
                if (n > req->body_max - req->body_len) {
                        too_large(req);
                        return MHD_YES;
                }
                if (req->body_max > SRV_BODY_MAX) {
                        /* An upload goes to an unlinked file, never the heap:
                         * the handler reads it back a record at a time. */
                        if (!req->spool && !(req->spool = tmpfile())) {
                                srv_reply_error(req, 503, "error",
                                                "request body: no room to receive it");
                                return MHD_YES;
                        }
                        if (fwrite(upload_data, 1, n, req->spool) != n) {
                                srv_reply_error(req, 503, "error",
                                                "request body: no room to receive it");
                                return MHD_YES;
                        }
                        req->body_len += n;
                        return MHD_YES;
                }
                if (req->body_len + n + 1 > req->body_cap) {
                        size_t cap = req->body_cap ? req->body_cap : 4096;
                        char *body;

                        while (cap < req->body_len + n + 1)
                                cap *= 2;
                        if (!(body = realloc(req->body, cap)))
                                return MHD_NO;
                        req->body = body;
                        req->body_cap = cap;
                }
                memcpy(req->body + req->body_len, upload_data, n);
                req->body_len += n;
                req->body[req->body_len] = '\0';
                return MHD_YES;
        }
        if (!req->answered)
                dispatch(req, req->match, req->match_why);
        return MHD_YES;
}

/* Until the daemon runs, its messages are kept (the last one says why it
 * could not start, for the one error line); after, each is a log line. */
static int mhd_running;
static char mhd_last[512];

static void log_mhd(void *cls, const char *fmt, va_list ap)
{
        char line[512];
        int n;

        (void)cls;
        n = vsnprintf(line, sizeof(line), fmt, ap);
        if (n > 0) {
                size_t len = (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;

                while (len && line[len - 1] == '\n')
                        len--;
                line[len] = '\0';
                if (!mhd_running)
                        snprintf(mhd_last, sizeof(mhd_last), "%s", line);
                else
                        fprintf(stderr, "nereid-server: http: %s\n", line);
        }
}

/* Raise the open-file limit to its hard limit: every connection is a descriptor. */
static void raise_nofile(void)
{
        struct rlimit rl;

        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
                rl.rlim_cur = rl.rlim_max;
                (void)setrlimit(RLIMIT_NOFILE, &rl);
        }
}

/* A listening socket on addr, bound and listening before the daemon
 * starts, so that the port (the kernel's, for :0) is known and remembered
 * before the first request can be answered. Returns it, or -1 with why. */
static int listen_on(const struct sockaddr *addr, char *why, size_t cap)
{
        socklen_t len =
            addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
        int on = 1;
        int fd = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

        if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0 ||
            (addr->sa_family == AF_INET6 &&
             setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) < 0) ||
            bind(fd, addr, len) < 0 || listen(fd, SOMAXCONN) < 0) {
                snprintf(why, cap, "cannot listen: %s", strerror(errno));
                if (fd >= 0)
                        close(fd);
                return -1;
        }
        return fd;
}

/* The port a listening socket was given. */
static unsigned bound_port(int fd)
{
        struct sockaddr_storage ss;
        socklen_t len = sizeof(ss);

        if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
                return 0;
        if (ss.ss_family == AF_INET6)
                return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
        return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

int srv_serve(struct srv_server *srv, const struct sockaddr *addr, const char *public_url,
              void (*ready)(unsigned port, void *payload), void *payload, char *why, size_t cap)
{
        struct MHD_Daemon *d;
        sigset_t set;
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        /* Two per CPU (4 to 32): a handler blocks on the store (disk, a
         * writer's lock), and its thread's other connections wait meanwhile. */
        unsigned threads = cpus < 2 ? 4 : (unsigned)(cpus > 16 ? 32 : 2 * cpus);
        unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
        int sig, fd;

        (void)public_url;
        raise_nofile();
        if (addr->sa_family == AF_INET6)
                flags |= MHD_USE_IPv6;
        if ((fd = listen_on(addr, why, cap)) < 0)
                return -1;
        srv->port = bound_port(fd);
        /* The daemon's threads inherit this mask: only sigwait below sees the signals. */
        sigemptyset(&set);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &set, NULL);
        signal(SIGPIPE, SIG_IGN);
        /* Ready (the URL remembered for `token create`) before any request
         * is answered: connections wait in the backlog meanwhile. A ready
         * that fails raises SIGTERM, which the loop below takes. */
        ready(srv->port, payload);
        d = MHD_start_daemon(flags, 0, NULL, NULL, access_handler, srv, MHD_OPTION_EXTERNAL_LOGGER,
                             log_mhd, NULL, MHD_OPTION_LISTEN_SOCKET, fd,
                             MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_TIMEOUT,
                             (unsigned)SRV_CONNECTION_TIMEOUT, MHD_OPTION_CONNECTION_LIMIT,
                             (unsigned)SRV_CONNECTION_LIMIT, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
                             (unsigned)SRV_PER_IP_LIMIT, MHD_OPTION_UNESCAPE_CALLBACK,
                             unescape_none, NULL, MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
                             MHD_OPTION_END);
        if (!d) {
                const char *cause = strrchr(mhd_last, ':');

                snprintf(why, cap, "cannot listen: %s",
                         cause         ? cause + 2
                         : mhd_last[0] ? mhd_last
                                       : "failed");
                close(fd);
                return -1;
        }
        mhd_running = 1;
        for (;;) {
                if (sigwait(&set, &sig) == 0 && (sig == SIGINT || sig == SIGTERM))
                        break;
        }
        MHD_stop_daemon(d);
        return 0;
}
