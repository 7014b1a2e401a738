/*
 * source.c - the registry of source drivers, the one table keyed by
 * scheme and record type, and what above the seam needs of it: finding
 * the driver of a track path, of a record's source or of a record type,
 * and the checks drivers share (wildcards, a target already in place).
 * Not for any scheme's own syntax: each driver parses and formats its
 * locations itself.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../alloc.h"
#include "../buf.h"
#include "../error.h"
#include "../hash.h"
#include "source.h"

/* Adding a driver: one file and one row here (docs/internals/source.md). */
static const source_driver *const source_drivers[] = {
    &nrd_source_local,
    &nrd_source_s3,
};

#define SOURCE_DRIVER_COUNT (sizeof(source_drivers) / sizeof(source_drivers[0]))
/* Room for the lists of schemes and types that messages quote. */
#define SOURCE_LIST_MAX 256

size_t nrd_source_driver_count(void)
{
        return SOURCE_DRIVER_COUNT;
}

const source_driver *nrd_source_driver_at(size_t i)
{
        return i < SOURCE_DRIVER_COUNT ? source_drivers[i] : NULL;
}

const source_driver *nrd_source_for_scheme(const char *scheme, size_t len)
{
        size_t i;

        for (i = 0; scheme && i < SOURCE_DRIVER_COUNT; i++)
                if (strlen(source_drivers[i]->scheme) == len &&
                    strncasecmp(source_drivers[i]->scheme, scheme, len) == 0)
                        return source_drivers[i];
        return NULL;
}

const source_driver *nrd_source_for_type(const char *type)
{
        size_t i;

        for (i = 0; type && i < SOURCE_DRIVER_COUNT; i++)
                if (strcmp(source_drivers[i]->type, type) == 0)
                        return source_drivers[i];
        return NULL;
}

static const source_driver *source_bare(void)
{
        size_t i;

        for (i = 0; i < SOURCE_DRIVER_COUNT; i++)
                if (source_drivers[i]->caps & SOURCE_CAP_BARE_PATHS)
                        return source_drivers[i];
        return NULL;
}

/* "A, B or C" of the registry's rows, each item printed with fmt (one %s:
 * the scheme, or the type when types is 1). */
static void source_list(char *out, size_t cap, const char *fmt, int types)
{
        size_t i, len = 0;

        out[0] = '\0';
        for (i = 0; i < SOURCE_DRIVER_COUNT && len < cap; i++) {
                const source_driver *d = source_drivers[i];
                const char *sep = i == 0 ? "" : i + 1 == SOURCE_DRIVER_COUNT ? " or " : ", ";
                int n;

                n = snprintf(out + len, cap - len, "%s", sep);
                if (n > 0)
                        len += (size_t)n;
                if (len >= cap)
                        break;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
                n = snprintf(out + len, cap - len, fmt, types ? d->type : d->scheme);
#pragma GCC diagnostic pop
                if (n > 0)
                        len += (size_t)n;
        }
}

/* Length of an RFC 3986 scheme and its ':' at the start of text
 * ("s3:" -> 2), or 0. */
static size_t source_scheme_len(const char *text)
{
        size_t n = 0;
        char c = text[0];

        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
                return 0;
        for (;; n++) {
                c = text[n];
                if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '+' || c == '-' || c == '.'))
                        break;
        }
        return text[n] == ':' ? n : 0;
}

static int source_has_slashes(const char *text, size_t scheme_len)
{
        return scheme_len && text[scheme_len + 1] == '/' && text[scheme_len + 2] == '/';
}

int nrd_source_refuse_wildcards(const char *text)
{
        if (strpbrk(text, "*?"))
                return nrd_error(NEREID_EINVALID, "path \"%s\": wildcards are not supported", text);
        return 0;
}

int nrd_source_parse_location(const char *text, const char *home, source_location *out)
{
        const source_driver *driver;
        size_t n;
        int rc;

        memset(out, 0, sizeof(*out));
        if (!text || !text[0])
                return nrd_error(NEREID_EINVALID, "path \"\": empty path");
        n = source_scheme_len(text);
        driver = n ? nrd_source_for_scheme(text, n) : NULL;
        if (driver && !source_has_slashes(text, n) && !(driver->caps & SOURCE_CAP_OPAQUE))
                driver = NULL; /* "s3:x" is a relative path, as "C:x" */
        if (!driver && source_has_slashes(text, n)) {
                char kinds[SOURCE_LIST_MAX];

                if ((rc = nrd_source_refuse_wildcards(text)) < 0)
                        return rc;
                source_list(kinds, sizeof(kinds), "%s://", 0);
                return nrd_error(NEREID_EINVALID,
                                 "path \"%s\": unsupported scheme \"%.*s\" (use %s%s)", text,
                                 (int)n, text, source_bare() ? "a local path, " : "", kinds);
        }
        if (!driver && !(driver = source_bare()))
                return nrd_error(NEREID_EINVALID, "path \"%s\": no scheme", text);
        out->driver = driver;
        rc = driver->parse(text, home, out);
        if (rc < 0)
                nrd_source_location_clear(out);
        return rc;
}

int nrd_source_location_of_record(const struct nereid_file *rec, source_location *out)
{
        const source_driver *driver = nrd_source_for_type(rec->type);
        int rc;

        memset(out, 0, sizeof(*out));
        if (!driver)
                return nrd_error(NEREID_ERROR, "%s: unknown record type %s", rec->file_path,
                                 rec->type ? rec->type : "(none)");
        if (!rec->source)
                return nrd_error(NEREID_ERROR, "%s: the record has no source", rec->file_path);
        out->driver = driver;
        out->exact = 1;
        rc = driver->parse_source(rec->source, out);
        if (rc < 0)
                nrd_source_location_clear(out);
        return rc;
}

char *nrd_source_format_location(const source_location *loc)
{
        return loc->driver->format(loc);
}

void nrd_source_location_clear(source_location *loc)
{
        if (!loc)
                return;
        free(loc->host);
        free(loc->path);
        memset(loc, 0, sizeof(*loc));
}

int nrd_source_check_record(const struct nereid_file *f, const char *at)
{
        const source_driver *driver = nrd_source_for_type(f->type);

        if (!driver) {
                char types[SOURCE_LIST_MAX];

                source_list(types, sizeof(types), "\"%s\"", 1);
                return nrd_error(NEREID_EINVALID, "%s: type \"%.40s\" is not %s", at,
                                 f->type ? f->type : "", types);
        }
        return driver->check_record(f, at);
}

int nrd_source_target_has_md5(int dirfd, const char *name, const char *expected_md5)
{
        char md5[NEREID_MD5_HEXLEN + 1];
        struct stat st;
        uint64_t nread;
        int fd, same;

        if (!nrd_hash_is_md5(expected_md5))
                return 0;
        fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return 0;
        same = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
               nrd_hash_md5_fd(fd, name, NULL, md5, &nread) == 0 && strcmp(md5, expected_md5) == 0;
        close(fd);
        return same;
}

char *nrd_source_prefixed(const char *destination, const char *rel)
{
        size_t dlen = destination ? strlen(destination) : 0, rlen = strlen(rel);
        size_t at = dlen ? dlen + 1 : 0;
        char *path;

        /* One allocation of the exact size: a track makes one per file. */
        if (rlen > SIZE_MAX - at - 1 || !(path = nrd_malloc(at + rlen + 1)))
                return NULL;
        if (dlen) {
                memcpy(path, destination, dlen);
                path[dlen] = '/';
        }
        memcpy(path + at, rel, rlen + 1);
        return path;
}
