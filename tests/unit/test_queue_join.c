/*
 * test_queue_join.c - the queue several processes of one run share
 * (nrd_queue_join, src/queue.c): four processes that join a queue that does
 * not exist yet, at once, end in one file with every operation numbered
 * once; the operations' key is the queue's own, fresh when the queue is
 * made again after a removal (so no (key, seq) is reused); the first
 * operation still queued; a removal refused while another handle writes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check.h"
#include "records.h"
#include "scratch.h"
#include "error.h"
#include "nereid.h"
#include "queue.h"
#include "queue_ops.h"

#define U1 "3f2504e0-4f89-811d-9a0c-0305e82c3301"

/* The spec a joined queue is made with (queue_run.c): no name, no owner. */
static store_run_spec run_spec_of(const char *uuid)
{
        store_run_spec spec;

        memset(&spec, 0, sizeof(spec));
        spec.uuid = uuid;
        spec.owner = "";
        return spec;
}

/* Four processes join the queue at once (none made it before) and append
 * 25 operations each. */
static void test_join_at_once(const char *home)
{
        struct seen s = SEEN_INIT;
        store_run_spec spec = run_spec_of(U1);
        nrd_queue *q = NULL;
        queue_info info;
        int i, status, all_ok = 1;

        for (i = 0; i < 4; i++) {
                pid_t pid = fork();

                if (pid == 0) {
                        nrd_queue *mine = NULL;
                        int k, bad = nrd_queue_join(&mine, home, "ws/p", &spec, "KEY-1") < 0;

                        for (k = 0; k < 25 && !bad; k++)
                                bad = append_put(mine, "rank", "a", 0, NULL) < 0;
                        nrd_queue_close(mine);
                        _exit(bad);
                }
        }
        for (i = 0; i < 4; i++)
                if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
                        all_ok = 0;
        CHECK(all_ok);
        CHECK(nrd_queue_join(&q, home, "ws/p", &spec, "KEY-1") == 0);
        CHECK(nrd_queue_each(q, 0, each_seen, &s) == 0);
        CHECK(s.count == 100 && s.ordered && s.last == 100);
        CHECK(nrd_queue_info(q, &info) == 0);
        CHECK_STR(info.run_id, "KEY-1");
        CHECK_STR(info.project, "ws/p");
        nrd_queue_info_clear(&info);
        nrd_queue_close(q);
}

/* The key is the queue's own and is made again with the queue. */
static void test_key_and_first(const char *home)
{
        store_run_spec spec = run_spec_of(U1);
        nrd_queue *q = NULL, *other = NULL;
        char key[40];
        uint64_t first = 99;

        CHECK(nrd_queue_join(&q, home, "ws/p", &spec, "KEY-1") == 0);
        snprintf(key, sizeof(key), "%s", nrd_queue_key(q));
        CHECK(strlen(key) == 36 && strcmp(key, U1) != 0);
        CHECK(nrd_queue_first(q, &first) == 0 && first == 1);
        CHECK(nrd_queue_ack(q, 1) == 0 && nrd_queue_ack(q, 2) == 0);
        CHECK(nrd_queue_first(q, &first) == 0 && first == 3);
        /* Another handle writes: the queue is not removed. */
        CHECK(nrd_queue_join(&other, home, "ws/p", &spec, "KEY-1") == 0);
        CHECK_STR(nrd_queue_key(other), key);
        CHECK(nrd_queue_lock_delivery(q) == 0);
        CHECK(nrd_queue_remove(q) == NEREID_EEXISTS);
        nrd_queue_close(q);
        nrd_queue_close(other);
        /* No writer: removed; joined again, a new queue with a new key,
         * numbered from 1 again. */
        CHECK(nrd_queue_open(&q, home, U1, 0) == 0);
        CHECK(nrd_queue_lock_delivery(q) == 0);
        CHECK(nrd_queue_remove(q) == 0);
        nrd_queue_close(q);
        CHECK(nrd_queue_open(&q, home, U1, 0) == NEREID_ENOTFOUND);
        CHECK(nrd_queue_join(&q, home, "ws/p", &spec, "KEY-1") == 0);
        CHECK(strcmp(nrd_queue_key(q), key) != 0);
        CHECK(nrd_queue_first(q, &first) == 0 && first == 0);
        CHECK(append_put(q, "again", "a", 0, NULL) == 0);
        CHECK(nrd_queue_first(q, &first) == 0 && first == 1);
        nrd_queue_close(q);
}

/* A file of that name that is not a queue is refused, not joined. */
static void test_foreign(const char *home)
{
        store_run_spec spec = run_spec_of("6ba7b810-9dad-81d1-80b4-00c04fd430c8");
        char *path = path_in(home, "queue/6ba7b810-9dad-81d1-80b4-00c04fd430c8.db");
        nrd_queue *q = NULL;
        FILE *f = fopen(path, "w");

        CHECK(f != NULL);
        if (f) {
                fputs("not a queue", f);
                fclose(f);
        }
        CHECK(nrd_queue_join(&q, home, "ws/p", &spec, NULL) == NEREID_ERROR);
        CHECK(q == NULL);
        CHECK(strstr(nereid_error_last(), "6ba7b810") != NULL);
}

int main(void)
{
        const char *home;

        if (scratch_begin("queue_join") < 0)
                return 1;
        home = path_in(root, "home");
        test_join_at_once(home);
        test_key_and_first(home);
        test_foreign(home);
        return scratch_end(CHECK_DONE());
}
