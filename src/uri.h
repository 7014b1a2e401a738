/*
 * uri.h - generic parsing of what users type to name a field or a run:
 * field paths, RUN:FIELD references, run IDs, project keys and names, the
 * check that a file_path is a safe relative path, and percent-encoding.
 * Locations (track paths, record sources) are the source drivers' own
 * (src/source/source.h). Pure string work.
 */
#ifndef NEREID_URI_H
#define NEREID_URI_H

#include <stddef.h>

/* Check a field path (SPEC section 1): segments of [A-Za-z0-9_.-]+ joined by
 * '/', no empty segment, at most 1024 bytes. Returns 0 or NEREID_EINVALID with
 * a message naming the field. Does not reject sys/ (see nrd_uri_field_writable). */
int nrd_uri_check_field(const char *field);
/* nrd_uri_check_field plus the rule that sys/... is read-only. */
int nrd_uri_field_writable(const char *field);

/* Split "RUN:FIELD" into run ID and field (both checked: run ID is KEY-N
 * with KEY 2-10 uppercase letters and N >= 1). When require_run is 0, a
 * text without ':' is a bare field and *run_out is NULL. Caller frees both. */
int nrd_uri_parse_ref(const char *text, int require_run, char **run_out, char **field_out);

/* Check a run ID: KEY-N, KEY 2-10 uppercase ASCII letters, N a decimal >= 1
 * without leading zeros. Returns 0 or NEREID_EINVALID. */
int nrd_uri_check_run_id(const char *id);

/* Check a project key: 2-10 uppercase ASCII letters. */
int nrd_uri_check_project_key(const char *key);
/* Check a project name "workspace/project" (each part [A-Za-z0-9_.-]+). */
int nrd_uri_check_project_name(const char *name);

/* 1 when path is a safe relative file_path: not empty, not absolute, '/'
 * the only separator ('\\' is an ordinary character of a name on POSIX,
 * SPEC section 4), no empty, "." or ".." segment. */
int nrd_uri_is_safe_relative(const char *path);

/* Percent-encode a string for a URL path or query: unreserved characters
 * (A-Z a-z 0-9 - _ . ~) kept, '/' kept when keep_slash, every other byte as
 * %XX (uppercase hex). Caller frees. NULL on ENOMEM. */
char *nrd_uri_escape(const char *s, int keep_slash);

/* The value of a hex digit (either case), or -1. */
int nrd_uri_hex_value(char c);

#endif
