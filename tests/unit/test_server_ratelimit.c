/*
 * test_server_ratelimit.c - nereid-server's per-token budget
 * (server/ratelimit.c): the option's grammar, the bucket's arithmetic with
 * time given (no clock, no sleeping), tokens kept apart, and a table fuller
 * than its slots.
 */
#include <stdint.h>
#include <stdio.h>
#include "check.h"
#include "server.h"

static void test_parse(void)
{
        double rate = -1, burst = -1;

        CHECK(srv_rate_parse("10", &rate, &burst) == 0);
        CHECK(rate == 10 && burst == 10 * SRV_RATE_BURST_SECONDS);
        CHECK(srv_rate_parse("2.5:7", &rate, &burst) == 0);
        CHECK(rate == 2.5 && burst == 7);
        CHECK(srv_rate_parse("0.001", &rate, &burst) == 0);
        CHECK(burst == 1); /* never below one request */
        CHECK(srv_rate_parse("off", &rate, &burst) == 0);
        CHECK(rate == 0 && burst == 0);
        CHECK(srv_rate_parse("", &rate, &burst) < 0);
        CHECK(srv_rate_parse(NULL, &rate, &burst) < 0);
        CHECK(srv_rate_parse("0", &rate, &burst) < 0);
        CHECK(srv_rate_parse("-3", &rate, &burst) < 0);
        CHECK(srv_rate_parse("nan", &rate, &burst) < 0);
        CHECK(srv_rate_parse("inf", &rate, &burst) < 0);
        CHECK(srv_rate_parse("5:", &rate, &burst) < 0);
        CHECK(srv_rate_parse("5:0.5", &rate, &burst) < 0);
        CHECK(srv_rate_parse("5:x", &rate, &burst) < 0);
        CHECK(srv_rate_parse("5x", &rate, &burst) < 0);
        CHECK(srv_rate_parse(":5", &rate, &burst) < 0);
        CHECK(srv_rate_parse("OFF", &rate, &burst) < 0);
}

static void test_bucket(void)
{
        struct srv_rate *r = srv_rate_new(2, 3); /* 2 a second, 3 at once */
        double wait;
        int i;

        CHECK(r != NULL);
        CHECK(srv_rate_new(0, 3) == NULL);
        CHECK(srv_rate_new(1, 0.5) == NULL);
        /* The burst, then a refusal saying how long until one more. */
        for (i = 0; i < 3; i++)
                CHECK(srv_rate_take(r, 7, 100.0) == 0);
        wait = srv_rate_take(r, 7, 100.0);
        CHECK(wait > 0.49 && wait < 0.51);
        /* A refusal takes nothing: still half a second from the start. */
        wait = srv_rate_take(r, 7, 100.0);
        CHECK(wait > 0.49 && wait < 0.51);
        CHECK(srv_rate_take(r, 7, 100.25) > 0);
        CHECK(srv_rate_take(r, 7, 100.5) == 0);
        CHECK(srv_rate_take(r, 7, 100.5) > 0);
        /* Another token has its own bucket. */
        CHECK(srv_rate_take(r, 8, 100.5) == 0);
        /* Refilled to the burst, never above it. */
        for (i = 0; i < 3; i++)
                CHECK(srv_rate_take(r, 7, 1000.0) == 0);
        CHECK(srv_rate_take(r, 7, 1000.0) > 0);
        /* A clock that goes back changes nothing. */
        CHECK(srv_rate_take(r, 7, 999.0) > 0);
        /* ID 0 (no token) and no table are never limited. */
        CHECK(srv_rate_take(r, 0, 1000.0) == 0);
        CHECK(srv_rate_take(NULL, 7, 1000.0) == 0);
        srv_rate_free(r);
        srv_rate_free(NULL);
}

/* More tokens than slots: each still gets its budget, none a larger one. */
static void test_full_table(void)
{
        struct srv_rate *r = srv_rate_new(1, 1);
        uint64_t id;
        int refused = 0, allowed = 0;

        for (id = 1; id <= 5000; id++)
                allowed += srv_rate_take(r, id, 10.0 + (double)id * 1e-6) == 0;
        CHECK(allowed == 5000);
        /* The most recent ones are still in the table, their buckets empty. */
        for (id = 4990; id <= 5000; id++)
                refused += srv_rate_take(r, id, 10.01) > 0;
        CHECK(refused == 11);
        srv_rate_free(r);
}

int main(void)
{
        test_parse();
        test_bucket();
        test_full_table();
        return CHECK_DONE();
}
