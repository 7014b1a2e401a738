/*
 * fileurl.c - the file:// URL of a Local record's source (SPEC section 2,
 * metadata.file_path): written when a local file is tracked, read back by
 * download and status, checked when records come from outside (import).
 * Part of the local source driver's syntax: only string work; what users
 * type as a track path is parsed by local_location.c, and s3:// sources
 * are kept raw (s3_location.c).
 *
 * What is encoded, and why (RFC 3986 section 3.3, RFC 8089, RFC 3987):
 * a path segment may hold unreserved characters, sub-delims, ':' and '@'
 * as they are; everything else must be %XX. On top of that '*' is encoded
 * (nereid track refuses a raw '*' as a wildcard, so a recorded URL can be
 * given back to track), and so is the ':' of a first segment "X:", which
 * parsers take for a Windows drive. Non-ASCII stays raw UTF-8, as in an
 * IRI, so that names stay readable (SPEC's S3 example is raw too), except
 * what an IRI does not allow there (C1 controls, private use, non-
 * characters) and invalid UTF-8, which are %XX byte by byte.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "alloc.h"
#include "buf.h"
#include "error.h"
#include "fileurl.h"
#include "uri.h"

#define FILEURL_PREFIX "file://"
/* How much of a bad URL an error message quotes. */
#define FILEURL_QUOTE_MAX 200

/* 1 for the ASCII bytes a path segment keeps raw (see the top comment):
 * letters, digits and -._~!$&'()+,;=:@/, as a set of 128 bits (a track
 * makes one URL per file). tests/unit/test_fileurl.c checks the set. */
static int fileurl_keeps(unsigned char c)
{
        static const uint64_t below_64 = 0x2ffffbd200000000ULL, from_64 = 0x47fffffe87ffffffULL;

        return c < 64 ? (int)(below_64 >> c & 1) : c < 128 ? (int)(from_64 >> (c - 64) & 1) : 0;
}

/* Length of the valid UTF-8 sequence at s whose code point an IRI path may
 * hold raw (RFC 3987 ucschar), or 0. */
static size_t fileurl_iri_char(const unsigned char *s)
{
        uint32_t cp;
        size_t n, i;

        if (s[0] >= 0xC2 && s[0] <= 0xDF) {
                n = 2;
                cp = s[0] & 0x1Fu;
        } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
                n = 3;
                cp = s[0] & 0x0Fu;
        } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
                n = 4;
                cp = s[0] & 0x07u;
        } else {
                return 0;
        }
        for (i = 1; i < n; i++) {
                if ((s[i] & 0xC0) != 0x80)
                        return 0;
                cp = (cp << 6) | (s[i] & 0x3Fu);
        }
        /* Overlong forms, surrogates and code points past U+10FFFF. */
        if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
                return 0;
        if (cp < 0xA0 || (cp >= 0xE000 && cp <= 0xF8FF) || (cp >= 0xFDD0 && cp <= 0xFDEF) ||
            (cp & 0xFFFF) >= 0xFFFE || (cp >= 0xE0000 && cp <= 0xE0FFF) || cp >= 0xF0000)
                return 0;
        return n;
}

/* 1 when path starts with a first segment that looks like a drive, "/X:". */
static int fileurl_drive_like(const char *path)
{
        char c = path[1];

        return path[0] == '/' && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) &&
               path[2] == ':' && (path[3] == '/' || path[3] == '\0');
}

/* Whether path's byte at i is written as a %XX escape (1; *n is 1) or
 * kept raw (0; *n bytes: one ASCII byte or a whole UTF-8 sequence). */
static int fileurl_escaped(const char *path, size_t i, size_t *n)
{
        const unsigned char *p = (const unsigned char *)path;

        *n = 1;
        if (fileurl_keeps(p[i]) && !(i == 2 && p[i] == ':' && fileurl_drive_like(path)))
                return 0;
        if (p[i] >= 0x80 && (*n = fileurl_iri_char(p + i)) != 0)
                return 0;
        *n = 1;
        return 1;
}

char *nrd_fileurl_from_path(const char *path)
{
        static const char hex[] = "0123456789ABCDEF";
        const size_t prefix = sizeof(FILEURL_PREFIX) - 1;
        size_t i, n, len = prefix;
        char *url, *o;

        /* Measured first, then written once: no buffer grows per byte. */
        for (i = 0; path[i]; i += n)
                len += fileurl_escaped(path, i, &n) ? 3 : n;
        if (!(url = nrd_malloc(len + 1)))
                return NULL;
        memcpy(url, FILEURL_PREFIX, prefix);
        o = url + prefix;
        for (i = 0; path[i]; i += n) {
                unsigned char c = (unsigned char)path[i];

                if (fileurl_escaped(path, i, &n)) {
                        *o++ = '%';
                        *o++ = hex[c >> 4];
                        *o++ = hex[c & 15];
                } else {
                        memcpy(o, path + i, n);
                        o += n;
                }
        }
        *o = '\0';
        return url;
}

/* The path part of a file:// URL: after "file://" and an empty or
 * "localhost" host; NULL when the URL has another form. */
static const char *fileurl_path_part(const char *url)
{
        const char *p;

        if (strncmp(url, FILEURL_PREFIX, strlen(FILEURL_PREFIX)) != 0)
                return NULL;
        p = url + strlen(FILEURL_PREFIX);
        if (strncasecmp(p, "localhost", 9) == 0)
                p += 9;
        return p[0] == '/' ? p : NULL;
}

int nrd_fileurl_to_path(const char *url, char **path_out)
{
        nereid_buf buf = NEREID_BUF_INIT;
        const char *p;
        int rc = 0;

        *path_out = NULL;
        if (!url || !(p = fileurl_path_part(url)))
                return nrd_error(NEREID_EINVALID, "%.*s: not a file:///path URL", FILEURL_QUOTE_MAX,
                                 url ? url : "(no source)");
        for (; *p && rc == 0; p++) {
                int hi = p[0] == '%' ? nrd_uri_hex_value(p[1]) : -1;
                int lo = hi >= 0 ? nrd_uri_hex_value(p[2]) : -1;
                char c = *p;

                if (lo >= 0) {
                        c = (char)(hi * 16 + lo);
                        p += 2;
                        if (c == '\0') {
                                nrd_buf_free(&buf);
                                return nrd_error(NEREID_EINVALID, "%.*s: %%00 in a file URL",
                                                 FILEURL_QUOTE_MAX, url);
                        }
                        /* No file name holds a '/': an encoded one would
                         * join segments the check above saw apart. */
                        if (c == '/') {
                                nrd_buf_free(&buf);
                                return nrd_error(NEREID_EINVALID, "%.*s: %%2F in a file URL",
                                                 FILEURL_QUOTE_MAX, url);
                        }
                }
                rc = nrd_buf_putc(&buf, c);
        }
        if (rc < 0 || !(*path_out = nrd_buf_detach(&buf))) {
                nrd_buf_free(&buf);
                return nrd_error_oom();
        }
        return 0;
}

/* A segment of raw URL text [s, s + n) that decodes to "", "." or "..". */
static int fileurl_dot_segment(const char *s, size_t n)
{
        size_t dots = 0, i = 0;

        while (i < n) {
                if (s[i] == '.') {
                        i++;
                } else if (n - i >= 3 && s[i] == '%' && s[i + 1] == '2' &&
                           (s[i + 2] == 'E' || s[i + 2] == 'e')) {
                        i += 3;
                } else {
                        return 0;
                }
                dots++;
        }
        return dots <= 2;
}

int nrd_fileurl_check(const char *url, const char *where)
{
        const char *path = url ? fileurl_path_part(url) : NULL;
        const char *why = NULL, *p;

        if (!path)
                why = "not an absolute file:///path URL (file:// with no host or localhost)";
        for (p = path; !why && *p; p++) {
                unsigned char c = (unsigned char)*p;

                if (c == '%' && (nrd_uri_hex_value(p[1]) < 0 || nrd_uri_hex_value(p[2]) < 0))
                        why = "a '%' not followed by two hex digits (write %25)";
                else if (c == '%' && p[1] == '0' && p[2] == '0')
                        why = "%00 cannot be in a file name";
                else if (c == '%' && p[1] == '2' && (p[2] == 'F' || p[2] == 'f'))
                        why = "%2F cannot be in a file name (a '/' separates segments)";
                else if (c < 0x20 || c == 0x7F)
                        why = "a raw control character (write it %XX)";
                else if (c == '#' || c == '?')
                        why = "a raw '#' or '?' starts a fragment or query (write %23 or %3F)";
                else if (c == '\\')
                        why = "a raw '\\' is a separator to some parsers (write %5C)";
        }
        /* Every segment after a '/' (path starts with one). */
        for (p = path; !why && p && *p == '/';) {
                const char *seg = p + 1, *end = strchr(seg, '/');
                size_t n = end ? (size_t)(end - seg) : strlen(seg);

                if (fileurl_dot_segment(seg, n))
                        why = "an empty, \".\" or \"..\" segment (the path must be resolved)";
                p = seg + n;
        }
        if (why)
                return nrd_error(NEREID_EINVALID, "%s: metadata.file_path \"%.*s\": %s", where,
                                 FILEURL_QUOTE_MAX, url ? url : "", why);
        return 0;
}
