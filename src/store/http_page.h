/*
 * http_page.h - a fast codec for one record of a page of records (the
 * HTTP API's {"files":[RECORD...]} and the upload body), for the common
 * shape only: plain ASCII strings, an integer size. Anything else is left
 * to jansson (json.c), whose answer is the reference; both give the same
 * bytes and the same records (tests/unit/test_http_page.c, and
 * tests/fuzz/fuzz_http_page.c compares them on any input).
 */
#ifndef NEREID_HTTP_PAGE_H
#define NEREID_HTTP_PAGE_H

#include <stddef.h>
#include "../buf.h"
#include "../record.h"

/* Decode the record object in t[0..n) when it has the common shape: 1 with
 * *out filled (caller clears it); 0 with *out zeroed when it has not
 * (escapes, non-ASCII, unknown or repeated keys, a missing one, anything
 * unusual: the caller then parses it with jansson, which says what is
 * wrong); NEREID_ERROR when out of memory. Never judges the values:
 * nrd_file_check does. */
int nrd_http_page_record_decode(const char *t, size_t n, struct nereid_file *out);

/* The record object at the start of t[0..n) (whitespace before it
 * allowed), in one pass: 1 when it has the common shape, with *end just
 * past its '}' (what follows is not looked at: the caller reads on) and
 * *out filled without an allocation of its own: its strings are copied,
 * each with its NUL, into scratch (emptied first, grown as needed and
 * reused from record to record), so out must not be cleared and is valid
 * until scratch is used again. 0 with *out zeroed when it is not of the
 * shape (the caller finds its end and asks jansson); NEREID_ERROR when
 * out of memory. Accepts exactly what nrd_http_page_record_decode accepts
 * on the object alone, and reads the same record. */
int nrd_http_page_record_scan(const char *t, size_t n, nereid_buf *scratch, struct nereid_file *out,
                              size_t *end);

/* Append the record as nrd_json_record_append does, byte for byte
 * (compact, keys in its order), writing plain ASCII strings directly and
 * handing any other record to nrd_json_record_append. */
int nrd_http_page_record_encode(nereid_buf *buf, const struct nereid_file *file);

#endif
