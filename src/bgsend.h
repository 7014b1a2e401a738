/*
 * bgsend.h - the background sender of an async run (SPEC section 9): one
 * thread per run handle that delivers the run's durable queue (sender.c)
 * while the caller goes on, through a store connection and a queue handle
 * of its own. Not for queueing (queue.c) nor for the modes (queue_run.c).
 */
#ifndef NEREID_BGSEND_H
#define NEREID_BGSEND_H

#include <stdint.h>
#include "nereid.h"
#include "project.h"

typedef struct nrd_bgsend nrd_bgsend;

/* What the sender knows after its last try (nrd_bgsend_wait). */
typedef struct bgsend_status {
        char run_id[32];   /* the server's run ID once the run exists there, else "" */
        uint64_t first;    /* the first operation still queued, 0: none */
        int rc;            /* the last try's failure, 0 when it delivered everything */
        char message[512]; /* its message */
        int refused;       /* a refusal not yet reported (its code), 0: none */
        char refusal[512]; /* its message */
        uint64_t hash_seq; /* the operation last acknowledged by this sender */
        char hash[NEREID_HASH_HEXLEN + 1]; /* the field's hash after it */
} bgsend_status;

/* Start the thread that delivers the queue named uuid (under the
 * project's cache folder) through a connection of its own to the
 * project's store; it tries at once. */
int nrd_bgsend_start(nrd_bgsend **out, nereid_project *project, const char *uuid);
/* An operation numbered seq was queued: deliver it soon. */
void nrd_bgsend_kick(nrd_bgsend *b, uint64_t seq);
/* Wait until no operation numbered upto or less is queued (0), until
 * timeout_ms have passed (1), or, with until_fail, until a try that began
 * after this call failed (1). st receives what the sender knows. A refusal
 * the sender met (an operation the server will never take: dropped from
 * the queue) is returned once, as its negative code, message set. */
int nrd_bgsend_wait(nrd_bgsend *b, uint64_t upto, unsigned timeout_ms, int until_fail,
                    bgsend_status *st);
/* Stop the thread (after the request in flight, if any) and free. */
void nrd_bgsend_stop(nrd_bgsend *b);

#endif
