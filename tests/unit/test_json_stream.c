/*
 * test_json_stream.c - unit tests of nrd_json_files_read (src/json.c), the
 * reader that takes a JSON array of records from a file descriptor one
 * record at a time: the same records as the whole-text parser, any white
 * space, and a message naming the input, the record and the byte for
 * every malformed input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "error.h"
#include "json.h"

#define REC1                                                                                       \
        "{\"file_path\":\"train/sample.csv\",\"file_hash\":\"9e107d9d372bb6826bd81d3542a419d6\","  \
        "\"type\":\"Local\",\"size\":43,\"metadata\":{\"file_path\":\"file:///data/datasets/"      \
        "train/sample.csv\",\"last_modified\":\"2022-09-30 10:50:40\"}}"
#define REC2                                                                                       \
        "{\"file_path\":\"données/é.txt\",\"file_hash\":\"2f249230a8e7c2bf6005ccd2679259ec\","   \
        "\"type\":\"S3\",\"size\":4,\"metadata\":{\"file_path\":\"s3://kuiper/path/données/"      \
        "é.txt\","                                                                                \
        "\"last_modified\":\"2021-05-23 03:55:26\"}}"
#define REC3                                                                                       \
        "{\"file_path\":\"x\",\"file_hash\":\"abc\",\"type\":\"S3\",\"size\":null,\"metadata\":{}" \
        "}"

/* Read len bytes of text through a temporary file. */
static int read_text(const char *text, size_t len, nereid_files **out)
{
        FILE *f = tmpfile();
        int rc;

        if (!f || fwrite(text, 1, len, f) != len || fflush(f) != 0 || fseek(f, 0, SEEK_SET) != 0) {
                fprintf(stderr, "tmpfile failed\n");
                if (f)
                        fclose(f);
                return 99;
        }
        rc = nrd_json_files_read(fileno(f), "in.json", out);
        fclose(f);
        return rc;
}

/* The stream gives what the whole-text parser gives. */
static void same(const char *text)
{
        nereid_files *a = NULL, *b = NULL;
        char *ja = NULL, *jb = NULL;
        int rc = read_text(text, strlen(text), &a);

        if (rc != 0)
                fprintf(stderr, "stream refused %s: %s\n", text, nereid_error_last());
        CHECK(rc == 0);
        CHECK(nrd_json_files_parse(text, strlen(text), &b) == 0);
        CHECK(nereid_files_to_json(&ja, a) == 0);
        CHECK(nereid_files_to_json(&jb, b) == 0);
        CHECK_STR(ja, jb);
        free(ja);
        free(jb);
        nereid_files_free(a);
        nereid_files_free(b);
}

static void bad(const char *text, const char *part, int line)
{
        nereid_files *files = (nereid_files *)1;
        int rc = read_text(text, strlen(text), &files);

        if (rc != NEREID_EINVALID || !strstr(nereid_error_last(), part))
                fprintf(stderr, "line %d: %d \"%s\", want \"%s\"\n", line, rc, nereid_error_last(),
                        part);
        CHECK(rc == NEREID_EINVALID);
        CHECK(files == NULL);
        CHECK(strstr(nereid_error_last(), part) != NULL);
        CHECK(strncmp(nereid_error_last(), "in.json: ", 9) == 0);
}

static void test_same(void)
{
        same("[" REC1 "]");
        same("[" REC1 "," REC2 "," REC3 "]");
        same("  \n[\n  " REC1 " ,\r\n\t" REC2 "\n,  " REC3 "  ]\n\n");
        same("[]");
        same("[ ]");
        same("[" REC3 "," REC3 "]"); /* duplicates are nrd_files_check's job */
}

static void test_many(void)
{
        /* Records across many read buffers. */
        size_t n = 3000, i, len = 0, one = strlen(REC1);
        char *text = malloc(n * (one + 1) + 2);
        nereid_files *files = NULL;

        if (!text)
                return;
        text[len++] = '[';
        for (i = 0; i < n; i++) {
                if (i)
                        text[len++] = ',';
                memcpy(text + len, REC1, one);
                len += one;
        }
        text[len++] = ']';
        CHECK(read_text(text, len, &files) == 0);
        CHECK(nereid_files_count(files) == n);
        CHECK_STR(nereid_file_path(nereid_files_get(files, n - 1)), "train/sample.csv");
        nereid_files_free(files);
        free(text);
}

static void test_bad(void)
{
        bad("", "expected a JSON array of records (byte 0)", __LINE__);
        bad("  ", "expected a JSON array of records", __LINE__);
        bad(REC1, "expected a JSON array of records (byte 0)", __LINE__);
        bad("{\"not\":\"an array\"}", "expected a JSON array of records", __LINE__);
        bad("[", "record 1: expected an object (byte 1)", __LINE__);
        bad("[" REC1, "the array is not closed", __LINE__);
        bad("[" REC1 ",", "record 2: expected an object", __LINE__);
        bad("[" REC1 ",]", "record 2: expected an object", __LINE__);
        bad("[,]", "record 1: expected an object", __LINE__);
        bad("[1]", "record 1: expected an object", __LINE__);
        bad("[" REC1 ",null]", "record 2: expected an object", __LINE__);
        bad("[" REC1 " " REC1 "]", "expected ',' or ']' after a record", __LINE__);
        bad("[" REC1 "]x", "data after the array", __LINE__);
        bad("[" REC1 "][]", "data after the array", __LINE__);
        bad("[{\"file_path\":\"x\"", "record 1: JSON:", __LINE__);
        bad("[" REC1 ",{\"file_path\":\"x\",\"file_path\":\"y\"}]", "record 2: JSON:", __LINE__);
        bad("[{\"file_path\":\"\xff\"}]", "record 1: JSON:", __LINE__);
        bad("[{\"file_path\":\"a\\u0000b\"}]", "record 1: JSON:", __LINE__);
        bad("[" REC1 ",{\"size\":1,\"sizes\":2}]", "in.json: record 2: unknown key \"sizes\"",
            __LINE__);
        bad("[{\"file_path\":1}]", "in.json: record 1: \"file_path\" must be a string", __LINE__);
}

static void test_limits(void)
{
        /* A record of more than 1 MiB of JSON is refused without reading it all. */
        size_t big = ((size_t)1 << 20) + 100, i;
        char *text = malloc(big + 64);
        nereid_files *files = NULL;

        if (!text)
                return;
        strcpy(text, "[{\"file_path\":\"");
        for (i = strlen(text); i < big; i++)
                text[i] = 'a';
        strcpy(text + big, "\"}]");
        CHECK(read_text(text, strlen(text), &files) == NEREID_EINVALID);
        CHECK(strstr(nereid_error_last(), "in.json: record 1: longer than 1048576 bytes") != NULL);
        free(text);
        /* A descriptor that cannot be read. */
        CHECK(nrd_json_files_read(-1, "in.json", &files) < 0);
        CHECK(files == NULL);
        CHECK(strstr(nereid_error_last(), "in.json: read") != NULL);
}

int main(void)
{
        test_same();
        test_many();
        test_bad();
        test_limits();
        return CHECK_DONE();
}
