/*
 * pool.c - the worker pool, where the threads that hash and transfer files
 * are made (the only other thread is the hash cache's background writer,
 * project.c). Items
 * are handed out one at a time through an atomic counter, so a slow item
 * (a huge file) never holds up a queue of others. The calling thread only
 * waits and reports progress; it never runs items itself unless the pool
 * has a single worker. What the pool does not do: share anything between
 * the items besides the counters, which is left to each job's payload.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "buf.h"
#include "error.h"
#include "os/os.h"
#include "pool.h"

#define POOL_TICK_NS     100000000LL
#define POOL_MESSAGE_MAX 1024

struct pool_state {
        size_t count;
        int keep_going;
        pool_job_fn job;
        void *payload;
        atomic_size_t next;   /* the next item to hand out */
        atomic_size_t done;   /* items finished, failed ones included */
        atomic_int stop;      /* set by a failure without keep_going */
        pthread_mutex_t lock; /* guards what follows */
        pthread_cond_t finished_cond;
        unsigned finished; /* threads that have returned */
        int first_error;
        char first_message[POOL_MESSAGE_MAX];
};

struct pool_thread {
        struct pool_state *state;
        unsigned worker;
        pthread_t thread;
};

unsigned nrd_pool_default_workers(void)
{
        return nrd_os_cpu_count();
}

static int64_t pool_now_ns(void)
{
        return nrd_os_monotonic_ns();
}

static void pool_record_failure(struct pool_state *state, int error)
{
        pthread_mutex_lock(&state->lock);
        if (!state->first_error) {
                state->first_error = error;
                snprintf(state->first_message, sizeof(state->first_message), "%s",
                         nereid_error_last());
        }
        pthread_mutex_unlock(&state->lock);
        if (!state->keep_going)
                atomic_store(&state->stop, 1);
}

/* Take items until there are none left or a failure stops the pool. When
 * tick is set (a single worker on the calling thread) progress is reported
 * between items. */
static void pool_work(struct pool_state *state, unsigned worker, pool_tick_fn tick)
{
        int64_t last_tick = tick ? pool_now_ns() : 0, now;
        size_t item;
        int error;

        while (!atomic_load(&state->stop)) {
                item = atomic_fetch_add(&state->next, 1);
                if (item >= state->count)
                        break;
                error = state->job(state->payload, item, worker);
                if (error < 0)
                        pool_record_failure(state, error);
                atomic_fetch_add(&state->done, 1);
                if (tick) {
                        now = pool_now_ns();
                        if (now - last_tick >= POOL_TICK_NS) {
                                tick(state->payload, atomic_load(&state->done), state->count);
                                last_tick = now;
                        }
                }
        }
}

static void *pool_thread_main(void *arg)
{
        struct pool_thread *self = arg;
        struct pool_state *state = self->state;

        pool_work(state, self->worker, NULL);
        pthread_mutex_lock(&state->lock);
        state->finished++;
        pthread_cond_signal(&state->finished_cond);
        pthread_mutex_unlock(&state->lock);
        return NULL;
}

static void pool_deadline(struct timespec *ts, int64_t from_ns)
{
        int64_t at = from_ns + POOL_TICK_NS;

        ts->tv_sec = (time_t)(at / 1000000000LL);
        ts->tv_nsec = (long)(at % 1000000000LL);
}

/* Wait on the calling thread until started threads have all returned,
 * reporting progress about every 100 ms. */
static void pool_wait(struct pool_state *state, unsigned started, pool_tick_fn tick)
{
        struct timespec deadline;
        int64_t last_tick = pool_now_ns(), now;

        pthread_mutex_lock(&state->lock);
        while (state->finished < started) {
                pool_deadline(&deadline, last_tick);
                pthread_cond_timedwait(&state->finished_cond, &state->lock, &deadline);
                now = pool_now_ns();
                if (now - last_tick >= POOL_TICK_NS) {
                        last_tick = now;
                        if (tick) {
                                pthread_mutex_unlock(&state->lock);
                                tick(state->payload, atomic_load(&state->done), state->count);
                                pthread_mutex_lock(&state->lock);
                        }
                }
        }
        pthread_mutex_unlock(&state->lock);
}

int nrd_pool_run(size_t count, unsigned workers, int keep_going, pool_job_fn job, pool_tick_fn tick,
                 void *payload)
{
        struct pool_state state = {0};
        struct pool_thread *threads = NULL;
        pthread_condattr_t attr;
        unsigned i, started = 0;
        int lock_made = 0, cond_made = 0, error = 0;

        if (count == 0)
                return 0;
        if (workers == 0)
                workers = nrd_pool_default_workers();
        if (count < workers)
                workers = (unsigned)count;
        state.count = count;
        state.keep_going = keep_going;
        state.job = job;
        state.payload = payload;
        atomic_init(&state.next, 0);
        atomic_init(&state.done, 0);
        atomic_init(&state.stop, 0);
        if (pthread_mutex_init(&state.lock, NULL) != 0) {
                error = nrd_error(NEREID_ERROR, "worker pool: cannot create a lock");
                goto cleanup;
        }
        lock_made = 1;
        /* The timed wait runs on the monotonic clock: a clock change must not
         * stall the progress line. */
        if (pthread_condattr_init(&attr) != 0) {
                error = nrd_error(NEREID_ERROR, "worker pool: cannot create a condition");
                goto cleanup;
        }
        if (pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) != 0 ||
            pthread_cond_init(&state.finished_cond, &attr) != 0) {
                pthread_condattr_destroy(&attr);
                error = nrd_error(NEREID_ERROR, "worker pool: cannot create a condition");
                goto cleanup;
        }
        pthread_condattr_destroy(&attr);
        cond_made = 1;

        if (workers > 1) {
                threads = nrd_calloc(workers, sizeof(*threads));
                if (!threads) {
                        error = NEREID_ERROR;
                        goto cleanup;
                }
                /* When the system refuses more threads the ones started take
                 * every item all the same. */
                for (i = 0; i < workers; i++) {
                        threads[i].state = &state;
                        threads[i].worker = i;
                        if (pthread_create(&threads[i].thread, NULL, pool_thread_main,
                                           &threads[i]) != 0)
                                break;
                        started++;
                }
        }
        if (started == 0) {
                pool_work(&state, 0, tick);
        } else {
                pool_wait(&state, started, tick);
                for (i = 0; i < started; i++)
                        pthread_join(threads[i].thread, NULL);
        }
        if (tick)
                tick(payload, atomic_load(&state.done), count);
        /* Later items (keep_going) may have overwritten this thread's
         * message: the first failure's is the one reported. */
        error = state.first_error;
        if (error < 0)
                nrd_error(error, "%s", state.first_message);
cleanup:
        free(threads);
        if (cond_made)
                pthread_cond_destroy(&state.finished_cond);
        if (lock_made)
                pthread_mutex_destroy(&state.lock);
        return error;
}

/* How many pushed items may wait for a worker before push waits. */
#define POOL_STREAM_MAX_QUEUED 4096

struct pool_stream {
        pthread_mutex_t lock;
        pthread_cond_t more;    /* an item was pushed, or the stream closed */
        pthread_cond_t settled; /* an item was done */
        void **queue;           /* queue[head..tail) wait for a worker */
        size_t head, tail, cap;
        size_t pushed, done; /* items in all, items finished */
        int closed, keep_going, failed;
        unsigned idle;      /* workers waiting for an item: only they need a wake-up */
        int waiting;        /* the producer waits on settled (in push or finish) */
        char message[1024]; /* the first failure's message */
        pool_item_fn job;
        void *payload;
        pthread_t *threads;
        unsigned nthreads;
};

struct pool_stream_worker {
        pool_stream *stream;
        unsigned index;
};

/* An item is done (the lock held). */
static void pool_stream_settle(pool_stream *s, int rc)
{
        s->done++;
        if (rc < 0 && !s->failed) {
                s->failed = rc;
                snprintf(s->message, sizeof(s->message), "%s", nereid_error_last());
                pthread_cond_broadcast(&s->more);
        }
        /* Wake the producer only when it waits and there is reason: the
         * queue half empty, or everything done. */
        if (s->waiting &&
            (s->tail - s->head <= POOL_STREAM_MAX_QUEUED / 2 || s->done == s->pushed || s->failed))
                pthread_cond_signal(&s->settled);
}

int nrd_pool_stream_take(pool_stream *s, unsigned held, void **item)
{
        int taken = 0;

        pthread_mutex_lock(&s->lock);
        if (s->head < s->tail && !(s->failed && !s->keep_going)) {
                /* Work queued or in hand (pushed, not done), over the
                 * workers: this worker's share. */
                size_t work = s->pushed - s->done;

                if ((size_t)held * s->nthreads < work) {
                        *item = s->queue[s->head++];
                        taken = 1;
                }
        }
        pthread_mutex_unlock(&s->lock);
        return taken;
}

void nrd_pool_stream_item_done(pool_stream *s, int rc)
{
        pthread_mutex_lock(&s->lock);
        pool_stream_settle(s, rc);
        pthread_mutex_unlock(&s->lock);
}

static void *pool_stream_work(void *arg)
{
        struct pool_stream_worker *self = arg;
        pool_stream *s = self->stream;

        pthread_mutex_lock(&s->lock);
        for (;;) {
                void *item;
                int rc;

                while (s->head == s->tail && !s->closed && !(s->failed && !s->keep_going)) {
                        s->idle++;
                        pthread_cond_wait(&s->more, &s->lock);
                        s->idle--;
                }
                if (s->head == s->tail || (s->failed && !s->keep_going))
                        break;
                item = s->queue[s->head++];
                pthread_mutex_unlock(&s->lock);
                rc = s->job(s->payload, item, self->index);
                pthread_mutex_lock(&s->lock);
                pool_stream_settle(s, rc);
        }
        pthread_mutex_unlock(&s->lock);
        free(self);
        return NULL;
}

static void pool_stream_free(pool_stream *s)
{
        pthread_mutex_destroy(&s->lock);
        pthread_cond_destroy(&s->more);
        pthread_cond_destroy(&s->settled);
        free(s->queue);
        free(s->threads);
        free(s);
}

int nrd_pool_stream_start(pool_stream **out, unsigned workers, int keep_going, pool_item_fn job,
                          void *payload)
{
        pool_stream *s;
        unsigned i;

        *out = NULL;
        s = nrd_calloc(1, sizeof(*s));
        if (!s)
                return NEREID_ERROR;
        pthread_mutex_init(&s->lock, NULL);
        pthread_cond_init(&s->more, NULL);
        pthread_cond_init(&s->settled, NULL);
        s->keep_going = keep_going;
        s->job = job;
        s->payload = payload;
        if (!workers)
                workers = nrd_pool_default_workers();
        s->threads = nrd_calloc(workers, sizeof(*s->threads));
        if (!s->threads) {
                pool_stream_free(s);
                return NEREID_ERROR;
        }
        for (i = 0; i < workers; i++) {
                struct pool_stream_worker *w = nrd_malloc(sizeof(*w));

                if (!w)
                        break;
                w->stream = s;
                w->index = i;
                if (pthread_create(&s->threads[i], NULL, pool_stream_work, w) != 0) {
                        free(w);
                        break;
                }
                s->nthreads++;
        }
        if (!s->nthreads) {
                pool_stream_free(s);
                return nrd_error(NEREID_ERROR, "worker pool: cannot start a thread");
        }
        *out = s;
        return 0;
}

int nrd_pool_stream_push(pool_stream *s, void *item)
{
        int rc = 0;

        pthread_mutex_lock(&s->lock);
        /* Back-pressure: a producer far ahead of the workers waits, so
         * that what is queued (and what the items hold) stays bounded. */
        while (s->tail - s->head >= POOL_STREAM_MAX_QUEUED && !(s->failed && !s->keep_going)) {
                s->waiting = 1;
                pthread_cond_wait(&s->settled, &s->lock);
                s->waiting = 0;
        }
        if (s->failed && !s->keep_going) {
                rc = s->failed;
                goto out;
        }
        if (s->tail == s->cap && s->head > 0) {
                /* Reuse the room that taken items left at the front. */
                memmove(s->queue, s->queue + s->head, (s->tail - s->head) * sizeof(void *));
                s->tail -= s->head;
                s->head = 0;
        }
        if (s->tail == s->cap) {
                size_t cap = s->cap ? s->cap * 2 : 1024;
                void **grown = cap > SIZE_MAX / sizeof(void *)
                                   ? NULL
                                   : nrd_realloc_array(s->queue, cap, sizeof(void *));

                if (!grown) {
                        rc = nrd_error_oom();
                        goto out;
                }
                s->queue = grown;
                s->cap = cap;
        }
        s->queue[s->tail++] = item;
        s->pushed++;
        /* A wake-up is a system call: none when every worker is busy. */
        if (s->idle)
                pthread_cond_signal(&s->more);
out:
        pthread_mutex_unlock(&s->lock);
        return rc;
}

void nrd_pool_stream_progress(pool_stream *s, size_t *done, size_t *pushed)
{
        pthread_mutex_lock(&s->lock);
        *done = s->done;
        *pushed = s->pushed;
        pthread_mutex_unlock(&s->lock);
}

int nrd_pool_stream_finish(pool_stream *s, pool_tick_fn tick, void *tick_payload)
{
        unsigned i;
        int rc;

        pthread_mutex_lock(&s->lock);
        s->closed = 1;
        pthread_cond_broadcast(&s->more);
        while (s->done < s->pushed && !(s->failed && !s->keep_going)) {
                /* pthread_cond_timedwait waits until a wall-clock time. */
                int64_t wake = nrd_os_realtime_ns() + 100 * 1000 * 1000;
                struct timespec until;
                size_t done = s->done, count = s->pushed;

                until.tv_sec = (time_t)(wake / 1000000000);
                until.tv_nsec = (long)(wake % 1000000000);
                s->waiting = 1;
                rc = pthread_cond_timedwait(&s->settled, &s->lock, &until);
                s->waiting = 0;
                if (rc != 0 && tick) {
                        pthread_mutex_unlock(&s->lock);
                        tick(tick_payload, done, count);
                        pthread_mutex_lock(&s->lock);
                }
        }
        pthread_mutex_unlock(&s->lock);
        for (i = 0; i < s->nthreads; i++)
                pthread_join(s->threads[i], NULL);
        if (tick)
                tick(tick_payload, s->done, s->pushed);
        rc = s->failed;
        if (rc < 0)
                nrd_error(rc, "%s", s->message);
        pool_stream_free(s);
        return rc;
}
