/*
 * fuzz_uri.c - libFuzzer target for the track-path parser: every input,
 * as a NUL-terminated string, goes through uri_parse_location,
 * uri_is_safe_relative and uri_escape. Beyond the sanitizers, it checks the
 * promises of uri.h: a parsed local path is absolute, normalised and has no
 * trailing '/'; an escaped string holds only unreserved bytes and %XX.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "uri.h"

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *text = malloc(size + 1);
        uri_location loc;
        int keep;

        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = '\0';

        if (uri_parse_location(text, &loc) == 0) {
                if (loc.scheme == URI_LOCAL) {
                        if (!loc.path || loc.bucket || loc.key)
                                abort();
                        fuzz_check_local_path(loc.path);
                } else if (loc.scheme == URI_S3) {
                        if (loc.path || !loc.bucket || !loc.bucket[0] || !loc.key)
                                abort();
                } else {
                        abort();
                }
                uri_location_clear(&loc);
        } else if (loc.path || loc.bucket || loc.key) {
                abort();
        }

        (void)uri_is_safe_relative(text);

        for (keep = 0; keep <= 1; keep++) {
                char *escaped = uri_escape(text, keep);

                if (escaped) {
                        fuzz_check_escaped(escaped, keep);
                        free(escaped);
                }
        }
        free(text);
        return 0;
}
