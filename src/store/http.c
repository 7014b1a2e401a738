/*
 * http.c - the http(s) store backend: a nereid-server (SPEC section 8)
 * seen through the store seam. Every store_ops function is one route of
 * the HTTP API v1 (docs/api/http.md), or a walk over its pages; libcurl
 * carries the requests over one kept-alive connection per open store,
 * jansson reads the answers (http_json.c checks them; records go through
 * http_page.c's codec). A large artifact goes up as a stream
 * (artifact_put_stream).
 *
 * The token goes only in the Authorization header, never in a URL or a
 * message; redirects are never followed (they would carry it elsewhere);
 * TLS is always verified; a connection gets 10 s, a stalled transfer is
 * abandoned, and every answer has a size limit by route. A failed field
 * swap (409 "conflict") is STORE_CONFLICT, so the library's
 * compare-and-swap loop (artifact.c) works unchanged over HTTP.
 *
 * Not for: policy (the union, hashes: the library's, and the server
 * recomputes every hash it is sent), the async or offline queue (SPEC
 * section 9: their own module), or choosing a CA bundle (the tools' job).
 */
#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <errno.h>
#include <openssl/rand.h>
#include "../buf.h"
#include "../error.h"
#include "../fs.h"
#include "../hash.h"
#include "../json.h"
#include "../token.h"
#include "../uri.h"
#include "http.h"
#include "http_json.h"
#include "http_page.h"

#define HTTP_CONNECT_TIMEOUT_S 10L
/* A transfer slower than 1 byte/s for this long is abandoned. */
#define HTTP_STALL_TIMEOUT_S 30L
/* The most bytes of an answer: one object, a list, a page of records. */
#define HTTP_MAX_SMALL ((size_t)1 << 20)
#define HTTP_MAX_LIST  ((size_t)64 << 20)
#define HTTP_MAX_PAGE  ((size_t)256 << 20)
/* Records and runs asked for per page (the API's maximum). */
#define HTTP_PAGE_LIMIT 10000
/* Records asked for in the first page of an artifact's walk: a small page
 * comes back sooner, so the walk starts reading (and the server making
 * the next page) without waiting for a whole page to be made. */
#define HTTP_FIRST_PAGE_LIMIT 1000
/* Tries of a request whose connection broke or whose server was
 * unavailable (503); every request of the API may be repeated (a run is
 * created once per client-made UUID, a swap is a compare-and-swap). */
#define HTTP_ATTEMPTS 5
/* The longest Retry-After (seconds) a 429 or 503 is waited for; a server
 * asking for more is answered with its error at once. */
#define HTTP_RETRY_AFTER_MAX 30
/* Bytes of records made at a time for an upload, and libcurl's upload buffer. */
#define HTTP_UPLOAD_CHUNK ((size_t)256 << 10)
/* The longest base URL kept. */
#define HTTP_URL_MAX 2048

struct http_store {
        nereid_store base;          /* first: the seam's part */
        char *url;                  /* the server's base URL, no trailing '/' */
        char *token;                /* the API token, NULL without one; wiped at close */
        CURL *curl;                 /* one handle, so its connection is kept alive */
        struct curl_slist *headers; /* Authorization, Accept, Content-Type */
        pthread_mutex_t lock;       /* one request at a time on curl */
        /* Where the last run_each that stopped at its limit can go on: the
         * cursor of the page holding the run after resume_after in
         * resume_project (NULL: the first page), so that listing runs page by
         * page reads each page once, not every page before it again. */
        char *resume_project;  /* NULL: nothing to go on from */
        char *resume_cursor;   /* may be NULL */
        uint64_t resume_after; /* the last run number given */
};

/* An answer being received. */
struct http_answer {
        CURL *curl;      /* the handle receiving it */
        nereid_buf body; /* the bytes, at most max */
        size_t max;      /* the route's limit */
        int too_large;   /* 1 when the body went past max */
};

static _Thread_local const char *http_open_token;

void nrd_store_http_token(const char *token)
{
        http_open_token = token;
}

static struct http_store *http_of(nereid_store *store)
{
        return (struct http_store *)store;
}

/* Check a base URL: http:// or https://, a host, printable ASCII without
 * spaces, no user name, query or fragment. */
static int http_url_ok(const char *url)
{
        const char *host, *p;

        if (strncasecmp(url, "http://", 7) == 0)
                host = url + 7;
        else if (strncasecmp(url, "https://", 8) == 0)
                host = url + 8;
        else
                return 0;
        if (!*host || *host == '/' || strlen(url) > HTTP_URL_MAX)
                return 0;
        for (p = url; *p; p++)
                if (*p <= ' ' || *p >= 127 || *p == '?' || *p == '#' || *p == '\\')
                        return 0;
        p = strchr(host, '/');
        return !memchr(host, '@', p ? (size_t)(p - host) : strlen(host));
}

int nrd_store_http_token_server(const char *token, char **url_out)
{
        char url[NRD_TOKEN_URL_MAX + 1];
        int rc;

        *url_out = NULL;
        if ((rc = nrd_token_server_url(token ? token : "", url)) < 0)
                return rc;
        if (!http_url_ok(url))
                return nrd_error(NEREID_EINVALID,
                                 "API token: its server address is not http(s)://host[:port] "
                                 "(give --store URL)");
        *url_out = nrd_strdup(url);
        return *url_out ? 0 : NEREID_ERROR;
}

static size_t http_on_body(char *data, size_t size, size_t count, void *userdata)
{
        struct http_answer *answer = userdata;
        size_t n = size * count;

        if (answer->body.len + n > answer->max) {
                answer->too_large = 1;
                return 0; /* CURLE_WRITE_ERROR */
        }
        if (!answer->body.ptr && answer->curl) {
                curl_off_t length = -1;

                /* A body of announced length within the limit is allocated
                 * once, not grown by copies (pages are megabytes). */
                curl_easy_getinfo(answer->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
                if (length > 0 && (uint64_t)length <= answer->max &&
                    nrd_buf_grow(&answer->body, (size_t)length) < 0)
                        return 0;
        }
        return nrd_buf_put(&answer->body, data, n) < 0 ? 0 : n;
}

static void http_wipe(char *s)
{
        if (s) {
                volatile char *p = s;

                while (*p)
                        *p++ = '\0';
        }
}

static void http_close(nereid_store *base)
{
        struct http_store *s = http_of(base);
        struct curl_slist *h;

        if (s->curl)
                curl_easy_cleanup(s->curl);
        for (h = s->headers; h; h = h->next)
                http_wipe(h->data);
        curl_slist_free_all(s->headers);
        http_wipe(s->token);
        free(s->token);
        free(s->resume_project);
        free(s->resume_cursor);
        free(s->url);
        pthread_mutex_destroy(&s->lock);
        free(s);
}

static int http_open(nereid_store **out, const char *location, int mode)
{
        struct http_store *s;
        size_t len = strlen(location);
        char *auth = NULL;
        int rc = NEREID_ERROR;

        (void)mode;
        *out = NULL;
        /* Not echoed: a refused location may hold a password. */
        if (!http_url_ok(location))
                return nrd_error(NEREID_EINVALID,
                                 "store: not a server address (http(s)://host[:port][/path], "
                                 "without user name, query or fragment)");
        if (!(s = nrd_calloc(1, sizeof(*s))))
                return NEREID_ERROR;
        pthread_mutex_init(&s->lock, NULL);
        s->base.ops = &nrd_store_http_ops;
        while (len > 0 && location[len - 1] == '/')
                len--;
        if (!(s->url = nrd_strndup(location, len)))
                goto cleanup;
        if (http_open_token && *http_open_token) {
                size_t n = strlen(http_open_token);

                size_t i;

                for (i = 0; i < n && http_open_token[i] > ' ' && http_open_token[i] < 127; i++)
                        ;
                if (i < n || n > 4096) {
                        rc = nrd_error(NEREID_EINVALID,
                                       "API token: malformed (printable ASCII, at most 4096)");
                        goto cleanup;
                }
                if (!(s->token = nrd_strdup(http_open_token)) ||
                    !(auth = nrd_malloc(n + sizeof("Authorization: Bearer "))))
                        goto cleanup;
                snprintf(auth, n + sizeof("Authorization: Bearer "), "Authorization: Bearer %s",
                         http_open_token);
        }
        if (!(s->curl = curl_easy_init())) {
                nrd_error(NEREID_ERROR, "server %s: libcurl could not start", s->url);
                goto cleanup;
        }
        {
                struct curl_slist *h = NULL, *next;
                const char *const fixed[] = {"Accept: application/json",
                                             "Content-Type: application/json", "Expect:"};
                size_t i;

                for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
                        if (!(next = curl_slist_append(h, fixed[i])))
                                break;
                        h = next;
                }
                if (i == sizeof(fixed) / sizeof(fixed[0]) && auth) {
                        if ((next = curl_slist_append(h, auth)))
                                h = next;
                        else
                                i = 0;
                }
                s->headers = h;
                if (i < sizeof(fixed) / sizeof(fixed[0])) {
                        rc = nrd_error_oom();
                        goto cleanup;
                }
        }
        curl_easy_setopt(s->curl, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(s->curl, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(s->curl, CURLOPT_PATH_AS_IS, 1L);
        curl_easy_setopt(s->curl, CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(s->curl, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(s->curl, CURLOPT_SSL_VERIFYHOST, 2L);
        curl_easy_setopt(s->curl, CURLOPT_CONNECTTIMEOUT, HTTP_CONNECT_TIMEOUT_S);
        curl_easy_setopt(s->curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(s->curl, CURLOPT_LOW_SPEED_TIME, HTTP_STALL_TIMEOUT_S);
        curl_easy_setopt(s->curl, CURLOPT_TCP_KEEPALIVE, 1L);
        curl_easy_setopt(s->curl, CURLOPT_TCP_NODELAY, 1L);
        curl_easy_setopt(s->curl, CURLOPT_HTTPHEADER, s->headers);
        {
                char agent[64];

                snprintf(agent, sizeof(agent), "nereid/%s", nereid_version());
                curl_easy_setopt(s->curl, CURLOPT_USERAGENT, agent); /* libcurl copies it */
        }
        curl_easy_setopt(s->curl, CURLOPT_WRITEFUNCTION, http_on_body);
        rc = 0;
cleanup:
        if (auth) {
                http_wipe(auth);
                free(auth);
        }
        if (rc < 0) {
                http_close(&s->base);
                return rc;
        }
        *out = &s->base;
        return 0;
}

/* A request body made while it is sent: the JSON array of an artifact's
 * records, one record at a time, so a large artifact is never held twice
 * (records and text). Sent with chunked transfer encoding. */
struct http_upload {
        const nereid_files *files; /* the records, or NULL for pull or text */
        const char *text;          /* artifact_put_text's body, sent as it is, or NULL */
        size_t text_len;           /* its bytes */
        store_file_next pull;      /* artifact_put_stream's records, one at a time */
        void *pull_payload;        /* pull's */
        int pulled;                /* pull was called: the body cannot be made again */
        int pull_rc;               /* pull's negative code (message set), 0 otherwise */
        size_t next;               /* the next record to write */
        int stage;                 /* 0: "[" not written, 1: records, 2: "]" written */
        nereid_buf chunk;          /* text made and not yet sent */
        size_t sent;               /* bytes of chunk already sent */
        int failed;                /* a record could not be written (message set) */
};

static void http_upload_rewind(struct http_upload *up)
{
        up->next = 0;
        up->stage = 0;
        up->sent = 0;
        up->failed = 0;
        nrd_buf_clear(&up->chunk);
}

/* Make the next piece of the body in up->chunk: 0, 1 at the end, -1 on failure. */
static int http_upload_more(struct http_upload *up)
{
        nrd_buf_clear(&up->chunk);
        up->sent = 0;
        if (up->stage == 0) {
                nrd_buf_putc(&up->chunk, '[');
                up->stage = 1;
        }
        /* Pulled records by the batch too; pull's 0 ends the array. */
        while (up->pull && up->stage == 1 && up->chunk.len < HTTP_UPLOAD_CHUNK) {
                const struct nereid_file *file = NULL;
                int rc;

                up->pulled = 1;
                if ((rc = up->pull(up->pull_payload, &file)) < 0) {
                        up->pull_rc = rc;
                        return -1;
                }
                if (rc == 0) {
                        nrd_buf_putc(&up->chunk, ']');
                        up->stage = 2;
                        break;
                }
                if (up->next++)
                        nrd_buf_putc(&up->chunk, ',');
                if (nrd_http_page_record_encode(&up->chunk, file) < 0)
                        return -1;
        }
        if (up->pull)
                return up->chunk.failed ? -1 : up->stage == 2 && up->chunk.len == 0 ? 1 : 0;
        /* Records by the batch, so the chunks sent are large. */
        while (up->stage == 1 && up->next < up->files->count && up->chunk.len < HTTP_UPLOAD_CHUNK) {
                if (up->next)
                        nrd_buf_putc(&up->chunk, ',');
                if (nrd_http_page_record_encode(&up->chunk, &up->files->items[up->next]) < 0)
                        return -1;
                up->next++;
        }
        if (up->stage == 1 && up->next == up->files->count) {
                nrd_buf_putc(&up->chunk, ']');
                up->stage = 2;
        } else if (up->stage == 2 && up->chunk.len == 0) {
                return 1;
        }
        return up->chunk.failed ? -1 : 0;
}

static size_t http_on_upload(char *out, size_t size, size_t count, void *userdata)
{
        struct http_upload *up = userdata;
        size_t room = size * count, done = 0, n;
        int rc;

        if (up->text) { /* the text as it is: sent stays its offset */
                n = up->text_len - up->sent < room ? up->text_len - up->sent : room;
                memcpy(out, up->text + up->sent, n);
                up->sent += n;
                return n;
        }
        while (done < room) {
                if (up->sent == up->chunk.len) {
                        if ((rc = http_upload_more(up)) < 0) {
                                up->failed = 1;
                                return CURL_READFUNC_ABORT;
                        }
                        if (rc > 0)
                                break;
                }
                n = up->chunk.len - up->sent < room - done ? up->chunk.len - up->sent : room - done;
                memcpy(out + done, up->chunk.ptr + up->sent, n);
                up->sent += n;
                done += n;
        }
        return done;
}

/* Wait before attempt + 1: 100 ms doubled each attempt, or the server's
 * Retry-After when longer, plus up to a quarter more at random (jitter, so
 * that clients refused together do not come back together). */
static void http_backoff(int attempt, long long retry_after)
{
        double wait = 0.1 * (double)(1 << (attempt - 1));
        unsigned char r = 0;
        struct timespec ts;

        if (retry_after > 0 && (double)retry_after > wait)
                wait = (double)retry_after;
        (void)RAND_bytes(&r, 1);
        wait *= 1.0 + (double)r / 1024.0;
        ts.tv_sec = (time_t)wait;
        ts.tv_nsec = (long)((wait - (double)ts.tv_sec) * 1e9);
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

/* One exchange: METHOD base/api/v1 + path (escaped), body (NULL: none).
 * 0 with *status and answer filled for any HTTP status; a negative code
 * when the server could not be reached or its answer was too large. */
static int http_exchange(struct http_store *s, const char *method, const char *path,
                         const char *body, size_t body_len, struct http_upload *up,
                         struct http_answer *answer, long *status)
{
        char errbuf[CURL_ERROR_SIZE], *url;
        nereid_buf ub = NEREID_BUF_INIT;
        CURL *curl = answer->curl;
        CURLcode c = CURLE_OK;
        int attempt, shared = curl == s->curl; /* a walk's own handle needs no lock */
        curl_off_t retry_after = 0;

        *status = 0;
        if (!curl)
                return NEREID_ERROR;
        if (nrd_buf_printf(&ub, "%s/api/v1%s", s->url, path) < 0 || !(url = nrd_buf_detach(&ub)))
                return NEREID_ERROR;
        if (shared)
                pthread_mutex_lock(&s->lock);
        for (attempt = 1; attempt <= HTTP_ATTEMPTS; attempt++) {
                nrd_buf_free(&answer->body);
                nrd_buf_init(&answer->body, answer->max);
                answer->too_large = 0;
                errbuf[0] = '\0';
                curl_easy_setopt(curl, CURLOPT_URL, url);
                curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
                curl_easy_setopt(curl, CURLOPT_WRITEDATA, answer);
                if (up) {
                        http_upload_rewind(up);
                        curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
                        curl_easy_setopt(curl, CURLOPT_READFUNCTION, http_on_upload);
                        curl_easy_setopt(curl, CURLOPT_READDATA, up);
                        curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE,
                                         up->text ? (curl_off_t)up->text_len : (curl_off_t)-1);
                        curl_easy_setopt(curl, CURLOPT_UPLOAD_BUFFERSIZE, (long)HTTP_UPLOAD_CHUNK);
                } else if (body) {
                        curl_easy_setopt(curl, CURLOPT_UPLOAD, 0L);
                        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
                        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
                } else {
                        curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
                }
                curl_easy_setopt(
                    curl, CURLOPT_CUSTOMREQUEST,
                    strcmp(method, "GET") == 0 || strcmp(method, "POST") == 0 ? NULL : method);
                c = curl_easy_perform(curl);
                *status = 0;
                retry_after = 0;
                if (c == CURLE_OK) {
                        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
                        curl_easy_getinfo(curl, CURLINFO_RETRY_AFTER, &retry_after);
                }
                /* 429 (over the token's budget) and 503 (busy) are tried
                 * again, within bounds; any other answer is the answer. */
                if (c == CURLE_OK && *status != 503 && *status != 429)
                        break;
                if (c == CURLE_OK && retry_after > HTTP_RETRY_AFTER_MAX)
                        break;
                /* Pulled records cannot be pulled again: no second try. */
                if (up && (up->failed || up->pulled))
                        break;
                if (c != CURLE_OK && c != CURLE_SEND_ERROR && c != CURLE_RECV_ERROR &&
                    c != CURLE_GOT_NOTHING && c != CURLE_PARTIAL_FILE)
                        break;
                if (attempt < HTTP_ATTEMPTS)
                        http_backoff(attempt, (long long)retry_after);
        }
        /* The handle keeps no pointer into this call's frame. */
        curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, NULL);
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, NULL);
        if (up)
                curl_easy_setopt(curl, CURLOPT_UPLOAD, 0L);
        if (up && up->failed) {
                if (shared)
                        pthread_mutex_unlock(&s->lock);
                free(url);
                /* pull or nrd_json_record_append said why */
                return up->pull_rc ? up->pull_rc : NEREID_EINVALID;
        }
        if (c != CURLE_OK) {
                long os_errno = 0;
                char why[128];

                curl_easy_getinfo(curl, CURLINFO_OS_ERRNO, &os_errno);
                if (shared)
                        pthread_mutex_unlock(&s->lock);
                free(url);
                if (answer->too_large)
                        return nrd_error(NEREID_ERROR,
                                         "server %s: the answer to %s %s is larger than %zu bytes",
                                         s->url, method, path, answer->max);
                if (c == CURLE_COULDNT_CONNECT && os_errno)
                        return nrd_error(NEREID_ERROR, "cannot reach %s: %s", s->url,
                                         nrd_strerror((int)os_errno, why, sizeof(why)));
                return nrd_error(NEREID_ERROR, "cannot reach %s: %s", s->url,
                                 errbuf[0] ? errbuf : curl_easy_strerror(c));
        }
        if (shared)
                pthread_mutex_unlock(&s->lock);
        free(url);
        return 0;
}

/* Move src's bytes to dst (whose own are freed); src is left empty. */
static void http_buf_take(nereid_buf *dst, nereid_buf *src)
{
        nrd_buf_free(dst);
        *dst = *src;
        memset(src, 0, sizeof(*src));
}

/* A request of the API: 0 with *out the answer's JSON object (when out is
 * not NULL) for a 2xx status; HTTP_JSON_CONFLICT for a 409 "conflict";
 * the negative code of an error answer otherwise, its message set.
 * *status_out (may be NULL): the HTTP status, 0 when none came. With
 * raw_out, a 2xx answer's bytes go there instead (out unused). */
static int http_call_status(struct http_store *s, CURL *curl, const char *method, const char *path,
                            const char *body, struct http_upload *up, size_t max, json_t **out,
                            long *status_out, nereid_buf *raw_out)
{
        struct http_answer answer;
        char request[300];
        long status = 0;
        int rc;

        if (out)
                *out = NULL;
        memset(&answer, 0, sizeof(answer));
        answer.curl = curl ? curl : s->curl;
        answer.max = max;
        rc = http_exchange(s, method, path, body, body ? strlen(body) : 0, up, &answer, &status);
        snprintf(request, sizeof(request), "%s %.*s", method, 200, path);
        if (rc == 0 && status == 401 && !s->token)
                rc = nrd_error(NEREID_EACCESS,
                               "server %s: no API token (give --api-token, or set "
                               "NEREID_API_TOKEN)",
                               s->url);
        else if (rc == 0 && (status < 200 || status > 299))
                rc = nrd_http_json_error(answer.body.ptr ? answer.body.ptr : "", answer.body.len,
                                         status, s->url, request);
        else if (rc == 0 && raw_out)
                http_buf_take(raw_out, &answer.body);
        else if (rc == 0 && out) {
                char label[HTTP_URL_MAX + 320];

                snprintf(label, sizeof(label), "server %s: %s", s->url, request);
                if (!(*out = nrd_http_json_load(answer.body.ptr ? answer.body.ptr : "",
                                                answer.body.len, label)))
                        rc = NEREID_ERROR;
        }
        nrd_buf_free(&answer.body);
        if (status_out)
                *status_out = status;
        return rc;
}

static int http_call(struct http_store *s, const char *method, const char *path, const char *body,
                     size_t max, json_t **out)
{
        return http_call_status(s, NULL, method, path, body, NULL, max, out, NULL, NULL);
}

/* A path below /api/v1: fmt's %s arguments are percent-escaped ('/' kept
 * when keep_slash is set for the last one, a field path). NULL on ENOMEM. */
static char *http_path(const char *project, const char *tail, const char *arg1, const char *arg2,
                       int keep_slash)
{
        char *p = nrd_uri_escape(project, 1), *a = NULL, *b = NULL, *out = NULL;
        nereid_buf buf = NEREID_BUF_INIT;

        if (!p || (arg1 && !(a = nrd_uri_escape(arg1, 0))) ||
            (arg2 && !(b = nrd_uri_escape(arg2, keep_slash))))
                goto cleanup;
        nrd_buf_printf(&buf, "/projects/%s", p);
        if (tail)
                nrd_buf_printf(&buf, tail, a ? a : "", b ? b : "");
        out = nrd_buf_detach(&buf);
cleanup:
        free(p);
        free(a);
        free(b);
        nrd_buf_free(&buf);
        return out;
}

static int http_can_write(nereid_store *base)
{
        (void)base;
        return 0; /* the server refuses a write its token may not make (403) */
}

static int http_project_open(nereid_store *base, const char *project, const char *key, int create,
                             char key_out[16])
{
        struct http_store *s = http_of(base);
        char *path = http_path(project, NULL, NULL, NULL, 0), *body = NULL;
        const char *name;
        json_t *answer = NULL, *req;
        uint64_t runs;
        int rc = NEREID_ERROR;

        if (!path)
                return NEREID_ERROR;
        if (create) {
                req = json_pack("{s:s?}", "key", key);
                body = req ? json_dumps(req, JSON_COMPACT) : NULL;
                json_decref(req);
                if (!body) {
                        rc = nrd_error_oom();
                        goto cleanup;
                }
        }
        rc = http_call(s, create ? "PUT" : "GET", path, body, HTTP_MAX_SMALL, &answer);
        if (rc == NEREID_EEXISTS && create) {
                /* It exists with another key: its key, as the embedded store
                 * answers; the library names the mismatch. */
                nrd_error_clear();
                rc = http_call(s, "GET", path, NULL, HTTP_MAX_SMALL, &answer);
        }
        if (rc < 0)
                goto cleanup;
        if ((rc = nrd_http_json_project(answer, &name, key_out, &runs, path)) == 0 &&
            strcmp(name, project) != 0)
                rc = nrd_error(NEREID_ERROR, "server %s: asked for project %s, got another", s->url,
                               project);
cleanup:
        json_decref(answer);
        free(body);
        free(path);
        return rc;
}

static int http_project_each(nereid_store *base, store_project_cb cb, void *payload)
{
        json_t *answer = NULL, *list, *item;
        const char *name;
        char key[16];
        uint64_t runs;
        size_t i;
        int rc;

        if ((rc = http_call(http_of(base), "GET", "/projects", NULL, HTTP_MAX_LIST, &answer)) < 0)
                return rc;
        list = json_object_get(answer, "projects");
        if (!json_is_array(list))
                rc = nrd_error(NEREID_ERROR, "GET /projects: \"projects\" is not an array");
        json_array_foreach(list, i, item)
        {
                if ((rc = nrd_http_json_project(item, &name, key, &runs, "GET /projects")) < 0 ||
                    (rc = cb(payload, name, key, runs)) != 0)
                        break;
        }
        json_decref(answer);
        return rc;
}

static int http_run_new(nereid_store *base, const char *project, const store_run_spec *spec,
                        char id_out[32], int *created)
{
        struct http_store *s = http_of(base);
        char *path = http_path(project, "/runs", NULL, NULL, 0), *body = NULL;
        json_t *answer = NULL, *req = NULL, *tags = NULL;
        store_run_info info;
        long status = 0;
        size_t i;
        int rc = NEREID_ERROR;

        *created = 0;
        if (!path)
                return NEREID_ERROR;
        /* sys/owner is not sent: the server sets it (the token's name). */
        if (!nrd_fs_is_utf8(spec->name ? spec->name : "") ||
            !nrd_fs_is_utf8(spec->description ? spec->description : "")) {
                rc = nrd_error(NEREID_EINVALID,
                               "run: its name or description is not valid UTF-8, which a server "
                               "cannot hold");
                goto cleanup;
        }
        if (!(tags = json_array()))
                goto oom;
        for (i = 0; i < spec->ntags; i++)
                if (json_array_append_new(tags, json_string(spec->tags[i])) < 0)
                        goto oom;
        req = json_pack("{s:s,s:s,s:s?,s:s?,s:O}", "uuid", spec->uuid, "name",
                        spec->name ? spec->name : "", "custom_run_id", spec->custom_run_id,
                        "description", spec->description, "tags", tags);
        if (!req || !(body = json_dumps(req, JSON_COMPACT)))
                goto oom;
        if ((rc = http_call_status(s, NULL, "POST", path, body, NULL, HTTP_MAX_SMALL, &answer,
                                   &status, NULL)) < 0 ||
            (rc = nrd_http_json_run(answer, &info, path)) < 0)
                goto cleanup;
        if (info.uuid[0] && !spec->custom_run_id && strcmp(info.uuid, spec->uuid) != 0) {
                nrd_store_run_info_clear(&info);
                rc = nrd_error(NEREID_ERROR, "%s: the server answered with another run", path);
                goto cleanup;
        }
        snprintf(id_out, 32, "%s", info.id);
        *created = status == 201;
        nrd_store_run_info_clear(&info);
        goto cleanup;
oom:
        rc = nrd_error_oom();
cleanup:
        json_decref(answer);
        json_decref(req);
        json_decref(tags);
        free(body);
        free(path);
        return rc;
}

static int http_run_info(nereid_store *base, const char *project, const char *run_id,
                         store_run_info *info)
{
        char *path = http_path(project, "/runs/%s", run_id, NULL, 0);
        json_t *answer = NULL;
        int rc;

        memset(info, 0, sizeof(*info));
        if (!path)
                return NEREID_ERROR;
        /* What is no run ID names no run, as in the embedded store. */
        if (nrd_uri_check_run_id(run_id) < 0) {
                free(path);
                return nrd_error(NEREID_ENOTFOUND, "run %s: not found", run_id);
        }
        if ((rc = http_call(http_of(base), "GET", path, NULL, HTTP_MAX_SMALL, &answer)) == 0 &&
            (rc = nrd_http_json_run(answer, info, path)) == 0 && strcmp(info->id, run_id) != 0) {
                nrd_store_run_info_clear(info);
                rc = nrd_error(NEREID_ERROR, "%s: the server answered with another run", path);
        }
        json_decref(answer);
        free(path);
        return rc;
}

/* GET a page of a list: base?limit=N[&cursor=C]. */
/* The path of a page of a list: base?limit=N[&cursor=C]; NULL on ENOMEM. */
static char *http_page_path_limit(const char *base, const char *cursor, int limit)
{
        char *escaped = cursor ? nrd_uri_escape(cursor, 0) : NULL;
        nereid_buf buf = NEREID_BUF_INIT;

        if (cursor && !escaped)
                return NULL;
        nrd_buf_printf(&buf, "%s?limit=%d%s%s", base, limit, cursor ? "&cursor=" : "",
                       cursor ? escaped : "");
        free(escaped);
        return nrd_buf_detach(&buf);
}

static char *http_page_path(const char *base, const char *cursor)
{
        return http_page_path_limit(base, cursor, HTTP_PAGE_LIMIT);
}

/* GET a page of a list: its JSON object, or (raw not NULL) its bytes. */
static int http_page(struct http_store *s, const char *base, const char *cursor, size_t max,
                     json_t **answer, nereid_buf *raw)
{
        char *path = http_page_path(base, cursor);
        int rc;

        if (!path)
                return NEREID_ERROR;
        rc =
            http_call_status(s, NULL, "GET", path, NULL, NULL, max, raw ? NULL : answer, NULL, raw);
        free(path);
        return rc;
}

/* Remember where run_each stopped (see http_store.resume_*); a failure to
 * remember only costs re-reading pages. */
static void http_resume_set(struct http_store *s, const char *project, uint64_t after,
                            const char *cursor)
{
        char *p = nrd_strdup(project), *c = cursor ? nrd_strdup(cursor) : NULL;

        pthread_mutex_lock(&s->lock);
        free(s->resume_project);
        free(s->resume_cursor);
        s->resume_project = p && (c || !cursor) ? p : NULL;
        s->resume_cursor = s->resume_project ? c : NULL;
        s->resume_after = after;
        pthread_mutex_unlock(&s->lock);
        if (!s->resume_project) {
                free(p);
                free(c);
                nrd_error_clear();
        }
}

static int http_run_each(nereid_store *base, const char *project, uint64_t after, size_t limit,
                         store_run_cb cb, void *payload)
{
        struct http_store *s = http_of(base);
        char *path = http_path(project, "/runs", NULL, NULL, 0), *cursor = NULL, *next = NULL;
        uint64_t last = 0, n, stopped_at = 0;
        json_t *answer = NULL, *runs, *item;
        store_run_info info;
        size_t i, given = 0;
        int rc = 0;

        if (!path)
                return NEREID_ERROR;
        /* The API's cursor is opaque: runs up to after are read and skipped,
         * from where the last call stopped when it stopped at after. */
        pthread_mutex_lock(&s->lock);
        if (after && s->resume_project && s->resume_after == after &&
            strcmp(s->resume_project, project) == 0 && s->resume_cursor &&
            !(cursor = nrd_strdup(s->resume_cursor)))
                rc = NEREID_ERROR;
        pthread_mutex_unlock(&s->lock);
        while (rc == 0) {
                if ((rc = http_page(s, path, cursor, HTTP_MAX_LIST, &answer, NULL)) < 0)
                        break;
                if (!json_is_array(runs = json_object_get(answer, "runs"))) {
                        rc = nrd_error(NEREID_ERROR, "%s: \"runs\" is not an array", path);
                        break;
                }
                json_array_foreach(runs, i, item)
                {
                        if ((rc = nrd_http_json_run(item, &info, path)) < 0)
                                break;
                        n = nrd_http_json_run_number(info.id);
                        if (n <= last) {
                                nrd_store_run_info_clear(&info);
                                rc = nrd_error(NEREID_ERROR,
                                               "%s: the runs are out of order or repeated", path);
                                break;
                        }
                        last = n;
                        if (n > after && (!limit || given < limit)) {
                                given++;
                                stopped_at = n;
                                rc = cb(payload, &info);
                        }
                        nrd_store_run_info_clear(&info);
                        if (rc != 0)
                                break;
                }
                if (rc == 0 && limit && given >= limit) {
                        http_resume_set(s, project, stopped_at, cursor);
                        break;
                }
                if (rc != 0 || (rc = nrd_http_json_next(answer, cursor, &next, path)) < 0)
                        break;
                if (next && json_array_size(runs) == 0)
                        rc =
                            nrd_error(NEREID_ERROR, "%s: an empty page that is not the last", path);
                free(cursor);
                cursor = next;
                next = NULL;
                json_decref(answer);
                answer = NULL;
                if (!cursor)
                        break;
        }
        json_decref(answer);
        free(cursor);
        free(next);
        free(path);
        return rc;
}

static int http_field_each(nereid_store *base, const char *project, const char *run_id,
                           store_field_cb cb, void *payload)
{
        char *path = http_path(project, "/runs/%s/fields", run_id, NULL, 0);
        json_t *answer = NULL;
        int rc;

        if (!path)
                return NEREID_ERROR;
        if ((rc = http_call(http_of(base), "GET", path, NULL, HTTP_MAX_LIST, &answer)) == 0)
                rc = nrd_http_json_fields(answer, cb, payload, path);
        json_decref(answer);
        free(path);
        return rc;
}

/* GET a field: its hash and its roots. */
static int http_field(nereid_store *base, const char *project, const char *run_id,
                      const char *field, json_t **answer, char **path_out)
{
        char *path = http_path(project, "/runs/%s/fields/%s", run_id, field, 1);
        int rc;

        *path_out = path;
        if (!path)
                return NEREID_ERROR;
        if (nrd_uri_check_field(field) < 0)
                return NEREID_EINVALID;
        rc = http_call(http_of(base), "GET", path, NULL, HTTP_MAX_LIST, answer);
        return rc;
}

static int http_field_get(nereid_store *base, const char *project, const char *run_id,
                          const char *field, char hash_out[NEREID_HASH_HEXLEN + 1])
{
        json_t *answer = NULL;
        char *path;
        int rc = http_field(base, project, run_id, field, &answer, &path);

        if (rc == 0)
                rc = nrd_http_json_hash(answer, "hash", hash_out, path);
        json_decref(answer);
        free(path);
        return rc;
}

static int http_field_roots(nereid_store *base, const char *project, const char *run_id,
                            const char *field, store_root **out, size_t *count)
{
        json_t *answer = NULL;
        char *path;
        int rc = http_field(base, project, run_id, field, &answer, &path);

        *out = NULL;
        *count = 0;
        if (rc == NEREID_ENOTFOUND) {
                nrd_error_clear(); /* a field that is not there has no roots */
                rc = 0;
        } else if (rc == 0) {
                rc = nrd_http_json_roots(answer, out, count, path);
        }
        json_decref(answer);
        free(path);
        return rc;
}

/* The places a field was tracked from as the API's "roots" array: *out is
 * the caller's (json_decref). EINVALID for a location that is not UTF-8. */
static int http_roots_json(json_t **out, const char *field, const store_root *roots, size_t nroots)
{
        json_t *list = json_array();
        size_t i;

        *out = NULL;
        if (!list)
                return nrd_error_oom();
        for (i = 0; i < nroots; i++) {
                json_t *root = json_pack("{s:s,s:s}", "location", roots[i].location, "destination",
                                         roots[i].destination ? roots[i].destination : "");

                if (!root) {
                        json_decref(list);
                        return nrd_error(NEREID_EINVALID,
                                         "field %s: a tracked location is not valid UTF-8, which a "
                                         "server cannot hold",
                                         field);
                }
                if (json_array_append_new(list, root) < 0) {
                        json_decref(list);
                        return nrd_error_oom();
                }
        }
        *out = list;
        return 0;
}

static int http_field_swap(nereid_store *base, const char *project, const char *run_id,
                           const char *field, const char *expect, const char *hash,
                           const store_root *roots, size_t nroots, enum store_roots how)
{
        char *path = http_path(project, "/runs/%s/fields/%s", run_id, field, 1), *body = NULL;
        json_t *req = NULL, *list = NULL, *answer = NULL;
        char got[NEREID_HASH_HEXLEN + 1];
        int rc = NEREID_ERROR;

        if (!path)
                return NEREID_ERROR;
        if ((rc = http_roots_json(&list, field, roots, nroots)) < 0)
                goto cleanup;
        req = json_pack("{s:s?,s:s,s:O,s:s}", "expect", expect, "hash", hash, "roots", list,
                        "roots_mode", how == STORE_ROOTS_SET ? "set" : "add");
        if (!req || !(body = json_dumps(req, JSON_COMPACT)))
                goto oom;
        rc = http_call(http_of(base), "PUT", path, body, HTTP_MAX_SMALL, &answer);
        if (rc == HTTP_JSON_CONFLICT) {
                nrd_error_clear(); /* the library's loop handles it */
                rc = STORE_CONFLICT;
        } else if (rc == 0 && (rc = nrd_http_json_hash(answer, "hash", got, path)) == 0 &&
                   strcmp(got, hash) != 0) {
                rc = nrd_error(NEREID_ERROR, "%s: the server holds another hash than the one sent",
                               path);
        }
        goto cleanup;
oom:
        rc = nrd_error_oom();
cleanup:
        json_decref(answer);
        json_decref(req);
        json_decref(list);
        free(body);
        free(path);
        return rc;
}

/* store_ops.op_apply: POST .../runs/{run}/ops, answered with whether this
 * request applied the operation or an earlier one had. */
static int http_op_apply(nereid_store *base, const char *project, const char *run_id,
                         const char *queue, uint64_t seq, const char *field, const char *expect,
                         const char *hash, const store_root *roots, size_t nroots,
                         enum store_roots how)
{
        char *path = http_path(project, "/runs/%s/ops", run_id, NULL, 0), *body = NULL;
        json_t *req = NULL, *list = NULL, *answer = NULL, *applied;
        int rc = NEREID_ERROR;

        if (!path)
                return NEREID_ERROR;
        if ((rc = http_roots_json(&list, field, roots, nroots)) < 0)
                goto cleanup;
        req = json_pack("{s:s,s:I,s:s,s:s?,s:s?,s:O,s:s}", "queue", queue, "seq", (json_int_t)seq,
                        "field", field, "expect", expect, "hash", hash, "roots", list, "roots_mode",
                        how == STORE_ROOTS_SET ? "set" : "add");
        if (!req || !(body = json_dumps(req, JSON_COMPACT)))
                goto oom;
        rc = http_call(http_of(base), "POST", path, body, HTTP_MAX_SMALL, &answer);
        if (rc == HTTP_JSON_CONFLICT) {
                nrd_error_clear(); /* the library's loop handles it */
                rc = STORE_CONFLICT;
        } else if (rc == 0) {
                applied = json_object_get(answer, "applied");
                if (!json_is_boolean(applied))
                        rc = nrd_error(NEREID_ERROR, "%s: the server's answer has no \"applied\"",
                                       path);
                else if (!json_is_true(applied))
                        rc = STORE_APPLIED;
        }
        goto cleanup;
oom:
        rc = nrd_error_oom();
cleanup:
        json_decref(answer);
        json_decref(req);
        json_decref(list);
        free(body);
        free(path);
        return rc;
}

static int http_field_remove(nereid_store *base, const char *project, const char *run_id,
                             const char *field)
{
        char *path = http_path(project, "/runs/%s/fields/%s", run_id, field, 1);
        int rc;

        if (!path)
                return NEREID_ERROR;
        rc = http_call(http_of(base), "DELETE", path, NULL, HTTP_MAX_SMALL, NULL);
        free(path);
        return rc;
}

static int http_artifact_content_hash(nereid_store *base, const char *project, const char *hash,
                                      char content_out[NEREID_HASH_HEXLEN + 1])
{
        char *path = http_path(project, "/artifacts/%s", hash, NULL, 0);
        char got[NEREID_HASH_HEXLEN + 1];
        json_t *answer = NULL;
        int rc;

        if (!path)
                return NEREID_ERROR;
        if ((rc = http_call(http_of(base), "GET", path, NULL, HTTP_MAX_SMALL, &answer)) == 0 &&
            (rc = nrd_http_json_hash(answer, "hash", got, path)) == 0 &&
            (rc = nrd_http_json_hash(answer, "content_hash", content_out, path)) == 0 &&
            strcmp(got, hash) != 0)
                rc = nrd_error(NEREID_ERROR, "%s: the server answered with another artifact", path);
        json_decref(answer);
        free(path);
        return rc;
}

/* The PUT of an artifact's records (up says where they come from), and
 * the content hash the server computed checked against the caller's. */
static int http_artifact_upload(nereid_store *base, const char *path, const char *hash,
                                const char *content, struct http_upload *up)
{
        char have[NEREID_HASH_HEXLEN + 1];
        json_t *answer = NULL;
        int rc;

        if ((rc = http_call_status(http_of(base), NULL, "PUT", path, NULL, up, HTTP_MAX_SMALL,
                                   &answer, NULL, NULL)) == 0 &&
            (rc = nrd_http_json_hash(answer, "content_hash", have, path)) == 0 &&
            strcmp(have, content) != 0)
                rc = nrd_error(NEREID_EINTEGRITY,
                               "artifact %s: the server computed another content hash", hash);
        json_decref(answer);
        return rc;
}

/* Asked first, so an artifact goes up once: 0 when the server holds it
 * (its content hash in have), ENOTFOUND (cleared) when it must go up. */
static int http_artifact_held(nereid_store *base, const char *project, const char *hash, char *have)
{
        int rc = http_artifact_content_hash(base, project, hash, have);

        if (rc == NEREID_ENOTFOUND)
                nrd_error_clear();
        return rc;
}

/* The server holds the artifact with the content hash have: it must be
 * the caller's. */
static int http_artifact_same(const char *hash, const char *have, const char *content)
{
        if (strcmp(have, content) != 0)
                return nrd_error(NEREID_EINTEGRITY,
                                 "artifact %s: the server holds another content hash", hash);
        return 0;
}

/* Ask first whether the server holds the artifact; upload up only when it
 * does not. Frees up's chunk. */
static int http_artifact_put_once(nereid_store *base, const char *project, const char *hash,
                                  const char *content, struct http_upload *up)
{
        char *path = http_path(project, "/artifacts/%s", hash, NULL, 0);
        char have[NEREID_HASH_HEXLEN + 1];
        int rc;

        nrd_buf_init(&up->chunk, 0);
        if (!path)
                return NEREID_ERROR;
        rc = http_artifact_held(base, project, hash, have);
        if (rc == 0)
                rc = http_artifact_same(hash, have, content);
        else if (rc == NEREID_ENOTFOUND)
                rc = http_artifact_upload(base, path, hash, content, up);
        nrd_buf_free(&up->chunk);
        free(path);
        return rc;
}

static int http_artifact_put(nereid_store *base, const char *project, const char *hash,
                             const char *content, const nereid_files *files)
{
        struct http_upload up;

        memset(&up, 0, sizeof(up));
        up.files = files;
        return http_artifact_put_once(base, project, hash, content, &up);
}

/* artifact_put_text: asked first, as artifact_put; then the text goes up
 * as it is, the server checking every record and the hash. */
static int http_artifact_put_text(nereid_store *base, const char *project, const char *hash,
                                  const char *content, const char *text, size_t len)
{
        struct http_upload up;

        memset(&up, 0, sizeof(up));
        up.text = text;
        up.text_len = len;
        return http_artifact_put_once(base, project, hash, content, &up);
}

/* artifact_put_stream: asked first, as artifact_put; then the records go
 * up as they are pulled, in one chunked PUT, so the client holds one batch
 * of them (HTTP_UPLOAD_CHUNK of text) whatever the artifact's size. The
 * server spools the body and stores nothing until it has all of it and
 * the records hash to the given hash; a failed pull (a bad record, the
 * hash checked at the end by nrd_store_artifact_put_stream) aborts the
 * transfer, so the server never sees a whole body. Pulled records cannot
 * be pulled again: a broken connection is not retried. */
static int http_artifact_put_stream(nereid_store *base, const char *project, const char *hash,
                                    const char *content, store_file_next next, void *payload)
{
        char *path = http_path(project, "/artifacts/%s", hash, NULL, 0);
        char have[NEREID_HASH_HEXLEN + 1];
        const struct nereid_file *file;
        struct http_upload up;
        int rc;

        if (!path)
                return NEREID_ERROR;
        memset(&up, 0, sizeof(up));
        up.pull = next;
        up.pull_payload = payload;
        nrd_buf_init(&up.chunk, 0);
        rc = http_artifact_held(base, project, hash, have);
        if (rc == 0) {
                /* Held already: the records are still read to their end,
                 * so that they are checked and content is known. */
                while ((rc = next(payload, &file)) > 0)
                        ;
                if (rc == 0)
                        rc = http_artifact_same(hash, have, content);
        } else if (rc == NEREID_ENOTFOUND) {
                rc = http_artifact_upload(base, path, hash, content, &up);
        }
        nrd_buf_free(&up.chunk);
        free(path);
        return rc;
}

/* A walk's callback that skips records up to a file_path and stops
 * after a number of them (artifact_page over an opaque cursor). */
struct http_window {
        const char *after; /* NULL: from the first */
        size_t limit;      /* 0: all */
        size_t given;      /* records given to cb */
        store_file_cb cb;  /* the caller's */
        void *payload;     /* the caller's */
};

/* Stops a walk once the window is full (not an error). */
#define HTTP_WINDOW_FULL 2

static int http_window_file(void *payload, const struct nereid_file *file)
{
        struct http_window *w = payload;
        int rc;

        if (w->after && strcmp(file->file_path, w->after) <= 0)
                return 0;
        if (w->limit && w->given >= w->limit)
                return HTTP_WINDOW_FULL;
        w->given++;
        rc = w->cb(w->payload, file);
        return rc;
}

/* The next page, fetched on a thread of its own with the walk's own
 * handle while the caller reads the page before: the server makes one
 * page while the client reads the other. */
struct http_prefetch {
        struct http_store *s; /* the store */
        CURL *curl;           /* the walk's own handle (its own connection) */
        char *path;           /* the page's path, its cursor included */
        nereid_buf page;      /* the page's bytes */
        int rc;               /* the fetch's result (its message stays on its thread) */
        pthread_t thread;     /* the fetching thread */
        int running;          /* 1 while thread is to be joined */
};

static void *http_prefetch_run(void *arg)
{
        struct http_prefetch *p = arg;

        p->rc = http_call_status(p->s, p->curl, "GET", p->path, NULL, NULL, HTTP_MAX_PAGE, NULL,
                                 NULL, &p->page);
        return NULL;
}

/* Wait for the fetch: 0, or the code it failed with. */
static int http_prefetch_join(struct http_prefetch *p)
{
        if (!p->running)
                return 0;
        pthread_join(p->thread, NULL);
        p->running = 0;
        /* Only the code: a fetch that failed is made again by the walk
         * (whose own error it then is), and the page being read may have
         * failed first, with a message of its own to keep. */
        return p->rc < 0 ? p->rc : 0;
}

/* The cursor a page's text ends with (`"next":"C"}`, as the server
 * writes it), or NULL: a guess only, to start fetching the next page
 * before this one is read. Reading the page decides (http_artifact_walk
 * drops a fetch made from a guess that was wrong). */
static int http_is_ws(char c)
{
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static char *http_page_next_guess(const char *t, size_t len)
{
        size_t i = len, end;

        while (i && http_is_ws(t[i - 1]))
                i--;
        if (!i || t[--i] != '}')
                return NULL;
        while (i && http_is_ws(t[i - 1]))
                i--;
        if (!i || t[--i] != '"')
                return NULL;
        end = i;
        while (i && t[i - 1] != '"') {
                if (t[i - 1] == '\\' || end - i >= 4096)
                        return NULL;
                i--;
        }
        if (!i || i == end)
                return NULL;
        {
                size_t start = i, j = i - 1;

                while (j && http_is_ws(t[j - 1]))
                        j--;
                if (!j || t[j - 1] != ':')
                        return NULL;
                j--;
                while (j && http_is_ws(t[j - 1]))
                        j--;
                if (j < 6 || memcmp(t + j - 6, "\"next\"", 6) != 0)
                        return NULL;
                return nrd_strndup(t + start, end - start);
        }
}

static int http_artifact_walk(nereid_store *base, const char *project, const char *hash,
                              store_file_cb cb, void *payload)
{
        struct http_store *s = http_of(base);
        char *path = http_path(project, "/artifacts/%s/files", hash, NULL, 0), *cursor = NULL,
             *next = NULL, *last = NULL, *guess = NULL, *first = NULL;
        struct http_prefetch pre;
        nereid_buf page = NEREID_BUF_INIT;
        size_t count = 0, before;
        int rc, joined;

        memset(&pre, 0, sizeof(pre));
        if (!path)
                return NEREID_ERROR;
        pre.s = s;
        pthread_mutex_lock(&s->lock);
        pre.curl = curl_easy_duphandle(s->curl); /* NULL: pages one after the other */
        pthread_mutex_unlock(&s->lock);
        if (!(first = http_page_path_limit(path, NULL, HTTP_FIRST_PAGE_LIMIT))) {
                free(path);
                return NEREID_ERROR;
        }
        rc = http_call_status(s, NULL, "GET", first, NULL, NULL, HTTP_MAX_PAGE, NULL, NULL, &page);
        free(first);
        /* Each page is read record by record from its text: memory holds
         * two pages' bytes and one record. While it is read, the next page
         * is fetched on its own thread, from the cursor the page ends with. */
        while (rc == 0) {
                free(guess);
                guess = page.ptr ? http_page_next_guess(page.ptr, page.len) : NULL;
                if (guess && pre.curl) {
                        free(pre.path);
                        if (!(pre.path = http_page_path(path, guess))) {
                                rc = NEREID_ERROR;
                                break;
                        }
                        pre.running =
                            pthread_create(&pre.thread, NULL, http_prefetch_run, &pre) == 0;
                }
                before = count;
                rc = nrd_http_json_files_page(page.ptr ? page.ptr : "", page.len, cursor, &last, cb,
                                              payload, &count, &next, path);
                joined = http_prefetch_join(&pre);
                if (rc != 0 || !next)
                        break;
                if (count == before) {
                        rc =
                            nrd_error(NEREID_ERROR, "%s: an empty page that is not the last", path);
                        break;
                }
                free(cursor);
                cursor = next;
                next = NULL;
                /* The fetch made from the guess, when it was right and came. */
                if (guess && strcmp(guess, cursor) == 0 && joined == 0 && pre.page.ptr) {
                        http_buf_take(&page, &pre.page);
                } else {
                        /* No fetch, a failed one or one from a wrong guess:
                         * the page the cursor names, now. */
                        rc = http_page(s, path, cursor, HTTP_MAX_PAGE, NULL, &page);
                }
                pre.rc = 0;
                nrd_buf_free(&pre.page);
        }
        http_prefetch_join(&pre);
        if (pre.curl)
                curl_easy_cleanup(pre.curl);
        nrd_buf_free(&pre.page);
        free(pre.path);
        nrd_buf_free(&page);
        free(guess);
        free(cursor);
        free(next);
        free(last);
        free(path);
        return rc;
}

static int http_artifact_each(nereid_store *base, const char *project, const char *hash,
                              store_file_cb cb, void *payload)
{
        return http_artifact_walk(base, project, hash, cb, payload);
}

static int http_artifact_page(nereid_store *base, const char *project, const char *hash,
                              const char *after, size_t limit, store_file_cb cb, void *payload)
{
        struct http_window w = {after, limit, 0, cb, payload};
        int rc = http_artifact_walk(base, project, hash, http_window_file, &w);

        return rc == HTTP_WINDOW_FULL && w.given == limit ? 0 : rc;
}

static int http_refs(nereid_store *base, char *path, int with_path, store_ref_cb cb, void *payload)
{
        json_t *answer = NULL;
        int rc;

        if (!path)
                return NEREID_ERROR;
        if ((rc = http_call(http_of(base), "GET", path, NULL, HTTP_MAX_LIST, &answer)) == 0)
                rc = nrd_http_json_refs(answer, with_path, cb, payload, path);
        json_decref(answer);
        free(path);
        return rc;
}

static int http_field_users(nereid_store *base, const char *project, const char *hash,
                            store_ref_cb cb, void *payload)
{
        return http_refs(base, http_path(project, "/artifacts/%s/users", hash, NULL, 0), 0, cb,
                         payload);
}

static int http_file_find(nereid_store *base, const char *project, const char *file_hash,
                          store_ref_cb cb, void *payload)
{
        return http_refs(base, http_path(project, "/file-hashes/%s/users", file_hash, NULL, 0), 1,
                         cb, payload);
}

/* Tokens and settings are the server's own: a client never reaches them. */
static int http_server_only(nereid_store *base, const char *what)
{
        return nrd_error(NEREID_ERROR,
                         "server %s: %s is done on the server (nereid-server --store ...), not "
                         "through its API",
                         http_of(base)->url, what);
}

static int http_token_create(nereid_store *base, const store_token *token, uint64_t *id_out)
{
        (void)token;
        (void)id_out;
        return http_server_only(base, "creating a token");
}

static int http_token_find_by_hash(nereid_store *base, const char *hash, store_token *out)
{
        (void)hash;
        memset(out, 0, sizeof(*out));
        return http_server_only(base, "looking a token up");
}

static int http_token_each(nereid_store *base, store_token_cb cb, void *payload)
{
        (void)cb;
        (void)payload;
        return http_server_only(base, "listing tokens");
}

static int http_token_revoke(nereid_store *base, uint64_t id)
{
        (void)id;
        return http_server_only(base, "revoking a token");
}

static int http_token_touch(nereid_store *base, uint64_t id, const char *when)
{
        (void)id;
        (void)when;
        return http_server_only(base, "using a token");
}

static int http_meta_get(nereid_store *base, const char *key, char **value_out)
{
        (void)key;
        *value_out = NULL;
        return http_server_only(base, "reading a server setting");
}

static int http_meta_set(nereid_store *base, const char *key, const char *value)
{
        (void)key;
        (void)value;
        return http_server_only(base, "changing a server setting");
}

static const char *const http_schemes[] = {"http", "https", NULL};

/* run_query is route 19 (one page: the route's limit is run_query's).
 * The route's cursor is the sort, the order, the run number and the hex of
 * the sort value of the last run (docs/api/http.md), so the keyset of the
 * query is sent as it is. */
static int http_query_fields(json_t *list, store_field_summary **out, size_t *count,
                             const char *what)
{
        store_field_summary *f;
        json_t *item, *v;
        size_t i;
        int rc = 0;

        *out = NULL;
        *count = 0;
        if (!json_is_array(list))
                return nrd_error(NEREID_ERROR, "%s: \"fields\" is not an array", what);
        if (!json_array_size(list))
                return 0;
        if (!(f = nrd_calloc(json_array_size(list), sizeof(*f))))
                return NEREID_ERROR;
        json_array_foreach(list, i, item)
        {
                if ((rc = nrd_http_json_string(item, "field", 0, 0, &f[i].field, what)) < 0 ||
                    (rc = nrd_http_json_string(item, "hash", 0, NEREID_HASH_HEXLEN, &f[i].hash,
                                               what)) < 0 ||
                    (rc = nrd_http_json_string(item, "content_hash", 0, NEREID_HASH_HEXLEN,
                                               &f[i].content_hash, what)) < 0)
                        break;
                if (!json_is_integer(v = json_object_get(item, "file_count")) ||
                    json_integer_value(v) < 0 ||
                    !json_is_integer(json_object_get(item, "total_size")) ||
                    json_integer_value(json_object_get(item, "total_size")) < 0) {
                        rc = nrd_error(NEREID_ERROR, "%s: a field's counts are not numbers", what);
                        break;
                }
                f[i].file_count = (uint64_t)json_integer_value(v);
                f[i].total_size = (uint64_t)json_integer_value(json_object_get(item, "total_size"));
        }
        if (rc < 0) {
                free(f);
                return rc;
        }
        *out = f;
        *count = json_array_size(list);
        return 0;
}

static int http_run_query(nereid_store *base, const char *project, const store_run_query *q,
                          store_run_row_cb cb, void *payload)
{
        static const char *const sorts[] = {"id", "name", "owner", "creation_time",
                                            "modification_time"};
        char *path = http_path(project, "/run-table", NULL, NULL, 0), *filter = NULL;
        nereid_buf url = NEREID_BUF_INIT;
        json_t *answer = NULL, *runs, *item;
        store_field_summary *fields = NULL;
        store_run_info info;
        size_t i, nfields = 0;
        char *full = NULL;
        int rc = 0;

        if (!path || (q->filter && q->filter[0] && !(filter = nrd_uri_escape(q->filter, 0)))) {
                rc = NEREID_ERROR;
                goto cleanup;
        }
        nrd_buf_printf(&url, "%s?sort=%s&order=%s&limit=%zu", path, sorts[q->sort],
                       q->descending ? "desc" : "asc", q->limit);
        if (filter)
                nrd_buf_printf(&url, "&q=%s", filter);
        if (q->has_after) {
                const char *k = q->sort == STORE_SORT_ID ? "" : q->after_key;

                nrd_buf_printf(&url, "&cursor=%s.%s.%llu.", sorts[q->sort],
                               q->descending ? "desc" : "asc", (unsigned long long)q->after_number);
                for (; *k; k++)
                        nrd_buf_printf(&url, "%02x", (unsigned char)*k);
        }
        if (!(full = nrd_buf_detach(&url))) {
                rc = NEREID_ERROR;
                goto cleanup;
        }
        if ((rc = http_call(http_of(base), "GET", full, NULL, HTTP_MAX_LIST, &answer)) < 0)
                goto cleanup;
        if (!json_is_array(runs = json_object_get(answer, "runs"))) {
                rc = nrd_error(NEREID_ERROR, "%s: \"runs\" is not an array", path);
                goto cleanup;
        }
        json_array_foreach(runs, i, item)
        {
                if ((rc = nrd_http_json_run(item, &info, path)) < 0)
                        break;
                rc = http_query_fields(json_object_get(item, "fields"), &fields, &nfields, path);
                if (rc == 0)
                        rc = cb(payload, &info, nrd_http_json_run_number(info.id), fields, nfields);
                nrd_store_run_info_clear(&info);
                free(fields);
                fields = NULL;
                if (rc != 0)
                        break;
        }
cleanup:
        json_decref(answer);
        nrd_buf_free(&url);
        free(full);
        free(filter);
        free(path);
        return rc;
}

const store_ops nrd_store_http_ops = {
    .version = NEREID_STORE_VERSION,
    .name = "http",
    .schemes = http_schemes,
    .caps = STORE_CAP_API,
    .open = http_open,
    .close = http_close,
    .can_write = http_can_write,
    .project_open = http_project_open,
    .project_each = http_project_each,
    .run_create = NULL, /* version 3's: run_new does it */
    .run_info = http_run_info,
    .run_each = http_run_each,
    .field_each = http_field_each,
    .field_get = http_field_get,
    .field_roots = http_field_roots,
    .field_swap = http_field_swap,
    .field_remove = http_field_remove,
    .artifact_put = http_artifact_put,
    .artifact_content_hash = http_artifact_content_hash,
    .artifact_each = http_artifact_each,
    .field_users = http_field_users,
    .file_find = http_file_find,
    .run_new = http_run_new,
    .artifact_page = http_artifact_page,
    .token_create = http_token_create,
    .token_find_by_hash = http_token_find_by_hash,
    .token_each = http_token_each,
    .token_revoke = http_token_revoke,
    .token_touch = http_token_touch,
    .meta_get = http_meta_get,
    .meta_set = http_meta_set,
    .op_apply = http_op_apply,
    .run_query = http_run_query,
    .artifact_put_stream = http_artifact_put_stream,
    .artifact_put_text = http_artifact_put_text,
};
