/*
 * test_s3_xml.c - unit tests of src/source/s3_xml.c: ListObjectsV2 pages
 * (objects, pagination token, IsTruncated, entities in keys, ETag quotes,
 * folder markers), fed whole and one byte at a time; error bodies; the
 * ISO 8601 to UTC conversion; and what must be refused.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "nereid.h"
#include "source/s3_xml.h"

#define MAX_SEEN 8

struct seen {
        int count;
        char key[MAX_SEEN][256];
        char etag[MAX_SEEN][128];
        char last_modified[MAX_SEEN][64];
        uint64_t size[MAX_SEEN];
        int has_size[MAX_SEEN];
        int fail_at; /* return an error at this object (1-based), 0: never */
};

static int on_object(void *payload, const s3_xml_object *o)
{
        struct seen *s = payload;

        if (s->fail_at && s->count + 1 == s->fail_at)
                return NEREID_EINVALID;
        if (s->count < MAX_SEEN) {
                snprintf(s->key[s->count], sizeof(s->key[0]), "%s", o->key);
                snprintf(s->etag[s->count], sizeof(s->etag[0]), "%s", o->etag);
                snprintf(s->last_modified[s->count], sizeof(s->last_modified[0]), "%s",
                         o->last_modified);
                s->size[s->count] = o->size;
                s->has_size[s->count] = o->has_size;
        }
        s->count++;
        return 0;
}

static const char page1[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
    "<Name>kuiper</Name><Prefix>path/</Prefix><KeyCount>3</KeyCount>"
    "<MaxKeys>1000</MaxKeys><IsTruncated>true</IsTruncated>"
    "<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</"
    "NextContinuationToken>"
    "<Contents><Key>path/donn\xc3\xa9"
    "es/\xc3\xa9.txt</Key><LastModified>2021-05-23T03:55:26.000Z</LastModified>"
    "<ETag>&quot;2f249230a8e7c2bf6005ccd2679259ec&quot;</ETag><Size>4</Size>"
    "<StorageClass>STANDARD</StorageClass></Contents>"
    "<Contents><Key>path/a &amp; b &lt;c&gt; +%~=.bin</Key>"
    "<LastModified>2021-05-23T03:55:27Z</LastModified>"
    "<ETag>\"d41d8cd98f00b204e9800998ecf8427e-12\"</ETag><Size>18446744073709551615</Size>"
    "<Owner><ID>x</ID><DisplayName>Key</DisplayName></Owner></Contents>"
    "<Contents><Key>path/dir/</Key><ETag>\"d41d8cd98f00b204e9800998ecf8427e\"</ETag>"
    "<Size>0</Size></Contents>"
    "</ListBucketResult>";

static const char page_last[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
    "<ListBucketResult><IsTruncated>false</IsTruncated>"
    "<Contents><Key>k</Key><ETag>e</ETag></Contents></ListBucketResult>";

static void test_page_whole(void)
{
        struct seen s = {0};
        s3_xml_list *l = nrd_s3_xml_list_new(on_object, &s);

        CHECK(l != NULL);
        CHECK(nrd_s3_xml_list_feed(l, page1, strlen(page1), 1) == 0);
        CHECK(s.count == 3);
        CHECK_STR(s.key[0], "path/donn\xc3\xa9"
                            "es/\xc3\xa9.txt");
        CHECK_STR(s.etag[0], "2f249230a8e7c2bf6005ccd2679259ec");
        CHECK_STR(s.last_modified[0], "2021-05-23T03:55:26.000Z");
        CHECK(s.size[0] == 4 && s.has_size[0]);
        CHECK_STR(s.key[1], "path/a & b <c> +%~=.bin");
        CHECK_STR(s.etag[1], "d41d8cd98f00b204e9800998ecf8427e-12");
        CHECK(s.size[1] == UINT64_MAX);
        CHECK_STR(s.key[2], "path/dir/");
        CHECK(s.size[2] == 0 && s.has_size[2]);
        CHECK(nrd_s3_xml_list_truncated(l) == 1);
        CHECK_STR(nrd_s3_xml_list_next_token(l), "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
        nrd_s3_xml_list_free(l);
}

/* The same page one byte per feed, as a slow network delivers it. */
static void test_page_bytewise(void)
{
        struct seen s = {0};
        s3_xml_list *l = nrd_s3_xml_list_new(on_object, &s);
        size_t i;
        int rc = 0;

        for (i = 0; i < strlen(page1) && rc == 0; i++)
                rc = nrd_s3_xml_list_feed(l, page1 + i, 1, 0);
        CHECK(rc == 0);
        CHECK(nrd_s3_xml_list_feed(l, "", 0, 1) == 0);
        CHECK(s.count == 3);
        CHECK_STR(s.key[1], "path/a & b <c> +%~=.bin");
        CHECK_STR(s.etag[0], "2f249230a8e7c2bf6005ccd2679259ec");
        CHECK(nrd_s3_xml_list_truncated(l) == 1);
        CHECK_STR(nrd_s3_xml_list_next_token(l), "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
        nrd_s3_xml_list_free(l);
}

static void test_last_page(void)
{
        struct seen s = {0};
        s3_xml_list *l = nrd_s3_xml_list_new(on_object, &s);

        CHECK(nrd_s3_xml_list_feed(l, page_last, strlen(page_last), 1) == 0);
        CHECK(s.count == 1);
        CHECK_STR(s.etag[0], "e");
        CHECK(s.has_size[0] == 0);
        CHECK_STR(s.last_modified[0], "");
        CHECK(nrd_s3_xml_list_truncated(l) == 0);
        CHECK(nrd_s3_xml_list_next_token(l) == NULL);
        nrd_s3_xml_list_free(l);
}

static void test_empty_listing(void)
{
        static const char doc[] = "<ListBucketResult><Name>b</Name><KeyCount>0</KeyCount>"
                                  "<IsTruncated>false</IsTruncated></ListBucketResult>";
        struct seen s = {0};
        s3_xml_list *l = nrd_s3_xml_list_new(on_object, &s);

        CHECK(nrd_s3_xml_list_feed(l, doc, strlen(doc), 1) == 0);
        CHECK(s.count == 0);
        CHECK(nrd_s3_xml_list_truncated(l) == 0);
        nrd_s3_xml_list_free(l);
}

static int feed_all(const char *doc, struct seen *s)
{
        s3_xml_list *l = nrd_s3_xml_list_new(on_object, s);
        int rc = nrd_s3_xml_list_feed(l, doc, strlen(doc), 1);

        nrd_s3_xml_list_free(l);
        return rc;
}

static void test_refused(void)
{
        struct seen s = {0};
        char *big;
        size_t n = S3_XML_TEXT_MAX + 100, i;
        int rc;

        /* Malformed, truncated, wrong document, DTD (entity expansion). */
        CHECK(feed_all("<ListBucketResult><Contents><Key>a</Key>", &s) < 0);
        CHECK(feed_all("<ListBucketResult><Contents><Key>a</Contents></ListBucketResult>", &s) < 0);
        CHECK(feed_all("<html><body>captive portal</body></html>", &s) < 0);
        CHECK(strstr(nereid_error_last(), "html") != NULL);
        CHECK(feed_all("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
                       "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]>"
                       "<ListBucketResult><Contents><Key>&lol2;</Key></Contents>"
                       "</ListBucketResult>",
                       &s) < 0);
        CHECK(feed_all("<ListBucketResult><Contents><Key>&undefined;</Key></Contents>"
                       "</ListBucketResult>",
                       &s) < 0);
        CHECK(feed_all("<ListBucketResult><Contents><ETag>x</ETag></Contents></ListBucketResult>",
                       &s) < 0);
        CHECK(strstr(nereid_error_last(), "Key") != NULL);
        CHECK(feed_all("<ListBucketResult><Contents><Key>a</Key><Size>-1</Size></Contents>"
                       "</ListBucketResult>",
                       &s) < 0);
        CHECK(feed_all("<ListBucketResult><Contents><Key>a</Key><Size>18446744073709551616</Size>"
                       "</Contents></ListBucketResult>",
                       &s) < 0);
        CHECK(s.count == 0);

        /* An element text over the bound. */
        big = malloc(n + 100);
        strcpy(big, "<ListBucketResult><Contents><Key>");
        for (i = strlen(big); i < n; i++)
                big[i] = 'k';
        strcpy(big + n, "</Key></Contents></ListBucketResult>");
        CHECK(feed_all(big, &s) < 0);
        CHECK(strstr(nereid_error_last(), "longer") != NULL);
        free(big);

        /* The callback's error stops the parse and is returned as it is, also later. */
        {
                struct seen f = {0};
                s3_xml_list *l = nrd_s3_xml_list_new(on_object, &f);

                f.fail_at = 2;
                rc = nrd_s3_xml_list_feed(l, page1, strlen(page1), 1);
                CHECK(rc == NEREID_EINVALID);
                CHECK(f.count == 1);
                CHECK(nrd_s3_xml_list_feed(l, "", 0, 1) == NEREID_EINVALID);
                nrd_s3_xml_list_free(l);
        }
}

static void test_error_body(void)
{
        static const char body[] =
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchBucket</Code>"
            "<Message>The specified bucket does not exist</Message>"
            "<BucketName>nope</BucketName><RequestId>4442587FB7D0A2F9</RequestId></Error>";
        char code[64], message[128], small[4];

        nrd_s3_xml_error(body, strlen(body), code, sizeof(code), message, sizeof(message));
        CHECK_STR(code, "NoSuchBucket");
        CHECK_STR(message, "The specified bucket does not exist");
        nrd_s3_xml_error(body, strlen(body), small, sizeof(small), message, sizeof(message));
        CHECK_STR(small, "NoS");
        nrd_s3_xml_error("<html>oops</html>", 17, code, sizeof(code), message, sizeof(message));
        CHECK_STR(code, "");
        CHECK_STR(message, "");
        nrd_s3_xml_error("not xml at all", 14, code, sizeof(code), message, sizeof(message));
        CHECK_STR(code, "");
        nrd_s3_xml_error("", 0, code, sizeof(code), message, sizeof(message));
        CHECK_STR(code, "");
        nrd_s3_xml_error("<Error><Code>SlowDown</Code></Error>", 36, code, sizeof(code), message,
                         sizeof(message));
        CHECK_STR(code, "SlowDown");
        CHECK_STR(message, "");
}

static void test_time(void)
{
        char out[20];

        CHECK(nrd_s3_xml_time_to_utc("2021-05-23T03:55:26.000Z", out) == 0);
        CHECK_STR(out, "2021-05-23 03:55:26");
        CHECK(nrd_s3_xml_time_to_utc("2021-05-23T03:55:26Z", out) == 0);
        CHECK_STR(out, "2021-05-23 03:55:26");
        CHECK(nrd_s3_xml_time_to_utc("2021-05-23T03:55:26.123456Z", out) == 0);
        CHECK_STR(out, "2021-05-23 03:55:26");
        CHECK(nrd_s3_xml_time_to_utc("2021-05-23T01:55:26+02:00", out) == 0);
        CHECK_STR(out, "2021-05-22 23:55:26");
        CHECK(nrd_s3_xml_time_to_utc("2020-12-31T23:30:00-01:00", out) == 0);
        CHECK_STR(out, "2021-01-01 00:30:00");
        CHECK(nrd_s3_xml_time_to_utc("2024-02-29T12:00:00.000Z", out) == 0);
        CHECK_STR(out, "2024-02-29 12:00:00");
        CHECK(nrd_s3_xml_time_to_utc("", out) < 0);
        CHECK(nrd_s3_xml_time_to_utc("2021-05-23", out) < 0);
        CHECK(nrd_s3_xml_time_to_utc("2021-13-23T03:55:26Z", out) < 0);
        CHECK(nrd_s3_xml_time_to_utc("2021-05-23T03:55:26", out) < 0);
        CHECK(nrd_s3_xml_time_to_utc("2021-05-23T03:55:26.Z", out) < 0);
        CHECK(nrd_s3_xml_time_to_utc("2021-05-23T03:55:26ZZ", out) < 0);
        CHECK(nrd_s3_xml_time_to_utc("Sun, 23 May 2021 03:55:26 GMT", out) < 0);
}

int main(void)
{
        test_page_whole();
        test_page_bytewise();
        test_last_page();
        test_empty_listing();
        test_refused();
        test_error_body();
        test_time();
        return CHECK_DONE();
}
