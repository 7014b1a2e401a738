/*
 * http_page.c - the common shape of a record, decoded and encoded without
 * building a jansson tree (http_page.h). A record is a small object with
 * known keys; a page holds up to 10,000 of them and a tree per record was
 * most of the time of a listing. This is for speed only: every input it
 * does not fully recognise goes to json.c's jansson path, so it never has
 * to produce an error message or accept what jansson would refuse.
 *
 * Not for: checking the values (record_check.c), pages and cursors
 * (http_json.c), any JSON other than one record.
 */
#include <stdint.h>
#include <string.h>
#include "../alloc.h"
#include "../error.h"
#include "../json.h"
#include "http_page.h"

/* A string the codec handles: printable ASCII (not DEL), no escape needed. */
static int page_plain(unsigned char c)
{
        return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

static size_t page_ws(const char *t, size_t n, size_t i)
{
        while (i < n && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r'))
                i++;
        return i;
}

/* A plain string at t[i] ('"'): its body in [*start, *end), i after it; 0
 * when it is not plain. */
static size_t page_string(const char *t, size_t n, size_t i, size_t *start, size_t *end)
{
        if (i >= n || t[i] != '"')
                return 0;
        *start = ++i;
        while (i < n && page_plain((unsigned char)t[i]))
                i++;
        if (i >= n || t[i] != '"')
                return 0;
        *end = i;
        return i + 1;
}

static int page_take(const char *t, size_t start, size_t end, char **out)
{
        if (!(*out = nrd_malloc(end - start + 1)))
                return NEREID_ERROR;
        memcpy(*out, t + start, end - start);
        (*out)[end - start] = '\0';
        return 0;
}

static int page_key_is(const char *t, size_t start, size_t end, const char *key)
{
        size_t len = strlen(key);

        return end - start == len && memcmp(t + start, key, len) == 0;
}

/* The metadata object at t[i]: i after it, 0 when not in the common shape,
 * (size_t)-1 when out of memory. */
static size_t page_metadata(const char *t, size_t n, size_t i, struct nereid_file *out)
{
        size_t ks, ke, vs, ve;
        char **slot;

        if (i >= n || t[i] != '{')
                return 0;
        i = page_ws(t, n, i + 1);
        if (i < n && t[i] == '}')
                return i + 1;
        for (;;) {
                if (!(i = page_string(t, n, i, &ks, &ke)))
                        return 0;
                i = page_ws(t, n, i);
                if (i >= n || t[i] != ':')
                        return 0;
                if (page_key_is(t, ks, ke, "file_path"))
                        slot = &out->source;
                else if (page_key_is(t, ks, ke, "last_modified"))
                        slot = &out->last_modified;
                else
                        return 0;
                if (*slot || !(i = page_string(t, n, page_ws(t, n, i + 1), &vs, &ve)))
                        return 0;
                if (page_take(t, vs, ve, slot) < 0)
                        return (size_t)-1;
                i = page_ws(t, n, i);
                if (i < n && t[i] == ',') {
                        i = page_ws(t, n, i + 1);
                        continue;
                }
                return i < n && t[i] == '}' ? i + 1 : 0;
        }
}

/* An integer size (or null) at t[i]: i after it, 0 when not in the shape. */
static size_t page_size(const char *t, size_t n, size_t i, struct nereid_file *out)
{
        uint64_t v = 0;
        size_t digits = 0;

        if (n - i >= 4 && memcmp(t + i, "null", 4) == 0) {
                out->has_size = 0;
                return i + 4;
        }
        if (i < n && t[i] == '0') {
                i++;
                digits = 1;
        } else {
                /* Up to 18 digits: always within int64, as jansson reads it. */
                while (i < n && t[i] >= '0' && t[i] <= '9' && digits < 18) {
                        v = v * 10 + (uint64_t)(t[i] - '0');
                        i++;
                        digits++;
                }
        }
        if (!digits ||
            (i < n && ((t[i] >= '0' && t[i] <= '9') || t[i] == '.' || t[i] == 'e' || t[i] == 'E')))
                return 0;
        out->size = v;
        out->has_size = 1;
        return i;
}

int nrd_http_page_record_decode(const char *t, size_t n, struct nereid_file *out)
{
        unsigned seen = 0;
        size_t i, ks, ke, vs, ve;
        int rc = 0;

        memset(out, 0, sizeof(*out));
        i = page_ws(t, n, 0);
        if (i >= n || t[i] != '{')
                return 0;
        i = page_ws(t, n, i + 1);
        for (;;) {
                unsigned bit;
                char **slot = NULL;

                if (!(i = page_string(t, n, i, &ks, &ke)))
                        goto other;
                i = page_ws(t, n, i);
                if (i >= n || t[i] != ':')
                        goto other;
                i = page_ws(t, n, i + 1);
                if (page_key_is(t, ks, ke, "file_path"))
                        bit = 1, slot = &out->file_path;
                else if (page_key_is(t, ks, ke, "file_hash"))
                        bit = 2, slot = &out->file_hash;
                else if (page_key_is(t, ks, ke, "type"))
                        bit = 4, slot = &out->type;
                else if (page_key_is(t, ks, ke, "size"))
                        bit = 8;
                else if (page_key_is(t, ks, ke, "metadata"))
                        bit = 16;
                else
                        goto other;
                if (seen & bit)
                        goto other;
                seen |= bit;
                if (slot) {
                        if (!(i = page_string(t, n, i, &vs, &ve)))
                                goto other;
                        if ((rc = page_take(t, vs, ve, slot)) < 0)
                                goto other;
                } else if (bit == 8) {
                        if (!(i = page_size(t, n, i, out)))
                                goto other;
                } else {
                        if (!(i = page_metadata(t, n, i, out)))
                                goto other;
                        if (i == (size_t)-1) {
                                rc = NEREID_ERROR;
                                goto other;
                        }
                }
                i = page_ws(t, n, i);
                if (i < n && t[i] == ',') {
                        i = page_ws(t, n, i + 1);
                        continue;
                }
                if (i >= n || t[i] != '}')
                        goto other;
                break;
        }
        /* The three strings are required; nothing may follow the object. */
        if ((seen & 7) != 7 || page_ws(t, n, i + 1) != n)
                goto other;
        return 1;
other:
        nrd_file_clear(out);
        memset(out, 0, sizeof(*out));
        return rc < 0 ? rc : 0;
}

static int page_all_plain(const char *s)
{
        for (; *s; s++)
                if (!page_plain((unsigned char)*s))
                        return 0;
        return 1;
}

static void page_put_member(nereid_buf *buf, const char *key, const char *value, int comma)
{
        if (comma)
                nrd_buf_putc(buf, ',');
        nrd_buf_putc(buf, '"');
        nrd_buf_puts(buf, key);
        nrd_buf_puts(buf, "\":\"");
        nrd_buf_puts(buf, value);
        nrd_buf_putc(buf, '"');
}

int nrd_http_page_record_encode(nereid_buf *buf, const struct nereid_file *file)
{
        if (!file->file_path || !file->file_hash || !file->type ||
            (file->has_size && file->size > (uint64_t)INT64_MAX) ||
            !page_all_plain(file->file_path) || !page_all_plain(file->file_hash) ||
            !page_all_plain(file->type) || (file->source && !page_all_plain(file->source)) ||
            (file->last_modified && !page_all_plain(file->last_modified)))
                return nrd_json_record_append(buf, file); /* it says what is wrong */
        nrd_buf_putc(buf, '{');
        page_put_member(buf, "file_path", file->file_path, 0);
        page_put_member(buf, "file_hash", file->file_hash, 1);
        page_put_member(buf, "type", file->type, 1);
        if (file->has_size)
                nrd_buf_printf(buf, ",\"size\":%llu,\"metadata\":{",
                               (unsigned long long)file->size);
        else
                nrd_buf_puts(buf, ",\"size\":null,\"metadata\":{");
        if (file->source)
                page_put_member(buf, "file_path", file->source, 0);
        if (file->last_modified)
                page_put_member(buf, "last_modified", file->last_modified, file->source != NULL);
        nrd_buf_puts(buf, "}}");
        return buf->failed ? nrd_error_oom() : 0;
}
