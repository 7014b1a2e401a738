/*
 * fuzz_server_path.c - libFuzzer target for nereid-server's request paths
 * (server/routes.c, server/pathparam.c): the first byte picks a method, the
 * rest is a raw path. Whatever the input, matching and the grammar checks
 * never crash, a matched route's parameters never hold a NUL, '\\', ';' or
 * '#', only the field path holds '/', never an empty or "." or ".." segment
 * once checked; and the JSON depth check never crashes on the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const methods[] = {"GET", "PUT", "POST", "DELETE", "PATCH"};

static int dot_segment(const char *s)
{
        while (*s) {
                size_t n = strcspn(s, "/");

                if (!n || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
                        return 1;
                s += n;
                if (*s == '/' && !*++s)
                        return 1; /* a trailing '/' is an empty segment */
        }
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct srv_request req;
        const struct srv_route *route = NULL;
        char *path, why[512];
        int rc, i, field;

        if (!size)
                return 0;
        if (!(path = malloc(size)))
                return 0;
        memcpy(path, data + 1, size - 1);
        path[size - 1] = '\0';
        memset(&req, 0, sizeof(req));
        rc = srv_routes_match(methods[data[0] % 5], path, &route, req.params, why, sizeof(why));
        if (rc != 0 && rc != 400 && rc != 404 && rc != 405)
                abort();
        if (rc == 0) {
                if (!route)
                        abort();
                req.route = route;
                field = srv_route_param_index(route, "field");
                for (i = 0; i < SRV_PARAMS; i++) {
                        const char *p = req.params[i];

                        if (!p)
                                continue;
                        if (strpbrk(p, "\\;#") || (i != field && strchr(p, '/')))
                                abort();
                }
                if (srv_params_check(&req, why, sizeof(why)) == 0) {
                        const char *f = srv_param(&req, "field");

                        if (f && dot_segment(f))
                                abort();
                        for (i = 0; i < SRV_PARAMS; i++)
                                if (req.params[i] &&
                                    (!strcmp(req.params[i], "..") || !strcmp(req.params[i], ".")))
                                        abort();
                }
        }
        for (i = 0; i < SRV_PARAMS; i++)
                free(req.params[i]);
        (void)srv_json_depth_ok((const char *)data, size, SRV_JSON_DEPTH);
        free(path);
        return 0;
}
