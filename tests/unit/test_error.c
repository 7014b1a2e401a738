/*
 * test_error.c - the last-error message (src/error.c): a message longer
 * than its buffer (a path of thousands of bytes) keeps its start and its
 * cause at the end, losing the middle, and is never cut inside a UTF-8
 * sequence.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include "check.h"
#include "error.h"
#include "fs.h"

static int ends_with(const char *s, const char *end)
{
        size_t n = strlen(s), m = strlen(end);

        return n >= m && strcmp(s + n - m, end) == 0;
}

static void format(char *out, size_t cap, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        nrd_error_vformat(out, cap, fmt, ap);
        va_end(ap);
}

int main(void)
{
        static char path[6000], accents[6001];
        char small[64];
        const char *msg;
        size_t i;

        /* Short messages are as they were. */
        CHECK(nrd_error(NEREID_ERROR, "run %s: not found", "SND-1") == NEREID_ERROR);
        CHECK_STR(nereid_error_last(), "run SND-1: not found");
        CHECK(nrd_error_os(NEREID_ENOTFOUND, ENOENT, "%s", "x") == NEREID_ENOTFOUND);
        CHECK_STR(nereid_error_last(), "x: No such file or directory");

        /* A path of 5,999 bytes: the cause survives. */
        for (i = 0; i + 1 < sizeof(path); i++)
                path[i] = i % 3 == 2 ? '/' : 'd';
        path[0] = '/';
        nrd_error(NEREID_ERROR, "%s: cannot resolve the link: %s", path, "File name too long");
        msg = nereid_error_last();
        CHECK(strlen(msg) < 1024);
        CHECK(strlen(msg) > 900);
        CHECK(ends_with(msg, "dd: cannot resolve the link: File name too long"));
        CHECK(strncmp(msg, "/d/dd/dd/", 9) == 0);
        CHECK(strstr(msg, "...") != NULL);
        nrd_error_os(NEREID_ERROR, ENAMETOOLONG, "%s: cannot open folder", path);
        msg = nereid_error_last();
        CHECK(strlen(msg) < 1024);
        CHECK(ends_with(msg, ": cannot open folder: File name too long"));

        /* Cuts fall between UTF-8 sequences. */
        for (i = 0; i + 1 < sizeof(accents); i += 2) {
                accents[i] = (char)0xc3;
                accents[i + 1] = (char)0xa9;
        }
        accents[sizeof(accents) - 1] = '\0';
        for (i = 0; i < 4; i++) {
                /* The prefix moves the cut across the sequences. */
                nrd_error(NEREID_ERROR, "%.*s%.*s: vanished", (int)i, "abc", (int)(5000 + 2 * i),
                          accents);
                msg = nereid_error_last();
                CHECK(nrd_fs_is_utf8(msg));
                CHECK(ends_with(msg, ": vanished"));
        }

        /* Warnings use the same rule, in any buffer. */
        format(small, sizeof(small), "%s: link to a folder skipped", path);
        CHECK(strlen(small) == sizeof(small) - 1 || strlen(small) < sizeof(small));
        CHECK(ends_with(small, ": link to a folder skipped"));
        return CHECK_DONE();
}
