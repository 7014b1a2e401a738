/*
 * buf.h - a growable byte buffer, the one place where memory for strings
 * being built grows. Not for binary-safe parsing; every buffer is kept
 * NUL-terminated so that ptr can be used as a C string.
 */
#ifndef NEREID_BUF_H
#define NEREID_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct nereid_buf {
        char *ptr;
        size_t len;
        size_t cap;
} nereid_buf;

#define NEREID_BUF_INIT                                                                            \
        {                                                                                          \
                NULL, 0, 0                                                                         \
        }

/* Make room for extra more bytes (and the NUL); -1 on overflow or ENOMEM. */
int buf_grow(nereid_buf *buf, size_t extra);
int buf_put(nereid_buf *buf, const void *data, size_t len);
int buf_puts(nereid_buf *buf, const char *s);
int buf_putc(nereid_buf *buf, char c);
int buf_printf(nereid_buf *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(nereid_buf *buf, const char *fmt, va_list ap);
void buf_clear(nereid_buf *buf);
/* Hand the string to the caller (never NULL on success: "" when empty). */
char *buf_detach(nereid_buf *buf);
void buf_free(nereid_buf *buf);

/* strdup that sets the error message on failure. */
char *nereid_strdup(const char *s);
/* malloc(a * b) with the overflow checked. */
void *nereid_calloc_array(size_t count, size_t size);

#endif
