/*
 * pool.h - the worker pool: run a job over items 0..count-1 on N threads.
 * The only place threads are made. Items are handed out one by one through
 * an atomic counter; a failing item stops the handing out.
 */
#ifndef NEREID_POOL_H
#define NEREID_POOL_H

#include <stddef.h>

/* Work on one item. worker is 0..workers-1 (for per-thread buffers).
 * Returns 0 or a negative code; the first failure is what nrd_pool_run returns,
 * with its thread's error message copied to the calling thread. */
typedef int (*pool_job_fn)(void *payload, size_t item, unsigned worker);

/* Called on the calling thread about every 100 ms with the number of items
 * done; may be NULL. */
typedef void (*pool_tick_fn)(void *payload, size_t done, size_t count);

/* Number of online CPUs (at least 1). */
unsigned nrd_pool_default_workers(void);

/* Run job over count items with workers threads (0: nrd_pool_default_workers).
 * When keep_going is set a failure does not stop the other items; the
 * first failure is still returned. */
int nrd_pool_run(size_t count, unsigned workers, int keep_going, pool_job_fn job, pool_tick_fn tick,
                 void *payload);

/*
 * A pool fed while it runs, so that work overlaps with finding the work
 * (hashing starts while the folder walk goes on). The producer pushes
 * items (pointers it owns, which must stay valid until nrd_pool_stream_finish)
 * from one thread; workers start on them at once.
 */
typedef struct pool_stream pool_stream;
typedef int (*pool_item_fn)(void *payload, void *item, unsigned worker);

/* Start workers threads (0: nrd_pool_default_workers). */
int nrd_pool_stream_start(pool_stream **out, unsigned workers, int keep_going, pool_item_fn job,
                          void *payload);
/* Queue an item. Returns the first failure so far (without keep_going), so
 * the producer can stop early; 0 otherwise. */
int nrd_pool_stream_push(pool_stream *stream, void *item);
/* From inside a job: take one more queued item without waiting, for a
 * worker that hashes several items at once (md5mb). held is how many the
 * worker has in hand: it gets one only while that is below its share of
 * the work queued and in hand, so that a few large items are spread over
 * the workers. Returns 1 with *item set, or 0 (nothing queued, its share
 * taken, or the stream failed). A taken item is the job's: it reports it
 * with nrd_pool_stream_item_done. */
int nrd_pool_stream_take(pool_stream *stream, unsigned held, void **item);
/* A taken item is finished, with rc as a job's result. */
void nrd_pool_stream_item_done(pool_stream *stream, int rc);
/* Items done and pushed so far, for progress. */
void nrd_pool_stream_progress(pool_stream *stream, size_t *done, size_t *pushed);
/* No more items: wait for the workers (calling tick about every 100 ms),
 * free the stream, and return the first failure with its message. */
int nrd_pool_stream_finish(pool_stream *stream, pool_tick_fn tick, void *tick_payload);

#endif
