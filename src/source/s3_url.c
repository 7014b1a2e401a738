/*
 * s3_url.c - the URLs of S3 requests: path style below S3_ENDPOINT_URL
 * (ENDPOINT/bucket/key), or AWS's virtual-host style
 * (https://bucket.s3.REGION.amazonaws.com/key); keys and query values
 * escaped, and query parameters in the sorted order SigV4 signs them.
 * Only strings: the requests are s3.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../buf.h"
#include "../error.h"
#include "../uri.h"
#include "s3_url.h"

#define S3_URL_HAS_ENDPOINT(site) ((site)->endpoint && *(site)->endpoint)

/* A bucket name that can stand in a host name (virtual-host style). */
static int s3_url_host_ok(const char *bucket)
{
        const char *p;

        if (!*bucket || strlen(bucket) > 63)
                return 0;
        for (p = bucket; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
                      *p == '.'))
                        return 0;
        return 1;
}

/* The bucket's URL without trailing '/': ENDPOINT/bucket (path style) or
 * https://bucket.s3.REGION.amazonaws.com (virtual-host style). */
int nrd_s3_url_bucket(const s3_site *site, const char *bucket, nereid_buf *url)
{
        char *escaped;
        int rc;

        if (S3_URL_HAS_ENDPOINT(site)) {
                escaped = nrd_uri_escape(bucket, 0);
                if (!escaped)
                        return nrd_error_oom();
                rc = nrd_buf_printf(url, "%s/%s", site->endpoint, escaped);
                free(escaped);
                return rc;
        }
        if (!s3_url_host_ok(bucket))
                return nrd_error(NEREID_EINVALID,
                                 "s3://%s: bucket name not usable in a host name; set "
                                 "S3_ENDPOINT_URL for path-style access",
                                 bucket);
        return nrd_buf_printf(url, "https://%s.s3.%s.amazonaws.com", bucket, site->region);
}

int nrd_s3_url_object(const s3_site *site, const char *bucket, const char *key, nereid_buf *url)
{
        char *escaped;
        int rc;

        if (nrd_s3_url_bucket(site, bucket, url) < 0)
                return NEREID_ERROR;
        escaped = nrd_uri_escape(key, 1);
        if (!escaped)
                return nrd_error_oom();
        rc = nrd_buf_printf(url, "/%s", escaped);
        free(escaped);
        return rc;
}

/* ListObjectsV2 URL; parameters in the sorted order SigV4 signs them. */
int nrd_s3_url_list(const s3_site *site, const char *bucket, const char *prefix, const char *token,
                    nereid_buf *url)
{
        char *escaped = NULL;
        int rc = NEREID_ERROR;

        if (nrd_s3_url_bucket(site, bucket, url) < 0)
                return NEREID_ERROR;
        if (nrd_buf_puts(url, S3_URL_HAS_ENDPOINT(site) ? "?" : "/?") < 0)
                goto cleanup;
        if (token) {
                if (!(escaped = nrd_uri_escape(token, 0)))
                        goto oom;
                if (nrd_buf_printf(url, "continuation-token=%s&", escaped) < 0)
                        goto cleanup;
                free(escaped);
                escaped = NULL;
        }
        if (nrd_buf_puts(url, "list-type=2") < 0)
                goto cleanup;
        if (*prefix) {
                if (!(escaped = nrd_uri_escape(prefix, 0)))
                        goto oom;
                if (nrd_buf_printf(url, "&prefix=%s", escaped) < 0)
                        goto cleanup;
        }
        rc = 0;
        goto cleanup;
oom:
        rc = nrd_error_oom();
cleanup:
        free(escaped);
        return rc;
}

/* The endpoint as shown in connection errors. */
void nrd_s3_url_endpoint_label(const s3_site *site, const char *bucket, char *out, size_t cap)
{
        if (S3_URL_HAS_ENDPOINT(site))
                snprintf(out, cap, "%s", site->endpoint);
        else
                snprintf(out, cap, "https://%s.s3.%s.amazonaws.com", bucket, site->region);
}
