/*
 * s3_xml.c - the XML the S3 driver reads, through expat: ListObjectsV2
 * pages as a stream (each <Contents> handed to a callback as soon as it
 * closes) and <Error> bodies. Not for anything else S3 sends: the driver
 * never asks for other documents. A document type declaration is refused,
 * which rules out entity expansion attacks; element texts are bounded.
 */
#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "buf.h"
#include "error.h"
#include "fs.h"
#include "os/os.h"
#include "source/s3_xml.h"

/* What the text of the element being read goes to. */
enum s3_xml_field {
        S3_FIELD_NONE = 0,
        S3_FIELD_KEY,
        S3_FIELD_ETAG,
        S3_FIELD_SIZE,
        S3_FIELD_LAST_MODIFIED,
        S3_FIELD_TRUNCATED,
        S3_FIELD_TOKEN,
        S3_FIELD_CODE,
        S3_FIELD_MESSAGE,
        S3_FIELD_COUNT
};

struct s3_xml_list {
        XML_Parser parser;
        s3_xml_object_cb cb;
        void *payload;
        int is_error_doc; /* parsing an <Error> body rather than a listing */
        int depth;
        int in_contents;
        enum s3_xml_field field;
        nereid_buf text[S3_FIELD_COUNT];
        int truncated;
        int has_token;
        int rc; /* first failure, sticky */
};

/* The element's local name: whatever follows a namespace prefix. */
static const char *s3_xml_local(const char *name)
{
        const char *colon = strrchr(name, ':');

        return colon ? colon + 1 : name;
}

static void s3_xml_fail(struct s3_xml_list *list, int rc)
{
        if (list->rc == 0)
                list->rc = rc;
        XML_StopParser(list->parser, XML_FALSE);
}

static enum s3_xml_field s3_xml_field_of(const struct s3_xml_list *list, const char *name)
{
        if (list->is_error_doc) {
                if (list->depth != 2)
                        return S3_FIELD_NONE;
                if (strcmp(name, "Code") == 0)
                        return S3_FIELD_CODE;
                if (strcmp(name, "Message") == 0)
                        return S3_FIELD_MESSAGE;
                return S3_FIELD_NONE;
        }
        if (list->depth == 2) {
                if (strcmp(name, "IsTruncated") == 0)
                        return S3_FIELD_TRUNCATED;
                if (strcmp(name, "NextContinuationToken") == 0)
                        return S3_FIELD_TOKEN;
                return S3_FIELD_NONE;
        }
        if (list->depth == 3 && list->in_contents) {
                if (strcmp(name, "Key") == 0)
                        return S3_FIELD_KEY;
                if (strcmp(name, "ETag") == 0)
                        return S3_FIELD_ETAG;
                if (strcmp(name, "Size") == 0)
                        return S3_FIELD_SIZE;
                if (strcmp(name, "LastModified") == 0)
                        return S3_FIELD_LAST_MODIFIED;
        }
        return S3_FIELD_NONE;
}

static void XMLCALL s3_xml_start(void *data, const XML_Char *qname, const XML_Char **attrs)
{
        struct s3_xml_list *list = data;
        const char *name = s3_xml_local(qname);

        (void)attrs;
        list->depth++;
        if (list->depth == 1) {
                if (!list->is_error_doc && strcmp(name, "ListBucketResult") != 0)
                        s3_xml_fail(list, nrd_error(NEREID_ERROR,
                                                    "S3 listing: unexpected document <%s>", name));
                if (list->is_error_doc && strcmp(name, "Error") != 0)
                        s3_xml_fail(list, NEREID_ERROR);
                return;
        }
        if (!list->is_error_doc && list->depth == 2 && strcmp(name, "Contents") == 0) {
                list->in_contents = 1;
                nrd_buf_free(&list->text[S3_FIELD_KEY]);
                nrd_buf_free(&list->text[S3_FIELD_ETAG]);
                nrd_buf_free(&list->text[S3_FIELD_SIZE]);
                nrd_buf_free(&list->text[S3_FIELD_LAST_MODIFIED]);
                return;
        }
        list->field = s3_xml_field_of(list, name);
        if (list->field != S3_FIELD_NONE) {
                nrd_buf_clear(&list->text[list->field]);
                /* Make the buffer a valid empty string even if no text follows. */
                if (nrd_buf_put(&list->text[list->field], "", 0) < 0)
                        s3_xml_fail(list, NEREID_ERROR);
        }
}

static void XMLCALL s3_xml_text(void *data, const XML_Char *s, int len)
{
        struct s3_xml_list *list = data;
        nereid_buf *text;

        if (list->field == S3_FIELD_NONE || len <= 0)
                return;
        text = &list->text[list->field];
        if (text->len + (size_t)len > S3_XML_TEXT_MAX) {
                s3_xml_fail(list, nrd_error(NEREID_ERROR,
                                            "S3 listing: an element is longer than %d bytes",
                                            S3_XML_TEXT_MAX));
                return;
        }
        if (nrd_buf_put(text, s, (size_t)len) < 0)
                s3_xml_fail(list, NEREID_ERROR);
}

/* A strict decimal: digits only, no sign, no overflow. */
static int s3_xml_parse_u64(const char *s, uint64_t *out)
{
        uint64_t v = 0;

        if (!*s)
                return -1;
        for (; *s; s++) {
                if (*s < '0' || *s > '9')
                        return -1;
                if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
                        return -1;
                v = v * 10 + (uint64_t)(*s - '0');
        }
        *out = v;
        return 0;
}

static const char *s3_xml_str(const nereid_buf *buf)
{
        return buf->ptr ? buf->ptr : "";
}

/* Strip one pair of surrounding double quotes, in place. */
static const char *s3_xml_unquote(nereid_buf *buf)
{
        if (buf->len >= 2 && buf->ptr[0] == '"' && buf->ptr[buf->len - 1] == '"') {
                buf->ptr[buf->len - 1] = '\0';
                return buf->ptr + 1;
        }
        return s3_xml_str(buf);
}

static void s3_xml_emit(struct s3_xml_list *list)
{
        s3_xml_object object = {0};
        int rc;

        if (!list->text[S3_FIELD_KEY].ptr) {
                s3_xml_fail(list, nrd_error(NEREID_ERROR, "S3 listing: an entry has no <Key>"));
                return;
        }
        object.key = list->text[S3_FIELD_KEY].ptr;
        object.etag = s3_xml_unquote(&list->text[S3_FIELD_ETAG]);
        object.last_modified = s3_xml_str(&list->text[S3_FIELD_LAST_MODIFIED]);
        if (list->text[S3_FIELD_SIZE].ptr) {
                if (s3_xml_parse_u64(list->text[S3_FIELD_SIZE].ptr, &object.size) < 0) {
                        s3_xml_fail(list,
                                    nrd_error(NEREID_ERROR, "S3 listing: %s: bad <Size> \"%.40s\"",
                                              object.key, list->text[S3_FIELD_SIZE].ptr));
                        return;
                }
                object.has_size = 1;
        }
        rc = list->cb(list->payload, &object);
        if (rc < 0)
                s3_xml_fail(list, rc);
}

static void XMLCALL s3_xml_end(void *data, const XML_Char *qname)
{
        struct s3_xml_list *list = data;
        const char *name = s3_xml_local(qname);

        if (list->field == S3_FIELD_TRUNCATED)
                list->truncated = strcmp(s3_xml_str(&list->text[S3_FIELD_TRUNCATED]), "true") == 0;
        else if (list->field == S3_FIELD_TOKEN)
                list->has_token = 1;
        list->field = S3_FIELD_NONE;
        if (!list->is_error_doc && list->depth == 2 && list->in_contents &&
            strcmp(name, "Contents") == 0) {
                list->in_contents = 0;
                s3_xml_emit(list);
                /* Freed rather than cleared: a NULL buffer means "absent" in the next entry. */
                nrd_buf_free(&list->text[S3_FIELD_KEY]);
                nrd_buf_free(&list->text[S3_FIELD_ETAG]);
                nrd_buf_free(&list->text[S3_FIELD_SIZE]);
                nrd_buf_free(&list->text[S3_FIELD_LAST_MODIFIED]);
        }
        list->depth--;
}

static void XMLCALL s3_xml_doctype(void *data, const XML_Char *name, const XML_Char *sysid,
                                   const XML_Char *pubid, int has_internal_subset)
{
        struct s3_xml_list *list = data;

        (void)name;
        (void)sysid;
        (void)pubid;
        (void)has_internal_subset;
        s3_xml_fail(list, nrd_error(NEREID_ERROR, "S3 response: document type declarations "
                                                  "are not accepted"));
}

static struct s3_xml_list *s3_xml_new(s3_xml_object_cb cb, void *payload, int is_error_doc)
{
        struct s3_xml_list *list = nrd_calloc(1, sizeof(*list));

        if (!list)
                return NULL;
        list->parser = XML_ParserCreate(NULL);
        if (!list->parser) {
                free(list);
                nrd_error_oom();
                return NULL;
        }
        list->cb = cb;
        list->payload = payload;
        list->is_error_doc = is_error_doc;
        XML_SetUserData(list->parser, list);
        XML_SetElementHandler(list->parser, s3_xml_start, s3_xml_end);
        XML_SetCharacterDataHandler(list->parser, s3_xml_text);
        XML_SetStartDoctypeDeclHandler(list->parser, s3_xml_doctype);
        return list;
}

s3_xml_list *nrd_s3_xml_list_new(s3_xml_object_cb cb, void *payload)
{
        return s3_xml_new(cb, payload, 0);
}

static int s3_xml_parse(struct s3_xml_list *list, const char *data, size_t len, int final)
{
        if (list->rc)
                return list->rc;
        while (len > 0 || final) {
                int chunk = len > (1 << 30) ? (1 << 30) : (int)len;
                int last = final && (size_t)chunk == len;

                if (XML_Parse(list->parser, data, chunk, last) != XML_STATUS_OK) {
                        if (list->rc == 0)
                                list->rc = nrd_error(
                                    NEREID_ERROR, "S3 response: malformed XML at line %lu: %s",
                                    (unsigned long)XML_GetCurrentLineNumber(list->parser),
                                    XML_ErrorString(XML_GetErrorCode(list->parser)));
                        return list->rc;
                }
                if (list->rc)
                        return list->rc;
                data += chunk;
                len -= (size_t)chunk;
                if (last)
                        break;
        }
        return 0;
}

int nrd_s3_xml_list_feed(s3_xml_list *list, const char *data, size_t len, int final)
{
        return s3_xml_parse(list, data, len, final);
}

int nrd_s3_xml_list_truncated(const s3_xml_list *list)
{
        return list->truncated;
}

const char *nrd_s3_xml_list_next_token(const s3_xml_list *list)
{
        return list->has_token ? s3_xml_str(&list->text[S3_FIELD_TOKEN]) : NULL;
}

void nrd_s3_xml_list_free(s3_xml_list *list)
{
        int i;

        if (!list)
                return;
        XML_ParserFree(list->parser);
        for (i = 0; i < S3_FIELD_COUNT; i++)
                nrd_buf_free(&list->text[i]);
        free(list);
}

static int s3_xml_no_object(void *payload, const s3_xml_object *object)
{
        (void)payload;
        (void)object;
        return 0;
}

void nrd_s3_xml_error(const char *body, size_t len, char *code, size_t code_cap, char *message,
                      size_t message_cap)
{
        struct s3_xml_list *list;

        if (code_cap)
                code[0] = '\0';
        if (message_cap)
                message[0] = '\0';
        if (len == 0)
                return;
        list = s3_xml_new(s3_xml_no_object, NULL, 1);
        if (!list)
                return;
        if (s3_xml_parse(list, body, len, 1) == 0) {
                if (code_cap)
                        snprintf(code, code_cap, "%s", s3_xml_str(&list->text[S3_FIELD_CODE]));
                if (message_cap)
                        snprintf(message, message_cap, "%s",
                                 s3_xml_str(&list->text[S3_FIELD_MESSAGE]));
        }
        nrd_s3_xml_list_free(list);
}

/* n decimal digits at s into *out; -1 when one is not a digit. */
static int s3_xml_digits(const char *s, int n, int *out)
{
        int v = 0, i;

        for (i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return -1;
                v = v * 10 + (s[i] - '0');
        }
        *out = v;
        return 0;
}

int nrd_s3_xml_time_to_utc(const char *iso, char out[20])
{
        struct tm tm = {0};
        int year, mon, day, hour, min, sec, oh = 0, om = 0;
        long offset = 0;
        const char *p;
        time_t t;

        if (strlen(iso) < 19 || s3_xml_digits(iso, 4, &year) < 0 || iso[4] != '-' ||
            s3_xml_digits(iso + 5, 2, &mon) < 0 || iso[7] != '-' ||
            s3_xml_digits(iso + 8, 2, &day) < 0 || (iso[10] != 'T' && iso[10] != ' ') ||
            s3_xml_digits(iso + 11, 2, &hour) < 0 || iso[13] != ':' ||
            s3_xml_digits(iso + 14, 2, &min) < 0 || iso[16] != ':' ||
            s3_xml_digits(iso + 17, 2, &sec) < 0)
                return -1;
        if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60)
                return -1;
        p = iso + 19;
        if (*p == '.') {
                p++;
                if (*p < '0' || *p > '9')
                        return -1;
                while (*p >= '0' && *p <= '9')
                        p++;
        }
        if (*p == 'Z' && p[1] == '\0') {
                offset = 0;
        } else if ((*p == '+' || *p == '-') && strlen(p) == 6 &&
                   s3_xml_digits(p + 1, 2, &oh) == 0 && p[3] == ':' &&
                   s3_xml_digits(p + 4, 2, &om) == 0 && oh <= 23 && om <= 59) {
                offset = (long)(oh * 3600 + om * 60);
                if (*p == '-')
                        offset = -offset;
        } else {
                return -1;
        }
        tm.tm_year = year - 1900;
        tm.tm_mon = mon - 1;
        tm.tm_mday = day;
        tm.tm_hour = hour;
        tm.tm_min = min;
        tm.tm_sec = sec;
        t = nrd_os_timegm(&tm);
        if (t == (time_t)-1 && !(year == 1969 && mon == 12 && day == 31))
                return -1;
        nrd_fs_format_utc(t - (time_t)offset, out);
        return 0;
}
