/*
 * queue_run.c - a run's writes and reads in the queued modes (SPEC section
 * 9): with a server store, async and offline runs write into their durable
 * queue (queue.c) before a call returns; async then delivers at once
 * (sender.c) and leaves in the queue what the server could not take;
 * offline only queues, names the run offline/<uuid> and answers reads of
 * the run from the queue. run.c calls in here where a run writes; the
 * embedded store never comes here. Not for scanning (run.c) nor for the
 * queue's file (queue.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "error.h"
#include "hash.h"
#include "lists.h"
#include "os/os.h"
#include "queue.h"
#include "run.h"
#include "sender.h"

#define OFFLINE_PREFIX "offline/"
/* After a failed delivery, writes do not try again for this long, doubled
 * at each failure up to the maximum; the end of the run always tries. */
#define QUEUE_RUN_BACKOFF_MS     1000
#define QUEUE_RUN_BACKOFF_MAX_MS 60000

static int queue_run_offline_refused(const char *what)
{
        return nrd_error(NEREID_EINVALID,
                         "%s: not available in offline mode (it reads only what this run "
                         "tracked)",
                         what);
}

int nrd_queue_run_is_offline_id(const char *run_id)
{
        return run_id && strncmp(run_id, OFFLINE_PREFIX, strlen(OFFLINE_PREFIX)) == 0;
}

/* A new handle for project with the given ID. */
static nereid_run *queue_run_new(nereid_project *project, const char *id)
{
        nereid_run *run = nrd_calloc(1, sizeof(*run));

        if (!run)
                return NULL;
        run->project = project;
        snprintf(run->id, sizeof(run->id), "%s", id);
        return run;
}

/* The run of a queue, named by the server's ID once it has one (and this
 * is not offline mode), else offline/<uuid>. */
static void queue_run_name(nereid_run *run)
{
        queue_info info;

        run->offline = 1;
        if (run->project->mode == NEREID_MODE_OFFLINE || nrd_queue_info(run->queue, &info) < 0) {
                nrd_error_clear();
                snprintf(run->id, sizeof(run->id), OFFLINE_PREFIX "%.36s",
                         nrd_queue_uuid(run->queue));
                return;
        }
        if (info.run_id[0]) {
                snprintf(run->id, sizeof(run->id), "%s", info.run_id);
                run->offline = 0;
        } else {
                snprintf(run->id, sizeof(run->id), OFFLINE_PREFIX "%.36s",
                         nrd_queue_uuid(run->queue));
        }
        nrd_queue_info_clear(&info);
}

int nrd_queue_run_create(nereid_run **out, nereid_project *project, const store_run_spec *spec)
{
        nereid_run *run;
        char id[32];
        int created = 0, rc;

        *out = NULL;
        if (!(run = queue_run_new(project, "")))
                return NEREID_ERROR;
        if (project->mode == NEREID_MODE_ASYNC) {
                /* The server makes the run now when it can: its ID is what
                 * the user sees. Unreachable, the run is queued like an
                 * offline one and made by the next delivery. */
                rc = nrd_project_ensure(project);
                if (rc == 0)
                        rc = nrd_store_run_new(project->store, project->name, spec, id, &created);
                if (rc == 0) {
                        snprintf(run->id, sizeof(run->id), "%s", id);
                        run->resumed = !created;
                        /* The queue is made by the first write. */
                        *out = run;
                        return 0;
                }
                if (!nrd_sender_transient(rc)) {
                        free(run);
                        return rc;
                }
                nrd_error_clear();
        }
        if ((rc = nrd_queue_create(&run->queue, project->cache, project->name, spec, NULL)) < 0) {
                free(run);
                return rc;
        }
        queue_run_name(run);
        *out = run;
        return 0;
}

int nrd_queue_run_open(nereid_run **out, nereid_project *project, const char *run_id)
{
        nereid_run *run;
        int rc;

        *out = NULL;
        if (!(run = queue_run_new(project, run_id)))
                return NEREID_ERROR;
        rc = nrd_queue_open(&run->queue, project->cache, run_id + strlen(OFFLINE_PREFIX), 1);
        if (rc < 0) {
                free(run);
                return rc;
        }
        run->resumed = 1;
        queue_run_name(run);
        *out = run;
        return 0;
}

/* The queue of a run the server made (async mode), made by its first write. */
static int queue_run_ensure_queue(nereid_run *run)
{
        store_run_info info;
        store_run_spec spec;
        char fresh[40];
        int rc;

        if (run->queue)
                return 0;
        /* The run must exist (unless the server is out of reach). The queue
         * gets a fresh UUID, never the run's own even when the server tells
         * it: a queue's (uuid, seq) keys are its own, and every handle that
         * writes into the run (other processes, other machines) numbers its
         * operations from 1 in a queue of its own; sharing the run's UUID
         * would make the server take their operations for repeats. */
        rc = nrd_store_run_get(run->project->store, run->project->name, run->id, &info);
        if (rc < 0 && !nrd_sender_transient(rc))
                return rc;
        if (rc == 0)
                nrd_store_run_info_clear(&info);
        if ((rc = nrd_store_uuid_make(fresh)) < 0)
                return rc;
        nrd_error_clear();
        memset(&spec, 0, sizeof(spec));
        spec.uuid = fresh;
        spec.owner = "";
        rc = nrd_queue_create(&run->queue, run->project->cache, run->project->name, &spec, run->id);
        if (rc == NEREID_EEXISTS) /* another handle of this process made it */
                rc = nrd_queue_open(&run->queue, run->project->cache, fresh, 1);
        return rc;
}

/* Async mode: try to deliver now, once; a failure that may pass leaves the
 * queue as it is, silently (the one warning comes from nrd_queue_run_wait).
 * A definite refusal of the operation just queued drops it: the caller gets
 * the error, as in sync mode. */
static int queue_run_deliver_now(nereid_run *run, uint64_t seq)
{
        sender_result res;
        int rc;

        if (run->project->mode != NEREID_MODE_ASYNC)
                return 0;
        /* A server that just failed is not asked again at every write: the
         * training loop does not wait on it (exponential, up to a minute). */
        if (nrd_os_monotonic_ns() < run->next_try)
                return 0;
        rc = nrd_sender_deliver(run->project, run->queue, 0, &res);
        if (nrd_sender_transient(rc)) {
                run->backoff_ms = run->backoff_ms ? run->backoff_ms * 2 : QUEUE_RUN_BACKOFF_MS;
                if (run->backoff_ms > QUEUE_RUN_BACKOFF_MAX_MS)
                        run->backoff_ms = QUEUE_RUN_BACKOFF_MAX_MS;
                run->next_try = nrd_os_monotonic_ns() + (int64_t)run->backoff_ms * 1000000;
        } else {
                run->backoff_ms = 0;
                run->next_try = 0;
        }
        if (res.run_id[0] && run->offline) {
                snprintf(run->id, sizeof(run->id), "%s", res.run_id);
                run->offline = 0;
        }
        if (rc == 0 || nrd_sender_transient(rc) || rc == NEREID_EEXISTS) {
                nrd_error_clear();
                return 0;
        }
        nrd_queue_ack(run->queue, seq);
        return rc;
}

/* The hash of what field holds in the queue's view (offline mode). */
static int queue_run_view_hash(nereid_run *run, const char *field, int content, char *hash_out)
{
        nereid_files *files = NULL;
        int rc = nrd_queue_view_field(run->queue, field, &files);

        if (rc == 0)
                rc = nrd_hash_files(files, content, hash_out);
        nereid_files_free(files);
        return rc;
}

int nrd_queue_run_put(nereid_run *run, const char *field, const nereid_files *files,
                      const store_root *roots, size_t nroots, int replace, char *hash_out)
{
        queue_op op;
        uint64_t seq = 0;
        int rc;

        if ((rc = queue_run_ensure_queue(run)) < 0)
                return rc;
        memset(&op, 0, sizeof(op));
        op.kind = QUEUE_PUT;
        op.field = (char *)field;
        op.replace = replace;
        op.files = (nereid_files *)files;
        op.roots = (store_root *)roots;
        op.nroots = nroots;
        if ((rc = nrd_queue_append(run->queue, &op, &seq)) < 0)
                return rc;
        run->wrote = 1;
        if ((rc = queue_run_deliver_now(run, seq)) < 0)
                return rc;
        if (!hash_out)
                return 0;
        /* Delivered: what the server holds; else what this queue says. */
        if (!run->offline && run->project->mode == NEREID_MODE_ASYNC &&
            nrd_store_field_get(run->project->store, run->project->name, run->id, field,
                                hash_out) == 0)
                return 0;
        nrd_error_clear();
        return queue_run_view_hash(run, field, 0, hash_out);
}

/* 1 when the run has field, or a field below it, on the server. */
struct queue_run_has {
        const char *field;
        int found;
};

static int queue_run_has_one(void *payload, const char *field, const char *hash)
{
        struct queue_run_has *h = payload;
        size_t n = strlen(h->field);

        (void)hash;
        if (strncmp(field, h->field, n) == 0 && (field[n] == '\0' || field[n] == '/'))
                h->found = 1;
        return 0;
}

int nrd_queue_run_remove(nereid_run *run, const char *field)
{
        struct queue_run_has has = {field, 0};
        nereid_files *files = NULL;
        queue_op op;
        uint64_t seq = 0;
        int rc;

        /* Removing nothing is an error, as in the other modes: asked of the
         * queue offline, of the server when it answers. */
        if (run->offline) {
                rc = nrd_queue_view_fields(run->queue, queue_run_has_one, &has);
                if (rc < 0)
                        return rc;
        } else {
                rc = nrd_store_field_each(run->project->store, run->project->name, run->id,
                                          queue_run_has_one, &has);
                if (rc < 0 && !nrd_sender_transient(rc))
                        return rc;
                if (rc < 0)
                        has.found = 1; /* unreachable: the delivery decides */
                nrd_error_clear();
        }
        if (!has.found && run->queue && nrd_queue_view_field(run->queue, field, &files) == 0)
                has.found = 1;
        nereid_files_free(files);
        nrd_error_clear();
        if (!has.found)
                return nrd_error(NEREID_ENOTFOUND, "%s:%s: no such field", run->id, field);
        if ((rc = queue_run_ensure_queue(run)) < 0)
                return rc;
        memset(&op, 0, sizeof(op));
        op.kind = QUEUE_REMOVE;
        op.field = (char *)field;
        if ((rc = nrd_queue_append(run->queue, &op, &seq)) < 0)
                return rc;
        run->wrote = 1;
        return queue_run_deliver_now(run, seq);
}

int nrd_queue_run_hash(nereid_run *run, const char *field, int content, char *hash_out)
{
        return queue_run_view_hash(run, field, content, hash_out);
}

int nrd_queue_run_files(nereid_run *run, const char *field, nereid_files **out)
{
        return nrd_queue_view_field(run->queue, field, out);
}

static int queue_run_push_field(void *payload, const char *field, const char *hash)
{
        return nrd_fields_push(payload, field, hash);
}

int nrd_queue_run_fields(nereid_run *run, nereid_fields *fields)
{
        int rc;

        if ((rc = nrd_fields_push(fields, "sys/id", run->id)) < 0)
                return rc;
        return nrd_queue_view_fields(run->queue, queue_run_push_field, fields);
}

int nrd_queue_run_refuse(const char *what)
{
        return queue_run_offline_refused(what);
}

int nrd_queue_run_wait(nereid_run *run, unsigned timeout_ms)
{
        sender_result res;
        queue_info info;
        int rc;

        if (!run->queue)
                return 0;
        if (run->project->mode == NEREID_MODE_OFFLINE) {
                if (run->wrote && !run->warned && nrd_queue_info(run->queue, &info) == 0) {
                        nrd_project_notify(run->project, 0,
                                           "%s: offline run, %llu queued operation%s; deliver "
                                           "them with `nereid sync`",
                                           run->id, (unsigned long long)info.ops,
                                           info.ops == 1 ? "" : "s");
                        nrd_queue_info_clear(&info);
                        run->warned = 1;
                }
                nrd_error_clear();
                return 0;
        }
        rc = nrd_sender_deliver(run->project, run->queue, timeout_ms, &res);
        if (res.run_id[0] && run->offline) {
                snprintf(run->id, sizeof(run->id), "%s", res.run_id);
                run->offline = 0;
        }
        if (rc == 0)
                return 0;
        if ((res.left || !res.run_id[0]) && !run->warned) {
                nrd_project_notify(run->project, 0,
                                   "%s: %s%llu operation%s left queued (%s); deliver them with "
                                   "`nereid sync`",
                                   run->id, res.run_id[0] ? "" : "the run and ",
                                   (unsigned long long)res.left, res.left == 1 ? "" : "s",
                                   nereid_error_last());
                run->warned = 1;
        }
        if (nrd_sender_transient(rc) || rc == NEREID_EEXISTS) {
                nrd_error_clear();
                return 1;
        }
        return rc;
}

void nrd_queue_run_close(nereid_run *run)
{
        queue_info info;

        /* An async run's queue that holds nothing goes with the run, as a
         * sync would delete it: not while another process writes into it,
         * and never an offline run's (sync makes its run). */
        if (run->project->mode == NEREID_MODE_ASYNC && !run->offline &&
            nrd_queue_info(run->queue, &info) == 0) {
                uint64_t ops = info.ops;

                nrd_queue_info_clear(&info);
                nrd_queue_release_writer(run->queue);
                if (ops == 0 && nrd_queue_lock_delivery(run->queue) == 0)
                        nrd_queue_remove(run->queue); /* EEXISTS: another writes */
        }
        nrd_error_clear();
        nrd_queue_close(run->queue);
        run->queue = NULL;
}
