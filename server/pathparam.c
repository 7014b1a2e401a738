/*
 * pathparam.c - path parameters and query values, decoded exactly once and
 * then checked against SPEC grammar before any reaches the store. The
 * daemon hands over the raw path (http.c installs an unescape callback
 * that leaves it as sent), so "%2F" inside a segment stays one segment and
 * "%252e" becomes "%2e", never ".". Not the place for route matching
 * (routes.c) or for what a parameter names (handlers.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "nereid.h"
#include "hash.h"
#include "uri.h"
#include "server.h"

static int hexval(char c)
{
        return nrd_uri_hex_value(c);
}

int srv_path_decode(const char *in, size_t len, int segment, char **out, char *why, size_t cap)
{
        char *s;
        size_t i, o = 0;

        *out = NULL;
        if (len > SRV_PARAM_MAX * 3) {
                snprintf(why, cap, "path parameter longer than %d bytes", SRV_PARAM_MAX);
                return -1;
        }
        if (!(s = malloc(len + 1))) {
                snprintf(why, cap, "out of memory");
                return -1;
        }
        for (i = 0; i < len; i++) {
                char c = in[i];

                if (c == '%') {
                        int hi = i + 2 < len ? hexval(in[i + 1]) : -1;
                        int lo = i + 2 < len ? hexval(in[i + 2]) : -1;

                        if (hi < 0 || lo < 0) {
                                snprintf(why, cap, "bad percent-encoding in the path");
                                free(s);
                                return -1;
                        }
                        c = (char)(hi * 16 + lo);
                        i += 2;
                }
                if (c == '\0' || (segment && strchr("/\\;#", c)) || (unsigned char)c < 0x20 ||
                    c == 0x7f) {
                        snprintf(why, cap, "forbidden character 0x%02x in a path parameter",
                                 (unsigned char)c);
                        free(s);
                        return -1;
                }
                s[o++] = c;
        }
        s[o] = '\0';
        if (o > SRV_PARAM_MAX) {
                snprintf(why, cap, "path parameter longer than %d bytes", SRV_PARAM_MAX);
                free(s);
                return -1;
        }
        *out = s;
        return 0;
}

const char *srv_param(const struct srv_request *req, const char *name)
{
        int i;

        if (!req->route || (i = srv_route_param_index(req->route, name)) < 0)
                return NULL;
        return req->params[i];
}

/* The library's message for a failed check, in why. */
static int check_failed(char *why, size_t cap)
{
        snprintf(why, cap, "%s", nereid_error_last());
        return -1;
}

int srv_params_check(struct srv_request *req, char *why, size_t cap)
{
        const char *ws = srv_param(req, "ws"), *name = srv_param(req, "name");
        const char *run = srv_param(req, "run"), *field = srv_param(req, "field");
        const char *hash = srv_param(req, "hash"), *fh = srv_param(req, "file_hash");

        int k;

        req->project[0] = '\0';
        /* "." and ".." are names to no grammar here; refused whatever the route. */
        for (k = 0; k < SRV_PARAMS; k++)
                if (req->params[k] &&
                    (!strcmp(req->params[k], ".") || !strcmp(req->params[k], ".."))) {
                        snprintf(why, cap, "\"%s\": not a name", req->params[k]);
                        return -1;
                }
        if (ws && name) {
                snprintf(req->project, sizeof(req->project), "%s/%s", ws, name);
                if (nrd_uri_check_project_name(req->project) < 0)
                        return check_failed(why, cap);
        }
        if (run && nrd_uri_check_run_id(run) < 0)
                return check_failed(why, cap);
        if (field && nrd_uri_check_field(field) < 0)
                return check_failed(why, cap);
        /* "." and ".." segments are refused there, as the embedded store does. */
        if (hash && !nrd_hash_is_sha256(hash)) {
                snprintf(why, cap, "%s: not an artifact hash (64 lowercase hex digits)", hash);
                return -1;
        }
        if (fh) {
                size_t n = strlen(fh), i;
                int ok = n >= 32 && n <= 48;

                for (i = 0; ok && i < 32; i++)
                        ok = hexval(fh[i]) >= 0;
                if (ok && n > 32) {
                        ok = fh[32] == '-' && n > 33;
                        for (i = 33; ok && i < n; i++)
                                ok = fh[i] >= '0' && fh[i] <= '9';
                }
                if (!ok) {
                        snprintf(why, cap,
                                 "%s: not a file hash (an MD5: 32 hex digits, or an S3 ETag "
                                 "MD5-N)",
                                 fh);
                        return -1;
                }
        }
        return 0;
}
