/*
 * test_fs.c - the file-system helpers: UTC formatting whatever the local
 * time zone, the ISO 8601 clock, path joins, the UTF-8 check, folders
 * created below a root that no planted link can lead out of, and
 * temporary files beside a target.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "check.h"
#include "scratch.h"
#include "error.h"
#include "fs.h"

static int is_dir(const char *path)
{
        struct stat st;

        return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int fd_is_dir(int fd)
{
        struct stat st;

        return fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
}

/* s matches pattern, where 'D' stands for any digit and anything else for itself. */
static int matches(const char *s, const char *pattern)
{
        for (; *pattern; s++, pattern++) {
                if (*pattern == 'D') {
                        if (*s < '0' || *s > '9')
                                return 0;
                } else if (*s != *pattern) {
                        return 0;
                }
        }
        return *s == '\0';
}

static void test_times(void)
{
        char out[20], iso[32];
        int64_t before, after;
        time_t t0, t1, t, zero = 0;
        struct tm tm;
        int now_ok = 0;

        /* Far from UTC, so a local-time slip shows. */
        setenv("TZ", "Asia/Tokyo", 1);
        tzset();
        if (!localtime_r(&zero, &tm) || tm.tm_hour != 9) {
                /* No zone database here: the POSIX spelling of the same zone. */
                setenv("TZ", "JST-9", 1);
                tzset();
        }
        CHECK(localtime_r(&zero, &tm) && tm.tm_hour == 9);
        memset(out, 'x', sizeof(out));
        nrd_fs_format_utc(0, out);
        CHECK_STR(out, "1970-01-01 00:00:00");
        nrd_fs_format_utc(1664535040, out);
        CHECK_STR(out, "2022-09-30 10:50:40");
        nrd_fs_format_utc(1621742126, out);
        CHECK_STR(out, "2021-05-23 03:55:26");
        /* The last second of a leap day. */
        nrd_fs_format_utc(951868799, out);
        CHECK_STR(out, "2000-02-29 23:59:59");
        /* The digits written by hand are strftime's, from year 0 (three
         * digits and fewer: strftime's own) up to the last second of 9999. */
        for (t = -62167219200; t <= 253402300799; t += 7919 * 86400 + 3607) {
                char want[20];
                struct tm utc;

                CHECK(gmtime_r(&t, &utc) != NULL);
                strftime(want, sizeof(want), "%Y-%m-%d %H:%M:%S", &utc);
                nrd_fs_format_utc(t, out);
                CHECK_STR(out, want);
        }
        nrd_fs_format_utc(253402300799, out);
        CHECK_STR(out, "9999-12-31 23:59:59");

        /* It is now, in UTC: the seconds agree with time() taken around it
         * (time() may lag the precise clock by a tick, hence the + 1). */
        t0 = time(NULL);
        nrd_fs_now_iso8601(iso);
        t1 = time(NULL);
        CHECK(matches(iso, "DDDD-DD-DDTDD:DD:DD.DDDZ"));
        CHECK(!matches("2022-09-30 10:50:40.123Z", "DDDD-DD-DDTDD:DD:DD.DDDZ"));
        iso[10] = ' ';
        iso[19] = '\0';
        for (t = t0; t <= t1 + 1 && !now_ok; t++) {
                nrd_fs_format_utc(t, out);
                now_ok = strcmp(iso, out) == 0;
        }
        CHECK(now_ok);

        before = nrd_fs_now_ns();
        after = nrd_fs_now_ns();
        CHECK(before > (int64_t)1600000000 * 1000000000);
        CHECK(after >= before);
        unsetenv("TZ");
        tzset();
}

static void test_join(void)
{
        char *p;

        p = nrd_fs_join("a", "b");
        CHECK_STR(p, "a/b");
        free(p);
        p = nrd_fs_join("a/", "b");
        CHECK_STR(p, "a/b");
        free(p);
        p = nrd_fs_join("/", "x");
        CHECK_STR(p, "/x");
        free(p);
        p = nrd_fs_join("/home/u/.nereid", "store.db");
        CHECK_STR(p, "/home/u/.nereid/store.db");
        free(p);
        p = nrd_fs_join("a/b", "c/d");
        CHECK_STR(p, "a/b/c/d");
        free(p);
}

static void test_utf8(void)
{
        CHECK(nrd_fs_is_utf8(""));
        CHECK(nrd_fs_is_utf8("plain ascii/path.txt"));
        CHECK(nrd_fs_is_utf8("donn\xC3\xA9"
                             "es/\xC3\xA9.txt"));        /* é */
        CHECK(nrd_fs_is_utf8("\xE2\x82\xAC"));           /* € */
        CHECK(nrd_fs_is_utf8("\xF0\x9F\x98\x80 smile")); /* U+1F600 */
        CHECK(nrd_fs_is_utf8("\xF4\x8F\xBF\xBF"));       /* U+10FFFF */
        CHECK(nrd_fs_is_utf8("\xED\x9F\xBF"));           /* U+D7FF */
        CHECK(nrd_fs_is_utf8("\xEE\x80\x80"));           /* U+E000 */
        CHECK(!nrd_fs_is_utf8("\xFF"));                  /* never valid */
        CHECK(!nrd_fs_is_utf8("a\xFE"));                 /* never valid */
        CHECK(!nrd_fs_is_utf8("\xC0\xAF"));              /* overlong '/' */
        CHECK(!nrd_fs_is_utf8("\xC1\xBF"));              /* overlong */
        CHECK(!nrd_fs_is_utf8("\xE0\x80\xAF"));          /* overlong '/' */
        CHECK(!nrd_fs_is_utf8("\xF0\x80\x80\xAF"));      /* overlong '/' */
        CHECK(!nrd_fs_is_utf8("\x80"));                  /* lone continuation */
        CHECK(!nrd_fs_is_utf8("ab\xBF"));                /* lone continuation */
        CHECK(!nrd_fs_is_utf8("\xED\xA0\x80"));          /* surrogate U+D800 */
        CHECK(!nrd_fs_is_utf8("\xED\xBF\xBF"));          /* surrogate U+DFFF */
        CHECK(!nrd_fs_is_utf8("\xC3"));                  /* truncated at the end */
        CHECK(!nrd_fs_is_utf8("\xE2\x82"));              /* truncated at the end */
        CHECK(!nrd_fs_is_utf8("\xF0\x9F\x98"));          /* truncated at the end */
        CHECK(!nrd_fs_is_utf8("\xE2\x82x"));             /* truncated mid-string */
        CHECK(!nrd_fs_is_utf8("\xF4\x90\x80\x80"));      /* above U+10FFFF */
        CHECK(!nrd_fs_is_utf8("\xF8\x88\x80\x80\x80"));  /* 5-byte form */
}

static void test_open_dir_below(void)
{
        char *base = path_in(root, "below"), *outside = path_in(root, "outside");
        int rootfd, fd;

        CHECK(mkdir(base, 0700) == 0);
        CHECK(mkdir(outside, 0700) == 0);
        rootfd = open(base, O_RDONLY | O_DIRECTORY);
        CHECK(rootfd >= 0);
        if (rootfd < 0)
                return;

        /* Nested folders are created and the innermost one is returned. */
        fd = nrd_fs_open_dir_below(rootfd, "a/b/c");
        CHECK(fd_is_dir(fd));
        CHECK(is_dir(path_in(base, "a/b/c")));
        if (fd >= 0) {
                /* It is that very folder: a file made through it shows there. */
                int f = openat(fd, "probe", O_WRONLY | O_CREAT | O_EXCL, 0600);

                CHECK(f >= 0);
                if (f >= 0)
                        close(f);
                CHECK(access(path_in(base, "a/b/c/probe"), F_OK) == 0);
                close(fd);
        }
        /* Existing folders are fine, as are doubled slashes. */
        fd = nrd_fs_open_dir_below(rootfd, "a/b");
        CHECK(fd_is_dir(fd));
        if (fd >= 0)
                close(fd);
        fd = nrd_fs_open_dir_below(rootfd, "a//b/d/");
        CHECK(fd_is_dir(fd));
        if (fd >= 0)
                close(fd);
        CHECK(is_dir(path_in(base, "a/b/d")));

        /* "" is the root itself. */
        fd = nrd_fs_open_dir_below(rootfd, "");
        CHECK(fd_is_dir(fd));
        if (fd >= 0) {
                struct stat a, b;

                CHECK(fstat(fd, &a) == 0 && fstat(rootfd, &b) == 0 && a.st_ino == b.st_ino &&
                      a.st_dev == b.st_dev);
                close(fd);
        }

        /* A link planted below the root does not lead out of it. */
        CHECK(symlink(outside, path_in(base, "evil")) == 0);
        nrd_error_clear();
        fd = nrd_fs_open_dir_below(rootfd, "evil/x");
        CHECK(fd < 0);
        if (fd >= 0)
                close(fd);
        CHECK(strstr(nereid_error_last(), "evil") != NULL);
        CHECK(count_entries(outside) == 0);
        fd = nrd_fs_open_dir_below(rootfd, "evil");
        CHECK(fd < 0);
        if (fd >= 0)
                close(fd);
        /* ...nor does one deeper down. */
        CHECK(symlink(outside, path_in(base, "a/b/evil")) == 0);
        fd = nrd_fs_open_dir_below(rootfd, "a/b/evil/y/z");
        CHECK(fd < 0);
        if (fd >= 0)
                close(fd);
        CHECK(count_entries(outside) == 0);

        /* A regular file in the way. */
        fd = open(path_in(base, "file"), O_WRONLY | O_CREAT | O_EXCL, 0600);
        CHECK(fd >= 0);
        if (fd >= 0)
                close(fd);
        fd = nrd_fs_open_dir_below(rootfd, "file/x");
        CHECK(fd < 0);
        if (fd >= 0)
                close(fd);
        fd = nrd_fs_open_dir_below(rootfd, "file");
        CHECK(fd < 0);
        if (fd >= 0)
                close(fd);
        CHECK(access(path_in(base, "file/x"), F_OK) < 0);
        close(rootfd);
}

static void test_temp_in(void)
{
        char *dir = path_in(root, "temps");
        char name1[256], name2[256], tiny[8];
        int dirfd, fd1, fd2, fd;
        struct stat st;

        CHECK(mkdir(dir, 0700) == 0);
        dirfd = open(dir, O_RDONLY | O_DIRECTORY);
        CHECK(dirfd >= 0);
        if (dirfd < 0)
                return;
        fd1 = nrd_fs_temp_in(dirfd, "model.bin", name1, sizeof(name1));
        fd2 = nrd_fs_temp_in(dirfd, "model.bin", name2, sizeof(name2));
        CHECK(fd1 >= 0 && fd2 >= 0);
        if (fd1 >= 0 && fd2 >= 0) {
                CHECK(name1[0] == '.');
                CHECK(strncmp(name1, ".model.bin.nereid-", 18) == 0);
                CHECK(strlen(name1) == 18 + 6);
                CHECK(strstr(name2, ".nereid-") != NULL);
                CHECK(strcmp(name1, name2) != 0);
                /* New, empty, regular files in the folder, open for writing. */
                CHECK(fstatat(dirfd, name1, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
                      st.st_size == 0);
                CHECK(fstatat(dirfd, name2, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
                      st.st_size == 0);
                CHECK(write(fd1, "data", 4) == 4);
                CHECK(fstatat(dirfd, name1, &st, 0) == 0 && st.st_size == 4);
                CHECK(fstatat(dirfd, name2, &st, 0) == 0 && st.st_size == 0);
        }
        if (fd1 >= 0)
                close(fd1);
        if (fd2 >= 0)
                close(fd2);
        CHECK(count_entries(dir) == 2);

        /* A name that does not fit is refused, and nothing is left behind. */
        fd = nrd_fs_temp_in(dirfd, "model.bin", tiny, sizeof(tiny));
        CHECK(fd < 0);
        if (fd >= 0)
                close(fd);
        CHECK(count_entries(dir) == 2);
        close(dirfd);
}

int main(void)
{
        if (scratch_begin("fs") < 0)
                return 1;
        test_times();
        test_join();
        test_utf8();
        test_open_dir_below();
        test_temp_in();
        return scratch_end(CHECK_DONE());
}
