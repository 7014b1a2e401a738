/*
 * read_floor.c - the floor of a cold track's reading: every regular file under a folder opened
 * from its folder's descriptor, fstat'ed, read to its end through a 64 KiB buffer, fstat'ed again
 * and closed (the system calls a track makes per file), on N threads, with no hashing, no hash
 * cache and no store. bench/md5mb.py builds and runs it beside `xargs -P cat`, which for small
 * files is no floor (a process start per batch, and more system calls per file than md5sum).
 * Not a test, and not a walk to copy: no link or error handling beyond a message.
 *   cc -O2 -pthread bench/read_floor.c -o read_floor && ./read_floor DIR THREADS
 * Prints "files bytes walk_s read_s" (wall seconds of the walk, then of the reading).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct item {
        int dirfd;
        char *name;
};

static struct item *items;
static size_t nitems, cap;
static atomic_size_t next_item;
static atomic_ullong total_bytes;

static double wall(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *name)
{
        fprintf(stderr, "read_floor: %s: %s\n", name, what);
        exit(1);
}

/* Folders stay open (the files are opened from them later). */
static void walk(int dirfd, const char *name)
{
        DIR *dir = fdopendir(dup(dirfd));
        struct dirent *de;

        if (!dir)
                die("cannot list", name);
        while ((de = readdir(dir))) {
                if (de->d_name[0] == '.' &&
                    (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
                        continue;
                unsigned char type = de->d_type;
                struct stat st;

                /* A file system that does not say: as the walk, ask. */
                if (type == DT_UNKNOWN && fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
                        type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : 0;
                if (type == DT_DIR) {
                        int fd = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

                        if (fd < 0)
                                die("cannot open folder", de->d_name);
                        walk(fd, de->d_name);
                } else if (type == DT_REG) {
                        if (nitems == cap) {
                                cap = cap ? cap * 2 : 4096;
                                if (!(items = realloc(items, cap * sizeof(*items))))
                                        die("out of memory", name);
                        }
                        items[nitems].dirfd = dirfd;
                        if (!(items[nitems++].name = strdup(de->d_name)))
                                die("out of memory", name);
                }
        }
        closedir(dir);
}

static void *reader(void *arg)
{
        static __thread unsigned char buf[64 * 1024];
        unsigned long long bytes = 0;
        size_t i;

        (void)arg;
        while ((i = atomic_fetch_add(&next_item, 1)) < nitems) {
                struct stat before, after;
                ssize_t n;
                int fd = openat(items[i].dirfd, items[i].name,
                                O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);

                if (fd < 0 || fstat(fd, &before) < 0)
                        die("cannot open", items[i].name);
                /* As a track: the read that reaches the size ends it. */
                off_t got = 0;

                do {
                        n = read(fd, buf, sizeof(buf));
                        if (n < 0)
                                die("cannot read", items[i].name);
                        got += n;
                } while (n > 0 && got < before.st_size);
                bytes += (unsigned long long)got;
                if (fstat(fd, &after) < 0 || after.st_size != before.st_size)
                        die("changed", items[i].name);
                close(fd);
        }
        atomic_fetch_add(&total_bytes, bytes);
        return NULL;
}

int main(int argc, char **argv)
{
        struct rlimit lim;
        pthread_t threads[64];
        double t0, t1, t2;
        int fd, n, i;

        if (argc != 3 || (n = atoi(argv[2])) < 1) {
                fprintf(stderr, "usage: read_floor DIR THREADS\n");
                return 2;
        }
        if (n > 64)
                n = 64; /* more threads than this read no faster */
        if (getrlimit(RLIMIT_NOFILE, &lim) == 0) {
                lim.rlim_cur = lim.rlim_max;
                setrlimit(RLIMIT_NOFILE, &lim);
        }
        t0 = wall();
        if ((fd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
                die("cannot open folder", argv[1]);
        walk(fd, argv[1]);
        t1 = wall();
        for (i = 0; i < n; i++)
                if (pthread_create(&threads[i], NULL, reader, NULL) != 0)
                        die("cannot start a thread", argv[1]);
        for (i = 0; i < n; i++)
                pthread_join(threads[i], NULL);
        t2 = wall();
        printf("%zu %llu %.3f %.3f\n", nitems, (unsigned long long)atomic_load(&total_bytes),
               t1 - t0, t2 - t1);
        return 0;
}
