/*
 * s3.c - the S3 source driver: turns s3://bucket[/key-or-prefix] into
 * records (a HEAD for an exact object, else a paginated ListObjectsV2
 * listing) and downloads one record's object back, verifying its MD5.
 * Works with AWS (virtual-host style) and, through S3_ENDPOINT_URL, with
 * any S3-compatible service (path style): GCS, MinIO, Ceph...
 *
 * Requests are signed by libcurl itself (CURLOPT_AWS_SIGV4). libcurl 7.88
 * signs the URL path and query as given, so this file builds them in the
 * canonical form SigV4 wants: every byte but the unreserved ones
 * percent-encoded, query parameters sorted by name. It also sends
 * x-amz-content-sha256: UNSIGNED-PAYLOAD itself, which S3 requires and
 * libcurl before 8.x does not add (it signs it when present).
 *
 * A hostile or broken service cannot make it hang or fill the disk: every
 * request has a deadline scaled to the bytes it should bring, a listing
 * must make progress (no continuation token twice, no key twice, not
 * endless pages without keys), and a GET asks for the tracked version
 * (If-Match) and stops at the first byte past the recorded size.
 *
 * Not for: uploads, or any S3 operation other than HEAD, GET and
 * ListObjectsV2. XML parsing is in s3_xml.c.
 */
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include "buf.h"
#include "error.h"
#include "fs.h"
#include "hash.h"
#include "os/os.h"
#include "record.h"
#include "source/s3_location.h"
#include "source/s3_preview.h"
#include "source/s3_url.h"
#include "source/s3_xml.h"
#include "source/source.h"
#include "strset.h"
#include "uri.h"

#define S3_CONNECT_TIMEOUT_S 5L
/* A transfer slower than 1 byte/s for this long is abandoned. */
#define S3_STALL_TIMEOUT_S 30L
/* One first try and four retries for 5xx answers and broken connections. */
#define S3_ATTEMPTS        5
#define S3_BACKOFF_BASE_MS 100
/* How much of an error body is kept to find the S3 error code. */
#define S3_ERROR_BODY_MAX 16384
/* Every attempt of a request must be complete within S3_DEADLINE_BASE_S
 * plus one second per S3_DEADLINE_RATE bytes it should bring (an object's
 * recorded size): 30 s for a HEAD, 46 s for a listing page, about 4.5 h for
 * 1 GiB. A service that trickles bytes is abandoned then. */
#define S3_DEADLINE_BASE_S 30
#define S3_DEADLINE_RATE   65536
/* What a listing page is taken to weigh for its deadline, and the most it
 * may weigh (1,000 keys of 1,024 bytes, each byte escaped, fit). */
#define S3_LIST_PAGE_BYTES (1L << 20)
#define S3_LIST_PAGE_MAX   (16L << 20)
/* Truncated listing pages in a row that bring no key before the listing is
 * abandoned as going nowhere. */
#define S3_LIST_EMPTY_PAGES_MAX 1000

/* What the project's options say about the service (SPEC section 6). */
struct s3_config {
        const char *key_id;
        const char *secret;
        const char *token; /* NULL when there is no session token */
        const char *region;
        nereid_buf endpoint;   /* without trailing '/'; empty: AWS */
        s3_site site;          /* endpoint and region, for s3_url.c */
        char sigv4[96];        /* "aws:amz:REGION:s3" */
        atomic_int *cancelled; /* the project's: set when the caller asks to stop */
};

typedef int (*s3_sink_fn)(void *payload, const char *data, size_t len);
typedef int (*s3_reset_fn)(void *payload);

/* One HTTP request with its retries, and what came back. */
struct s3_request {
        const struct s3_config *cfg;
        const char *url;
        const char *bucket;
        const char *what;        /* the s3:// location, for errors */
        int head;                /* HEAD instead of GET */
        const char *range;       /* byte range to ask for, or NULL */
        const char *if_match;    /* an "If-Match: ..." header line, or NULL */
        curl_off_t expect_bytes; /* body size expected, for the deadline; -1: Content-Length */
        s3_sink_fn sink;         /* receives a 2xx body */
        s3_reset_fn reset;       /* called before a retry; may be NULL */
        void *payload;

        long status; /* HTTP status of the last attempt */
        int attempts;
        char code[64];     /* S3 error code, "" when none */
        char message[256]; /* S3 error message */
        char etag[256];    /* ETag header, as sent */
        curl_off_t length; /* Content-Length, -1 when unknown */
        curl_off_t mtime;  /* Last-Modified as seconds since the epoch, -1 when unknown */

        CURL *curl;       /* this thread's handle (s3_handle) */
        int own_curl;     /* 1 when curl is this request's own, cleaned up after it */
        int64_t start_ms; /* when the current attempt began, monotonic */
        long deadline_s;  /* the deadline that stopped the attempt, 0 when none did */
        int status_known;
        int sink_rc;
        int cancelled; /* the transfer was stopped because the caller asked */
        nereid_buf errbody;
};

/* libcurl's global state is nereid_init's (options.c); this is only the
 * key of the per-thread handles. */
static pthread_once_t s3_once = PTHREAD_ONCE_INIT;
/* Each thread's libcurl handle, so that its requests reuse connections. A
 * thread's slot is in s3_slots (under s3_slots_lock) while its handle is
 * live: nereid_shutdown cleans every live handle before libcurl's global
 * cleanup and starts a new generation, so a thread that outlives it never
 * reuses a handle made before (it makes a new one after nereid_init). */
typedef struct s3_slot {
        CURL *curl;
        unsigned generation;
        struct s3_slot *next;
} s3_slot;
static pthread_key_t s3_handle_key;
static int s3_handle_key_made;
static pthread_mutex_t s3_slots_lock = PTHREAD_MUTEX_INITIALIZER;
static s3_slot *s3_slots;
static unsigned s3_generation;

/* Take slot out of s3_slots; the caller holds s3_slots_lock. */
static void s3_slot_unlink(s3_slot *slot)
{
        s3_slot **p;

        for (p = &s3_slots; *p; p = &(*p)->next)
                if (*p == slot) {
                        *p = slot->next;
                        return;
                }
}

/* A thread ends: its handle is cleaned up unless shutdown already did. */
static void s3_handle_free(void *data)
{
        s3_slot *slot = data;

        pthread_mutex_lock(&s3_slots_lock);
        if (slot->generation == s3_generation) {
                s3_slot_unlink(slot);
                curl_easy_cleanup(slot->curl);
        }
        pthread_mutex_unlock(&s3_slots_lock);
        free(slot);
}

static void s3_global_init(void)
{
        s3_handle_key_made = pthread_key_create(&s3_handle_key, s3_handle_free) == 0;
}

void nrd_s3_release_handles(void)
{
        s3_slot *slot;

        pthread_mutex_lock(&s3_slots_lock);
        for (slot = s3_slots; slot; slot = slot->next) {
                curl_easy_cleanup(slot->curl);
                slot->curl = NULL;
        }
        s3_slots = NULL;
        s3_generation++;
        pthread_mutex_unlock(&s3_slots_lock);
}

/* This thread's libcurl handle, made on first use and cleaned up when the
 * thread ends (a download worker, say) or at nereid_shutdown: one handle
 * per thread, so that connections are reused, never shared between
 * threads. *own is set when the handle could not be kept and the caller
 * must clean it up. */
static CURL *s3_handle(int *own)
{
        s3_slot *slot = s3_handle_key_made ? pthread_getspecific(s3_handle_key) : NULL;
        CURL *curl;

        *own = 0;
        if (slot) {
                unsigned generation;

                pthread_mutex_lock(&s3_slots_lock);
                generation = s3_generation;
                pthread_mutex_unlock(&s3_slots_lock);
                if (slot->generation == generation)
                        return slot->curl;
                /* Made before a nereid_shutdown, which cleaned its handle. */
                pthread_setspecific(s3_handle_key, NULL);
                free(slot);
        }
        if (!(curl = curl_easy_init()))
                return NULL;
        if (!s3_handle_key_made || !(slot = nrd_malloc(sizeof(*slot)))) {
                nrd_error_clear(); /* a handle of its own will do */
                *own = 1;
                return curl;
        }
        slot->curl = curl;
        pthread_mutex_lock(&s3_slots_lock);
        slot->generation = s3_generation;
        slot->next = s3_slots;
        s3_slots = slot;
        pthread_mutex_unlock(&s3_slots_lock);
        if (pthread_setspecific(s3_handle_key, slot) != 0) {
                pthread_mutex_lock(&s3_slots_lock);
                s3_slot_unlink(slot);
                pthread_mutex_unlock(&s3_slots_lock);
                free(slot);
                *own = 1;
        }
        return curl;
}

static int64_t s3_now_ms(void)
{
        return nrd_os_monotonic_ns() / 1000000;
}

/* The deadline in seconds of an attempt that should bring bytes. */
static long s3_deadline_s(curl_off_t bytes)
{
        if (bytes < 0)
                bytes = 0;
        return S3_DEADLINE_BASE_S + (long)(bytes / S3_DEADLINE_RATE) +
               (bytes % S3_DEADLINE_RATE ? 1 : 0);
}

/* libcurl calls this at least once a second, also while nothing arrives. */
static int s3_on_progress(void *userp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                          curl_off_t ulnow)
{
        struct s3_request *req = userp;
        long limit = s3_deadline_s(req->expect_bytes >= 0 ? req->expect_bytes : dltotal);

        (void)dlnow;
        (void)ultotal;
        (void)ulnow;
        if (req->cfg->cancelled && atomic_load(req->cfg->cancelled)) {
                req->cancelled = 1; /* the progress callback asked to stop */
                return 1;
        }
        if (s3_now_ms() - req->start_ms > (int64_t)limit * 1000) {
                req->deadline_s = limit;
                return 1; /* makes libcurl stop with CURLE_ABORTED_BY_CALLBACK */
        }
        return 0;
}

/* An option's value, NULL when it is not given or empty. */
static const char *s3_opt(const char *v)
{
        return v && *v ? v : NULL;
}

static int s3_region_ok(const char *region)
{
        const char *p;

        if (!*region || strlen(region) > 40)
                return 0;
        for (p = region; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
                        return 0;
        return 1;
}

static void s3_config_free(struct s3_config *cfg)
{
        nrd_buf_free(&cfg->endpoint);
}

/* The configuration of this project's S3 access, from its options: the
 * credentials travel with the project, so two projects of one process may
 * use two accounts. cfg borrows the project's strings. */
static int s3_config_from(const struct options_config *o, atomic_int *cancelled,
                          struct s3_config *cfg)
{
        const char *endpoint;

        memset(cfg, 0, sizeof(*cfg));
        cfg->cancelled = cancelled;
        pthread_once(&s3_once, s3_global_init);
        cfg->key_id = s3_opt(o->s3_key_id);
        cfg->secret = s3_opt(o->s3_secret);
        if (!cfg->key_id || !cfg->secret)
                return nrd_error(NEREID_EACCESS, "S3 credentials: AWS_ACCESS_KEY_ID and "
                                                 "AWS_SECRET_ACCESS_KEY are not set");
        cfg->token = s3_opt(o->s3_token);
        cfg->region = s3_opt(o->s3_region);
        if (!cfg->region)
                cfg->region = "us-east-1";
        if (!s3_region_ok(cfg->region))
                return nrd_error(NEREID_EINVALID, "S3 region \"%.60s\": not a region name",
                                 cfg->region);
        snprintf(cfg->sigv4, sizeof(cfg->sigv4), "aws:amz:%s:s3", cfg->region);
        endpoint = s3_opt(o->s3_endpoint);
        if (endpoint) {
                size_t len = strlen(endpoint);

                if (strncasecmp(endpoint, "http://", 7) != 0 &&
                    strncasecmp(endpoint, "https://", 8) != 0)
                        return nrd_error(NEREID_EINVALID,
                                         "S3_ENDPOINT_URL \"%.200s\": not an http:// or "
                                         "https:// URL",
                                         endpoint);
                while (len > 0 && endpoint[len - 1] == '/')
                        len--;
                if (nrd_buf_put(&cfg->endpoint, endpoint, len) < 0) {
                        s3_config_free(cfg);
                        return NEREID_ERROR;
                }
        }
        cfg->site.endpoint = cfg->endpoint.len ? cfg->endpoint.ptr : NULL;
        cfg->site.region = cfg->region;
        return 0;
}

static int s3_config_load(nereid_project *project, struct s3_config *cfg)
{
        return s3_config_from(&project->cfg, &project->cancelled, cfg);
}

static size_t s3_on_body(char *data, size_t size, size_t nmemb, void *userp)
{
        struct s3_request *req = userp;
        size_t len = size * nmemb;

        if (!req->status_known) {
                curl_easy_getinfo(req->curl, CURLINFO_RESPONSE_CODE, &req->status);
                /* Known once the headers are in: the sink may check it. */
                curl_easy_getinfo(req->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &req->length);
                req->status_known = 1;
        }
        if (req->status >= 200 && req->status < 300) {
                if (req->sink) {
                        int rc = req->sink(req->payload, data, len);

                        if (rc < 0) {
                                req->sink_rc = rc;
                                return 0; /* makes libcurl stop with CURLE_WRITE_ERROR */
                        }
                }
                return len;
        }
        if (req->errbody.len < S3_ERROR_BODY_MAX) {
                size_t keep = S3_ERROR_BODY_MAX - req->errbody.len;

                if (nrd_buf_put(&req->errbody, data, len < keep ? len : keep) < 0) {
                        req->sink_rc = NEREID_ERROR;
                        return 0;
                }
        }
        return len;
}

static size_t s3_on_header(char *data, size_t size, size_t nmemb, void *userp)
{
        struct s3_request *req = userp;
        size_t len = size * nmemb, n;
        const char *v;

        if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
                req->etag[0] = '\0'; /* a new response (after a 100 Continue, say) */
        } else if (len > 5 && strncasecmp(data, "etag:", 5) == 0) {
                v = data + 5;
                n = len - 5;
                while (n > 0 && (*v == ' ' || *v == '\t')) {
                        v++;
                        n--;
                }
                while (n > 0 && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' '))
                        n--;
                if (n >= sizeof(req->etag))
                        n = sizeof(req->etag) - 1;
                memcpy(req->etag, v, n);
                req->etag[n] = '\0';
        }
        return len;
}

/* Transport failures worth another try: the connection broke mid-way.
 * A refused connection or a timeout is reported at once, so that an
 * unreachable endpoint fails within seconds. */
static int s3_retryable(CURLcode rc)
{
        return rc == CURLE_SEND_ERROR || rc == CURLE_RECV_ERROR || rc == CURLE_GOT_NOTHING ||
               rc == CURLE_PARTIAL_FILE || rc == CURLE_HTTP2 || rc == CURLE_HTTP2_STREAM;
}

static void s3_backoff(int attempt)
{
        static _Thread_local unsigned int seed;
        long ms;

        if (!seed)
                seed = (unsigned int)nrd_fs_now_ns() ^ (unsigned int)(uintptr_t)&seed;
        ms = (long)S3_BACKOFF_BASE_MS << (attempt - 1);
        ms += rand_r(&seed) % ms; /* jitter, so that parallel downloads do not retry in step */
        nrd_os_sleep_ms(ms);
}

/* Run the request, retrying 5xx answers and broken connections with
 * exponential backoff. Returns 0 when an HTTP answer came back (whatever
 * its status: see req->status, req->code), or a negative code with the
 * message set for a transport failure or a sink failure. */
static int s3_perform(struct s3_request *req)
{
        struct curl_slist *headers = NULL, *h;
        char errbuf[CURL_ERROR_SIZE], label[512], tokenhdr[4096];
        CURLcode crc = CURLE_OK;
        int rc = NEREID_ERROR;

        req->length = -1;
        req->mtime = -1;
        req->curl = s3_handle(&req->own_curl);
        if (!req->curl)
                return nrd_error(NEREID_ERROR, "S3: cannot create a libcurl handle");
        h = curl_slist_append(headers, "x-amz-content-sha256: UNSIGNED-PAYLOAD");
        if (!h)
                goto oom;
        headers = h;
        if (req->if_match) {
                if (!(h = curl_slist_append(headers, req->if_match)))
                        goto oom;
                headers = h;
        }
        if (req->cfg->token) {
                if ((size_t)snprintf(tokenhdr, sizeof(tokenhdr), "x-amz-security-token: %s",
                                     req->cfg->token) >= sizeof(tokenhdr)) {
                        rc = nrd_error(NEREID_EINVALID, "AWS_SESSION_TOKEN: too long");
                        goto cleanup;
                }
                h = curl_slist_append(headers, tokenhdr);
                if (!h)
                        goto oom;
                headers = h;
        }
        curl_easy_setopt(req->curl, CURLOPT_URL, req->url);
        curl_easy_setopt(req->curl, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(req->curl, CURLOPT_NOSIGNAL, 1L);
        /* Keys are requested by their exact bytes: no removal of "." segments. */
        curl_easy_setopt(req->curl, CURLOPT_PATH_AS_IS, 1L);
        curl_easy_setopt(req->curl, CURLOPT_AWS_SIGV4, req->cfg->sigv4);
        curl_easy_setopt(req->curl, CURLOPT_USERNAME, req->cfg->key_id);
        curl_easy_setopt(req->curl, CURLOPT_PASSWORD, req->cfg->secret);
        curl_easy_setopt(req->curl, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(req->curl, CURLOPT_USERAGENT,
                         "nereid/"
                         "0.1");
        curl_easy_setopt(req->curl, CURLOPT_CONNECTTIMEOUT, S3_CONNECT_TIMEOUT_S);
        curl_easy_setopt(req->curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(req->curl, CURLOPT_LOW_SPEED_TIME, S3_STALL_TIMEOUT_S);
        curl_easy_setopt(req->curl, CURLOPT_WRITEFUNCTION, s3_on_body);
        curl_easy_setopt(req->curl, CURLOPT_WRITEDATA, req);
        curl_easy_setopt(req->curl, CURLOPT_HEADERFUNCTION, s3_on_header);
        curl_easy_setopt(req->curl, CURLOPT_HEADERDATA, req);
        curl_easy_setopt(req->curl, CURLOPT_ERRORBUFFER, errbuf);
        curl_easy_setopt(req->curl, CURLOPT_FILETIME, 1L);
        curl_easy_setopt(req->curl, CURLOPT_XFERINFOFUNCTION, s3_on_progress);
        curl_easy_setopt(req->curl, CURLOPT_XFERINFODATA, req);
        curl_easy_setopt(req->curl, CURLOPT_NOPROGRESS, 0L);
        if (req->head)
                curl_easy_setopt(req->curl, CURLOPT_NOBODY, 1L);
        if (req->range)
                curl_easy_setopt(req->curl, CURLOPT_RANGE, req->range);

        for (req->attempts = 1; req->attempts <= S3_ATTEMPTS; req->attempts++) {
                if (req->attempts > 1) {
                        s3_backoff(req->attempts - 1);
                        if (req->reset && (rc = req->reset(req->payload)) < 0)
                                goto cleanup;
                }
                req->status = 0;
                req->status_known = 0;
                req->length = -1;
                req->deadline_s = 0;
                req->start_ms = s3_now_ms();
                req->sink_rc = 0;
                req->etag[0] = '\0';
                req->code[0] = req->message[0] = '\0';
                nrd_buf_clear(&req->errbody);
                errbuf[0] = '\0';
                crc = curl_easy_perform(req->curl);
                if (req->sink_rc < 0) {
                        rc = req->sink_rc;
                        goto cleanup;
                }
                if (crc == CURLE_ABORTED_BY_CALLBACK && req->cancelled) {
                        rc = nrd_error(NEREID_ECANCELLED, "%s: cancelled",
                                       req->what ? req->what : "S3 request");
                        goto cleanup;
                }
                if (crc != CURLE_OK) {
                        if (s3_retryable(crc) && req->attempts < S3_ATTEMPTS)
                                continue;
                        nrd_s3_url_endpoint_label(&req->cfg->site, req->bucket, label,
                                                  sizeof(label));
                        if (crc == CURLE_ABORTED_BY_CALLBACK && req->deadline_s) {
                                rc =
                                    nrd_error(NEREID_ERROR,
                                              "%s: abandoned: S3 endpoint %s gave no complete "
                                              "answer within %ld s (%d s plus 1 s per %d KiB "
                                              "expected)",
                                              req->what ? req->what : label, label, req->deadline_s,
                                              S3_DEADLINE_BASE_S, S3_DEADLINE_RATE / 1024);
                                goto cleanup;
                        }
                        /* libcurl's detail helps for timeouts and TLS, not for a refusal. */
                        if (errbuf[0] && crc != CURLE_COULDNT_CONNECT &&
                            crc != CURLE_COULDNT_RESOLVE_HOST)
                                rc = nrd_error(NEREID_ERROR, "S3 endpoint %s: %s (%s)", label,
                                               curl_easy_strerror(crc), errbuf);
                        else
                                rc = nrd_error(NEREID_ERROR, "S3 endpoint %s: %s", label,
                                               curl_easy_strerror(crc));
                        goto cleanup;
                }
                curl_easy_getinfo(req->curl, CURLINFO_RESPONSE_CODE, &req->status);
                if (req->status >= 500 && req->attempts < S3_ATTEMPTS)
                        continue;
                break;
        }
        if (req->attempts > S3_ATTEMPTS)
                req->attempts = S3_ATTEMPTS;
        if (req->status >= 300 && req->errbody.len)
                nrd_s3_xml_error(req->errbody.ptr, req->errbody.len, req->code, sizeof(req->code),
                                 req->message, sizeof(req->message));
        if (req->status >= 200 && req->status < 300) {
                curl_easy_getinfo(req->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &req->length);
                curl_easy_getinfo(req->curl, CURLINFO_FILETIME_T, &req->mtime);
        }
        rc = 0;
        goto cleanup;
oom:
        rc = nrd_error_oom();
cleanup:
        /* Forget this request's options (pointers into it), keep the connections. */
        if (req->own_curl)
                curl_easy_cleanup(req->curl);
        else
                curl_easy_reset(req->curl);
        curl_slist_free_all(headers);
        req->curl = NULL;
        nrd_buf_free(&req->errbody);
        return rc;
}

/* The error for a non-2xx answer about what (an s3:// location). */
static int s3_status_error(const struct s3_request *req, const char *what)
{
        char code[sizeof(req->code) + 2] = "";

        /* A HEAD answer has no body, hence no S3 code: say only the status. */
        if (req->code[0])
                snprintf(code, sizeof(code), ", %s", req->code);
        if (strcmp(req->code, "NoSuchBucket") == 0)
                return nrd_error(NEREID_ENOTFOUND, "s3://%s: bucket not found", req->bucket);
        if (req->status == 404)
                return nrd_error(NEREID_ENOTFOUND, "%s: not found (HTTP 404%s)", what, code);
        /* Only a GET with If-Match gets it: the ETag is no longer the recorded one. */
        if (req->status == 412)
                return nrd_error(NEREID_EINTEGRITY,
                                 "%s: changed since it was tracked (HTTP 412%s: the object "
                                 "no longer has the recorded ETag)",
                                 what, code);
        if (req->status == 401 || req->status == 403 || strcmp(req->code, "AccessDenied") == 0 ||
            strcmp(req->code, "InvalidAccessKeyId") == 0 ||
            strcmp(req->code, "SignatureDoesNotMatch") == 0 ||
            strcmp(req->code, "ExpiredToken") == 0 || strcmp(req->code, "InvalidToken") == 0)
                return nrd_error(NEREID_EACCESS, "%s: access denied (HTTP %ld%s)", what,
                                 req->status, code);
        if (req->status == 301 || strcmp(req->code, "PermanentRedirect") == 0 ||
            strcmp(req->code, "AuthorizationHeaderMalformed") == 0)
                return nrd_error(NEREID_ERROR,
                                 "%s: HTTP %ld%s: is the bucket in region %s? (AWS_REGION)", what,
                                 req->status, code, req->cfg->region);
        if (req->status >= 500)
                return nrd_error(NEREID_ERROR, "%s: HTTP %ld%s after %d attempts", what,
                                 req->status, code, req->attempts);
        return nrd_error(NEREID_ERROR, "%s: HTTP %ld%s", what, req->status, code);
}

/* 1 when etag (without quotes) can be sent back in an If-Match header and
 * printed: 1 to 200 visible ASCII characters other than '"' (RFC 9110
 * etagc without obs-text). S3's are hex MD5s or "hex-N". */
static int s3_etag_ok(const char *etag)
{
        size_t n = 0;

        for (; *etag; etag++, n++)
                if (*etag < 0x21 || *etag > 0x7e || *etag == '"' || n >= 200)
                        return 0;
        return n > 0;
}

/* The ETag without its quotes (S3 sends "d41d8..."; multipart "...-N"). */
static char *s3_etag_dup(const char *etag)
{
        size_t len = strlen(etag);
        nereid_buf buf = NEREID_BUF_INIT;

        if (len >= 2 && etag[0] == '"' && etag[len - 1] == '"') {
                etag++;
                len -= 2;
        }
        if (nrd_buf_put(&buf, etag, len) < 0)
                return NULL;
        return nrd_buf_detach(&buf);
}

/* A record's source, in the one syntax of s3_location.c. */
static char *s3_source_dup(const char *bucket, const char *key)
{
        source_location loc = {&nrd_source_s3, (char *)bucket, (char *)key, 1};

        return nrd_s3_location_format(&loc);
}

/* Build and append one record. rel is the file_path before destination. */
static int s3_push_record(nereid_files *out, const char *bucket, const char *key, const char *rel,
                          const char *destination, const char *etag, uint64_t size, int has_size,
                          const char *last_modified)
{
        struct nereid_file rec = {0};

        if (!nrd_uri_is_safe_relative(rel))
                return nrd_error(NEREID_ERROR, "s3://%s/%s: key is not a valid file path", bucket,
                                 key);
        if (!*etag)
                return nrd_error(NEREID_ERROR, "s3://%s/%s: the service gives no ETag", bucket,
                                 key);
        rec.file_hash = s3_etag_dup(etag);
        if (rec.file_hash && !s3_etag_ok(rec.file_hash)) {
                free(rec.file_hash);
                return nrd_error(NEREID_ERROR,
                                 "s3://%s/%s: the service gives an ETag that is not one "
                                 "(not 1 to 200 visible ASCII characters)",
                                 bucket, key);
        }
        rec.file_path = nrd_source_prefixed(destination, rel);
        rec.type = nrd_strdup(nrd_source_s3.type);
        rec.source = s3_source_dup(bucket, key);
        if (last_modified)
                rec.last_modified = nrd_strdup(last_modified);
        rec.size = size;
        rec.has_size = has_size;
        if (!rec.file_path || !rec.file_hash || !rec.type || !rec.source ||
            (last_modified && !rec.last_modified)) {
                nrd_file_clear(&rec);
                return NEREID_ERROR;
        }
        return nrd_files_push(out, &rec);
}

/* HEAD the exact key. *found is 1 and the record appended when the object
 * exists, 0 when it does not (404). */
static int s3_head_object(const struct s3_config *cfg, const char *bucket, const char *key,
                          const char *destination, nereid_files *out, int *found)
{
        nereid_buf url = NEREID_BUF_INIT, what = NEREID_BUF_INIT;
        struct s3_request req = {0};
        char when[20];
        const char *base;
        int rc = NEREID_ERROR;

        *found = 0;
        if (nrd_s3_url_object(&cfg->site, bucket, key, &url) < 0 ||
            nrd_buf_printf(&what, "s3://%s/%s", bucket, key) < 0)
                goto cleanup;
        req.cfg = cfg;
        req.url = url.ptr;
        req.bucket = bucket;
        req.what = what.ptr;
        req.head = 1;
        req.expect_bytes = 0;
        if ((rc = s3_perform(&req)) < 0)
                goto cleanup;
        if (req.status == 404) {
                rc = 0;
                goto cleanup;
        }
        if (req.status < 200 || req.status >= 300) {
                /* A HEAD answer has no body: ask again with a one-byte GET
                 * to learn the S3 error code (SignatureDoesNotMatch...). */
                struct s3_request diag = {0};

                diag.cfg = cfg;
                diag.url = url.ptr;
                diag.bucket = bucket;
                diag.what = what.ptr;
                diag.range = "0-0";
                diag.expect_bytes = S3_ERROR_BODY_MAX;
                if (req.status < 500 && s3_perform(&diag) == 0 && diag.status == req.status &&
                    diag.code[0])
                        rc = s3_status_error(&diag, what.ptr);
                else
                        rc = s3_status_error(&req, what.ptr);
                goto cleanup;
        }
        base = strrchr(key, '/');
        base = base ? base + 1 : key;
        if (req.mtime >= 0)
                nrd_fs_format_utc((time_t)req.mtime, when);
        rc = s3_push_record(out, bucket, key, base, destination, req.etag,
                            (uint64_t)(req.length >= 0 ? req.length : 0), req.length >= 0,
                            req.mtime >= 0 ? when : NULL);
        if (rc == 0)
                *found = 1;
cleanup:
        nrd_buf_free(&url);
        nrd_buf_free(&what);
        return rc;
}

/* State of a listing, shared by its pages. */
struct s3_listing {
        const char *bucket;
        const char *prefix;
        size_t prefix_len;
        const char *what; /* the s3:// location listed, for errors */
        const char *destination;
        nereid_files *out;
        size_t page_start; /* out->count when the current page began */
        size_t page_bytes; /* bytes of the current page so far */
        s3_xml_list *parser;
};

static int s3_listing_object(void *payload, const s3_xml_object *object)
{
        struct s3_listing *ls = payload;
        const char *rel;
        size_t key_len = strlen(object->key);
        char when[20];

        if (strncmp(object->key, ls->prefix, ls->prefix_len) != 0)
                return nrd_error(NEREID_ERROR,
                                 "s3://%s/%s: the listing of prefix \"%s\" returned a key "
                                 "outside it",
                                 ls->bucket, object->key, ls->prefix);
        /* A folder marker, as consoles create them: not a file. */
        if (object->has_size && object->size == 0 && key_len > 0 && object->key[key_len - 1] == '/')
                return 0;
        rel = object->key + ls->prefix_len;
        return s3_push_record(ls->out, ls->bucket, object->key, rel, ls->destination, object->etag,
                              object->size, object->has_size,
                              nrd_s3_xml_time_to_utc(object->last_modified, when) == 0 ? when
                                                                                       : NULL);
}

static int s3_listing_sink(void *payload, const char *data, size_t len)
{
        struct s3_listing *ls = payload;

        ls->page_bytes += len;
        if (ls->page_bytes > S3_LIST_PAGE_MAX)
                return nrd_error(NEREID_ERROR, "%s: a listing page is larger than %ld MiB",
                                 ls->what, S3_LIST_PAGE_MAX >> 20);
        return nrd_s3_xml_list_feed(ls->parser, data, len, 0);
}

/* Before a retry of a page: drop what it gave so far and parse afresh. */
static int s3_listing_reset(void *payload)
{
        struct s3_listing *ls = payload;

        while (ls->out->count > ls->page_start)
                nrd_file_clear(&ls->out->items[--ls->out->count]);
        ls->page_bytes = 0;
        nrd_s3_xml_list_free(ls->parser);
        ls->parser = nrd_s3_xml_list_new(s3_listing_object, ls);
        return ls->parser ? 0 : NEREID_ERROR;
}

/* After a page: each of its keys must be new to the listing. Records of
 * pages already done are never freed during the listing, so the set can
 * be given their sources ("s3://bucket/key"). */
static int s3_listing_check_keys(const struct s3_listing *ls, strset *keys)
{
        size_t i;

        for (i = ls->page_start; i < ls->out->count; i++) {
                const char *source = ls->out->items[i].source;
                int seen = nrd_strset_add(keys, source);

                if (seen < 0)
                        return seen;
                if (seen)
                        return nrd_error(NEREID_ERROR, "%s: listed twice by the service", source);
        }
        return 0;
}

/* A listing must make progress or fail: a continuation token seen before
 * (a cycle, of any length), a key seen before, or S3_LIST_EMPTY_PAGES_MAX
 * truncated pages in a row without a key stop it. */
static int s3_list(nereid_project *project, const struct s3_config *cfg, const char *bucket,
                   const char *prefix, const char *what, const char *destination, nereid_files *out)
{
        struct s3_listing ls = {0};
        nereid_buf url = NEREID_BUF_INIT;
        strset *tokens = NULL, *keys = NULL;
        char *token = NULL, *next = NULL;
        int rc = NEREID_ERROR, truncated, empty_pages = 0;

        ls.bucket = bucket;
        ls.prefix = prefix;
        ls.prefix_len = strlen(prefix);
        ls.what = what;
        ls.destination = destination;
        ls.out = out;
        /* Tokens are copied (the parser holding them is freed after each
         * page); keys are borrowed from the records, which outlive the set. */
        if (!(tokens = nrd_strset_new(1)) || !(keys = nrd_strset_new(0)))
                goto cleanup;
        do {
                struct s3_request req = {0};
                const char *t;

                nrd_buf_clear(&url);
                if (nrd_s3_url_list(&cfg->site, bucket, prefix, token, &url) < 0)
                        goto cleanup;
                ls.page_start = out->count;
                ls.page_bytes = 0;
                if (!(ls.parser = nrd_s3_xml_list_new(s3_listing_object, &ls)))
                        goto cleanup;
                req.cfg = cfg;
                req.url = url.ptr;
                req.bucket = bucket;
                req.what = what;
                req.expect_bytes = S3_LIST_PAGE_BYTES;
                req.sink = s3_listing_sink;
                req.reset = s3_listing_reset;
                req.payload = &ls;
                if ((rc = s3_perform(&req)) < 0)
                        goto cleanup;
                if (req.status < 200 || req.status >= 300) {
                        rc = s3_status_error(&req, what);
                        goto cleanup;
                }
                if ((rc = nrd_s3_xml_list_feed(ls.parser, "", 0, 1)) < 0 ||
                    (rc = s3_listing_check_keys(&ls, keys)) < 0)
                        goto cleanup;
                rc = NEREID_ERROR;
                truncated = nrd_s3_xml_list_truncated(ls.parser);
                t = nrd_s3_xml_list_next_token(ls.parser);
                if (truncated && (!t || !*t)) {
                        rc = nrd_error(NEREID_ERROR,
                                       "%s: the listing is truncated without a "
                                       "continuation token",
                                       what);
                        goto cleanup;
                }
                if (truncated) {
                        int seen = nrd_strset_add(tokens, t);

                        if (seen < 0)
                                goto cleanup;
                        if (seen) {
                                rc = nrd_error(NEREID_ERROR,
                                               "%s: the listing goes round in circles (a "
                                               "continuation token came back after %zu "
                                               "pages)",
                                               what, nrd_strset_count(tokens) + 1);
                                goto cleanup;
                        }
                        empty_pages = out->count == ls.page_start ? empty_pages + 1 : 0;
                        if (empty_pages >= S3_LIST_EMPTY_PAGES_MAX) {
                                rc = nrd_error(NEREID_ERROR,
                                               "%s: the listing goes nowhere (%d pages in a "
                                               "row without a key)",
                                               what, S3_LIST_EMPTY_PAGES_MAX);
                                goto cleanup;
                        }
                        if (!(next = nrd_strdup(t)))
                                goto cleanup;
                }
                free(token);
                token = next;
                next = NULL;
                nrd_s3_xml_list_free(ls.parser);
                ls.parser = NULL;
                if ((rc = nrd_project_progress(project, "listing", out->count, 0)) < 0)
                        goto cleanup;
        } while (truncated);
        rc = 0;
cleanup:
        nrd_s3_xml_list_free(ls.parser);
        nrd_strset_free(tokens);
        nrd_strset_free(keys);
        free(token);
        free(next);
        nrd_buf_free(&url);
        return rc;
}

static int s3_scan(nereid_project *project, const source_location *loc, const char *destination,
                   nereid_files *out)
{
        struct s3_config cfg;
        nereid_buf prefix = NEREID_BUF_INIT, what = NEREID_BUF_INIT;
        const char *key = loc->path ? loc->path : "";
        size_t key_len = strlen(key);
        int rc, found = 0;

        if ((rc = s3_config_load(project, &cfg)) < 0)
                return rc;
        rc = NEREID_ERROR;
        if (nrd_buf_printf(&what, key_len ? "s3://%s/%s" : "s3://%s%s", loc->host, key) < 0)
                goto cleanup;
        if (loc->exact && (!key_len || key[key_len - 1] == '/')) {
                rc = nrd_error(NEREID_ENOTFOUND, "%s: not one object", what.ptr);
                goto cleanup;
        }
        if (key_len && key[key_len - 1] != '/') {
                if ((rc = s3_head_object(&cfg, loc->host, key, destination, out, &found)) < 0 ||
                    found)
                        goto cleanup;
                /* A record's object is that object, never a folder now there. */
                if (loc->exact) {
                        rc = nrd_error(NEREID_ENOTFOUND, "%s: not found", what.ptr);
                        goto cleanup;
                }
                /* Not an object: a folder, and only what is below "key/". */
                if (nrd_buf_printf(&prefix, "%s/", key) < 0) {
                        rc = NEREID_ERROR;
                        goto cleanup;
                }
        } else if (nrd_buf_puts(&prefix, key) < 0) {
                goto cleanup;
        }
        rc = s3_list(project, &cfg, loc->host, prefix.ptr, what.ptr, destination, out);
cleanup:
        nrd_buf_free(&prefix);
        nrd_buf_free(&what);
        s3_config_free(&cfg);
        return rc;
}

/* A download in progress: the temporary file and the running MD5. */
struct s3_download {
        int fd;
        const struct nereid_file *rec;
        const struct s3_request *req; /* the answer arriving */
        hash_md5_ctx *md5;
        uint64_t written;
        int checked; /* the answer's ETag and length were checked */
};

/* Before a byte of the answer is kept: it must be the object that was
 * tracked (when the service sends an ETag: a service that ignores If-Match
 * is still caught) and announce the recorded size, or any size when the
 * record has none. */
/* The answer's ETag, when it sends one, is the recorded one (a service
 * that ignores If-Match is still caught). */
static int s3_answer_etag_check(const struct nereid_file *rec, const struct s3_request *req)
{
        const char *etag = req->etag;
        char unquoted[sizeof(req->etag)];
        size_t len = strlen(etag);

        /* A weak ETag ("W/...", from a proxy that transforms the data) says nothing. */
        if (len && strncmp(etag, "W/", 2) != 0) {
                if (len >= 2 && etag[0] == '"' && etag[len - 1] == '"') {
                        etag++;
                        len -= 2;
                }
                memcpy(unquoted, etag, len);
                unquoted[len] = '\0';
                if (strcmp(unquoted, rec->file_hash) != 0)
                        return nrd_error(NEREID_EINTEGRITY,
                                         "%s: %s changed since it was tracked (its ETag is now "
                                         "%s)",
                                         rec->file_path, rec->source,
                                         s3_etag_ok(unquoted) ? unquoted : "not one");
        }
        return 0;
}

static int s3_download_check_answer(struct s3_download *dl)
{
        const struct nereid_file *rec = dl->rec;
        int rc;

        dl->checked = 1;
        if ((rc = s3_answer_etag_check(rec, dl->req)) < 0)
                return rc;
        /* Without a recorded size, Content-Length is the only bound on the body. */
        if (!rec->has_size && dl->req->length < 0)
                return nrd_error(NEREID_ERROR,
                                 "%s: %s: the record has no size and the service does not "
                                 "say how large the object is (no Content-Length)",
                                 rec->file_path, rec->source);
        if (rec->has_size && dl->req->length >= 0 && (uint64_t)dl->req->length != rec->size)
                return nrd_error(NEREID_EINTEGRITY,
                                 "%s: %s is announced as %lld bytes, the record says %llu",
                                 rec->file_path, rec->source, (long long)dl->req->length,
                                 (unsigned long long)rec->size);
        return 0;
}

static int s3_download_sink(void *payload, const char *data, size_t len)
{
        struct s3_download *dl = payload;
        int rc;

        if (!dl->checked && (rc = s3_download_check_answer(dl)) < 0)
                return rc;
        /* Never a byte past the recorded size: a hostile body cannot fill the disk. */
        if (dl->rec->has_size && len > dl->rec->size - dl->written)
                return nrd_error(
                    NEREID_EINTEGRITY, "%s: %s sends more than the recorded %llu bytes",
                    dl->rec->file_path, dl->rec->source, (unsigned long long)dl->rec->size);
        if (nrd_hash_md5_update(dl->md5, data, len) < 0)
                return NEREID_ERROR;
        if (nrd_fs_write_all(dl->fd, data, len) < 0)
                return nrd_error_os(nrd_error_from_errno(errno), errno, "%s: cannot write",
                                    dl->rec->file_path);
        dl->written += len;
        return 0;
}

static int s3_download_reset(void *payload)
{
        struct s3_download *dl = payload;

        nrd_hash_md5_free(dl->md5);
        dl->md5 = nrd_hash_md5_new();
        dl->written = 0;
        dl->checked = 0;
        if (!dl->md5)
                return NEREID_ERROR;
        if (ftruncate(dl->fd, 0) < 0 || lseek(dl->fd, 0, SEEK_SET) < 0)
                return nrd_error_os(NEREID_ERROR, errno, "%s: cannot rewind", dl->rec->file_path);
        return 0;
}

/* Split "s3://bucket/key" (key non-empty) into its parts (s3_location.c);
 * caller frees. */
static int s3_split_source(const char *source, char **bucket, char **key)
{
        source_location loc = {0};
        int rc;

        *bucket = *key = NULL;
        if (!source)
                return nrd_error(NEREID_EINVALID, "(no source): not an s3://bucket/key location");
        if ((rc = nrd_s3_location_parse_source(source, &loc)) < 0) {
                nrd_source_location_clear(&loc);
                return rc;
        }
        *bucket = loc.host;
        *key = loc.path;
        return 0;
}

static int s3_fetch(nereid_project *project, const struct nereid_file *rec, int dirfd,
                    const char *name, int copy)
{
        struct s3_config cfg;
        struct s3_request req = {0};
        struct s3_download dl = {0};
        nereid_buf url = NEREID_BUF_INIT;
        char *bucket = NULL, *key = NULL, tmp[256] = "", md5[NEREID_MD5_HEXLEN + 1];
        char if_match[256];
        int rc, have_config = 0;

        (void)copy; /* an S3 object is always copied */
        dl.fd = -1;
        if ((rc = s3_split_source(rec->source, &bucket, &key)) < 0)
                goto cleanup;
        /* The ETag goes into a header: nothing but what an ETag can hold. */
        if (!s3_etag_ok(rec->file_hash)) {
                rc = nrd_error(NEREID_ERROR, "%s: the recorded hash is not an S3 ETag",
                               rec->file_path);
                goto cleanup;
        }
        snprintf(if_match, sizeof(if_match), "If-Match: \"%s\"", rec->file_hash);
        if (nrd_hash_is_md5(rec->file_hash) &&
            nrd_source_target_has_md5(dirfd, name, rec->file_hash))
                goto cleanup;
        if ((rc = s3_config_load(project, &cfg)) < 0)
                goto cleanup;
        have_config = 1;
        if ((rc = nrd_s3_url_object(&cfg.site, bucket, key, &url)) < 0)
                goto cleanup;
        if ((rc = dl.fd = nrd_fs_temp_in(dirfd, name, tmp, sizeof(tmp))) < 0) {
                tmp[0] = '\0';
                goto cleanup;
        }
        dl.rec = rec;
        dl.req = &req;
        rc = NEREID_ERROR;
        if (!(dl.md5 = nrd_hash_md5_new()))
                goto cleanup;
        req.cfg = &cfg;
        req.url = url.ptr;
        req.bucket = bucket;
        req.what = rec->source;
        req.if_match = if_match;
        /* The deadline of an object of unknown size follows its Content-Length. */
        req.expect_bytes =
            rec->has_size && rec->size <= (uint64_t)INT64_MAX ? (curl_off_t)rec->size : -1;
        req.sink = s3_download_sink;
        req.reset = s3_download_reset;
        req.payload = &dl;
        if ((rc = s3_perform(&req)) < 0)
                goto cleanup;
        if (req.status < 200 || req.status >= 300) {
                rc = s3_status_error(&req, rec->source);
                goto cleanup;
        }
        /* An empty body gave the sink no call: check the answer now. */
        if (!dl.checked && (rc = s3_download_check_answer(&dl)) < 0)
                goto cleanup;
        rc = nrd_hash_md5_final(dl.md5, md5);
        dl.md5 = NULL;
        if (rc < 0)
                goto cleanup;
        if ((nrd_hash_is_md5(rec->file_hash) && strcmp(md5, rec->file_hash) != 0) ||
            (rec->has_size && rec->size != dl.written)) {
                rc = nrd_error(NEREID_EINTEGRITY,
                               "%s: downloaded data does not match its recorded hash",
                               rec->file_path);
                goto cleanup;
        }
        if (close(dl.fd) < 0) {
                dl.fd = -1;
                rc = nrd_error_os(NEREID_ERROR, errno, "%s: cannot write", rec->file_path);
                goto cleanup;
        }
        dl.fd = -1;
        if (renameat(dirfd, tmp, dirfd, name) < 0) {
                rc = nrd_error_os(nrd_error_from_errno(errno), errno,
                                  "%s: cannot move the download into place", rec->file_path);
                goto cleanup;
        }
        tmp[0] = '\0';
        rc = 0;
cleanup:
        if (dl.fd >= 0)
                close(dl.fd);
        if (tmp[0])
                unlinkat(dirfd, tmp, 0);
        nrd_hash_md5_free(dl.md5);
        if (have_config)
                s3_config_free(&cfg);
        nrd_buf_free(&url);
        free(bucket);
        free(key);
        return rc;
}

/* A capped read in progress (nrd_s3_read_capped). */
struct s3_capped {
        const struct nereid_file *rec;
        const struct s3_request *req;
        nereid_buf *out;
        size_t cap;
        int checked;
        int full; /* more than cap bytes came: the transfer was stopped */
};

static int s3_capped_sink(void *payload, const char *data, size_t len)
{
        struct s3_capped *c = payload;
        size_t room = c->cap - c->out->len;

        /* The tracked version, checked before a byte is kept. */
        if (!c->checked) {
                int rc;

                c->checked = 1;
                if ((rc = s3_answer_etag_check(c->rec, c->req)) < 0)
                        return rc;
        }
        if (len > room) {
                if (room && nrd_buf_put(c->out, data, room) < 0)
                        return NEREID_ERROR;
                c->full = 1;
                return NEREID_ERROR; /* stops the transfer; not an error (see full) */
        }
        return nrd_buf_put(c->out, data, len);
}

static int s3_capped_reset(void *payload)
{
        struct s3_capped *c = payload;

        nrd_buf_clear(c->out);
        c->checked = 0;
        c->full = 0;
        return 0;
}

int nrd_s3_read_capped(const struct options_config *opts, const struct nereid_file *rec, size_t cap,
                       nereid_buf *out, int *whole)
{
        struct s3_config cfg;
        struct s3_request req = {0};
        struct s3_capped c = {0};
        nereid_buf url = NEREID_BUF_INIT;
        char *bucket = NULL, *key = NULL, if_match[256], range[64];
        int rc, have_config = 0;

        *whole = 0;
        nrd_buf_clear(out);
        if ((rc = s3_split_source(rec->source, &bucket, &key)) < 0)
                goto cleanup;
        if (!s3_etag_ok(rec->file_hash)) {
                rc = nrd_error(NEREID_ERROR, "%s: the recorded hash is not an S3 ETag",
                               rec->file_path);
                goto cleanup;
        }
        if (cap == 0) {
                rc = nrd_error(NEREID_EINVALID, "%s: a read of 0 bytes", rec->file_path);
                goto cleanup;
        }
        snprintf(if_match, sizeof(if_match), "If-Match: \"%s\"", rec->file_hash);
        if ((rc = s3_config_from(opts, NULL, &cfg)) < 0)
                goto cleanup;
        have_config = 1;
        if ((rc = nrd_s3_url_object(&cfg.site, bucket, key, &url)) < 0)
                goto cleanup;
        c.rec = rec;
        c.req = &req;
        c.out = out;
        c.cap = cap;
        req.cfg = &cfg;
        req.url = url.ptr;
        req.bucket = bucket;
        req.what = rec->source;
        req.if_match = if_match;
        /* Only the first cap bytes are asked for: an empty object has no
         * range to give (416), so one no larger than cap is asked whole. */
        if (!rec->has_size || rec->size > cap) {
                snprintf(range, sizeof(range), "0-%llu", (unsigned long long)(cap - 1));
                req.range = range;
        }
        req.expect_bytes = (curl_off_t)cap;
        req.sink = s3_capped_sink;
        req.reset = s3_capped_reset;
        req.payload = &c;
        rc = s3_perform(&req);
        if (rc < 0 && !c.full)
                goto cleanup;
        nrd_error_clear();
        if (!c.full && (req.status < 200 || req.status >= 300)) {
                rc = s3_status_error(&req, rec->source);
                goto cleanup;
        }
        /* An empty body gave the sink no call: check the answer now. */
        if (!c.checked && (rc = s3_answer_etag_check(rec, &req)) < 0)
                goto cleanup;
        if (!c.full && req.status == 200) {
                if (rec->has_size && out->len != rec->size) {
                        rc = nrd_error(
                            NEREID_EINTEGRITY, "%s: %s: %zu bytes came, the record says %llu",
                            rec->file_path, rec->source, out->len, (unsigned long long)rec->size);
                        goto cleanup;
                }
                *whole = 1;
        } else if (!c.full && rec->has_size && out->len >= rec->size) {
                *whole = out->len == rec->size; /* a 206 of the whole object */
        }
        rc = 0;
cleanup:
        if (rc < 0)
                nrd_buf_clear(out);
        if (have_config)
                s3_config_free(&cfg);
        nrd_buf_free(&url);
        free(bucket);
        free(key);
        return rc;
}

const source_driver nrd_source_s3 = {
    .version = NEREID_SOURCE_VERSION,
    .name = "s3",
    .scheme = "s3",
    .type = "S3",
    .caps = 0,
    .parse = nrd_s3_location_parse,
    .format = nrd_s3_location_format,
    .parse_source = nrd_s3_location_parse_source,
    .check_record = nrd_s3_location_check_record,
    .scan = s3_scan,
    .fetch = s3_fetch,
};
