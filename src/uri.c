/*
 * uri.c - the generic parsing of what users type to name a field or a run:
 * field paths (SPEC section 1), RUN:FIELD references and run IDs (SPEC
 * section 7), project keys and names, the safety check of a record's
 * file_path, and percent-encoding. Not for locations: each source driver
 * parses its own (src/source/, local_location.c for local paths and
 * file://, s3_location.c for s3://).
 *
 * Pure string work, no I/O.
 * Rules chosen where SPEC is silent (and documented in the user docs):
 * - Run IDs: N has at most 18 digits, so it always fits an int64.
 */
#include <stdlib.h>
#include <string.h>
#include "buf.h"
#include "error.h"
#include "uri.h"

#define URI_FIELD_MAX      1024
#define URI_RUN_DIGITS_MAX 18
#define URI_KEY_MIN        2
#define URI_KEY_MAX        10
/* How much of a rejected field path an error message quotes. */
#define URI_QUOTE_MAX 80

static int uri_is_alpha(char c)
{
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int uri_is_digit(char c)
{
        return c >= '0' && c <= '9';
}

static int uri_is_upper(char c)
{
        return c >= 'A' && c <= 'Z';
}

/* The characters of a field path or project name segment: [A-Za-z0-9_.-]. */
static int uri_is_name_char(char c)
{
        return uri_is_alpha(c) || uri_is_digit(c) || c == '_' || c == '.' || c == '-';
}

int nrd_uri_check_field(const char *field)
{
        size_t len, i, seg_len = 0;

        if (!field || !field[0])
                return nrd_error(NEREID_EINVALID, "field \"\": empty field path");
        len = strlen(field);
        if (len > URI_FIELD_MAX)
                return nrd_error(NEREID_EINVALID, "field \"%.*s...\": longer than %d bytes",
                                 URI_QUOTE_MAX, field, URI_FIELD_MAX);
        if (field[0] == '/' || field[len - 1] == '/')
                return nrd_error(NEREID_EINVALID, "field \"%s\": must not start or end with '/'",
                                 field);
        for (i = 0; i < len; i++) {
                char c = field[i];

                if (c == '/') {
                        if (seg_len == 0)
                                return nrd_error(NEREID_EINVALID,
                                                 "field \"%s\": empty segment (\"//\")", field);
                        seg_len = 0;
                } else if (uri_is_name_char(c)) {
                        seg_len++;
                } else {
                        unsigned char b = (unsigned char)c;

                        if (b >= 0x20 && b < 0x7f)
                                return nrd_error(NEREID_EINVALID,
                                                 "field \"%s\": character '%c' is not allowed "
                                                 "(segments are [A-Za-z0-9_.-]+ joined by '/')",
                                                 field, c);
                        return nrd_error(NEREID_EINVALID,
                                         "field \"%s\": byte 0x%02X is not allowed (segments "
                                         "are [A-Za-z0-9_.-]+ joined by '/')",
                                         field, b);
                }
        }
        /* SPEC section 1, as for project names: no "." or ".." segment. They
         * are names, not file paths, but every URL parser on the way to a
         * server (RFC 3986 section 5.2.4) would remove them, and a field a
         * server cannot name is one the embedded store must not make. */
        for (i = 0; i < len; i += seg_len + 1) {
                seg_len = strcspn(field + i, "/");
                if ((seg_len == 1 && field[i] == '.') ||
                    (seg_len == 2 && field[i] == '.' && field[i + 1] == '.'))
                        return nrd_error(NEREID_EINVALID,
                                         "field \"%s\": a segment may not be \".\" or \"..\"",
                                         field);
        }
        return 0;
}

int nereid_field_path_check(const char *field)
{
        nrd_error_clear();
        return nrd_uri_check_field(field);
}

int nrd_uri_field_writable(const char *field)
{
        int rc = nrd_uri_check_field(field);

        if (rc < 0)
                return rc;
        if (strcmp(field, "sys") == 0 || strncmp(field, "sys/", 4) == 0)
                return nrd_error(NEREID_EINVALID, "field %s: sys/ is read-only", field);
        return 0;
}

int nrd_uri_check_project_key(const char *key)
{
        size_t n = 0;

        if (!key)
                key = "";
        while (uri_is_upper(key[n]))
                n++;
        if (key[n] != '\0' || n < URI_KEY_MIN || n > URI_KEY_MAX)
                return nrd_error(NEREID_EINVALID,
                                 "project key \"%.*s\": must be %d-%d uppercase letters A-Z",
                                 URI_QUOTE_MAX, key, URI_KEY_MIN, URI_KEY_MAX);
        return 0;
}

int nrd_uri_check_project_name(const char *name)
{
        const char *p;
        size_t parts = 1, seg_len = 0;

        if (!name)
                name = "";
        for (p = name; *p; p++) {
                if (*p == '/') {
                        if (seg_len == 0)
                                break;
                        parts++;
                        seg_len = 0;
                } else if (uri_is_name_char(*p)) {
                        seg_len++;
                } else {
                        break;
                }
        }
        if (*p || parts != 2 || seg_len == 0)
                return nrd_error(NEREID_EINVALID,
                                 "project \"%.*s\": expected \"workspace/project\", each part "
                                 "made of [A-Za-z0-9_.-]",
                                 URI_QUOTE_MAX, name);
        /* SPEC section 1: no "." or ".." part, as in a path. */
        p = strchr(name, '/');
        if (!strcmp(p + 1, ".") || !strcmp(p + 1, "..") || !strncmp(name, "./", 2) ||
            !strncmp(name, "../", 3))
                return nrd_error(NEREID_EINVALID,
                                 "project \"%s\": a part may not be \".\" or \"..\"", name);
        return 0;
}

int nrd_uri_check_run_id(const char *id)
{
        size_t key_len = 0, digits = 0;
        const char *p;

        if (!id)
                id = "";
        while (uri_is_upper(id[key_len]))
                key_len++;
        p = id + key_len;
        if (key_len >= URI_KEY_MIN && key_len <= URI_KEY_MAX && *p == '-') {
                p++;
                while (uri_is_digit(p[digits]))
                        digits++;
                if (p[digits] == '\0' && digits >= 1 && digits <= URI_RUN_DIGITS_MAX && p[0] != '0')
                        return 0;
        }
        return nrd_error(NEREID_EINVALID,
                         "run \"%.*s\": expected a run ID KEY-N, such as CLS-45 (KEY: %d-%d "
                         "uppercase letters, N >= 1)",
                         URI_QUOTE_MAX, id, URI_KEY_MIN, URI_KEY_MAX);
}

int nrd_uri_parse_ref(const char *text, int require_run, char **run_out, char **field_out)
{
        const char *colon;
        char *run = NULL, *field = NULL;
        int rc = 0;

        *run_out = NULL;
        *field_out = NULL;
        if (!text)
                text = "";
        colon = strchr(text, ':');
        if (!colon) {
                if (require_run) {
                        rc = nrd_error(NEREID_EINVALID,
                                       "reference \"%.*s\": expected RUN:FIELD, such as "
                                       "CLS-45:data_versions/train",
                                       URI_QUOTE_MAX, text);
                        goto cleanup;
                }
                rc = nrd_uri_check_field(text);
                if (rc < 0)
                        goto cleanup;
                field = nrd_strdup(text);
                if (!field) {
                        rc = NEREID_ERROR;
                        goto cleanup;
                }
        } else {
                size_t run_len = (size_t)(colon - text);

                run = nrd_malloc(run_len + 1);
                if (!run) {
                        rc = nrd_error_oom();
                        goto cleanup;
                }
                memcpy(run, text, run_len);
                run[run_len] = '\0';
                rc = nrd_uri_check_run_id(run);
                if (rc < 0)
                        goto cleanup;
                rc = nrd_uri_check_field(colon + 1);
                if (rc < 0)
                        goto cleanup;
                field = nrd_strdup(colon + 1);
                if (!field) {
                        rc = NEREID_ERROR;
                        goto cleanup;
                }
        }
        *run_out = run;
        *field_out = field;
        run = NULL;
        field = NULL;
cleanup:
        free(run);
        free(field);
        return rc;
}

int nrd_uri_is_safe_relative(const char *path)
{
        const char *p;

        if (!path || !path[0] || path[0] == '/')
                return 0;
        p = path;
        for (;;) {
                const char *seg = p;
                size_t n;

                /* '\\' is an ordinary character on POSIX (SPEC section 4). */
                while (*p && *p != '/')
                        p++;
                n = (size_t)(p - seg);
                if (n == 0 || (n == 1 && seg[0] == '.') ||
                    (n == 2 && seg[0] == '.' && seg[1] == '.'))
                        return 0;
                if (!*p)
                        return 1;
                p++;
        }
}

char *nrd_uri_escape(const char *s, int keep_slash)
{
        static const char hex[] = "0123456789ABCDEF";
        nereid_buf buf = NEREID_BUF_INIT;
        const char *p;

        /* nrd_buf_grow alone leaves a new buffer unterminated: terminate it for "". */
        if (nrd_buf_grow(&buf, strlen(s)) < 0)
                return NULL;
        buf.ptr[0] = '\0';
        for (p = s; *p; p++) {
                char c = *p;
                int rc;

                if (uri_is_alpha(c) || uri_is_digit(c) || c == '-' || c == '_' || c == '.' ||
                    c == '~' || (c == '/' && keep_slash)) {
                        rc = nrd_buf_putc(&buf, c);
                } else {
                        unsigned char b = (unsigned char)c;
                        char esc[3] = {'%', hex[b >> 4], hex[b & 15]};

                        rc = nrd_buf_put(&buf, esc, sizeof(esc));
                }
                if (rc < 0) {
                        nrd_buf_free(&buf);
                        return NULL;
                }
        }
        return nrd_buf_detach(&buf);
}

int nrd_uri_hex_value(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}
