/*
 * options.c - how a program configures the library: nereid_options
 * (init, from the environment, dispose), the copy a project handle keeps,
 * and the process-wide lifetime (nereid_init/nereid_shutdown, which own
 * libcurl's global state). The only file of the library that reads the
 * environment, and only in nereid_options_from_env(). Not for opening
 * stores (project.c) or using the settings (the modules that need them
 * read the project's copy).
 */
#include <assert.h>
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "buf.h"
#include "error.h"
#include "options.h"
#include "os/os.h"
#include "source/source.h"

extern char **environ;

/* nereid_init() calls not yet matched by nereid_shutdown(). */
static pthread_mutex_t options_init_lock = PTHREAD_MUTEX_INITIALIZER;
static int options_init_count;

int nereid_init(void)
{
        int rc;

        nrd_error_clear();
        pthread_mutex_lock(&options_init_lock);
        if (options_init_count == 0) {
                CURLcode c = curl_global_init(CURL_GLOBAL_DEFAULT);

                if (c != CURLE_OK) {
                        pthread_mutex_unlock(&options_init_lock);
                        return nrd_error(NEREID_ERROR, "nereid_init: libcurl: %s",
                                         curl_easy_strerror(c));
                }
        }
        rc = ++options_init_count;
        pthread_mutex_unlock(&options_init_lock);
        return rc;
}

int nereid_shutdown(void)
{
        int rc;

        nrd_error_clear();
        pthread_mutex_lock(&options_init_lock);
        if (options_init_count == 0) {
                pthread_mutex_unlock(&options_init_lock);
                return nrd_error(NEREID_ERROR, "nereid_shutdown: nereid_init was not called");
        }
        rc = --options_init_count;
        if (rc == 0) {
                nrd_s3_release_handles();
                curl_global_cleanup();
        }
        pthread_mutex_unlock(&options_init_lock);
        return rc;
}

int nrd_options_initialized(void)
{
        int n;

        pthread_mutex_lock(&options_init_lock);
        n = options_init_count;
        pthread_mutex_unlock(&options_init_lock);
        return n > 0;
}

static int options_version_ok(unsigned version)
{
        return version >= 1 && version <= NEREID_OPTIONS_VERSION;
}

int nereid_options_init(nereid_options *opts, unsigned int version)
{
        static const nereid_options defaults = NEREID_OPTIONS_INIT;

        nrd_error_clear();
        assert(opts);
        if (!options_version_ok(version))
                return nrd_error(NEREID_EINVALID,
                                 "options: version %u is not one this library knows (1 to %d)",
                                 version, NEREID_OPTIONS_VERSION);
        *opts = defaults;
        opts->version = version;
        return 0;
}

/*
 * What nereid_options_from_env() allocates: one block holding the copied
 * values, chained to the block of an earlier call on the same options
 * (whose values may still be in use).
 */
struct options_env_block {
        struct options_env_block *prev; /* an earlier call's block, or NULL */
        size_t size;                    /* bytes of data */
        char data[];                    /* the values, NUL-terminated, one after the other */
};

/* The value of an environment variable, NULL when unset or empty. Walks
 * environ itself: this is the library's one reader of the environment. */
static const char *options_env(const char *name)
{
        size_t len = strlen(name);
        char **e;

        for (e = environ; e && *e; e++) {
                if (strncmp(*e, name, len) == 0 && (*e)[len] == '=')
                        return (*e)[len + 1] ? *e + len + 1 : NULL;
        }
        return NULL;
}

/* The fields from_env may set, in the order of the table below. */
enum { ENV_FIELDS = 11 };

static const char **options_env_field(nereid_options *opts, int i)
{
        const char **fields[ENV_FIELDS];

        fields[0] = &opts->project;
        fields[1] = &opts->store;
        fields[2] = &opts->cache;
        fields[3] = &opts->api_token;
        fields[4] = &opts->owner;
        fields[5] = &opts->home;
        fields[6] = &opts->s3_access_key_id;
        fields[7] = &opts->s3_secret_access_key;
        fields[8] = &opts->s3_session_token;
        fields[9] = &opts->s3_region;
        fields[10] = &opts->s3_endpoint;
        return fields[i];
}

int nereid_options_from_env(nereid_options *opts)
{
        /* Per field, its variables, first wins (SPEC section 6 and 8). */
        static const char *const vars[ENV_FIELDS][2] = {
            {"NEREID_PROJECT", "NEPTUNE_PROJECT"},
            {"NEREID_STORE", "NEREID_HOME"},
            {"NEREID_HOME", NULL},
            {"NEREID_API_TOKEN", "NEPTUNE_API_TOKEN"},
            {"USER", NULL},
            {"HOME", NULL},
            {"AWS_ACCESS_KEY_ID", NULL},
            {"AWS_SECRET_ACCESS_KEY", NULL},
            {"AWS_SESSION_TOKEN", NULL},
            {"AWS_REGION", "AWS_DEFAULT_REGION"},
            {"S3_ENDPOINT_URL", NULL},
        };
        const char *values[ENV_FIELDS];
        struct options_env_block *block;
        size_t size = 0, at = 0;
        int i;

        nrd_error_clear();
        assert(opts);
        if (!options_version_ok(opts->version))
                return nrd_error(NEREID_EINVALID,
                                 "options: version %u is not one this library knows (1 to %d)",
                                 opts->version, NEREID_OPTIONS_VERSION);
        for (i = 0; i < ENV_FIELDS; i++) {
                values[i] = options_env(vars[i][0]);
                if (!values[i] && vars[i][1])
                        values[i] = options_env(vars[i][1]);
        }
        /* SPEC section 8: with an API token and no explicit store
         * (NEREID_STORE), the store is the token's server, not the local
         * store of NEREID_HOME (which still holds the hash cache). */
        if ((values[3] || opts->api_token) && !options_env("NEREID_STORE"))
                values[1] = NULL;
        for (i = 0; i < ENV_FIELDS; i++)
                if (values[i])
                        size += strlen(values[i]) + 1;
        if (size == 0)
                return 0;
        block = nrd_malloc(sizeof(*block) + size);
        if (!block)
                return nrd_error_oom();
        block->prev = opts->internal;
        block->size = size;
        for (i = 0; i < ENV_FIELDS; i++) {
                size_t len;

                if (!values[i])
                        continue;
                len = strlen(values[i]) + 1;
                memcpy(block->data + at, values[i], len);
                *options_env_field(opts, i) = block->data + at;
                at += len;
        }
        opts->internal = block;
        return 0;
}

void nereid_options_dispose(nereid_options *opts)
{
        struct options_env_block *block = opts->internal, *prev;
        int i;

        for (; block; block = prev) {
                uintptr_t lo = (uintptr_t)block->data, hi = lo + block->size;

                for (i = 0; i < ENV_FIELDS; i++) {
                        const char **f = options_env_field(opts, i);

                        if (*f && (uintptr_t)*f >= lo && (uintptr_t)*f < hi)
                                *f = NULL;
                }
                prev = block->prev;
                free(block);
        }
        opts->internal = NULL;
}

/* *out = a copy of s (NULL stays NULL); 0 or NEREID_ERROR. */
static int options_dup(char **out, const char *s)
{
        *out = NULL;
        if (!s)
                return 0;
        *out = nrd_strdup(s);
        return *out ? 0 : NEREID_ERROR;
}

int nrd_options_config_copy(struct options_config *out, const nereid_options *opts)
{
        static const nereid_options defaults = NEREID_OPTIONS_INIT;

        memset(out, 0, sizeof(*out));
        if (!opts)
                opts = &defaults;
        if (!options_version_ok(opts->version))
                return nrd_error(NEREID_EINVALID,
                                 "options: version %u is not one this library knows (1 to %d); "
                                 "initialise them with NEREID_OPTIONS_INIT",
                                 opts->version, NEREID_OPTIONS_VERSION);
        if (opts->mode < NEREID_MODE_ASYNC || opts->mode > NEREID_MODE_DEBUG)
                return nrd_error(NEREID_EINVALID, "mode %d: unknown", opts->mode);
        /* Each worker is a thread with its own buffer: a bound keeps a bad
         * value from exhausting the process. */
        if (opts->workers > OPTIONS_WORKERS_MAX)
                return nrd_error(NEREID_EINVALID, "workers %u: more than %d", opts->workers,
                                 OPTIONS_WORKERS_MAX);
        out->mode = opts->mode;
        out->workers = opts->workers;
        out->notify = opts->notify;
        out->progress = opts->progress;
        out->payload = opts->payload;
        if (options_dup(&out->project, opts->project) < 0 ||
            options_dup(&out->store, opts->store) < 0 ||
            options_dup(&out->api_token, opts->api_token) < 0 ||
            options_dup(&out->owner, opts->owner) < 0 || options_dup(&out->home, opts->home) < 0 ||
            options_dup(&out->cache, opts->cache) < 0 ||
            options_dup(&out->s3_key_id, opts->s3_access_key_id) < 0 ||
            options_dup(&out->s3_secret, opts->s3_secret_access_key) < 0 ||
            options_dup(&out->s3_token, opts->s3_session_token) < 0 ||
            options_dup(&out->s3_region, opts->s3_region) < 0 ||
            options_dup(&out->s3_endpoint, opts->s3_endpoint) < 0) {
                nrd_options_config_clear(out);
                return NEREID_ERROR;
        }
        return 0;
}

/* Overwrite a secret before it is freed, so it does not linger in memory
 * that is handed out again. */
static void options_free_secret(char *s)
{
        if (!s)
                return;
        explicit_bzero(s, strlen(s));
        free(s);
}

void nrd_options_config_clear(struct options_config *cfg)
{
        free(cfg->project);
        free(cfg->store);
        options_free_secret(cfg->api_token);
        free(cfg->owner);
        free(cfg->home);
        free(cfg->cache);
        free(cfg->s3_key_id);
        options_free_secret(cfg->s3_secret);
        options_free_secret(cfg->s3_token);
        free(cfg->s3_region);
        free(cfg->s3_endpoint);
        memset(cfg, 0, sizeof(*cfg));
}

char *nrd_options_user_name(void)
{
        return nrd_os_user_name();
}

char *nrd_options_user_home(void)
{
        return nrd_os_user_home();
}
