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

/* Open the cache in folder home. When writable is 0 nothing is created: a
 * missing cache is an empty one and puts are dropped. */
int hashcache_open(hashcache **out, const char *home, int writable);
void hashcache_free(hashcache *cache);

/* 1 and the MD5 in md5_out when path has a trusted entry matching st; 0
 * when not; negative on error. Only from the thread that opened the cache.
 * A series of lookups shares one read transaction (a snapshot of the
 * cache), which hashcache_commit ends. */
int hashcache_lookup(hashcache *cache, const char *path, const struct stat *st,
                     char md5_out[NEREID_MD5_HEXLEN + 1]);

/* 1 when the cache holds no entry, so that lookups can be skipped. */
int hashcache_empty(const hashcache *cache);

/* Queue an entry for path, hashed while its stat was st, written at
 * written_ns (fs_now_ns() in real use; tests pass their own). */
int hashcache_put(hashcache *cache, const char *path, const struct stat *st, const char *md5,
                  int64_t written_ns);

/* Write every queued entry in one transaction. */
int hashcache_commit(hashcache *cache);

#endif
