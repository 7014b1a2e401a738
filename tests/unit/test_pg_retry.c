/*
 * test_pg_retry.c - the PostgreSQL store's answer to a serialisation
 * failure (SQLSTATE 40001) or a deadlock (40P01): the whole call is run
 * again, after a growing backoff, at most PG_RETRIES times, and then it
 * fails with a message that names the database's reason and the number of
 * attempts, having written nothing. The errors are real: the store's test
 * fault (nrd_store_postgres_fault) has the database raise them inside the
 * call's transaction, after its statements, so the rollback and the second
 * run take the path of a race lost to another server. Other errors are not
 * retried. Needs NEREID_TEST_PG_RETRY, an empty database's URI
 * (tests/pg/retry.sh starts one); says it is skipped without it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
        return CHECK_DONE();
}
