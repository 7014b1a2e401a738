/*
 * records.h - making file records in unit tests: strdup'd strings, as a
 * source driver makes them, with a fixed source folder and time.
 */
#ifndef NEREID_TEST_RECORDS_H
#define NEREID_TEST_RECORDS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "record.h"

static inline char *xdup(const char *s)
{
        char *d = s ? strdup(s) : NULL;

        if (s && !d)
                abort();
        return d;
}

/* A Local record of path: source file:///x/PATH, modified 2022-09-30 10:50:40. */
static inline struct nereid_file make(const char *path, const char *hash, uint64_t size)
{
        struct nereid_file f;
        char source[512];

        snprintf(source, sizeof(source), "file:///x/%s", path);
        memset(&f, 0, sizeof(f));
        f.file_path = xdup(path);
        f.file_hash = xdup(hash);
        f.type = xdup("Local");
        f.size = size;
        f.has_size = 1;
        f.source = xdup(source);
        f.last_modified = xdup("2022-09-30 10:50:40");
        return f;
}

/* Append make(path, hash, size) to files (CHECK comes from check.h). */
static inline void push(nereid_files *files, const char *path, const char *hash, uint64_t size)
{
        struct nereid_file f = make(path, hash, size);

        CHECK(nrd_files_push(files, &f) == 0);
}

#endif
