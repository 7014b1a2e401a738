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

/* Append the record as nrd_json_record_append does, byte for byte
 * (compact, keys in its order), writing plain ASCII strings directly and
 * handing any other record to nrd_json_record_append. */
int nrd_http_page_record_encode(nereid_buf *buf, const struct nereid_file *file);

#endif
