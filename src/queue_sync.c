/*
 * queue_sync.c - nereid_sync() and nereid_queue_status() (SPEC section 9):
 * walk the queues under NEREID_HOME, deliver each (sender.c) and delete it
 * after its last acknowledgement, unless a process still writes into it.
 * One run's failure never stops the others. Not for the delivery itself
 * (sender.c) nor for the queue's file (queue.c).
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "error.h"
#include "queue.h"
#include "sender.h"

/* How long `nereid sync` retries a server that may come back, per run. */
#define SYNC_RETRY_MS 5000

struct sync_walk {
        nereid_project *via;
        const char *project;    /* NULL: every project */
        const char *const *ids; /* "offline/<uuid>" */
        size_t n;
        int deliver; /* 0: status only */
        nereid_queue_cb cb;
        void *payload;
        int first; /* the first failure's code */
        int *seen; /* per id: found */
};

static int sync_wanted(struct sync_walk *w, const char *uuid)
{
        size_t i;

        if (!w->n)
                return 1;
        for (i = 0; i < w->n; i++)
                if (strncmp(w->ids[i], "offline/", 8) == 0 && strcmp(w->ids[i] + 8, uuid) == 0) {
                        w->seen[i] = 1;
                        return 1;
                }
        return 0;
}

static int sync_one(void *payload, const char *uuid)
{
        struct sync_walk *w = payload;
        char queued_id[48];
        sender_result res;
        queue_info info;
        nrd_queue *q = NULL;
        int rc, stop;

        if (!sync_wanted(w, uuid))
                return 0;
        snprintf(queued_id, sizeof(queued_id), "offline/%s", uuid);
        memset(&info, 0, sizeof(info));
        memset(&res, 0, sizeof(res));
        rc = nrd_queue_open(&q, w->via->cache, uuid, 0);
        /* Listed, then gone (delivered and removed by another sync) or not
         * made yet (processes of a run joining it): nothing to say. */
        if (rc == NEREID_ENOTFOUND && !w->n) {
                nrd_error_clear();
                return 0;
        }
        if (rc < 0)
                goto report;
        if ((rc = nrd_queue_info(q, &info)) < 0)
                goto report;
        if (w->project && strcmp(info.project, w->project) != 0) {
                nrd_queue_info_clear(&info);
                nrd_queue_close(q);
                return 0;
        }
        if (!w->deliver)
                goto report;
        rc = nrd_sender_deliver(w->via, q, SYNC_RETRY_MS, &res);
        nrd_queue_info_clear(&info);
        if (nrd_queue_info(q, &info) < 0 && rc == 0)
                rc = NEREID_ERROR;
        /* Deleted only after the last acknowledgement, by the one delivery
         * holding the lock, and never while a process still writes. */
        if (rc == 0 && info.ops == 0 && !info.live && nrd_queue_lock_delivery(q) == 0) {
                rc = nrd_queue_remove(q);
                if (rc == NEREID_EEXISTS) { /* a writer came meanwhile: kept */
                        nrd_error_clear();
                        info.live = 1;
                        rc = 0;
                }
        }
report:
        if (rc < 0 && !w->first)
                w->first = rc;
        stop = w->cb ? w->cb(queued_id, info.project ? info.project : "",
                             info.run_id[0] ? info.run_id : res.run_id, info.ops, info.bytes,
                             info.live, rc, rc < 0 ? nereid_error_last() : NULL, w->payload)
                     : 0;
        nrd_error_clear();
        nrd_queue_info_clear(&info);
        nrd_queue_close(q);
        return stop;
}

static int sync_walk(nereid_project *via, const char *project, const char *const *ids, size_t n,
                     int deliver, nereid_queue_cb cb, void *payload)
{
        struct sync_walk w;
        size_t i;
        int rc;

        memset(&w, 0, sizeof(w));
        w.via = via;
        w.project = project;
        w.ids = ids;
        w.n = n;
        w.deliver = deliver;
        w.cb = cb;
        w.payload = payload;
        if (n && !(w.seen = nrd_calloc(n, sizeof(*w.seen))))
                return NEREID_ERROR;
        rc = nrd_queue_list(via->cache, sync_one, &w);
        for (i = 0; rc == 0 && i < n; i++) {
                if (w.seen[i])
                        continue;
                nrd_error(NEREID_ENOTFOUND, "%s: no such queued run", ids[i]);
                if (!w.first)
                        w.first = NEREID_ENOTFOUND;
                if (cb)
                        cb(ids[i], "", "", 0, 0, 0, NEREID_ENOTFOUND, nereid_error_last(), payload);
        }
        free(w.seen);
        if (rc < 0)
                return rc;
        if (w.first)
                return nrd_error(w.first, "%s", "some queued runs were not delivered");
        return 0;
}

int nereid_sync(nereid_project *via, const char *project, const char *const *ids, size_t n,
                nereid_queue_cb cb, void *payload)
{
        nrd_error_clear();
        assert(via);
        return sync_walk(via, project, ids, n, 1, cb, payload);
}

int nereid_queue_status(nereid_project *via, const char *project, nereid_queue_cb cb, void *payload)
{
        nrd_error_clear();
        assert(via);
        return sync_walk(via, project, NULL, 0, 0, cb, payload);
}
