/*
 * test_queue_bgsend.c - the background sender (src/bgsend.c) against a
 * real store (the embedded one, which applies queued operations the way a
 * server does): it delivers a queue in order and a wait sees it done; an
 * operation the store refuses (its run does not exist) is dropped from the
 * queue and its error returned by one wait only; a wait of 0 ms only looks.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "records.h"
#include "scratch.h"
#include "bgsend.h"
#include "error.h"
#include "nereid.h"
#include "queue.h"
#include "queue_ops.h"

#define U1 "3f2504e0-4f89-811d-9a0c-0305e82c3301"
#define U2 "6ba7b810-9dad-81d1-80b4-00c04fd430c8"
/* Generous: a guard against a hung test, never a figure checked. */
#define WAIT_MS 120000

static nrd_queue *queue_for(const char *home, const char *uuid, const char *run_id)
{
        store_run_spec spec;
        nrd_queue *q = NULL;

        memset(&spec, 0, sizeof(spec));
        spec.uuid = uuid;
        spec.owner = "";
        CHECK(nrd_queue_join(&q, home, "ws/bg", &spec, run_id) == 0);
        return q;
}

static void test_delivers(nereid_project *project, const char *home)
{
        char hash[NEREID_HASH_BUFSIZE];
        nereid_run *run = NULL;
        nrd_bgsend *b = NULL;
        bgsend_status st;
        nrd_queue *q;
        uint64_t s1 = 0, s2 = 0, first = 9;

        CHECK(nereid_run_open(&run, project, NULL, "r") == 0);
        if (!run)
                return;
        q = queue_for(home, U1, nereid_run_id(run));
        if (!q)
                return;
        CHECK(append_put(q, "f1", "a", 0, &s1) == 0);
        CHECK(append_put(q, "f2", "a", 0, &s2) == 0);
        CHECK(nrd_bgsend_start(&b, project, U1) == 0);
        if (b) {
                nrd_bgsend_kick(b, s2);
                CHECK(nrd_bgsend_wait(b, s2, WAIT_MS, 0, &st) == 0);
                CHECK(st.first == 0);
                CHECK_STR(st.run_id, nereid_run_id(run));
                CHECK(st.hash_seq == s2 && strlen(st.hash) == 64);
                /* Nothing new: a look (0 ms) says done. */
                CHECK(nrd_bgsend_wait(b, s2, 0, 0, &st) == 0);
                nrd_bgsend_stop(b);
        }
        CHECK(nrd_queue_first(q, &first) == 0 && first == 0);
        CHECK(nereid_run_fetch_hash(hash, run, "f1", NEREID_HASH_ARTIFACT) == 0);
        CHECK(nereid_run_fetch_hash(hash, run, "f2", NEREID_HASH_ARTIFACT) == 0);
        CHECK_STR(hash, st.hash);
        nrd_queue_close(q);
        nereid_run_free(run);
}

static void test_refusal(nereid_project *project, const char *home)
{
        nrd_bgsend *b = NULL;
        bgsend_status st;
        nrd_queue *q = queue_for(home, U2, "BG-99");
        uint64_t s1 = 0, first = 9;
        int rc;

        if (!q)
                return;
        CHECK(append_put(q, "g", "a", 0, &s1) == 0);
        CHECK(nrd_bgsend_start(&b, project, U2) == 0);
        if (b) {
                nrd_bgsend_kick(b, s1);
                rc = nrd_bgsend_wait(b, s1, WAIT_MS, 0, &st);
                CHECK(rc < 0 && rc != NEREID_ERROR);
                CHECK(strstr(nereid_error_last(), "BG-99") != NULL);
                /* Told once; the refused operation is no longer queued. */
                CHECK(nrd_bgsend_wait(b, s1, WAIT_MS, 0, &st) == 0);
                nrd_bgsend_stop(b);
        }
        CHECK(nrd_queue_first(q, &first) == 0 && first == 0);
        nrd_queue_close(q);
}

int main(void)
{
        nereid_options opts = NEREID_OPTIONS_INIT;
        nereid_project *project = NULL;
        const char *home;

        if (scratch_begin("queue_bgsend") < 0)
                return 1;
        CHECK(nereid_init() == 1);
        home = path_in(root, "home");
        opts.store = path_in(root, "store");
        opts.cache = home;
        CHECK(nereid_project_create(&project, "ws/bg", "BG", &opts) == 0);
        if (project) {
                test_delivers(project, home);
                test_refusal(project, home);
        }
        nereid_project_free(project);
        CHECK(nereid_shutdown() == 0);
        return scratch_end(CHECK_DONE());
}
