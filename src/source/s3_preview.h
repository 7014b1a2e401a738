/*
 * s3_preview.h - a capped read of one S3 record's object, for previews
 * (the web UI's route 20): the first bytes of the tracked version only.
 * Not a download (s3.c's fetch writes files and checks the whole MD5) and
 * not a way to read any other URL: the object is the record's own s3://
 * location at the configured endpoint (S3_ENDPOINT_URL, else AWS).
 */
#ifndef NEREID_SOURCE_S3_PREVIEW_H
#define NEREID_SOURCE_S3_PREVIEW_H

#include <stddef.h>
#include "buf.h"
#include "nereid.h"
#include "options.h"

/* Read at most cap (> 0) bytes of rec's object (rec->type "S3") into out,
 * with the credentials and endpoint of opts: a signed GET of the range
 * 0..cap-1 with If-Match on the recorded ETag. *whole is 1 when out holds
 * the whole object (its size the recorded one). NEREID_EINTEGRITY when the
 * object changed since it was tracked (HTTP 412, or another ETag),
 * NEREID_ENOTFOUND when it is gone, NEREID_EACCESS without credentials or
 * when refused; out is empty on failure. */
int nrd_s3_read_capped(const struct options_config *opts, const struct nereid_file *rec, size_t cap,
                       nereid_buf *out, int *whole);

#endif
