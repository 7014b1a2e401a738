/*
 * main.c - the nereid-server command (SPEC section 8): `serve`, `project
 * create`, `token create/list/revoke`, and the hidden `routes` (the route
 * table, one row a line, for tests and docs). Argument parsing, output and
 * exit codes only; the HTTP side is http.c, tokens are made by the
 * library (token.c) and kept by the store. Errors are one line on stderr,
 * "nereid-server: <what>: <why>"; exit codes as the nereid command's: 0 ok,
 * 1 failure, 2 usage, 3 not found, 4 access (a refused --listen included).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include "nereid.h"
#include "token.h"
#include "uri.h"
#include "options.h"
#include "project.h"
#include "server.h"

#define EXIT_USAGE    2
#define EXIT_NOTFOUND 3
#define EXIT_ACCESS   4

static const char usage_text[] =
    "usage: nereid-server serve [--listen 127.0.0.1:8642] [--store LOCATION] [--public-url URL]\n"
    "                     [--rate-limit RATE[:BURST] | --rate-limit off] [--preview-s3 BUCKET]...\n"
    "       nereid-server ui [--listen 127.0.0.1:8642] [--store LOCATION] [--preview-s3 "
    "BUCKET]...\n"
    "       nereid-server project create WORKSPACE/PROJECT [--key KEY] [--store LOCATION]\n"
    "       nereid-server token create --project WORKSPACE/PROJECT|'*' --role read|write|admin\n"
    "                     [--name N] [--expires DAYS] [--url URL] [--store LOCATION]\n"
    "       nereid-server token list [--store LOCATION]\n"
    "       nereid-server token revoke ID [--store LOCATION]\n"
    "--store: the store served (default: the embedded store at NEREID_HOME, else ~/.nereid).\n"
    "--preview-s3: a bucket whose objects the UI may preview (repeatable; default none), read\n"
    "              with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and S3_ENDPOINT_URL.\n";

/* Options, by name; a command says which it takes. */
enum opt_id {
        O_LISTEN,
        O_STORE,
        O_PUBLIC_URL,
        O_KEY,
        O_PROJECT,
        O_ROLE,
        O_NAME,
        O_EXPIRES,
        O_URL,
        O_RATE_LIMIT,
        O_PREVIEW_S3,
        O_COUNT
};
static const char *const opt_names[O_COUNT] = {
    "--listen", "--store",   "--public-url", "--key",        "--project",   "--role",
    "--name",   "--expires", "--url",        "--rate-limit", "--preview-s3"};

struct args {
        const char *opt[O_COUNT];
        const char *buckets[SRV_PREVIEW_S3_MAX]; /* every --preview-s3, in order */
        size_t nbuckets;
        const char *pos[2];
        int npos;
};

/* What may be printed of a name: printable ASCII as is, other bytes \xNN. */
static void print_safe(FILE *f, const char *s)
{
        for (; s && *s; s++) {
                unsigned char c = (unsigned char)*s;

                if (c == '\\')
                        fputs("\\\\", f);
                else if (c < 0x20 || c >= 0x7f)
                        fprintf(f, "\\x%02x", c);
                else
                        fputc(c, f);
        }
}

static int fail(int code, const char *what, const char *why)
{
        fputs("nereid-server: ", stderr);
        print_safe(stderr, what);
        fprintf(stderr, ": %s\n", why && *why ? why : "failed");
        return code;
}

/* The exit code of a library status, as the nereid command's. */
static int exit_code(int rc)
{
        switch (rc) {
        case NEREID_EINVALID:
                return EXIT_USAGE;
        case NEREID_ENOTFOUND:
                return EXIT_NOTFOUND;
        case NEREID_EACCESS:
        case NEREID_EREADONLY:
                return EXIT_ACCESS;
        default:
                return 1;
        }
}

static int lib_fail(const char *what, int rc)
{
        return fail(exit_code(rc), what, nereid_error_last());
}

/* Parse argv[from..] into a; allowed is a bit per enum opt_id. 0, an exit
 * code after an error line, or -1 when --help was printed (exit 0). */
static int parse_args(int argc, char **argv, int from, unsigned allowed, int maxpos, struct args *a)
{
        int i, k;

        memset(a, 0, sizeof(*a));
        for (i = from; i < argc; i++) {
                const char *arg = argv[i];

                if (!strcmp(arg, "--")) {
                        for (i++; i < argc; i++) {
                                if (a->npos >= maxpos)
                                        return fail(EXIT_USAGE, argv[i], "unexpected argument");
                                a->pos[a->npos++] = argv[i];
                        }
                        break;
                }
                if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
                        fputs(usage_text, stdout);
                        return -1; /* done: exit 0 */
                }
                if (arg[0] == '-' && arg[1]) {
                        const char *eq = strchr(arg, '=');
                        size_t len = eq ? (size_t)(eq - arg) : strlen(arg);

                        for (k = 0; k < O_COUNT; k++)
                                if (strlen(opt_names[k]) == len && !strncmp(arg, opt_names[k], len))
                                        break;
                        if (k == O_COUNT || !(allowed & (1u << k)))
                                return fail(EXIT_USAGE, arg, "unknown option for this command");
                        if (eq) {
                                a->opt[k] = eq + 1;
                        } else {
                                if (i + 1 >= argc)
                                        return fail(EXIT_USAGE, arg, "needs a value");
                                a->opt[k] = argv[++i];
                        }
                        if (k == O_PREVIEW_S3) { /* the one option given more than once */
                                if (a->nbuckets == SRV_PREVIEW_S3_MAX)
                                        return fail(EXIT_USAGE, arg, "more than 64 buckets");
                                a->buckets[a->nbuckets++] = a->opt[k];
                        }
                        continue;
                }
                if (a->npos >= maxpos)
                        return fail(EXIT_USAGE, arg, "unexpected argument");
                a->pos[a->npos++] = arg;
        }
        return 0;
}

struct env {
        nereid_options opts;
        const char *store; /* --store, else NEREID_STORE/NEREID_HOME, else NULL (default) */
};

static int open_store(struct env *env, nereid_store **out)
{
        int rc = nrd_project_store_open(out, env->store, env->opts.home, NEREID_MODE_SYNC, NULL);

        if (rc < 0)
                return lib_fail("store", rc);
        return 0;
}

/* Parse "HOST:PORT" (IPv4, or [IPv6]) into ss. */
static int parse_listen(const char *text, struct sockaddr_storage *ss, int *loopback)
{
        char host[64];
        const char *colon = strrchr(text, ':');
        unsigned long port;
        char *end;
        size_t hl;

        memset(ss, 0, sizeof(*ss));
        if (!colon || colon == text)
                return -1;
        hl = (size_t)(colon - text);
        port = strtoul(colon + 1, &end, 10);
        if (!colon[1] || *end || port > 65535 || hl >= sizeof(host))
                return -1;
        memcpy(host, text, hl);
        host[hl] = '\0';
        if (!strcmp(host, "localhost"))
                snprintf(host, sizeof(host), "127.0.0.1");
        if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
                struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

                host[hl - 1] = '\0';
                if (inet_pton(AF_INET6, host + 1, &s6->sin6_addr) != 1)
                        return -1;
                s6->sin6_family = AF_INET6;
                s6->sin6_port = htons((uint16_t)port);
                *loopback = IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr);
                return 0;
        } else {
                struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

                if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
                        return -1;
                s4->sin_family = AF_INET;
                s4->sin_port = htons((uint16_t)port);
                *loopback = (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
                return 0;
        }
}

struct usable {
        long long now;
        int count;
};

static int usable_cb(void *payload, const store_token *t)
{
        struct usable *u = payload;
        struct tm tm;

        if (t->revoked)
                return 0;
        if (t->expires[0]) {
                memset(&tm, 0, sizeof(tm));
                if (!strptime(t->expires, "%Y-%m-%dT%H:%M:%S", &tm) ||
                    (long long)timegm(&tm) <= u->now)
                        return 0;
        }
        u->count++;
        return 0;
}

struct ready_info {
        char host[80];          /* as --listen gave it */
        struct env *env;        /* for the store */
        const char *public_url; /* --public-url, or NULL */
        int ui;                 /* `ui` mode: say the UI's address, remember nothing */
        int rc;                 /* 0, or why the URL could not be remembered */
};

/* Remember the URL (the port the kernel gave, for :0) for token create,
 * then say where the server listens. */
static void on_ready(unsigned port, void *payload)
{
        struct ready_info *r = payload;
        nereid_store *store = NULL;
        char url[128];

        snprintf(url, sizeof(url), "http://%s:%u", r->host, port);
        if (r->ui) {
                /* The store is only read: the tokens' URL stays the team's. */
                printf("nereid ui: serving the store read-only at %s/\n", url);
                fflush(stdout);
                return;
        }
        r->rc = nrd_project_store_open(&store, r->env->store, r->env->opts.home, NEREID_MODE_SYNC,
                                       NULL);
        if (r->rc == 0)
                r->rc = nrd_store_meta_set(store, "listen_url", url);
        if (r->rc == 0 && r->public_url)
                r->rc = nrd_store_meta_set(store, "public_url", r->public_url);
        nrd_store_close(store);
        if (r->rc < 0) {
                lib_fail("store", r->rc);
                kill(getpid(), SIGTERM); /* serve stops cleanly */
                return;
        }
        printf("nereid-server: listening on %s\n", url);
        fflush(stdout);
}

static int cmd_serve(struct env *env, struct args *a, int ui)
{
        struct srv_server srv;
        struct options_config s3cfg;
        struct sockaddr_storage ss;
        struct ready_info ready;
        const char *listen = a->opt[O_LISTEN] ? a->opt[O_LISTEN] : "127.0.0.1:8642";
        nereid_store *store = NULL;
        char why[256];
        int loopback = 0, rc, code = 0, have_s3 = 0;
        const char *colon;
        double rate = SRV_RATE_DEFAULT, burst = SRV_RATE_DEFAULT * SRV_RATE_BURST_SECONDS;

        if (parse_listen(listen, &ss, &loopback) < 0)
                return fail(
                    EXIT_USAGE, listen,
                    "--listen: HOST:PORT expected, HOST an IPv4 or [IPv6] address or localhost");
        if (a->opt[O_PUBLIC_URL] && strncmp(a->opt[O_PUBLIC_URL], "http://", 7) != 0 &&
            strncmp(a->opt[O_PUBLIC_URL], "https://", 8) != 0)
                return fail(EXIT_USAGE, a->opt[O_PUBLIC_URL],
                            "--public-url: an http(s):// URL expected");
        if (a->opt[O_RATE_LIMIT] && srv_rate_parse(a->opt[O_RATE_LIMIT], &rate, &burst) < 0)
                return fail(EXIT_USAGE, a->opt[O_RATE_LIMIT],
                            "--rate-limit: RATE[:BURST] expected (requests a second per token, "
                            "a positive number; BURST at least 1), or off");
        for (size_t b = 0; b < a->nbuckets; b++)
                if (!srv_bucket_name_ok(a->buckets[b]))
                        return fail(EXIT_USAGE, a->buckets[b],
                                    "--preview-s3: a bucket name expected (3 to 63 lowercase "
                                    "letters, digits, dots and hyphens)");
        if (a->nbuckets && (!env->opts.s3_access_key_id || !*env->opts.s3_access_key_id ||
                            !env->opts.s3_secret_access_key || !*env->opts.s3_secret_access_key))
                return fail(EXIT_ACCESS, "--preview-s3",
                            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set");
        if (ui && !loopback)
                return fail(EXIT_ACCESS, listen,
                            "ui: serves loopback only, without tokens (a team uses serve)");
        if (open_store(env, &store) < 0)
                return 1;
        if (ui && !(store->ops->caps & STORE_CAP_LOCAL)) {
                code = fail(EXIT_USAGE, store->location,
                            "ui: serves this machine's embedded store; a server has its own UI");
                goto cleanup;
        }
        if (!loopback) {
                struct usable u = {(long long)time(NULL), 0};

                rc = nrd_store_token_each(store, usable_cb, &u);
                if (rc < 0 && rc != NEREID_ENOTFOUND) {
                        code = lib_fail("tokens", rc);
                        goto cleanup;
                }
                if (!u.count) {
                        code = fail(EXIT_ACCESS, listen,
                                    "refusing to listen beyond loopback until a token exists "
                                    "(nereid-server token create)");
                        goto cleanup;
                }
        }
        colon = strrchr(listen, ':');
        snprintf(ready.host, sizeof(ready.host), "%.*s", (int)(colon - listen), listen);
        memset(&srv, 0, sizeof(srv));
        srv.location = env->store;
        srv.home = env->opts.home;
        srv.ui_local = ui;
        srv.preview_s3 = a->buckets;
        srv.preview_s3_count = a->nbuckets;
        if (a->nbuckets && nrd_options_config_copy(&s3cfg, &env->opts) < 0) {
                code = lib_fail("--preview-s3", NEREID_ERROR);
                goto cleanup;
        }
        if (a->nbuckets) {
                have_s3 = 1;
                srv.s3 = &s3cfg;
        }
        ready.ui = ui;
        pthread_mutex_init(&srv.lock, NULL);
        if (rate > 0 && !(srv.rate = srv_rate_new(rate, burst))) {
                code = fail(1, "--rate-limit", "out of memory");
                pthread_mutex_destroy(&srv.lock);
                goto cleanup;
        }
        if (srv_routes_check(why, sizeof(why)) < 0) {
                code = fail(1, "routes", why);
                goto cleanup;
        }
        ready.env = env;
        ready.public_url = a->opt[O_PUBLIC_URL];
        ready.rc = 0;
        nrd_store_close(store);
        store = NULL;
        if (srv_serve(&srv, (struct sockaddr *)&ss, a->opt[O_PUBLIC_URL], on_ready, &ready, why,
                      sizeof(why)) < 0)
                code = fail(1, listen, why);
        else if (ready.rc < 0)
                code = exit_code(ready.rc);
        srv_store_pool_free(&srv);
        srv_rate_free(srv.rate);
        pthread_mutex_destroy(&srv.lock);
cleanup:
        if (have_s3)
                nrd_options_config_clear(&s3cfg);
        nrd_store_close(store);
        return code;
}

static int cmd_project_create(struct env *env, struct args *a)
{
        nereid_project *project = NULL;
        nereid_options opts = env->opts;
        int rc;

        if (a->npos != 1)
                return fail(EXIT_USAGE, "project create", "WORKSPACE/PROJECT expected");
        opts.store = env->store;
        if ((rc = nereid_project_create(&project, a->pos[0], a->opt[O_KEY], &opts)) < 0)
                return lib_fail(a->pos[0], rc);
        print_safe(stdout, nereid_project_name(project));
        printf(" %s\n", nereid_project_key(project));
        nereid_project_free(project);
        return 0;
}

static int cmd_token_create(struct env *env, struct args *a)
{
        store_token t;
        nereid_store *store = NULL;
        char *url = NULL, token[NRD_TOKEN_BUFSIZE], hash[NEREID_HASH_HEXLEN + 1];
        const char *project = a->opt[O_PROJECT];
        uint64_t id = 0;
        size_t len;
        int role, rc, code = 0;

        memset(&t, 0, sizeof(t));
        if (a->npos)
                return fail(EXIT_USAGE, a->pos[0], "unexpected argument");
        if (!project || !a->opt[O_ROLE])
                return fail(EXIT_USAGE, "token create", "--project and --role are required");
        if (strcmp(project, "*") != 0 && (rc = nrd_uri_check_project_name(project)) < 0)
                return lib_fail("--project", rc);
        if (nrd_store_role_parse(a->opt[O_ROLE], &role) < 0)
                return fail(EXIT_USAGE, a->opt[O_ROLE], "--role: read, write or admin expected");
        if (a->opt[O_EXPIRES]) {
                char *end;
                unsigned long days = strtoul(a->opt[O_EXPIRES], &end, 10);
                time_t when;
                struct tm tm;

                if (!*a->opt[O_EXPIRES] || *end || days < 1 || days > 36500)
                        return fail(EXIT_USAGE, a->opt[O_EXPIRES],
                                    "--expires: a number of days from 1 to 36500 expected");
                when = time(NULL) + (time_t)days * 86400;
                gmtime_r(&when, &tm);
                strftime(t.expires, sizeof(t.expires), "%Y-%m-%dT%H:%M:%SZ", &tm);
        }
        if (open_store(env, &store) < 0)
                return 1;
        if (a->opt[O_URL]) {
                url = strdup(a->opt[O_URL]);
        } else if ((rc = nrd_store_meta_get(store, "public_url", &url)) < 0 || !url) {
                free(url);
                url = NULL;
                if (rc < 0 && rc != NEREID_ENOTFOUND) {
                        code = lib_fail("store", rc);
                        goto cleanup;
                }
                if ((rc = nrd_store_meta_get(store, "listen_url", &url)) < 0 || !url) {
                        free(url);
                        url = NULL;
                        if (rc < 0 && rc != NEREID_ENOTFOUND) {
                                code = lib_fail("store", rc);
                                goto cleanup;
                        }
                        code = fail(EXIT_USAGE, "token create",
                                    "no server URL yet: pass --url, or run serve once");
                        goto cleanup;
                }
        }
        if (!url) {
                code = fail(1, "token create", "out of memory");
                goto cleanup;
        }
        /* "https://host/" and "https://host" are one server. */
        for (len = strlen(url); len > 8 && url[len - 1] == '/'; len--)
                url[len - 1] = '\0';
        if ((rc = nrd_token_make(url, token)) < 0 || (rc = nrd_token_hash(token, hash)) < 0) {
                code = lib_fail("--url", rc);
                goto cleanup;
        }
        t.name = (char *)(a->opt[O_NAME]    ? a->opt[O_NAME]
                          : env->opts.owner ? env->opts.owner
                                            : "token");
        t.project = (char *)project;
        t.role = role;
        memcpy(t.hash, hash, sizeof(hash));
        if ((rc = nrd_store_token_create(store, &t, &id)) < 0) {
                code = lib_fail("token", rc);
                goto cleanup;
        }
        printf("%s\n", token);
        fprintf(stderr, "nereid-server: token %llu (%s on ", (unsigned long long)id,
                nrd_store_role_name(role));
        print_safe(stderr, project);
        fprintf(stderr, ") created; it is shown only now\n");
cleanup:
        OPENSSL_cleanse(token, sizeof(token));
        free(url);
        nrd_store_close(store);
        return code;
}

static int list_cb(void *payload, const store_token *t)
{
        long long now = *(long long *)payload;
        const char *status = "active";
        struct tm tm;

        if (t->revoked) {
                status = "revoked";
        } else if (t->expires[0]) {
                memset(&tm, 0, sizeof(tm));
                if (!strptime(t->expires, "%Y-%m-%dT%H:%M:%S", &tm) ||
                    (long long)timegm(&tm) <= now)
                        status = "expired";
        }
        printf("%llu\t", (unsigned long long)t->id);
        print_safe(stdout, t->name);
        putchar('\t');
        print_safe(stdout, t->project);
        printf("\t%s\t%s\t%s\t%s\t%s\n",
               nrd_store_role_name(t->role) ? nrd_store_role_name(t->role) : "?", t->created,
               t->expires[0] ? t->expires : "never", t->last_used[0] ? t->last_used : "never",
               status);
        return 0;
}

static int cmd_token_list(struct env *env, struct args *a)
{
        nereid_store *store = NULL;
        long long now = (long long)time(NULL);
        int rc, code = 0;

        if (a->npos)
                return fail(EXIT_USAGE, a->pos[0], "unexpected argument");
        if (open_store(env, &store) < 0)
                return 1;
        printf("ID\tNAME\tPROJECT\tROLE\tCREATED\tEXPIRES\tLAST_USED\tSTATUS\n");
        rc = nrd_store_token_each(store, list_cb, &now);
        if (rc < 0 && rc != NEREID_ENOTFOUND)
                code = lib_fail("tokens", rc);
        nrd_store_close(store);
        return code;
}

static int cmd_token_revoke(struct env *env, struct args *a)
{
        nereid_store *store = NULL;
        unsigned long long id;
        char *end;
        int rc, code = 0;

        if (a->npos != 1)
                return fail(EXIT_USAGE, "token revoke", "a token ID expected (token list)");
        id = strtoull(a->pos[0], &end, 10);
        if (!*a->pos[0] || *end || !id || a->pos[0][0] == '-')
                return fail(EXIT_USAGE, a->pos[0], "not a token ID");
        if (open_store(env, &store) < 0)
                return 1;
        if ((rc = nrd_store_token_revoke(store, (uint64_t)id)) < 0)
                code = lib_fail(a->pos[0], rc);
        else
                printf("revoked %llu\n", id);
        nrd_store_close(store);
        return code;
}

static int cmd_routes(void)
{
        char why[256];
        size_t i;

        if (srv_routes_check(why, sizeof(why)) < 0)
                return fail(1, "routes", why);
        for (i = 0; i < srv_routes_count; i++)
                printf("%s %s %s\n", srv_routes[i].method, srv_routes[i].pattern,
                       srv_scope_name(srv_routes[i].scope));
        return 0;
}

#define OPT(x) (1u << (x))

int main(int argc, char **argv)
{
        struct env env;
        struct args a;
        const char *cmd = argc > 1 ? argv[1] : NULL;
        const char *sub = argc > 2 ? argv[2] : NULL;
        int code, rc;

        if (!cmd) {
                fputs(usage_text, stdout);
                return 1;
        }
        if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
                fputs(usage_text, stdout);
                return 0;
        }
        if (!strcmp(cmd, "--version")) {
                printf("nereid-server %s\n", nereid_version());
                return 0;
        }
        if (!strcmp(cmd, "routes"))
                return cmd_routes();
        if ((rc = nereid_init()) < 0)
                return lib_fail("init", rc);
        memset(&env, 0, sizeof(env));
        nereid_options_init(&env.opts, NEREID_OPTIONS_VERSION);
        if ((rc = nereid_options_from_env(&env.opts)) < 0) {
                code = lib_fail("environment", rc);
                goto done;
        }
        env.store = env.opts.store;
        if (!strcmp(cmd, "serve")) {
                if ((code = parse_args(argc, argv, 2,
                                       OPT(O_LISTEN) | OPT(O_STORE) | OPT(O_PUBLIC_URL) |
                                           OPT(O_RATE_LIMIT) | OPT(O_PREVIEW_S3),
                                       0, &a)))
                        goto done;
                if (a.opt[O_STORE])
                        env.store = a.opt[O_STORE];
                code = cmd_serve(&env, &a, 0);
        } else if (!strcmp(cmd, "ui")) {
                if ((code = parse_args(argc, argv, 2,
                                       OPT(O_LISTEN) | OPT(O_STORE) | OPT(O_PREVIEW_S3), 0, &a)))
                        goto done;
                if (a.opt[O_STORE])
                        env.store = a.opt[O_STORE];
                code = cmd_serve(&env, &a, 1);
        } else if (!strcmp(cmd, "project") && sub && !strcmp(sub, "create")) {
                if ((code = parse_args(argc, argv, 3, OPT(O_KEY) | OPT(O_STORE), 1, &a)))
                        goto done;
                if (a.opt[O_STORE])
                        env.store = a.opt[O_STORE];
                code = cmd_project_create(&env, &a);
        } else if (!strcmp(cmd, "token") && sub &&
                   (!strcmp(sub, "create") || !strcmp(sub, "list") || !strcmp(sub, "revoke"))) {
                unsigned allowed = OPT(O_STORE);

                if (!strcmp(sub, "create"))
                        allowed |= OPT(O_PROJECT) | OPT(O_ROLE) | OPT(O_NAME) | OPT(O_EXPIRES) |
                                   OPT(O_URL);
                if ((code = parse_args(argc, argv, 3, allowed, !strcmp(sub, "revoke") ? 1 : 0, &a)))
                        goto done;
                if (a.opt[O_STORE])
                        env.store = a.opt[O_STORE];
                code = !strcmp(sub, "create") ? cmd_token_create(&env, &a)
                       : !strcmp(sub, "list") ? cmd_token_list(&env, &a)
                                              : cmd_token_revoke(&env, &a);
        } else {
                code = fail(EXIT_USAGE,
                            sub && (!strcmp(cmd, "project") || !strcmp(cmd, "token")) ? sub : cmd,
                            "unknown command (nereid-server --help)");
        }
done:
        if (code < 0) /* --help */
                code = 0;
        if (fflush(stdout) != 0 && !code)
                code = fail(1, "writing output", "failed");
        nereid_options_dispose(&env.opts);
        nereid_shutdown();
        return code;
}
