/*
 * bgsend.c - the background sender of an async run (bgsend.h, SPEC section
 * 9, docs/internals/queue.md). The thread owns everything it touches: a
 * project handle of its own (its own store connection, no callbacks: the
 * caller's progress and notify callbacks are never called from here) and
 * its own handle on the queue file. It shares with the run handle only the
 * state below, under one mutex. A try is one nrd_sender_deliver (the
 * queue's delivery lock, so with several processes of one run one delivers
 * at a time and the others watch the queue empty); a failure that may pass
 * is tried again with exponential backoff and full jitter (the HTTP store
 * itself waits out a 429's or 503's Retry-After); a refusal drops the
 * refused operation and is reported once by the next wait. Not for
 * queueing (queue.c) nor for warnings (queue_run.c says them).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "alloc.h"
#include "bgsend.h"
#include "error.h"
#include "os/os.h"
#include "queue.h"
#include "sender.h"

/* The first and the longest wait between tries after a failure that may
 * pass, and the poll while another process delivers the queue. */
#define BGSEND_BACKOFF_MIN_MS 100
#define BGSEND_BACKOFF_MAX_MS 5000
#define BGSEND_POLL_MS        200

struct nrd_bgsend {
        pthread_t thread;
        pthread_mutex_t lock;
        pthread_cond_t wake; /* to the thread: work, or stop */
        pthread_cond_t done; /* to the waiters: a try ended */
        nereid_project *own; /* the thread's project (own store connection) */
        nereid_project *src; /* the run's: read only for its settings, at start */
        char uuid[40];
        /* under lock */
        int stop;
        int dead;         /* the thread could not start its work: status.rc says why */
        uint64_t kicks;   /* work asked for */
        int urgent;       /* a wait asked for a try now */
        uint64_t tries;   /* tries begun */
        uint64_t failed;  /* the number of the last try that failed */
        uint64_t want;    /* the last operation this handle queued */
        uint64_t covered; /* the last try began with operations up to this one queued */
        bgsend_status status;
};

/* Absolute CLOCK_MONOTONIC time ms from now, for the condition waits. */
static struct timespec bgsend_deadline(int64_t at_ns)
{
        struct timespec ts;

        ts.tv_sec = (time_t)(at_ns / 1000000000);
        ts.tv_nsec = (long)(at_ns % 1000000000);
        return ts;
}

static void bgsend_cond_init(pthread_cond_t *c)
{
        pthread_condattr_t a;

        pthread_condattr_init(&a);
        pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
        pthread_cond_init(c, &a);
        pthread_condattr_destroy(&a);
}

/* The thread's own project: the same store, name and key, no callbacks. */
static int bgsend_own_project(nrd_bgsend *b)
{
        nereid_project *p = nrd_calloc(1, sizeof(*p));
        nereid_project *src = b->src;

        if (!p)
                return NEREID_ERROR;
        pthread_mutex_init(&p->notify_lock, NULL);
        atomic_init(&p->cancelled, 0);
        p->mode = src->mode;
        p->exists = src->exists;
        p->queued = src->queued;
        memcpy(p->key, src->key, sizeof(p->key));
        p->name = nrd_strdup(src->name);
        p->create_key = src->create_key ? nrd_strdup(src->create_key) : NULL;
        p->cache = nrd_strdup(src->cache);
        pthread_mutex_lock(&b->lock);
        b->own = p;
        pthread_mutex_unlock(&b->lock);
        if (!p->name || !p->cache || (src->create_key && !p->create_key))
                return NEREID_ERROR;
        return nrd_project_store_open_token(&p->store, src->cfg.store, src->cfg.home, src->mode,
                                            src->cfg.api_token, NULL);
}

static void bgsend_record(nrd_bgsend *b, int rc, const sender_result *res, nrd_queue *q)
{
        uint64_t first = 0;

        if (q && nrd_queue_first(q, &first) < 0)
                first = b->status.first;
        if (res->run_id[0])
                snprintf(b->status.run_id, sizeof(b->status.run_id), "%s", res->run_id);
        if (res->last_seq) {
                b->status.hash_seq = res->last_seq;
                memcpy(b->status.hash, res->last_hash, sizeof(b->status.hash));
        }
        b->status.first = first;
        b->status.rc = rc;
        snprintf(b->status.message, sizeof(b->status.message), "%s",
                 rc < 0 ? nereid_error_last() : "");
}

static void *bgsend_main(void *arg)
{
        nrd_bgsend *b = arg;
        nrd_queue *q = NULL;
        uint64_t seen = 0;
        int64_t next = 0; /* no try before (monotonic ns); 0: only when kicked */
        long backoff = BGSEND_BACKOFF_MIN_MS;
        int rc;

        rc = bgsend_own_project(b);
        if (rc == 0)
                rc = nrd_queue_open(&q, b->own->cache, b->uuid, 0);
        pthread_mutex_lock(&b->lock);
        if (rc < 0) {
                b->dead = 1;
                b->status.rc = rc;
                snprintf(b->status.message, sizeof(b->status.message), "%s", nereid_error_last());
                pthread_cond_broadcast(&b->done);
        }
        while (!b->dead && !b->stop) {
                sender_result res;
                unsigned char r = 0;
                uint64_t try_no;
                int transient;
                int64_t now = nrd_os_monotonic_ns();
                uint64_t covers;

                /* A write asks for a try unless a failure's backoff runs;
                 * a wait asks for one at once. */
                if (!b->urgent && !(next != 0 && now >= next) && !(b->kicks != seen && next == 0)) {
                        if (next == 0) {
                                pthread_cond_wait(&b->wake, &b->lock);
                        } else {
                                struct timespec ts = bgsend_deadline(next);

                                pthread_cond_timedwait(&b->wake, &b->lock, &ts);
                        }
                        continue;
                }
                seen = b->kicks;
                b->urgent = 0;
                covers = b->want;
                try_no = ++b->tries;
                pthread_mutex_unlock(&b->lock);

                nrd_error_clear();
                rc = nrd_sender_deliver(b->own, q, 0, &res);
                transient = nrd_sender_transient(rc);
                if (rc < 0 && !transient && !res.busy && rc != NEREID_ECANCELLED &&
                    res.failed_seq) {
                        /* The server will never take it: dropped, reported
                         * once, and the rest goes on. */
                        pthread_mutex_lock(&b->lock);
                        if (!b->status.refused) {
                                b->status.refused = rc;
                                snprintf(b->status.refusal, sizeof(b->status.refusal), "%s",
                                         nereid_error_last());
                        }
                        pthread_mutex_unlock(&b->lock);
                        nrd_queue_ack(q, res.failed_seq);
                }

                pthread_mutex_lock(&b->lock);
                bgsend_record(b, rc, &res, q);
                b->covered = covers;
                if (rc == 0) {
                        next = 0;
                        backoff = BGSEND_BACKOFF_MIN_MS;
                } else if (res.busy) {
                        /* Another process of the run delivers it: watch. */
                        next = nrd_os_monotonic_ns() + (int64_t)BGSEND_POLL_MS * 1000000;
                } else if (transient) {
                        b->failed = try_no;
                        nrd_os_random(&r, 1);
                        next = nrd_os_monotonic_ns() +
                               (int64_t)(backoff / 2 + (backoff / 2) * r / 255) * 1000000;
                        if (backoff < BGSEND_BACKOFF_MAX_MS)
                                backoff *= 2;
                } else if (res.failed_seq && rc != NEREID_ECANCELLED) {
                        next = nrd_os_monotonic_ns(); /* the rest, at once */
                } else {
                        /* The run refused (or the queue unreadable): not
                         * again until asked (a wait asks). */
                        b->failed = try_no;
                        if (!b->status.refused && rc != NEREID_ECANCELLED) {
                                b->status.refused = rc;
                                snprintf(b->status.refusal, sizeof(b->status.refusal), "%s",
                                         nereid_error_last());
                        }
                        next = 0;
                }
                pthread_cond_broadcast(&b->done);
        }
        pthread_mutex_unlock(&b->lock);
        nrd_queue_close(q);
        return NULL;
}

int nrd_bgsend_start(nrd_bgsend **out, nereid_project *project, const char *uuid)
{
        nrd_bgsend *b = nrd_calloc(1, sizeof(*b));
        int err;

        *out = NULL;
        if (!b)
                return NEREID_ERROR;
        pthread_mutex_init(&b->lock, NULL);
        bgsend_cond_init(&b->wake);
        bgsend_cond_init(&b->done);
        b->src = project;
        b->kicks = 1; /* try at once */
        snprintf(b->uuid, sizeof(b->uuid), "%s", uuid);
        if ((err = pthread_create(&b->thread, NULL, bgsend_main, b)) != 0) {
                char why[128];

                pthread_cond_destroy(&b->wake);
                pthread_cond_destroy(&b->done);
                pthread_mutex_destroy(&b->lock);
                free(b);
                return nrd_error(NEREID_ERROR, "background sender: %s",
                                 nrd_strerror(err, why, sizeof(why)));
        }
        *out = b;
        return 0;
}

void nrd_bgsend_kick(nrd_bgsend *b, uint64_t seq)
{
        pthread_mutex_lock(&b->lock);
        if (seq > b->want)
                b->want = seq;
        b->kicks++;
        pthread_cond_signal(&b->wake);
        pthread_mutex_unlock(&b->lock);
}

int nrd_bgsend_wait(nrd_bgsend *b, uint64_t upto, unsigned timeout_ms, int until_fail,
                    bgsend_status *st)
{
        int64_t deadline = nrd_os_monotonic_ns() + (int64_t)timeout_ms * 1000000;
        struct timespec ts = bgsend_deadline(deadline);
        uint64_t begun;
        int rc = 1, asked = 0;

        pthread_mutex_lock(&b->lock);
        begun = b->tries;
        for (;;) {
                /* Done: a try that began with upto queued left nothing
                 * numbered upto or less. */
                if (b->covered >= upto && (b->status.first == 0 || b->status.first > upto)) {
                        rc = 0;
                        break;
                }
                if (!asked && timeout_ms) {
                        /* A try now, whatever the backoff said. */
                        b->urgent = 1;
                        pthread_cond_signal(&b->wake);
                        asked = 1;
                }
                if (b->dead || (until_fail && b->failed > begun))
                        break;
                if (timeout_ms == 0 || nrd_os_monotonic_ns() >= deadline)
                        break;
                pthread_cond_timedwait(&b->done, &b->lock, &ts);
        }
        *st = b->status;
        if (b->status.refused) {
                rc = b->status.refused;
                b->status.refused = 0;
        }
        pthread_mutex_unlock(&b->lock);
        if (rc < 0)
                return nrd_error(rc, "%s", st->refusal);
        if (rc == 1 && st->rc < 0)
                nrd_error(st->rc, "%s", st->message);
        else if (rc == 1)
                nrd_error(NEREID_ERROR, "the server did not answer in time");
        return rc;
}

void nrd_bgsend_stop(nrd_bgsend *b)
{
        if (!b)
                return;
        pthread_mutex_lock(&b->lock);
        b->stop = 1;
        if (b->own)
                atomic_store(&b->own->cancelled, 1); /* stop between operations */
        pthread_cond_signal(&b->wake);
        pthread_mutex_unlock(&b->lock);
        pthread_join(b->thread, NULL);
        nereid_project_free(b->own);
        pthread_cond_destroy(&b->wake);
        pthread_cond_destroy(&b->done);
        pthread_mutex_destroy(&b->lock);
        free(b);
}
