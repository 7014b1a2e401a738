/*
 * local_location.h - the syntax operations of the local source driver
 * (local_location.c), for its row in local.c.
 */
#ifndef NEREID_LOCAL_LOCATION_H
#define NEREID_LOCAL_LOCATION_H

#include "source.h"

/* source_driver.parse: a path, "~/...", or a file: URI. out->path is the
 * absolute path, with ~ expanded, file:// decoded (percent escapes,
 * backslashes turned into '/'), relative paths joined to the current
 * directory; "." and ".." segments and repeated '/' removed lexically; no
 * trailing '/' (except for "/" itself). out->host stays NULL. */
int nrd_local_parse(const char *text, const char *home, source_location *out);
/* source_driver.format: the file:// URL of loc->path. */
char *nrd_local_format(const source_location *loc);
/* source_driver.parse_source: a file:// source, decoded. */
int nrd_local_parse_source(const char *source, source_location *out);
/* source_driver.check_record: an MD5 file_hash, a file:/// source. */
int nrd_local_check_record(const struct nereid_file *f, const char *at);

#endif
