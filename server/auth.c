/*
 * auth.c - who a request is and what it may touch (SPEC section 8,
 * docs/api/http.md): the token comes from "Authorization: Bearer" only,
 * is looked up by its SHA-256 (the library's nrd_token_hash; the store
 * keeps nothing else) and the digest compared in constant time; revoked,
 * expired or unknown tokens are 401. Then the route's scope: a project
 * outside the token's is 404 for reads (existence does not leak) and 403 for
 * writes; a role below the scope is 403. last_used is written at most once
 * a minute per token, so reads stay cheap. Not the place for making tokens
 * (main.c, the library's token.c) or for routes (routes.c).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <openssl/crypto.h>
#include <microhttpd.h>
#include "nereid.h"
#include "token.h"
#include "server.h"

/* Longest Authorization value considered: a token is far shorter. */
#define AUTH_HEADER_MAX 2048

static int unauthenticated(struct srv_request *req, const char *why)
{
        srv_reply_error(req, 401, "unauthenticated", why);
        return -1;
}

/* Seconds since the epoch of an ISO 8601 UTC time of the store
 * ("2026-12-03T10:33:14.123Z"); -1 when it is not one. */
static long long iso_seconds(const char *s)
{
        struct tm tm;
        const char *end;

        memset(&tm, 0, sizeof(tm));
        if (!s || !*s || !(end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)))
                return -1;
        return (long long)timegm(&tm);
}

int srv_auth_authenticate(struct srv_request *req)
{
        const char *hdr =
            MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
        char hash[NEREID_HASH_HEXLEN + 1];
        store_token token;
        const char *secret;
        long long now = (long long)time(NULL), exp, used;
        int rc;

        if (!hdr)
                return unauthenticated(req, "no token: send Authorization: Bearer nrd_...");
        if (strlen(hdr) > AUTH_HEADER_MAX || strncasecmp(hdr, "Bearer ", 7) != 0)
                return unauthenticated(req, "Authorization: Bearer nrd_... expected");
        secret = hdr + 7;
        while (*secret == ' ')
                secret++;
        if (strncmp(secret, "nrd_", 4) != 0 || nrd_token_hash(secret, hash) < 0)
                return unauthenticated(req, "not a Nereid token");
        memset(&token, 0, sizeof(token));
        rc = srv_store_take(req->srv, &req->store);
        if (rc == 0)
                rc = nrd_store_token_find_by_hash(req->store, hash, &token);
        if (rc == NEREID_ENOTFOUND || (rc == 0 && !nrd_token_hash_equal(token.hash, hash))) {
                rc = unauthenticated(req, "unknown token");
                goto cleanup;
        }
        if (rc < 0) {
                srv_reply_unavailable(req, nereid_error_last());
                rc = -1;
                goto cleanup;
        }
        if (token.revoked) {
                rc = unauthenticated(req, "token revoked");
                goto cleanup;
        }
        if (token.expires[0] && ((exp = iso_seconds(token.expires)) < 0 || exp <= now)) {
                rc = unauthenticated(req, "token expired");
                goto cleanup;
        }
        req->auth.id = token.id;
        if (req->srv->rate) {
                struct timespec ts;
                double wait;

                clock_gettime(CLOCK_MONOTONIC, &ts);
                wait = srv_rate_take(req->srv->rate, token.id,
                                     (double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
                if (wait > 0) {
                        srv_reply_rate_limited(req, wait);
                        rc = -1;
                        goto cleanup;
                }
        }
        req->auth.ok = 1;
        req->auth.role = token.role;
        snprintf(req->auth.name, sizeof(req->auth.name), "%s", token.name ? token.name : "");
        snprintf(req->auth.project, sizeof(req->auth.project), "%s",
                 token.project ? token.project : "");
        /* At most once a minute: a failed touch does not refuse the request. */
        used = iso_seconds(token.last_used);
        if (used < 0 || now - used >= SRV_TOUCH_SECONDS)
                (void)nrd_store_token_touch(req->store, token.id, NULL);
        rc = 0;
cleanup:
        nrd_store_token_clear(&token);
        srv_store_give(req->srv, req->store);
        req->store = NULL;
        return rc;
}

int srv_auth_may_read(const struct srv_auth *auth, const char *project)
{
        return auth->ok && auth->role >= STORE_ROLE_READ &&
               (!strcmp(auth->project, "*") || !strcmp(auth->project, project));
}

int srv_auth_authorise(struct srv_request *req)
{
        const struct srv_route *r = req->route;
        int writes = r->scope >= SRV_SCOPE_WRITE;
        char msg[2400];

        if (r->scope == SRV_SCOPE_NONE || r->scope == SRV_SCOPE_TOKEN)
                return 0;
        if (req->project[0] && !srv_auth_may_read(&req->auth, req->project)) {
                snprintf(msg, sizeof(msg), "project %s: not found", req->project);
                if (!writes) {
                        srv_reply_error(req, 404, "not-found", msg);
                        return -1;
                }
                snprintf(msg, sizeof(msg), "project %s: this token may not write to it",
                         req->project);
                srv_reply_error(req, 403, "forbidden", msg);
                return -1;
        }
        if ((r->scope == SRV_SCOPE_READ && req->auth.role < STORE_ROLE_READ) ||
            (r->scope == SRV_SCOPE_WRITE && req->auth.role < STORE_ROLE_WRITE) ||
            (r->scope == SRV_SCOPE_ADMIN && req->auth.role < STORE_ROLE_ADMIN)) {
                snprintf(msg, sizeof(msg), "this token's role (%s) may not %s",
                         nrd_store_role_name(req->auth.role) ? nrd_store_role_name(req->auth.role)
                                                             : "none",
                         writes ? "write" : "read");
                srv_reply_error(req, 403, "forbidden", msg);
                return -1;
        }
        return 0;
}
