/*
 * run.c - the nereid_run handle and what a user does with a run's fields:
 * track files (SPEC section 4), read hashes and records, assign, and read
 * the sys/ namespace. Downloads are in download.c, status and diff in
 * diff.c. Everything goes through the store and source-driver seams.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "artifact.h"
#include "buf.h"
#include "error.h"
#include "fs.h"
#include "hash.h"
#include "lists.h"
#include "options.h"
#include "project.h"
#include "record.h"
#include "run.h"
#include "source/source.h"
#include "uri.h"

/* sys/owner of a new run: the owner in the options, else the login name
 * of the user the process runs as. */
static char *run_owner(const nereid_project *project)
{
        char *name;

        if (project->cfg.owner && *project->cfg.owner)
                return nrd_strdup(project->cfg.owner);
        name = nrd_options_user_name();
        return name ? name : nrd_strdup("unknown");
}

int nereid_run_open(nereid_run **out, nereid_project *project, const char *run_id, const char *name)
{
        nereid_run *run;
        store_run_info info;
        char id[32];
        int rc;

        nrd_error_clear();
        assert(out);
        assert(project);
        *out = NULL;
        if (nrd_queue_run_is_offline_id(run_id))
                return nrd_queue_run_open(out, project, run_id);
        if (run_id && project->queued && project->mode == NEREID_MODE_OFFLINE)
                return nrd_queue_run_refuse(run_id);
        if (!run_id && project->queued) {
                store_run_spec spec;
                char uuid[40], *owner;

                if ((rc = nrd_store_uuid_make(uuid)) < 0)
                        return rc;
                if (!(owner = run_owner(project)))
                        return NEREID_ERROR;
                memset(&spec, 0, sizeof(spec));
                spec.uuid = uuid;
                spec.name = name;
                spec.owner = owner;
                rc = nrd_store_run_spec_check(&spec);
                if (rc == 0)
                        rc = nrd_queue_run_create(out, project, &spec);
                free(owner);
                return rc;
        }
        if (run_id) {
                if ((rc = nrd_uri_check_run_id(run_id)) < 0)
                        return rc;
                if ((rc = nrd_store_run_get(project->store, project->name, run_id, &info)) < 0)
                        return rc;
                nrd_store_run_info_clear(&info);
                snprintf(id, sizeof(id), "%s", run_id);
        } else {
                char *owner;

                if ((rc = nrd_project_check_writable(project, "new run")) < 0 ||
                    (rc = nrd_project_ensure(project)) < 0)
                        return rc;
                if (!(owner = run_owner(project)))
                        return NEREID_ERROR;
                rc = nrd_store_run_create(project->store, project->name, name, owner, id);
                free(owner);
                if (rc < 0)
                        return rc;
        }
        run = nrd_calloc(1, sizeof(*run));
        if (!run)
                return NEREID_ERROR;
        run->project = project;
        snprintf(run->id, sizeof(run->id), "%s", id);
        *out = run;
        return 0;
}

int nereid_run_options_init(nereid_run_options *opts, unsigned int version)
{
        static const nereid_run_options defaults = NEREID_RUN_OPTIONS_INIT;

        nrd_error_clear();
        assert(opts);
        if (version < 1 || version > NEREID_RUN_OPTIONS_VERSION)
                return nrd_error(NEREID_EINVALID,
                                 "run options: version %u is not one this library knows (1 to %d)",
                                 version, NEREID_RUN_OPTIONS_VERSION);
        *opts = defaults;
        opts->version = version;
        return 0;
}

/* The caller's UUID in the store's form (lowercase), or a new one. */
static int run_uuid(const char *given, char out[40])
{
        size_t i;

        if (!given)
                return nrd_store_uuid_make(out);
        if (strlen(given) != 36)
                return nrd_store_uuid_check(given);
        for (i = 0; i <= 36; i++)
                out[i] =
                    given[i] >= 'A' && given[i] <= 'F' ? (char)(given[i] - 'A' + 'a') : given[i];
        return nrd_store_uuid_check(out);
}

/* Read-only mode's resume: the run with this uuid (the caller's) or
 * custom_run_id, found by walking the runs (no write, so no run_new). */
typedef struct run_lookup {
        const char *uuid;          /* NULL: not looked for */
        const char *custom_run_id; /* NULL: not looked for */
        char found[32];            /* the run's ID, "" until found */
        int by_uuid;               /* 1 when found by uuid */
} run_lookup;

static int run_lookup_one(void *payload, const store_run_info *info)
{
        run_lookup *look = payload;

        if (look->uuid && strcmp(info->uuid, look->uuid) == 0) {
                snprintf(look->found, sizeof(look->found), "%s", info->id);
                look->by_uuid = 1;
                return 1; /* the uuid wins: stop */
        }
        if (!look->found[0] && look->custom_run_id && info->custom_run_id &&
            strcmp(info->custom_run_id, look->custom_run_id) == 0)
                snprintf(look->found, sizeof(look->found), "%s", info->id);
        return 0;
}

static int run_find_existing(nereid_project *project, const char *uuid, const char *custom_run_id,
                             char id_out[32])
{
        run_lookup look;
        int rc;

        memset(&look, 0, sizeof(look));
        look.uuid = uuid;
        look.custom_run_id = custom_run_id;
        rc = nrd_store_run_each(project->store, project->name, 0, 0, run_lookup_one, &look);
        if (rc < 0)
                return rc;
        if (!look.found[0])
                return nrd_error(NEREID_EREADONLY,
                                 "new run: read-only mode opens only an existing run (no run "
                                 "with this %s in project %s)",
                                 custom_run_id ? "custom run ID" : "uuid", project->name);
        snprintf(id_out, 32, "%s", look.found);
        return 0;
}

int nereid_run_create(nereid_run **out, nereid_project *project, const nereid_run_options *opts)
{
        static const nereid_run_options defaults = NEREID_RUN_OPTIONS_INIT;
        store_run_spec spec;
        const char **tags = NULL;
        char uuid[40], id[32], *owner = NULL;
        nereid_run *run;
        size_t ntags = 0;
        int created = 0, rc;

        nrd_error_clear();
        assert(out);
        assert(project);
        *out = NULL;
        if (!opts)
                opts = &defaults;
        if (opts->version < 1 || opts->version > NEREID_RUN_OPTIONS_VERSION)
                return nrd_error(NEREID_EINVALID,
                                 "run options: version %u is not one this library knows (1 to %d)",
                                 opts->version, NEREID_RUN_OPTIONS_VERSION);
        /* Every argument is checked before anything is written. */
        if ((rc = run_uuid(opts->uuid, uuid)) < 0 ||
            (rc = nrd_store_tags_normalize(opts->tags, opts->ntags, &tags, &ntags)) < 0)
                return rc;
        memset(&spec, 0, sizeof(spec));
        spec.uuid = uuid;
        spec.custom_run_id = opts->custom_run_id;
        spec.name = opts->name;
        spec.description = opts->description;
        spec.tags = tags;
        spec.ntags = ntags;
        spec.owner = "";
        if ((rc = nrd_store_run_spec_check(&spec)) < 0)
                goto cleanup;
        /* Read-only mode, as Neptune's: a run named by the caller's uuid or
         * a custom run ID is opened; nothing is ever made. */
        if (project->mode == NEREID_MODE_READ_ONLY && (opts->uuid || opts->custom_run_id)) {
                if (!(run = nrd_calloc(1, sizeof(*run)))) {
                        rc = NEREID_ERROR;
                        goto cleanup;
                }
                rc = run_find_existing(project, opts->uuid ? uuid : NULL, opts->custom_run_id, id);
                if (rc == NEREID_ENOTFOUND) /* no project: nothing to open either */
                        rc = nrd_error(NEREID_EREADONLY,
                                       "new run: read-only mode opens only an existing run "
                                       "(no project %s)",
                                       project->name);
                if (rc < 0) {
                        free(run);
                        goto cleanup;
                }
                run->project = project;
                run->resumed = 1;
                snprintf(run->id, sizeof(run->id), "%s", id);
                *out = run;
                goto cleanup;
        }
        if ((rc = nrd_project_check_writable(project, "new run")) < 0 ||
            (!project->queued && (rc = nrd_project_ensure(project)) < 0))
                goto cleanup;
        if (!(owner = run_owner(project))) {
                rc = NEREID_ERROR;
                goto cleanup;
        }
        spec.owner = owner;
        if (project->queued) {
                rc = nrd_queue_run_create(out, project, &spec);
                goto cleanup;
        }
        /* The handle first: nothing can fail once the store has the run. */
        if (!(run = nrd_calloc(1, sizeof(*run)))) {
                rc = NEREID_ERROR;
                goto cleanup;
        }
        if ((rc = nrd_store_run_new(project->store, project->name, &spec, id, &created)) < 0) {
                free(run);
                goto cleanup;
        }
        run->project = project;
        run->resumed = !created;
        snprintf(run->id, sizeof(run->id), "%s", id);
        *out = run;
cleanup:
        free(tags);
        free(owner);
        return rc;
}

int nereid_run_resumed(const nereid_run *run)
{
        return run ? run->resumed : 0;
}

int nereid_run_wait(nereid_run *run, unsigned int timeout_ms)
{
        nrd_error_clear();
        assert(run);
        return nrd_queue_run_wait(run, timeout_ms);
}

void nereid_run_free(nereid_run *run)
{
        if (!run)
                return;
        if (run->queue) {
                /* The end of a run waits for delivery (SPEC section 9),
                 * unless a wait already gave up and warned. */
                if (!run->warned && nrd_queue_run_wait(run, NEREID_WAIT_DEFAULT_MS) < 0)
                        nrd_project_notify(run->project, NEREID_ERROR, "%s: %s", run->id,
                                           nereid_error_last());
                nrd_queue_run_close(run);
        }
        free(run);
}

/* sys/tags as text: the tags (sorted by the store) joined by ','. */
static char *run_tags_text(const store_run_info *info)
{
        nereid_buf buf = NEREID_BUF_INIT;
        size_t i;

        nrd_buf_puts(&buf, "");
        for (i = 0; i < info->ntags; i++) {
                if (i)
                        nrd_buf_putc(&buf, ',');
                nrd_buf_puts(&buf, info->tags[i]);
        }
        return nrd_buf_detach(&buf);
}

const char *nereid_run_id(const nereid_run *run)
{
        return run->id;
}

int nereid_run_sys(char **out, nereid_run *run, const char *field)
{
        store_run_info info;
        const char *value = NULL;
        int rc;

        nrd_error_clear();
        assert(run);
        assert(out);
        *out = NULL;
        if ((rc = nrd_queue_run_settle(run)) < 0)
                return rc;
        if (run->offline) {
                if (strcmp(field, "sys/id") != 0)
                        return nrd_queue_run_refuse(field);
                *out = nrd_strdup(run->id);
                return *out ? 0 : NEREID_ERROR;
        }
        rc = nrd_store_run_get(run->project->store, run->project->name, run->id, &info);
        if (rc < 0)
                return rc;
        if (strcmp(field, "sys/id") == 0)
                value = info.id;
        else if (strcmp(field, "sys/name") == 0)
                value = info.name;
        else if (strcmp(field, "sys/owner") == 0)
                value = info.owner;
        else if (strcmp(field, "sys/creation_time") == 0)
                value = info.creation_time;
        else if (strcmp(field, "sys/modification_time") == 0)
                value = info.modification_time;
        else if (strcmp(field, "sys/description") == 0)
                value = info.description ? info.description : "";
        else if (strcmp(field, "sys/custom_run_id") == 0)
                value = info.custom_run_id;
        else if (strcmp(field, "sys/uuid") == 0 && info.uuid[0])
                value = info.uuid;
        if (strcmp(field, "sys/tags") == 0)
                *out = run_tags_text(&info);
        else if (value)
                *out = nrd_strdup(value);
        else
                rc = nrd_error(NEREID_ENOTFOUND, "%s:%s: no such field", run->id, field);
        nrd_store_run_info_clear(&info);
        if (rc == 0 && !*out)
                rc = NEREID_ERROR;
        return rc;
}

static int run_append_field(void *payload, const char *field, const char *hash)
{
        return nrd_fields_push(payload, field, hash);
}

int nereid_run_fields(nereid_fields **out, nereid_run *run)
{
        nereid_store *store = run->project->store;
        nereid_fields *fields = NULL;
        store_run_info info;
        char *tags = NULL;
        int rc;

        nrd_error_clear();
        assert(out);
        assert(run);
        *out = NULL;
        if ((rc = nrd_queue_run_settle(run)) < 0)
                return rc;
        if (run->offline) {
                if (!(fields = nrd_fields_new()))
                        return NEREID_ERROR;
                if ((rc = nrd_queue_run_fields(run, fields)) < 0) {
                        nereid_fields_free(fields);
                        return rc;
                }
                *out = fields;
                return 0;
        }
        if ((rc = nrd_store_run_get(store, run->project->name, run->id, &info)) < 0)
                return rc;
        if (!(fields = nrd_fields_new())) {
                rc = NEREID_ERROR;
                goto cleanup;
        }
        /* sys/ sorted by path, then the artifact fields as the store sorts them. */
        if (!(tags = run_tags_text(&info))) {
                rc = NEREID_ERROR;
                goto cleanup;
        }
        /* The metadata only when set, so a run without keeps its old list. */
        if ((rc = nrd_fields_push(fields, "sys/creation_time", info.creation_time)) < 0 ||
            (info.custom_run_id &&
             (rc = nrd_fields_push(fields, "sys/custom_run_id", info.custom_run_id)) < 0) ||
            (info.description && *info.description &&
             (rc = nrd_fields_push(fields, "sys/description", info.description)) < 0) ||
            (rc = nrd_fields_push(fields, "sys/id", info.id)) < 0 ||
            (rc = nrd_fields_push(fields, "sys/modification_time", info.modification_time)) < 0 ||
            (rc = nrd_fields_push(fields, "sys/name", info.name)) < 0 ||
            (rc = nrd_fields_push(fields, "sys/owner", info.owner)) < 0 ||
            (*tags && (rc = nrd_fields_push(fields, "sys/tags", tags)) < 0) ||
            (info.uuid[0] && (rc = nrd_fields_push(fields, "sys/uuid", info.uuid)) < 0))
                goto cleanup;
        rc = nrd_store_field_each(store, run->project->name, run->id, run_append_field, fields);
cleanup:
        free(tags);
        nrd_store_run_info_clear(&info);
        if (rc < 0) {
                nereid_fields_free(fields);
                return rc;
        }
        *out = fields;
        return 0;
}

static const char *run_source_text(const struct nereid_file *rec)
{
        return rec->source ? rec->source : "no source";
}

int nrd_run_scan_location(nereid_project *project, const source_location *loc, const char *label,
                          const char *destination, nereid_files **out, char **location_out)
{
        const source_driver *driver = loc->driver;
        nereid_files *files = NULL;
        size_t dup;
        int rc = 0;

        *out = NULL;
        if (!driver)
                return nrd_error(NEREID_EINVALID, "%s: no driver for this kind of path", label);
        if (!(files = nrd_files_new()))
                return NEREID_ERROR;
        nrd_project_uncancel(project);
        rc = driver->scan(project, loc, destination, files);
        if (nrd_project_cancelled(project)) {
                rc = nrd_error(NEREID_ECANCELLED, "%s: cancelled", label);
                goto cleanup;
        }
        if (rc < 0)
                goto cleanup;
        if (!files->count) {
                rc = nrd_error(NEREID_ENOTFOUND, "%s: nothing to track (no files)", label);
                goto cleanup;
        }
        nrd_files_sort(files);
        /* Whatever the driver: one record per file_path, or a clear error
         * (a service listing a key twice, say). */
        if ((dup = nrd_files_first_duplicate(files)) > 0) {
                rc = nrd_error(NEREID_ERROR, "%s: two files would be recorded as %s (%s and %s)",
                               label, files->items[dup].file_path,
                               run_source_text(&files->items[dup - 1]),
                               run_source_text(&files->items[dup]));
                goto cleanup;
        }
        if (location_out && !(*location_out = nrd_source_format_location(loc)))
                rc = NEREID_ERROR;
cleanup:
        if (rc < 0) {
                nereid_files_free(files);
                return rc;
        }
        *out = files;
        return 0;
}

int nrd_run_scan(nereid_project *project, const char *path, const char *destination,
                 nereid_files **out, char **location_out)
{
        source_location loc;
        int rc;

        *out = NULL;
        if ((rc = nrd_source_parse_location(path, project->cfg.home, &loc)) < 0)
                return rc;
        rc = nrd_run_scan_location(project, &loc, path, destination, out, location_out);
        nrd_source_location_clear(&loc);
        return rc;
}

/* A field a user may write (not sys/, a valid path) in a project that may
 * be written (not read-only): every write starts with it. */
static int run_check_field_write(nereid_project *project, const char *field)
{
        int rc = nrd_uri_field_writable(field);

        return rc < 0 ? rc : nrd_project_check_writable(project, field);
}

/* Everything a track does before it writes: check the field and the
 * destination, then scan the files. */
static int run_track_scan(nereid_project *project, const char *field, const char *path,
                          const char *destination, nereid_files **files, store_root *root)
{
        int rc;

        if ((rc = run_check_field_write(project, field)) < 0)
                return rc;
        if (destination && *destination && !nrd_uri_is_safe_relative(destination))
                return nrd_error(NEREID_EINVALID,
                                 "destination %s: must be a relative path without ., .. or "
                                 "empty segments",
                                 destination);
        root->destination = (char *)(destination ? destination : "");
        return nrd_run_scan(project, path, destination, files, &root->location);
}

static int run_track_store(nereid_run *run, const char *field, const nereid_files *files,
                           const store_root *root, int replace, char *hash_out)
{
        nereid_project *project = run->project;
        nereid_store *store = project->store;
        char hash[NEREID_HASH_HEXLEN + 1];
        int rc;

        if (project->queued)
                return nrd_queue_run_put(run, field, files, root, root ? 1 : 0, replace, hash_out);
        if (replace)
                rc = nrd_artifact_track(store, project->name, run->id, field, files, root,
                                        ARTIFACT_REPLACE, hash);
        else
                rc = nrd_artifact_track(store, project->name, run->id, field, files, root,
                                        ARTIFACT_MERGE, hash);
        if (rc == 0 && hash_out)
                memcpy(hash_out, hash, sizeof(hash));
        return rc;
}

static int run_track(nereid_run *run, const char *field, const char *path, const char *destination,
                     int replace, char *hash_out)
{
        nereid_files *files = NULL;
        store_root root = {0};
        int rc;

        rc = run_track_scan(run->project, field, path, destination, &files, &root);
        if (rc == 0)
                rc = run_track_store(run, field, files, &root, replace, hash_out);
        nrd_project_wait_background(run->project);
        free(root.location);
        nereid_files_free(files);
        return rc;
}

int nereid_run_track_files(char hash_out[NEREID_HASH_BUFSIZE], nereid_run *run, const char *field,
                           const char *path, const char *destination)
{
        nrd_error_clear();
        assert(run);
        return run_track(run, field, path, destination, 0, hash_out);
}

int nereid_run_track_files_replace(char hash_out[NEREID_HASH_BUFSIZE], nereid_run *run,
                                   const char *field, const char *path, const char *destination)
{
        nrd_error_clear();
        assert(run);
        return run_track(run, field, path, destination, 1, hash_out);
}

int nereid_run_remove_field(nereid_run *run, const char *field)
{
        nereid_project *project;
        int rc;

        nrd_error_clear();
        assert(run);
        project = run->project;
        if ((rc = run_check_field_write(project, field)) < 0)
                return rc;
        if (project->queued)
                return nrd_queue_run_remove(run, field);
        return nrd_store_field_remove(project->store, project->name, run->id, field);
}

int nereid_run_track_new(nereid_run **out, char hash_out[NEREID_HASH_BUFSIZE],
                         nereid_project *project, const char *name, const char *field,
                         const char *path, const char *destination)
{
        nereid_files *files = NULL;
        store_root root = {0};
        int rc;

        nrd_error_clear();
        assert(out);
        assert(project);
        *out = NULL;
        /* Scan first: a track that fails leaves no empty run behind. */
        rc = run_track_scan(project, field, path, destination, &files, &root);
        if (rc == 0)
                rc = nereid_run_open(out, project, NULL, name);
        if (rc == 0)
                rc = run_track_store(*out, field, files, &root, 0, hash_out);
        if (rc < 0) { /* outputs only on success */
                nereid_run_free(*out);
                *out = NULL;
        }
        nrd_project_wait_background(project);
        free(root.location);
        nereid_files_free(files);
        return rc;
}

int nereid_run_fetch_hash(char hash_out[NEREID_HASH_BUFSIZE], nereid_run *run, const char *field,
                          enum nereid_hash_kind kind)
{
        nereid_store *store = run->project->store;
        char hash[NEREID_HASH_HEXLEN + 1];
        int rc;

        nrd_error_clear();
        assert(run);
        assert(hash_out);
        if (kind != NEREID_HASH_ARTIFACT && kind != NEREID_HASH_CONTENT)
                return nrd_error(NEREID_EINVALID, "hash of %s: unknown kind %d", field, (int)kind);
        if ((rc = nrd_uri_check_field(field)) < 0 || (rc = nrd_queue_run_settle(run)) < 0)
                return rc;
        if (run->offline)
                return nrd_queue_run_hash(run, field, kind == NEREID_HASH_CONTENT, hash_out);
        if ((rc = nrd_store_field_get(store, run->project->name, run->id, field, hash)) < 0)
                return rc;
        if (kind == NEREID_HASH_ARTIFACT) {
                memcpy(hash_out, hash, sizeof(hash));
                return 0;
        }
        return nrd_store_artifact_content_hash(store, run->project->name, hash, hash_out);
}

int nereid_run_fetch_files_list(nereid_files **out, nereid_run *run, const char *field)
{
        char hash[NEREID_HASH_HEXLEN + 1];
        int rc;

        nrd_error_clear();
        assert(run);
        assert(out);
        *out = NULL;
        if ((rc = nrd_queue_run_settle(run)) < 0)
                return rc;
        if (run->offline)
                return (rc = nrd_uri_check_field(field)) < 0 ? rc
                                                             : nrd_queue_run_files(run, field, out);
        if ((rc = nereid_run_fetch_hash(hash, run, field, NEREID_HASH_ARTIFACT)) < 0)
                return rc;
        return nereid_project_artifact_files(out, run->project, hash);
}

/* The public callback behind the store's, which takes its payload first. */
struct run_each_file {
        nereid_file_cb cb;
        void *payload;
};

static int run_each_file_call(void *payload, const struct nereid_file *file)
{
        const struct run_each_file *each = payload;

        return each->cb(file, each->payload);
}

int nereid_run_each_file(nereid_run *run, const char *field, nereid_file_cb cb, void *payload)
{
        struct run_each_file each;
        nereid_store *store = run->project->store;
        char hash[NEREID_HASH_HEXLEN + 1];
        int rc;

        nrd_error_clear();
        assert(run);
        if ((rc = nrd_queue_run_settle(run)) < 0)
                return rc;
        if (run->offline) {
                nereid_files *files = NULL;
                size_t i;

                if ((rc = nereid_run_fetch_files_list(&files, run, field)) < 0)
                        return rc;
                for (i = 0; i < files->count && rc == 0; i++)
                        rc = cb(&files->items[i], payload);
                nereid_files_free(files);
                return rc;
        }
        if ((rc = nereid_run_fetch_hash(hash, run, field, NEREID_HASH_ARTIFACT)) < 0)
                return rc;
        each.cb = cb;
        each.payload = payload;
        return nrd_store_artifact_each(store, run->project->name, hash, run_each_file_call, &each);
}

/* Assign in the queued modes: the source's records are queued as a field
 * that holds exactly them (with the source's roots), so the delivery needs
 * nothing but the queue. Offline, the source is a field of this run. */
static int run_assign_queued(nereid_run *run, const char *field, const char *src_run_id,
                             const char *src_field, const char *hash)
{
        nereid_project *project = run->project;
        nereid_files *files = NULL;
        store_root *roots = NULL;
        size_t nroots = 0;
        char held[NEREID_HASH_HEXLEN + 1];
        int rc = 0;

        if (run->offline || project->mode == NEREID_MODE_OFFLINE) {
                if (!src_run_id || strcmp(src_run_id, run->id) != 0)
                        return nrd_queue_run_refuse(src_run_id ? src_run_id : hash);
                rc = nrd_queue_run_files(run, src_field, &files);
        } else {
                if (src_run_id &&
                    ((rc = nrd_uri_check_run_id(src_run_id)) < 0 ||
                     (rc = nrd_store_field_get(project->store, project->name, src_run_id, src_field,
                                               held)) < 0 ||
                     (rc = nrd_store_field_roots(project->store, project->name, src_run_id,
                                                 src_field, &roots, &nroots)) < 0))
                        return rc;
                if (src_run_id)
                        hash = held;
                rc = nereid_project_artifact_files(&files, project, hash);
        }
        if (rc == 0)
                rc = nrd_queue_run_put(run, field, files, roots, nroots, 1, NULL);
        nrd_store_roots_free(roots, nroots);
        nereid_files_free(files);
        return rc;
}

int nereid_run_assign_field(nereid_run *run, const char *field, const char *src_run_id,
                            const char *src_field)
{
        nereid_project *project;
        nereid_store *store;
        store_root *roots = NULL;
        size_t nroots = 0;
        char hash[NEREID_HASH_HEXLEN + 1];
        int rc;

        nrd_error_clear();
        assert(run);
        project = run->project;
        store = project->store;
        if ((rc = run_check_field_write(project, field)) < 0 ||
            (rc = nrd_uri_check_field(src_field)) < 0)
                return rc;
        if (project->queued)
                return run_assign_queued(run, field, src_run_id, src_field, NULL);
        if ((rc = nrd_uri_check_run_id(src_run_id)) < 0)
                return rc;
        if ((rc = nrd_store_field_get(store, project->name, src_run_id, src_field, hash)) < 0 ||
            (rc = nrd_store_field_roots(store, project->name, src_run_id, src_field, &roots,
                                        &nroots)) < 0)
                return rc;
        /* The roots come along so that status works on the copy too. */
        rc = nrd_artifact_assign(store, project->name, run->id, field, hash, roots, nroots);
        nrd_store_roots_free(roots, nroots);
        return rc;
}

int nereid_run_assign_hash(nereid_run *run, const char *field, const char *hash)
{
        nereid_project *project;
        int rc;

        nrd_error_clear();
        assert(run);
        project = run->project;
        if ((rc = run_check_field_write(project, field)) < 0)
                return rc;
        if (!nrd_hash_is_sha256(hash))
                return nrd_error(NEREID_EINVALID, "%s: not an artifact hash (64 lowercase hex)",
                                 hash);
        if (project->queued)
                return run_assign_queued(run, field, NULL, NULL, hash);
        return nrd_artifact_assign(project->store, project->name, run->id, field, hash, NULL, 0);
}
