/*
 * local.c - the source driver for local files and file:// URIs. scan walks
 * a folder (links to files followed, links to folders and special files
 * skipped with a warning, never opened), looks every file up in the hash
 * cache and hashes the rest on the worker pool. fetch links or copies a
 * recorded file back. Not for path parsing (uri.c) or hashing (hash.c).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../buf.h"
#include "../error.h"
#include "../fs.h"
#include "../hash.h"
#include "../hashcache.h"
#include "../pool.h"
#include "source.h"

/* One regular file found by the walk. */
typedef struct local_entry {
        char *rel;    /* path below the tracked folder (or the base name) */
        char *source; /* absolute resolved path */
        struct stat st;
        char md5[NEREID_MD5_HEXLEN + 1];
        int cached;
        int needs_stat; /* st is taken by the worker, from the open file */
} local_entry;

/* The walk finds files and looks them up in the hash cache on the calling
 * thread, and hands the others to the worker pool at once, so that hashing
 * overlaps with walking. Entries are allocated one by one: workers hold
 * pointers to them while the array of pointers grows. */
typedef struct local_walk {
        nereid_project *project;
        local_entry **entries;
        size_t count, cap;
        hashcache *cache;
        pool_stream *stream;
        unsigned char **buffers; /* one read buffer per worker */
        unsigned workers;
        /* Nothing to look up in the cache (a first track): regular files
         * known from readdir's d_type are not stat'ed by path during the
         * walk; each worker fstat's the file it opens, which saves a path
         * lookup per file. */
        int defer_stat;
} local_walk;

static void local_walk_clear(local_walk *walk)
{
        size_t i;

        for (i = 0; i < walk->count; i++) {
                free(walk->entries[i]->rel);
                free(walk->entries[i]->source);
                free(walk->entries[i]);
        }
        free(walk->entries);
        walk->entries = NULL;
        walk->count = walk->cap = 0;
}

/* A name for messages: bytes that are not printable ASCII or UTF-8 as \xNN. */
static void local_printable(const char *in, char *out, size_t cap)
{
        size_t o = 0;

        for (; *in && o + 5 < cap; in++) {
                unsigned char c = (unsigned char)*in;

                if (c < 0x20 || c == 0x7f || (c >= 0x80 && !fs_is_utf8(in)))
                        o += (size_t)snprintf(out + o, cap - o, "\\x%02X", c);
                else
                        out[o++] = (char)c;
        }
        out[o] = '\0';
}

/* Record a file the walk found: from the cache when it can be trusted,
 * else queued for hashing. Takes rel and source. st is NULL when the
 * worker is to stat the file (defer_stat). */
static int local_add(local_walk *walk, char *rel, char *source, const struct stat *st)
{
        local_entry *e = NULL;
        int hit;

        if (walk->count == walk->cap) {
                size_t cap = walk->cap ? walk->cap * 2 : 256;
                local_entry **grown = realloc(walk->entries, cap * sizeof(*grown));

                if (!grown)
                        goto oom;
                walk->entries = grown;
                walk->cap = cap;
        }
        if (!(e = calloc(1, sizeof(*e))))
                goto oom;
        e->rel = rel;
        e->source = source;
        walk->entries[walk->count++] = e;
        if ((walk->count & 1023) == 0) {
                size_t done, pushed;

                pool_stream_progress(walk->stream, &done, &pushed);
                project_progress(walk->project, "hashing", done, pushed);
        }
        if (!st) {
                e->needs_stat = 1;
                return pool_stream_push(walk->stream, e);
        }
        e->st = *st;
        hit = hashcache_lookup(walk->cache, e->source, &e->st, e->md5);
        if (hit < 0)
                return hit;
        e->cached = hit;
        return hit ? 0 : pool_stream_push(walk->stream, e);
oom:
        free(rel);
        free(source);
        return nereid_error_oom();
}

/* Walk the folder open at dirfd, whose absolute path is abs and whose
 * path below the tracked root is rel ("" at the root). */
static int local_walk_dir(local_walk *walk, int dirfd, const char *abs, const char *rel)
{
        DIR *dir;
        struct dirent *de;
        int rc = 0;

        dir = fdopendir(dirfd);
        if (!dir) {
                close(dirfd);
                return nereid_error_os(nereid_error_from_errno(errno), errno, "%s", abs);
        }
        while (rc == 0) {
                char *child_abs = NULL, *child_rel = NULL;
                struct stat st;

                errno = 0;
                de = readdir(dir);
                if (!de) {
                        if (errno)
                                rc = nereid_error_os(NEREID_ERROR, errno, "%s: cannot list", abs);
                        break;
                }
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                child_abs = fs_join(abs, de->d_name);
                child_rel = *rel ? fs_join(rel, de->d_name) : nereid_strdup(de->d_name);
                if (!child_abs || !child_rel) {
                        rc = NEREID_ERROR;
                        goto next;
                }
                if (!fs_is_utf8(de->d_name)) {
                        char shown[PATH_MAX];

                        local_printable(child_abs, shown, sizeof(shown));
                        rc = nereid_error(NEREID_ERROR, "%s: file name is not valid UTF-8", shown);
                        goto next;
                }
                if (de->d_type == DT_REG && walk->defer_stat) {
                        rc = local_add(walk, child_rel, child_abs, NULL);
                        child_rel = child_abs = NULL;
                        goto next;
                }
                if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        rc =
                            nereid_error_os(nereid_error_from_errno(errno), errno, "%s", child_abs);
                        goto next;
                }
                if (S_ISDIR(st.st_mode)) {
                        int fd = openat(dirfd, de->d_name,
                                        O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

                        if (fd < 0)
                                rc = nereid_error_os(nereid_error_from_errno(errno), errno,
                                                     "%s: cannot open folder", child_abs);
                        else
                                rc = local_walk_dir(walk, fd, child_abs, child_rel);
                } else if (S_ISREG(st.st_mode)) {
                        rc = local_add(walk, child_rel, child_abs, &st);
                        child_rel = child_abs = NULL;
                } else if (S_ISLNK(st.st_mode)) {
                        char *target = realpath(child_abs, NULL);

                        if (!target || stat(target, &st) < 0) {
                                project_notify(walk->project, 0, "%s: dangling link skipped",
                                               child_abs);
                        } else if (S_ISDIR(st.st_mode)) {
                                /* Not descended: this also rules out loops. */
                                project_notify(walk->project, 0,
                                               "%s: link to a folder skipped (not followed)",
                                               child_abs);
                        } else if (S_ISREG(st.st_mode)) {
                                rc = local_add(walk, child_rel, target, &st);
                                child_rel = target = NULL;
                        } else {
                                project_notify(walk->project, 0,
                                               "%s: link to a special file skipped", child_abs);
                        }
                        free(target);
                } else {
                        project_notify(walk->project, 0,
                                       "%s: not a regular file (FIFO, socket or device), skipped",
                                       child_abs);
                }
        next:
                free(child_abs);
                free(child_rel);
        }
        closedir(dir);
        return rc;
}

/* Hash one file, checking it is still the file the walk saw. */
static int local_hash_entry(void *payload, void *item, unsigned worker)
{
        local_walk *walk = payload;
        local_entry *e = item;
        struct stat now;
        uint64_t nread = 0;
        int fd, rc;

        /* O_NONBLOCK: should the file have been replaced by a FIFO since the
         * walk, open must not hang; fstat below then rejects it. */
        fd = open(e->source,
                  O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY | (e->needs_stat ? O_NOFOLLOW : 0));
        if (fd < 0) {
                if (errno == ENOENT)
                        return nereid_error(NEREID_ENOTFOUND, "%s: vanished while tracking",
                                            e->source);
                return nereid_error_os(nereid_error_from_errno(errno), errno, "%s: cannot read",
                                       e->source);
        }
        if (e->needs_stat && (fstat(fd, &e->st) < 0 || !S_ISREG(e->st.st_mode))) {
                close(fd);
                return nereid_error(NEREID_ERROR, "%s: changed while being tracked", e->source);
        }
        rc = hash_md5_fd_upto(fd, e->source, walk->buffers[worker], (uint64_t)e->st.st_size, e->md5,
                              &nread);
        /* One fstat after reading tells whether this is still the file the
         * walk saw, unchanged: same inode, size and mtime, and every byte. */
        if (rc == 0 &&
            (fstat(fd, &now) < 0 || !S_ISREG(now.st_mode) || now.st_ino != e->st.st_ino ||
             now.st_dev != e->st.st_dev || nread != (uint64_t)e->st.st_size ||
             now.st_size != e->st.st_size || fs_mtime_ns(&now) != fs_mtime_ns(&e->st)))
                rc = nereid_error(NEREID_ERROR, "%s: changed while being tracked", e->source);
        close(fd);
        return rc;
}

static void local_tick(void *payload, size_t done, size_t count)
{
        local_walk *walk = payload;

        project_progress(walk->project, "hashing", done, count);
}

/* The hash cache's warning (it could not be used as it was). */
static void local_cache_warning(void *payload, const char *message)
{
        project_notify(payload, 0, "%s", message);
}

/* Open the hash cache, the read buffers and the worker pool. */
static int local_walk_begin(local_walk *walk, int writable)
{
        unsigned w;
        int rc;

        walk->workers = project_workers(walk->project);
        if ((rc = hashcache_open(&walk->cache, walk->project->home, writable, local_cache_warning,
                                 walk->project)) < 0)
                return rc;
        walk->defer_stat = hashcache_empty(walk->cache);
        walk->buffers = nereid_calloc_array(walk->workers, sizeof(*walk->buffers));
        if (!walk->buffers)
                return NEREID_ERROR;
        for (w = 0; w < walk->workers; w++)
                if (!(walk->buffers[w] = malloc(NEREID_HASH_BLOCK)))
                        return nereid_error_oom();
        return pool_stream_start(&walk->stream, walk->workers, 0, local_hash_entry, walk);
}

typedef struct local_cache_write {
        nereid_project *project;
        hashcache *cache;
} local_cache_write;

/* Write the hash cache and close it. A failure costs only speed (the files
 * are hashed again next time), so it is a warning, not a failed track. */
static void *local_cache_commit(void *arg)
{
        local_cache_write *job = arg;

        if (hashcache_commit(job->cache) < 0)
                project_notify(job->project, 0, "%s (files will be hashed again next time)",
                               nereid_error_last());
        hashcache_free(job->cache);
        free(job);
        return NULL;
}

/* Wait for the hashing, then remember what was hashed. rc is the walk's
 * result: the pool is always finished, even when the walk failed. */
static int local_walk_end(local_walk *walk, int rc)
{
        size_t i;
        unsigned w;
        int hashed = 0;

        if (walk->stream) {
                hashed = pool_stream_finish(walk->stream, local_tick, walk);
                walk->stream = NULL;
                if (rc == 0)
                        rc = hashed;
        }
        for (i = 0; i < walk->count && rc == 0; i++) {
                local_entry *e = walk->entries[i];

                if (!e->cached)
                        rc = hashcache_put(walk->cache, e->source, &e->st, e->md5, fs_now_ns());
        }
        if (rc == 0) {
                /* The cache is written while the caller writes the store. */
                local_cache_write *job = malloc(sizeof(*job));

                if (job) {
                        job->project = walk->project;
                        job->cache = walk->cache;
                        walk->cache = NULL;
                        project_background(walk->project, local_cache_commit, job);
                }
        }
        if (walk->buffers) {
                for (w = 0; w < walk->workers; w++)
                        free(walk->buffers[w]);
                free(walk->buffers);
                walk->buffers = NULL;
        }
        hashcache_free(walk->cache);
        walk->cache = NULL;
        return rc;
}

static int local_to_records(local_walk *walk, const char *destination, nereid_files *out)
{
        size_t i;
        int rc = 0;

        for (i = 0; i < walk->count && rc == 0; i++) {
                local_entry *e = walk->entries[i];
                struct nereid_file rec = {0};
                char when[20];

                fs_format_utc(e->st.st_mtim.tv_sec, when);
                rec.file_path = source_prefixed(destination, e->rel);
                rec.file_hash = nereid_strdup(e->md5);
                rec.type = nereid_strdup(NEREID_TYPE_LOCAL);
                rec.size = (uint64_t)e->st.st_size;
                rec.has_size = 1;
                rec.source = fs_join("file://", e->source);
                rec.last_modified = nereid_strdup(when);
                if (!rec.file_path || !rec.file_hash || !rec.type || !rec.source ||
                    !rec.last_modified) {
                        file_clear(&rec);
                        rc = NEREID_ERROR;
                } else {
                        rc = files_push(out, &rec);
                }
        }
        return rc;
}

static const char *local_base_name(const char *path)
{
        const char *slash = strrchr(path, '/');

        return slash ? slash + 1 : path;
}

/* Walk (or take) what the resolved path names, adding entries. */
static int local_find(local_walk *walk, const uri_location *loc, char *resolved,
                      const struct stat *st)
{
        if (S_ISREG(st->st_mode)) {
                char *rel = nereid_strdup(local_base_name(loc->path));
                char *source = nereid_strdup(resolved);

                if (!rel || !source) {
                        free(rel);
                        free(source);
                        return NEREID_ERROR;
                }
                if (!fs_is_utf8(rel)) {
                        char shown[PATH_MAX];

                        free(rel);
                        free(source);
                        local_printable(loc->path, shown, sizeof(shown));
                        return nereid_error(NEREID_ERROR, "%s: file name is not valid UTF-8",
                                            shown);
                }
                return local_add(walk, rel, source, st);
        }
        if (S_ISDIR(st->st_mode)) {
                int fd = open(resolved, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

                if (fd < 0)
                        return nereid_error_os(nereid_error_from_errno(errno), errno,
                                               "%s: cannot open folder", loc->path);
                return local_walk_dir(walk, fd, resolved, "");
        }
        return nereid_error(NEREID_ERROR,
                            "%s: not a regular file or folder (FIFO, socket or device)", loc->path);
}

static int local_scan(nereid_project *project, const uri_location *loc, const char *destination,
                      nereid_files *out)
{
        local_walk walk = {0};
        struct stat st;
        char *resolved = NULL;
        int rc = 0, writable;

        walk.project = project;
        writable = project->mode != NEREID_MODE_READ_ONLY && project->mode != NEREID_MODE_DEBUG;
        if (lstat(loc->path, &st) < 0)
                return nereid_error_os(nereid_error_from_errno(errno), errno, "%s", loc->path);
        /* The path the user named is resolved once; below it links are
         * judged one by one by the walk. */
        resolved = realpath(loc->path, NULL);
        if (!resolved || stat(resolved, &st) < 0) {
                rc = nereid_error_os(nereid_error_from_errno(errno), errno, "%s", loc->path);
                goto cleanup;
        }
        rc = local_walk_begin(&walk, writable);
        if (rc == 0)
                rc = local_find(&walk, loc, resolved, &st);
        rc = local_walk_end(&walk, rc);
        if (rc == 0)
                rc = local_to_records(&walk, destination, out);
cleanup:
        free(resolved);
        local_walk_clear(&walk);
        return rc;
}

/* The local path of a record's source: metadata.file_path without file://. */
static int local_source_path(const struct nereid_file *rec, const char **path)
{
        if (!rec->source || strncmp(rec->source, "file://", 7) != 0)
                return nereid_error(NEREID_ERROR, "%s: the record has no local source",
                                    rec->file_path);
        *path = rec->source + 7;
        return 0;
}

/* Put a symbolic link to target at dirfd/name, atomically replacing what
 * is there (a link made under a temporary name, then renamed). */
static int local_link(const struct nereid_file *rec, const char *target, int dirfd,
                      const char *name)
{
        char tmp[NAME_MAX + 1];
        static unsigned counter;
        int attempt;

        /* The common case, nothing there yet: one system call. */
        if (symlinkat(target, dirfd, name) == 0)
                return 0;
        if (errno != EEXIST)
                return nereid_error_os(nereid_error_from_errno(errno), errno,
                                       "%s: cannot create link", rec->file_path);
        for (attempt = 0; attempt < 100; attempt++) {
                snprintf(tmp, sizeof(tmp), ".%.100s.nereid-link-%d-%u", name, (int)getpid(),
                         __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED));
                if (symlinkat(target, dirfd, tmp) == 0)
                        break;
                if (errno != EEXIST)
                        return nereid_error_os(nereid_error_from_errno(errno), errno,
                                               "%s: cannot create link", rec->file_path);
        }
        if (renameat(dirfd, tmp, dirfd, name) < 0) {
                int err = errno;

                unlinkat(dirfd, tmp, 0);
                return nereid_error_os(nereid_error_from_errno(err), err, "%s: cannot create link",
                                       rec->file_path);
        }
        return 0;
}

/* Copy source into a temporary file beside the target, verify the MD5,
 * then rename it into place. */
static int local_copy(const struct nereid_file *rec, const char *source, int dirfd,
                      const char *name)
{
        char tmp[NAME_MAX + 1], md5[NEREID_MD5_HEXLEN + 1];
        hash_md5_ctx *ctx = NULL;
        unsigned char *block = NULL;
        int in = -1, out = -1, rc = 0;

        in = open(source, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (in < 0)
                return nereid_error_os(nereid_error_from_errno(errno), errno, "%s: source %s",
                                       rec->file_path, source);
        block = malloc(NEREID_HASH_BLOCK);
        ctx = hash_md5_new();
        if (!block || !ctx) {
                rc = nereid_error_oom();
                goto cleanup;
        }
        if ((out = fs_temp_in(dirfd, name, tmp, sizeof(tmp))) < 0) {
                rc = out;
                goto cleanup;
        }
        for (;;) {
                ssize_t n = read(in, block, NEREID_HASH_BLOCK), off = 0;

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        rc = nereid_error_os(NEREID_ERROR, errno, "%s: cannot read %s",
                                             rec->file_path, source);
                        break;
                }
                if (n == 0)
                        break;
                if ((rc = hash_md5_update(ctx, block, (size_t)n)) < 0)
                        break;
                while (off < n) {
                        ssize_t w = write(out, block + off, (size_t)(n - off));

                        if (w < 0 && errno == EINTR)
                                continue;
                        if (w < 0) {
                                rc = nereid_error_os(NEREID_ERROR, errno, "%s: cannot write",
                                                     rec->file_path);
                                break;
                        }
                        off += w;
                }
                if (rc < 0)
                        break;
        }
        if (rc == 0) {
                rc = hash_md5_final(ctx, md5);
                ctx = NULL;
        }
        if (rc == 0 && strcmp(md5, rec->file_hash) != 0)
                rc = nereid_error(NEREID_EINTEGRITY,
                                  "%s: %s does not match its recorded hash (MD5 %s, recorded %s)",
                                  rec->file_path, source, md5, rec->file_hash);
        if (rc == 0 && close(out) < 0)
                rc = nereid_error_os(NEREID_ERROR, errno, "%s: cannot write", rec->file_path);
        else if (rc < 0)
                close(out);
        out = -1;
        if (rc == 0 && renameat(dirfd, tmp, dirfd, name) < 0)
                rc = nereid_error_os(nereid_error_from_errno(errno), errno, "%s: cannot rename",
                                     rec->file_path);
        if (rc < 0)
                unlinkat(dirfd, tmp, 0);
cleanup:
        if (out >= 0)
                close(out);
        if (in >= 0)
                close(in);
        hash_md5_free(ctx);
        free(block);
        return rc;
}

static int local_fetch(nereid_project *project, const struct nereid_file *rec, int dirfd,
                       const char *name, int copy)
{
        const char *source = NULL;
        char target[PATH_MAX];
        struct stat st;
        ssize_t n;
        int rc;

        (void)project;
        if ((rc = local_source_path(rec, &source)) < 0)
                return rc;
        if (stat(source, &st) < 0)
                return nereid_error_os(nereid_error_from_errno(errno), errno, "%s: source %s",
                                       rec->file_path, source);
        if (!S_ISREG(st.st_mode))
                return nereid_error(NEREID_ERROR, "%s: source %s is not a regular file",
                                    rec->file_path, source);
        if (!copy) {
                n = readlinkat(dirfd, name, target, sizeof(target) - 1);
                if (n >= 0) {
                        target[n] = '\0';
                        if (strcmp(target, source) == 0)
                                return 0; /* already in place */
                } else if (errno == EINVAL && source_target_has_md5(dirfd, name, rec->file_hash)) {
                        return 0; /* a file (an earlier --copy) with the recorded content */
                }
                return local_link(rec, source, dirfd, name);
        }
        if (source_target_has_md5(dirfd, name, rec->file_hash))
                return 0;
        return local_copy(rec, source, dirfd, name);
}

const source_driver source_local = {
    NEREID_SOURCE_VERSION, "local", URI_LOCAL, NEREID_TYPE_LOCAL, local_scan, local_fetch,
};
