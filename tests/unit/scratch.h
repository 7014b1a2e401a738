/*
 * scratch.h - the scratch folder of a unit test: made under
 * $NEREID_TEST_TMP (or /tmp) by scratch_begin, removed by scratch_end when
 * every check passed (kept for a look when one failed), and a few helpers
 * for paths and entries in it.
 */
#ifndef NEREID_SCRATCH_H
#define NEREID_SCRATCH_H

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The test's scratch folder, set by scratch_begin. */
static char root[2048];

static inline const char *tmp_root(void)
{
        const char *base = getenv("NEREID_TEST_TMP");

        if (!base || !*base)
                return "/tmp";
        if (mkdir(base, 0700) < 0 && errno != EEXIST)
                return "/tmp";
        return base;
}

/* dir/name in one of 8 rotating static buffers: no freeing in the tests.
 * dir or name may be an earlier result, even the buffer about to be reused:
 * the path is built apart and copied in. A path too long for the buffer
 * ends the test rather than naming another file. */
static inline char *path_in(const char *dir, const char *name)
{
        static char paths[8][4096];
        static unsigned next;
        char built[4096];
        char *p = paths[next++ % 8];
        int n = snprintf(built, sizeof(built), "%s/%s", dir, name);

        if (n < 0 || (size_t)n >= sizeof(built)) {
                fprintf(stderr, "path_in: %s/%s: path too long for the test\n", dir, name);
                exit(1);
        }
        memcpy(p, built, (size_t)n + 1);
        return p;
}

/* Entries of a folder, "." and ".." aside; -1 when it cannot be read. */
static inline int count_entries(const char *dir)
{
        DIR *d = opendir(dir);
        struct dirent *e;
        int n = 0;

        if (!d)
                return -1;
        while ((e = readdir(d)) != NULL)
                if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
                        n++;
        closedir(d);
        return n;
}

/* Make root: "<tmp>/nereid-<name>-XXXXXX". 0, or -1 with a message. */
static inline int scratch_begin(const char *name)
{
        int n = snprintf(root, sizeof(root), "%s/nereid-%s-XXXXXX", tmp_root(), name);

        if (n < 0 || (size_t)n >= sizeof(root)) {
                fprintf(stderr, "scratch_begin: the temporary folder's path is too long\n");
                return -1;
        }
        if (!mkdtemp(root)) {
                perror("mkdtemp");
                return -1;
        }
        return 0;
}

static inline int scratch_remove(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
        (void)st;
        (void)type;
        (void)ftw;
        return remove(path) < 0 && errno != ENOENT ? -1 : 0;
}

/* Remove root when the test passed (rc 0); return rc. */
static inline int scratch_end(int rc)
{
        if (rc == 0 && nftw(root, scratch_remove, 16, FTW_DEPTH | FTW_PHYS) != 0)
                fprintf(stderr, "could not remove %s: %s\n", root, strerror(errno));
        return rc;
}

#endif
