/*
 * test_http_store.c - the http(s) store backend (src/store/http.c) against
 * a real HTTP server that replays canned answers (tests/data/http_canned.py):
 * what each store op sends (route, body, the token only in the
 * Authorization header), how every answer maps back (codes, conflict,
 * pages), and that hostile answers (wrong types, huge bodies, bad records,
 * repeated cursors, out-of-order pages, redirects) are clear errors. The
 * end-to-end behaviour against nereid-server is tests/e2e/server_client_*.sh.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "check.h"
#include "scratch.h"
#include "nereid.h"
#include "record.h"
#include "store/http.h"
#include "store/store.h"

#define TOKEN "nrd_aHR0cDovLzEyNy4wLjAuMTo4NjQy_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ"
#define H1    "1111111111111111111111111111111111111111111111111111111111111111"
#define H2    "2222222222222222222222222222222222222222222222222222222222222222"
#define P     "/api/v1/projects/ws/p"

static char scenario[4200], logpath[4200], url[64];
static pid_t server = -1;

static void write_file(const char *path, const char *text)
{
        FILE *f = fopen(path, "w");

        if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
                perror(path);
                exit(1);
        }
}

/* The scenario: routes given as "METHOD PATH STATUS BODY" lines, JSON
 * built here so the test reads as a table. */
static void answers(const char *json_routes)
{
        char text[65536];

        snprintf(text, sizeof(text), "{\"routes\": [%s]}", json_routes);
        write_file(scenario, text);
        write_file(logpath, "");
}

static char *read_log(void)
{
        static char text[1 << 20];
        FILE *f = fopen(logpath, "r");
        size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;

        const char *p;
        int tokens = 0, bearers = 0;

        if (f)
                fclose(f);
        text[n] = '\0';
        /* The token only ever in the Authorization header, never in a path. */
        for (p = text; (p = strstr(p, TOKEN)); p++)
                tokens++;
        for (p = text; (p = strstr(p, "\"auth\": \"Bearer " TOKEN "\"")); p++)
                bearers++;
        CHECK(tokens == bearers);
        return text;
}

static int start_server(void)
{
        char script[4200], portfile[4200], port[16] = "";
        const char *here = __FILE__;
        const char *slash = strrchr(here, '/');
        int i;

        snprintf(script, sizeof(script), "%.*s/../data/http_canned.py",
                 (int)(slash ? slash - here : 1), slash ? here : ".");
        snprintf(scenario, sizeof(scenario), "%s", path_in(root, "scenario.json"));
        snprintf(logpath, sizeof(logpath), "%s", path_in(root, "log.jsonl"));
        snprintf(portfile, sizeof(portfile), "%s", path_in(root, "port"));
        answers("");
        server = fork();
        if (server == 0) {
                execlp("python3", "python3", script, scenario, logpath, portfile, (char *)NULL);
                _exit(127);
        }
        for (i = 0; i < 200 && !port[0]; i++) {
                FILE *f = fopen(portfile, "r");
                struct timespec ts = {0, 50000000L};

                if (f) {
                        if (!fgets(port, sizeof(port), f))
                                port[0] = '\0';
                        fclose(f);
                }
                if (!port[0])
                        nanosleep(&ts, NULL);
        }
        if (!port[0]) {
                fprintf(stderr, "the canned server did not start (%s)\n", script);
                return -1;
        }
        snprintf(url, sizeof(url), "http://127.0.0.1:%s", port);
        return 0;
}

static nereid_store *open_store(const char *location, const char *token)
{
        nereid_store *store = NULL;

        nrd_store_http_token(token);
        CHECK(nrd_store_open(&store, location, NEREID_MODE_SYNC) == 0);
        nrd_store_http_token(NULL);
        return store;
}

static int count_file(void *payload, const struct nereid_file *file)
{
        size_t *n = payload;

        (void)file;
        (*n)++;
        return 0;
}

static int collect_run(void *payload, const store_run_info *info)
{
        char *ids = payload;

        strcat(ids, info->id);
        strcat(ids, ";");
        return 0;
}

static int collect_ref(void *payload, const char *run, const char *field, const char *path)
{
        char *out = payload;

        strcat(out, run);
        strcat(out, ":");
        strcat(out, field);
        if (path) {
                strcat(out, " ");
                strcat(out, path);
        }
        strcat(out, ";");
        return 0;
}

static void check_token(void)
{
        char *server_url = NULL;

        CHECK(nrd_store_http_token_server(TOKEN, &server_url) == 0);
        CHECK_STR(server_url, "http://127.0.0.1:8642");
        free(server_url);
        /* The secret may hold '_' (base64url): found by its length. */
        CHECK(nrd_store_http_token_server(
                  "nrd_aHR0cDovLzEyNy4wLjAuMTo4NjQy_abc_efghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ",
                  &server_url) == 0);
        free(server_url);
        CHECK(nrd_store_http_token_server("ghp_x", &server_url) == NEREID_EINVALID);
        CHECK(strstr(nereid_error_last(), "ghp_x") == NULL);
        CHECK(nrd_store_http_token_server("nrd_short", &server_url) == NEREID_EINVALID);
        /* base64url of "ftp://h": not a server address. */
        CHECK(nrd_store_http_token_server(
                  "nrd_ZnRwOi8vaA_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ", &server_url) ==
              NEREID_EINVALID);
        CHECK(strstr(nereid_error_last(), "abcdefgh") == NULL);
        CHECK(server_url == NULL);
}

static void check_open(void)
{
        nereid_store *store = NULL;
        char key[16];

        CHECK(nrd_store_open(&store, "http://user:secretpw@127.0.0.1:1", NEREID_MODE_SYNC) ==
              NEREID_EINVALID);
        CHECK(strstr(nereid_error_last(), "secretpw") == NULL);
        /* A token that would break the header is refused, not sent. */
        nrd_store_http_token("nrd_a b");
        CHECK(nrd_store_open(&store, "http://127.0.0.1:1", NEREID_MODE_SYNC) == NEREID_EINVALID);
        nrd_store_http_token("nrd_a\r\nX-Evil: 1");
        CHECK(nrd_store_open(&store, "http://127.0.0.1:1", NEREID_MODE_SYNC) == NEREID_EINVALID);
        CHECK(strstr(nereid_error_last(), "Evil") == NULL);
        nrd_store_http_token(NULL);
        CHECK(nrd_store_open(&store, "http://127.0.0.1:1/?q", NEREID_MODE_SYNC) == NEREID_EINVALID);
        CHECK(nrd_store_open(&store, "https://", NEREID_MODE_SYNC) == NEREID_EINVALID);
        CHECK(store == NULL);
        /* An unreachable server: the URL and the reason, at once. */
        store = open_store("http://127.0.0.1:1/", TOKEN);
        CHECK(nrd_store_project_open(store, "ws/p", NULL, 0, key) == NEREID_ERROR);
        CHECK_STR(nereid_error_last(), "cannot reach http://127.0.0.1:1: Connection refused");
        nrd_store_close(store);
}

static void check_projects(nereid_store *store)
{
        char key[16], *log;

        answers("{\"method\":\"GET\",\"path\":\"" P "\",\"status\":200,"
                "\"body\":\"{\\\"name\\\":\\\"ws/p\\\",\\\"key\\\":\\\"WSP\\\",\\\"runs\\\":3}\"}");
        CHECK(nrd_store_project_open(store, "ws/p", NULL, 0, key) == 0);
        CHECK_STR(key, "WSP");
        log = read_log();
        CHECK(strstr(log, "\"auth\": \"Bearer " TOKEN "\"") != NULL);
        CHECK(strstr(log, "\"path\": \"" P "\"") != NULL);

        /* An answer about another project is refused. */
        answers("{\"method\":\"GET\",\"path\":\"" P "\",\"status\":200,"
                "\"body\":\"{\\\"name\\\":\\\"ws/q\\\",\\\"key\\\":\\\"WSP\\\",\\\"runs\\\":3}\"}");
        CHECK(nrd_store_project_open(store, "ws/p", NULL, 0, key) == NEREID_ERROR);

        /* Create: PUT with the key. */
        answers("{\"method\":\"PUT\",\"path\":\"" P "\",\"status\":201,"
                "\"body\":\"{\\\"name\\\":\\\"ws/p\\\",\\\"key\\\":\\\"KK\\\",\\\"runs\\\":0}\"}");
        CHECK(nrd_store_project_open(store, "ws/p", "KK", 1, key) == 0);
        CHECK_STR(key, "KK");
        CHECK(strstr(read_log(), "{\\\"key\\\": \\\"KK\\\"}") ||
              strstr(read_log(), "{\\\"key\\\":\\\"KK\\\"}"));

        /* The codes of the API map back. */
        answers("{\"method\":\"GET\",\"path\":\"" P "\",\"status\":401,"
                "\"body\":\"{\\\"error\\\":{\\\"code\\\":\\\"unauthenticated\\\","
                "\\\"message\\\":\\\"token refused\\\"}}\"}");
        CHECK(nrd_store_project_open(store, "ws/p", NULL, 0, key) == NEREID_EACCESS);
        CHECK(strstr(nereid_error_last(), url) != NULL);
        CHECK(strstr(nereid_error_last(), "token refused") != NULL);
        CHECK(strstr(nereid_error_last(), TOKEN) == NULL);
        answers("{\"method\":\"GET\",\"path\":\"" P "\",\"status\":404,"
                "\"body\":\"{\\\"error\\\":{\\\"code\\\":\\\"not-found\\\","
                "\\\"message\\\":\\\"project ws/p: not found\\\"}}\"}");
        CHECK(nrd_store_project_open(store, "ws/p", NULL, 0, key) == NEREID_ENOTFOUND);
        CHECK_STR(nereid_error_last(), "project ws/p: not found");
        /* A body that is not the API's: the status decides, the URL is named. */
        answers("{\"method\":\"GET\",\"path\":\"" P "\",\"status\":502,"
                "\"body\":\"<html>bad gateway</html>\"}");
        CHECK(nrd_store_project_open(store, "ws/p", NULL, 0, key) == NEREID_ERROR);
        CHECK(strstr(nereid_error_last(), "HTTP 502") != NULL);
        CHECK(strstr(nereid_error_last(), url) != NULL);
        answers("{\"method\":\"GET\",\"path\":\"" P "\",\"status\":403,"
                "\"body\":\"{\\\"error\\\":{\\\"code\\\":\\\"not-found\\\"}}\"}");
        CHECK(nrd_store_project_open(store, "ws/p", NULL, 0, key) == NEREID_EACCESS);
        /* A redirect is not followed: the token stays with this server. */
        answers("{\"method\":\"GET\",\"path\":\"" P "\",\"status\":302,\"body\":\"\"}");
        CHECK(nrd_store_project_open(store, "ws/p", NULL, 0, key) == NEREID_ERROR);
        CHECK(strstr(nereid_error_last(), "HTTP 302") != NULL);
        /* Hostile 200s: not JSON, not an object, wrong types, a bad key. */
        answers("{\"method\":\"GET\",\"path\":\"" P "\",\"status\":200,\"body\":\"{\"}");
        CHECK(nrd_store_project_open(store, "ws/p", NULL, 0, key) == NEREID_ERROR);
        CHECK(strstr(nereid_error_last(), "not JSON") != NULL);
        answers("{\"method\":\"GET\",\"path\":\"" P "\",\"status\":200,\"body\":\"[1]\"}");
        CHECK(nrd_store_project_open(store, "ws/p", NULL, 0, key) == NEREID_ERROR);
        answers("{\"method\":\"GET\",\"path\":\"" P "\",\"status\":200,"
                "\"body\":\"{\\\"name\\\":\\\"ws/p\\\",\\\"key\\\":7,\\\"runs\\\":3}\"}");
        CHECK(nrd_store_project_open(store, "ws/p", NULL, 0, key) == NEREID_ERROR);
        CHECK(strstr(nereid_error_last(), "\"key\" is not a string") != NULL);
        answers("{\"method\":\"GET\",\"path\":\"" P "\",\"status\":200,"
                "\"body\":\"{\\\"name\\\":\\\"ws/p\\\",\\\"key\\\":\\\"w\\\\\\\\u001b\\\","
                "\\\"runs\\\":3}\"}");
        CHECK(nrd_store_project_open(store, "ws/p", NULL, 0, key) == NEREID_ERROR);
        /* A huge answer stops at the route's limit. */
        answers("{\"method\":\"GET\",\"path\":\"" P "\",\"status\":200,"
                "\"body\":\"xxxxxxxxxxxxxxxx\",\"repeat\":200000}");
        CHECK(nrd_store_project_open(store, "ws/p", NULL, 0, key) == NEREID_ERROR);
        CHECK(strstr(nereid_error_last(), "larger than") != NULL);
}

#define RUN(id, n)                                                                                 \
        "{\\\"id\\\":\\\"" id "\\\",\\\"name\\\":\\\"" n "\\\",\\\"owner\\\":\\\"ana\\\","         \
        "\\\"creation_time\\\":\\\"2026-12-03T10:00:00Z\\\","                                      \
        "\\\"modification_time\\\":\\\"2026-12-03T10:00:00Z\\\"}"

static void check_runs(nereid_store *store)
{
        store_run_spec spec;
        char id[32], ids[256] = "", *log;
        int created = -1;

        memset(&spec, 0, sizeof(spec));
        spec.uuid = "0f8fad5b-d9cb-469f-a165-70867728950e";
        spec.name = "first";
        spec.owner = "ignored";
        answers("{\"method\":\"POST\",\"path\":\"" P "/runs\",\"status\":201,"
                "\"body\":\"" RUN("WSP-4", "first") "\"}");
        CHECK(nrd_store_run_new(store, "ws/p", &spec, id, &created) == 0);
        CHECK_STR(id, "WSP-4");
        CHECK(created == 1);
        log = read_log();
        CHECK(strstr(log, "0f8fad5b-d9cb-469f-a165-70867728950e") != NULL);
        CHECK(strstr(log, "ignored") == NULL); /* the server sets sys/owner */
        /* A retried create: 200 and the same run. */
        answers("{\"method\":\"POST\",\"path\":\"" P "/runs\",\"status\":200,"
                "\"body\":\"" RUN("WSP-4", "first") "\"}");
        CHECK(nrd_store_run_new(store, "ws/p", &spec, id, &created) == 0);
        CHECK(created == 0);
        /* A run ID that is not one. */
        answers("{\"method\":\"POST\",\"path\":\"" P "/runs\",\"status\":201,"
                "\"body\":\"" RUN("WSP-04", "first") "\"}");
        CHECK(nrd_store_run_new(store, "ws/p", &spec, id, &created) == NEREID_ERROR);

        /* run_each: pages followed, after and limit kept. */
        answers("{\"method\":\"GET\",\"path\":\"" P "/runs?limit=10000\",\"status\":200,"
                "\"body\":\"{\\\"runs\\\":[" RUN("WSP-1", "a") "," RUN(
                    "WSP-2", "b") "],"
                                  "\\\"next\\\":\\\"c1\\\"}\"},"
                                  "{\"method\":\"GET\",\"path\":\"" P
                                  "/runs?limit=10000&cursor=c1\",\"status\":200,"
                                  "\"body\":\"{\\\"runs\\\":[" RUN("WSP-3",
                                                                   "c") "],\\\"next\\\":null}\"}");
        CHECK(nrd_store_run_each(store, "ws/p", 0, 0, collect_run, ids) == 0);
        CHECK_STR(ids, "WSP-1;WSP-2;WSP-3;");
        ids[0] = '\0';
        CHECK(nrd_store_run_each(store, "ws/p", 1, 1, collect_run, ids) == 0);
        CHECK_STR(ids, "WSP-2;");
        /* Listing page by page goes on from the page where the last call
         * stopped: the first page is not read again. */
        answers("{\"method\":\"GET\",\"path\":\"" P "/runs?limit=10000\",\"status\":200,"
                "\"body\":\"{\\\"runs\\\":[" RUN("WSP-1", "a") "," RUN(
                    "WSP-2", "b") "],"
                                  "\\\"next\\\":\\\"c1\\\"}\"},"
                                  "{\"method\":\"GET\",\"path\":\"" P
                                  "/runs?limit=10000&cursor=c1\",\"status\":200,"
                                  "\"body\":\"{\\\"runs\\\":[" RUN("WSP-3", "c") "," RUN(
                                      "WSP-4", "d") "],"
                                                    "\\\"next\\\":null}\"}");
        ids[0] = '\0';
        CHECK(nrd_store_run_each(store, "ws/p", 0, 3, collect_run, ids) == 0);
        CHECK_STR(ids, "WSP-1;WSP-2;WSP-3;");
        write_file(logpath, "");
        ids[0] = '\0';
        CHECK(nrd_store_run_each(store, "ws/p", 3, 3, collect_run, ids) == 0);
        CHECK_STR(ids, "WSP-4;");
        CHECK(strstr(read_log(), "/runs?limit=10000\"") == NULL);
        CHECK(strstr(read_log(), "cursor=c1") != NULL);
        /* Another starting point reads from the first page. */
        ids[0] = '\0';
        CHECK(nrd_store_run_each(store, "ws/p", 1, 1, collect_run, ids) == 0);
        CHECK_STR(ids, "WSP-2;");
        /* A page that goes back, or a cursor that repeats: an error, not a loop. */
        answers("{\"method\":\"GET\",\"path\":\"" P "/runs?limit=10000\",\"status\":200,"
                "\"body\":\"{\\\"runs\\\":[" RUN("WSP-2", "a") "," RUN(
                    "WSP-1", "b") "],"
                                  "\\\"next\\\":null}\"}");
        CHECK(nrd_store_run_each(store, "ws/p", 0, 0, collect_run, ids) == NEREID_ERROR);
        CHECK(strstr(nereid_error_last(), "out of order") != NULL);
        answers("{\"method\":\"GET\",\"path\":\"" P "/runs*\",\"status\":200,"
                "\"body\":\"{\\\"runs\\\":[],\\\"next\\\":\\\"c1\\\"}\"}");
        CHECK(nrd_store_run_each(store, "ws/p", 0, 0, collect_run, ids) == NEREID_ERROR);
}

static void check_fields(nereid_store *store)
{
        store_root sent = {"file:///data/train", ""}, *roots = NULL;
        char hash[NEREID_HASH_HEXLEN + 1], *log;
        size_t n = 0;

        answers("{\"method\":\"GET\",\"path\":\"" P "/runs/WSP-1/fields/data/train\","
                "\"status\":200,\"body\":\"{\\\"path\\\":\\\"data/train\\\",\\\"hash\\\":\\\"" H1
                "\\\",\\\"roots\\\":[{\\\"location\\\":\\\"file:///d\\\","
                "\\\"destination\\\":\\\"\\\"}]}\"}");
        CHECK(nrd_store_field_get(store, "ws/p", "WSP-1", "data/train", hash) == 0);
        CHECK_STR(hash, H1);
        CHECK(nrd_store_field_roots(store, "ws/p", "WSP-1", "data/train", &roots, &n) == 0);
        CHECK(n == 1 && roots && strcmp(roots[0].location, "file:///d") == 0);
        nrd_store_roots_free(roots, n);

        /* A swap whose expectation failed is STORE_CONFLICT, message cleared. */
        answers("{\"method\":\"PUT\",\"path\":\"" P "/runs/WSP-1/fields/data/train\","
                "\"status\":409,\"body\":\"{\\\"error\\\":{\\\"code\\\":\\\"conflict\\\","
                "\\\"message\\\":\\\"field data/train changed\\\"}}\"}");
        CHECK(nrd_store_field_swap(store, "ws/p", "WSP-1", "data/train", NULL, H2, &sent, 1,
                                   STORE_ROOTS_ADD) == STORE_CONFLICT);
        CHECK_STR(nereid_error_last(), "");
        log = read_log();
        CHECK(strstr(log, "\\\"expect\\\": null") || strstr(log, "\\\"expect\\\":null"));
        CHECK(strstr(log, "\\\"roots_mode\\\":\\\"add\\\"") != NULL);
        CHECK(strstr(log, "file:///data/train") != NULL);
        /* 409 "exists" is not a conflict. */
        answers("{\"method\":\"PUT\",\"path\":\"" P "/runs/WSP-1/fields/data/train\","
                "\"status\":409,\"body\":\"{\\\"error\\\":{\\\"code\\\":\\\"exists\\\","
                "\\\"message\\\":\\\"exists\\\"}}\"}");
        CHECK(nrd_store_field_swap(store, "ws/p", "WSP-1", "data/train", "", H2, NULL, 0,
                                   STORE_ROOTS_SET) == NEREID_EEXISTS);
        CHECK(strstr(read_log(), "\\\"roots_mode\\\":\\\"set\\\"") != NULL);
        /* A swap acknowledged with another hash is refused. */
        answers("{\"method\":\"PUT\",\"path\":\"" P "/runs/WSP-1/fields/data/train\","
                "\"status\":200,\"body\":\"{\\\"path\\\":\\\"data/train\\\",\\\"hash\\\":\\\"" H1
                "\\\"}\"}");
        CHECK(nrd_store_field_swap(store, "ws/p", "WSP-1", "data/train", H1, H2, NULL, 0,
                                   STORE_ROOTS_ADD) == NEREID_ERROR);
        answers("{\"method\":\"DELETE\",\"path\":\"" P "/runs/WSP-1/fields/data\","
                "\"status\":200,\"body\":\"{\\\"removed\\\":\\\"data\\\"}\"}");
        CHECK(nrd_store_field_remove(store, "ws/p", "WSP-1", "data") == 0);
}

#define REC(path)                                                                                  \
        "{\\\"file_path\\\":\\\"" path "\\\",\\\"file_hash\\\":"                                   \
        "\\\"9e107d9d372bb6826bd81d3542a419d6\\\",\\\"type\\\":\\\"Local\\\",\\\"size\\\":43,"     \
        "\\\"metadata\\\":{\\\"file_path\\\":\\\"file:///d/" path "\\\","                          \
        "\\\"last_modified\\\":\\\"2022-09-30 10:50:40\\\"}}"

static void check_artifacts(nereid_store *store)
{
        char content[NEREID_HASH_HEXLEN + 1], refs[512] = "";
        nereid_files *files = NULL;
        size_t n = 0;

        /* artifact_put asks first: an artifact the server has goes up once. */
        answers("{\"method\":\"GET\",\"path\":\"" P "/artifacts/" H1 "\",\"status\":200,"
                "\"body\":\"{\\\"hash\\\":\\\"" H1 "\\\",\\\"content_hash\\\":\\\"" H2 "\\\"}\"}");
        CHECK(nereid_files_from_json(&files,
                                     "[{\"file_path\":\"a\",\"file_hash\":"
                                     "\"9e107d9d372bb6826bd81d3542a419d6\",\"type\":\"Local\","
                                     "\"size\":1,\"metadata\":{\"file_path\":\"file:///d/a\","
                                     "\"last_modified\":\"2022-09-30 10:50:40\"}}]") == 0);
        CHECK(nrd_store_artifact_put(store, "ws/p", H1, H2, files) == 0);
        CHECK(strstr(read_log(), "\"PUT\"") == NULL);
        /* Missing: uploaded as the JSON array of records. */
        answers("{\"method\":\"GET\",\"path\":\"" P "/artifacts/" H1 "\",\"status\":404,"
                "\"body\":\"{\\\"error\\\":{\\\"code\\\":\\\"not-found\\\",\\\"message\\\":"
                "\\\"artifact: not found\\\"}}\"},"
                "{\"method\":\"PUT\",\"path\":\"" P "/artifacts/" H1 "\",\"status\":201,"
                "\"body\":\"{\\\"hash\\\":\\\"" H1 "\\\",\\\"content_hash\\\":\\\"" H2
                "\\\",\\\"files\\\":1}\"}");
        CHECK(nrd_store_artifact_put(store, "ws/p", H1, H2, files) == 0);
        CHECK(strstr(read_log(), "\\\"file_path\\\":\\\"a\\\"") != NULL);
        /* The server refuses records that do not give the hash. */
        answers("{\"method\":\"PUT\",\"path\":\"" P "/artifacts/" H1 "\",\"status\":400,"
                "\"body\":\"{\\\"error\\\":{\\\"code\\\":\\\"integrity\\\",\\\"message\\\":"
                "\\\"artifact " H1 ": the records give another hash\\\"}}\"}");
        CHECK(nrd_store_artifact_put(store, "ws/p", H1, H2, files) == NEREID_EINTEGRITY);
        /* A record JSON cannot carry (not UTF-8): refused, the upload cut. */
        answers("{\"method\":\"GET\",\"path\":\"" P "/artifacts/" H1 "\",\"status\":404,"
                "\"body\":\"\"},"
                "{\"method\":\"PUT\",\"path\":\"" P "/artifacts/" H1 "\",\"status\":201,"
                "\"body\":\"{}\"}");
        free(files->items[0].file_path);
        files->items[0].file_path = strdup("a\xff");
        CHECK(nrd_store_artifact_put(store, "ws/p", H1, H2, files) == NEREID_EINVALID);
        CHECK(strstr(nereid_error_last(), "not valid UTF-8") != NULL);
        nereid_files_free(files);

        CHECK(nrd_store_artifact_content_hash(store, "ws/p", H1, content) == NEREID_ENOTFOUND);

        /* artifact_each: two pages, every record checked. */
        answers("{\"method\":\"GET\",\"path\":\"" P "/artifacts/" H1 "/files?limit=1000\","
                "\"status\":200,\"body\":\"{\\\"files\\\":[" REC("a") "," REC(
                    "b/c") "],"
                           "\\\"next\\\":\\\"b%2Fc\\\"}\"},"
                           "{\"method\":\"GET\",\"path\":\"" P "/artifacts/" H1
                           "/files?limit=10000&cursor=b%252Fc\",\"status\":200,"
                           "\"body\":\"{\\\"files\\\":[" REC("d") "],\\\"next\\\":null}\"}");
        CHECK(nrd_store_artifact_each(store, "ws/p", H1, count_file, &n) == 0);
        CHECK(n == 3);
        n = 0;
        CHECK(nrd_store_artifact_page(store, "ws/p", H1, "a", 1, count_file, &n) == 0);
        CHECK(n == 1);
        /* The first page is small (it comes back sooner); the cursor given
         * first in a page (so the next page is not fetched ahead from the
         * page's end) is followed all the same. */
        answers(
            "{\"method\":\"GET\",\"path\":\"" P "/artifacts/" H1 "/files?limit=1000\","
            "\"status\":200,\"body\":\"{\\\"next\\\":\\\"c1\\\",\\\"files\\\":[" REC(
                "a") "]}\"},"
                     "{\"method\":\"GET\",\"path\":\"" P "/artifacts/" H1
                     "/files?limit=10000&cursor=c1\",\"status\":200,"
                     "\"body\":\"{\\\"files\\\":[" REC("b") "],\\\"next\\\":null,\\\"x\\\":1}\"}");
        n = 0;
        CHECK(nrd_store_artifact_each(store, "ws/p", H1, count_file, &n) == 0);
        CHECK(n == 2);
        n = 0;
        /* A cursor that repeats. */
        answers("{\"method\":\"GET\",\"path\":\"" P "/artifacts/" H1 "/files?limit=1000\","
                "\"status\":200,\"body\":\"{\\\"files\\\":[" REC(
                    "a") "],\\\"next\\\":\\\"x\\\"}\"},"
                         "{\"method\":\"GET\",\"path\":\"" P "/artifacts/" H1
                         "/files?limit=10000&cursor=x\",\"status\":200,"
                         "\"body\":\"{\\\"files\\\":[" REC("b") "],\\\"next\\\":\\\"x\\\"}\"}");
        CHECK(nrd_store_artifact_each(store, "ws/p", H1, count_file, &n) == NEREID_ERROR);
        CHECK(strstr(nereid_error_last(), "repeats") != NULL);
        /* A page that comes again (a cursor cycle): records out of order. */
        answers("{\"method\":\"GET\",\"path\":\"" P "/artifacts/" H1 "/files?limit=1000\","
                "\"status\":200,\"body\":\"{\\\"files\\\":[" REC(
                    "a") "],\\\"next\\\":\\\"x1\\\"}\"},"
                         "{\"method\":\"GET\",\"path\":\"" P "/artifacts/" H1 "/files*\","
                         "\"status\":200,\"body\":\"{\\\"files\\\":[" REC(
                             "a") "],\\\"next\\\":\\\"x2\\\"}\"}");
        CHECK(nrd_store_artifact_each(store, "ws/p", H1, count_file, &n) == NEREID_ERROR);
        CHECK(strstr(nereid_error_last(), "out of order or repeated") != NULL);
        /* A record the library would refuse: an unsafe file_path. */
        answers("{\"method\":\"GET\",\"path\":\"" P "/artifacts/" H1 "/files?limit=1000\","
                "\"status\":200,\"body\":\"{\\\"files\\\":[" REC(
                    "../etc/passwd") "],"
                                     "\\\"next\\\":null}\"}");
        CHECK(nrd_store_artifact_each(store, "ws/p", H1, count_file, &n) == NEREID_ERROR);
        /* The same bad record in a page whose next page, fetched ahead,
         * fails too: the error is the page's, not the fetch's. */
        answers("{\"method\":\"GET\",\"path\":\"" P "/artifacts/" H1 "/files?limit=1000\","
                "\"status\":200,\"body\":\"{\\\"files\\\":[" REC(
                    "../etc/passwd") "],\\\"next\\\":\\\"zz\\\"}\"},"
                                     "{\"method\":\"GET\",\"path\":\"" P "/artifacts/" H1
                                     "/files?limit=10000&cursor=zz\",\"status\":400,"
                                     "\"body\":\"{\\\"error\\\":{\\\"code\\\":\\\"bad-"
                                     "request\\\",\\\"message\\\":\\\"cursor zz: "
                                     "malformed\\\"}}\"}");
        CHECK(nrd_store_artifact_each(store, "ws/p", H1, count_file, &n) == NEREID_ERROR);
        CHECK(strstr(nereid_error_last(), "file_path") != NULL);
        CHECK(strstr(nereid_error_last(), "malformed") == NULL);
        /* Wrong types. */
        answers("{\"method\":\"GET\",\"path\":\"" P "/artifacts/" H1 "/files?limit=1000\","
                "\"status\":200,\"body\":\"{\\\"files\\\":{},\\\"next\\\":null}\"}");
        CHECK(nrd_store_artifact_each(store, "ws/p", H1, count_file, &n) == NEREID_ERROR);
        answers("{\"method\":\"GET\",\"path\":\"" P "/artifacts/" H1 "/files?limit=1000\","
                "\"status\":200,\"body\":\"{\\\"files\\\":[],\\\"next\\\":5}\"}");
        CHECK(nrd_store_artifact_each(store, "ws/p", H1, count_file, &n) == NEREID_ERROR);

        /* Reverse lookups. */
        answers(
            "{\"method\":\"GET\",\"path\":\"" P "/artifacts/" H1 "/users\",\"status\":200,"
            "\"body\":\"{\\\"refs\\\":[{\\\"run\\\":\\\"WSP-1\\\",\\\"field\\\":\\\"d\\\"}]}\"},"
            "{\"method\":\"GET\",\"path\":\"" P "/file-hashes/9e107d9d372bb6826bd81d3542a419d6"
            "/users\",\"status\":200,\"body\":\"{\\\"refs\\\":[{\\\"run\\\":\\\"WSP-2\\\","
            "\\\"field\\\":\\\"e\\\",\\\"file_path\\\":\\\"x/y\\\"}]}\"}");
        CHECK(nrd_store_field_users(store, "ws/p", H1, collect_ref, refs) == 0);
        CHECK(nrd_store_file_find(store, "ws/p", "9e107d9d372bb6826bd81d3542a419d6", collect_ref,
                                  refs) == 0);
        CHECK_STR(refs, "WSP-1:d;WSP-2:e x/y;");
}

static void check_no_token(void)
{
        nereid_store *store = open_store(url, NULL);
        char key[16];

        answers("{\"method\":\"GET\",\"path\":\"" P "\",\"status\":401,"
                "\"body\":\"{\\\"error\\\":{\\\"code\\\":\\\"unauthenticated\\\","
                "\\\"message\\\":\\\"no token\\\"}}\"}");
        CHECK(nrd_store_project_open(store, "ws/p", NULL, 0, key) == NEREID_EACCESS);
        CHECK(strstr(nereid_error_last(), "no API token") != NULL);
        CHECK(strstr(read_log(), "\"auth\": null") != NULL);
        nrd_store_close(store);
}

int main(void)
{
        nereid_store *store;
        int status;

        if (scratch_begin("http-store") < 0 || nereid_init() < 0)
                return 1;
        check_token();
        check_open();
        if (start_server() == 0) {
                store = open_store(url, TOKEN);
                if (store) {
                        check_projects(store);
                        check_runs(store);
                        check_fields(store);
                        check_artifacts(store);
                        nrd_store_close(store);
                }
                check_no_token();
        } else {
                CHECK(0);
        }
        if (server > 0) {
                kill(server, SIGTERM);
                waitpid(server, &status, 0);
        }
        nereid_shutdown();
        return scratch_end(CHECK_DONE());
}
