/*
 * syserr.h - the text of an errno value, thread-safe: strerror() may
 * return a buffer shared by every thread, so the library uses strerror_r.
 * glibc with _GNU_SOURCE has the GNU form (returns a char *, which may or
 * may not be buf); musl and strict POSIX builds have the XSI form (returns
 * an int, fills buf). _Generic picks the right reading at compile time, so
 * the code is correct with either. Not for composing messages (error.c).
 */
#ifndef NEREID_SYSERR_H
#define NEREID_SYSERR_H

#include <stddef.h>
#include <string.h>

/* Room for any errno text. */
#define SYSERR_MAX 128

static inline const char *syserr_gnu(char *ret, char *buf)
{
        (void)buf;
        return ret ? ret : "unknown error";
}

static inline const char *syserr_xsi(int ret, char *buf)
{
        return ret == 0 ? buf : "unknown error";
}

/* The text of errnum, in buf (size bytes) or in static storage; never NULL. */
#define syserr_text(errnum, buf, size)                                                             \
        _Generic(strerror_r((errnum), (buf), (size)), char *: syserr_gnu, default: syserr_xsi)( \
            strerror_r((errnum), (buf), (size)), (buf))

#endif
