/*
 * buf.c - the growable buffer of buf.h. Growth doubles the capacity, up to
 * the buffer's maximum; every size computation is checked for overflow.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "buf.h"
#include "error.h"

void nrd_buf_init(nereid_buf *buf, size_t max)
{
        buf->ptr = NULL;
        buf->len = buf->cap = 0;
        buf->max = max;
        buf->failed = 0;
}

/* A put failed: drop what the buffer holds, and fail every later put. */
static int buf_fail(nereid_buf *buf, int rc)
{
        free(buf->ptr);
        buf->ptr = NULL;
        buf->len = buf->cap = 0;
        buf->failed = 1;
        return rc;
}

int nrd_buf_grow(nereid_buf *buf, size_t extra)
{
        size_t need, cap, max = buf->max ? buf->max : NEREID_BUF_MAX;
        char *p;

        if (buf->failed)
                return NEREID_ERROR; /* the message of the first failure stands */
        if (extra > SIZE_MAX - buf->len - 1)
                return buf_fail(buf, nrd_error(NEREID_ERROR, "buffer: size overflow"));
        if (buf->len + extra > max)
                return buf_fail(buf, nrd_error(NEREID_ERROR, "buffer: more than %zu bytes", max));
        need = buf->len + extra + 1;
        if (need <= buf->cap)
                return 0;
        cap = buf->cap ? buf->cap : 64;
        while (cap < need)
                cap = cap > SIZE_MAX / 2 ? need : cap * 2;
        if (max < SIZE_MAX && cap > max + 1)
                cap = max + 1;
        p = nrd_realloc_array(buf->ptr, cap, 1);
        if (!p)
                return buf_fail(buf, NEREID_ERROR);
        buf->ptr = p;
        buf->cap = cap;
        buf->ptr[buf->len] = '\0'; /* a new buffer is a valid empty string */
        return 0;
}

int nrd_buf_put(nereid_buf *buf, const void *data, size_t len)
{
        if (nrd_buf_grow(buf, len) < 0)
                return NEREID_ERROR;
        if (len)
                memcpy(buf->ptr + buf->len, data, len);
        buf->len += len;
        buf->ptr[buf->len] = '\0';
        return 0;
}

int nrd_buf_puts(nereid_buf *buf, const char *s)
{
        return nrd_buf_put(buf, s, strlen(s));
}

int nrd_buf_putc(nereid_buf *buf, char c)
{
        return nrd_buf_put(buf, &c, 1);
}

int nrd_buf_vprintf(nereid_buf *buf, const char *fmt, va_list ap)
{
        va_list copy;
        int n;

        va_copy(copy, ap);
        n = vsnprintf(NULL, 0, fmt, copy);
        va_end(copy);
        if (n < 0)
                return buf_fail(buf, nrd_error(NEREID_ERROR, "buffer: bad format"));
        if (nrd_buf_grow(buf, (size_t)n) < 0)
                return NEREID_ERROR;
        vsnprintf(buf->ptr + buf->len, (size_t)n + 1, fmt, ap);
        buf->len += (size_t)n;
        return 0;
}

int nrd_buf_printf(nereid_buf *buf, const char *fmt, ...)
{
        va_list ap;
        int rc;

        va_start(ap, fmt);
        rc = nrd_buf_vprintf(buf, fmt, ap);
        va_end(ap);
        return rc;
}

void nrd_buf_clear(nereid_buf *buf)
{
        buf->failed = 0;
        buf->len = 0;
        if (buf->ptr)
                buf->ptr[0] = '\0';
}

char *nrd_buf_detach(nereid_buf *buf)
{
        char *s = buf->ptr;

        if (buf->failed) {
                buf->failed = 0;
                return NULL; /* ptr is NULL already */
        }
        if (!s)
                s = nrd_strdup("");
        buf->ptr = NULL;
        buf->len = buf->cap = 0;
        return s;
}

void nrd_buf_free(nereid_buf *buf)
{
        free(buf->ptr);
        buf->ptr = NULL;
        buf->len = buf->cap = 0;
        buf->failed = 0;
}
