/*
 * hashcache.h - remembers the MD5 of local files so that an unchanged file
 * is not read again. A file is unchanged when its (device, inode, size,
 * mtime ns, ctime ns) are what they were when it was hashed. An entry is
 * not trusted when the file's mtime or ctime falls in the same second as
 * (or after) the moment the entry was written: the file may have changed
 * again within the clock's resolution ("racy" timestamps, as git's index).
 * Lives in its own SQLite file, NEREID_HOME/hashcache.db, apart from the
 * store, because it describes this machine's files, not a project.
 */
#ifndef NEREID_HASHCACHE_H
#define NEREID_HASHCACHE_H

#include <stdint.h>
#include <sys/stat.h>
#include "hash.h"

typedef struct hashcache hashcache;

/* Called with a one-line message ("hash cache FILE: what: why; what
 * now") when the cache cannot be used as it is; at most once per handle,
 * from the thread that opened it or the one that commits. */
typedef void (*hashcache_warn_fn)(void *payload, const char *message);

/* Open the cache in folder home. When writable is 0 nothing is created: a
 * missing cache is an empty one and puts are dropped. The cache is only an
 * optimisation, so it never fails: a file that cannot be opened or read
 * (a folder in its place, no permission) is reported through warn (which
 * may be NULL) and the handle works as an empty read-only cache; a
 * damaged file in a writable cache is emptied in place and built again,
 * with a warning. Negative (NEREID_ERROR) only when out of memory. */
int nrd_hashcache_open(hashcache **out, const char *home, int writable, hashcache_warn_fn warn,
                       void *payload);
void nrd_hashcache_free(hashcache *cache);

/* 1 and the MD5 in md5_out when path has a trusted entry matching st; 0
 * when not, also when the cache fails (with the one warning; a damaged
 * file is then emptied by nrd_hashcache_commit). Only from the thread that
 * opened the cache. A series of lookups shares one read transaction (a
 * snapshot of the cache), which nrd_hashcache_commit ends. */
int nrd_hashcache_lookup(hashcache *cache, const char *path, const struct stat *st,
                         char md5_out[NEREID_MD5_HEXLEN + 1]);

/* 1 when the cache holds no entry, so that lookups can be skipped. */
int nrd_hashcache_empty(const hashcache *cache);

/* Queue an entry for path, hashed while its stat was st, written at
 * written_ns (nrd_fs_now_ns() in real use; tests pass their own). */
int nrd_hashcache_put(hashcache *cache, const char *path, const struct stat *st, const char *md5,
                      int64_t written_ns);

/* Write every queued entry in one transaction. A failure is the one
 * warning, and the entries are dropped; returns 0. */
int nrd_hashcache_commit(hashcache *cache);

#endif
