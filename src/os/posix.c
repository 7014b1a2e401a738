/*
 * posix.c - the platform layer of os.h for POSIX systems (Linux, the
 * BSDs, macOS): the one file of the library that may test what a system
 * has (#ifdef O_PATH, GNU or XSI strerror_r). Not for the library's own
 * rules about files (fs.c) or errors (error.c): only the system calls.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <unistd.h>
#include "alloc.h"
#include "error.h"
#include "os/os.h"

const char *nrd_os_strerror(int errnum, char *buf, size_t cap)
{
#if defined(__GLIBC__) && defined(_GNU_SOURCE)
        /* GNU strerror_r returns the text, in buf or a static string. */
        return strerror_r(errnum, buf, cap);
#else
        if (strerror_r(errnum, buf, cap) != 0)
                snprintf(buf, cap, "error %d", errnum);
        return buf;
#endif
}

/* The password database's entry of this user, with what it points to in
 * *buf (the caller frees); 0, or -1 when there is none or no memory. */
static int os_passwd(struct passwd *pw, char **buf)
{
        struct passwd *found = NULL;
        long hint = sysconf(_SC_GETPW_R_SIZE_MAX);
        size_t size = hint > 0 ? (size_t)hint : 4096;
        int err;

        for (;;) {
                if (!(*buf = nrd_malloc(size)))
                        return nrd_error_oom(), -1;
                err = getpwuid_r(getuid(), pw, *buf, size, &found);
                if (err == ERANGE && size < (1u << 20)) {
                        free(*buf);
                        size *= 2;
                        continue;
                }
                if (err == 0 && found)
                        return 0;
                free(*buf);
                *buf = NULL;
                return -1;
        }
}

char *nrd_os_user_name(void)
{
        struct passwd pw;
        char *buf, *name;

        if (os_passwd(&pw, &buf) < 0)
                return NULL;
        name = pw.pw_name && *pw.pw_name ? nrd_strdup(pw.pw_name) : NULL;
        free(buf);
        return name;
}

char *nrd_os_user_home(void)
{
        struct passwd pw;
        char *buf, *home;

        if (os_passwd(&pw, &buf) < 0)
                return NULL;
        home = pw.pw_dir && *pw.pw_dir ? nrd_strdup(pw.pw_dir) : NULL;
        free(buf);
        return home;
}

char *nrd_os_getcwd(void)
{
        size_t size = 256;
        char *dir = NULL;

        for (;;) {
                char *bigger = nrd_realloc_array(dir, size, 1);

                if (!bigger) {
                        free(dir);
                        nrd_error_oom();
                        return NULL;
                }
                dir = bigger;
                if (getcwd(dir, size))
                        return dir;
                if (errno != ERANGE || size > (size_t)1 << 24) {
                        nrd_error_os(NEREID_ERROR, errno, "current directory");
                        free(dir);
                        return NULL;
                }
                size *= 2;
        }
}

int nrd_os_gmtime(time_t t, struct tm *out)
{
        return gmtime_r(&t, out) ? 0 : -1;
}

time_t nrd_os_timegm(struct tm *tm)
{
        return timegm(tm);
}

int64_t nrd_os_realtime_ns(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t nrd_os_monotonic_ns(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void nrd_os_sleep_ms(long ms)
{
        struct timespec ts;

        ts.tv_sec = ms / 1000;
        ts.tv_nsec = (ms % 1000) * 1000000L;
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

int64_t nrd_os_mtime_ns(const struct stat *st)
{
        return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

int64_t nrd_os_ctime_ns(const struct stat *st)
{
        return (int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec;
}

void nrd_os_stat_times(const struct stat *st, struct timespec times[2])
{
        times[0] = st->st_atim;
        times[1] = st->st_mtim;
}

int nrd_os_random(void *buf, size_t cap)
{
        return getentropy(buf, cap) == 0 ? 0 : -1;
}

long nrd_os_pid(void)
{
        return (long)getpid();
}

unsigned nrd_os_cpu_count(void)
{
        long n = sysconf(_SC_NPROCESSORS_ONLN);

        if (n < 1)
                return 1;
        if (n > 4096)
                return 4096;
        return (unsigned)n;
}

int nrd_os_open_search_dir(const char *path)
{
#ifdef O_PATH
        return open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
#else
        return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
#endif
}

int nrd_os_dirent_is_file(const struct dirent *de)
{
#ifdef DT_REG
        return de->d_type == DT_REG;
#else
        (void)de;
        return 0;
#endif
}

void nrd_os_advise_sequential(int fd)
{
#ifdef POSIX_FADV_SEQUENTIAL
        (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#else
        (void)fd;
#endif
}

int nrd_os_lock_try(int fd)
{
        return flock(fd, LOCK_EX | LOCK_NB);
}

int nrd_os_lock_shared(int fd)
{
        int rc;

        while ((rc = flock(fd, LOCK_SH)) < 0 && errno == EINTR)
                ;
        return rc;
}
