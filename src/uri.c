/*
 * uri.c - parsing of what users type to name a place or a field: track
 * paths (SPEC section 4), field paths (SPEC section 1), RUN:FIELD
 * references and run IDs (SPEC section 7), project keys and names, the
 * safety check of a record's file_path, and percent-encoding for S3 URLs.
 *
 * Pure string work: the only I/O is reading HOME and the current directory
 * to make local paths absolute. Nothing here touches the file system to
 * resolve symbolic links; that is fs.c's and the source drivers' job.
 *
 * Rules chosen where SPEC is silent (and documented in the user docs):
 * - file:// URIs: backslashes are separators (turned into '/') before the
 *   percent escapes are decoded, so "%5C" stays a literal backslash; a
 *   decoded "*" or "?" ("%2A", "%3F") is a literal character of a file
 *   name, only the raw text is checked for wildcards; "#" is literal too.
 *   Hosts other than "" and "localhost" are refused. So the file:// URL
 *   of a record's source (fileurl.c) names the same path here.
 * - Windows drive forms ("file://c:/a\b", "file:///C:/a/b"): the drive
 *   letter is upper-cased and kept as the first segment of an absolute
 *   POSIX path, "/C:/a/b", which ".." never climbs above. Both forms give
 *   the same location, and the path stays absolute as uri_location
 *   promises. (A Windows port would drop the leading '/'.) A drive is
 *   recognised in the raw text only, so "file:///c%3A/x" is a folder "c:".
 * - "~" and "~/..." use HOME; "~user/..." is an ordinary relative path.
 * - A "scheme://" other than file:// and s3:// is refused rather than taken
 *   as a relative local path.
 * - s3:// bucket names are [A-Za-z0-9._-]+; the key is never decoded.
 * - Run IDs: N has at most 18 digits, so it always fits an int64.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
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

static char uri_to_upper(char c)
{
        return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

/* The characters of a field path or project name segment: [A-Za-z0-9_.-]. */
static int uri_is_name_char(char c)
{
        return uri_is_alpha(c) || uri_is_digit(c) || c == '_' || c == '.' || c == '-';
}

static int uri_hex_value(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

/* Case-insensitive prefix test for ASCII scheme names. */
static int uri_has_prefix_ci(const char *s, const char *prefix)
{
        for (; *prefix; s++, prefix++) {
                if (uri_to_upper(*s) != uri_to_upper(*prefix))
                        return 0;
        }
        return 1;
}

/*
 * Append the segments of path (any mix of '/', ".", "..", empty segments)
 * to out. The first root_len bytes of out are the root ("" for "/", "/C:"
 * for a drive) that ".." never removes. out is left without a trailing
 * '/', and "/" when it would be empty.
 */
static int uri_normalize_into(nereid_buf *out, const char *path, size_t root_len)
{
        const char *p = path;

        while (*p) {
                const char *seg;
                size_t n;

                while (*p == '/')
                        p++;
                seg = p;
                while (*p && *p != '/')
                        p++;
                n = (size_t)(p - seg);
                if (n == 0 || (n == 1 && seg[0] == '.'))
                        continue;
                if (n == 2 && seg[0] == '.' && seg[1] == '.') {
                        while (out->len > root_len && out->ptr[out->len - 1] != '/')
                                out->len--;
                        if (out->len > root_len)
                                out->len--; /* the '/' before the removed segment */
                        if (out->ptr)
                                out->ptr[out->len] = '\0';
                        continue;
                }
                if (buf_putc(out, '/') < 0 || buf_put(out, seg, n) < 0)
                        return NEREID_ERROR;
        }
        if (out->len == 0 && buf_putc(out, '/') < 0)
                return NEREID_ERROR;
        return 0;
}

/* The current directory, in a buffer that grows until it fits. */
static char *uri_getcwd(void)
{
        size_t size = 256;
        char *dir = NULL;

        for (;;) {
                char *bigger = realloc(dir, size);

                if (!bigger) {
                        free(dir);
                        nereid_error_oom();
                        return NULL;
                }
                dir = bigger;
                if (getcwd(dir, size))
                        return dir;
                if (errno != ERANGE || size > (size_t)1 << 24) {
                        nereid_error_os(NEREID_ERROR, errno, "current directory");
                        free(dir);
                        return NULL;
                }
                size *= 2;
        }
}

/*
 * A local path as typed: "~", "~/...", absolute, or relative to the current
 * directory. The pieces are joined first and normalised once, so that ".."
 * may climb out of HOME or the current directory, as it would in a shell.
 */
static int uri_parse_local(const char *text, const char *home, uri_location *out)
{
        nereid_buf joined = NEREID_BUF_INIT, path = NEREID_BUF_INIT;
        const char *rest = text;
        char *cwd = NULL;
        int rc = 0;

        if (text[0] == '~' && (text[1] == '\0' || text[1] == '/')) {
                if (!home || !home[0]) {
                        rc = nereid_error(NEREID_EUSAGE, "path \"%s\": HOME is not set", text);
                        goto cleanup;
                }
                if (home[0] != '/') {
                        cwd = uri_getcwd();
                        if (!cwd || buf_puts(&joined, cwd) < 0 || buf_putc(&joined, '/') < 0) {
                                rc = NEREID_ERROR;
                                goto cleanup;
                        }
                }
                if (buf_puts(&joined, home) < 0 || buf_putc(&joined, '/') < 0) {
                        rc = NEREID_ERROR;
                        goto cleanup;
                }
                rest = text + 1;
        } else if (text[0] != '/') {
                cwd = uri_getcwd();
                if (!cwd || buf_puts(&joined, cwd) < 0 || buf_putc(&joined, '/') < 0) {
                        rc = NEREID_ERROR;
                        goto cleanup;
                }
        }
        if (buf_puts(&joined, rest) < 0 || uri_normalize_into(&path, joined.ptr, 0) < 0) {
                rc = NEREID_ERROR;
                goto cleanup;
        }
        out->path = buf_detach(&path);
        if (!out->path)
                rc = NEREID_ERROR;
cleanup:
        free(cwd);
        buf_free(&joined);
        buf_free(&path);
        return rc;
}

/* Decode %XX escapes of s[0..len) into out; text is the whole input, for messages. */
static int uri_percent_decode(nereid_buf *out, const char *s, size_t len, const char *text)
{
        size_t i;

        for (i = 0; i < len; i++) {
                int hi, lo;
                char c = s[i];

                if (c == '%') {
                        hi = i + 1 < len ? uri_hex_value(s[i + 1]) : -1;
                        lo = i + 2 < len ? uri_hex_value(s[i + 2]) : -1;
                        if (hi < 0 || lo < 0)
                                return nereid_error(NEREID_EUSAGE,
                                                    "path \"%s\": bad percent escape \"%.3s\"",
                                                    text, s + i);
                        c = (char)(hi * 16 + lo);
                        if (c == '\0')
                                return nereid_error(NEREID_EUSAGE,
                                                    "path \"%s\": %%00 is not allowed in a path",
                                                    text);
                        i += 2;
                }
                if (buf_putc(out, c) < 0)
                        return NEREID_ERROR;
        }
        return 0;
}

/* 1 when s starts with a drive "X:" followed by '/' or the end. */
static int uri_is_drive(const char *s, size_t len)
{
        return len >= 2 && uri_is_alpha(s[0]) && s[1] == ':' && (len == 2 || s[2] == '/');
}

/* file:///abs, file://localhost/abs, file:/abs, file://c:/..., file:///C:/... */
static int uri_parse_file(const char *text, uri_location *out)
{
        nereid_buf raw = NEREID_BUF_INIT, decoded = NEREID_BUF_INIT, path = NEREID_BUF_INIT;
        const char *p;
        char *q, drive = 0;
        int rc = 0;

        /* Backslashes first, so that an escaped "%5C" stays a literal backslash. */
        if (buf_puts(&raw, text + strlen("file:")) < 0) {
                rc = NEREID_ERROR;
                goto cleanup;
        }
        for (q = raw.ptr; *q; q++) {
                if (*q == '\\')
                        *q = '/';
        }
        p = raw.ptr;
        if (p[0] == '/' && p[1] == '/') {
                const char *auth = p + 2;
                const char *end = strchr(auth, '/');
                size_t auth_len = end ? (size_t)(end - auth) : strlen(auth);

                if (uri_is_drive(auth, auth_len) && auth_len == 2) {
                        drive = uri_to_upper(auth[0]);
                } else if (auth_len != 0 &&
                           !(auth_len == 9 && uri_has_prefix_ci(auth, "localhost"))) {
                        rc = nereid_error(NEREID_EUSAGE,
                                          "path \"%s\": file:// host \"%.*s\" is not supported "
                                          "(only local files: file:///path)",
                                          text, (int)auth_len, auth);
                        goto cleanup;
                }
                p = auth + auth_len;
                if (!*p && !drive) {
                        rc = nereid_error(NEREID_EUSAGE, "path \"%s\": no path after the host",
                                          text);
                        goto cleanup;
                }
        } else if (p[0] != '/') {
                rc = nereid_error(NEREID_EUSAGE,
                                  "path \"%s\": a file: URI needs an absolute path (file:///path)",
                                  text);
                goto cleanup;
        }
        /* A drive is seen in the raw text only: "/c%3A/x" is a folder "c:". */
        if (!drive && p[0] == '/' && uri_is_drive(p + 1, strlen(p + 1))) {
                drive = uri_to_upper(p[1]);
                p += 3;
        }
        rc = uri_percent_decode(&decoded, p, strlen(p), text);
        if (rc < 0)
                goto cleanup;
        p = decoded.ptr ? decoded.ptr : "";
        if (drive) {
                char root[3] = {'/', drive, ':'};

                if (buf_put(&path, root, sizeof(root)) < 0) {
                        rc = NEREID_ERROR;
                        goto cleanup;
                }
        }
        if (uri_normalize_into(&path, p, path.len) < 0) {
                rc = NEREID_ERROR;
                goto cleanup;
        }
        out->path = buf_detach(&path);
        if (!out->path)
                rc = NEREID_ERROR;
cleanup:
        buf_free(&raw);
        buf_free(&decoded);
        buf_free(&path);
        return rc;
}

/* s3://bucket[/key]: the key is kept byte for byte. */
static int uri_parse_s3(const char *text, uri_location *out)
{
        const char *bucket = text + strlen("s3://");
        const char *slash = strchr(bucket, '/');
        size_t bucket_len = slash ? (size_t)(slash - bucket) : strlen(bucket);
        size_t i;

        if (bucket_len == 0)
                return nereid_error(NEREID_EUSAGE, "path \"%s\": no bucket name after s3://", text);
        for (i = 0; i < bucket_len; i++) {
                if (!uri_is_name_char(bucket[i]))
                        return nereid_error(NEREID_EUSAGE,
                                            "path \"%s\": bad bucket name \"%.*s\" (letters, "
                                            "digits, '.', '-' and '_' only)",
                                            text, (int)bucket_len, bucket);
        }
        out->bucket = malloc(bucket_len + 1);
        if (!out->bucket)
                return nereid_error_oom();
        memcpy(out->bucket, bucket, bucket_len);
        out->bucket[bucket_len] = '\0';
        out->key = nereid_strdup(slash ? slash + 1 : "");
        if (!out->key)
                return NEREID_ERROR;
        return 0;
}

/* Length of a "scheme:" prefix followed by "//", or 0. */
static size_t uri_scheme_len(const char *text)
{
        size_t n = 0;

        if (!uri_is_alpha(text[0]))
                return 0;
        while (uri_is_alpha(text[n]) || uri_is_digit(text[n]) || text[n] == '+' || text[n] == '-' ||
               text[n] == '.')
                n++;
        return (text[n] == ':' && text[n + 1] == '/' && text[n + 2] == '/') ? n : 0;
}

int uri_parse_location(const char *text, const char *home, uri_location *out)
{
        size_t scheme_len;
        int rc;

        memset(out, 0, sizeof(*out));
        if (!text || !text[0])
                return nereid_error(NEREID_EUSAGE, "path \"\": empty path");
        if (strpbrk(text, "*?"))
                return nereid_error(NEREID_EUSAGE, "path \"%s\": wildcards are not supported",
                                    text);
        scheme_len = uri_scheme_len(text);
        if (uri_has_prefix_ci(text, "file:")) {
                out->scheme = URI_LOCAL;
                rc = uri_parse_file(text, out);
        } else if (scheme_len == 2 && uri_has_prefix_ci(text, "s3")) {
                out->scheme = URI_S3;
                rc = uri_parse_s3(text, out);
        } else if (scheme_len) {
                rc = nereid_error(NEREID_EUSAGE,
                                  "path \"%s\": unsupported scheme \"%.*s\" (use a local path, "
                                  "file:// or s3://)",
                                  text, (int)scheme_len, text);
        } else {
                out->scheme = URI_LOCAL;
                rc = uri_parse_local(text, home, out);
        }
        if (rc < 0)
                uri_location_clear(out);
        return rc;
}

void uri_location_clear(uri_location *loc)
{
        if (!loc)
                return;
        free(loc->path);
        free(loc->bucket);
        free(loc->key);
        memset(loc, 0, sizeof(*loc));
}

int uri_check_field(const char *field)
{
        size_t len, i, seg_len = 0;

        if (!field || !field[0])
                return nereid_error(NEREID_EUSAGE, "field \"\": empty field path");
        len = strlen(field);
        if (len > URI_FIELD_MAX)
                return nereid_error(NEREID_EUSAGE, "field \"%.*s...\": longer than %d bytes",
                                    URI_QUOTE_MAX, field, URI_FIELD_MAX);
        if (field[0] == '/' || field[len - 1] == '/')
                return nereid_error(NEREID_EUSAGE, "field \"%s\": must not start or end with '/'",
                                    field);
        for (i = 0; i < len; i++) {
                char c = field[i];

                if (c == '/') {
                        if (seg_len == 0)
                                return nereid_error(NEREID_EUSAGE,
                                                    "field \"%s\": empty segment (\"//\")", field);
                        seg_len = 0;
                } else if (uri_is_name_char(c)) {
                        seg_len++;
                } else {
                        unsigned char b = (unsigned char)c;

                        if (b >= 0x20 && b < 0x7f)
                                return nereid_error(NEREID_EUSAGE,
                                                    "field \"%s\": character '%c' is not allowed "
                                                    "(segments are [A-Za-z0-9_.-]+ joined by '/')",
                                                    field, c);
                        return nereid_error(NEREID_EUSAGE,
                                            "field \"%s\": byte 0x%02X is not allowed (segments "
                                            "are [A-Za-z0-9_.-]+ joined by '/')",
                                            field, b);
                }
        }
        return 0;
}

int nereid_field_path_check(const char *field)
{
        return uri_check_field(field);
}

int uri_field_writable(const char *field)
{
        int rc = uri_check_field(field);

        if (rc < 0)
                return rc;
        if (strcmp(field, "sys") == 0 || strncmp(field, "sys/", 4) == 0)
                return nereid_error(NEREID_EUSAGE, "field %s: sys/ is read-only", field);
        return 0;
}

int uri_check_project_key(const char *key)
{
        size_t n = 0;

        if (!key)
                key = "";
        while (uri_is_upper(key[n]))
                n++;
        if (key[n] != '\0' || n < URI_KEY_MIN || n > URI_KEY_MAX)
                return nereid_error(NEREID_EUSAGE,
                                    "project key \"%.*s\": must be %d-%d uppercase letters A-Z",
                                    URI_QUOTE_MAX, key, URI_KEY_MIN, URI_KEY_MAX);
        return 0;
}

int uri_check_project_name(const char *name)
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
                return nereid_error(NEREID_EUSAGE,
                                    "project \"%.*s\": expected \"workspace/project\", each part "
                                    "made of [A-Za-z0-9_.-]",
                                    URI_QUOTE_MAX, name);
        /* SPEC section 1: no "." or ".." part, as in a path. */
        p = strchr(name, '/');
        if (!strcmp(p + 1, ".") || !strcmp(p + 1, "..") || !strncmp(name, "./", 2) ||
            !strncmp(name, "../", 3))
                return nereid_error(NEREID_EUSAGE,
                                    "project \"%s\": a part may not be \".\" or \"..\"", name);
        return 0;
}

int uri_check_run_id(const char *id)
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
        return nereid_error(NEREID_EUSAGE,
                            "run \"%.*s\": expected a run ID KEY-N, such as CLS-45 (KEY: %d-%d "
                            "uppercase letters, N >= 1)",
                            URI_QUOTE_MAX, id, URI_KEY_MIN, URI_KEY_MAX);
}

int uri_parse_ref(const char *text, int require_run, char **run_out, char **field_out)
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
                        rc = nereid_error(NEREID_EUSAGE,
                                          "reference \"%.*s\": expected RUN:FIELD, such as "
                                          "CLS-45:data_versions/train",
                                          URI_QUOTE_MAX, text);
                        goto cleanup;
                }
                rc = uri_check_field(text);
                if (rc < 0)
                        goto cleanup;
                field = nereid_strdup(text);
                if (!field) {
                        rc = NEREID_ERROR;
                        goto cleanup;
                }
        } else {
                size_t run_len = (size_t)(colon - text);

                run = malloc(run_len + 1);
                if (!run) {
                        rc = nereid_error_oom();
                        goto cleanup;
                }
                memcpy(run, text, run_len);
                run[run_len] = '\0';
                rc = uri_check_run_id(run);
                if (rc < 0)
                        goto cleanup;
                rc = uri_check_field(colon + 1);
                if (rc < 0)
                        goto cleanup;
                field = nereid_strdup(colon + 1);
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

int uri_is_safe_relative(const char *path)
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

char *uri_escape(const char *s, int keep_slash)
{
        static const char hex[] = "0123456789ABCDEF";
        nereid_buf buf = NEREID_BUF_INIT;
        const char *p;

        /* buf_grow alone leaves a new buffer unterminated: terminate it for "". */
        if (buf_grow(&buf, strlen(s)) < 0)
                return NULL;
        buf.ptr[0] = '\0';
        for (p = s; *p; p++) {
                char c = *p;
                int rc;

                if (uri_is_alpha(c) || uri_is_digit(c) || c == '-' || c == '_' || c == '.' ||
                    c == '~' || (c == '/' && keep_slash)) {
                        rc = buf_putc(&buf, c);
                } else {
                        unsigned char b = (unsigned char)c;
                        char esc[3] = {'%', hex[b >> 4], hex[b & 15]};

                        rc = buf_put(&buf, esc, sizeof(esc));
                }
                if (rc < 0) {
                        buf_free(&buf);
                        return NULL;
                }
        }
        return buf_detach(&buf);
}
