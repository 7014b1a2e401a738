/*
 * project.c - the nereid_project handle: its options (copied at open),
 * opening the store a location names (nrd_project_store_open: the default
 * folder, then the store registry), the callbacks, and the project-wide
 * reads (runs, artifacts by hash). Not where the options come from: the
 * program gives them (options.c reads the environment for it).
 */
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "buf.h"
#include "error.h"
#include "fs.h"
#include "lists.h"
#include "options.h"
#include "pool.h"
#include "project.h"
#include "record.h"
#include "store/http.h"
#include "uri.h"

/* The project used when none is configured: the first command needs no setup. */
#define PROJECT_BUILTIN "local/sandbox"

const char *nereid_version(void)
{
        return "0.1.0";
}

void nereid_string_free(char *s)
{
        free(s);
}

int nereid_mode_parse(int *out, const char *name)
{
        static const char *const names[] = {"async", "sync", "offline", "read-only", "debug"};
        int i;

        nrd_error_clear();
        assert(out);
        for (i = 0; i < 5; i++) {
                if (strcmp(name, names[i]) == 0) {
                        *out = i;
                        return 0;
                }
        }
        return nrd_error(NEREID_EINVALID,
                         "mode %s: unknown (async, sync, offline, read-only or debug)", name);
}

char *nrd_project_default_folder(const char *home)
{
        char *user_home = NULL, *folder;

        if (!home || !*home)
                home = user_home = nrd_options_user_home();
        if (!home)
                return nrd_error(NEREID_ERROR, "store: set NEREID_HOME (no home folder)"), NULL;
        folder = nrd_fs_join(home, ".nereid");
        free(user_home);
        return folder;
}

/* The scheme of a location "scheme://...", as its length; 0 for none. */
static size_t project_scheme_len(const char *location)
{
        size_t n = 0;

        if (!((location[0] >= 'a' && location[0] <= 'z') ||
              (location[0] >= 'A' && location[0] <= 'Z')))
                return 0;
        while ((location[n] >= 'a' && location[n] <= 'z') ||
               (location[n] >= 'A' && location[n] <= 'Z') ||
               (location[n] >= '0' && location[n] <= '9') || location[n] == '+' ||
               location[n] == '-' || location[n] == '.')
                n++;
        return strncmp(location + n, "://", 3) == 0 ? n : 0;
}

int nrd_project_store_open(nereid_store **out, const char *location, const char *home, int mode,
                           char **folder_out)
{
        return nrd_project_store_open_token(out, location, home, mode, NULL, folder_out);
}

int nrd_project_store_open_token(nereid_store **out, const char *location, const char *home,
                                 int mode, const char *api_token, char **folder_out)
{
        char *folder = NULL, *server = NULL;
        int rc;

        *out = NULL;
        if (folder_out)
                *folder_out = NULL;
        if (!location && api_token && *api_token) {
                /* SPEC section 8: a token and no store: the token's server. */
                if ((rc = nrd_store_http_token_server(api_token, &server)) < 0)
                        return rc;
                location = server;
        } else if (!location) {
                if (!(folder = nrd_project_default_folder(home)))
                        return NEREID_ERROR;
                location = folder;
        } else if (!*location) {
                return nrd_error(NEREID_EINVALID, "store \"\": empty location");
        } else if (strncasecmp(location, "sqlite:", 7) == 0) {
                if (!location[7])
                        return nrd_error(NEREID_EINVALID,
                                         "store \"%s\": no folder after sqlite:", location);
                folder = nrd_strdup(location + 7);
        } else if (!project_scheme_len(location)) {
                folder = nrd_strdup(location);
        }
        /* The registry (store/store.c) maps the location to a backend; a
         * server store takes the token as it opens (store/http.h). */
        if (api_token) {
                nrd_store_http_token(api_token);
                rc = nrd_store_open(out, location, mode);
                nrd_store_http_token(NULL);
        } else {
                rc = nrd_store_open(out, location, mode);
        }
        free(server);
        if (rc < 0 || !folder_out)
                free(folder);
        else
                *folder_out = folder;
        return rc;
}

/* The project exists with another key than the one asked for. */
static int project_key_mismatch(const nereid_project *project, const char *key)
{
        return nrd_error(NEREID_EEXISTS, "project %s: exists with key %s (not %s)", project->name,
                         project->key, key);
}

static int project_open_key(nereid_project **out, const char *name, const char *key,
                            const nereid_options *opts)
{
        nereid_project *project = NULL;
        int rc;

        nrd_error_clear();
        assert(out);
        *out = NULL;
        if (!nrd_options_initialized())
                return nrd_error(NEREID_ERROR, "libnereid: nereid_init() has not been called");
        project = nrd_calloc(1, sizeof(*project));
        if (!project)
                return NEREID_ERROR;
        pthread_mutex_init(&project->notify_lock, NULL);
        atomic_init(&project->cancelled, 0);
        if ((rc = nrd_options_config_copy(&project->cfg, opts)) < 0)
                goto cleanup;
        project->mode = project->cfg.mode;
        if (!name)
                name = project->cfg.project;
        if (!name)
                name = PROJECT_BUILTIN;
        if ((rc = nrd_uri_check_project_name(name)) < 0)
                goto cleanup;
        if (key && (rc = nrd_uri_check_project_key(key)) < 0)
                goto cleanup;
        project->name = nrd_strdup(name);
        project->create_key = key ? nrd_strdup(key) : NULL;
        if (!project->name || (key && !project->create_key)) {
                rc = NEREID_ERROR;
                goto cleanup;
        }
        if ((rc = nrd_project_store_open_token(&project->store, project->cfg.store,
                                               project->cfg.home, project->mode,
                                               project->cfg.api_token, &project->home)) < 0)
                goto cleanup;
        project->cache = project->cfg.cache ? nrd_strdup(project->cfg.cache)
                         : project->home    ? nrd_strdup(project->home)
                                            : nrd_project_default_folder(project->cfg.home);
        if (!project->cache) {
                rc = NEREID_ERROR;
                goto cleanup;
        }
        /* Opening only reads: a project that does not exist yet is made by
         * the first run created in it (nrd_project_ensure), never by a read. */
        rc = nrd_store_project_open(project->store, name, NULL, 0, project->key);
        if (rc == 0) {
                project->exists = 1;
                if (key && strcmp(key, project->key) != 0)
                        rc = project_key_mismatch(project, key);
        } else if (rc == NEREID_ENOTFOUND) {
                if (key)
                        snprintf(project->key, sizeof(project->key), "%s", key);
                else
                        nrd_store_derive_key(name, project->key);
                nrd_error_clear(); /* handled: not a failure */
                rc = 0;
        }
cleanup:
        if (rc < 0) {
                nereid_project_free(project);
                return rc;
        }
        *out = project;
        return 0;
}

int nrd_project_ensure(nereid_project *project)
{
        int rc;

        if (project->exists)
                return 0;
        if ((rc = nrd_project_check_writable(project, project->name)) < 0)
                return rc;
        rc = nrd_store_project_open(project->store, project->name, project->create_key, 1,
                                    project->key);
        if (rc < 0)
                return rc;
        project->exists = 1;
        /* Another process may have made it first, with another key. */
        if (project->create_key && strcmp(project->create_key, project->key) != 0)
                return project_key_mismatch(project, project->create_key);
        return 0;
}

int nereid_project_create(nereid_project **out, const char *name, const char *key,
                          const nereid_options *opts)
{
        nereid_project *project = NULL;
        int rc;

        nrd_error_clear();
        assert(out);
        *out = NULL;
        if ((rc = project_open_key(&project, name, key, opts)) < 0)
                return rc;
        if (project->mode == NEREID_MODE_READ_ONLY)
                rc = nrd_error(NEREID_EREADONLY, "project %s: cannot be created in read-only mode",
                               project->name);
        else
                rc = nrd_project_ensure(project);
        if (rc < 0) {
                nereid_project_free(project);
                return rc;
        }
        *out = project;
        return 0;
}

int nereid_project_open(nereid_project **out, const char *name, const nereid_options *opts)
{
        nrd_error_clear();
        assert(out);
        return project_open_key(out, name, NULL, opts);
}

void nereid_project_free(nereid_project *project)
{
        if (!project)
                return;
        nrd_project_wait_background(project);
        if (project->store)
                nrd_store_close(project->store);
        pthread_mutex_destroy(&project->notify_lock);
        free(project->name);
        free(project->home);
        free(project->cache);
        free(project->create_key);
        nrd_options_config_clear(&project->cfg);
        free(project);
}

const char *nereid_project_name(const nereid_project *project)
{
        return project->name;
}

const char *nereid_project_key(const nereid_project *project)
{
        return project->key;
}

unsigned nrd_project_workers(const nereid_project *project)
{
        return project->cfg.workers ? project->cfg.workers : nrd_pool_default_workers();
}

void nrd_project_notify(nereid_project *project, int code, const char *fmt, ...)
{
        char message[1024];
        va_list ap;

        if (!project->cfg.notify)
                return;
        va_start(ap, fmt);
        nrd_error_vformat(message, sizeof(message), fmt, ap);
        va_end(ap);
        pthread_mutex_lock(&project->notify_lock);
        project->cfg.notify(code, message, project->cfg.payload);
        pthread_mutex_unlock(&project->notify_lock);
}

void nrd_project_background(nereid_project *project, void *(*fn)(void *), void *arg)
{
        nrd_project_wait_background(project);
        if (pthread_create(&project->background, NULL, fn, arg) == 0)
                project->has_background = 1;
        else
                fn(arg); /* no thread to be had: do it now */
}

void nrd_project_wait_background(nereid_project *project)
{
        if (project->has_background) {
                pthread_join(project->background, NULL);
                project->has_background = 0;
        }
}

int nrd_project_progress(nereid_project *project, const char *stage, uint64_t done, uint64_t total)
{
        if (atomic_load(&project->cancelled))
                return NEREID_ECANCELLED;
        if (!project->cfg.progress ||
            project->cfg.progress(stage, done, total, project->cfg.payload) == 0)
                return 0;
        atomic_store(&project->cancelled, 1);
        return nrd_error(NEREID_ECANCELLED, "%s: cancelled", stage);
}

int nrd_project_cancelled(nereid_project *project)
{
        return atomic_load(&project->cancelled);
}

void nrd_project_uncancel(nereid_project *project)
{
        atomic_store(&project->cancelled, 0);
}

int nrd_project_check_writable(const nereid_project *project, const char *what)
{
        if (project->mode == NEREID_MODE_READ_ONLY)
                return nrd_error(NEREID_EREADONLY, "%s: the run is open in read-only mode", what);
        return nrd_store_can_write(project->store);
}

static int project_collect_run(void *payload, const store_run_info *info)
{
        return nrd_runs_push(payload, info);
}

/* The number N of after_id "KEY-N", a run ID of this project (canonical
 * spelling); 0 for NULL. */
static int project_run_after(nereid_project *project, const char *after_id, uint64_t *after)
{
        size_t keylen = strlen(project->key);
        const char *digits;
        char *end = NULL;
        unsigned long long n;

        *after = 0;
        if (!after_id)
                return 0;
        if (nrd_uri_check_run_id(after_id) < 0 || strncmp(after_id, project->key, keylen) != 0 ||
            after_id[keylen] != '-')
                return nrd_error(NEREID_EINVALID, "runs after %s: not a run ID of project %s",
                                 after_id, project->name);
        digits = after_id + keylen + 1;
        errno = 0;
        n = strtoull(digits, &end, 10);
        if (errno || !end || *end || n < 1)
                return nrd_error(NEREID_EINVALID, "runs after %s: not a run ID of project %s",
                                 after_id, project->name);
        *after = (uint64_t)n;
        return 0;
}

int nereid_project_runs(nereid_runs **out, nereid_project *project)
{
        return nereid_project_runs_page(out, project, NULL, 0);
}

int nereid_project_runs_page(nereid_runs **out, nereid_project *project, const char *after_id,
                             size_t limit)
{
        nereid_runs *runs;
        uint64_t after;
        int rc;

        nrd_error_clear();
        assert(out);
        assert(project);
        *out = NULL;
        if ((rc = project_run_after(project, after_id, &after)) < 0)
                return rc;
        runs = nrd_runs_new();
        if (!runs)
                return NEREID_ERROR;
        rc = nrd_store_run_each(project->store, project->name, after, limit, project_collect_run,
                                runs);
        /* The built-in project needs no setup: before its first run it is empty. */
        if (rc == NEREID_ENOTFOUND && !project->exists &&
            strcmp(project->name, PROJECT_BUILTIN) == 0) {
                nrd_error_clear();
                rc = 0;
        }
        if (rc < 0) {
                nereid_runs_free(runs);
                return rc;
        }
        *out = runs;
        return 0;
}

int nereid_project_artifact_exists(nereid_project *project, const char *hash)
{
        char content[NEREID_HASH_HEXLEN + 1];

        nrd_error_clear();
        assert(project);
        return nrd_store_artifact_content_hash(project->store, project->name, hash, content);
}

static int project_collect_file(void *payload, const struct nereid_file *file)
{
        return nrd_files_push_copy(payload, file);
}

int nereid_project_artifact_files(nereid_files **out, nereid_project *project, const char *hash)
{
        nereid_files *files;
        int rc;

        nrd_error_clear();
        assert(project);
        assert(out);
        *out = NULL;
        files = nrd_files_new();
        if (!files)
                return NEREID_ERROR;
        rc = nrd_store_artifact_each(project->store, project->name, hash, project_collect_file,
                                     files);
        if (rc < 0) {
                nereid_files_free(files);
                return rc;
        }
        *out = files;
        return 0;
}
