/* import_stream.h - the streamed path of nereid import (import_stream.c). */
#ifndef NRD_IMPORT_STREAM_H
#define NRD_IMPORT_STREAM_H

#include "nereid.h"

/* nrd_import_stream's answer when the input or the field needs import.c's
 * in-memory path (fd is back where it was). */
#define IMPORT_STREAM_NO 1

/* Import a regular file of sorted records into a field holding no
 * artifact, two passes of one record at a time: 0 with hash_out set,
 * IMPORT_STREAM_NO, or a negative code (nothing stored). */
int nrd_import_stream(nereid_run *run, const char *field, int fd, const char *label,
                      char hash_out[NEREID_HASH_HEXLEN + 1]);

#endif
