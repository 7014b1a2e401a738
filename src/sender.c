/*
 * sender.c - delivery of a durable queue (sender.h, SPEC section 9,
 * docs/internals/queue.md). Idempotent at every step, so that a delivery
 * killed anywhere and run again loses and repeats nothing: the run is made
 * by run_new with the queue's UUID (a retry finds the same run) and its ID
 * written to the queue; each operation goes through op_apply under (queue
 * UUID, seq), which the server applies once and acknowledges; only then is
 * it deleted from the queue. The hashes are those of the records queued at
 * track time: nothing is scanned here. Not for queueing (queue.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "artifact.h"
#include "error.h"
#include "hash.h"
#include "os/os.h"
#include "sender.h"

/* The first and the longest wait between tries of a failure that may pass. */
#define SENDER_BACKOFF_MIN_MS 100
#define SENDER_BACKOFF_MAX_MS 5000

int nrd_sender_transient(int rc)
{
        return rc == NEREID_ERROR;
}

struct sender_walk {
        nereid_project *project;
        nrd_queue *q;
        sender_result *res;
        const char *pname; /* the queue's project */
};

/* A queued put: its text as it is when the store takes text and the
 * field will hold the queued artifact itself (artifact.c says), else its
 * records decoded and artifact.c's union. */
static int sender_put(struct sender_walk *w, const queue_op *op, const artifact_op *key,
                      char hash_out[NEREID_HASH_HEXLEN + 1])
{
        enum artifact_how how = op->replace ? ARTIFACT_REPLACE : ARTIFACT_MERGE;
        nereid_files *files = NULL;
        int rc = ARTIFACT_NEEDS_RECORDS;

        if (op->has_sums && nrd_store_has_put_text(w->project->store))
                rc = nrd_artifact_track_text(w->project->store, w->pname, w->res->run_id, op->field,
                                             op->text, op->text_len, op->hash, op->content,
                                             op->roots, op->nroots, how, key, hash_out);
        if (rc != ARTIFACT_NEEDS_RECORDS)
                return rc;
        if ((rc = nrd_queue_op_records(w->q, op, &files)) < 0)
                return rc;
        rc = nrd_artifact_track_op(w->project->store, w->pname, w->res->run_id, op->field, files,
                                   op->roots, op->nroots, how, key, hash_out, NULL);
        nereid_files_free(files);
        return rc;
}

static int sender_apply(void *payload, const queue_op *op)
{
        struct sender_walk *w = payload;
        nereid_project *project = w->project;
        artifact_op key = {nrd_queue_key(w->q), op->seq};
        char hash[NEREID_HASH_HEXLEN + 1];
        int rc;

        if ((rc = nrd_project_progress(project, "sync: apply", op->seq, 0)) < 0)
                return rc;
        if (op->kind == QUEUE_PUT)
                rc = sender_put(w, op, &key, hash);
        else
                rc = nrd_store_op_apply(project->store, w->pname, w->res->run_id, key.queue,
                                        key.seq, op->field, NULL, NULL, NULL, 0, STORE_ROOTS_SET);
        if (rc == STORE_APPLIED)
                rc = 0;
        if (rc < 0) {
                w->res->failed_seq = op->seq;
                return rc;
        }
        if ((rc = nrd_project_progress(project, "sync: applied", op->seq, 0)) < 0)
                return rc;
        if ((rc = nrd_queue_ack(w->q, op->seq)) < 0)
                return rc;
        w->res->sent++;
        w->res->last_seq = op->seq;
        if (op->kind == QUEUE_PUT)
                memcpy(w->res->last_hash, hash, sizeof(hash));
        else
                w->res->last_hash[0] = '\0';
        return 0;
}

/* One try: create the run if the queue has no ID for it yet, then apply
 * every operation left. */
static int sender_try(nereid_project *project, nrd_queue *q, sender_result *res)
{
        struct sender_walk walk = {project, q, res, NULL};
        store_run_spec spec;
        queue_info info;
        char key[16];
        int rc;

        res->failed_seq = 0;
        if ((rc = nrd_queue_info(q, &info)) < 0)
                return rc;
        snprintf(res->run_id, sizeof(res->run_id), "%s", info.run_id);
        walk.pname = info.project;
        if (!res->run_id[0]) {
                int created = 0;
                /* The handle's key only for its own project. */
                const char *want =
                    strcmp(info.project, project->name) == 0 ? project->create_key : NULL;

                nrd_queue_spec(q, &spec);
                if ((rc = nrd_project_progress(project, "sync: create run", 0, 0)) < 0 ||
                    (rc = nrd_store_project_open(project->store, info.project, want, 1, key)) < 0 ||
                    (rc = nrd_store_run_new(project->store, info.project, &spec, res->run_id,
                                            &created)) < 0) {
                        res->run_id[0] = '\0';
                        goto cleanup;
                }
                res->created = created;
                if ((rc = nrd_project_progress(project, "sync: run created", 0, 0)) < 0 ||
                    (rc = nrd_queue_set_run_id(q, res->run_id)) < 0)
                        goto cleanup;
        }
        rc = nrd_queue_each_text(q, 0, sender_apply, &walk);
cleanup:
        nrd_queue_info_clear(&info);
        return rc;
}

int nrd_sender_deliver(nereid_project *project, nrd_queue *q, unsigned timeout_ms,
                       sender_result *res)
{
        int64_t deadline = nrd_os_monotonic_ns() + (int64_t)timeout_ms * 1000000;
        long wait = SENDER_BACKOFF_MIN_MS;
        queue_info info;
        int rc;

        memset(res, 0, sizeof(*res));
        if ((rc = nrd_queue_lock_delivery(q)) < 0) {
                res->busy = rc == NEREID_EEXISTS;
                return rc;
        }
        for (;;) {
                unsigned char r = 0;
                long sleep_ms;

                rc = sender_try(project, q, res);
                if (rc == 0 || !nrd_sender_transient(rc))
                        break;
                if (nrd_os_monotonic_ns() >= deadline)
                        break;
                /* Full jitter: many clients back from one outage do not
                 * all knock at once. */
                nrd_os_random(&r, 1);
                sleep_ms = wait / 2 + (wait / 2) * r / 255;
                if (nrd_os_monotonic_ns() + (int64_t)sleep_ms * 1000000 > deadline)
                        sleep_ms = (long)((deadline - nrd_os_monotonic_ns()) / 1000000);
                if (sleep_ms > 0)
                        nrd_os_sleep_ms(sleep_ms);
                if (wait < SENDER_BACKOFF_MAX_MS)
                        wait *= 2;
        }
        nrd_queue_unlock_delivery(q);
        if (nrd_queue_info(q, &info) == 0) {
                res->left = info.ops;
                nrd_queue_info_clear(&info);
        }
        return rc;
}
