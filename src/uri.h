/*
 * uri.h - parsing of everything a user types that names a place or a
 * field: track paths (local, ~/, file:// in POSIX and Windows forms,
 * s3://), field paths, RUN:FIELD references, and the check that a
 * file_path is a safe relative path. Pure string work: no I/O except
 * reading HOME and the current directory for local paths.
 */
#ifndef NEREID_URI_H
#define NEREID_URI_H

#include <stddef.h>

enum uri_scheme {
        URI_LOCAL = 1,
        URI_S3 = 2,
};

typedef struct uri_location {
        int scheme;
        /* URI_LOCAL: the absolute path, with ~ expanded, file:// decoded (percent
         * escapes, backslashes turned into '/'), relative paths joined to the
         * current directory; "." and ".." segments and repeated '/' removed
         * lexically; no trailing '/' (except for "/" itself). */
        char *path;
        /* URI_S3: the bucket, and the key or prefix exactly as given after
         * "bucket/" (possibly empty, possibly ending in '/'); never normalised. */
        char *bucket;
        char *key;
} uri_location;

/* Parse a track path (SPEC section 4); home is what "~" and "~/" stand
 * for (NULL: such paths are refused). Errors (NEREID_EUSAGE): empty,
 * wildcards ("wildcards are not supported"), bad file:// or s3:// form. */
int uri_parse_location(const char *text, const char *home, uri_location *out);
void uri_location_clear(uri_location *loc);

/* Check a field path (SPEC section 1): segments of [A-Za-z0-9_.-]+ joined by
 * '/', no empty segment, at most 1024 bytes. Returns 0 or NEREID_EUSAGE with
 * a message naming the field. Does not reject sys/ (see uri_field_writable). */
int uri_check_field(const char *field);
/* uri_check_field plus the rule that sys/... is read-only. */
int uri_field_writable(const char *field);

/* Split "RUN:FIELD" into run ID and field (both checked: run ID is KEY-N
 * with KEY 2-10 uppercase letters and N >= 1). When require_run is 0, a
 * text without ':' is a bare field and *run_out is NULL. Caller frees both. */
int uri_parse_ref(const char *text, int require_run, char **run_out, char **field_out);

/* Check a run ID: KEY-N, KEY 2-10 uppercase ASCII letters, N a decimal >= 1
 * without leading zeros. Returns 0 or NEREID_EUSAGE. */
int uri_check_run_id(const char *id);

/* Check a project key: 2-10 uppercase ASCII letters. */
int uri_check_project_key(const char *key);
/* Check a project name "workspace/project" (each part [A-Za-z0-9_.-]+). */
int uri_check_project_name(const char *name);

/* 1 when path is a safe relative file_path: not empty, not absolute, '/'
 * the only separator ('\\' is an ordinary character of a name on POSIX,
 * SPEC section 4), no empty, "." or ".." segment. */
int uri_is_safe_relative(const char *path);

/* Percent-encode a string for a URL path or query: unreserved characters
 * (A-Z a-z 0-9 - _ . ~) kept, '/' kept when keep_slash, every other byte as
 * %XX (uppercase hex). Caller frees. NULL on ENOMEM. */
char *uri_escape(const char *s, int keep_slash);

#endif
