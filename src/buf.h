/*
 * buf.h - a growable byte buffer, the one place where memory for strings
 * being built grows. Not for binary-safe parsing; every buffer is kept
 * NUL-terminated so that ptr can be used as a C string. Every buffer has a
 * maximum (curl's dynbuf): NEREID_BUF_MAX unless nrd_buf_init set another, so
 * no input can make one grow without bound. Failure is sticky, as in
 * dynbuf: once a put fails, the buffer is emptied and every later put fails
 * and nrd_buf_detach returns NULL, so a sequence of unchecked puts can never
 * yield a string with a piece missing. nrd_buf_clear and nrd_buf_free start over.
 */
#ifndef NEREID_BUF_H
#define NEREID_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct nereid_buf {
        char *ptr;  /* the bytes, NUL-terminated; NULL until the first put */
        size_t len; /* bytes held, without the NUL */
        size_t cap; /* bytes allocated */
        size_t max; /* most bytes it may hold (without the NUL); 0: NEREID_BUF_MAX */
        int failed; /* 1 once a put failed: later puts fail, detach gives NULL */
} nereid_buf;

/* The maximum of a buffer that nrd_buf_init did not set: 1 GiB, well above the
 * JSON of a million records. */
#define NEREID_BUF_MAX ((size_t)1 << 30)

#define NEREID_BUF_INIT                                                                            \
        {                                                                                          \
                NULL, 0, 0, 0, 0                                                                   \
        }

/* An empty buffer that may hold at most max bytes (0: NEREID_BUF_MAX). */
void nrd_buf_init(nereid_buf *buf, size_t max);

/* Make room for extra more bytes (and the NUL); NEREID_ERROR with the
 * message set past the maximum, on overflow or out of memory. */
int nrd_buf_grow(nereid_buf *buf, size_t extra);
int nrd_buf_put(nereid_buf *buf, const void *data, size_t len);
int nrd_buf_puts(nereid_buf *buf, const char *s);
int nrd_buf_putc(nereid_buf *buf, char c);
int nrd_buf_printf(nereid_buf *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int nrd_buf_vprintf(nereid_buf *buf, const char *fmt, va_list ap);
void nrd_buf_clear(nereid_buf *buf);
/* Hand the string to the caller ("" when empty); NULL when a put failed
 * (the message says why) or out of memory. The buffer is then empty. */
char *nrd_buf_detach(nereid_buf *buf);
void nrd_buf_free(nereid_buf *buf);

#endif
