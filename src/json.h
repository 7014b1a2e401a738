/*
 * json.h - records to and from the JSON form of SPEC section 2, through
 * jansson. The only module that knows the JSON layout of a record.
 */
#ifndef NEREID_JSON_H
#define NEREID_JSON_H

#include "nereid.h"
#include "buf.h"
#include "record.h"

/* Append the JSON object of one record to buf (no trailing newline), keys in
 * the order of SPEC section 2. */
int nrd_json_record_append(nereid_buf *buf, const struct nereid_file *file);
/* Parse one record object from text of length len; caller clears *out. */
int nrd_json_record_parse(const char *text, size_t len, struct nereid_file *out);
/* One record from a JSON value jansson parsed (a page of records a server
 * sent): messages "<label>: record <index>"; caller clears *out. */
struct json_t;
int nrd_json_record_value(struct json_t *value, const char *label, size_t index,
                          struct nereid_file *out);

/* Where a JSON object or array ends, found without decoding it: brackets
 * counted outside strings, escapes followed. The state carries across
 * pieces of the text (start zeroed); malformed insides are left for the
 * decoder to refuse. */
struct nrd_json_span {
        int depth, in_string, escaped;
};
/* Scan t[0..n): the index after the bracket that closes the value, or 0
 * when the piece ends first (scan the next piece with the same state). */
size_t nrd_json_span_scan(struct nrd_json_span *span, const char *t, size_t n);
/* Parse a JSON array of records; caller frees *out with nereid_files_free. */
int nrd_json_files_parse(const char *text, size_t len, nereid_files **out);
/* Read a JSON array of records from fd to its end, one record at a time:
 * memory holds the records, never the whole text or its tree. A record
 * longer than 1 MiB of JSON is refused. Messages start with label (the
 * input's name). The records are parsed, not judged (see nrd_files_check).
 * Caller frees *out with nereid_files_free. */
int nrd_json_files_read(int fd, const char *label, nereid_files **out);

/* The same reader, a record at a time, for inputs too large to hold: open,
 * then next until it returns 0 (the array ended and nothing follows it) or
 * a negative code. next returns 1 with *file filled (caller clears it). */
typedef struct nrd_json_records nrd_json_records;
int nrd_json_records_open(nrd_json_records **out, int fd, const char *label);
int nrd_json_records_next(nrd_json_records *r, struct nereid_file *file);
void nrd_json_records_close(nrd_json_records *r);

#endif
