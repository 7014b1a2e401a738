/*
 * queue_ops.h - what the queue's unit tests share: an operation appended
 * (a put of one record, a remove) and a walk that counts the operations
 * and checks their order. Not the queue's own code: queue.h is.
 */
#ifndef NEREID_TEST_QUEUE_OPS_H
#define NEREID_TEST_QUEUE_OPS_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "records.h"
#include "queue.h"

/* The MD5 of every record the tests put. */
#define QUEUE_OPS_MD5 "9e107d9d372bb6826bd81d3542a419d6"

/* The spec of a queued run named "n" by "me" with this UUID. */
static inline store_run_spec spec_of(const char *uuid)
{
        store_run_spec spec;

        memset(&spec, 0, sizeof(spec));
        spec.uuid = uuid;
        spec.name = "n";
        spec.owner = "me";
        return spec;
}

/* Append a put of one record at path into field (a replace when replace),
 * its sequence number in *seq when seq is not NULL. */
static inline int append_put(nrd_queue *q, const char *field, const char *path, int replace,
                             uint64_t *seq)
{
        nereid_files *files = nrd_files_new();
        store_root where = {(char *)"file:///x", (char *)""};
        queue_op op;
        int rc;

        if (!files)
                abort();
        push(files, path, QUEUE_OPS_MD5, 1);
        memset(&op, 0, sizeof(op));
        op.kind = QUEUE_PUT;
        op.field = (char *)field;
        op.replace = replace;
        op.files = files;
        op.roots = &where;
        op.nroots = 1;
        rc = nrd_queue_append(q, &op, seq);
        nereid_files_free(files);
        return rc;
}

/* Append the removal of field. */
static inline int append_remove(nrd_queue *q, const char *field)
{
        queue_op op;

        memset(&op, 0, sizeof(op));
        op.kind = QUEUE_REMOVE;
        op.field = (char *)field;
        return nrd_queue_append(q, &op, NULL);
}

/* What nrd_queue_each showed: start with SEEN_INIT. */
struct seen {
        uint64_t last; /* the last sequence number */
        int count;     /* operations */
        int ordered;   /* 1 while every number was above the one before */
};

#define SEEN_INIT                                                                                  \
        {                                                                                          \
                0, 0, 1                                                                            \
        }

static inline int each_seen(void *payload, const queue_op *op)
{
        struct seen *s = payload;

        if (op->seq <= s->last)
                s->ordered = 0;
        s->last = op->seq;
        s->count++;
        return 0;
}

#endif
