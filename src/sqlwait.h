/*
 * sqlwait.h - running a SQLite statement that must wait for other
 * processes rather than fail. A busy timeout covers most waits, but SQLite
 * answers SQLITE_BUSY at once, without calling the busy handler, where
 * waiting could deadlock: a statement that began reading and then needs the
 * write lock (PRAGMA journal_mode=WAL on a new file, a write in autocommit
 * mode after another process wrote). Such a statement is run again from
 * the start. Not for statements inside a caller's transaction: only the
 * whole transaction can be retried, by the caller.
 */
#ifndef NEREID_SQLWAIT_H
#define NEREID_SQLWAIT_H

#include <sqlite3.h>

/* Run sql (one or more statements, outside any transaction, no rows
 * wanted) on db, again and again while SQLite answers busy or locked, for
 * up to timeout_ms in all. A transaction that sql began and left open by
 * failing is rolled back before the next try, but not after the last one,
 * so that sqlite3_errmsg(db) still tells why it failed: on failure, roll
 * back as after any failed statement. Returns SQLite's result code. */
int nrd_sqlwait_exec(sqlite3 *db, const char *sql, int timeout_ms);

#endif
