/*
 * test_pg_retry.c - the PostgreSQL store's answer to a serialisation
 * failure (SQLSTATE 40001) or a deadlock (40P01): the whole call is run
 * again, after a growing backoff, at most PG_RETRIES times, and then it
 * fails with a message that names the database's reason and the number of
 * attempts, having written nothing. The errors are real: the store's test
 * fault (nrd_store_postgres_fault) has the database raise them inside the
 * call's transaction, after its statements, so the rollback and the second
 * run take the path of a race lost to another server. Other errors are not
 * retried. And one real race, no fault: on a database whose transactions
 * are SERIALIZABLE, another session updates the row a store call is about
 * to write and commits while the call waits for its lock; the call gets a
 * real 40001 and its second attempt succeeds. Needs NEREID_TEST_PG_RETRY, an empty database's URI
 * (tests/pg/retry.sh starts one); says it is skipped without it.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libpq-fe.h>
#include "check.h"
#include "nereid.h"
#include "store/postgres.h"
#include "store/store.h"

static int count_tokens(void *payload, const store_token *token)
{
        (void)token;
        (*(int *)payload)++;
        return 0;
}

/* Each backoff before retry i is 2^i ms plus a random part of 1..2^i. */
static void check_backoff(const pg_trace *t)
{
        unsigned i;

        for (i = 0; i < t->retries && i < PG_TRACE_MAX; i++) {
                long base = 1L << (i < 8 ? i : 8);

                CHECK(t->backoff_ms[i] > base && t->backoff_ms[i] <= 2 * base);
        }
}

static void meta_is(nereid_store *s, const char *want)
{
        char *value = NULL;

        CHECK(nrd_store_meta_get(s, "retry", &value) == 0);
        CHECK_STR(value, want);
        free(value);
}

static int sql(PGconn *c, const char *text)
{
        PGresult *res = PQexec(c, text);
        int ok = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK;

        if (!ok)
                fprintf(stderr, "%s: %s\n", text, PQresultErrorMessage(res));
        PQclear(res);
        return ok;
}

struct racer {
        nereid_store *s;
        int rc;
        pg_trace trace;
        char message[512];
        int done; /* atomic: the call returned */
};

static void *race(void *arg)
{
        struct racer *r = arg;

        r->rc = nrd_store_meta_set(r->s, "retry", "raced");
        nrd_store_postgres_trace(r->s, &r->trace);
        snprintf(r->message, sizeof(r->message), "%s", nereid_error_last());
        __atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
        return NULL;
}

/* Sessions waiting for a lock, as the database sees them. */
static int waiting(PGconn *c)
{
        PGresult *res = PQexec(c, "SELECT count(*) FROM pg_locks WHERE NOT granted");
        int n = PQresultStatus(res) == PGRES_TUPLES_OK ? atoi(PQgetvalue(res, 0, 0)) : -1;

        PQclear(res);
        return n;
}

/* A real serialisation failure, provoked: see the top. */
static void real_race(const char *uri)
{
        PGconn *x = PQconnectdb(uri);
        struct racer r = {0};
        struct timespec pause = {0, 10 * 1000000L};
        pthread_t t;
        int i, n = 0;

        CHECK(PQstatus(x) == CONNECTION_OK);
        if (PQstatus(x) != CONNECTION_OK) {
                PQfinish(x);
                return;
        }
        CHECK(sql(x, "DO $$BEGIN EXECUTE format('ALTER DATABASE %I SET"
                     " default_transaction_isolation = serializable', current_database()); END$$"));
        CHECK(nrd_store_open(&r.s, uri, NEREID_MODE_SYNC) ==
              0); /* a new connection: serializable */
        CHECK(sql(x, "BEGIN ISOLATION LEVEL SERIALIZABLE"));
        CHECK(sql(x, "UPDATE settings SET value = 'other' WHERE key = 'retry'"));
        CHECK(pthread_create(&t, NULL, race, &r) == 0);
        /* Until the store's call waits for the row (or returned: a failure). */
        for (i = 0; (n = waiting(x)) == 0 && !__atomic_load_n(&r.done, __ATOMIC_ACQUIRE); i++)
                nanosleep(&pause, NULL);
        CHECK(n > 0);
        CHECK(sql(x, "COMMIT"));
        CHECK(pthread_join(t, NULL) == 0);
        if (r.rc != 0)
                fprintf(stderr, "the raced call: %s\n", r.message);
        CHECK(r.rc == 0);
        CHECK(r.trace.attempts == 2);
        CHECK(r.trace.retries == 1);
        printf("a real 40001 after %d polls: retried, %u attempts\n", i, r.trace.attempts);
        meta_is(r.s, "raced");
        nrd_store_close(r.s);
        CHECK(sql(x, "DO $$BEGIN EXECUTE format('ALTER DATABASE %I RESET"
                     " default_transaction_isolation', current_database()); END$$"));
        PQfinish(x);
}

int main(void)
{
        const char *uri = getenv("NEREID_TEST_PG_RETRY");
        nereid_store *s = NULL;
        pg_trace t;
        store_token tok;
        store_run_spec spec;
        char key[16], id[32];
        uint64_t tid = 0;
        int created = 0, ntok = 0, rc;

        if (!uri || !*uri) {
                printf("skipped: set NEREID_TEST_PG_RETRY (tests/pg/retry.sh does)\n");
                return 0;
        }
        CHECK(nrd_store_open(&s, uri, NEREID_MODE_SYNC) == 0);
        if (!s) {
                fprintf(stderr, "%s\n", nereid_error_last());
                return CHECK_DONE();
        }
        CHECK(s->ops == &nrd_store_postgres_ops);
        CHECK(nrd_store_project_open(s, "ws/retry", "RTY", 1, key) == 0);
        CHECK(nrd_store_meta_set(s, "retry", "v0") == 0);
        nrd_store_postgres_trace(s, &t);
        CHECK(t.attempts == 1 && t.retries == 0);

        /* Three serialisation failures, then success: four attempts,
         * three growing backoffs. */
        nrd_store_postgres_fault(s, "40001", 3);
        CHECK(nrd_store_meta_set(s, "retry", "v1") == 0);
        nrd_store_postgres_trace(s, &t);
        CHECK(t.attempts == 4);
        CHECK(t.retries == 3);
        check_backoff(&t);
        meta_is(s, "v1");

        /* Retried whole: the first attempts' insert was rolled back, or the
         * last one would find the token's hash taken (EEXISTS). */
        memset(&tok, 0, sizeof(tok));
        tok.name = "retried";
        tok.project = "ws/retry";
        tok.role = STORE_ROLE_WRITE;
        memset(tok.hash, 'a', NEREID_HASH_HEXLEN);
        nrd_store_postgres_fault(s, "40P01", 2);
        rc = nrd_store_token_create(s, &tok, &tid);
        CHECK(rc == 0);
        if (rc != 0)
                fprintf(stderr, "token_create: %s\n", nereid_error_last());
        CHECK(tid > 0);
        nrd_store_postgres_trace(s, &t);
        CHECK(t.attempts == 3 && t.retries == 2);
        CHECK(nrd_store_token_each(s, count_tokens, &ntok) == 0);
        CHECK(ntok == 1);

        /* A one-statement call (run numbers): retried too, no gap. */
        memset(&spec, 0, sizeof(spec));
        spec.uuid = "12345678-1234-4234-8234-123456789abc";
        spec.owner = "tester";
        nrd_store_postgres_fault(s, "40001", 2);
        CHECK(nrd_store_run_new(s, "ws/retry", &spec, id, &created) == 0);
        CHECK_STR(id, "RTY-1");
        CHECK(created == 1);
        nrd_store_postgres_trace(s, &t);
        CHECK(t.attempts == 3);

        /* Bounded: deadlocks on every attempt give up after PG_RETRIES
         * retries with a clear error, and nothing is written. */
        nrd_store_postgres_fault(s, "40P01", 100);
        rc = nrd_store_meta_set(s, "retry", "v2");
        CHECK(rc == NEREID_ERROR);
        printf("gave up: %s\n", nereid_error_last());
        CHECK(strstr(nereid_error_last(), "store ") != NULL);
        CHECK(strstr(nereid_error_last(), "injected by the test") != NULL);
        {
                char want[64];

                snprintf(want, sizeof(want), "(gave up after %d attempts)", PG_RETRIES + 1);
                CHECK(strstr(nereid_error_last(), want) != NULL);
        }
        CHECK(strchr(nereid_error_last(), '\n') == NULL);
        nrd_store_postgres_trace(s, &t);
        CHECK(t.attempts == PG_RETRIES + 1);
        CHECK(t.retries == PG_RETRIES);
        check_backoff(&t);
        nrd_store_postgres_fault(s, NULL, 0);
        meta_is(s, "v1");

        /* Any other error is not retried: one attempt, nothing written. */
        nrd_store_postgres_fault(s, "23505", 1);
        CHECK(nrd_store_meta_set(s, "retry", "v3") == NEREID_ERROR);
        nrd_store_postgres_trace(s, &t);
        CHECK(t.attempts == 1 && t.retries == 0);
        CHECK(strstr(nereid_error_last(), "gave up") == NULL);
        meta_is(s, "v1");

        /* The store goes on as before. */
        CHECK(nrd_store_meta_set(s, "retry", "v4") == 0);
        meta_is(s, "v4");
        nrd_store_close(s);
        real_race(uri);
        return CHECK_DONE();
}
