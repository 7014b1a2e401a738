/*
 * error.c - the thread-local last-error message (nereid_error_last) and the
 * functions that set it. Messages are kept in a fixed buffer rather than
 * allocated, so that reporting an out-of-memory error cannot itself fail.
 * A message longer than the buffer (a path of thousands of bytes) loses
 * the middle, never its end: the cause comes last and must survive.
 * Also the stable names of the status codes (nereid_error_name). Not for
 * printing: the tools print the message.
 */
/* Raw malloc for a message too long for the buffer: the wrappers would set
 * the message being built to "out of memory". */
#define NEREID_ALLOC_RAW
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "error.h"
#include "os/os.h"

#define ERROR_MESSAGE_MAX 1024

static _Thread_local char error_message[ERROR_MESSAGE_MAX];
/* The last NEREID_ERROR is "unavailable" (nrd_error_unavailable). */
static _Thread_local int error_unavailable;

/* Copy len bytes of full into out (cap bytes), dropping the middle for
 * "..." when it does not fit; cuts fall between UTF-8 sequences. */
static void error_elide(const char *full, size_t len, char *out, size_t cap)
{
        size_t head, tail;

        if (len < cap) {
                memcpy(out, full, len + 1);
                return;
        }
        if (cap < 8) {
                memcpy(out, full, cap - 1);
                out[cap - 1] = '\0';
                return;
        }
        head = (cap - 4) / 3;
        tail = len - (cap - 4 - head);
        while (head > 0 && ((unsigned char)full[head] & 0xc0) == 0x80)
                head--;
        while (tail < len && ((unsigned char)full[tail] & 0xc0) == 0x80)
                tail++;
        memcpy(out, full, head);
        memcpy(out + head, "...", 3);
        memcpy(out + head + 3, full + tail, len - tail + 1);
}

/* fmt and its arguments, then suffix (may be NULL), into out. */
static void error_vformat_suffix(char *out, size_t cap, const char *suffix, const char *fmt,
                                 va_list ap)
{
        size_t slen = suffix ? strlen(suffix) : 0;
        char *full;
        va_list copy;
        int n;

        va_copy(copy, ap);
        n = vsnprintf(out, cap, fmt, ap);
        if (n < 0) {
                va_end(copy);
                return;
        }
        if ((size_t)n + slen < cap) {
                if (suffix)
                        memcpy(out + n, suffix, slen + 1);
                va_end(copy);
                return;
        }
        full = malloc((size_t)n + slen + 1);
        if (!full) {
                /* No memory to keep the end: the start is better than nothing. */
                va_end(copy);
                return;
        }
        vsnprintf(full, (size_t)n + 1, fmt, copy);
        va_end(copy);
        if (suffix)
                memcpy(full + n, suffix, slen + 1);
        error_elide(full, (size_t)n + slen, out, cap);
        free(full);
}

void nrd_error_vformat(char *out, size_t cap, const char *fmt, va_list ap)
{
        error_vformat_suffix(out, cap, NULL, fmt, ap);
}

int nrd_error(int code, const char *fmt, ...)
{
        va_list ap;

        if (code != NEREID_ERROR)
                error_unavailable = 0;
        va_start(ap, fmt);
        error_vformat_suffix(error_message, sizeof(error_message), NULL, fmt, ap);
        va_end(ap);
        return code;
}

int nrd_error_unavailable(const char *fmt, ...)
{
        va_list ap;

        error_unavailable = 1;
        va_start(ap, fmt);
        error_vformat_suffix(error_message, sizeof(error_message), NULL, fmt, ap);
        va_end(ap);
        return NEREID_ERROR;
}

int nrd_error_is_unavailable(void)
{
        return error_unavailable;
}

int nrd_error_os(int code, int errnum, const char *fmt, ...)
{
        char suffix[256], text[200];
        va_list ap;

        snprintf(suffix, sizeof(suffix), ": %s", nrd_strerror(errnum, text, sizeof(text)));
        if (code != NEREID_ERROR)
                error_unavailable = 0;
        va_start(ap, fmt);
        error_vformat_suffix(error_message, sizeof(error_message), suffix, fmt, ap);
        va_end(ap);
        return code;
}

int nrd_error_from_errno(int errnum)
{
        switch (errnum) {
        case ENOENT:
                return NEREID_ENOTFOUND;
        case EACCES:
        case EPERM:
        case EROFS:
                return NEREID_EACCESS;
        default:
                return NEREID_ERROR;
        }
}

int nrd_error_oom(void)
{
        error_unavailable = 0;
        snprintf(error_message, sizeof(error_message), "out of memory");
        return NEREID_ERROR;
}

void nrd_error_clear(void)
{
        error_unavailable = 0;
        error_message[0] = '\0';
}

const char *nereid_error_last(void)
{
        return error_message;
}

const char *nrd_strerror(int errnum, char *buf, size_t cap)
{
        return nrd_os_strerror(errnum, buf, cap);
}

/* The names of the status codes, by negated value; never changed. */
static const char *const error_names[] = {
    "ok",        /* NEREID_OK */
    "error",     /* NEREID_ERROR */
    "invalid",   /* NEREID_EINVALID (NEREID_EINVALID) */
    "not-found", /* NEREID_ENOTFOUND */
    "access",    /* NEREID_EACCESS */
    "integrity", /* NEREID_EINTEGRITY */
    "exists",    /* NEREID_EEXISTS */
    "read-only", /* NEREID_EREADONLY */
    "cancelled", /* NEREID_ECANCELLED */
};

const char *nereid_error_name(int code)
{
        if (code > 0 || code < -(int)(sizeof(error_names) / sizeof(error_names[0]) - 1))
                return "unknown";
        return error_names[-code];
}
