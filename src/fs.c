/*
 * fs.c - the POSIX file-system helpers of fs.h: UTC times, joins, creating
 * folders below a root without ever following a link out of it, and
 * temporary files beside a target. Windows would get its own fs_win.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "buf.h"
#include "error.h"
#include "fs.h"

void fs_format_utc(time_t t, char out[20])
{
        struct tm tm;

        gmtime_r(&t, &tm);
        strftime(out, 20, "%Y-%m-%d %H:%M:%S", &tm);
}

void fs_now_iso8601(char out[32])
{
        struct timespec ts;
        struct tm tm;
        char base[24];

        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(out, 32, "%s.%03dZ", base, (int)(ts.tv_nsec / 1000000));
}

int64_t fs_now_ns(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t fs_mtime_ns(const struct stat *st)
{
        return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

int64_t fs_ctime_ns(const struct stat *st)
{
        return (int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec;
}

char *fs_join(const char *a, const char *b)
{
        nereid_buf buf = NEREID_BUF_INIT;
        size_t alen = strlen(a);

        if (buf_grow(&buf, alen + strlen(b) + 1) < 0)
                return NULL;
        buf_put(&buf, a, alen);
        if (alen && a[alen - 1] != '/' && b[0])
                buf_putc(&buf, '/');
        buf_puts(&buf, b);
        return buf_detach(&buf);
}

int fs_open_dir_below(int rootfd, const char *dir)
{
        char *copy, *segment, *save = NULL;
        int fd, rc = 0;

        fd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return nereid_error_os(nereid_error_from_errno(errno), errno, "destination");
        copy = nereid_strdup(dir);
        if (!copy) {
                close(fd);
                return NEREID_ERROR;
        }
        for (segment = strtok_r(copy, "/", &save); segment; segment = strtok_r(NULL, "/", &save)) {
                int next;

                if (mkdirat(fd, segment, 0777) < 0 && errno != EEXIST) {
                        rc = nereid_error_os(nereid_error_from_errno(errno), errno,
                                             "%s: cannot create folder", dir);
                        break;
                }
                /* O_NOFOLLOW: a link planted below the destination cannot lead out. */
                next = openat(fd, segment, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (next < 0) {
                        rc = nereid_error_os(nereid_error_from_errno(errno), errno,
                                             "%s: cannot open folder %s", dir, segment);
                        break;
                }
                close(fd);
                fd = next;
        }
        free(copy);
        if (rc < 0) {
                close(fd);
                return rc;
        }
        return fd;
}

int fs_temp_in(int dirfd, const char *base, char *name_out, size_t name_cap)
{
        static const char letters[] = "abcdefghijklmnopqrstuvwxyz0123456789";
        int attempt;

        for (attempt = 0; attempt < 100; attempt++) {
                unsigned long r = (unsigned long)fs_now_ns() ^ ((unsigned long)getpid() << 16) ^
                                  (unsigned long)attempt * 2654435761u;
                char suffix[7];
                int i, fd;

                for (i = 0; i < 6; i++) {
                        suffix[i] = letters[r % 36];
                        r /= 36;
                }
                suffix[6] = '\0';
                if ((size_t)snprintf(name_out, name_cap, ".%.100s.nereid-%s", base, suffix) >=
                    name_cap)
                        return nereid_error(NEREID_ERROR, "%s: name too long", base);
                fd = openat(dirfd, name_out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                            0666);
                if (fd >= 0)
                        return fd;
                if (errno != EEXIST)
                        return nereid_error_os(nereid_error_from_errno(errno), errno,
                                               "%s: cannot create temporary file", base);
        }
        return nereid_error(NEREID_ERROR, "%s: cannot create temporary file", base);
}

int fs_is_nereid_temp(const char *name)
{
        const char *mark;

        /* ".<base>.nereid-<suffix>", base and suffix not empty. */
        if (name[0] != '.' || !name[1])
                return 0;
        mark = strstr(name + 2, ".nereid-");
        return mark && mark[8] != '\0';
}

int fs_is_utf8(const char *s)
{
        const unsigned char *p = (const unsigned char *)s;

        while (*p) {
                unsigned c = *p, need, cp, min;

                if (c < 0x80) {
                        p++;
                        continue;
                } else if ((c & 0xE0) == 0xC0) {
                        need = 1, cp = c & 0x1F, min = 0x80;
                } else if ((c & 0xF0) == 0xE0) {
                        need = 2, cp = c & 0x0F, min = 0x800;
                } else if ((c & 0xF8) == 0xF0) {
                        need = 3, cp = c & 0x07, min = 0x10000;
                } else {
                        return 0;
                }
                p++;
                while (need--) {
                        if ((*p & 0xC0) != 0x80)
                                return 0;
                        cp = (cp << 6) | (*p++ & 0x3F);
                }
                if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
                        return 0;
        }
        return 1;
}
