/*
 * test_json.c - unit tests of src/json.c: the exact JSON form of a record
 * (SPEC section 2), byte-exact round trips of the SPEC section 3 test
 * vectors, null sizes and missing metadata, escaping, and the messages of
 * malformed inputs.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "error.h"
#include "json.h"

static const char vector1[] =
    "[{\"file_path\":\"train/sample.csv\",\"file_hash\":\"9e107d9d372bb6826bd81d3542a419d6\","
    "\"type\":\"Local\",\"size\":43,\"metadata\":{\"file_path\":\"file:///data/datasets/train/"
    "sample.csv\",\"last_modified\":\"2022-09-30 10:50:40\"}},{\"file_path\":\"README\","
    "\"file_hash\":\"d41d8cd98f00b204e9800998ecf8427e\",\"type\":\"Local\",\"size\":0,"
    "\"metadata\":{\"file_path\":\"file:///data/datasets/README\",\"last_modified\":"
    "\"2022-09-30 10:50:41\"}}]";
static const char vector2[] =
    "[{\"file_path\":\"données/é.txt\",\"file_hash\":\"2f249230a8e7c2bf6005ccd2679259ec\","
    "\"type\":\"S3\",\"size\":4,\"metadata\":{\"file_path\":\"s3://kuiper/path/données/é.txt\","
    "\"last_modified\":\"2021-05-23 03:55:26\"}}]";
static const char vector3[] =
    "[{\"file_path\":\"x\",\"file_hash\":\"abc\",\"type\":\"S3\",\"size\":null,\"metadata\":{}}]";

/* Parse json, serialise it again, and check the text is unchanged. */
static void check_round_trip(const char *json)
{
        nereid_files *files = NULL;
        char *out = NULL;

        CHECK(nereid_files_from_json(&files, json) == 0);
        if (!files) {
                fprintf(stderr, "parse failed: %s\n", nereid_error_last());
                return;
        }
        CHECK(nereid_files_to_json(&out, files) == 0);
        CHECK_STR(out, json);
        free(out);
        nereid_files_free(files);
}

static void test_vectors(void)
{
        nereid_files *files = NULL;
        const nereid_file *f;

        check_round_trip(vector1);
        check_round_trip(vector2);
        check_round_trip(vector3);
        check_round_trip("[]");

        CHECK(nrd_json_files_parse(vector1, strlen(vector1), &files) == 0);
        CHECK(nereid_files_count(files) == 2);
        f = nereid_files_get(files, 0);
        CHECK(f != NULL);
        if (f) {
                CHECK_STR(nereid_file_path(f), "train/sample.csv");
                CHECK_STR(nereid_file_hash(f), "9e107d9d372bb6826bd81d3542a419d6");
                CHECK_STR(nereid_file_type(f), "Local");
                CHECK(nereid_file_has_size(f) == 1);
                CHECK(nereid_file_size(f) == 43);
                CHECK_STR(nereid_file_source(f), "file:///data/datasets/train/sample.csv");
                CHECK_STR(nereid_file_last_modified(f), "2022-09-30 10:50:40");
        }
        f = nereid_files_get(files, 1);
        CHECK(f != NULL && nereid_file_has_size(f) == 1 && nereid_file_size(f) == 0);
        nereid_files_free(files);

        files = NULL;
        CHECK(nrd_json_files_parse(vector2, strlen(vector2), &files) == 0);
        f = nereid_files_get(files, 0);
        CHECK(f != NULL);
        if (f) {
                CHECK_STR(nereid_file_path(f), "donn\xc3\xa9"
                                               "es/\xc3\xa9.txt");
                CHECK_STR(nereid_file_source(f), "s3://kuiper/path/donn\xc3\xa9"
                                                 "es/\xc3\xa9.txt");
        }
        nereid_files_free(files);

        files = NULL;
        CHECK(nrd_json_files_parse(vector3, strlen(vector3), &files) == 0);
        f = nereid_files_get(files, 0);
        CHECK(f != NULL);
        if (f) {
                CHECK(nereid_file_has_size(f) == 0);
                CHECK(nereid_file_size(f) == 0);
                CHECK(nereid_file_source(f) == NULL);
                CHECK(nereid_file_last_modified(f) == NULL);
        }
        nereid_files_free(files);
}

/* Serialise one record built in C; caller frees. */
static char *record_json(const char *path, const char *hash, const char *type, int has_size,
                         uint64_t size, const char *source, const char *last_modified)
{
        struct nereid_file file = {(char *)path, (char *)hash,   (char *)type,         size,
                                   has_size,     (char *)source, (char *)last_modified};
        nereid_buf buf = NEREID_BUF_INIT;

        if (nrd_json_record_append(&buf, &file) < 0) {
                nrd_buf_free(&buf);
                return NULL;
        }
        return nrd_buf_detach(&buf);
}

static void check_record(char *got, const char *want)
{
        CHECK_STR(got, want);
        free(got);
}

static void test_serialise(void)
{
        nereid_files *files = nrd_files_new();
        struct nereid_file file = {0};
        char *out = NULL;

        check_record(record_json("a", "h", "Local", 1, 7, "file:///a", "2020-01-01 00:00:00"),
                     "{\"file_path\":\"a\",\"file_hash\":\"h\",\"type\":\"Local\",\"size\":7,"
                     "\"metadata\":{\"file_path\":\"file:///a\",\"last_modified\":\"2020-01-01 "
                     "00:00:00\"}}");
        check_record(record_json("a", "h", "S3", 0, 7, NULL, NULL),
                     "{\"file_path\":\"a\",\"file_hash\":\"h\",\"type\":\"S3\",\"size\":null,"
                     "\"metadata\":{}}");
        check_record(record_json("a", "h", "S3", 1, 0, NULL, "2020-01-01 00:00:00"),
                     "{\"file_path\":\"a\",\"file_hash\":\"h\",\"type\":\"S3\",\"size\":0,"
                     "\"metadata\":{\"last_modified\":\"2020-01-01 00:00:00\"}}");
        check_record(record_json("a", "h", "S3", 1, 9007199254740993ULL, "s3://b/a", NULL),
                     "{\"file_path\":\"a\",\"file_hash\":\"h\",\"type\":\"S3\",\"size\":"
                     "9007199254740993,\"metadata\":{\"file_path\":\"s3://b/a\"}}");
        check_record(record_json("a", "h", "S3", 1, (uint64_t)INT64_MAX, NULL, NULL),
                     "{\"file_path\":\"a\",\"file_hash\":\"h\",\"type\":\"S3\",\"size\":"
                     "9223372036854775807,\"metadata\":{}}");
        /* Escapes: quote, backslash, control characters; '/' and non-ASCII kept. */
        check_record(record_json("q\"b\\s\n\t\x01/é", "h", "Local", 0, 0, NULL, NULL),
                     "{\"file_path\":\"q\\\"b\\\\s\\n\\t\\u0001/é\",\"file_hash\":\"h\","
                     "\"type\":\"Local\",\"size\":null,\"metadata\":{}}");
        check_record(record_json("😀", "h", "Local", 0, 0, NULL, NULL),
                     "{\"file_path\":\"😀\",\"file_hash\":\"h\",\"type\":\"Local\",\"size\":null,"
                     "\"metadata\":{}}");

        /* Refused: invalid UTF-8, a size jansson cannot hold, a missing string. */
        CHECK(record_json("bad\xff", "h", "Local", 0, 0, NULL, NULL) == NULL);
        CHECK(strstr(nereid_error_last(), "file_path is not valid UTF-8") != NULL);
        CHECK(record_json("a", "h", "Local", 0, 0, "file:///\xc3", NULL) == NULL);
        CHECK(strstr(nereid_error_last(), "metadata.file_path is not valid UTF-8") != NULL);
        CHECK(record_json("a", "h", "Local", 1, (uint64_t)INT64_MAX + 1, NULL, NULL) == NULL);
        CHECK(strstr(nereid_error_last(), "size is too large") != NULL);
        CHECK(record_json("a", NULL, "Local", 0, 0, NULL, NULL) == NULL);

        /* A list: records joined by ',' inside [ ]. */
        CHECK(files != NULL);
        CHECK(nereid_files_to_json(&out, files) == 0);
        CHECK_STR(out, "[]");
        free(out);
        CHECK(nereid_files_to_json(&out, NULL) == 0);
        CHECK_STR(out, "[]");
        free(out);
        file.file_path = strdup("b");
        file.file_hash = strdup("h");
        file.type = strdup("S3");
        CHECK(nrd_files_push(files, &file) == 0);
        file.file_path = strdup("a");
        file.file_hash = strdup("h2");
        file.type = strdup("Local");
        file.has_size = 1;
        file.size = 3;
        CHECK(nrd_files_push(files, &file) == 0);
        CHECK(nereid_files_to_json(&out, files) == 0);
        CHECK_STR(out, "[{\"file_path\":\"b\",\"file_hash\":\"h\",\"type\":\"S3\",\"size\":null,"
                       "\"metadata\":{}},{\"file_path\":\"a\",\"file_hash\":\"h2\",\"type\":"
                       "\"Local\",\"size\":3,\"metadata\":{}}]");
        free(out);
        /* A bad record makes the whole list fail, with no output. */
        file.file_path = strdup("\xc0\x80");
        file.file_hash = strdup("h");
        file.type = strdup("S3");
        CHECK(nrd_files_push(files, &file) == 0);
        out = (char *)"unchanged";
        CHECK(nereid_files_to_json(&out, files) == NEREID_EINVALID);
        CHECK(out == NULL);
        nereid_files_free(files);
}

static void test_lenient_forms(void)
{
        nereid_files *files = NULL;
        char *out = NULL;
        static const char spaced[] = " [ {\"type\" : \"S3\", \"file_hash\":\"h\",\n"
                                     "\"metadata\":{\"last_modified\":\"t\",\"file_path\":\"s\"},"
                                     "\"file_path\":\"\\u00e9\\/x\"} ]\n";

        /* Key order and spaces of the input do not matter; the output is canonical. */
        CHECK(nereid_files_from_json(&files, spaced) == 0);
        CHECK(nereid_files_to_json(&out, files) == 0);
        CHECK_STR(out, "[{\"file_path\":\"é/x\",\"file_hash\":\"h\",\"type\":\"S3\",\"size\":null,"
                       "\"metadata\":{\"file_path\":\"s\",\"last_modified\":\"t\"}}]");
        free(out);
        nereid_files_free(files);

        /* size and metadata may be absent. */
        files = NULL;
        CHECK(nereid_files_from_json(
                  &files, "[{\"file_path\":\"a\",\"file_hash\":\"h\",\"type\":\"S3\"}]") == 0);
        CHECK(nereid_files_count(files) == 1);
        CHECK(files && nereid_file_has_size(nereid_files_get(files, 0)) == 0);
        CHECK(files && nereid_file_source(nereid_files_get(files, 0)) == NULL);
        nereid_files_free(files);

        /* Values are not judged here: download refuses unsafe paths. */
        files = NULL;
        CHECK(nereid_files_from_json(
                  &files,
                  "[{\"file_path\":\"../x\",\"file_hash\":\"\",\"type\":\"GCS\",\"size\":1}]") ==
              0);
        nereid_files_free(files);
}

/* Check that json fails with NEREID_EINVALID and a message containing part. */
static void check_bad(const char *json, const char *part)
{
        nereid_files *files = (nereid_files *)&files;
        int rc = nereid_files_from_json(&files, json);

        if (rc != NEREID_EINVALID || !strstr(nereid_error_last(), part))
                fprintf(stderr, "%s\n  gave %d \"%s\", want \"%s\"\n", json ? json : "(null)", rc,
                        nereid_error_last(), part);
        CHECK(rc == NEREID_EINVALID);
        CHECK(files == NULL);
        CHECK(strstr(nereid_error_last(), part) != NULL);
        if (rc == 0)
                nereid_files_free(files);
}

#define GOOD       "{\"file_path\":\"a\",\"file_hash\":\"h\",\"type\":\"S3\",\"size\":1,\"metadata\":{}}"
#define REC(extra) "{\"file_path\":\"a\",\"file_hash\":\"h\",\"type\":\"S3\"" extra "}"

static void test_malformed(void)
{
        static const char nul_inside[] = "[" GOOD "]\0garbage";

        check_bad(NULL, "JSON: no text");
        check_bad("", "JSON:");
        check_bad("[", "JSON:");
        check_bad("[" GOOD "] x", "JSON:");
        check_bad("[" GOOD ",]", "JSON:");
        check_bad("{}", "JSON: expected an array of records");
        check_bad("[1]", "record 1: expected an object");
        check_bad("[" GOOD ",null]", "record 2: expected an object");
        check_bad("[" GOOD ",[]]", "record 2: expected an object");
        check_bad("[{}]", "record 1: \"file_path\" is missing");
        check_bad("[{\"file_path\":\"a\",\"type\":\"S3\"}]", "record 1: \"file_hash\" is missing");
        check_bad("[{\"file_path\":\"a\",\"file_hash\":\"h\"}]", "record 1: \"type\" is missing");
        check_bad("[{\"file_path\":1,\"file_hash\":\"h\",\"type\":\"S3\"}]",
                  "record 1: \"file_path\" must be a string");
        check_bad("[{\"file_path\":\"a\",\"file_hash\":null,\"type\":\"S3\"}]",
                  "record 1: \"file_hash\" must be a string");
        check_bad("[{\"file_path\":\"a\",\"file_hash\":\"h\",\"type\":[\"S3\"]}]",
                  "record 1: \"type\" must be a string");
        check_bad("[" GOOD "," GOOD "," REC(",\"size\":\"43\"") "]",
                  "record 3: \"size\" must be an integer or null");
        check_bad("[" REC(",\"size\":1.5") "]", "record 1: \"size\" must be an integer or null");
        check_bad("[" REC(",\"size\":1e3") "]", "\"size\" must be an integer or null");
        check_bad("[" REC(",\"size\":true") "]", "\"size\" must be an integer or null");
        check_bad("[" REC(",\"size\":-1") "]", "record 1: \"size\" must not be negative");
        check_bad("[" REC(",\"size\":99999999999999999999") "]", "JSON:");
        check_bad("[" REC(",\"metadata\":[]") "]", "record 1: \"metadata\" must be an object");
        check_bad("[" REC(",\"metadata\":null") "]", "\"metadata\" must be an object");
        check_bad("[" REC(",\"metadata\":\"x\"") "]", "\"metadata\" must be an object");
        check_bad("[" REC(",\"metadata\":{\"file_path\":1}") "]",
                  "record 1: \"metadata.file_path\" must be a string");
        check_bad("[" REC(",\"metadata\":{\"last_modified\":null}") "]",
                  "\"metadata.last_modified\" must be a string");
        check_bad("[" REC(",\"metadata\":{\"etag\":\"x\"}") "]",
                  "record 1: unknown key \"metadata.etag\"");
        check_bad("[" GOOD "," REC(",\"sizes\":1") "]", "record 2: unknown key \"sizes\"");
        check_bad("[" REC(",\"type\":\"Local\"") "]", "duplicate");
        check_bad("[" REC(",\"metadata\":{\"file_path\":\"a\",\"file_path\":\"b\"}") "]",
                  "duplicate");
        check_bad("[{\"file_path\":\"a\\u0000b\",\"file_hash\":\"h\",\"type\":\"S3\"}]", "JSON:");
        check_bad("[{\"file_path\":\"a\xff\",\"file_hash\":\"h\",\"type\":\"S3\"}]", "JSON:");
        check_bad("[{\"file_path\":\"\\ud800\",\"file_hash\":\"h\",\"type\":\"S3\"}]", "JSON:");

        /* The length bounds the text: what follows a NUL is not read, and a NUL
         * inside the given length is an error. */
        {
                nereid_files *files = NULL;

                CHECK(nrd_json_files_parse(nul_inside, strlen(nul_inside), &files) == 0);
                CHECK(nereid_files_count(files) == 1);
                nereid_files_free(files);
                files = NULL;
                CHECK(nrd_json_files_parse(nul_inside, sizeof(nul_inside) - 1, &files) ==
                      NEREID_EINVALID);
                CHECK(files == NULL);
                CHECK(nrd_json_files_parse(vector1, 10, &files) == NEREID_EINVALID);
                CHECK(files == NULL);
        }
}

static void test_one_record(void)
{
        struct nereid_file file;
        static const char one[] = GOOD;
        nereid_buf buf = NEREID_BUF_INIT;

        CHECK(nrd_json_record_parse(one, strlen(one), &file) == 0);
        CHECK_STR(file.file_path, "a");
        CHECK(file.has_size == 1 && file.size == 1);
        CHECK(nrd_json_record_append(&buf, &file) == 0);
        CHECK_STR(buf.ptr, one);
        nrd_buf_free(&buf);
        nrd_file_clear(&file);

        CHECK(nrd_json_record_parse("[" GOOD "]", strlen("[" GOOD "]"), &file) == NEREID_EINVALID);
        CHECK_STR(nereid_error_last(), "record: expected an object");
        CHECK(file.file_path == NULL);
        CHECK(nrd_json_record_parse(REC(",\"size\":-3"), strlen(REC(",\"size\":-3")), &file) ==
              NEREID_EINVALID);
        CHECK_STR(nereid_error_last(), "record: \"size\" must not be negative");
        CHECK(file.file_path == NULL && file.type == NULL);
        CHECK(nrd_json_record_parse("{", 1, &file) == NEREID_EINVALID);
        CHECK(nrd_json_record_parse(NULL, 0, &file) == NEREID_EINVALID);
}

int main(void)
{
        test_vectors();
        test_serialise();
        test_lenient_forms();
        test_malformed();
        test_one_record();
        return CHECK_DONE();
}
