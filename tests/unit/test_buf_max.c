/*
 * test_buf_max.c - every nereid_buf has a maximum (src/buf.h): a put that
 * would pass it fails with a message and leaves the buffer as it was; a
 * buffer without one set stops at NEREID_BUF_MAX. Failure is sticky: after
 * a failed put every put fails and nrd_buf_detach gives NULL, so unchecked puts
 * never yield a string with a piece missing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "buf.h"
#include "check.h"
#include "nereid.h"

int main(void)
{
        nereid_buf buf;
        nereid_buf plain = NEREID_BUF_INIT;
        char *s;

        nrd_buf_init(&buf, 8);
        CHECK(nrd_buf_puts(&buf, "12345678") == 0);
        CHECK(buf.len == 8);
        CHECK(nrd_buf_putc(&buf, '9') == NEREID_ERROR);
        CHECK(strstr(nereid_error_last(), "more than 8 bytes") != NULL);
        /* Sticky: emptied, later puts fail, even ones that would fit. */
        CHECK(buf.len == 0 && buf.ptr == NULL);
        CHECK(nrd_buf_printf(&buf, "%d", 1) == NEREID_ERROR);
        CHECK(nrd_buf_puts(&buf, "") == NEREID_ERROR);
        CHECK(nrd_buf_detach(&buf) == NULL);
        /* detach starts over. */
        CHECK(nrd_buf_puts(&buf, "xy") == 0);
        s = nrd_buf_detach(&buf);
        CHECK_STR(s, "xy");
        free(s);
        CHECK(nrd_buf_putc(&buf, 'z') == 0);
        nrd_buf_clear(&buf);
        CHECK(nrd_buf_puts(&buf, "abc") == 0);
        CHECK(buf.cap <= 9);
        nrd_buf_free(&buf);
        /* The maximum survives nrd_buf_free: the buffer can be reused. */
        CHECK(nrd_buf_puts(&buf, "123456789") == NEREID_ERROR);
        nrd_buf_free(&buf);

        CHECK(plain.max == 0);
        CHECK(nrd_buf_grow(&plain, NEREID_BUF_MAX + 1) == NEREID_ERROR);
        CHECK(strstr(nereid_error_last(), "more than") != NULL);
        CHECK(nrd_buf_grow(&plain, SIZE_MAX) == NEREID_ERROR);
        CHECK(plain.ptr == NULL);
        CHECK(nrd_buf_puts(&plain, "ok") == NEREID_ERROR);
        nrd_buf_clear(&plain);
        CHECK(nrd_buf_puts(&plain, "ok") == 0);
        CHECK_STR(plain.ptr, "ok");
        nrd_buf_free(&plain);
        return CHECK_DONE();
}
