/*
 * fs.c - the POSIX file-system helpers of fs.h: UTC times, joins, creating
 * folders below a root without ever following a link out of it, and
 * temporary files beside a target: locked while their process lives,
 * registered so that a signal handler can remove them, and removed as
 * stale by a later download once no process holds them. Not for what a
 * download does with its targets (download.c), nor for the calls that
 * differ between systems (os/os.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "buf.h"
#include "error.h"
#include "fs.h"
#include "os/os.h"

/* n as `width` decimal digits at out. */
static void fs_digits(char *out, unsigned n, int width)
{
        while (width-- > 0) {
                out[width] = (char)('0' + n % 10);
                n /= 10;
        }
}

void nrd_fs_format_utc(time_t t, char out[20])
{
        struct tm tm;

        if (nrd_os_gmtime(t, &tm) < 0)
                memset(&tm, 0, sizeof(tm));
        /* Written digit by digit (a track formats one time per file, and
         * strftime cost as much as the rest of a record); years of other
         * than four digits go through strftime as before. */
        if (tm.tm_year < 1000 - 1900 || tm.tm_year > 9999 - 1900) {
                strftime(out, 20, "%Y-%m-%d %H:%M:%S", &tm);
                return;
        }
        memcpy(out, "0000-00-00 00:00:00", 20);
        fs_digits(out, (unsigned)(tm.tm_year + 1900), 4);
        fs_digits(out + 5, (unsigned)(tm.tm_mon + 1), 2);
        fs_digits(out + 8, (unsigned)tm.tm_mday, 2);
        fs_digits(out + 11, (unsigned)tm.tm_hour, 2);
        fs_digits(out + 14, (unsigned)tm.tm_min, 2);
        fs_digits(out + 17, (unsigned)tm.tm_sec, 2);
}

void nrd_fs_now_iso8601(char out[32])
{
        int64_t ns = nrd_os_realtime_ns();
        struct tm tm;
        char base[24];

        if (nrd_os_gmtime((time_t)(ns / 1000000000), &tm) < 0)
                memset(&tm, 0, sizeof(tm));
        strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(out, 32, "%s.%03dZ", base, (int)(ns % 1000000000 / 1000000));
}

int64_t nrd_fs_now_ns(void)
{
        return nrd_os_realtime_ns();
}

int64_t nrd_fs_mtime_ns(const struct stat *st)
{
        return nrd_os_mtime_ns(st);
}

int64_t nrd_fs_ctime_ns(const struct stat *st)
{
        return nrd_os_ctime_ns(st);
}

char *nrd_fs_join(const char *a, const char *b)
{
        nereid_buf buf = NEREID_BUF_INIT;
        size_t alen = strlen(a);

        if (nrd_buf_grow(&buf, alen + strlen(b) + 1) < 0)
                return NULL;
        nrd_buf_put(&buf, a, alen);
        if (alen && a[alen - 1] != '/' && b[0])
                nrd_buf_putc(&buf, '/');
        nrd_buf_puts(&buf, b);
        return nrd_buf_detach(&buf);
}

int nrd_fs_open_dir_below(int rootfd, const char *dir)
{
        char *copy, *segment, *save = NULL;
        int fd, rc = 0;

        fd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return nrd_error_os(nrd_error_from_errno(errno), errno, "destination");
        copy = nrd_strdup(dir);
        if (!copy) {
                close(fd);
                return NEREID_ERROR;
        }
        for (segment = strtok_r(copy, "/", &save); segment; segment = strtok_r(NULL, "/", &save)) {
                int next;

                if (mkdirat(fd, segment, 0777) < 0 && errno != EEXIST) {
                        rc = nrd_error_os(nrd_error_from_errno(errno), errno,
                                          "%s: cannot create folder", dir);
                        break;
                }
                /* O_NOFOLLOW: a link planted below the destination cannot lead out. */
                next = openat(fd, segment, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (next < 0) {
                        rc = nrd_error_os(nrd_error_from_errno(errno), errno,
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

/* The temporary files of this process that are not yet renamed or removed:
 * a fixed table, so that a signal handler can walk it without taking a lock
 * or allocating. A slot is free (0), being changed (1) or armed (2). */
#define FS_TEMP_SLOTS 1024
#define FS_TEMP_MINE  8

struct fs_temp_slot {
        int state;               /* 0 free, 1 being changed, 2 armed (atomic) */
        int dirfd;               /* the folder the file is in */
        int lockfd;              /* a duplicate of the file's fd: holds its flock */
        char name[NAME_MAX + 1]; /* the file's name in dirfd */
};

static struct fs_temp_slot fs_temp_slots[FS_TEMP_SLOTS];
static int fs_temp_aborting; /* set by nrd_fs_temp_remove_all (atomic) */
/* The slots this thread armed, released by nrd_fs_temp_forget. */
static _Thread_local int fs_temp_mine[FS_TEMP_MINE];
static _Thread_local int fs_temp_nmine;

/* Register dirfd/name, keeping a duplicate of fd so that its lock lasts
 * until nrd_fs_temp_forget. A full table only costs the registration. */
static void fs_temp_register(int dirfd, const char *name, int fd)
{
        int i;

        if (fs_temp_nmine == FS_TEMP_MINE)
                return;
        for (i = 0; i < FS_TEMP_SLOTS; i++) {
                struct fs_temp_slot *slot = &fs_temp_slots[i];
                int expected = 0;

                if (!__atomic_compare_exchange_n(&slot->state, &expected, 1, 0, __ATOMIC_ACQUIRE,
                                                 __ATOMIC_RELAXED))
                        continue;
                slot->dirfd = dirfd;
                slot->lockfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
                snprintf(slot->name, sizeof(slot->name), "%s", name);
                __atomic_store_n(&slot->state, 2, __ATOMIC_RELEASE);
                fs_temp_mine[fs_temp_nmine++] = i;
                return;
        }
}

void nrd_fs_temp_forget(void)
{
        while (fs_temp_nmine > 0) {
                struct fs_temp_slot *slot = &fs_temp_slots[fs_temp_mine[--fs_temp_nmine]];

                __atomic_store_n(&slot->state, 1, __ATOMIC_RELEASE);
                if (slot->lockfd >= 0)
                        close(slot->lockfd);
                slot->lockfd = -1;
                __atomic_store_n(&slot->state, 0, __ATOMIC_RELEASE);
        }
}

void nrd_fs_temp_remove_all(void)
{
        int i;

        __atomic_store_n(&fs_temp_aborting, 1, __ATOMIC_SEQ_CST);
        for (i = 0; i < FS_TEMP_SLOTS; i++) {
                struct fs_temp_slot *slot = &fs_temp_slots[i];

                if (__atomic_load_n(&slot->state, __ATOMIC_ACQUIRE) == 2)
                        unlinkat(slot->dirfd, slot->name, 0);
        }
}

int nrd_fs_temp_in(int dirfd, const char *base, char *name_out, size_t name_cap)
{
        return nrd_fs_temp_in_mode(dirfd, base, 0666, name_out, name_cap);
}

int nrd_fs_temp_in_mode(int dirfd, const char *base, mode_t mode, char *name_out, size_t name_cap)
{
        static const char letters[] = "abcdefghijklmnopqrstuvwxyz0123456789";
        static unsigned long counter;
        int attempt;

        for (attempt = 0; attempt < 100; attempt++) {
                unsigned long r = (unsigned long)nrd_fs_now_ns() ^
                                  ((unsigned long)nrd_os_pid() << 16) ^
                                  __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED) * 2654435761u;
                struct stat st;
                char suffix[7];
                int i, fd;

                for (i = 0; i < 6; i++) {
                        suffix[i] = letters[r % 36];
                        r /= 36;
                }
                suffix[6] = '\0';
                if ((size_t)snprintf(name_out, name_cap, ".%.100s.nereid-%s", base, suffix) >=
                    name_cap)
                        return nrd_error(NEREID_ERROR, "%s: name too long", base);
                fd = openat(dirfd, name_out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                            mode);
                if (fd < 0 && errno == EEXIST)
                        continue;
                if (fd < 0)
                        return nrd_error_os(nrd_error_from_errno(errno), errno,
                                            "%s: cannot create temporary file", base);
                /* Another process's nrd_fs_temp_clean may have locked the new file
                 * before us (it then removes it), or removed it already: take
                 * another name. */
                if (nrd_os_lock_try(fd) < 0 || fstat(fd, &st) < 0 || st.st_nlink == 0) {
                        close(fd);
                        continue;
                }
                fs_temp_register(dirfd, name_out, fd);
                if (__atomic_load_n(&fs_temp_aborting, __ATOMIC_SEQ_CST)) {
                        unlinkat(dirfd, name_out, 0);
                        close(fd);
                        nrd_fs_temp_forget();
                        return nrd_error(NEREID_ECANCELLED, "%s: cancelled", base);
                }
                return fd;
        }
        return nrd_error(NEREID_ERROR, "%s: cannot create temporary file", base);
}

/* 1 when name ends in ".nereid-" and 6 of [a-z0-9] after a non-empty base
 * (".<base>.nereid-XXXXXX", nrd_fs_temp_in's names). */
static int fs_temp_is_file_name(const char *name)
{
        size_t n = strlen(name), i;

        if (n < 1 + 1 + 8 + 6 || name[0] != '.' || memcmp(name + n - 14, ".nereid-", 8) != 0)
                return 0;
        for (i = n - 6; i < n; i++)
                if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9')))
                        return 0;
        return 1;
}

/* The PID of a temporary link ".<base>.nereid-link-PID-N", or 0. */
static long fs_temp_link_pid(const char *name)
{
        const char *tag = NULL, *p;
        char *end;
        long pid;

        for (p = strstr(name, ".nereid-link-"); p; p = strstr(p + 1, ".nereid-link-"))
                tag = p;
        if (name[0] != '.' || !tag || tag == name + 1)
                return 0;
        p = tag + 13;
        if (*p < '0' || *p > '9')
                return 0;
        pid = strtol(p, &end, 10);
        if (*end != '-' || end[1] < '0' || end[1] > '9')
                return 0;
        for (p = end + 1; *p; p++)
                if (*p < '0' || *p > '9')
                        return 0;
        return pid;
}

int nrd_fs_is_nereid_temp(const char *name)
{
        return fs_temp_is_file_name(name) || fs_temp_link_pid(name) > 0;
}

int nrd_fs_temp_clean(int dirfd)
{
        struct dirent *e;
        int fd, removed = 0;
        DIR *dir;

        if ((fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
                return 0;
        if (!(dir = fdopendir(fd))) {
                close(fd);
                return 0;
        }
        while ((e = readdir(dir)) != NULL) {
                struct stat st;
                long pid;

                if (e->d_name[0] != '.')
                        continue;
                if (fs_temp_is_file_name(e->d_name)) {
                        struct stat opened;
                        int f;

                        /* Only regular files are opened: opening a device
                         * can have effects of its own. */
                        if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
                            !S_ISREG(st.st_mode))
                                continue;
                        f = openat(dirfd, e->d_name,
                                   O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
                        if (f < 0)
                                continue;
                        /* Unlocked: its process is gone (a lock dies with it). */
                        if (fstat(f, &opened) == 0 && S_ISREG(opened.st_mode) &&
                            opened.st_ino == st.st_ino && opened.st_dev == st.st_dev &&
                            nrd_os_lock_try(f) == 0 && unlinkat(dirfd, e->d_name, 0) == 0)
                                removed++;
                        close(f);
                } else if ((pid = fs_temp_link_pid(e->d_name)) > 0 && pid != nrd_os_pid() &&
                           fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                           S_ISLNK(st.st_mode) && kill((pid_t)pid, 0) < 0 && errno == ESRCH &&
                           unlinkat(dirfd, e->d_name, 0) == 0) {
                        removed++;
                }
        }
        closedir(dir);
        return removed;
}

int nrd_fs_write_all(int fd, const void *buf, size_t len)
{
        const unsigned char *p = buf;

        while (len > 0) {
                ssize_t w = write(fd, p, len);

                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0)
                        return -1;
                p += w;
                len -= (size_t)w;
        }
        return 0;
}

int nrd_fs_is_utf8(const char *s)
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
