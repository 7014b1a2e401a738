/*
 * test_record_check.c - unit tests of src/record_check.c: every kind of
 * record SPEC section 2 says cannot exist is refused with a message naming
 * the record (its number and file_path) and why; good records, SPEC's
 * test vectors among them, pass; duplicates name the later record.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "error.h"
#include "json.h"
#include "record.h"

#define MD5  "9e107d9d372bb6826bd81d3542a419d6"
#define WHEN "2022-09-30 10:50:40"
/* A Local record with one part replaced. */
#define LOCAL(path, hash, src, when)                                                               \
        "{\"file_path\":\"" path "\",\"file_hash\":\"" hash "\",\"type\":\"Local\",\"size\":1,"    \
        "\"metadata\":{\"file_path\":\"" src "\",\"last_modified\":\"" when "\"}}"
#define GOOD_LOCAL LOCAL("a/b.txt", MD5, "file:///d/a/b.txt", WHEN)
#define S3(path, hash, src)                                                                        \
        "{\"file_path\":\"" path "\",\"file_hash\":\"" hash "\",\"type\":\"S3\",\"size\":4,"       \
        "\"metadata\":{\"file_path\":\"" src "\",\"last_modified\":\"" WHEN "\"}}"

/* Parse json (an array) and check it; the result of nrd_files_check. */
static int check_json(const char *json)
{
        nereid_files *files = NULL;
        int rc = nrd_json_files_parse(json, strlen(json), &files);

        if (rc < 0) {
                fprintf(stderr, "parse failed: %s: %s\n", json, nereid_error_last());
                return 99;
        }
        rc = nrd_files_check(files, "in.json");
        nereid_files_free(files);
        return rc;
}

static void good(const char *json, int line)
{
        int rc = check_json(json);

        if (rc != 0)
                fprintf(stderr, "line %d: refused: %s\n", line, nereid_error_last());
        CHECK(rc == 0);
}

static void bad(const char *json, const char *part, int line)
{
        int rc = check_json(json);

        if (rc != NEREID_EINVALID || !strstr(nereid_error_last(), part))
                fprintf(stderr, "line %d: %d \"%s\", want \"%s\"\n", line, rc, nereid_error_last(),
                        part);
        CHECK(rc == NEREID_EINVALID);
        CHECK(strstr(nereid_error_last(), part) != NULL);
        CHECK(strncmp(nereid_error_last(), "in.json: record ", 16) == 0);
}

static void test_good(void)
{
        good("[" GOOD_LOCAL "]", __LINE__);
        /* SPEC section 3's vectors. */
        good("[" LOCAL("train/sample.csv", MD5, "file:///data/datasets/train/sample.csv",
                       WHEN) "," LOCAL("README", "d41d8cd98f00b204e9800998ecf8427e",
                                       "file:///data/datasets/README", "2022-09-30 10:50:41") "]",
             __LINE__);
        good("[" S3("données/é.txt", "2f249230a8e7c2bf6005ccd2679259ec",
                    "s3://kuiper/path/données/é.txt") "]",
             __LINE__);
        good("[{\"file_path\":\"x\",\"file_hash\":\"abc\",\"type\":\"S3\",\"size\":null,"
             "\"metadata\":{}}]",
             __LINE__);
        /* Multipart ETags, keys with spaces and '%' (raw), control characters in names. */
        good("[" S3("p", "d41d8cd98f00b204e9800998ecf8427e-12", "s3://b/k 100%/x+y=z") "]",
             __LINE__);
        good("[" LOCAL("tab\\there", MD5, "file:///d/tab%09here", WHEN) "]", __LINE__);
        good("[" LOCAL("a", MD5, "file://localhost/d/a", "2024-02-29 23:59:59") "]", __LINE__);
        good("[" LOCAL("a", MD5, "file:///d/a", "0001-01-01 00:00:00") "]", __LINE__);
        /* A raw space or non-ASCII, as other trackers wrote them. */
        good("[" LOCAL("a b", MD5, "file:///d/a b", WHEN) "]", __LINE__);
}

static void test_paths(void)
{
        const char *want = "file_path must be a relative path";

        bad("[" LOCAL("../x", MD5, "file:///d/x", WHEN) "]", want, __LINE__);
        bad("[" LOCAL("/etc/x", MD5, "file:///d/x", WHEN) "]", want, __LINE__);
        bad("[" LOCAL("", MD5, "file:///d/x", WHEN) "]", want, __LINE__);
        bad("[" LOCAL("a//b", MD5, "file:///d/x", WHEN) "]", want, __LINE__);
        bad("[" LOCAL("a/./b", MD5, "file:///d/x", WHEN) "]", want, __LINE__);
        bad("[" LOCAL("a/..", MD5, "file:///d/x", WHEN) "]", want, __LINE__);
        bad("[" LOCAL("a/", MD5, "file:///d/x", WHEN) "]", want, __LINE__);
        bad("[" LOCAL(".", MD5, "file:///d/x", WHEN) "]", want, __LINE__);
        /* The message names the record by number and file_path. */
        bad("[" GOOD_LOCAL "," LOCAL("../x", MD5, "file:///d/x", WHEN) "]",
            "in.json: record 2 (\"../x\"): file_path", __LINE__);
}

static void test_types_and_hashes(void)
{
        bad("[{\"file_path\":\"a\",\"file_hash\":\"" MD5 "\",\"type\":\"local\"}]",
            "record 1 (\"a\"): type \"local\" is not \"Local\" or \"S3\"", __LINE__);
        bad("[{\"file_path\":\"a\",\"file_hash\":\"" MD5 "\",\"type\":\"\"}]", "type", __LINE__);
        bad("[" LOCAL("a", "9E107D9D372BB6826BD81D3542A419D6", "file:///d/a", WHEN) "]",
            "is not an MD5", __LINE__);
        bad("[" LOCAL("a", "abc", "file:///d/a", WHEN) "]", "is not an MD5", __LINE__);
        bad("[" LOCAL("a", MD5 "0", "file:///d/a", WHEN) "]", "is not an MD5", __LINE__);
        bad("[" LOCAL("a", "", "file:///d/a", WHEN) "]", "is not an MD5", __LINE__);
        bad("[" S3("a", "", "s3://b/a") "]", "is not an ETag", __LINE__);
        bad("[" S3("a", "a b", "s3://b/a") "]", "is not an ETag", __LINE__);
        bad("[" S3("a", "\\\"abc\\\"", "s3://b/a") "]", "is not an ETag", __LINE__);
        bad("[" S3("a", "a\\u0001", "s3://b/a") "]", "is not an ETag", __LINE__);
}

static void test_sources(void)
{
        bad("[" LOCAL("a", MD5, "/etc/passwd", WHEN) "]", "must be a file:/// URL", __LINE__);
        bad("[" LOCAL("a", MD5, "payload.txt", WHEN) "]", "must be a file:/// URL", __LINE__);
        bad("[" LOCAL("a", MD5, "s3://b/a", WHEN) "]", "must be a file:/// URL", __LINE__);
        bad("[" LOCAL("a", MD5, "", WHEN) "]", "must be a file:/// URL", __LINE__);
        bad("[" LOCAL("a", MD5, "file://host/a", WHEN) "]", "not an absolute file:///path",
            __LINE__);
        bad("[" LOCAL("a", MD5, "file:relative", WHEN) "]", "not an absolute file:///path",
            __LINE__);
        bad("[" LOCAL("a", MD5, "file:///d/../etc/x", WHEN) "]", "segment", __LINE__);
        bad("[" LOCAL("a", MD5, "file:///d/50%", WHEN) "]", "two hex digits", __LINE__);
        bad("[" LOCAL("a", MD5, "file:///d/a#b", WHEN) "]", "'#' or '?'", __LINE__);
        bad("[" S3("a", "abc", "file:///d/a") "]", "must be s3://bucket/key", __LINE__);
        bad("[" S3("a", "abc", "http://b/a") "]", "must be s3://bucket/key", __LINE__);
        bad("[" S3("a", "abc", "s3://b") "]", "no key", __LINE__);
        bad("[" S3("a", "abc", "s3://b/") "]", "no key", __LINE__);
        bad("[" S3("a", "abc", "s3:///a") "]", "no bucket", __LINE__);
        bad("[" S3("a", "abc", "s3://b b/a") "]", "bucket name", __LINE__);
        bad("[" S3("a", "abc", "s3://b/p/../a") "]", "segment", __LINE__);
        bad("[" S3("a", "abc", "s3://b/p//a") "]", "segment", __LINE__);
        bad("[" S3("a", "abc", "s3://b/p/") "]", "segment", __LINE__);
}

static void test_times(void)
{
        static const char *const bad_times[] = {
            "2022-09-30T10:50:40",  "2022-09-30 10:50",
            "2022-09-30 10:50:40Z", "2022-13-01 00:00:00",
            "2022-00-01 00:00:00",  "2022-02-29 00:00:00",
            "1900-02-29 00:00:00",  "2022-04-31 00:00:00",
            "2022-01-00 00:00:00",  "2022-01-01 24:00:00",
            "2022-01-01 00:60:00",  "2022-01-01 00:00:60",
            "0000-01-01 00:00:00",  "2022-1-01 00:00:00",
            "2022-01-01 0a:00:00",  "",
            " 2022-01-01 00:00:00",
        };
        size_t i;

        for (i = 0; i < sizeof(bad_times) / sizeof(bad_times[0]); i++) {
                char json[512];

                snprintf(json, sizeof(json), "[" LOCAL("a", MD5, "file:///d/a", "%s") "]",
                         bad_times[i]);
                bad(json, "metadata.last_modified", __LINE__);
        }
        good("[" LOCAL("a", MD5, "file:///d/a", "2000-02-29 12:00:00") "]", __LINE__);
}

static void test_duplicates(void)
{
        bad("[" LOCAL("b", MD5, "file:///d/b", WHEN) "," GOOD_LOCAL "," LOCAL(
                "c", MD5, "file:///d/c", WHEN) "," LOCAL("b", MD5, "file:///d/b2", WHEN) "]",
            "in.json: record 4 (\"b\"): file_path appears twice (first in record 1)", __LINE__);
        /* The first bad record wins: a duplicate before a bad one ... */
        bad("[" GOOD_LOCAL "," GOOD_LOCAL "," LOCAL("../x", MD5, "file:///d/x", WHEN) "]",
            "record 2 (\"a/b.txt\"): file_path appears twice", __LINE__);
        /* ... and a bad one before a duplicate. */
        bad("[" GOOD_LOCAL "," LOCAL("../x", MD5, "file:///d/x", WHEN) "," GOOD_LOCAL "]",
            "record 2 (\"../x\")", __LINE__);
        /* Three copies: the second is named. */
        bad("[" GOOD_LOCAL "," GOOD_LOCAL "," GOOD_LOCAL "]", "record 2", __LINE__);
}

static void test_direct(void)
{
        struct nereid_file f = {0};

        /* What only the C API can give: NULLs and a size past int64. */
        CHECK(nrd_file_check(&f, "r") == NEREID_EINVALID);
        f.file_path = "a";
        CHECK(nrd_file_check(&f, "r") == NEREID_EINVALID);
        f.type = "S3";
        CHECK(nrd_file_check(&f, "r") == NEREID_EINVALID);
        f.file_hash = "abc";
        CHECK(nrd_file_check(&f, "r") == 0);
        f.has_size = 1;
        f.size = (uint64_t)INT64_MAX + 1;
        CHECK(nrd_file_check(&f, "r") == NEREID_EINVALID);
        CHECK(strstr(nereid_error_last(), "size is too large") != NULL);
}

int main(void)
{
        test_good();
        test_paths();
        test_types_and_hashes();
        test_sources();
        test_times();
        test_duplicates();
        test_direct();
        return CHECK_DONE();
}
