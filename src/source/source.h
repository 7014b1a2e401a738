/*
 * source.h - the source-driver seam: where tracked files live. A driver
 * turns a location into records (scan) and brings one record's file back
 * (fetch). Drivers: local.c (local folders and file://), s3.c (S3 and
 * compatible services). Adding one means a file and a line in source.c.
 */
#ifndef NEREID_SOURCE_H
#define NEREID_SOURCE_H

#include "nereid.h"
#include "record.h"
#include "uri.h"
#include "../project.h"

#define NEREID_SOURCE_VERSION 2

typedef struct source_driver {
        int version;
        const char *name; /* "local", "s3" */
        int scheme;       /* enum uri_scheme it scans */
        const char *type; /* record type it fetches: "Local", "S3" */

        /* Append a record for every file at loc to out, each file_path
         * prefixed with "destination/" when destination is not NULL or "".
         * Warnings go through project_notify. On error out may hold partial
         * results, which the caller discards. An empty result is not an error
         * here (the caller reports "nothing to track"). */
        int (*scan)(nereid_project *project, const uri_location *loc, const char *destination,
                    nereid_files *out);

        /* Put the file of rec at dirfd/name (name is one path segment, the
         * folder already exists below the destination), replacing what is
         * there: download.c has already decided that it may be replaced
         * (SPEC section 5). copy: 1 to copy a local file rather than link
         * it. Temporary files are made with fs_temp_in, and renamed or
         * removed before fetch returns. Must be thread-safe: downloads run
         * on a pool. */
        int (*fetch)(nereid_project *project, const struct nereid_file *rec, int dirfd,
                     const char *name, int copy);

        /* Since version 2; NULL for sources that are not local files. The
         * local path of rec's source file, for download to tell whether a
         * target is that very file. *path is the caller's to free. */
        int (*local_path)(const struct nereid_file *rec, char **path);
} source_driver;

const source_driver *source_for_scheme(int scheme);
const source_driver *source_for_type(const char *type);

/* 1 when dirfd/name is a regular file (not a link) whose MD5 is
 * expected_md5. Used by drivers to skip targets already in place. */
int source_target_has_md5(int dirfd, const char *name, const char *expected_md5);

/* "destination/rel" or rel when destination is NULL or ""; caller frees. */
char *source_prefixed(const char *destination, const char *rel);

extern const source_driver source_local;
extern const source_driver source_s3;

#endif
