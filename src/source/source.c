/*
 * source.c - the registry of source drivers and what they share: finding
 * the driver for a location or a record type, and checking whether a
 * download target already holds the recorded content.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../buf.h"
#include "../error.h"
#include "../hash.h"
#include "source.h"

/* Adding a driver: one file and one line here. */
static const source_driver *const source_drivers[] = {
    &source_local,
    &source_s3,
};

#define SOURCE_DRIVER_COUNT (sizeof(source_drivers) / sizeof(source_drivers[0]))

const source_driver *source_for_scheme(int scheme)
{
        size_t i;

        for (i = 0; i < SOURCE_DRIVER_COUNT; i++)
                if (source_drivers[i]->scheme == scheme)
                        return source_drivers[i];
        return NULL;
}

const source_driver *source_for_type(const char *type)
{
        size_t i;

        for (i = 0; type && i < SOURCE_DRIVER_COUNT; i++)
                if (strcmp(source_drivers[i]->type, type) == 0)
                        return source_drivers[i];
        return NULL;
}

int source_target_has_md5(int dirfd, const char *name, const char *expected_md5)
{
        char md5[NEREID_MD5_HEXLEN + 1];
        struct stat st;
        uint64_t nread;
        int fd, same;

        if (!hash_is_md5(expected_md5))
                return 0;
        fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return 0;
        same = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
               hash_md5_fd(fd, name, NULL, md5, &nread) == 0 && strcmp(md5, expected_md5) == 0;
        close(fd);
        return same;
}

char *source_prefixed(const char *destination, const char *rel)
{
        nereid_buf buf = NEREID_BUF_INIT;

        if (destination && *destination) {
                buf_puts(&buf, destination);
                buf_putc(&buf, '/');
        }
        if (buf_puts(&buf, rel) < 0) {
                buf_free(&buf);
                return NULL;
        }
        return buf_detach(&buf);
}
