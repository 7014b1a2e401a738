/*
 * test_buf_max.c - every nereid_buf has a maximum (src/buf.h): a put that
 * would pass it fails with a message and leaves the buffer as it was; a
 * buffer without one set stops at NEREID_BUF_MAX. Failure is sticky: after
 * a failed put every put fails and buf_detach gives NULL, so unchecked puts
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

        buf_init(&buf, 8);
        CHECK(buf_puts(&buf, "12345678") == 0);
        CHECK(buf.len == 8);
        CHECK(buf_putc(&buf, '9') == NEREID_ERROR);
        CHECK(strstr(nereid_error_last(), "more than 8 bytes") != NULL);
        /* Sticky: emptied, later puts fail, even ones that would fit. */
        CHECK(buf.len == 0 && buf.ptr == NULL);
        CHECK(buf_printf(&buf, "%d", 1) == NEREID_ERROR);
        CHECK(buf_puts(&buf, "") == NEREID_ERROR);
        CHECK(buf_detach(&buf) == NULL);
        /* detach starts over. */
        CHECK(buf_puts(&buf, "xy") == 0);
        s = buf_detach(&buf);
        CHECK_STR(s, "xy");
        free(s);
        CHECK(buf_putc(&buf, 'z') == 0);
        buf_clear(&buf);
        CHECK(buf_puts(&buf, "abc") == 0);
        CHECK(buf.cap <= 9);
        buf_free(&buf);
        /* The maximum survives buf_free: the buffer can be reused. */
        CHECK(buf_puts(&buf, "123456789") == NEREID_ERROR);
        buf_free(&buf);

        CHECK(plain.max == 0);
        CHECK(buf_grow(&plain, NEREID_BUF_MAX + 1) == NEREID_ERROR);
        CHECK(strstr(nereid_error_last(), "more than") != NULL);
        CHECK(buf_grow(&plain, SIZE_MAX) == NEREID_ERROR);
        CHECK(plain.ptr == NULL);
        CHECK(buf_puts(&plain, "ok") == NEREID_ERROR);
        buf_clear(&plain);
        CHECK(buf_puts(&plain, "ok") == 0);
        CHECK_STR(plain.ptr, "ok");
        buf_free(&plain);
        return CHECK_DONE();
}
