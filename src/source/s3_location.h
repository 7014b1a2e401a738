/*
 * s3_location.h - the syntax operations of the S3 source driver
 * (s3_location.c), for its row in s3.c.
 */
#ifndef NEREID_S3_LOCATION_H
#define NEREID_S3_LOCATION_H

#include "source.h"

/* source_driver.parse: "s3://bucket[/key]". out->host is the bucket,
 * out->path the key or prefix exactly as given after "bucket/" (possibly
 * empty, possibly ending in '/'); never normalised. */
int nrd_s3_location_parse(const char *text, const char *home, source_location *out);
/* source_driver.format: "s3://bucket/key". */
char *nrd_s3_location_format(const source_location *loc);
/* source_driver.parse_source: "s3://bucket/key", split at the first '/';
 * bucket and key not empty, or NEREID_EINVALID naming source. Also what
 * s3.c's fetch reads a record's source with. */
int nrd_s3_location_parse_source(const char *source, source_location *out);
/* source_driver.check_record: an ETag file_hash, an s3://bucket/key source
 * with a key that is a safe file path of at most 1024 bytes. */
int nrd_s3_location_check_record(const struct nereid_file *f, const char *at);

#endif
