/*
 * test_pool_take.c - a job of the streamed pool that takes more queued
 * items (nrd_pool_stream_take), as the multi-buffer hasher does: every
 * item is done once, the progress counts taken items when they are done,
 * a worker takes no more than its share (so a few large items spread over
 * the workers), and a taken item's failure is the stream's failure.
 */
#include <stdatomic.h>
#include <unistd.h>
#include "check.h"
#include "error.h"
#include "pool.h"

enum { ITEMS = 2000 };

struct take_test {
        pool_stream *stream;
        atomic_int seen[ITEMS];
        atomic_int gate;    /* the producer pushed everything */
        atomic_int held[2]; /* items each worker had in hand at once */
        int wait_gate;      /* jobs wait for the gate before taking */
        unsigned workers;   /* with the gate: jobs started before any takes */
        size_t count;       /* with the gate: items in hand before any is done */
        atomic_int started; /* jobs started */
        atomic_int in_hand; /* items in hand over all jobs */
        int fail_item;      /* this item fails (-1: none) */
};

static int take_job(void *payload, void *item, unsigned worker)
{
        struct take_test *t = payload;
        size_t first = (size_t)item - 1;
        unsigned held = 1;
        void *more;
        int rc = 0;

        atomic_fetch_add(&t->seen[first], 1);
        atomic_fetch_add(&t->started, 1);
        atomic_fetch_add(&t->in_hand, 1);
        while (t->wait_gate &&
               (!atomic_load(&t->gate) || atomic_load(&t->started) < (int)t->workers))
                usleep(1000);
        while (nrd_pool_stream_take(t->stream, held, &more)) {
                size_t i = (size_t)more - 1;
                int r = 0;

                held++;
                atomic_fetch_add(&t->in_hand, 1);
                atomic_fetch_add(&t->seen[i], 1);
                if ((int)i == t->fail_item)
                        r = nrd_error(NEREID_EINVALID, "item %zu: planted failure", i);
                /* With the gate, items stay in hand, like files in lanes. */
                if (!t->wait_gate)
                        nrd_pool_stream_item_done(t->stream, r), held--;
                else
                        rc = rc ? rc : r;
        }
        if (worker < 2 && (int)held > atomic_load(&t->held[worker]))
                atomic_store(&t->held[worker], (int)held);
        /* Nothing is done before every item is in someone's hand, so
         * the shares do not depend on timing. */
        while (t->wait_gate && atomic_load(&t->in_hand) < (int)t->count)
                usleep(1000);
        if (t->wait_gate)
                while (--held > 0)
                        nrd_pool_stream_item_done(t->stream, 0);
        return rc;
}

static int run(struct take_test *t, unsigned workers, size_t count)
{
        size_t i;
        int rc;

        t->workers = workers;
        t->count = count;
        CHECK(nrd_pool_stream_start(&t->stream, workers, 0, take_job, t) == 0);
        for (i = 0; i < count; i++)
                if (nrd_pool_stream_push(t->stream, (void *)(i + 1)) < 0)
                        break;
        atomic_store(&t->gate, 1);
        rc = nrd_pool_stream_finish(t->stream, NULL, NULL);
        return rc;
}

int main(void)
{
        static struct take_test t;
        size_t i, once = 0;

        /* Many items: each done exactly once. */
        t.fail_item = -1;
        CHECK(run(&t, 2, ITEMS) == 0);
        for (i = 0; i < ITEMS; i++)
                once += atomic_load(&t.seen[i]) == 1;
        CHECK(once == ITEMS);

        /* Eight items on two workers held at once: four each. */
        memset(&t, 0, sizeof(t));
        t.fail_item = -1;
        t.wait_gate = 1;
        CHECK(run(&t, 2, 8) == 0);
        CHECK(atomic_load(&t.held[0]) == 4);
        CHECK(atomic_load(&t.held[1]) == 4);
        /* One worker takes them all. */
        memset(&t, 0, sizeof(t));
        t.fail_item = -1;
        t.wait_gate = 1;
        CHECK(run(&t, 1, 8) == 0);
        CHECK(atomic_load(&t.held[0]) == 8);

        /* A taken item's failure is the stream's, with its message. */
        memset(&t, 0, sizeof(t));
        t.fail_item = 700;
        CHECK(run(&t, 2, ITEMS) == NEREID_EINVALID);
        CHECK(strstr(nereid_error_last(), "item 700: planted failure") != NULL);
        return CHECK_DONE();
}
