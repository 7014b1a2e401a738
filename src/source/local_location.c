/*
 * local_location.c - the syntax of the local source driver: what users
 * type to name local files (a path, "~/...", file:// URIs in POSIX and
 * Windows forms), the text remembered for status, and the file:// source
 * of a Local record read back and checked. The URL itself is fileurl.c's;
 * the walk and the fetch are local_scan.c's and local.c's.
 *
 * Pure string work: the only I/O is reading HOME and the current directory
 * to make local paths absolute. Nothing here touches the file system to
 * resolve symbolic links; that is fs.c's and the walk's job.
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
 *   the same location, and the path stays absolute as source_location
 *   promises. (A Windows port would drop the leading '/'.) A drive is
 *   recognised in the raw text only, so "file:///c%3A/x" is a folder "c:".
 * - "~" and "~/..." use HOME; "~user/..." is an ordinary relative path.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../buf.h"
#include "../error.h"
#include "../uri.h"
#include "fileurl.h"
#include "../hash.h"
#include "local_location.h"
#include "../os/os.h"

static int local_is_alpha(char c)
{
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static char local_to_upper(char c)
{
        return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

/* Case-insensitive prefix test for ASCII scheme names. */
static int local_has_prefix_ci(const char *s, const char *prefix)
{
        for (; *prefix; s++, prefix++) {
                if (local_to_upper(*s) != local_to_upper(*prefix))
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
static int local_normalize_into(nereid_buf *out, const char *path, size_t root_len)
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
                if (nrd_buf_putc(out, '/') < 0 || nrd_buf_put(out, seg, n) < 0)
                        return NEREID_ERROR;
        }
        if (out->len == 0 && nrd_buf_putc(out, '/') < 0)
                return NEREID_ERROR;
        return 0;
}

/*
 * A local path as typed: "~", "~/...", absolute, or relative to the current
 * directory. The pieces are joined first and normalised once, so that ".."
 * may climb out of HOME or the current directory, as it would in a shell.
 */
static int local_parse_path(const char *text, const char *home, source_location *out)
{
        nereid_buf joined = NEREID_BUF_INIT, path = NEREID_BUF_INIT;
        const char *rest = text;
        char *cwd = NULL;
        int rc = 0;

        if (text[0] == '~' && (text[1] == '\0' || text[1] == '/')) {
                if (!home || !home[0]) {
                        rc = nrd_error(NEREID_EINVALID, "path \"%s\": HOME is not set", text);
                        goto cleanup;
                }
                if (home[0] != '/') {
                        cwd = nrd_os_getcwd();
                        if (!cwd || nrd_buf_puts(&joined, cwd) < 0 ||
                            nrd_buf_putc(&joined, '/') < 0) {
                                rc = NEREID_ERROR;
                                goto cleanup;
                        }
                }
                if (nrd_buf_puts(&joined, home) < 0 || nrd_buf_putc(&joined, '/') < 0) {
                        rc = NEREID_ERROR;
                        goto cleanup;
                }
                rest = text + 1;
        } else if (text[0] != '/') {
                cwd = nrd_os_getcwd();
                if (!cwd || nrd_buf_puts(&joined, cwd) < 0 || nrd_buf_putc(&joined, '/') < 0) {
                        rc = NEREID_ERROR;
                        goto cleanup;
                }
        }
        if (nrd_buf_puts(&joined, rest) < 0 || local_normalize_into(&path, joined.ptr, 0) < 0) {
                rc = NEREID_ERROR;
                goto cleanup;
        }
        out->path = nrd_buf_detach(&path);
        if (!out->path)
                rc = NEREID_ERROR;
cleanup:
        free(cwd);
        nrd_buf_free(&joined);
        nrd_buf_free(&path);
        return rc;
}

/* Decode %XX escapes of s[0..len) into out; text is the whole input, for messages. */
static int local_percent_decode(nereid_buf *out, const char *s, size_t len, const char *text)
{
        size_t i;

        for (i = 0; i < len; i++) {
                int hi, lo;
                char c = s[i];

                if (c == '%') {
                        hi = i + 1 < len ? nrd_uri_hex_value(s[i + 1]) : -1;
                        lo = i + 2 < len ? nrd_uri_hex_value(s[i + 2]) : -1;
                        if (hi < 0 || lo < 0)
                                return nrd_error(NEREID_EINVALID,
                                                 "path \"%s\": bad percent escape \"%.3s\"", text,
                                                 s + i);
                        c = (char)(hi * 16 + lo);
                        if (c == '\0')
                                return nrd_error(NEREID_EINVALID,
                                                 "path \"%s\": %%00 is not allowed in a path",
                                                 text);
                        i += 2;
                }
                if (nrd_buf_putc(out, c) < 0)
                        return NEREID_ERROR;
        }
        return 0;
}

/* 1 when s starts with a drive "X:" followed by '/' or the end. */
static int local_is_drive(const char *s, size_t len)
{
        return len >= 2 && local_is_alpha(s[0]) && s[1] == ':' && (len == 2 || s[2] == '/');
}

/* file:///abs, file://localhost/abs, file:/abs, file://c:/..., file:///C:/... */
static int local_parse_file(const char *text, source_location *out)
{
        nereid_buf raw = NEREID_BUF_INIT, decoded = NEREID_BUF_INIT, path = NEREID_BUF_INIT;
        const char *p;
        char *q, drive = 0;
        int rc = 0;

        /* Backslashes first, so that an escaped "%5C" stays a literal backslash. */
        if (nrd_buf_puts(&raw, text + strlen("file:")) < 0) {
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

                if (local_is_drive(auth, auth_len) && auth_len == 2) {
                        drive = local_to_upper(auth[0]);
                } else if (auth_len != 0 &&
                           !(auth_len == 9 && local_has_prefix_ci(auth, "localhost"))) {
                        rc = nrd_error(NEREID_EINVALID,
                                       "path \"%s\": file:// host \"%.*s\" is not supported "
                                       "(only local files: file:///path)",
                                       text, (int)auth_len, auth);
                        goto cleanup;
                }
                p = auth + auth_len;
                if (!*p && !drive) {
                        rc =
                            nrd_error(NEREID_EINVALID, "path \"%s\": no path after the host", text);
                        goto cleanup;
                }
        } else if (p[0] != '/') {
                rc = nrd_error(NEREID_EINVALID,
                               "path \"%s\": a file: URI needs an absolute path (file:///path)",
                               text);
                goto cleanup;
        }
        /* A drive is seen in the raw text only: "/c%3A/x" is a folder "c:". */
        if (!drive && p[0] == '/' && local_is_drive(p + 1, strlen(p + 1))) {
                drive = local_to_upper(p[1]);
                p += 3;
        }
        rc = local_percent_decode(&decoded, p, strlen(p), text);
        if (rc < 0)
                goto cleanup;
        p = decoded.ptr ? decoded.ptr : "";
        if (drive) {
                char root[3] = {'/', drive, ':'};

                if (nrd_buf_put(&path, root, sizeof(root)) < 0) {
                        rc = NEREID_ERROR;
                        goto cleanup;
                }
        }
        if (local_normalize_into(&path, p, path.len) < 0) {
                rc = NEREID_ERROR;
                goto cleanup;
        }
        out->path = nrd_buf_detach(&path);
        if (!out->path)
                rc = NEREID_ERROR;
cleanup:
        nrd_buf_free(&raw);
        nrd_buf_free(&decoded);
        nrd_buf_free(&path);
        return rc;
}

int nrd_local_parse(const char *text, const char *home, source_location *out)
{
        int rc = nrd_source_refuse_wildcards(text);

        if (rc < 0)
                return rc;
        if (local_has_prefix_ci(text, "file:"))
                return local_parse_file(text, out);
        return local_parse_path(text, home, out);
}

/* The percent-encoded file:// URL (fileurl.c), so a folder named "q?d" or
 * "%41" is neither a wildcard nor decoded into another name when it is
 * parsed back (roots stored as bare paths by older versions still parse
 * as paths). */
char *nrd_local_format(const source_location *loc)
{
        return nrd_fileurl_from_path(loc->path);
}

/* A file:// source is percent-decoded (fileurl.c), never normalised. */
int nrd_local_parse_source(const char *source, source_location *out)
{
        return nrd_fileurl_to_path(source, &out->path);
}

int nrd_local_check_record(const struct nereid_file *f, const char *at)
{
        if (!f->file_hash || !nrd_hash_is_md5(f->file_hash))
                return nrd_error(NEREID_EINVALID,
                                 "%s: file_hash \"%.80s\" is not an MD5 (32 lowercase hex "
                                 "digits)",
                                 at, f->file_hash ? f->file_hash : "");
        if (f->source && strncmp(f->source, "file:", 5) != 0)
                return nrd_error(NEREID_EINVALID,
                                 "%s: metadata.file_path \"%.200s\": a Local record's source "
                                 "must be a file:/// URL",
                                 at, f->source);
        if (f->source && nrd_fileurl_check(f->source, at) < 0)
                return NEREID_EINVALID;
        return 0;
}
