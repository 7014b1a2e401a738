/*
 * test_error_unavailable.c - the "unavailable" mark of the last error
 * (nrd_error_unavailable): set with its message, kept while callers add
 * context with NEREID_ERROR, dropped by another code, an out-of-memory
 * error or nrd_error_clear, and per thread.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include "check.h"
#include "error.h"

static void *other_thread(void *arg)
{
        (void)arg;
        return (void *)(long)nrd_error_is_unavailable();
}

int main(void)
{
        pthread_t t;
        void *seen = NULL;
        char msg[256];

        CHECK(nrd_error_is_unavailable() == 0);
        CHECK(nrd_error_unavailable("store %s: cannot connect", "db") == NEREID_ERROR);
        CHECK(nrd_error_is_unavailable() == 1);
        CHECK_STR(nereid_error_last(), "store db: cannot connect");
        CHECK(pthread_create(&t, NULL, other_thread, NULL) == 0);
        CHECK(pthread_join(t, &seen) == 0);
        CHECK(seen == NULL);

        snprintf(msg, sizeof(msg), "%s", nereid_error_last());
        CHECK(nrd_error(NEREID_ERROR, "run X-1: %s", msg) == NEREID_ERROR);
        CHECK(nrd_error_is_unavailable() == 1);
        CHECK(nrd_error(NEREID_ENOTFOUND, "run X-1: not found") == NEREID_ENOTFOUND);
        CHECK(nrd_error_is_unavailable() == 0);

        nrd_error_unavailable("down");
        nrd_error_clear();
        CHECK(nrd_error_is_unavailable() == 0);
        nrd_error_unavailable("down");
        nrd_error_oom();
        CHECK(nrd_error_is_unavailable() == 0);
        nrd_error_unavailable("down");
        CHECK(nrd_error_os(NEREID_EACCESS, 13, "open x") == NEREID_EACCESS);
        CHECK(nrd_error_is_unavailable() == 0);
        return CHECK_DONE();
}
