/*
 * fuzz_uri.c - libFuzzer target for the track-path parser and the file://
 * URLs of record sources: every input, as a NUL-terminated string, goes
 * through nrd_source_parse_location, nrd_uri_is_safe_relative, nrd_uri_escape and
 * fileurl.c. Beyond the sanitizers, it checks the promises of source.h, uri.h and
 * fileurl.h: a parsed local path is absolute, normalised and has no
 * trailing '/'; an escaped string holds only unreserved bytes and %XX; the
 * URL of an absolute path holds no raw byte that would change what it
 * names, decodes to that path, and names it to track too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "source/fileurl.h"
#include "source/source.h"
#include "uri.h"

/* What "~" stands for in the paths parsed (the project's home option). */
static const char *home_for_test = "/home/tester";

static void fuzz_check_local_path(const char *path)
{
        size_t len = strlen(path);

        if (path[0] != '/')
                abort();
        if (len > 1 && path[len - 1] == '/')
                abort();
        if (strstr(path, "//") || strstr(path, "/./") || strstr(path, "/../"))
                abort();
        if (len >= 2 && strcmp(path + len - 2, "/.") == 0)
                abort();
        if (len >= 3 && strcmp(path + len - 3, "/..") == 0)
                abort();
}

static int fuzz_is_upper_hex(char c)
{
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

static void fuzz_check_escaped(const char *s, int keep_slash)
{
        for (; *s; s++) {
                char c = *s;

                if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.' || c == '~' || (c == '/' && keep_slash))
                        continue;
                if (c != '%' || !fuzz_is_upper_hex(s[1]) || !fuzz_is_upper_hex(s[2]))
                        abort();
                s += 2;
        }
}

/* The URL holds only what a path segment keeps raw, %XX, and UTF-8. */
static void fuzz_check_url(const char *url)
{
        const unsigned char *p = (const unsigned char *)url + strlen("file://");

        if (strncmp(url, "file:///", 8) != 0)
                abort();
        for (; *p; p++) {
                if (*p >= 0x80)
                        continue;
                if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                    (*p >= '0' && *p <= '9') || strchr("-._~!$&'()+,;=:@/", *p))
                        continue;
                if (*p != '%' || !fuzz_is_upper_hex((char)p[1]) || !fuzz_is_upper_hex((char)p[2]))
                        abort();
                p += 2;
        }
}

/* fileurl.c on text: as a path (when absolute), and as a URL. */
static void fuzz_fileurl(const char *text)
{
        char *url, *back = NULL;
        source_location loc;
        int checked = nrd_fileurl_check(text, "fuzz");

        /* Whatever the check accepts reads back as an absolute path. */
        if (nrd_fileurl_to_path(text, &back) == 0) {
                if (back[0] != '/')
                        abort();
                free(back);
                back = NULL;
        } else if (checked == 0 || back) {
                abort();
        }
        if (text[0] != '/')
                return;
        url = nrd_fileurl_from_path(text);
        if (!url)
                return;
        fuzz_check_url(url);
        if (nrd_fileurl_to_path(url, &back) != 0 || strcmp(back, text) != 0)
                abort();
        free(back);
        /* A normalised path: the URL passes the check, and track reads it back. */
        if (strlen(text) > 1 && !strstr(text, "//") && !strstr(text, "/./") &&
            !strstr(text, "/../") && text[strlen(text) - 1] != '/' &&
            !(strlen(text) >= 2 && strcmp(text + strlen(text) - 2, "/.") == 0) &&
            !(strlen(text) >= 3 && strcmp(text + strlen(text) - 3, "/..") == 0)) {
                if (nrd_fileurl_check(url, "fuzz") != 0)
                        abort();
                if (nrd_source_parse_location(url, home_for_test, &loc) != 0 ||
                    loc.driver != &nrd_source_local || strcmp(loc.path, text) != 0)
                        abort();
                nrd_source_location_clear(&loc);
        }
        free(url);
}

/* What a driver remembers of a location (format) parses back to the same
 * place, and never as a wildcard. */
static void fuzz_round_trip(const source_location *loc)
{
        source_location back;
        char *text = nrd_source_format_location(loc);

        if (!text)
                return;
        if (strpbrk(text, "*?") || nrd_source_parse_location(text, home_for_test, &back) != 0 ||
            back.driver != loc->driver || strcmp(back.path, loc->path) != 0 ||
            (loc->host ? !back.host || strcmp(back.host, loc->host) != 0 : back.host != NULL))
                abort();
        nrd_source_location_clear(&back);
        free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *text = malloc(size + 1);
        source_location loc;
        int keep;

        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = '\0';

        if (nrd_source_parse_location(text, home_for_test, &loc) == 0) {
                if (loc.driver == &nrd_source_local) {
                        if (!loc.path || loc.host)
                                abort();
                        fuzz_check_local_path(loc.path);
                } else if (loc.driver == &nrd_source_s3) {
                        if (!loc.host || !loc.host[0] || !loc.path)
                                abort();
                } else {
                        abort();
                }
                fuzz_round_trip(&loc);
                nrd_source_location_clear(&loc);
        } else if (loc.driver || loc.path || loc.host) {
                abort();
        }

        (void)nrd_uri_is_safe_relative(text);
        fuzz_fileurl(text);

        for (keep = 0; keep <= 1; keep++) {
                char *escaped = nrd_uri_escape(text, keep);

                if (escaped) {
                        fuzz_check_escaped(escaped, keep);
                        free(escaped);
                }
        }
        free(text);
        return 0;
}
