/*
 * s3_url.h - building the URLs of S3 requests (see s3_url.c).
 */
#ifndef NEREID_S3_URL_H
#define NEREID_S3_URL_H

#include <stddef.h>
#include "../buf.h"

/* Where requests go: endpoint is S3_ENDPOINT_URL without a trailing '/',
 * or NULL / "" for AWS itself; region as signed. */
typedef struct s3_site {
        const char *endpoint;
        const char *region;
} s3_site;

/* Append the bucket's URL (no trailing '/') to url. NEREID_EINVALID for a
 * bucket name that cannot be a host name when no endpoint is set. */
int nrd_s3_url_bucket(const s3_site *site, const char *bucket, nereid_buf *url);
/* Append the URL of an object: the key escaped, '/' kept. */
int nrd_s3_url_object(const s3_site *site, const char *bucket, const char *key, nereid_buf *url);
/* Append a ListObjectsV2 URL: continuation-token (when token is not NULL),
 * list-type=2, prefix (when not empty), in that order. */
int nrd_s3_url_list(const s3_site *site, const char *bucket, const char *prefix, const char *token,
                    nereid_buf *url);
/* The endpoint as connection errors name it. */
void nrd_s3_url_endpoint_label(const s3_site *site, const char *bucket, char *out, size_t cap);

#endif
