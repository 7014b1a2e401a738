/*
 * project.c - the nereid_project handle: resolving the configuration of
 * SPEC section 6 (project name, NEREID_HOME, mode), opening the store, the
 * callbacks, and the project-wide reads (runs, artifacts by hash).
 */
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "buf.h"
#include "error.h"
#include "fs.h"
#include "lists.h"
#include "pool.h"
#include "project.h"
#include "record.h"
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

int nereid_mode_parse(const char *name, int *out)
{
        static const char *const names[] = {"async", "sync", "offline", "read-only", "debug"};
        int i;

        for (i = 0; i < 5; i++) {
                if (strcmp(name, names[i]) == 0) {
                        *out = i;
                        return 0;
                }
        }
        return nereid_error(NEREID_EUSAGE,
                            "mode %s: unknown (async, sync, offline, read-only or debug)", name);
}

static const char *env_first(const char *a, const char *b)
{
        const char *v = getenv(a);

        if (v && *v)
                return v;
        v = b ? getenv(b) : NULL;
        return v && *v ? v : NULL;
}

/* NEREID_HOME, else ~/.nereid with ~ from HOME or the password database. */
char *project_resolve_home(void)
{
        const char *home = getenv("NEREID_HOME");
        const char *user_home;

        if (home && *home)
                return nereid_strdup(home);
        user_home = getenv("HOME");
        if (!user_home || !*user_home) {
                struct passwd *pw = getpwuid(getuid());

                user_home = pw ? pw->pw_dir : NULL;
        }
        if (!user_home)
                return nereid_error(NEREID_ERROR, "store: set NEREID_HOME (no home folder)"), NULL;
        return fs_join(user_home, ".nereid");
}

/* The project exists with another key than the one asked for. */
static int project_key_mismatch(const nereid_project *project, const char *key)
{
        return nereid_error(NEREID_ERROR, "project %s: exists with key %s (not %s)", project->name,
                            project->key, key);
}

int nereid_project_open_with_key(nereid_project **out, const char *name, const char *key, int mode)
{
        nereid_project *project = NULL;
        int rc;

        *out = NULL;
        if (mode < NEREID_MODE_ASYNC || mode > NEREID_MODE_DEBUG)
                return nereid_error(NEREID_EUSAGE, "mode %d: unknown", mode);
        if (!name)
                name = env_first("NEREID_PROJECT", "NEPTUNE_PROJECT");
        if (!name)
                name = PROJECT_BUILTIN;
        if ((rc = uri_check_project_name(name)) < 0)
                return rc;
        if (key && (rc = uri_check_project_key(key)) < 0)
                return rc;
        project = nereid_calloc_array(1, sizeof(*project));
        if (!project)
                return NEREID_ERROR;
        pthread_mutex_init(&project->notify_lock, NULL);
        project->mode = mode;
        project->name = nereid_strdup(name);
        project->home = project_resolve_home();
        project->create_key = key ? nereid_strdup(key) : NULL;
        if (!project->name || !project->home || (key && !project->create_key)) {
                rc = NEREID_ERROR;
                goto cleanup;
        }
        if ((rc = store_open(&project->store, project->home, mode)) < 0)
                goto cleanup;
        /* Opening only reads: a project that does not exist yet is made by
         * the first run created in it (project_ensure), never by a read. */
        rc = store_project_open(project->store, name, NULL, 0, project->key);
        if (rc == 0) {
                project->exists = 1;
                if (key && strcmp(key, project->key) != 0)
                        rc = project_key_mismatch(project, key);
        } else if (rc == NEREID_ENOTFOUND) {
                if (key)
                        snprintf(project->key, sizeof(project->key), "%s", key);
                else
                        store_derive_key(name, project->key);
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

int project_ensure(nereid_project *project)
{
        int rc;

        if (project->exists)
                return 0;
        if ((rc = project_check_writable(project, project->name)) < 0)
                return rc;
        rc =
            store_project_open(project->store, project->name, project->create_key, 1, project->key);
        if (rc < 0)
                return rc;
        project->exists = 1;
        /* Another process may have made it first, with another key. */
        if (project->create_key && strcmp(project->create_key, project->key) != 0)
                return project_key_mismatch(project, project->create_key);
        return 0;
}

int nereid_project_create(nereid_project **out, const char *name, const char *key, int mode)
{
        nereid_project *project = NULL;
        int rc;

        *out = NULL;
        if ((rc = nereid_project_open_with_key(&project, name, key, mode)) < 0)
                return rc;
        if (mode == NEREID_MODE_READ_ONLY)
                rc = nereid_error(NEREID_EACCESS, "project %s: cannot be created in read-only mode",
                                  project->name);
        else
                rc = project_ensure(project);
        if (rc < 0) {
                nereid_project_free(project);
                return rc;
        }
        *out = project;
        return 0;
}

int nereid_project_open(nereid_project **out, const char *name, int mode)
{
        return nereid_project_open_with_key(out, name, NULL, mode);
}

void nereid_project_free(nereid_project *project)
{
        if (!project)
                return;
        project_wait_background(project);
        if (project->store)
                store_close(project->store);
        pthread_mutex_destroy(&project->notify_lock);
        free(project->name);
        free(project->home);
        free(project->create_key);
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

void nereid_project_set_callbacks(nereid_project *project, nereid_notify_cb notify,
                                  nereid_progress_cb progress, void *payload)
{
        project->notify = notify;
        project->progress = progress;
        project->payload = payload;
}

void nereid_project_set_workers(nereid_project *project, unsigned workers)
{
        project->workers = workers;
}

unsigned project_workers(const nereid_project *project)
{
        return project->workers ? project->workers : pool_default_workers();
}

void project_notify(nereid_project *project, int code, const char *fmt, ...)
{
        char message[1024];
        va_list ap;

        if (!project->notify)
                return;
        va_start(ap, fmt);
        error_vformat(message, sizeof(message), fmt, ap);
        va_end(ap);
        pthread_mutex_lock(&project->notify_lock);
        project->notify(project->payload, code, message);
        pthread_mutex_unlock(&project->notify_lock);
}

void project_background(nereid_project *project, void *(*fn)(void *), void *arg)
{
        project_wait_background(project);
        if (pthread_create(&project->background, NULL, fn, arg) == 0)
                project->has_background = 1;
        else
                fn(arg); /* no thread to be had: do it now */
}

void project_wait_background(nereid_project *project)
{
        if (project->has_background) {
                pthread_join(project->background, NULL);
                project->has_background = 0;
        }
}

void project_progress(nereid_project *project, const char *stage, uint64_t done, uint64_t total)
{
        if (project->progress)
                project->progress(project->payload, stage, done, total);
}

int project_check_writable(const nereid_project *project, const char *what)
{
        if (project->mode == NEREID_MODE_READ_ONLY)
                return nereid_error(NEREID_EACCESS, "%s: the run is open in read-only mode", what);
        return store_can_write(project->store);
}

static int project_collect_run(void *payload, const store_run_info *info)
{
        return runs_push(payload, info);
}

int nereid_project_runs(nereid_runs **out, nereid_project *project)
{
        nereid_runs *runs = runs_new();
        int rc;

        *out = NULL;
        if (!runs)
                return NEREID_ERROR;
        rc = store_run_each(project->store, project->name, project_collect_run, runs);
        /* The built-in project needs no setup: before its first run it is empty. */
        if (rc == NEREID_ENOTFOUND && !project->exists &&
            strcmp(project->name, PROJECT_BUILTIN) == 0)
                rc = 0;
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

        return store_artifact_content_hash(project->store, project->name, hash, content);
}

static int project_collect_file(void *payload, const struct nereid_file *file)
{
        return files_push_copy(payload, file);
}

int nereid_project_artifact_files(nereid_project *project, const char *hash, nereid_files **out)
{
        nereid_files *files = files_new();
        int rc;

        *out = NULL;
        if (!files)
                return NEREID_ERROR;
        rc = store_artifact_each(project->store, project->name, hash, project_collect_file, files);
        if (rc < 0) {
                nereid_files_free(files);
                return rc;
        }
        *out = files;
        return 0;
}
