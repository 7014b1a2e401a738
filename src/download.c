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
 * fetch, run on the worker pool so that several files move at once.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "buf.h"
#include "error.h"
#include "fs.h"
#include "hash.h"
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
        int flags;                 /* enum nereid_download_flag */
        size_t failed;             /* updated atomically: jobs run on several threads */
        download_folder *open_dir; /* one per worker */
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

/* What is at dirfd/name already. Returns 1 when the recorded file is in
 * place (nothing to do), 0 when the driver is to put it there (nothing is
 * there, or what is there may be replaced), or a negative code with the
 * message set when the target must be left as it is. */
static int download_target(download_job *job, const source_driver *driver,
                           const struct nereid_file *rec, int dirfd, const char *name)
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
        if (S_ISREG(target.st_mode)) {
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

/* Bring one record's file to its place below the destination. */
static int download_record(download_job *job, const struct nereid_file *rec, unsigned worker)
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
        if ((rc = download_target(job, driver, rec, dirfd, name)) != 0) {
                rc = rc > 0 ? 0 : rc;
                goto report;
        }
        rc =
            driver->fetch(job->project, rec, dirfd, name, (job->flags & NEREID_DOWNLOAD_COPY) != 0);
        /* Every temporary file of the fetch is renamed or removed by now. */
        nrd_fs_temp_forget();
report:
        free(dir);
        if (rc < 0) {
                __atomic_fetch_add(&job->failed, 1, __ATOMIC_RELAXED);
                nrd_project_notify(job->project, rc, "%s", nereid_error_last());
        }
        return rc;
}

/* A worker's job: one record, a copy that it frees. */
static int download_item(void *payload, void *item, unsigned worker)
{
        download_job *job = payload;
        struct nereid_file *rec = item;
        /* Once asked to stop, the files not begun are left alone. */
        int rc = nrd_project_cancelled(job->project) ? NEREID_ECANCELLED
                                                     : download_record(job, rec, worker);

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
        job.flags = flags;
        workers = nrd_project_workers(project);
        job.open_dir = nrd_calloc(workers, sizeof(*job.open_dir));
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
                rc = nrd_error(rc, "%s:%s: %zu of %zu files could not be downloaded", run->id,
                               field, job.failed, pushed);
cleanup:
        for (w = 0; job.open_dir && w < workers; w++) {
                if (job.open_dir[w].dir)
                        close(job.open_dir[w].fd);
                free(job.open_dir[w].dir);
                while (job.open_dir[w].ncleaned > 0)
                        free(job.open_dir[w].cleaned[--job.open_dir[w].ncleaned]);
        }
        free(job.open_dir);
        close(job.rootfd);
        return rc;
}

void nereid_download_abort(void)
{
        nrd_fs_temp_remove_all();
}
