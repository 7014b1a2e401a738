/*
 * test_store_locks.c - opening the embedded store again in a process that
 * already has it open must not drop the locks of the first connection. A
 * plain open()+close() of store.db releases every POSIX lock the process
 * holds on the file; another process closing the store then takes itself
 * for the last user, checkpoints and deletes the write-ahead log, and the
 * first connection's later writes go to a deleted file: acknowledged, then
 * lost. This is the server's case (a worker opening its connection while
 * `token create` runs beside it). SQLite-specific, so not in the
 * conformance suite.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <sqlite3.h>
#include "check.h"
#include "scratch.h"
#include "nereid.h"
#include "store/store.h"

/* The program's name, to run it again (/proc/self/exe) as another process: a forked
 * child would share this process's SQLite file state, which is not what a
 * second program sees. */
static const char *self;

/* As `nereid-server token create` beside a running server, in a process of
 * its own: open the store, write to it, close (the close that checkpoints
 * and deletes the log when it takes itself for the last user), then count
 * the projects with SQLite alone. The count is the exit status (255: an
 * error). */
static int other_process_main(const char *home)
{
        nereid_store *store = NULL;
        sqlite3 *db = NULL;
        sqlite3_stmt *stmt = NULL;
        int n = 255;

        if (nrd_store_open(&store, home, NEREID_MODE_ASYNC) != 0 ||
            nrd_store_meta_set(store, "test_key", "written beside") != 0)
                return 255;
        nrd_store_close(store);
        if (sqlite3_open_v2(path_in(home, "store.db"), &db, SQLITE_OPEN_READONLY, NULL) ==
                SQLITE_OK &&
            sqlite3_prepare_v2(db, "SELECT count(*) FROM projects", -1, &stmt, NULL) == SQLITE_OK &&
            sqlite3_step(stmt) == SQLITE_ROW)
                n = sqlite3_column_int(stmt, 0);
        sqlite3_finalize(stmt);
        sqlite3_close(db);
        return n;
}

/* The project count another process sees after writing beside, or -1. */
static int projects_seen_by_another_process(const char *home)
{
        int status = 0;
        pid_t pid = fork();

        if (pid == 0) {
                execl("/proc/self/exe", self, "--other-process", home, (char *)NULL);
                _exit(255);
        }
        if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
            WEXITSTATUS(status) == 255)
                return -1;
        return WEXITSTATUS(status);
}

static void test_second_open_keeps_locks(void)
{
        const char *home = path_in(root, "home");
        nereid_store *first = NULL, *second = NULL;
        char key[16];
        struct stat st;

        CHECK(nrd_store_open(&first, home, NEREID_MODE_ASYNC) == 0);
        CHECK(nrd_store_project_open(first, "ws/one", "ONE", 1, key) == 0);
        CHECK(stat(path_in(home, "store.db-wal"), &st) == 0); /* WAL mode, held open */

        /* The same process opens the store again and closes it. */
        CHECK(nrd_store_open(&second, home, NEREID_MODE_ASYNC) == 0);
        nrd_store_close(second);

        /* Another process comes and goes: it is not the last user. */
        CHECK(projects_seen_by_another_process(home) == 1);
        CHECK(stat(path_in(home, "store.db-wal"), &st) == 0);

        /* What the first connection writes now reaches the file. */
        CHECK(nrd_store_project_open(first, "ws/two", "TWO", 1, key) == 0);
        CHECK(projects_seen_by_another_process(home) == 2);
        nrd_store_close(first);
        CHECK(projects_seen_by_another_process(home) == 2);
}

int main(int argc, char **argv)
{
        if (argc == 3 && !strcmp(argv[1], "--other-process"))
                return other_process_main(argv[2]);
        self = argv[0];
        if (scratch_begin("store-locks") < 0)
                return 1;
        test_second_open_keeps_locks();
        return scratch_end(CHECK_DONE());
}
