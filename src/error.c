/*
 * error.c - the thread-local last-error message (nereid_error_last) and the
 * functions that set it. Messages are cut at a fixed size rather than
 * allocated, so that reporting an out-of-memory error cannot itself fail.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "error.h"

#define ERROR_MESSAGE_MAX 1024

static _Thread_local char error_message[ERROR_MESSAGE_MAX];

static void error_vset(const char *fmt, va_list ap)
{
        vsnprintf(error_message, sizeof(error_message), fmt, ap);
}

int nereid_error(int code, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        error_vset(fmt, ap);
        va_end(ap);
        return code;
}

int nereid_error_os(int code, int errnum, const char *fmt, ...)
{
        va_list ap;
        size_t len;

        va_start(ap, fmt);
        error_vset(fmt, ap);
        va_end(ap);
        len = strlen(error_message);
        snprintf(error_message + len, sizeof(error_message) - len, ": %s", strerror(errnum));
        return code;
}

int nereid_error_from_errno(int errnum)
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

int nereid_error_oom(void)
{
        snprintf(error_message, sizeof(error_message), "out of memory");
        return NEREID_ERROR;
}

void nereid_error_clear(void)
{
        error_message[0] = '\0';
}

const char *nereid_error_last(void)
{
        return error_message;
}
