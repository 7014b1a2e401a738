/*
 * test_pool.c - the worker pool: every item runs exactly once, on a worker
 * index below the thread count; the first failure and its message reach
 * the caller; keep_going runs everything; progress ticks arrive; an empty
 * run does nothing.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "check.h"
#include "error.h"
#include "pool.h"

#define ITEMS       10000
#define MAX_WORKERS 8

struct sum_job {
        atomic_int visits[ITEMS];
        uint64_t sums[MAX_WORKERS]; /* one per worker, so no lock is needed */
        atomic_int bad_worker;
        unsigned workers;
};

static int sum_item(void *payload, size_t item, unsigned worker)
{
        struct sum_job *job = payload;

        if (worker >= job->workers) {
                atomic_store(&job->bad_worker, 1);
                return NEREID_ERROR;
        }
        atomic_fetch_add(&job->visits[item], 1);
        job->sums[worker] += (uint64_t)item * item + 7;
        return 0;
}

static void run_sum(size_t count, unsigned workers)
{
        struct sum_job *job = calloc(1, sizeof(*job));
        uint64_t total = 0, want = 0;
        size_t i;
        int once = 1;

        CHECK(job != NULL);
        if (!job)
                return;
        job->workers = workers < count ? workers : (unsigned)count;
        CHECK(nrd_pool_run(count, workers, 0, sum_item, NULL, job) == 0);
        for (i = 0; i < count; i++) {
                want += (uint64_t)i * i + 7;
                once &= atomic_load(&job->visits[i]) == 1;
        }
        for (i = 0; i < MAX_WORKERS; i++)
                total += job->sums[i];
        CHECK(once);
        CHECK(total == want);
        CHECK(atomic_load(&job->bad_worker) == 0);
        free(job);
}

static void test_sums(void)
{
        run_sum(ITEMS, 4);
        run_sum(ITEMS, 1);
        run_sum(ITEMS, 2);
        /* Never more workers than items. */
        run_sum(3, 8);
        run_sum(1, 4);
        CHECK(nrd_pool_default_workers() >= 1);
}

struct fail_job {
        atomic_int ran;
        size_t fail_at[2];
        int codes[2];
};

static void sleep_ms(long ms)
{
        struct timespec ts = {0, ms * 1000000L};

        nanosleep(&ts, NULL);
}

static int fail_item(void *payload, size_t item, unsigned worker)
{
        struct fail_job *job = payload;
        int i;

        (void)worker;
        atomic_fetch_add(&job->ran, 1);
        for (i = 0; i < 2; i++)
                if (item == job->fail_at[i])
                        return nrd_error(job->codes[i], "item %zu: failure %d", item, i + 1);
        sleep_ms(1);
        /* A success elsewhere leaves its own message behind: the pool must
         * not report that one. */
        nrd_error(0, "item %zu: fine", item);
        return 0;
}

static void test_failures(void)
{
        struct fail_job job = {0};
        unsigned workers[] = {4, 1};
        size_t i;

        for (i = 0; i < 2; i++) {
                /* Without keep_going the handing out stops. */
                memset(&job, 0, sizeof(job));
                job.fail_at[0] = 3;
                job.fail_at[1] = 150;
                job.codes[0] = NEREID_ENOTFOUND;
                job.codes[1] = NEREID_EACCESS;
                nrd_error_clear();
                CHECK(nrd_pool_run(200, workers[i], 0, fail_item, NULL, &job) == NEREID_ENOTFOUND);
                CHECK_STR(nereid_error_last(), "item 3: failure 1");
                CHECK(atomic_load(&job.ran) < 200);
                CHECK(atomic_load(&job.ran) >= 4);

                /* With keep_going every item runs; the first failure is reported. */
                memset(&job, 0, sizeof(job));
                job.fail_at[0] = 3;
                job.fail_at[1] = 150;
                job.codes[0] = NEREID_ENOTFOUND;
                job.codes[1] = NEREID_EACCESS;
                nrd_error_clear();
                CHECK(nrd_pool_run(200, workers[i], 1, fail_item, NULL, &job) == NEREID_ENOTFOUND);
                CHECK_STR(nereid_error_last(), "item 3: failure 1");
                CHECK(atomic_load(&job.ran) == 200);
        }
}

struct tick_job {
        size_t ticks, last_done, bad;
};

static int slow_item(void *payload, size_t item, unsigned worker)
{
        (void)payload;
        (void)item;
        (void)worker;
        sleep_ms(10);
        return 0;
}

static void on_tick(void *payload, size_t done, size_t count)
{
        struct tick_job *job = payload;

        if (done < job->last_done || done > count || count != 40)
                job->bad++;
        job->last_done = done;
        job->ticks++;
}

static void test_ticks(void)
{
        struct tick_job job = {0};
        unsigned workers[] = {2, 1};
        size_t i;

        /* 40 items of 10 ms on 2 workers: about 200 ms, so ticks come. */
        for (i = 0; i < 2; i++) {
                memset(&job, 0, sizeof(job));
                CHECK(nrd_pool_run(40, workers[i], 0, slow_item, on_tick, &job) == 0);
                CHECK(job.ticks >= 2);
                CHECK(job.bad == 0);
                CHECK(job.last_done == 40);
        }
}

static int never_item(void *payload, size_t item, unsigned worker)
{
        (void)item;
        (void)worker;
        (*(int *)payload)++;
        return NEREID_ERROR;
}

static void test_empty(void)
{
        int calls = 0;

        CHECK(nrd_pool_run(0, 4, 0, never_item, NULL, &calls) == 0);
        CHECK(nrd_pool_run(0, 0, 1, never_item, NULL, &calls) == 0);
        CHECK(calls == 0);
        /* A failing single item with the default workers. */
        CHECK(nrd_pool_run(1, 0, 0, never_item, NULL, &calls) == NEREID_ERROR);
        CHECK(calls == 1);
}

/* The stream: items pushed while workers run are each done once. */
struct stream_job {
        atomic_int visits[ITEMS];
        atomic_int fail_at;
};

static int stream_item(void *payload, void *item, unsigned worker)
{
        struct stream_job *job = payload;
        size_t i = (size_t)((atomic_int *)item - job->visits);

        (void)worker;
        atomic_fetch_add((atomic_int *)item, 1);
        if ((int)i == atomic_load(&job->fail_at))
                return nrd_error(NEREID_ENOTFOUND, "item %zu: failed on purpose", i);
        return 0;
}

static void test_stream(void)
{
        static struct stream_job job;
        pool_stream *stream;
        size_t i, once = 0, done, pushed;
        int rc = 0;

        memset(&job, 0, sizeof(job));
        atomic_store(&job.fail_at, -1);
        CHECK(nrd_pool_stream_start(&stream, 3, 0, stream_item, &job) == 0);
        for (i = 0; i < ITEMS; i++)
                CHECK(nrd_pool_stream_push(stream, &job.visits[i]) == 0);
        nrd_pool_stream_progress(stream, &done, &pushed);
        CHECK(pushed == ITEMS && done <= ITEMS);
        CHECK(nrd_pool_stream_finish(stream, NULL, NULL) == 0);
        for (i = 0; i < ITEMS; i++)
                once += atomic_load(&job.visits[i]) == 1;
        CHECK(once == ITEMS);

        /* A failure stops the stream: later pushes report it, finish returns
         * it with its message, and not every item runs. */
        memset(&job, 0, sizeof(job));
        atomic_store(&job.fail_at, 10);
        CHECK(nrd_pool_stream_start(&stream, 2, 0, stream_item, &job) == 0);
        for (i = 0; i < ITEMS && rc == 0; i++) {
                rc = nrd_pool_stream_push(stream, &job.visits[i]);
                if (i == 20)
                        sleep_ms(50); /* let the failure happen */
        }
        CHECK(rc == NEREID_ENOTFOUND);
        CHECK(i < ITEMS);
        CHECK(nrd_pool_stream_finish(stream, NULL, NULL) == NEREID_ENOTFOUND);
        CHECK_STR(nereid_error_last(), "item 10: failed on purpose");

        /* Nothing pushed: finish at once. */
        CHECK(nrd_pool_stream_start(&stream, 0, 1, stream_item, &job) == 0);
        CHECK(nrd_pool_stream_finish(stream, NULL, NULL) == 0);
}

int main(void)
{
        test_stream();
        test_sums();
        test_failures();
        test_ticks();
        test_empty();
        return CHECK_DONE();
}
