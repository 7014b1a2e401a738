/*
 * queue_run.c - a run's writes and reads in the queued modes (SPEC section
 * 9): with a server store, async and offline runs write into their durable
 * queue (queue.c) before a call returns; async then delivers from a
 * background thread (bgsend.c) and leaves in the queue what the server
 * could not take;
 * offline only queues, names the run offline/<uuid> and answers reads of
 * the run from the queue. run.c calls in here where a run writes; the
 * embedded store never comes here. Not for scanning (run.c) nor for the
 * queue's file (queue.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include "error.h"
#include "hash.h"
#include "lists.h"
#include "os/os.h"
#include "queue.h"
#include "run.h"
#include "bgsend.h"
#include "buf.h"
#include "sender.h"

#define OFFLINE_PREFIX "offline/"
/* How a closing handle tries for the delivery lock of an empty queue. */
#define QUEUE_RUN_CLOSE_TRIES   20
#define QUEUE_RUN_CLOSE_WAIT_MS 50

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

/* The name of the queue every process of one run shares: a UUID made from
 * the store, the project and what names the run (its server ID, or its
 * custom run ID before the server gave one), SHA-256 cut to 128 bits with
 * the version 8 (made by name) and variant bits set. */
static int queue_run_shared_uuid(nereid_project *project, const char *kind, const char *name,
                                 char out[40])
{
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int mdlen = 0;
        const char *parts[5];
        nereid_buf buf = NEREID_BUF_INIT;
        size_t i;
        int ok;

        parts[0] = "nereid-queue";
        parts[1] = project->cfg.store ? project->cfg.store : "";
        parts[2] = project->name;
        parts[3] = kind;
        parts[4] = name;
        for (i = 0; i < 5; i++) { /* each ended by a NUL: no two lists alike */
                nrd_buf_puts(&buf, parts[i]);
                nrd_buf_put(&buf, "", 1);
        }
        if (buf.failed || !buf.ptr) {
                nrd_buf_free(&buf);
                return NEREID_ERROR;
        }
        ok = EVP_Digest(buf.ptr, buf.len, md, &mdlen, EVP_sha256(), NULL);
        nrd_buf_free(&buf);
        if (!ok || mdlen < 16)
                return nrd_error(NEREID_ERROR, "queue name: SHA-256 failed");
        md[6] = (unsigned char)((md[6] & 0x0f) | 0x80); /* version 8 */
        md[8] = (unsigned char)((md[8] & 0x3f) | 0x80); /* RFC 4122 variant */
        snprintf(out, 40, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                 md[0], md[1], md[2], md[3], md[4], md[5], md[6], md[7], md[8], md[9], md[10],
                 md[11], md[12], md[13], md[14], md[15]);
        return 0;
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
        if (spec->custom_run_id && project->mode == NEREID_MODE_ASYNC) {
                /* Every process of this run (ranks of one training)
                 * shares one queue, and the run is made by that UUID. */
                store_run_spec shared = *spec;
                char uuid[40];

                if ((rc = queue_run_shared_uuid(project, "custom", spec->custom_run_id, uuid)) <
                    0) {
                        free(run);
                        return rc;
                }
                shared.uuid = uuid;
                rc = nrd_queue_join(&run->queue, project->cache, project->name, &shared, NULL);
        } else {
                rc = nrd_queue_create(&run->queue, project->cache, project->name, spec, NULL);
        }
        if (rc < 0) {
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

/* The queue of a run the server made (async mode), made by its first
 * write without asking the server anything: named by the run's server ID,
 * so the processes that write into one run share one queue. */
static int queue_run_ensure_queue(nereid_run *run)
{
        store_run_spec spec;
        char uuid[40];
        int rc;

        if (run->queue)
                return 0;
        if ((rc = queue_run_shared_uuid(run->project, "run", run->id, uuid)) < 0)
                return rc;
        memset(&spec, 0, sizeof(spec));
        spec.uuid = uuid;
        spec.owner = "";
        return nrd_queue_join(&run->queue, run->project->cache, run->project->name, &spec, run->id);
}

/* Async mode: hand the operation just queued to the background sender
 * (started by the first one). Nothing here waits on the network. */
static int queue_run_deliver_later(nereid_run *run, uint64_t seq)
{
        int rc;

        run->last_seq = seq;
        /* On disk now; said before the sender hears of it, so a test can
         * stop or kill the process between queueing and delivery. A
         * cancel here changes nothing: the operation is queued. */
        if (nrd_project_progress(run->project, "queue: queued", seq, 0) < 0) {
                nrd_project_uncancel(run->project);
                nrd_error_clear();
        }
        if (run->project->mode != NEREID_MODE_ASYNC)
                return 0;
        if (!run->sender &&
            (rc = nrd_bgsend_start(&run->sender, run->project, nrd_queue_uuid(run->queue))) < 0)
                return rc; /* no thread: queued all the same, for `nereid sync` */
        nrd_bgsend_kick(run->sender, seq);
        return 0;
}

/* The run's server ID once a delivery made the run. */
static void queue_run_learn_id(nereid_run *run, const char *run_id)
{
        if (run_id[0] && run->offline && run->project->mode == NEREID_MODE_ASYNC) {
                snprintf(run->id, sizeof(run->id), "%s", run_id);
                run->offline = 0;
        }
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
        if ((rc = queue_run_deliver_later(run, seq)) < 0)
                nrd_error_clear(); /* left for the end of the run, or `nereid sync` */
        if (!hash_out)
                return 0;
        /* The field's hash is the server's answer (a merge is made there):
         * asked for, the call waits for the delivery of this operation,
         * or for a try of it to fail (the server away: the hash of what
         * this queue holds). Without hash_out nothing waits. */
        if (run->sender) {
                bgsend_status st;

                rc = nrd_bgsend_wait(run->sender, seq, NEREID_WAIT_DEFAULT_MS, 1, &st);
                queue_run_learn_id(run, st.run_id);
                if (rc < 0)
                        return rc;
                if (rc == 0 && st.hash_seq == seq && st.hash[0]) {
                        memcpy(hash_out, st.hash, NEREID_HASH_HEXLEN + 1);
                        return 0;
                }
                if (rc == 0 && !run->offline &&
                    nrd_store_field_get(run->project->store, run->project->name, run->id, field,
                                        hash_out) == 0)
                        return 0; /* delivered by another process of the run */
        }
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
        if (queue_run_deliver_later(run, seq) < 0)
                nrd_error_clear(); /* left for the end of the run, or `nereid sync` */
        return 0;
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

int nrd_queue_run_settle(nereid_run *run)
{
        bgsend_status st;
        int rc;

        if (!run->sender)
                return 0;
        rc = nrd_bgsend_wait(run->sender, run->last_seq, NEREID_WAIT_DEFAULT_MS, 1, &st);
        queue_run_learn_id(run, st.run_id);
        if (rc > 0)
                nrd_error_clear(); /* the server away: read what it has, or fail there */
        return rc < 0 ? rc : 0;
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
        if (run->sender) {
                bgsend_status st;

                rc = nrd_bgsend_wait(run->sender, run->last_seq, timeout_ms, 0, &st);
                queue_run_learn_id(run, st.run_id);
                if (rc <= 0)
                        return rc; /* delivered, or the refusal of an operation */
                memset(&res, 0, sizeof(res));
                snprintf(res.run_id, sizeof(res.run_id), "%s", st.run_id);
                if (nrd_queue_info(run->queue, &info) == 0) {
                        res.left = info.ops;
                        nrd_queue_info_clear(&info);
                }
                nrd_error(NEREID_ERROR, "%s", st.message[0] ? st.message : "not delivered yet");
                rc = NEREID_ERROR;
        } else {
                /* A queue this handle wrote nothing into (an offline run
                 * opened in async mode): delivered here, in this thread. */
                rc = nrd_sender_deliver(run->project, run->queue, timeout_ms, &res);
                queue_run_learn_id(run, res.run_id);
                if (rc == 0)
                        return 0;
        }
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

        /* The sender first: after the request in flight, if any. */
        nrd_bgsend_stop(run->sender);
        run->sender = NULL;
        /* An async run's queue that holds nothing goes with the run, as a
         * sync would delete it: not while another process writes into it,
         * and never an offline run's (sync makes its run). */
        if (run->project->mode == NEREID_MODE_ASYNC && !run->offline &&
            nrd_queue_info(run->queue, &info) == 0) {
                uint64_t ops = info.ops;

                int tries;

                nrd_queue_info_clear(&info);
                nrd_queue_release_writer(run->queue);
                /* The delivery lock may be held a moment by another
                 * process of the run closing at once, whose removal failed
                 * on this one's writer's lock: tried again for up to a
                 * second. Held longer, a delivery runs: its process (a
                 * writer) or `nereid sync` removes the queue once empty. */
                for (tries = 0; ops == 0 && tries < QUEUE_RUN_CLOSE_TRIES; tries++) {
                        if (nrd_queue_lock_delivery(run->queue) == 0) {
                                nrd_queue_remove(run->queue); /* EEXISTS: another writes */
                                break;
                        }
                        nrd_os_sleep_ms(QUEUE_RUN_CLOSE_WAIT_MS);
                }
        }
        nrd_error_clear();
        nrd_queue_close(run->queue);
        run->queue = NULL;
}
