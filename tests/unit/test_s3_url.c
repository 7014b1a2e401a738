/*
 * test_s3_url.c - the URLs of S3 requests: AWS virtual-host style when no
 * endpoint is set (the style no end-to-end test can reach, having no
 * network), path style below S3_ENDPOINT_URL, keys escaped with '/' kept,
 * ListObjectsV2 parameters in SigV4's sorted order, and bucket names that
 * cannot be host names refused with advice.
 */
#include <stdlib.h>
#include <string.h>
#include "buf.h"
#include "check.h"
#include "error.h"
#include "nereid.h"
#include "source/s3_url.h"

static const char *object_url(const s3_site *site, const char *bucket, const char *key)
{
        static char out[1024];
        nereid_buf url = NEREID_BUF_INIT;

        out[0] = '\0';
        if (nrd_s3_url_object(site, bucket, key, &url) == 0)
                snprintf(out, sizeof(out), "%s", url.ptr);
        nrd_buf_free(&url);
        return out;
}

static const char *list_url(const s3_site *site, const char *bucket, const char *prefix,
                            const char *token)
{
        static char out[1024];
        nereid_buf url = NEREID_BUF_INIT;

        out[0] = '\0';
        if (nrd_s3_url_list(site, bucket, prefix, token, &url) == 0)
                snprintf(out, sizeof(out), "%s", url.ptr);
        nrd_buf_free(&url);
        return out;
}

static void test_aws(void)
{
        s3_site aws = {NULL, "eu-west-1"}, empty = {"", "us-east-1"};
        nereid_buf url = NEREID_BUF_INIT;
        char label[256];

        CHECK_STR(object_url(&aws, "my-bucket", "datasets/train/sample.csv"),
                  "https://my-bucket.s3.eu-west-1.amazonaws.com/datasets/train/sample.csv");
        CHECK_STR(object_url(&empty, "b.with.dots", "k"),
                  "https://b.with.dots.s3.us-east-1.amazonaws.com/k");
        /* Keys: unreserved kept, '/' kept, everything else %XX, unicode by bytes. */
        CHECK_STR(object_url(&aws, "b1", "a b+c%d~e=f/données/é"),
                  "https://b1.s3.eu-west-1.amazonaws.com/a%20b%2Bc%25d~e%3Df/donn%C3%A9es/%C3%A9");
        CHECK_STR(list_url(&aws, "b1", "", NULL),
                  "https://b1.s3.eu-west-1.amazonaws.com/?list-type=2");
        CHECK_STR(list_url(&aws, "b1", "data/", "tok+/=="),
                  "https://b1.s3.eu-west-1.amazonaws.com/"
                  "?continuation-token=tok%2B%2F%3D%3D&list-type=2&prefix=data%2F");
        /* A name that cannot be a host name: refused, naming the way out. */
        CHECK(nrd_s3_url_bucket(&aws, "My_Bucket", &url) == NEREID_EINVALID);
        CHECK(strstr(nereid_error_last(), "S3_ENDPOINT_URL") != NULL);
        CHECK(strstr(nereid_error_last(), "s3://My_Bucket") != NULL);
        nrd_buf_free(&url);
        nrd_s3_url_endpoint_label(&aws, "b1", label, sizeof(label));
        CHECK_STR(label, "https://b1.s3.eu-west-1.amazonaws.com");
}

static void test_endpoint(void)
{
        s3_site minio = {"http://127.0.0.1:9000", "us-east-1"};
        s3_site gcs = {"https://storage.googleapis.com", "auto"};
        char label[256];

        CHECK_STR(object_url(&minio, "My_Bucket", "a/b c"),
                  "http://127.0.0.1:9000/My_Bucket/a/b%20c");
        CHECK_STR(object_url(&gcs, "kuiper", "path/x"),
                  "https://storage.googleapis.com/kuiper/path/x");
        CHECK_STR(list_url(&minio, "data", "p/", NULL),
                  "http://127.0.0.1:9000/data?list-type=2&prefix=p%2F");
        CHECK_STR(list_url(&minio, "data", "", "t"),
                  "http://127.0.0.1:9000/data?continuation-token=t&list-type=2");
        nrd_s3_url_endpoint_label(&minio, "data", label, sizeof(label));
        CHECK_STR(label, "http://127.0.0.1:9000");
}

int main(void)
{
        test_aws();
        test_endpoint();
        return CHECK_DONE();
}
