/*
 * pool.h - the worker pool: run a job over items 0..count-1 on N threads.
 * The only place threads are made. Items are handed out one by one through
 * an atomic counter; a failing item stops the handing out.
 */
#ifndef NEREID_POOL_H
#define NEREID_POOL_H

#include <stddef.h>

/* Work on one item. worker is 0..workers-1 (for per-thread buffers).
 * Returns 0 or a negative code; the first failure is what pool_run returns,
 * with its thread's error message copied to the calling thread. */
typedef int (*pool_job_fn)(void *payload, size_t item, unsigned worker);

/* Called on the calling thread about every 100 ms with the number of items
 * done; may be NULL. */
typedef void (*pool_tick_fn)(void *payload, size_t done, size_t count);

/* Number of online CPUs (at least 1). */
unsigned pool_default_workers(void);

/* Run job over count items with workers threads (0: pool_default_workers).
 * When keep_going is set a failure does not stop the other items; the
 * first failure is still returned. */
int pool_run(size_t count, unsigned workers, int keep_going, pool_job_fn job, pool_tick_fn tick,
	     void *payload);

#endif
