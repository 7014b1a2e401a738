/*
 * test_http_page_scan.c - unit tests of the one-pass reading of a page of
 * records (nrd_http_page_record_scan, and nrd_http_json_files_page that
 * uses it): the scanner finds where a record ends while it reads it, keeps
 * its strings in a reused scratch buffer, and must read exactly what the
 * decoder and jansson read; a page read through it gives the same records
 * as the same page read by jansson record by record; a hostile page (a
 * record that does not parse, one cut short, a missing end) is a one-line
 * error. Also the record check's message, now written only on failure.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "buf.h"
#include "error.h"
#include "hash.h"
#include "json.h"
#include "record.h"
#include "store/http_json.h"
#include "store/http_page.h"
#include "same_records.h"

#define MD5 "9e107d9d372bb6826bd81d3542a419d6"

/* text holds a record then rest: the scanner reads the record (want 1) or
 * declines (want 0); when it reads, end is the record's length and the
 * record is the decoder's and jansson's of the record alone. */
static void check_scan(const char *record, const char *rest, int want)
{
        nereid_buf text = NEREID_BUF_INIT, scratch = NEREID_BUF_INIT;
        struct nereid_file scanned, decoded, ref;
        size_t end = 0;
        int rs, rd, rr;

        nrd_buf_puts(&text, record);
        nrd_buf_puts(&text, rest);
        rs = nrd_http_page_record_scan(text.ptr, text.len, &scratch, &scanned, &end);
        rd = nrd_http_page_record_decode(record, strlen(record), &decoded);
        rr = nrd_json_record_parse(record, strlen(record), &ref);
        CHECK(rs == want);
        if (rs != want)
                fprintf(stderr, "  scan of %s%s: %d\n", record, rest, rs);
        if (rs == 1) {
                CHECK(end == strlen(record));
                CHECK(text.ptr[end - 1] == '}');
                CHECK(rd == 1 && same_file(&scanned, &decoded));
                CHECK(rr == 0 && same_file(&scanned, &ref));
        } else {
                CHECK(!scanned.file_path && !scanned.file_hash && !scanned.type);
                CHECK(rd == 0);
        }
        nrd_file_clear(&decoded);
        nrd_file_clear(&ref);
        nrd_buf_free(&scratch);
        nrd_buf_free(&text);
}

static int collect(void *payload, const struct nereid_file *file)
{
        nereid_buf *out = payload;

        return nrd_json_record_append(out, file) < 0 ? -1 : nrd_buf_putc(out, '\n');
}

/* A page of n records; with escaped, each record's type is written with a
 * JSON escape, so every record goes to jansson instead of the scanner. */
static void make_page(nereid_buf *page, size_t n, int escaped, const char *next)
{
        size_t i;

        nrd_buf_clear(page);
        nrd_buf_puts(page, "{\"files\":[");
        for (i = 0; i < n; i++)
                nrd_buf_printf(page,
                               "%s{\"file_path\":\"d%02zu/f%06zu.bin\",\"file_hash\":\"" MD5
                               "\",\"type\":\"%s\",\"size\":%zu,\"metadata\":{\"file_path\":"
                               "\"file:///data/d%02zu/f%06zu.bin\",\"last_modified\":"
                               "\"2022-09-30 10:50:40\"}}",
                               i ? "," : "", i / 1000, i, escaped ? "Loc\\u0061l" : "Local", i * 7,
                               i / 1000, i);
        nrd_buf_printf(page, "],\"next\":%s}", next);
}

/* nrd_http_json_files_page over text: rc, and the records in out. */
static int read_page(const char *text, nereid_buf *out, char **next, size_t *count)
{
        char *last = NULL;
        int rc;

        *count = 0;
        *next = NULL;
        nrd_buf_clear(out);
        rc = nrd_http_json_files_page(text, strlen(text), NULL, &last, collect, out, count, next,
                                      "server x: GET page");
        free(last);
        return rc;
}

/* Long paths read by the scanner, then one read by jansson (an escape),
 * then another long one: the copy of the last path the order check keeps
 * must be sized for each, whichever reader saw the one before (a server
 * once could write past it this way). */
static void test_last_path_sizes(void)
{
        nereid_buf page = NEREID_BUF_INIT, out = NEREID_BUF_INIT;
        char a[401], c[301], *next = NULL;
        size_t count = 0;

        memset(a, 'a', sizeof(a) - 1);
        a[sizeof(a) - 1] = '\0';
        memset(c, 'c', sizeof(c) - 1);
        c[sizeof(c) - 1] = '\0';
        nrd_buf_printf(&page,
                       "{\"files\":[{\"file_path\":\"%s\",\"file_hash\":\"" MD5
                       "\",\"type\":\"Local\",\"size\":1},{\"file_path\":\"b\\u0062\",\"file_"
                       "hash\":\"" MD5 "\",\"type\":\"Local\",\"size\":2},{\"file_path\":"
                       "\"%s\",\"file_hash\":\"" MD5 "\",\"type\":\"Local\",\"size\":3}],"
                       "\"next\":null}",
                       a, c);
        CHECK(read_page(page.ptr, &out, &next, &count) == 0);
        CHECK(count == 3);
        CHECK(out.len && strstr(out.ptr, "\"file_path\":\"bb\"") != NULL);
        CHECK(out.len && strstr(out.ptr, c) != NULL);
        free(next);
        nrd_buf_free(&out);
        nrd_buf_free(&page);
}

/* The error of a page is one line naming the page. */
static void check_page_error(const char *text, const char *want)
{
        nereid_buf out = NEREID_BUF_INIT;
        char *next = NULL;
        size_t count;
        int rc = read_page(text, &out, &next, &count);

        CHECK(rc == NEREID_ERROR);
        CHECK(strstr(nereid_error_last(), "server x: GET page") != NULL);
        CHECK(strchr(nereid_error_last(), '\n') == NULL);
        CHECK(strstr(nereid_error_last(), want) != NULL);
        if (!strstr(nereid_error_last(), want))
                fprintf(stderr, "  error: %s (want %s)\n", nereid_error_last(), want);
        free(next);
        nrd_buf_free(&out);
}

int main(void)
{
        static const char common[] =
            "{\"file_path\":\"train/a.csv\",\"file_hash\":\"" MD5 "\",\"type\":\"Local\",\"size\":"
            "43,\"metadata\":{\"file_path\":\"file:///d/train/a.csv\",\"last_modified\":\"2022-"
            "09-30 10:50:40\"}}";
        nereid_buf page = NEREID_BUF_INIT, fast = NEREID_BUF_INIT, slow = NEREID_BUF_INIT;
        char *next = NULL;
        size_t count = 0;

        test_last_path_sizes();
        /* The record is read and its end found, whatever follows it. */
        check_scan(common, ",{\"file_path\":\"b\"", 1);
        check_scan(common, "]}", 1);
        check_scan(common, "", 1);
        check_scan(common, "garbage \"}", 1); /* what follows is the page reader's */
        check_scan(" \n{\"type\":\"S3\",\"file_hash\":\"h\",\"file_path\":\"p\",\"size\":null}",
                   " ,", 1);
        check_scan("{\"file_path\":\"p\",\"file_hash\":\"h\",\"type\":\"Local\",\"metadata\":{}}",
                   "]", 1);
        /* Declined: jansson's (escapes, non-ASCII, a size too long). */
        check_scan("{\"file_path\":\"a\\\"b\",\"file_hash\":\"h\",\"type\":\"Local\"}", ",", 0);
        check_scan("{\"file_path\":\"\xc3\xa9\",\"file_hash\":\"h\",\"type\":\"Local\"}", ",", 0);
        check_scan("{\"file_path\":\"a\\\\\",\"file_hash\":\"h\",\"type\":\"Local\"}", ",", 0);
        check_scan("{\"file_path\":\"p\",\"file_hash\":\"h\",\"type\":\"L\",\"size\":"
                   "1000000000000000000}",
                   ",", 0);
        /* Declined: not records (repeated, unknown or missing keys, cut). */
        check_scan("{\"file_path\":\"a\",\"file_path\":\"b\",\"file_hash\":\"h\",\"type\":\"L\"}",
                   "", 0);
        check_scan("{\"file_path\":\"a\",\"file_hash\":\"h\",\"type\":\"L\",\"size\":1,\"size\":2}",
                   "", 0);
        check_scan("{\"file_path\":\"a\",\"file_hash\":\"h\",\"type\":\"L\",\"metadata\":{},"
                   "\"metadata\":{}}",
                   "", 0);
        check_scan("{\"file_path\":\"a\",\"file_hash\":\"h\",\"type\":\"L\",\"x\":1}", "", 0);
        check_scan("{\"file_path\":\"a\",\"file_hash\":\"h\"}", ",", 0);
        check_scan("{\"file_path\":\"a\",\"file_hash\":\"h\",\"type\":\"L\"", "", 0);
        check_scan("{\"file_path\":\"a\",\"file_hash\":\"h\",\"type\":\"L", "", 0);
        check_scan("{\"file_path\":\"a\",\"file_hash\":\"h\",\"type\":", "", 0);
        check_scan("", "", 0);

        /* The scratch buffer is reused: the second record's strings are its
         * own, the first's are gone with it. */
        {
                static const char two[] =
                    "{\"file_path\":\"x\",\"file_hash\":\"h\",\"type\":\"S3\"}"
                    "{\"file_path\":\"a-much-longer-path/than-the-first/one.bin\",\"file_hash\":"
                    "\"h2\",\"type\":\"Local\",\"metadata\":{\"last_modified\":\"t\"}}";
                nereid_buf scratch = NEREID_BUF_INIT;
                struct nereid_file f;
                size_t end = 0, end2 = 0;

                CHECK(nrd_http_page_record_scan(two, strlen(two), &scratch, &f, &end) == 1);
                CHECK_STR(f.file_path, "x");
                CHECK(nrd_http_page_record_scan(two + end, strlen(two) - end, &scratch, &f,
                                                &end2) == 1);
                CHECK(end + end2 == strlen(two));
                CHECK_STR(f.file_path, "a-much-longer-path/than-the-first/one.bin");
                CHECK_STR(f.file_hash, "h2");
                CHECK_STR(f.last_modified, "t");
                CHECK(f.source == NULL && !f.has_size);
                nrd_buf_free(&scratch);
        }

        /* A page of 3,000 records read in one pass gives what jansson gives
         * of each record. */
        make_page(&page, 3000, 0, "\"6630\"");
        CHECK(read_page(page.ptr, &fast, &next, &count) == 0);
        CHECK(count == 3000);
        CHECK_STR(next, "6630");
        free(next);
        make_page(&page, 3000, 1, "\"6630\"");
        CHECK(read_page(page.ptr, &slow, &next, &count) == 0);
        CHECK(count == 3000);
        free(next);
        CHECK(fast.len > 0 && fast.len == slow.len && memcmp(fast.ptr, slow.ptr, fast.len) == 0);

        /* Hostile pages: each a one-line error, never a short list. */
        make_page(&page, 3, 0, "null");
        {
                char *cut = strndup(page.ptr, page.len - 40); /* inside the last record */

                check_page_error(cut, "not a page of records");
                free(cut);
        }
        check_page_error("{\"files\":[" /* a record that does not parse */
                         "{\"file_path\":\"a\",\"file_hash\":\"" MD5
                         "\",\"type\":\"Local\"},{\"file_path\":\"b\",\"file_hash\":tru}],"
                         "\"next\":null}",
                         "record 2 is not JSON");
        check_page_error("{\"files\":[{\"file_path\":\"a\",\"file_hash\":\"" MD5
                         "\",\"type\":\"Local\"}]", /* no end */
                         "not a page of records");
        check_page_error("{\"files\":[{\"file_path\":\"a\",\"file_hash\":\"" MD5
                         "\",\"type\":\"Local\"}],\"next\":null}}", /* more after it */
                         "not a page of records");
        check_page_error("{\"files\":[{\"file_path\":\"../a\",\"file_hash\":\"" MD5
                         "\",\"type\":\"Local\"}],\"next\":null}",
                         "(\"../a\"): file_path must be a relative path");
        check_page_error("{\"files\":[{\"file_path\":\"a\",\"file_hash\":\"" MD5
                         "\",\"type\":\"Local\",\"metadata\":{\"last_modified\":\"yesterday\"}}],"
                         "\"next\":null}",
                         "(\"a\"): metadata.last_modified \"yesterday\" is not a UTC time");
        check_page_error("{\"files\":[{\"file_path\":\"b\",\"file_hash\":\"" MD5
                         "\",\"type\":\"Local\"},{\"file_path\":\"a\",\"file_hash\":\"" MD5
                         "\",\"type\":\"Local\"}],\"next\":null}",
                         "record 2 is out of order");

        /* The record check names the record only when it fails, and says
         * nothing of a good one. */
        {
                struct nereid_file f;

                CHECK(nrd_json_record_parse(common, strlen(common), &f) == 0);
                nrd_error_clear();
                CHECK(nrd_file_check(&f, "import") == 0);
                CHECK(nereid_error_last()[0] == '\0');
                free(f.file_hash);
                f.file_hash = strdup("9E107D9D372BB6826BD81D3542A419D6");
                CHECK(nrd_file_check(&f, "import") == NEREID_EINVALID);
                CHECK(strstr(nereid_error_last(), "import (\"train/a.csv\"): file_hash") != NULL);
                nrd_file_clear(&f);
        }
        /* The MD5 form check every record of a listing goes through (now
         * without a branch per digit): each byte next to a range refused. */
        {
                static const char edges[] = "/:`g@G \x7f\x80\xff";
                char md5[] = MD5;
                size_t k;

                CHECK(nrd_hash_is_md5(md5));
                CHECK(nrd_hash_is_md5("0123456789abcdef0123456789abcdef"));
                for (k = 0; k < sizeof(edges) - 1; k++) {
                        md5[k % 32] = edges[k];
                        CHECK(!nrd_hash_is_md5(md5));
                        md5[k % 32] = MD5[k % 32];
                }
                CHECK(!nrd_hash_is_md5(MD5 "\n"));
                CHECK(!nrd_hash_is_md5("9e107d9d372bb682\0"
                                       "6bd81d3542a419d6"));
        }
        nrd_buf_free(&page);
        nrd_buf_free(&fast);
        nrd_buf_free(&slow);
        return CHECK_DONE();
}
