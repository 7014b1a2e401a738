/*
 * sender.h - delivering a run's durable queue (queue.h) to a server store,
 * in order and once (SPEC section 9): the run created by its UUID, each
 * operation applied under its (queue, seq) key and forgotten only after the
 * server acknowledged it. Not for queueing (queue.c) nor for choosing a
 * mode (run.c).
 */
#ifndef NEREID_SENDER_H
#define NEREID_SENDER_H

#include "project.h"
#include "queue.h"

/* What a delivery did. */
typedef struct sender_result {
        char run_id[32];     /* the server's run ID, "" when the run could not be created */
        int created;         /* 1 when this delivery created the run */
        uint64_t sent;       /* operations acknowledged by this delivery */
        uint64_t left;       /* operations still queued after it */
        int busy;            /* 1 when another delivery held the queue (EEXISTS) */
        uint64_t failed_seq; /* the operation the last failure stopped at, 0: none (the run) */
        uint64_t last_seq;   /* the last operation acknowledged, 0: none */
        char last_hash[NEREID_HASH_HEXLEN + 1]; /* the field's hash after it ("" for a removal) */
} sender_result;

/* Deliver q through project's store, retrying a failure that may pass (the
 * server unreachable or unavailable: NEREID_ERROR) with exponential backoff
 * and jitter until timeout_ms have passed (0: try once). Takes the queue's
 * delivery lock (EEXISTS when another delivers it now). The progress
 * callback is told each step ("sync: create run", "sync: run created",
 * "sync: apply", "sync: applied") with the operation's number. Returns 0
 * when every operation was acknowledged, the last failure's code
 * otherwise, with *res filled in both cases. */
int nrd_sender_deliver(nereid_project *project, nrd_queue *q, unsigned timeout_ms,
                       sender_result *res);

/* 1 when a failure's code means "try again later" (unreachable, 5xx). */
int nrd_sender_transient(int rc);

#endif
