/*
 * test_fs_temp.c - the life of download temporary files (fs.c): locked and
 * registered while their process makes them, removed as stale by
 * nrd_fs_temp_clean only once no process holds them, never mistaken for a
 * user's file of a similar name, and removed by nrd_fs_temp_remove_all (the
 * async-signal-safe clean-up behind nereid_download_abort). Not for the
 * other helpers of fs.c (test_fs.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check.h"
#include "scratch.h"
#include "error.h"
#include "fs.h"

static int exists(int dirfd, const char *name)
{
        struct stat st;

        return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static void put(int dirfd, const char *name)
{
        int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0644);

        CHECK(fd >= 0);
        if (fd >= 0) {
                CHECK(write(fd, "x", 1) == 1);
                close(fd);
        }
}

static int open_folder(const char *name)
{
        char *dir = path_in(root, name);
        int fd;

        CHECK(mkdir(dir, 0700) == 0);
        fd = open(dir, O_RDONLY | O_DIRECTORY);
        CHECK(fd >= 0);
        return fd;
}

/* A temporary file is the process's own until nrd_fs_temp_forget: not even
 * closing its fd lets nrd_fs_temp_clean take it (a download closes its file
 * before renaming it). */
static void test_held_until_forgotten(void)
{
        char name[256];
        int dirfd = open_folder("held"), fd;

        if (dirfd < 0)
                return;
        fd = nrd_fs_temp_in(dirfd, "model.bin", name, sizeof(name));
        CHECK(fd >= 0);
        if (fd < 0)
                goto out;
        CHECK(flock(fd, LOCK_EX | LOCK_NB) == 0); /* ours already */
        CHECK(nrd_fs_temp_clean(dirfd) == 0);
        CHECK(exists(dirfd, name));
        close(fd);
        CHECK(nrd_fs_temp_clean(dirfd) == 0);
        CHECK(exists(dirfd, name));
        nrd_fs_temp_forget();
        /* Now it is what a killed download leaves: stale. */
        CHECK(nrd_fs_temp_clean(dirfd) == 1);
        CHECK(!exists(dirfd, name));
out:
        close(dirfd);
}

/* A temporary file locked by another live process is never removed. */
static void test_other_process(void)
{
        int dirfd = open_folder("other"), fds[2], fd;
        pid_t child;
        char c;

        if (dirfd < 0)
                return;
        put(dirfd, ".data.csv.nereid-abc123");
        CHECK(pipe(fds) == 0);
        child = fork();
        if (child == 0) {
                fd = openat(dirfd, ".data.csv.nereid-abc123", O_RDONLY);
                if (fd < 0 || flock(fd, LOCK_EX) < 0 || write(fds[1], "l", 1) != 1)
                        _exit(1);
                pause();
                _exit(0);
        }
        CHECK(child > 0);
        CHECK(read(fds[0], &c, 1) == 1);
        CHECK(nrd_fs_temp_clean(dirfd) == 0);
        CHECK(exists(dirfd, ".data.csv.nereid-abc123"));
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
        /* Its process is gone, and so is its lock. */
        CHECK(nrd_fs_temp_clean(dirfd) == 1);
        CHECK(!exists(dirfd, ".data.csv.nereid-abc123"));
        close(fds[0]);
        close(fds[1]);
        close(dirfd);
}

/* Only Nereid's own names are taken, and only files (or temporary links of
 * a process that is gone). */
static void test_names(void)
{
        static const char *const kept[] = {
            "a.nereid-abc123",   ".a.nereid-abc12",   ".a.nereid-abc1234", ".a.nereid-ABC123",
            ".a.nereid-abc 12",  "..nereid-abc123",   ".nereid-abc123",    ".a.nereid_abc123",
            ".a.nereid-link-1-", ".a.nereid-link--1", "data.csv",          ".a.nereid-link-x-1",
        };
        char own_link[64];
        size_t i;
        int dirfd = open_folder("names");

        if (dirfd < 0)
                return;
        for (i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
                put(dirfd, kept[i]);
        put(dirfd, ".a.nereid-abc123");
        put(dirfd, ".a b\\c.nereid-0z9y8x");
        CHECK(mkdirat(dirfd, ".d.nereid-abc123", 0700) == 0);            /* a folder: kept */
        CHECK(mkfifoat(dirfd, ".f.nereid-abc123", 0600) == 0);           /* a FIFO: never opened */
        CHECK(symlinkat("a", dirfd, ".l.nereid-abc123") == 0);           /* a link: not followed */
        CHECK(symlinkat("x", dirfd, ".a.nereid-link-999999999-1") == 0); /* no such process */
        snprintf(own_link, sizeof(own_link), ".a.nereid-link-%d-1", (int)getpid());
        CHECK(symlinkat("x", dirfd, own_link) == 0); /* this process's: in use */
        CHECK(nrd_fs_temp_clean(dirfd) == 3);
        CHECK(!exists(dirfd, ".a.nereid-abc123"));
        CHECK(!exists(dirfd, ".a b\\c.nereid-0z9y8x"));
        CHECK(!exists(dirfd, ".a.nereid-link-999999999-1"));
        for (i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
                if (!exists(dirfd, kept[i]))
                        fprintf(stderr, "%s was removed\n", kept[i]);
                CHECK(exists(dirfd, kept[i]));
        }
        CHECK(exists(dirfd, ".d.nereid-abc123"));
        CHECK(exists(dirfd, ".f.nereid-abc123"));
        CHECK(exists(dirfd, ".l.nereid-abc123"));
        CHECK(exists(dirfd, own_link));
        CHECK(exists(dirfd, "a") == 0);
        close(dirfd);
}

/* The mode asked for, less the umask. */
static void test_mode(void)
{
        char name[256];
        struct stat st;
        int dirfd = open_folder("mode"), fd;

        if (dirfd < 0)
                return;
        fd = nrd_fs_temp_in_mode(dirfd, "secret", 0600, name, sizeof(name));
        CHECK(fd >= 0 && fstat(fd, &st) == 0 && (st.st_mode & 0777) == 0600);
        if (fd >= 0)
                close(fd);
        nrd_fs_temp_forget();
        close(dirfd);
}

/* nrd_fs_temp_remove_all removes what is registered and not forgotten, and no
 * temporary file can be made afterwards. Last: it cannot be undone. */
static void test_remove_all(void)
{
        char kept[256], pending1[256], pending2[256], later[256];
        int dirfd = open_folder("abort"), fd1, fd2, fd3, fd;

        if (dirfd < 0)
                return;
        fd = nrd_fs_temp_in(dirfd, "done", kept, sizeof(kept));
        CHECK(fd >= 0);
        if (fd >= 0)
                close(fd);
        CHECK(renameat(dirfd, kept, dirfd, "done") == 0);
        nrd_fs_temp_forget();
        fd1 = nrd_fs_temp_in(dirfd, "a", pending1, sizeof(pending1));
        fd2 = nrd_fs_temp_in(dirfd, "b", pending2, sizeof(pending2));
        CHECK(fd1 >= 0 && fd2 >= 0);
        put(dirfd, "user-file");
        nrd_fs_temp_remove_all();
        CHECK(!exists(dirfd, pending1));
        CHECK(!exists(dirfd, pending2));
        CHECK(exists(dirfd, "done"));
        CHECK(exists(dirfd, "user-file"));
        fd3 = nrd_fs_temp_in(dirfd, "c", later, sizeof(later));
        CHECK(fd3 < 0);
        CHECK(strstr(nereid_error_last(), "cancelled") != NULL);
        CHECK(count_entries(path_in(root, "abort")) == 2);
        if (fd1 >= 0)
                close(fd1);
        if (fd2 >= 0)
                close(fd2);
        nrd_fs_temp_forget();
        close(dirfd);
}

int main(void)
{
        if (scratch_begin("fs-temp") < 0)
                return 1;
        test_held_until_forgotten();
        test_other_process();
        test_names();
        test_mode();
        test_remove_all();
        return scratch_end(CHECK_DONE());
}
