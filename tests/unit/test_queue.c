/*
 * test_queue.c - the durable queue (src/queue.c): operations kept in order
 * with numbers never reused, several processes appending to one queue at
 * once, the offline view (union, replace, removal of a namespace), the
 * delivery lock, the writer's lock that keeps a live queue, removal and
 * listing, and a file that is not a queue refused.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check.h"
#include "records.h"
#include "scratch.h"
#include "error.h"
#include "hash.h"
#include "nereid.h"
#include "queue.h"
#include "queue_ops.h"

#define U1    "0f8fad5b-d9cb-469f-a165-70867728950e"
#define U2    "7c9e6679-7425-40de-944b-e07fc1f90ae7"
#define MD5_A "9e107d9d372bb6826bd81d3542a419d6"
#define MD5_B "d41d8cd98f00b204e9800998ecf8427e"

static void test_order_and_ack(const char *home)
{
        store_run_spec spec = spec_of(U1);
        struct seen s = SEEN_INIT;
        nrd_queue *q = NULL;
        queue_info info;
        uint64_t a = 0, b = 0, c = 0;

        CHECK(nrd_queue_create(&q, home, "ws/p", &spec, NULL) == 0);
        CHECK(nrd_queue_create(&(nrd_queue *){NULL}, home, "ws/p", &spec, NULL) == NEREID_EEXISTS);
        CHECK(append_put(q, "f", "a", 0, &a) == 0);
        CHECK(append_put(q, "f", "b", 0, &b) == 0);
        CHECK(a == 1 && b == 2);
        CHECK(nrd_queue_ack(q, b) == 0);
        /* A number is never reused, even after the last was forgotten. */
        CHECK(append_put(q, "g", "c", 0, &c) == 0);
        CHECK(c == 3);
        CHECK(nrd_queue_each(q, 0, each_seen, &s) == 0);
        CHECK(s.count == 2 && s.ordered && s.last == 3);
        CHECK(nrd_queue_info(q, &info) == 0);
        CHECK(info.ops == 2);
        CHECK_STR(info.project, "ws/p");
        CHECK_STR(info.run_id, "");
        CHECK(info.live == 1); /* this handle writes */
        nrd_queue_info_clear(&info);
        CHECK(nrd_queue_set_run_id(q, "KEY-7") == 0);
        nrd_queue_close(q);
        CHECK(nrd_queue_open(&q, home, U1, 0) == 0);
        CHECK(nrd_queue_info(q, &info) == 0);
        CHECK_STR(info.run_id, "KEY-7");
        CHECK(info.live == 0); /* no writer any more */
        nrd_queue_info_clear(&info);
        nrd_queue_close(q);
        CHECK(nrd_queue_open(&q, home, U2, 0) == NEREID_ENOTFOUND);
        CHECK(nrd_queue_open(&q, home, "../x", 0) == NEREID_EINVALID);
}

/* Four processes append 50 operations each to one queue at once. */
static void test_concurrent_writers(const char *home)
{
        struct seen s = SEEN_INIT;
        nrd_queue *q = NULL;
        int i, status, all_ok = 1;

        for (i = 0; i < 4; i++) {
                pid_t pid = fork();

                if (pid == 0) {
                        nrd_queue *mine = NULL;
                        int k, bad = nrd_queue_open(&mine, home, U1, 1) < 0;

                        for (k = 0; k < 50 && !bad; k++)
                                bad = append_put(mine, "c", "x", 0, NULL) < 0;
                        nrd_queue_close(mine);
                        _exit(bad);
                }
        }
        for (i = 0; i < 4; i++)
                if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
                        all_ok = 0;
        CHECK(all_ok);
        CHECK(nrd_queue_open(&q, home, U1, 0) == 0);
        CHECK(nrd_queue_each(q, 0, each_seen, &s) == 0);
        CHECK(s.count == 202 && s.ordered);
        nrd_queue_close(q);
}

static int count_field(void *payload, const char *field, const char *hash)
{
        (void)field;
        (void)hash;
        (*(int *)payload)++;
        return 0;
}

static void test_view(const char *home)
{
        store_run_spec spec = spec_of(U2);
        nereid_files *files = NULL;
        nrd_queue *q = NULL;
        int n = 0;

        CHECK(nrd_queue_create(&q, home, "ws/p", &spec, NULL) == 0);
        CHECK(append_put(q, "d/one", "a", 0, NULL) == 0);
        CHECK(append_put(q, "d/one", "b", 0, NULL) == 0); /* union */
        CHECK(append_put(q, "d/two", "a", 0, NULL) == 0);
        CHECK(append_put(q, "r", "a", 0, NULL) == 0);
        CHECK(append_put(q, "r", "b", 1, NULL) == 0); /* replace */
        CHECK(nrd_queue_view_field(q, "d/one", &files) == 0);
        CHECK(files && files->count == 2);
        nereid_files_free(files);
        CHECK(nrd_queue_view_field(q, "r", &files) == 0);
        CHECK(files && files->count == 1 && strcmp(files->items[0].file_path, "b") == 0);
        nereid_files_free(files);
        CHECK(append_remove(q, "d") == 0); /* the namespace */
        CHECK(nrd_queue_view_field(q, "d/one", &files) == NEREID_ENOTFOUND);
        CHECK(nrd_queue_view_fields(q, count_field, &n) == 0);
        CHECK(n == 1);
        /* The delivery lock: one holder at a time. */
        {
                nrd_queue *other = NULL;

                CHECK(nrd_queue_open(&other, home, U2, 0) == 0);
                CHECK(nrd_queue_lock_delivery(q) == 0);
                CHECK(nrd_queue_lock_delivery(other) == NEREID_EEXISTS);
                nrd_queue_unlock_delivery(q);
                CHECK(nrd_queue_lock_delivery(other) == 0);
                /* q still writes: the other sees a live queue. */
                CHECK(nrd_queue_live(other) == 1);
                nrd_queue_close(q);
                CHECK(nrd_queue_live(other) == 0);
                CHECK(nrd_queue_remove(other) == 0);
                nrd_queue_close(other);
        }
        CHECK(nrd_queue_open(&q, home, U2, 0) == NEREID_ENOTFOUND);
}

static int list_one(void *payload, const char *uuid)
{
        CHECK_STR(uuid, U1);
        (*(int *)payload)++;
        return 0;
}

static void test_list_and_foreign(const char *home)
{
        nrd_queue *q = NULL;
        FILE *f;
        int n = 0;

        CHECK(nrd_queue_list(home, list_one, &n) == 0);
        CHECK(n == 1);
        /* A file of another program with a queue's name is refused. */
        f = fopen(path_in(path_in(home, "queue"), U2 ".db"), "w");
        CHECK(f != NULL);
        if (f) {
                fputs("not a database", f);
                fclose(f);
        }
        CHECK(nrd_queue_open(&q, home, U2, 0) == NEREID_ERROR);
        CHECK(nrd_queue_list(path_in(home, "none"), list_one, &n) == 0);
}

int main(void)
{
        const char *home;

        if (scratch_begin("queue") < 0)
                return 1;
        home = path_in(root, "home");
        test_order_and_ack(home);
        test_concurrent_writers(home);
        test_view(home);
        test_list_and_foreign(home);
        return scratch_end(CHECK_DONE());
}
