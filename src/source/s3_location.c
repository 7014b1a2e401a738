/*
 * s3_location.c - the syntax of the S3 source driver: what users type
 * (s3://bucket[/key-or-prefix]), the text remembered for status, and the
 * s3://bucket/key source of an S3 record read back and checked. Keys are
 * bytes, never decoded or normalised (SPEC section 2), as in the AWS CLI.
 * Not for request URLs (s3_url.c) or the requests themselves (s3.c).
 *
 * Rules: bucket names are [A-Za-z0-9._-]+ (the service refuses the rest;
 * upper case and '_' need S3_ENDPOINT_URL, see s3_url.c); the key follows
 * the first '/' after the bucket byte for byte.
 */
#include <stdlib.h>
#include <string.h>
#include "../buf.h"
#include "../error.h"
#include "../uri.h"
#include "s3_location.h"

#define S3_SCHEME_PREFIX "s3://"
/* S3's limit on a key, and the ETag length accepted from outside. */
#define S3_LOCATION_KEY_MAX  1024
#define S3_LOCATION_ETAG_MAX 1024

static int s3_is_bucket_char(char c)
{
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '-' || c == '_';
}

/* host = bucket (bucket_len bytes), path = key. */
static int s3_location_set(source_location *out, const char *bucket, size_t bucket_len,
                           const char *key)
{
        out->host = nrd_malloc(bucket_len + 1);
        if (!out->host)
                return nrd_error_oom();
        memcpy(out->host, bucket, bucket_len);
        out->host[bucket_len] = '\0';
        out->path = nrd_strdup(key);
        return out->path ? 0 : NEREID_ERROR;
}

/* s3://bucket[/key]: the key is kept byte for byte. */
int nrd_s3_location_parse(const char *text, const char *home, source_location *out)
{
        const char *bucket = text + strlen(S3_SCHEME_PREFIX);
        const char *slash;
        size_t bucket_len, i;
        int rc = nrd_source_refuse_wildcards(text);

        (void)home; /* "~" means nothing in s3:// */
        if (rc < 0)
                return rc;
        slash = strchr(bucket, '/');
        bucket_len = slash ? (size_t)(slash - bucket) : strlen(bucket);
        if (bucket_len == 0)
                return nrd_error(NEREID_EINVALID, "path \"%s\": no bucket name after s3://", text);
        for (i = 0; i < bucket_len; i++) {
                if (!s3_is_bucket_char(bucket[i]))
                        return nrd_error(NEREID_EINVALID,
                                         "path \"%s\": bad bucket name \"%.*s\" (letters, "
                                         "digits, '.', '-' and '_' only)",
                                         text, (int)bucket_len, bucket);
        }
        return s3_location_set(out, bucket, bucket_len, slash ? slash + 1 : "");
}

/* "s3://bucket/key": parse reads back the same bucket and key. */
char *nrd_s3_location_format(const source_location *loc)
{
        nereid_buf buf = NEREID_BUF_INIT;

        if (nrd_buf_printf(&buf, S3_SCHEME_PREFIX "%s/%s", loc->host, loc->path ? loc->path : "") <
            0) {
                nrd_buf_free(&buf);
                return NULL;
        }
        return nrd_buf_detach(&buf);
}

/* "s3://bucket/key" as the driver wrote it: the key used as it is. */
int nrd_s3_location_parse_source(const char *source, source_location *out)
{
        const char *bucket, *slash;

        if (strncmp(source, S3_SCHEME_PREFIX, strlen(S3_SCHEME_PREFIX)) != 0)
                return nrd_error(NEREID_EINVALID, "%s: not an s3://bucket/key location", source);
        bucket = source + strlen(S3_SCHEME_PREFIX);
        slash = strchr(bucket, '/');
        if (!slash || slash == bucket || !slash[1])
                return nrd_error(NEREID_EINVALID, "%s: not an s3://bucket/key location", source);
        return s3_location_set(out, bucket, (size_t)(slash - bucket), slash + 1);
}

/* An ETag without its quotes: 1 to 1024 printable ASCII characters but '"'. */
static int s3_check_etag(const char *etag)
{
        size_t n = 0;

        for (; etag[n]; n++) {
                unsigned char c = (unsigned char)etag[n];

                if (c < 0x21 || c > 0x7E || c == '"')
                        return 0;
        }
        return n >= 1 && n <= S3_LOCATION_ETAG_MAX;
}

/* The reason an s3:// source is malformed, or NULL. */
static const char *s3_check_source(const char *source)
{
        const char *bucket, *key, *p;

        if (strncmp(source, S3_SCHEME_PREFIX, strlen(S3_SCHEME_PREFIX)) != 0)
                return "an S3 record's source must be s3://bucket/key";
        bucket = source + strlen(S3_SCHEME_PREFIX);
        for (p = bucket; *p && *p != '/'; p++) {
                if (!s3_is_bucket_char(*p))
                        return "the bucket name must be letters, digits, '.', '-' and '_'";
        }
        if (p == bucket)
                return "no bucket name after s3://";
        if (*p != '/' || !p[1])
                return "no key after the bucket (s3://bucket/key)";
        key = p + 1;
        if (strlen(key) > S3_LOCATION_KEY_MAX)
                return "the key is longer than 1024 bytes";
        if (!nrd_uri_is_safe_relative(key))
                return "the key has an empty, \".\" or \"..\" segment, or ends in '/'";
        return NULL;
}

int nrd_s3_location_check_record(const struct nereid_file *f, const char *at)
{
        const char *why;

        if (!f->file_hash || !s3_check_etag(f->file_hash))
                return nrd_error(NEREID_EINVALID,
                                 "%s: file_hash \"%.80s\" is not an ETag (1-1024 printable "
                                 "ASCII characters, no '\"')",
                                 at, f->file_hash ? f->file_hash : "");
        if (f->source && (why = s3_check_source(f->source)) != NULL)
                return nrd_error(NEREID_EINVALID, "%s: metadata.file_path \"%.200s\": %s", at,
                                 f->source, why);
        return 0;
}
