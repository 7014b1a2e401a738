/*
 * local.c - the source driver for local files and file:// URIs. scan walks
 * a folder (links to files followed, links to folders and special files
 * skipped with a warning, never opened), looks every file up in the hash
 * cache and hashes the rest on the worker pool. fetch links or copies a
 * recorded file back. Not for hashing (hash.c). Its syntax (paths, ~/,
 * file://) is local_location.c, the scan itself, the walk, local_scan.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../buf.h"
#include "../error.h"
#include "fileurl.h"
#include "../fs.h"
#include "../hash.h"
#include "../hashcache.h"
#include "../pool.h"
#include "local_location.h"
#include "local_scan.h"
#include "../os/os.h"
#include "source.h"

/* The local path a record's source names: its file:// URL decoded. */
static int local_source_path(const struct nereid_file *rec, char *path, size_t size)
{
        char *decoded = NULL;

        if (!rec->source || strncmp(rec->source, "file://", 7) != 0)
                return nrd_error(NEREID_ERROR, "%s: the record has no local source",
                                 rec->file_path);
        if (nrd_fileurl_to_path(rec->source, &decoded) < 0)
                return nrd_error(NEREID_ERROR, "%s: source %s: not a file:///path URL",
                                 rec->file_path, rec->source);
        if (strlen(decoded) >= size) {
                free(decoded);
                return nrd_error(NEREID_ERROR, "%s: source %s: path too long", rec->file_path,
                                 rec->source);
        }
        memcpy(path, decoded, strlen(decoded) + 1);
        free(decoded);
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
                return nrd_error_os(nrd_error_from_errno(errno), errno, "%s: cannot create link",
                                    rec->file_path);
        for (attempt = 0; attempt < 100; attempt++) {
                snprintf(tmp, sizeof(tmp), ".%.100s.nereid-link-%d-%u", name, (int)nrd_os_pid(),
                         __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED));
                if (symlinkat(target, dirfd, tmp) == 0)
                        break;
                if (errno != EEXIST)
                        return nrd_error_os(nrd_error_from_errno(errno), errno,
                                            "%s: cannot create link", rec->file_path);
        }
        /* Never rename a name this call did not make. */
        if (attempt == 100)
                return nrd_error(NEREID_ERROR, "%s: cannot create link: no free temporary name",
                                 rec->file_path);
        if (renameat(dirfd, tmp, dirfd, name) < 0) {
                int err = errno;

                unlinkat(dirfd, tmp, 0);
                return nrd_error_os(nrd_error_from_errno(err), err, "%s: cannot create link",
                                    rec->file_path);
        }
        return 0;
}

/* Copy source into a temporary file beside the target, verify the MD5,
 * then rename it into place. The copy gets the source's permission bits
 * (never wider: no set-ID or sticky bit) and its times; until then the
 * temporary file is private (0600), so a private source is never readable
 * through it. */
static int local_copy(const struct nereid_file *rec, const char *source, int dirfd,
                      const char *name)
{
        char tmp[NAME_MAX + 1], md5[NEREID_MD5_HEXLEN + 1];
        struct timespec times[2];
        struct stat st;
        hash_md5_ctx *ctx = NULL;
        unsigned char *block = NULL;
        uint64_t copied = 0;
        int in = -1, out = -1, rc = 0;

        in = open(source, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (in < 0)
                return nrd_error_os(nrd_error_from_errno(errno), errno, "%s: source %s",
                                    rec->file_path, source);
        if (fstat(in, &st) < 0) {
                rc = nrd_error_os(NEREID_ERROR, errno, "%s: source %s", rec->file_path, source);
                goto cleanup;
        }
        /* What was opened, not what was looked at before: a source swapped
         * for a device or a FIFO in between is refused here. */
        if (!S_ISREG(st.st_mode)) {
                rc = nrd_error(NEREID_ERROR, "%s: source %s is not a regular file", rec->file_path,
                               source);
                goto cleanup;
        }
        block = nrd_malloc(NEREID_HASH_BLOCK);
        ctx = nrd_hash_md5_new();
        if (!block || !ctx) {
                rc = nrd_error_oom();
                goto cleanup;
        }
        if ((out = nrd_fs_temp_in_mode(dirfd, name, 0600, tmp, sizeof(tmp))) < 0) {
                rc = out;
                goto cleanup;
        }
        for (;;) {
                ssize_t n = read(in, block, NEREID_HASH_BLOCK);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        rc = nrd_error_os(NEREID_ERROR, errno, "%s: cannot read %s", rec->file_path,
                                          source);
                        break;
                }
                if (n == 0)
                        break;
                /* Never write past the recorded size: a source that grew (or
                 * was replaced) cannot fill the disk before the MD5 check. */
                copied += (uint64_t)n;
                if (rec->has_size && copied > rec->size) {
                        rc = nrd_error(NEREID_EINTEGRITY,
                                       "%s: source %s holds more than its recorded %llu bytes",
                                       rec->file_path, source, (unsigned long long)rec->size);
                        break;
                }
                if ((rc = nrd_hash_md5_update(ctx, block, (size_t)n)) < 0)
                        break;
                if (nrd_fs_write_all(out, block, (size_t)n) < 0) {
                        rc = nrd_error_os(NEREID_ERROR, errno, "%s: cannot write", rec->file_path);
                        break;
                }
        }
        if (rc == 0) {
                rc = nrd_hash_md5_final(ctx, md5);
                ctx = NULL;
        }
        if (rc == 0 && strcmp(md5, rec->file_hash) != 0)
                rc = nrd_error(NEREID_EINTEGRITY,
                               "%s: %s does not match its recorded hash (MD5 %s, recorded %s)",
                               rec->file_path, source, md5, rec->file_hash);
        nrd_os_stat_times(&st, times);
        if (rc == 0 && (fchmod(out, st.st_mode & 0777) < 0 || futimens(out, times) < 0))
                rc = nrd_error_os(NEREID_ERROR, errno,
                                  "%s: cannot set the permissions and times of the copy",
                                  rec->file_path);
        if (rc == 0 && close(out) < 0)
                rc = nrd_error_os(NEREID_ERROR, errno, "%s: cannot write", rec->file_path);
        else if (rc < 0)
                close(out);
        out = -1;
        if (rc == 0 && renameat(dirfd, tmp, dirfd, name) < 0)
                rc = nrd_error_os(nrd_error_from_errno(errno), errno, "%s: cannot rename",
                                  rec->file_path);
        if (rc < 0)
                unlinkat(dirfd, tmp, 0);
cleanup:
        if (out >= 0)
                close(out);
        if (in >= 0)
                close(in);
        nrd_hash_md5_free(ctx);
        free(block);
        return rc;
}

static int local_fetch(nereid_project *project, const struct nereid_file *rec, int dirfd,
                       const char *name, int copy)
{
        char source[PATH_MAX];
        struct stat st;
        int rc;

        (void)project;
        if ((rc = local_source_path(rec, source, sizeof(source))) < 0)
                return rc;
        if (stat(source, &st) < 0)
                return nrd_error_os(nrd_error_from_errno(errno), errno, "%s: source %s",
                                    rec->file_path, source);
        if (!S_ISREG(st.st_mode))
                return nrd_error(NEREID_ERROR, "%s: source %s is not a regular file",
                                 rec->file_path, source);
        /* What is at the target was judged by download.c (SPEC section 5). */
        if (!copy)
                return local_link(rec, source, dirfd, name);
        return local_copy(rec, source, dirfd, name);
}

static int local_fetch_path(const struct nereid_file *rec, char **path)
{
        char source[PATH_MAX];
        int rc;

        if ((rc = local_source_path(rec, source, sizeof(source))) < 0)
                return rc;
        if (!(*path = nrd_strdup(source)))
                return NEREID_ERROR;
        return 0;
}

const source_driver nrd_source_local = {
    .version = NEREID_SOURCE_VERSION,
    .name = "local",
    .scheme = "file",
    .type = "Local",
    .caps = SOURCE_CAP_BARE_PATHS | SOURCE_CAP_OPAQUE | SOURCE_CAP_LOCAL_FILES,
    .parse = nrd_local_parse,
    .format = nrd_local_format,
    .parse_source = nrd_local_parse_source,
    .check_record = nrd_local_check_record,
    .scan = nrd_local_scan,
    .fetch = local_fetch,
    .local_path = local_fetch_path,
};
