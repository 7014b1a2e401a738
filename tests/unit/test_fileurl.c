/*
 * test_fileurl.c - unit tests of src/source/fileurl.c: the file:// URL of a
 * record's source is percent-encoded as RFC 3986 / RFC 8089 say (and
 * non-ASCII kept as in an IRI), decodes back to the same path, names the
 * same path when given to track (the local driver's parse), and the strict check of sources
 * that come from outside.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "error.h"
#include "source/fileurl.h"
#include "source/source.h"

/* What "~" stands for in the paths parsed (the project's home option). */
static const char *home_for_test = "/home/tester";

/* path -> want, and want -> path again, through both readers. */
static void check_url(const char *path, const char *want)
{
        char *url = nrd_fileurl_from_path(path), *back = NULL;
        source_location loc;

        CHECK_STR(url, want);
        CHECK(url && nrd_fileurl_to_path(url, &back) == 0);
        CHECK_STR(back, path);
        CHECK(url && nrd_fileurl_check(url, "t") == 0);
        /* What track makes of the URL is the same path. */
        CHECK(url && nrd_source_parse_location(url, home_for_test, &loc) == 0);
        CHECK(loc.driver == &nrd_source_local);
        CHECK_STR(loc.path, path);
        nrd_source_location_clear(&loc);
        free(back);
        free(url);
}

static void test_encode(void)
{
        /* Plain names, as in SPEC's hash vectors, are unchanged. */
        check_url("/data/datasets/train/sample.csv", "file:///data/datasets/train/sample.csv");
        /* '%' always: "%41pct" must not name "Apct". */
        check_url("/d/%41pct", "file:///d/%2541pct");
        check_url("/d/100%", "file:///d/100%25");
        /* What would end the path or be taken for something else. */
        check_url("/d/a b#c?d\"e", "file:///d/a%20b%23c%3Fd%22e");
        check_url("/d/<>[]\\^`{|}", "file:///d/%3C%3E%5B%5D%5C%5E%60%7B%7C%7D");
        check_url("/d/x*y", "file:///d/x%2Ay");
        /* Sub-delims, ':' and '@' stay. */
        check_url("/d/a!$&'()+,;=:@~-._z", "file:///d/a!$&'()+,;=:@~-._z");
        /* Control characters. */
        check_url("/d/tab\there\nnl\x7f", "file:///d/tab%09here%0Anl%7F");
        /* Non-ASCII stays raw UTF-8 (an IRI), as SPEC's S3 example. */
        check_url("/données/é.txt", "file:///données/é.txt");
        check_url("/d/\xF0\x9F\x98\x80", "file:///d/\xF0\x9F\x98\x80");
        /* Three-byte sequences too (as long as an escape), alone and in a row. */
        check_url("/d/\xE2\x82\xAC.txt", "file:///d/\xE2\x82\xAC.txt");
        check_url("/\xE6\x97\xA5\xE6\x9C\xAC/a", "file:///\xE6\x97\xA5\xE6\x9C\xAC/a");
        check_url("/d/\xE2\x82\xAC%\xE2\x82\xAC", "file:///d/\xE2\x82\xAC%25\xE2\x82\xAC");
        /* ... but not C1 controls, private use, non-characters, bad UTF-8. */
        check_url("/d/\xC2\x85", "file:///d/%C2%85");
        check_url("/d/\xEE\x80\x80", "file:///d/%EE%80%80");
        check_url("/d/\xEF\xBF\xBE", "file:///d/%EF%BF%BE");
        check_url("/d/\xFF\xC3", "file:///d/%FF%C3");
        check_url("/d/\xC0\xAF", "file:///d/%C0%AF");
        check_url("/d/\xED\xA0\x80", "file:///d/%ED%A0%80");
        /* A first segment that looks like a Windows drive keeps its meaning. */
        check_url("/c:/x", "file:///c%3A/x");
        check_url("/C:", "file:///C%3A");
        check_url("/cd:/x", "file:///cd:/x");
        check_url("/a/c:/x", "file:///a/c:/x");
}

static void test_decode(void)
{
        char *path = nrd_fileurl_from_path("/");

        CHECK_STR(path, "file:///");
        free(path);
        path = NULL;

        /* Lowercase hex, localhost, escapes of unreserved characters. */
        CHECK(nrd_fileurl_to_path("file://localhost/a%2db%41", &path) == 0);
        CHECK_STR(path, "/a-bA");
        free(path);
        CHECK(nrd_fileurl_to_path("file://LOCALHOST/x", &path) == 0);
        CHECK_STR(path, "/x");
        free(path);
        /* Records written raw before URLs were encoded still name their file. */
        CHECK(nrd_fileurl_to_path("file:///d/100% sure #1?", &path) == 0);
        CHECK_STR(path, "/d/100% sure #1?");
        free(path);
        CHECK(nrd_fileurl_to_path("file:///d/%4", &path) == 0);
        CHECK_STR(path, "/d/%4");
        free(path);
        CHECK(nrd_fileurl_to_path("file:///d/a%00b", &path) == NEREID_EINVALID);
        CHECK(path == NULL);
        CHECK(strstr(nereid_error_last(), "%00") != NULL);
        /* An encoded '/' would join what the check saw as segments. */
        CHECK(nrd_fileurl_to_path("file:///a%2F..%2Fetc/passwd", &path) == NEREID_EINVALID);
        CHECK(path == NULL);
        CHECK(strstr(nereid_error_last(), "%2F") != NULL);
        CHECK(nrd_fileurl_to_path("file://host/x", &path) == NEREID_EINVALID);
        CHECK(nrd_fileurl_to_path("file:/x", &path) == NEREID_EINVALID);
        CHECK(nrd_fileurl_to_path("s3://b/x", &path) == NEREID_EINVALID);
        CHECK(nrd_fileurl_to_path("/x", &path) == NEREID_EINVALID);
        CHECK(nrd_fileurl_to_path(NULL, &path) == NEREID_EINVALID);
        CHECK(path == NULL);
}

static void check_bad(const char *url, const char *part)
{
        int rc = nrd_fileurl_check(url, "rec");

        if (rc != NEREID_EINVALID || !strstr(nereid_error_last(), part))
                fprintf(stderr, "\"%s\": %d \"%s\", want \"%s\"\n", url ? url : "(null)", rc,
                        nereid_error_last(), part);
        CHECK(rc == NEREID_EINVALID);
        CHECK(strstr(nereid_error_last(), part) != NULL);
        CHECK(strncmp(nereid_error_last(), "rec: metadata.file_path", 23) == 0);
}

static void test_check(void)
{
        CHECK(nrd_fileurl_check("file:///a/b", "x") == 0);
        CHECK(nrd_fileurl_check("file://localhost/a/b", "x") == 0);
        /* Raw characters a URL parser escapes by itself are accepted. */
        CHECK(nrd_fileurl_check("file:///a b/\"c\"/<d>|{e}^`", "x") == 0);
        CHECK(nrd_fileurl_check("file:///données/é.txt", "x") == 0);
        CHECK(nrd_fileurl_check("file:///a/%2e%2Ex", "x") == 0);
        check_bad("file://host/a", "not an absolute file:///path URL");
        check_bad("file:a", "not an absolute file:///path URL");
        check_bad("file:/a", "not an absolute file:///path URL");
        check_bad("file://", "not an absolute file:///path URL");
        check_bad("/etc/x", "not an absolute file:///path URL");
        check_bad("x", "not an absolute file:///path URL");
        check_bad("", "not an absolute file:///path URL");
        check_bad(NULL, "not an absolute file:///path URL");
        check_bad("file:///a/%4", "'%' not followed by two hex digits");
        check_bad("file:///a/100%", "'%' not followed by two hex digits");
        check_bad("file:///a/%zz", "'%' not followed by two hex digits");
        check_bad("file:///a/%00", "%00");
        check_bad("file:///a%2F..%2Fetc/passwd", "%2F");
        check_bad("file:///a/b%2fc", "%2F");
        check_bad("file:///a/b\tc", "control character");
        check_bad("file:///a/b\x7f", "control character");
        check_bad("file:///a/b#c", "'#' or '?'");
        check_bad("file:///a/b?c", "'#' or '?'");
        check_bad("file:///a\\b", "'\\'");
        check_bad("file:///", "segment");
        check_bad("file:///a/", "segment");
        check_bad("file:///a//b", "segment");
        check_bad("file:///a/./b", "segment");
        check_bad("file:///a/../b", "segment");
        check_bad("file:///a/..", "segment");
        check_bad("file:///a/%2E%2e/b", "segment");
        check_bad("file:///%2e", "segment");
}

/* Every ASCII byte but '/' after "/d/x": raw when RFC 3986 keeps it in a
 * path segment (unreserved, sub-delims, ':' '@'), else %XX. */
static void test_every_byte(void)
{
        static const char keep[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                   "0123456789-._~!$&'()+,;=:@";
        unsigned c;

        for (c = 1; c < 128; c++) {
                char path[8], want[32];

                if (c == '/')
                        continue;
                snprintf(path, sizeof(path), "/d/x%c", (char)c);
                if (strchr(keep, (int)c))
                        snprintf(want, sizeof(want), "file:///d/x%c", (char)c);
                else
                        snprintf(want, sizeof(want), "file:///d/x%%%02X", c);
                check_url(path, want);
        }
}

int main(void)
{
        test_encode();
        test_every_byte();
        test_decode();
        test_check();
        return CHECK_DONE();
}
