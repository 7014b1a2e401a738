/*
 * queue.h - the durable local queue of a run's writes (SPEC section 9):
 * one SQLite file per run under NEREID_HOME/queue/, written before a write
 * call returns (WAL, synchronous=FULL), read by the sender (sender.c) and
 * by offline mode's reads. Not for delivering anything (sender.c), nor for
 * deciding which mode queues (run.c).
 */
#ifndef NEREID_QUEUE_H
#define NEREID_QUEUE_H

#include <stdint.h>
#include "nereid.h"
#include "store/store.h"

typedef struct nrd_queue nrd_queue;

/* What an operation does. */
enum queue_kind {
        QUEUE_PUT = 1,    /* put records into a field: merged, or replacing it */
        QUEUE_REMOVE = 2, /* remove a field and every field below it */
};

/* One queued operation; every pointer is the op's own after
 * nrd_queue_each, borrowed for nrd_queue_append. */
typedef struct queue_op {
        uint64_t seq;        /* from 1, in the order the queue received them */
        int kind;            /* enum queue_kind */
        char *field;         /* the field path */
        int replace;         /* QUEUE_PUT: 1 replaces the field, 0 merges (SPEC section 4) */
        nereid_files *files; /* QUEUE_PUT: the records, hashed at track time */
        store_root *roots;   /* QUEUE_PUT: where they were tracked from */
        size_t nroots;       /* entries of roots */
        /* QUEUE_PUT read by nrd_queue_each_text (files then NULL): the
         * records' text as queued, SPEC section 2's compact array, the
         * upload's exact bytes (borrowed for the call); with has_sums, the
         * artifact and content hashes the append computed, both checked
         * with the text against the checksum kept beside them. */
        const char *text;
        size_t text_len;
        int has_sums;
        char hash[NEREID_HASH_HEXLEN + 1];
        char content[NEREID_HASH_HEXLEN + 1];
} queue_op;

/* What a queue says of itself (nrd_queue_info, nrd_queue_list). */
typedef struct queue_info {
        char uuid[40];   /* the queue's: the run's uuid for a run it created */
        char *project;   /* "workspace/project" */
        char run_id[32]; /* the server's ID once the run exists there, else "" */
        uint64_t ops;    /* operations not yet acknowledged */
        uint64_t bytes;  /* size of the queue's files */
        int live;        /* 1 while a process still writes into it */
        char *created;   /* ISO 8601 UTC */
} queue_info;

void nrd_queue_info_clear(queue_info *info);

/* NEREID_HOME/queue (folder is NEREID_HOME); caller frees. */
char *nrd_queue_folder(const char *home);

/* Create the queue of a new run (uuid = spec->uuid), remembering the
 * project and the run's spec; or, with run_id set, the queue of an existing
 * server run (uuid: any fresh one). The file is fsync'd before this
 * returns. The handle holds a writer's lock (shared) until it is closed,
 * so `nereid sync` keeps a queue still written. EEXISTS when it exists. */
int nrd_queue_create(nrd_queue **out, const char *home, const char *project,
                     const store_run_spec *spec, const char *run_id);
/* The queue several processes of one run share (uuid = spec->uuid, made
 * from the run's identity by the caller): made by the first, joined by
 * the others, race-free; holds the writer's lock like nrd_queue_create.
 * A queue made here keys its operations with a fresh UUID of its own
 * (nrd_queue_key), so a queue of the same name made again after a
 * removal never reuses a (key, seq) the server has applied. */
int nrd_queue_join(nrd_queue **out, const char *home, const char *project,
                   const store_run_spec *spec, const char *run_id);
/* Open an existing queue by uuid; ENOTFOUND naming offline/<uuid> when
 * there is none. writer: take the writer's lock. */
int nrd_queue_open(nrd_queue **out, const char *home, const char *uuid, int writer);
void nrd_queue_close(nrd_queue *q);

const char *nrd_queue_uuid(const nrd_queue *q);
/* The UUID the server keys this queue's operations by (op_apply). */
const char *nrd_queue_key(const nrd_queue *q);
/* The queue's project and run spec (strings owned by the queue; tags not
 * kept); the server's run ID, "" before the run exists there. */
int nrd_queue_info(nrd_queue *q, queue_info *info);
int nrd_queue_spec(nrd_queue *q, store_run_spec *spec);
/* Remember the server's run ID (fsync'd). */
int nrd_queue_set_run_id(nrd_queue *q, const char *run_id);

/* Append an operation in one transaction, durable when this returns;
 * *seq_out (may be NULL) receives its number. */
int nrd_queue_append(nrd_queue *q, const queue_op *op, uint64_t *seq_out);
/* Every operation numbered above after, in order; op is borrowed for the
 * call. A callback returning non-zero stops and that value is returned. */
int nrd_queue_each(nrd_queue *q, uint64_t after, int (*cb)(void *payload, const queue_op *op),
                   void *payload);
/* nrd_queue_each without decoding the records: op->text (and, when the
 * queue kept them, op->hash and op->content) instead of op->files. Text
 * whose checksum does not match (damaged on disk) stops the walk there
 * with NEREID_EINTEGRITY naming the queue and the operation; nothing of
 * it reaches cb. */
int nrd_queue_each_text(nrd_queue *q, uint64_t after, int (*cb)(void *payload, const queue_op *op),
                        void *payload);
/* The records of an operation read by nrd_queue_each_text; caller frees
 * *out. The message names the queue and the operation. */
int nrd_queue_op_records(nrd_queue *q, const queue_op *op, nereid_files **out);
/* The number of the first operation still queued; 0 when none is. */
int nrd_queue_first(nrd_queue *q, uint64_t *seq);
/* Forget an acknowledged operation. */
int nrd_queue_ack(nrd_queue *q, uint64_t seq);

/* The records a field holds once every queued operation is applied in
 * order to an empty run (offline mode's reads); ENOTFOUND when none does.
 * Caller frees *out. */
int nrd_queue_view_field(nrd_queue *q, const char *field, nereid_files **out);
/* Every field of that view, sorted, with its artifact hash. */
int nrd_queue_view_fields(nrd_queue *q,
                          int (*cb)(void *payload, const char *field, const char *hash),
                          void *payload);

/* The delivery lock (exclusive, not waiting): 0 when taken, EEXISTS when
 * another process or handle delivers this queue now. Released by
 * nrd_queue_unlock or close. */
int nrd_queue_lock_delivery(nrd_queue *q);
void nrd_queue_unlock_delivery(nrd_queue *q);
/* Give up this handle's writer's lock (it still reads and delivers). */
void nrd_queue_release_writer(nrd_queue *q);
/* 1 when a process (another handle) still holds the writer's lock. */
int nrd_queue_live(nrd_queue *q);
/* Delete the queue's files (the caller holds the delivery lock and has
 * seen every operation acknowledged), holding the writer's lock exclusive
 * meanwhile: EEXISTS, and nothing deleted, while a process writes. */
int nrd_queue_remove(nrd_queue *q);

/* Every queue under home, oldest first. */
int nrd_queue_list(const char *home, int (*cb)(void *payload, const char *uuid), void *payload);

#endif
