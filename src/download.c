/*
 * download.c - nereid_run_download: recreate every file of a field below a
 * destination (SPEC section 5). The records are checked here (a file_path
 * that could lead outside the destination is refused before anything is
 * written), and so is what is already at each target: a target holding
 * the recorded content is left alone, one holding anything else is left as
 * it is and reported unless NEREID_DOWNLOAD_FORCE is given, and a target
 * that is the source file itself is never replaced by a link to itself.
 * Stale temporary files of an earlier, killed download are removed from
 * every folder written into. The transfer itself is the source driver's
 * fetch, run on the worker pool so that several files move at once, except
 * with a multi-buffer MD5 (options.md5 not scalar): each worker then takes
 * batches of records and hashes side by side in the lanes of its hasher
 * (md5mb/md5mb.h) the targets already there (without --force) and, for
 * --copy of local files, the copies it made into temporary files, each
 * renamed into place once verified.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "buf.h"
#include "error.h"
#include "fs.h"
#include "hash.h"
#include "md5mb/md5mb.h"
#include "os/os.h"
#include "pool.h"
#include "project.h"
#include "record.h"
#include "run.h"
#include "source/source.h"
#include "uri.h"

/* The folder a worker last wrote into: records are sorted by file_path,
 * so files of one folder come together and it is opened once, not once
 * per file. */
typedef struct download_folder {
        char *dir; /* the folder below the destination, "" for itself */
        int fd;    /* open on dir */
        /* The folders this worker has cleaned of stale temporary files
         * whose records it is still among, outermost first: sorted paths
         * keep each folder's records together, so a folder is cleaned
         * once per worker, not at every return from a subfolder. */
        char *cleaned[64];
        size_t ncleaned;
} download_folder;

typedef struct download_job {
        nereid_project *project;
        pool_stream *stream;
        int rootfd;
        int flags;     /* enum nereid_download_flag */
        size_t failed; /* updated atomically: jobs run on several threads */
        /* The failure the call returns: of the failed file whose path
         * sorts first, not of the first to fail, which depends on how the
         * workers were scheduled (SPEC section 7: one exit code). */
        pthread_mutex_t first_lock;
        char *first_path; /* under first_lock */
        int first_code;
        download_folder *open_dir; /* one per worker */
        md5mb **hashers;           /* --copy with multi-buffer MD5: one per worker */
        unsigned char **blocks;    /* with hashers: a copy buffer per worker */
} download_job;

/* 1 when dir is folder or below it. */
static int download_is_within(const char *folder, const char *dir)
{
        size_t n = strlen(folder);

        return n == 0 || (strncmp(folder, dir, n) == 0 && (dir[n] == '\0' || dir[n] == '/'));
}

/* Remove the stale temporary files of fd's folder dir (what a download
 * killed earlier left behind), unless this worker did already. */
static void download_clean(download_folder *f, const char *dir, int fd)
{
        char *copy;

        while (f->ncleaned > 0 && !download_is_within(f->cleaned[f->ncleaned - 1], dir))
                free(f->cleaned[--f->ncleaned]);
        if (f->ncleaned > 0 && strcmp(f->cleaned[f->ncleaned - 1], dir) == 0)
                return;
        nrd_fs_temp_clean(fd);
        if (f->ncleaned < sizeof(f->cleaned) / sizeof(f->cleaned[0]) &&
            (copy = nrd_strdup(dir)) != NULL)
                f->cleaned[f->ncleaned++] = copy;
}

/* An fd of the folder dir below the destination, from the worker's cache. */
static int download_folder_fd(download_job *job, unsigned worker, const char *dir)
{
        download_folder *f = &job->open_dir[worker];
        int fd;

        if (f->dir && strcmp(f->dir, dir) == 0)
                return f->fd;
        if ((fd = nrd_fs_open_dir_below(job->rootfd, dir)) < 0)
                return fd;
        download_clean(f, dir, fd);
        if (f->dir) {
                close(f->fd);
                free(f->dir);
        }
        f->dir = nrd_strdup(dir);
        f->fd = fd;
        if (!f->dir) {
                close(fd);
                return NEREID_ERROR;
        }
        return fd;
}

/* 1 when the target st (not followed) is a folder, with the message set. */
static int download_is_folder(const struct nereid_file *rec, const struct stat *st)
{
        if (!S_ISDIR(st->st_mode))
                return 0;
        nrd_error(NEREID_ERROR, "%s: a folder is in the way, left as it is", rec->file_path);
        return 1;
}

/* A file of a worker's batch, hashed side by side with the others: a
 * --copy of a local file, copied into a temporary file beside the target
 * to be verified, then renamed; or (check) a target already there, to be
 * compared with the recorded MD5. */
typedef struct download_copy {
        struct nereid_file *rec; /* the worker's copy of the record */
        int taken;               /* from nrd_pool_stream_take, not the pool's item */
        int dirfd;               /* a duplicate of the target's folder */
        const char *name;        /* the target's name in dirfd (in rec->file_path) */
        char *source;            /* the source file's path */
        char tmp[NAME_MAX + 1];  /* the temporary file in dirfd */
        int out;                 /* tmp, open for writing */
        int in;                  /* tmp, open for reading: hashed */
        struct stat st;          /* the source as opened */
        int check;               /* in is a target already there, nothing else is open */
        int rc;                  /* the outcome */
} download_copy;

/* What is at dirfd/name already. Returns 1 when the recorded file is in
 * place (nothing to do), 0 when the driver is to put it there (nothing is
 * there, or what is there may be replaced), or a negative code with the
 * message set when the target must be left as it is. With c (a batching
 * worker) and no --force, a regular file there is not hashed here: 2, and
 * c holds it open for the batch's check. */
static int download_target(download_job *job, const source_driver *driver,
                           const struct nereid_file *rec, int dirfd, const char *name,
                           download_copy *c)
{
        int copy = (job->flags & NEREID_DOWNLOAD_COPY) != 0;
        struct stat target, followed, source;
        char *path = NULL, link[PATH_MAX];
        int have_source = 0, rc;
        ssize_t n;

        if (fstatat(dirfd, name, &target, AT_SYMLINK_NOFOLLOW) < 0) {
                if (errno == ENOENT)
                        return 0;
                return nrd_error_os(nrd_error_from_errno(errno), errno, "%s", rec->file_path);
        }
        if (download_is_folder(rec, &target))
                return NEREID_ERROR;
        if (driver->local_path) {
                if ((rc = driver->local_path(rec, &path)) < 0)
                        return rc;
                have_source = stat(path, &source) == 0;
        }
        rc = 0;
        if (driver->local_path && !have_source)
                goto out; /* the driver reports the missing source */
        if (have_source && !copy && S_ISLNK(target.st_mode)) {
                n = readlinkat(dirfd, name, link, sizeof(link) - 1);
                if (n >= 0) {
                        link[n] = '\0';
                        if (strcmp(link, path) == 0) {
                                rc = 1; /* the same link */
                                goto out;
                        }
                }
        }
        if (have_source && fstatat(dirfd, name, &followed, 0) == 0 &&
            followed.st_dev == source.st_dev && followed.st_ino == source.st_ino) {
                /* The target leads to the source file itself. */
                if (S_ISLNK(target.st_mode)) {
                        /* A link to it: in place, or --copy puts a verified copy
                         * of the same file there, which loses nothing. */
                        rc = copy ? 0 : 1;
                        goto out;
                }
                if (nrd_source_target_has_md5(dirfd, name, rec->file_hash)) {
                        rc = 1;
                        goto out;
                }
                rc = nrd_error(NEREID_ERROR,
                               "%s: the target is the source file itself and it changed since "
                               "it was tracked; left as it is (never replaced by a link to "
                               "itself)",
                               rec->file_path);
                goto out;
        }
        if (S_ISREG(target.st_mode) && c && !(job->flags & NEREID_DOWNLOAD_FORCE) &&
            nrd_hash_is_md5(rec->file_hash)) {
                int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

                /* Of another size, or not a file: other content, unread. */
                if (fd >= 0 && fstat(fd, &followed) == 0 && S_ISREG(followed.st_mode) &&
                    (!rec->has_size || (uint64_t)followed.st_size == rec->size)) {
                        c->in = fd;
                        c->out = c->dirfd = -1;
                        c->check = 1;
                        rc = 2;
                        goto out;
                }
                if (fd >= 0)
                        close(fd);
        } else if (S_ISREG(target.st_mode)) {
                if (nrd_source_target_has_md5(dirfd, name, rec->file_hash)) {
                        rc = 1;
                        goto out;
                }
                /* An S3 multipart ETag is no MD5: a file of the recorded size
                 * cannot be told from the object, and is left alone. */
                if (!nrd_hash_is_md5(rec->file_hash) && rec->has_size &&
                    (uint64_t)target.st_size == rec->size) {
                        rc = 1;
                        goto out;
                }
        }
        if (!(job->flags & NEREID_DOWNLOAD_FORCE))
                rc = nrd_error(NEREID_ERROR,
                               "%s: the target exists with other content; left as it is "
                               "(--force replaces it)",
                               rec->file_path);
out:
        free(path);
        return rc;
}

/* Count and report a file that could not be downloaded; path is its
 * record's file_path, NULL when there is none (it then comes first). */
static void download_failed(download_job *job, int rc, const char *path)
{
        __atomic_fetch_add(&job->failed, 1, __ATOMIC_RELAXED);
        nrd_project_notify(job->project, rc, "%s", nereid_error_last());
        if (!path)
                path = "";
        pthread_mutex_lock(&job->first_lock);
        if (!job->first_code || strcmp(path, job->first_path ? job->first_path : "") < 0) {
                char *copy = nrd_strdup(path);

                /* Out of memory: the code is still kept, the order is lost. */
                free(job->first_path);
                job->first_path = copy;
                job->first_code = rc;
        }
        pthread_mutex_unlock(&job->first_lock);
}

/* Copies verified side by side: at most what nrd_fs_temp_in registers per
 * thread for removal on abort, so that every one is removed if killed. */
#define DOWNLOAD_BATCH 8

static void download_copy_close(download_copy *c)
{
        if (c->out >= 0)
                close(c->out);
        if (c->in >= 0)
                close(c->in);
        if (c->dirfd >= 0)
                close(c->dirfd);
        c->out = c->in = c->dirfd = -1;
        free(c->source);
        c->source = NULL;
}

/* Copy c's source into a new temporary file, never more than its recorded
 * size, and open that for the hasher. The same checks and messages as the
 * local driver's copy (source/local.c). On failure nothing is left. */
static int download_copy_begin(download_job *job, const source_driver *driver, download_copy *c,
                               int dirfd, unsigned worker)
{
        const struct nereid_file *rec = c->rec;
        unsigned char *block = job->blocks[worker];
        uint64_t copied = 0;
        int src, rc = 0;

        c->out = c->in = c->dirfd = -1;
        c->tmp[0] = '\0';
        if ((rc = driver->local_path(rec, &c->source)) < 0)
                return rc;
        src = open(c->source, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (src < 0) {
                rc = nrd_error_os(nrd_error_from_errno(errno), errno, "%s: source %s",
                                  rec->file_path, c->source);
                download_copy_close(c);
                return rc;
        }
        if (fstat(src, &c->st) < 0) {
                rc = nrd_error_os(NEREID_ERROR, errno, "%s: source %s", rec->file_path, c->source);
                goto out;
        }
        if (!S_ISREG(c->st.st_mode)) {
                rc = nrd_error(NEREID_ERROR, "%s: source %s is not a regular file", rec->file_path,
                               c->source);
                goto out;
        }
        if ((c->dirfd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0)) < 0) {
                rc = nrd_error_os(NEREID_ERROR, errno, "%s: cannot write", rec->file_path);
                goto out;
        }
        if ((c->out = nrd_fs_temp_in_mode(c->dirfd, c->name, 0600, c->tmp, sizeof(c->tmp))) < 0) {
                rc = c->out;
                c->tmp[0] = '\0';
                goto out;
        }
        for (;;) {
                ssize_t n = read(src, block, NEREID_HASH_BLOCK);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        rc = nrd_error_os(NEREID_ERROR, errno, "%s: cannot read %s", rec->file_path,
                                          c->source);
                        break;
                }
                if (n == 0)
                        break;
                copied += (uint64_t)n;
                if (rec->has_size && copied > rec->size) {
                        rc = nrd_error(NEREID_EINTEGRITY,
                                       "%s: source %s holds more than its recorded %llu bytes",
                                       rec->file_path, c->source, (unsigned long long)rec->size);
                        break;
                }
                if (nrd_fs_write_all(c->out, block, (size_t)n) < 0) {
                        rc = nrd_error_os(NEREID_ERROR, errno, "%s: cannot write", rec->file_path);
                        break;
                }
        }
        /* What is verified is what was written: the temporary file itself. */
        if (rc == 0 && (c->in = openat(c->dirfd, c->tmp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
                rc = nrd_error_os(NEREID_ERROR, errno, "%s: cannot write", rec->file_path);
out:
        close(src);
        if (rc < 0) {
                if (c->tmp[0])
                        unlinkat(c->dirfd, c->tmp, 0);
                download_copy_close(c);
        }
        return rc;
}

/* c's copy is hashed (md5, or rc < 0 with the message set): keep it in
 * place with the source's permission bits and times, or remove it. */
static int download_copy_end(download_copy *c, const char *md5, int rc)
{
        const struct nereid_file *rec = c->rec;
        struct timespec times[2];

        if (rc == 0 && strcmp(md5, rec->file_hash) != 0)
                rc = nrd_error(NEREID_EINTEGRITY,
                               "%s: %s does not match its recorded hash (MD5 %s, recorded %s)",
                               rec->file_path, c->source, md5, rec->file_hash);
        nrd_os_stat_times(&c->st, times);
        if (rc == 0 && (fchmod(c->out, c->st.st_mode & 0777) < 0 || futimens(c->out, times) < 0))
                rc = nrd_error_os(NEREID_ERROR, errno,
                                  "%s: cannot set the permissions and times of the copy",
                                  rec->file_path);
        if (rc == 0 && close(c->out) < 0)
                rc = nrd_error_os(NEREID_ERROR, errno, "%s: cannot write", rec->file_path);
        else if (rc < 0)
                close(c->out);
        c->out = -1;
        if (rc == 0 && renameat(c->dirfd, c->tmp, c->dirfd, c->name) < 0)
                rc = nrd_error_os(nrd_error_from_errno(errno), errno, "%s: cannot rename",
                                  rec->file_path);
        if (rc < 0)
                unlinkat(c->dirfd, c->tmp, 0);
        download_copy_close(c);
        return rc;
}

/* Bring one record's file to its place below the destination. With c (a
 * worker verifying copies in batches), a --copy of a local file with a
 * recorded MD5 is only begun: 1 when it is in c, to be ended with
 * download_copy_end and reported then. */
static int download_record(download_job *job, struct nereid_file *rec, unsigned worker,
                           download_copy *c)
{
        const source_driver *driver;
        char *dir = NULL, *slash;
        const char *name;
        int dirfd, rc;

        if (!nrd_uri_is_safe_relative(rec->file_path)) {
                rc = nrd_error(NEREID_ERROR,
                               "%s: refused: the path would lead outside the destination",
                               rec->file_path);
                goto report;
        }
        driver = nrd_source_for_type(rec->type);
        if (!driver) {
                rc = nrd_error(NEREID_ERROR, "%s: unknown record type %s", rec->file_path,
                               rec->type);
                goto report;
        }
        if (!(dir = nrd_strdup(rec->file_path))) {
                rc = NEREID_ERROR;
                goto report;
        }
        slash = strrchr(dir, '/');
        if (slash) {
                *slash = '\0';
                name = rec->file_path + (slash - dir) + 1;
        } else {
                dir[0] = '\0';
                name = rec->file_path;
        }
        dirfd = download_folder_fd(job, worker, dir);
        if (dirfd < 0) {
                rc = dirfd;
                goto report;
        }
        if ((rc = download_target(job, driver, rec, dirfd, name, c)) == 2) {
                c->rec = rec;
                c->name = name;
                free(dir);
                return 1;
        }
        if (rc != 0) {
                rc = rc > 0 ? 0 : rc;
                goto report;
        }
        if (c && (job->flags & NEREID_DOWNLOAD_COPY) && driver->local_path &&
            nrd_hash_is_md5(rec->file_hash)) {
                c->rec = rec;
                c->name = name;
                if ((rc = download_copy_begin(job, driver, c, dirfd, worker)) == 0) {
                        free(dir);
                        return 1;
                }
                goto report;
        }
        rc =
            driver->fetch(job->project, rec, dirfd, name, (job->flags & NEREID_DOWNLOAD_COPY) != 0);
        /* Every temporary file of the fetch is renamed or removed by now
         * (with c, the batch's own are released once it is verified). */
        if (!c)
                nrd_fs_temp_forget();
report:
        free(dir);
        if (rc < 0)
                download_failed(job, rc, rec->file_path);
        return rc;
}

/* A batch of copies being verified by one worker's hasher. */
typedef struct download_batch {
        download_job *job;
        download_copy copies[DOWNLOAD_BATCH];
        unsigned n;    /* copies begun */
        unsigned next; /* the next to give the hasher */
} download_batch;

static int download_mb_next(void *payload, md5mb_stream *s, unsigned held)
{
        download_batch *b = payload;
        download_copy *c;

        (void)held;
        if (b->next == b->n)
                return 0;
        c = &b->copies[b->next++];
        s->fd = c->in;
        s->size = !c->check && c->rec->has_size ? c->rec->size : UINT64_MAX;
        s->name = c->rec->file_path;
        s->item = c;
        return 1;
}

static int download_mb_done(void *payload, md5mb_stream *s, int rc)
{
        download_batch *b = payload;
        download_copy *c = s->item;

        if (c->check) {
                /* Unreadable counts as other content, as when hashed alone. */
                if (rc < 0 || strcmp(s->md5, c->rec->file_hash) != 0)
                        rc = nrd_error(NEREID_ERROR,
                                       "%s: the target exists with other content; left as it is "
                                       "(--force replaces it)",
                                       c->rec->file_path);
                close(c->in);
                c->in = -1;
                c->rc = rc;
        } else {
                c->rc = download_copy_end(c, s->md5, rc);
        }
        if (c->rc < 0)
                download_failed(b->job, c->rc, c->rec->file_path);
        return 0;
}

/* The record rec of a batching worker: begun into the batch, or done. */
static int download_batch_add(download_batch *b, struct nereid_file *rec, int taken,
                              unsigned worker)
{
        download_copy *c = &b->copies[b->n];
        int rc;

        memset(c, 0, sizeof(*c));
        if (nrd_project_cancelled(b->job->project))
                rc = NEREID_ECANCELLED;
        else if ((rc = download_record(b->job, rec, worker, c)) == 1) {
                c->taken = taken;
                b->n++;
                return 1;
        }
        nrd_file_clear(rec);
        free(rec);
        if (taken)
                nrd_pool_stream_item_done(b->job->stream, rc);
        return rc;
}

/* --copy with a multi-buffer MD5: the pool's record and more taken from
 * the queue are copied, then their copies verified side by side. */
static int download_item_batch(download_job *job, struct nereid_file *rec, unsigned worker)
{
        download_batch *b = nrd_calloc(1, sizeof(*b));
        void *item;
        int first_rc = 0, rc;
        unsigned i;

        if (!b) {
                nrd_file_clear(rec);
                free(rec);
                rc = nrd_error_oom();
                download_failed(job, rc, NULL);
                return rc;
        }
        b->job = job;
        rc = download_batch_add(b, rec, 0, worker);
        if (rc <= 0)
                first_rc = rc;
        while (b->n < DOWNLOAD_BATCH && nrd_pool_stream_take(job->stream, b->n, &item))
                download_batch_add(b, item, 1, worker);
        if (b->n > 0) {
                /* Never stopped early: every copy reaches download_mb_done. */
                nrd_md5mb_run(job->hashers[worker], download_mb_next, download_mb_done, b);
                /* Every temporary file of the batch is renamed or removed. */
                nrd_fs_temp_forget();
        }
        for (i = 0; i < b->n; i++) {
                if (b->copies[i].taken)
                        nrd_pool_stream_item_done(job->stream, b->copies[i].rc);
                else
                        first_rc = b->copies[i].rc;
                nrd_file_clear(b->copies[i].rec);
                free(b->copies[i].rec);
        }
        free(b);
        return first_rc;
}

/* A worker's job: one record, a copy that it frees. */
static int download_item(void *payload, void *item, unsigned worker)
{
        download_job *job = payload;
        struct nereid_file *rec = item;
        int rc;

        if (job->hashers)
                return download_item_batch(job, rec, worker);
        /* Once asked to stop, the files not begun are left alone. */
        rc = nrd_project_cancelled(job->project) ? NEREID_ECANCELLED
                                                 : download_record(job, rec, worker, NULL);
        nrd_file_clear(rec);
        free(rec);
        return rc;
}

/* Called for each record as the store reads it: queue a copy for the
 * workers, so that no list of every record is built first. */
static int download_queue(void *payload, const struct nereid_file *file)
{
        download_job *job = payload;
        struct nereid_file *copy = nrd_malloc(sizeof(*copy));
        size_t done, pushed;
        int rc;

        if (!copy)
                return nrd_error_oom();
        if (nrd_file_copy(copy, file) < 0) {
                free(copy);
                return NEREID_ERROR;
        }
        if ((rc = nrd_pool_stream_push(job->stream, copy)) < 0) {
                nrd_file_clear(copy);
                free(copy);
                return rc;
        }
        nrd_pool_stream_progress(job->stream, &done, &pushed);
        if ((pushed & 255) == 0)
                return nrd_project_progress(job->project, "downloading", done, pushed);
        return 0;
}

static void download_tick(void *payload, size_t done, size_t count)
{
        download_job *job = payload;

        nrd_project_progress(job->project, "downloading", done, count);
}

/* Create the destination and its parents (mkdir -p); the destination
 * itself may be a link the user chose, below it nothing is followed
 * (nrd_fs_open_dir_below). */
static int download_open_root(const char *destination)
{
        char *path = nrd_strdup(destination), *p;
        int fd;

        if (!path)
                return NEREID_ERROR;
        for (p = path + 1; *p; p++) {
                if (*p != '/')
                        continue;
                *p = '\0';
                if (mkdir(path, 0777) < 0 && errno != EEXIST) {
                        int err = errno;

                        free(path);
                        return nrd_error_os(nrd_error_from_errno(err), err,
                                            "destination %s: cannot create", destination);
                }
                *p = '/';
        }
        free(path);
        if (mkdir(destination, 0777) < 0 && errno != EEXIST)
                return nrd_error_os(nrd_error_from_errno(errno), errno,
                                    "destination %s: cannot create", destination);
        fd = open(destination, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return nrd_error_os(nrd_error_from_errno(errno), errno, "destination %s",
                                    destination);
        return fd;
}

int nereid_run_download(nereid_run *run, const char *field, const char *destination, int flags)
{
        nereid_project *project;
        download_job job = {0};
        char hash[NEREID_HASH_HEXLEN + 1];
        size_t done = 0, pushed = 0;
        unsigned workers, w;
        int rc, streamed;

        nrd_error_clear();
        assert(run);
        project = run->project;
        if (!destination || !*destination)
                destination = ".";
        if (flags & ~(NEREID_DOWNLOAD_COPY | NEREID_DOWNLOAD_FORCE))
                return nrd_error(NEREID_EINVALID, "download: unknown flags 0x%x", (unsigned)flags);
        if ((rc = nereid_run_fetch_hash(hash, run, field, NEREID_HASH_ARTIFACT)) < 0)
                return rc;
        if ((rc = download_open_root(destination)) < 0)
                return rc;
        nrd_project_uncancel(project);
        job.project = project;
        job.rootfd = rc;
        pthread_mutex_init(&job.first_lock, NULL);
        job.flags = flags;
        workers = nrd_project_workers(project);
        job.open_dir = nrd_calloc(workers, sizeof(*job.open_dir));
        if (job.open_dir && project->cfg.md5 != NEREID_MD5_SCALAR) {
                job.hashers = nrd_calloc(workers, sizeof(*job.hashers));
                job.blocks = nrd_calloc(workers, sizeof(*job.blocks));
                if (!job.hashers || !job.blocks) {
                        rc = NEREID_ERROR;
                        goto cleanup;
                }
                for (w = 0; w < workers; w++) {
                        if ((rc = nrd_md5mb_new(&job.hashers[w], project->cfg.md5, 0)) < 0)
                                goto cleanup;
                        nrd_md5mb_set_max_streams(job.hashers[w], DOWNLOAD_BATCH);
                        if (!(job.blocks[w] = nrd_malloc(NEREID_HASH_BLOCK))) {
                                rc = NEREID_ERROR;
                                goto cleanup;
                        }
                }
        }
        rc = job.open_dir ? nrd_pool_stream_start(&job.stream, workers, 1, download_item, &job)
                          : NEREID_ERROR;
        if (rc < 0)
                goto cleanup;
        /* The records stream from the store to the workers; per-file failures
         * are reported as they happen and the others go on. */
        streamed =
            nrd_store_artifact_each(project->store, project->name, hash, download_queue, &job);
        nrd_pool_stream_progress(job.stream, &done, &pushed);
        rc = nrd_pool_stream_finish(job.stream, download_tick, &job);
        if (nrd_project_cancelled(project))
                rc = nrd_error(NEREID_ECANCELLED, "%s:%s: download cancelled", run->id, field);
        else if (streamed < 0)
                rc = streamed;
        else if (rc < 0)
                rc = nrd_error(job.first_code ? job.first_code : rc,
                               "%s:%s: %zu of %zu files could not be downloaded", run->id, field,
                               job.failed, pushed);
cleanup:
        for (w = 0; job.open_dir && w < workers; w++) {
                if (job.open_dir[w].dir)
                        close(job.open_dir[w].fd);
                free(job.open_dir[w].dir);
                while (job.open_dir[w].ncleaned > 0)
                        free(job.open_dir[w].cleaned[--job.open_dir[w].ncleaned]);
        }
        free(job.open_dir);
        for (w = 0; job.hashers && w < workers; w++)
                nrd_md5mb_free(job.hashers[w]);
        for (w = 0; job.blocks && w < workers; w++)
                free(job.blocks[w]);
        free(job.hashers);
        free(job.blocks);
        free(job.first_path);
        pthread_mutex_destroy(&job.first_lock);
        close(job.rootfd);
        return rc;
}

void nereid_download_abort(void)
{
        nrd_fs_temp_remove_all();
}
