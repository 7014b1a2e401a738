/*
 * sqlwait.c - SQLite statements retried while another process holds a
 * lock (see sqlwait.h). Not a wrapper of SQLite: callers keep their own
 * handles, statements and error messages.
 */
#include <stdint.h>
#include <time.h>
#include "error.h"
#include "os/os.h"
#include "sqlwait.h"

/* Milliseconds on a clock that never goes back. */
static int64_t sqlwait_now_ms(void)
{
        return nrd_os_monotonic_ns() / 1000000;
}

static int sqlwait_is_busy(int rc)
{
        return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED;
}

int nrd_sqlwait_exec(sqlite3 *db, const char *sql, int timeout_ms)
{
        int64_t deadline = sqlwait_now_ms() + timeout_ms;
        int pause_ms = 1, rc;

        for (;;) {
                rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
                if (!sqlwait_is_busy(rc) || sqlwait_now_ms() >= deadline)
                        return rc;
                if (!sqlite3_get_autocommit(db))
                        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
                /* Short pauses first (the other process is usually done
                 * within milliseconds), then up to 50 ms; a little of the
                 * clock mixed in, so that waiters do not retry in step. */
                sqlite3_sleep(pause_ms + (int)(sqlwait_now_ms() % 3));
                if (pause_ms < 50)
                        pause_ms *= 2;
        }
}
