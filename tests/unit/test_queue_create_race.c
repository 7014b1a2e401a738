/*
 * test_queue_create_race.c - a queue being made is never seen half-made:
 * while another process makes queues one after the other, listing the
 * queue folder and opening every queue listed (what `nereid sync` does)
 * never meets a file without the queue's schema or meta ("not a Nereid
 * queue", "no such table: meta", "incomplete"), and no file of the making
 * is left behind. The same for queues that processes of one run make
 * together in place (nrd_queue_join): one seen before its first commit is
 * "being made" (ENOTFOUND, which `nereid sync` passes over), never foreign.
 */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check.h"
#include "scratch.h"
#include "error.h"
#include "nereid.h"
#include "queue.h"
#include "store/store.h"

#define QUEUES 150

/* The maker: QUEUES queues, each made (by nrd_queue_create, or joined
 * when join) and closed. 0 when all were made. */
static int make_queues(const char *home, int join)
{
        int i;

        for (i = 0; i < QUEUES; i++) {
                store_run_spec spec;
                char uuid[40];
                nrd_queue *q = NULL;

                memset(&spec, 0, sizeof(spec));
                if (nrd_store_uuid_make(uuid) < 0)
                        return 1;
                spec.uuid = uuid;
                spec.name = "n";
                spec.owner = "me";
                if ((join ? nrd_queue_join(&q, home, "ws/p", &spec, "P-1")
                          : nrd_queue_create(&q, home, "ws/p", &spec, NULL)) < 0) {
                        fprintf(stderr, "maker: %s\n", nereid_error_last());
                        return 1;
                }
                nrd_queue_close(q);
        }
        return 0;
}

struct seen {
        const char *home;
        int opened, failed, being_made;
        char first[512];
};

static int open_listed(void *payload, const char *uuid)
{
        struct seen *s = payload;
        nrd_queue *q = NULL;

        int rc = nrd_queue_open(&q, s->home, uuid, 0);

        if (rc == NEREID_ENOTFOUND && strstr(nereid_error_last(), "being made")) {
                s->being_made++;
                nrd_error_clear();
                return 0;
        }
        if (rc < 0) {
                if (s->failed++ == 0)
                        snprintf(s->first, sizeof(s->first), "%s", nereid_error_last());
                nrd_error_clear();
                return 0;
        }
        s->opened++;
        nrd_queue_close(q);
        return 0;
}

/* Entries of the queue folder whose name is no queue's, lock or journal. */
static int leftovers(const char *home)
{
        DIR *dir = opendir(path_in(home, "queue"));
        struct dirent *de;
        int n = 0;

        if (!dir)
                return -1;
        while ((de = readdir(dir)) != NULL)
                if (strstr(de->d_name, ".new")) {
                        fprintf(stderr, "left: %s\n", de->d_name);
                        n++;
                }
        closedir(dir);
        return n;
}

static void race(const char *home, int join)
{
        struct seen s;
        int status = 0, rounds = 0;
        pid_t pid;

        memset(&s, 0, sizeof(s));
        s.home = home;
        fflush(NULL);
        pid = fork();
        if (pid == 0)
                _exit(make_queues(home, join));
        CHECK(pid > 0);
        /* List and open while the maker makes; the last round after it
         * ended sees every queue. */
        while (pid > 0) {
                int done = waitpid(pid, &status, WNOHANG) == pid;

                s.opened = 0;
                s.being_made = 0;
                CHECK(nrd_queue_list(home, open_listed, &s) == 0);
                rounds++;
                if (done)
                        break;
        }
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        if (s.failed)
                fprintf(stderr, "%s: %d opens failed in %d rounds; the first: %s\n",
                        join ? "join" : "create", s.failed, rounds, s.first);
        CHECK(s.failed == 0);
        CHECK(s.opened == QUEUES);
        CHECK(s.being_made == 0);
        CHECK(leftovers(home) == 0);
}

int main(void)
{
        if (scratch_begin("queue_create_race") < 0)
                return 1;
        race(path_in(root, "create"), 0);
        race(path_in(root, "join"), 1);
        return scratch_end(CHECK_DONE());
}
