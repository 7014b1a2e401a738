/*
 * test_server_routes.c - the route table of nereid-server (server/routes.c)
 * and its path parameters (server/pathparam.c): every row has a scope and
 * the table passes its own check; only health needs no token; matching
 * decodes a parameter exactly once and refuses what must never reach the
 * store ("..%2f", "%252e", ";", "\\", "#", NUL, bad escapes); the OpenAPI
 * document lists every row; the JSON depth check stops deep nesting.
 */
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "server.h"

static int match(const char *method, const char *path, const struct srv_route **route,
                 char *params[SRV_PARAMS])
{
        char why[256];

        return srv_routes_match(method, path, route, params, why, sizeof(why));
}

static void free_params(char *params[SRV_PARAMS])
{
        int i;

        for (i = 0; i < SRV_PARAMS; i++) {
                free(params[i]);
                params[i] = NULL;
        }
}

static void test_table(void)
{
        char why[256];
        size_t i, unauthenticated = 0;

        CHECK(srv_routes_check(why, sizeof(why)) == 0);
        CHECK(srv_routes_count == 21);
        for (i = 0; i < srv_routes_count; i++) {
                CHECK(srv_routes[i].scope != SRV_SCOPE_UNSET);
                if (srv_routes[i].scope == SRV_SCOPE_NONE) {
                        unauthenticated++;
                        CHECK_STR(srv_routes[i].pattern, "/api/v1/health");
                }
                /* Writes need write. */
                if (strcmp(srv_routes[i].method, "GET") != 0)
                        CHECK(srv_routes[i].scope >= SRV_SCOPE_WRITE);
        }
        CHECK(unauthenticated == 1);
}

static void test_match(void)
{
        const struct srv_route *r;
        char *p[SRV_PARAMS] = {NULL};
        struct srv_request req;
        char why[256];

        CHECK(match("GET", "/api/v1/health", &r, p) == 0 && r && r->handler == srv_h_health);
        CHECK(match("POST", "/api/v1/health", &r, p) == 405);
        CHECK(match("GET", "/api/v1/nothing", &r, p) == 404);
        CHECK(match("GET", "/api/v1/health/", &r, p) == 404);
        CHECK(match("GET", "/api/v1/projects/ws/p/runs/ABC-1/fields/data/train", &r, p) == 0);
        CHECK(r && r->handler == srv_h_field_get);
        memset(&req, 0, sizeof(req));
        req.route = r;
        memcpy(req.params, p, sizeof(p));
        CHECK_STR(srv_param(&req, "ws"), "ws");
        CHECK_STR(srv_param(&req, "name"), "p");
        CHECK_STR(srv_param(&req, "run"), "ABC-1");
        CHECK_STR(srv_param(&req, "field"), "data/train");
        CHECK(srv_params_check(&req, why, sizeof(why)) == 0);
        CHECK_STR(req.project, "ws/p");
        free_params(p);

        /* Decoded once: %41 is 'A', %252e is "%2e" (then refused by the grammar). */
        CHECK(match("GET", "/api/v1/projects/ws/p/runs/%41BC-1", &r, p) == 0);
        CHECK_STR(p[2], "ABC-1");
        free_params(p);
        CHECK(match("GET", "/api/v1/projects/ws/p/runs/ABC-1/fields/%252e", &r, p) == 0);
        CHECK_STR(p[3], "%2e");
        memset(&req, 0, sizeof(req));
        req.route = r;
        memcpy(req.params, p, sizeof(p));
        CHECK(srv_params_check(&req, why, sizeof(why)) < 0);
        free_params(p);

        /* Never a '/' from %2F, never NUL, ';', '\\', '#', bad escapes. */
        CHECK(match("GET", "/api/v1/projects/ws/p/runs/ABC-1/fields/..%2fsecret", &r, p) == 400);
        CHECK(match("GET", "/api/v1/projects/ws/p/runs/ABC-1/fields/a%2Fb", &r, p) == 400);
        CHECK(match("GET", "/api/v1/projects/ws/p/runs/ABC-1/fields/a%00b", &r, p) == 400);
        CHECK(match("GET", "/api/v1/projects/ws/p/runs/ABC-1/fields/a;b", &r, p) == 400);
        CHECK(match("GET", "/api/v1/projects/ws/p/runs/ABC-1/fields/a%5cb", &r, p) == 400);
        CHECK(match("GET", "/api/v1/projects/ws/p/runs/ABC-1/fields/a\\b", &r, p) == 400);
        CHECK(match("GET", "/api/v1/projects/ws/p/runs/ABC-1/fields/a%23b", &r, p) == 400);
        CHECK(match("GET", "/api/v1/projects/ws/p/runs/ABC-1/fields/a#b", &r, p) == 400);
        CHECK(match("GET", "/api/v1/projects/ws/p/runs/ABC-1/fields/a%0ab", &r, p) == 400);
        CHECK(match("GET", "/api/v1/projects/ws/p/runs/ABC-1/fields/a%7fb", &r, p) == 400);
        CHECK(match("GET", "/api/v1/projects/ws/p/runs/ABC-1/fields/a%2", &r, p) == 400);
        CHECK(match("GET", "/api/v1/projects/ws/p/runs/ABC-1/fields/a%zz", &r, p) == 400);
        CHECK(match("GET", "/api/v1/projects/ws/p/runs/ABC-1/fields/a//b", &r, p) == 400);
        CHECK(match("GET", "/api/v1/projects/w%2Fs/p", &r, p) == 400);
        CHECK(p[0] == NULL && p[1] == NULL);

        /* ".." and "." decode fine but fail the grammar. */
        CHECK(match("GET", "/api/v1/projects/ws/p/runs/ABC-1/fields/a/../b", &r, p) == 0);
        memset(&req, 0, sizeof(req));
        req.route = r;
        memcpy(req.params, p, sizeof(p));
        CHECK(srv_params_check(&req, why, sizeof(why)) < 0);
        free_params(p);
        CHECK(match("GET", "/api/v1/projects/../p", &r, p) == 0);
        memset(&req, 0, sizeof(req));
        req.route = r;
        memcpy(req.params, p, sizeof(p));
        CHECK(srv_params_check(&req, why, sizeof(why)) < 0);
        free_params(p);
        CHECK(match("GET", "/api/v1/projects/ws/p/runs/abc-1", &r, p) == 0);
        memset(&req, 0, sizeof(req));
        req.route = r;
        memcpy(req.params, p, sizeof(p));
        CHECK(srv_params_check(&req, why, sizeof(why)) < 0);
        free_params(p);
        CHECK(match("GET", "/api/v1/projects/ws/p/artifacts/ABCD", &r, p) == 0);
        memset(&req, 0, sizeof(req));
        req.route = r;
        memcpy(req.params, p, sizeof(p));
        CHECK(srv_params_check(&req, why, sizeof(why)) < 0);
        free_params(p);
}

static void test_openapi(void)
{
        json_t *doc = srv_routes_openapi(), *paths = json_object_get(doc, "paths");
        size_t i, ops = 0;
        const char *key;
        json_t *item;

        CHECK(doc && json_is_object(paths));
        json_object_foreach(paths, key, item)
        {
                ops += json_object_size(item);
                CHECK(strchr(key, '+') == NULL);
        }
        CHECK(ops == srv_routes_count);
        for (i = 0; i < srv_routes_count; i++) {
                char path[256], m[8];
                size_t k, o = 0;
                json_t *op;

                for (k = 0; srv_routes[i].pattern[k]; k++)
                        if (srv_routes[i].pattern[k] != '+')
                                path[o++] = srv_routes[i].pattern[k];
                path[o] = '\0';
                for (k = 0; srv_routes[i].method[k]; k++)
                        m[k] = (char)(srv_routes[i].method[k] | 0x20);
                m[k] = '\0';
                op = json_object_get(json_object_get(paths, path), m);
                CHECK(op != NULL);
                CHECK_STR(json_string_value(json_object_get(op, "x-nereid-scope")),
                          srv_scope_name(srv_routes[i].scope));
        }
        json_decref(doc);
}

static void test_depth(void)
{
        size_t n = 100000, i;
        char *deep = malloc(n * 2 + 1);

        CHECK(srv_json_depth_ok("{\"a\":[1,{\"b\":2}]}", 17, 3) == 0);
        CHECK(srv_json_depth_ok("[[[[1]]]]", 9, 3) < 0);
        /* Brackets inside strings do not count. */
        CHECK(srv_json_depth_ok("[\"[[[[\\\"[[[[\"]", 14, 2) == 0);
        for (i = 0; i < n; i++) {
                deep[i] = '[';
                deep[n + i] = ']';
        }
        deep[2 * n] = '\0';
        CHECK(srv_json_depth_ok(deep, 2 * n, SRV_JSON_DEPTH) < 0);
        free(deep);
}

int main(void)
{
        test_table();
        test_match();
        test_openapi();
        test_depth();
        return CHECK_DONE();
}
