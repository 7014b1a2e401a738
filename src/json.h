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

/* Parse a JSON array of records; caller frees *out with nereid_files_free. */
int nrd_json_files_parse(const char *text, size_t len, nereid_files **out);
/* Read a JSON array of records from fd to its end, one record at a time:
 * memory holds the records, never the whole text or its tree. A record
 * longer than 1 MiB of JSON is refused. Messages start with label (the
 * input's name). The records are parsed, not judged (see nrd_files_check).
 * Caller frees *out with nereid_files_free. */
int nrd_json_files_read(int fd, const char *label, nereid_files **out);

#endif
