/*
 * source.h - the source-driver seam: where tracked files live. A driver
 * owns everything about its kind of location: the syntax users type
 * (parse), the text remembered for status (format), the record sources it
 * writes and reads back (parse_source, check_record), turning a location
 * into records (scan) and bringing one record's file back (fetch).
 * Drivers: local.c (local paths, ~/, file://), s3.c (s3://). Adding one is
 * a file, a row in source.c's table and a test; docs/internals/source.md
 * says what each operation must guarantee. Not for field paths, run IDs
 * or references (uri.c) nor for the union and hashing policy (artifact.c).
 */
#ifndef NEREID_SOURCE_H
#define NEREID_SOURCE_H

#include "nereid.h"
#include "record.h"
#include "../project.h"

/* Version 3: the driver owns its syntax (scheme, caps, parse, format,
 * parse_source, check_record). Ops are only appended, the version bumped. */
#define NEREID_SOURCE_VERSION 3

/* Capability flags of a driver (source_driver.caps). */
enum source_caps {
        /* Takes what has no scheme: a bare path ("data", "/d", "~/d"). At
         * most one driver has it. */
        SOURCE_CAP_BARE_PATHS = 1 << 0,
        /* Takes "scheme:" without "//" too ("file:/abs"); otherwise only
         * "scheme://..." is the driver's, and "scheme:x" a bare path. */
        SOURCE_CAP_OPAQUE = 1 << 1,
        /* Its files are local: fetch can link rather than copy, and
         * local_path says which file a record names. */
        SOURCE_CAP_LOCAL_FILES = 1 << 2,
};

struct source_driver;

/* A parsed location, owned by the caller (nrd_source_location_clear). Only
 * the driver that parsed it reads host and path; what they mean is its
 * own, written in its parse. */
typedef struct source_location {
        const struct source_driver *driver; /* the driver that parsed it */
        char *host;                         /* the authority: S3's bucket; NULL when none (local) */
        char *path;                         /* local: the absolute path; S3: the key as given */
        /* 1 when it names one file, as a record's source does: scan gives
         * that file or ENOTFOUND, never the content of a folder there now. */
        int exact;
} source_location;

typedef struct source_driver {
        int version;        /* NEREID_SOURCE_VERSION when the row was written */
        const char *name;   /* "local", "s3": for messages and tests */
        const char *scheme; /* URI scheme, lowercase, without ':' ("file", "s3") */
        const char *type;   /* the record type it writes and fetches ("Local", "S3") */
        unsigned caps;      /* enum source_caps */

        /* Parse what a user types as a track path (SPEC section 4): text is
         * "scheme:..." (any case) or, for SOURCE_CAP_BARE_PATHS, a path.
         * Fills out->host and out->path (out->driver is set by the caller).
         * Errors: NEREID_EINVALID with "path \"TEXT\": why". On error out holds
         * nothing (the caller clears it anyway). */
        int (*parse)(const char *text, const char *home, source_location *out);

        /* The text of loc remembered with a field for status, which parses
         * back (parse) to the same place: no wildcard character, nothing
         * decoded into another name. Caller frees; NULL on ENOMEM. */
        char *(*format)(const source_location *loc);

        /* A record's metadata.file_path, as this driver wrote it, back into
         * a location naming that one file (for status; the caller sets
         * out->exact). Never normalises; refuses another scheme.
         * Errors: NEREID_EINVALID / NEREID_ERROR naming source. */
        int (*parse_source)(const char *source, source_location *out);

        /* The type-specific rules of a record from outside (SPEC section 2):
         * its file_hash and, when present, its source. 0, or NEREID_EINVALID
         * with a message starting with at. f->type is this driver's type. */
        int (*check_record)(const struct nereid_file *f, const char *at);

        /* Append a record for every file at loc to out (loc->exact: the one
         * file loc names, or NEREID_ENOTFOUND when it is now anything else
         * or nothing), each file_path
         * prefixed with "destination/" when destination is not NULL or "".
         * Warnings go through nrd_project_notify. On error out may hold partial
         * results, which the caller discards. An empty result is not an error
         * here (the caller reports "nothing to track"). */
        int (*scan)(nereid_project *project, const source_location *loc, const char *destination,
                    nereid_files *out);

        /* Put the file of rec at dirfd/name (name is one path segment, the
         * folder already exists below the destination), replacing what is
         * there: download.c has already decided that it may be replaced
         * (SPEC section 5). copy: 1 to copy a local file rather than link
         * it. Temporary files are made with nrd_fs_temp_in, and renamed or
         * removed before fetch returns. Must be thread-safe: downloads run
         * on a pool. */
        int (*fetch)(nereid_project *project, const struct nereid_file *rec, int dirfd,
                     const char *name, int copy);

        /* NULL unless SOURCE_CAP_LOCAL_FILES. The local path of rec's
         * source file, for download to tell whether a target is that very
         * file. *path is the caller's to free. */
        int (*local_path)(const struct nereid_file *rec, char **path);
} source_driver;

/* The registry (source.c). */
size_t nrd_source_driver_count(void);
/* The i-th driver, i < nrd_source_driver_count(). */
const source_driver *nrd_source_driver_at(size_t i);
/* The driver of a scheme (case-insensitive, without ':'), or NULL. */
const source_driver *nrd_source_for_scheme(const char *scheme, size_t len);
/* The driver writing records of this type (exact), or NULL. */
const source_driver *nrd_source_for_type(const char *type);

/* Parse a track path (SPEC section 4) with the driver its scheme names;
 * home is what "~" and "~/" stand for (the project's home option; NULL:
 * such paths are refused). Errors (NEREID_EINVALID): empty, wildcards, an unknown "scheme://", and
 * whatever the driver refuses. Caller clears out, also on error. */
int nrd_source_parse_location(const char *text, const char *home, source_location *out);
/* A record's source (metadata.file_path) as a location, read by the
 * driver of the record's type, never by what the source looks like: a
 * Local record never makes a request, an S3 record never reads a local
 * file, whatever a store holds. Caller clears out, also on error. */
int nrd_source_location_of_record(const struct nereid_file *rec, source_location *out);
/* loc's driver's format. */
char *nrd_source_format_location(const source_location *loc);
void nrd_source_location_clear(source_location *loc);
/* A record's type known and its hash and source as its driver wants:
 * 0 or NEREID_EINVALID "<at>: why". */
int nrd_source_check_record(const struct nereid_file *f, const char *at);

/* For drivers' parse: NEREID_EINVALID "path \"TEXT\": wildcards are not
 * supported" when text holds '*' or '?'. */
int nrd_source_refuse_wildcards(const char *text);

/* 1 when dirfd/name is a regular file (not a link) whose MD5 is
 * expected_md5. Used by drivers to skip targets already in place. */
int nrd_source_target_has_md5(int dirfd, const char *name, const char *expected_md5);

/* "destination/rel" or rel when destination is NULL or ""; caller frees. */
char *nrd_source_prefixed(const char *destination, const char *rel);

/* Clean up every thread's S3 handle (s3.c): nereid_shutdown's last call,
 * before libcurl's global cleanup. */
void nrd_s3_release_handles(void);

extern const source_driver nrd_source_local;
extern const source_driver nrd_source_s3;

#endif
