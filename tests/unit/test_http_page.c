/*
 * test_http_page.c - unit tests of src/store/http_page.c, the fast record
 * codec of the HTTP API's pages: every input is also read by jansson
 * (nrd_json_record_parse), and the fast decoder must either give the same
 * record or decline (0), never accept what jansson refuses; the fast
 * encoder must write nrd_json_record_append's bytes; and a page walked by
 * nrd_http_json_files_page gives the same records either way.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "error.h"
#include "json.h"
#include "record.h"
#include "store/http_json.h"
#include "store/http_page.h"
#include "same_records.h"

/* want: 1 the fast path reads it, 0 it declines. Either way jansson is
 * asked, and what the fast path reads must be jansson's record. */
static void check_decode(const char *text, int want, int jansson_ok)
{
        struct nereid_file fast, ref;
        int rf = nrd_http_page_record_decode(text, strlen(text), &fast);
        int rr = nrd_json_record_parse(text, strlen(text), &ref);

        CHECK(rf == want);
        CHECK((rr == 0) == jansson_ok);
        if (rf == 1)
                CHECK(rr == 0 && same_file(&fast, &ref));
        else
                CHECK(!fast.file_path && !fast.file_hash && !fast.type && !fast.source);
        if (rf != want)
                fprintf(stderr, "  decode of %s: %d\n", text, rf);
        nrd_file_clear(&fast);
        nrd_file_clear(&ref);
}

static void check_encode(const struct nereid_file *file)
{
        nereid_buf a = NEREID_BUF_INIT, b = NEREID_BUF_INIT;
        int ra = nrd_http_page_record_encode(&a, file), rb = nrd_json_record_append(&b, file);

        CHECK(ra == rb);
        CHECK(a.len == b.len && (!a.len || memcmp(a.ptr, b.ptr, a.len) == 0));
        if (a.len != b.len || (a.len && memcmp(a.ptr, b.ptr, a.len) != 0))
                fprintf(stderr, "  encode: %.*s\n  jansson: %.*s\n", (int)a.len, a.ptr ? a.ptr : "",
                        (int)b.len, b.ptr ? b.ptr : "");
        nrd_buf_free(&a);
        nrd_buf_free(&b);
}

static int collect(void *payload, const struct nereid_file *file)
{
        nereid_buf *out = payload;

        return nrd_json_record_append(out, file) < 0 ? -1 : nrd_buf_putc(out, '\n');
}

int main(void)
{
        static const char common[] =
            "{\"file_path\":\"train/a.csv\",\"file_hash\":\"9e107d9d372bb6826bd81d3542a419d6\","
            "\"type\":\"Local\",\"size\":43,\"metadata\":{\"file_path\":\"file:///d/train/a.csv\","
            "\"last_modified\":\"2022-09-30 10:50:40\"}}";
        struct nereid_file f;

        /* The shapes the fast path reads. */
        check_decode(common, 1, 1);
        check_decode("{\"file_path\":\"x\",\"file_hash\":\"abc\",\"type\":\"S3\",\"size\":null,"
                     "\"metadata\":{}}",
                     1, 1);
        check_decode(
            " {\n \"type\" : \"Local\" ,\t\"size\":0, \"file_hash\":\"h\",\"file_path\":\"p\""
            ",\"metadata\":{ \"last_modified\":\"t\" } }\r\n",
            1, 1);
        check_decode("{\"file_path\":\"p\",\"file_hash\":\"h\",\"type\":\"Local\"}", 1, 1);
        check_decode("{\"file_path\":\"p\",\"file_hash\":\"h\",\"type\":\"Local\",\"size\":"
                     "999999999999999999}",
                     1, 1);
        /* Declined, and jansson reads them: escapes, non-ASCII, long sizes. */
        check_decode("{\"file_path\":\"a\\u00e9\",\"file_hash\":\"h\",\"type\":\"Local\"}", 0, 1);
        check_decode("{\"file_path\":\"a\\\"b\",\"file_hash\":\"h\",\"type\":\"Local\"}", 0, 1);
        check_decode("{\"file_path\":\"donn\xc3\xa9\x65s\",\"file_hash\":\"h\",\"type\":\"S3\"}", 0,
                     1);
        check_decode("{\"file_path\":\"p\",\"file_hash\":\"h\",\"type\":\"Local\",\"size\":"
                     "1000000000000000000}",
                     0, 1);
        /* Declined, and jansson refuses them (it names why). */
        check_decode("{\"file_path\":\"a\",\"file_path\":\"b\",\"file_hash\":\"h\",\"type\":\"L\"}",
                     0, 0);
        check_decode("{\"file_path\":\"a\",\"file_hash\":\"h\",\"type\":\"L\",\"metadata\":"
                     "{\"file_path\":\"s\",\"file_path\":\"t\"}}",
                     0, 0);
        check_decode("{\"file_path\":\"a\",\"file_hash\":\"h\"}", 0, 0);
        check_decode("{\"file_path\":\"a\",\"file_hash\":\"h\",\"type\":\"L\",\"extra\":1}", 0, 0);
        check_decode("{\"file_path\":\"a\",\"file_hash\":\"h\",\"type\":\"L\",\"size\":1.5}", 0, 0);
        check_decode("{\"file_path\":\"a\",\"file_hash\":\"h\",\"type\":\"L\",\"size\":-1}", 0, 0);
        check_decode("{\"file_path\":\"a\",\"file_hash\":\"h\",\"type\":\"L\",\"size\":01}", 0, 0);
        check_decode("{\"file_path\":\"a\",\"file_hash\":\"h\",\"type\":\"L\",\"size\":nullx}", 0,
                     0);
        check_decode("{\"file_path\":\"a\",\"file_hash\":\"h\",\"type\":\"L\",\"metadata\":null}",
                     0, 0);
        check_decode("{\"file_path\":\"a\",\"file_hash\":\"h\",\"type\":\"L\"} x", 0, 0);
        check_decode("{\"file_path\":\"a\",\"file_hash\":\"h\",\"type\":\"L\",}", 0, 0);
        check_decode("{\"file_path\":\"a\",\"file_hash\":\"h\",\"type\":\"L\"", 0, 0);
        check_decode("{\"file_path\":\"a\tb\",\"file_hash\":\"h\",\"type\":\"L\"}", 0, 0);
        check_decode("{}", 0, 0);
        check_decode("[]", 0, 0);
        check_decode("", 0, 0);
        {
                /* A NUL inside a string: declined; jansson refuses it. */
                static const char nul[] =
                    "{\"file_path\":\"a\0b\",\"file_hash\":\"h\",\"type\":\"L\"}";
                struct nereid_file x;

                CHECK(nrd_http_page_record_decode(nul, sizeof(nul) - 1, &x) == 0);
                CHECK(nrd_json_record_parse(nul, sizeof(nul) - 1, &x) < 0);
                nrd_file_clear(&x);
        }

        /* The encoder: jansson's bytes, plain or not. */
        CHECK(nrd_json_record_parse(common, strlen(common), &f) == 0);
        check_encode(&f);
        f.has_size = 0;
        check_encode(&f);
        free(f.last_modified);
        f.last_modified = NULL;
        check_encode(&f);
        free(f.source);
        f.source = NULL;
        check_encode(&f);
        free(f.file_path);
        f.file_path = strdup("q\"uo\\te\x7f/\xc3\xa9\t\x01");
        check_encode(&f);
        f.size = (uint64_t)INT64_MAX + 1;
        f.has_size = 1;
        check_encode(&f); /* refused by both */
        free(f.type);
        f.type = NULL;
        check_encode(&f); /* refused by both */
        nrd_file_clear(&f);

        /* A page read through the fast path gives what jansson gives. */
        {
                static const char page[] =
                    "{\"files\":[{\"file_path\":\"a\",\"file_hash\":\"9e107d9d372bb6826bd81d3542a4"
                    "19d6\",\"type\":\"Local\",\"size\":1,\"metadata\":{}},{\"file_path\":"
                    "\"b\\u00e9"
                    "\",\"file_hash\":\"9e107d9d372bb6826bd81d3542a419d6\",\"type\":\"Local\",\"s"
                    "ize\":2,\"metadata\":{}}],\"next\":null}";
                static const char unsorted[] =
                    "{\"files\":[{\"file_path\":\"b\",\"file_hash\":\"9e107d9d372bb6826bd81d3542a4"
                    "19d6\",\"type\":\"Local\",\"size\":1},{\"file_path\":\"a\",\"file_hash\":\"9e1"
                    "07d9d372bb6826bd81d3542a419d6\",\"type\":\"Local\",\"size\":2}],\"next\":"
                    "null}";
                static const char badhash[] =
                    "{\"files\":[{\"file_path\":\"a\",\"file_hash\":\"nothex\",\"type\":\"Local\","
                    "\"size\":1}],\"next\":null}";
                nereid_buf out = NEREID_BUF_INIT;
                char *last = NULL, *next = NULL;
                size_t count = 0;

                CHECK(nrd_http_json_files_page(page, strlen(page), NULL, &last, collect, &out,
                                               &count, &next, "page") == 0);
                CHECK(count == 2 && next == NULL);
                CHECK(out.len && strstr(out.ptr, "\"file_path\":\"bé\""));
                free(last);
                last = NULL;
                count = 0;
                CHECK(nrd_http_json_files_page(unsorted, strlen(unsorted), NULL, &last, collect,
                                               &out, &count, &next, "page") == NEREID_ERROR);
                CHECK(strstr(nereid_error_last(), "out of order") != NULL);
                free(last);
                last = NULL;
                count = 0;
                CHECK(nrd_http_json_files_page(badhash, strlen(badhash), NULL, &last, collect, &out,
                                               &count, &next, "page") == NEREID_ERROR);
                CHECK(strstr(nereid_error_last(), "file_hash") != NULL);
                free(last);
                nrd_buf_free(&out);
        }
        return CHECK_DONE();
}
