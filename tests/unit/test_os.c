/*
 * test_os.c - the platform layer (src/os/os.h) against what the system
 * says directly: error texts, the user's name and home, UTC conversions,
 * clocks, stat times, random bytes, directory entries, the current folder
 * deeper than PATH_MAX (and removed), search-only folder descriptors and
 * file locks. Not for the
 * modules that use it (test_fs.c, test_local_scan.c, ...).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "alloc.h"
#include "check.h"
#include "error.h"
#include "fs.h"
#include "os/os.h"
#include "scratch.h"

/* Levels of the deep folder, each named DEEP_NAME: well past PATH_MAX. */
#define DEEP_LEVELS 60

static const char DEEP_NAME[] = "a-folder-name-of-about-one-hundred-bytes-"
                                "so-that-sixty-levels-make-a-path-much-longer-"
                                "than-path-max";

static void test_strerror(void)
{
        char buf[128], tiny[4];
        const char *text;

        CHECK_STR(nrd_os_strerror(ENOENT, buf, sizeof(buf)), strerror(ENOENT));
        CHECK_STR(nrd_os_strerror(EACCES, buf, sizeof(buf)), strerror(EACCES));
        /* The library's name for it is the same function. */
        CHECK_STR(nrd_strerror(ENOTDIR, buf, sizeof(buf)), strerror(ENOTDIR));
        /* An unknown value still gives a text, never NULL. */
        text = nrd_os_strerror(987654, buf, sizeof(buf));
        CHECK(text && *text && strstr(text, "987654"));
        /* A buffer too small is never overrun, and still gives a string. */
        memset(tiny, 'x', sizeof(tiny));
        text = nrd_os_strerror(ENOENT, tiny, sizeof(tiny));
        CHECK(text != NULL && (text != tiny || memchr(tiny, '\0', sizeof(tiny))));
        /* And the error helpers use it: "<what>: <why>". */
        nrd_error_os(NEREID_ERROR, ENOENT, "somewhere");
        snprintf(buf, sizeof(buf), "somewhere: %s", strerror(ENOENT));
        CHECK_STR(nereid_error_last(), buf);
}

static void test_user(void)
{
        struct passwd *pw = getpwuid(getuid());
        char *name = nrd_os_user_name(), *home = nrd_os_user_home();

        if (pw && *pw->pw_name) {
                CHECK_STR(name, pw->pw_name);
        } else {
                CHECK(name == NULL);
        }
        if (pw && *pw->pw_dir) {
                CHECK_STR(home, pw->pw_dir);
        } else {
                CHECK(home == NULL);
        }
        free(name);
        free(home);

        /* Out of memory: NULL with the message set, nothing leaked. */
        if (nrd_alloc_injected()) {
                nrd_error_clear();
                nrd_alloc_fail_at(1);
                name = nrd_os_user_name();
                nrd_alloc_fail_at(0);
                CHECK(name == NULL);
                CHECK_STR(nereid_error_last(), "out of memory");
                nrd_error_clear();
                nrd_alloc_fail_at(2);
                home = nrd_os_user_home();
                nrd_alloc_fail_at(0);
                CHECK(home == NULL);
                CHECK_STR(nereid_error_last(), "out of memory");
                free(name);
                free(home);
        }
}

static void test_time(void)
{
        struct tm tm;
        char out[20], iso[32];
        time_t before, after;
        int64_t t0, t1;

        CHECK(nrd_os_gmtime(0, &tm) == 0);
        CHECK(tm.tm_year == 70 && tm.tm_mon == 0 && tm.tm_mday == 1 && tm.tm_hour == 0);
        CHECK(nrd_os_gmtime((time_t)1664535040, &tm) == 0);
        CHECK(tm.tm_year == 122 && tm.tm_mon == 8 && tm.tm_mday == 30 && tm.tm_hour == 10 &&
              tm.tm_min == 50 && tm.tm_sec == 40);
        CHECK(nrd_os_timegm(&tm) == (time_t)1664535040);
        nrd_fs_format_utc((time_t)1664535040, out);
        CHECK_STR(out, "2022-09-30 10:50:40");
        nrd_fs_format_utc((time_t)-1, out);
        CHECK_STR(out, "1969-12-31 23:59:59");

        /* timegm reads tm as UTC, whatever the local zone says. */
        memset(&tm, 0, sizeof(tm));
        tm.tm_year = 100;
        tm.tm_mon = 1;
        tm.tm_mday = 29;
        tm.tm_hour = 12;
        CHECK(nrd_os_timegm(&tm) == (time_t)951825600);

        before = time(NULL);
        t0 = nrd_os_realtime_ns();
        after = time(NULL);
        CHECK(t0 / 1000000000 >= before && t0 / 1000000000 <= after);
        nrd_fs_now_iso8601(iso);
        CHECK(strlen(iso) == 24 && iso[10] == 'T' && iso[19] == '.' && iso[23] == 'Z');

        t0 = nrd_os_monotonic_ns();
        nrd_os_sleep_ms(30);
        t1 = nrd_os_monotonic_ns();
        CHECK(t1 - t0 >= 30 * 1000000LL);
        CHECK(t1 - t0 < 10 * 1000000000LL);
}

static void test_stat_times(void)
{
        const char *file = path_in(root, "timed");
        struct timespec set[2] = {{1000000000, 123456789}, {1664535040, 987654321}}, got[2];
        struct stat st;
        int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);

        CHECK(fd >= 0);
        if (fd < 0)
                return;
        CHECK(futimens(fd, set) == 0);
        CHECK(fstat(fd, &st) == 0);
        close(fd);
        CHECK(nrd_os_mtime_ns(&st) == 1664535040LL * 1000000000 + 987654321);
        CHECK(nrd_fs_mtime_ns(&st) == nrd_os_mtime_ns(&st));
        CHECK(nrd_os_ctime_ns(&st) > 0 && nrd_fs_ctime_ns(&st) == nrd_os_ctime_ns(&st));
        nrd_os_stat_times(&st, got);
        CHECK(got[0].tv_sec == set[0].tv_sec && got[0].tv_nsec == set[0].tv_nsec);
        CHECK(got[1].tv_sec == set[1].tv_sec && got[1].tv_nsec == set[1].tv_nsec);
}

static void test_process(void)
{
        unsigned char a[32] = {0}, b[32] = {0}, zero[32] = {0};

        CHECK(nrd_os_pid() == (long)getpid());
        CHECK(nrd_os_cpu_count() >= 1 && nrd_os_cpu_count() <= 4096);
        CHECK(nrd_os_random(a, sizeof(a)) == 0 && nrd_os_random(b, sizeof(b)) == 0);
        CHECK(memcmp(a, zero, sizeof(a)) != 0 && memcmp(a, b, sizeof(a)) != 0);
}

/* d_type where the system gives it: never "a file" for anything else. */
static void test_dirent(void)
{
        const char *dir = path_in(root, "entries");
        int fd, files = 0, others = 0, fds[2];
        struct dirent *de;
        DIR *d;

        CHECK(mkdir(dir, 0700) == 0 && mkdir(path_in(dir, "sub"), 0700) == 0);
        CHECK(symlink("file", path_in(dir, "link")) == 0);
        fd = open(path_in(dir, "file"), O_WRONLY | O_CREAT, 0600);
        CHECK(fd >= 0);
        if (fd >= 0)
                close(fd);
        d = opendir(dir);
        CHECK(d != NULL);
        while (d && (de = readdir(d)) != NULL) {
                if (nrd_os_dirent_is_file(de)) {
                        files++;
                        CHECK_STR(de->d_name, "file");
                } else {
                        others++;
                }
        }
        if (d)
                closedir(d);
        CHECK(files <= 1 && files + others == 5);

        /* A hint only: a pipe or a closed descriptor are no failure. */
        fd = open(path_in(dir, "file"), O_RDONLY | O_CLOEXEC);
        nrd_os_advise_sequential(fd);
        CHECK(fd >= 0 && close(fd) == 0);
        CHECK(pipe(fds) == 0);
        nrd_os_advise_sequential(fds[0]);
        close(fds[0]);
        close(fds[1]);
        nrd_os_advise_sequential(-1);
}

/* The current folder DEEP_LEVELS levels down, past PATH_MAX, then the
 * folder removed under it. */
static void test_getcwd(void)
{
        int back = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        char *cwd;
        size_t want = strlen(root) + DEEP_LEVELS * (strlen(DEEP_NAME) + 1);
        int level, ok = 1;

        CHECK(back >= 0 && chdir(root) == 0);
        cwd = nrd_os_getcwd();
        CHECK(cwd && strcmp(cwd, root) == 0);
        free(cwd);
        for (level = 0; level < DEEP_LEVELS && ok; level++)
                ok = mkdir(DEEP_NAME, 0700) == 0 && chdir(DEEP_NAME) == 0;
        CHECK(ok);
        cwd = nrd_os_getcwd();
        CHECK(cwd != NULL);
        if (cwd) {
                CHECK(strlen(cwd) == want && strlen(cwd) > PATH_MAX);
                CHECK(strncmp(cwd, root, strlen(root)) == 0);
                CHECK(strcmp(cwd + strlen(cwd) - strlen(DEEP_NAME), DEEP_NAME) == 0);
        }
        free(cwd);

        /* The folder removed under the process: an error naming it. */
        CHECK(mkdir("gone", 0700) == 0 && chdir("gone") == 0 && rmdir("../gone") == 0);
        nrd_error_clear();
        cwd = nrd_os_getcwd();
        CHECK(cwd == NULL);
        CHECK(strncmp(nereid_error_last(), "current directory: ", 19) == 0);
        free(cwd);

        /* Climb back, removing the levels (too deep for scratch_end). */
        CHECK(chdir("..") == 0);
        for (level = 0; level < DEEP_LEVELS; level++)
                CHECK(chdir("..") == 0 && rmdir(DEEP_NAME) == 0);
        CHECK(back >= 0 && fchdir(back) == 0);
        if (back >= 0)
                close(back);
}

static void test_search_dir(void)
{
        const char *dir = path_in(root, "search-only");
        struct stat st;
        int fd, file;

        CHECK(mkdir(dir, 0700) == 0);
        fd = open(path_in(dir, "inside"), O_WRONLY | O_CREAT, 0600);
        CHECK(fd >= 0);
        if (fd >= 0)
                close(fd);
        /* Search permission alone is enough to open files below it. */
        CHECK(chmod(dir, 0100) == 0);
        fd = nrd_os_open_search_dir(dir);
        CHECK(fd >= 0);
        if (fd >= 0) {
                CHECK(fstat(fd, &st) == 0 && S_ISDIR(st.st_mode));
                CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
                file = openat(fd, "inside", O_RDONLY | O_CLOEXEC);
                CHECK(file >= 0);
                if (file >= 0)
                        close(file);
                close(fd);
        }
        CHECK(chmod(dir, 0700) == 0);

        errno = 0;
        CHECK(nrd_os_open_search_dir(path_in(root, "missing")) == -1 && errno == ENOENT);
        errno = 0;
        CHECK(nrd_os_open_search_dir(path_in(dir, "inside")) == -1 && errno == ENOTDIR);
}

static void test_lock(void)
{
        const char *file = path_in(root, "locked");
        int a = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        int b = open(file, O_RDWR | O_CLOEXEC);
        int a2;

        CHECK(a >= 0 && b >= 0);
        if (a < 0 || b < 0)
                return;
        CHECK(nrd_os_lock_try(a) == 0);
        errno = 0;
        CHECK(nrd_os_lock_try(b) == -1 && errno == EWOULDBLOCK);
        /* Held by the open file, so a duplicate keeps it after a close. */
        a2 = dup(a);
        close(a);
        CHECK(nrd_os_lock_try(b) == -1);
        close(a2);
        CHECK(nrd_os_lock_try(b) == 0);
        close(b);
}

int main(void)
{
        if (scratch_begin("os") < 0)
                return 1;
        test_strerror();
        test_user();
        test_time();
        test_stat_times();
        test_process();
        test_dirent();
        test_getcwd();
        test_search_dir();
        test_lock();
        return scratch_end(CHECK_DONE());
}
