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

static size_t page_ws(const char *t, size_t n, size_t i)
{
        while (i < n && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r'))
                i++;
        return i;
}

/* A plain string at t[i] ('"'): its body in [*start, *end), i after it; 0
 * when it is not plain. The closing quote is found with memchr and the
 * body then checked in one branch-free loop (the compiler vectorises it):
 * a listing's strings are most of its bytes. */
static size_t page_string(const char *t, size_t n, size_t i, size_t *start, size_t *end)
{
        const char *q;
        unsigned bad = 0;
        size_t k, e;

        if (i >= n || t[i] != '"')
                return 0;
        *start = ++i;
        if (!(q = memchr(t + i, '"', n - i)))
                return 0;
        e = (size_t)(q - t);
        for (k = i; k < e; k++) {
                unsigned char c = (unsigned char)t[k];

                bad |= (unsigned)(c < 0x20) | (unsigned)(c >= 0x7f) | (unsigned)(c == '\\');
        }
        if (bad)
                return 0;
        *end = e;
        return e + 1;
}

/* Where the strings of a record of the common shape are in its text: the
 * bodies [start, end) of file_path, file_hash, type, metadata.file_path
 * and metadata.last_modified (start == 0: absent; a body never starts at
 * byte 0, which is the object's '{'), and its size. */
enum { PAGE_PATH, PAGE_HASH, PAGE_TYPE, PAGE_SOURCE, PAGE_MODIFIED, PAGE_STRINGS };

struct page_spans {
        size_t start[PAGE_STRINGS], end[PAGE_STRINGS];
        uint64_t size;
        int has_size;
};

static int page_key_is(const char *t, size_t start, size_t end, const char *key, size_t len)
{
        return end - start == len && memcmp(t + start, key, len) == 0;
}

/* A plain string value at t[i] into span k (which must be unset): i
 * after it, 0 when not in the shape. */
static size_t page_value(const char *t, size_t n, size_t i, struct page_spans *sp, int k)
{
        if (sp->start[k])
                return 0;
        return page_string(t, n, i, &sp->start[k], &sp->end[k]);
}

/* The metadata object at t[i]: i after it, 0 when not in the common shape. */
static size_t page_metadata(const char *t, size_t n, size_t i, struct page_spans *sp)
{
        size_t ks, ke;
        int k;

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
                if (page_key_is(t, ks, ke, "file_path", 9))
                        k = PAGE_SOURCE;
                else if (page_key_is(t, ks, ke, "last_modified", 13))
                        k = PAGE_MODIFIED;
                else
                        return 0;
                if (!(i = page_value(t, n, page_ws(t, n, i + 1), sp, k)))
                        return 0;
                i = page_ws(t, n, i);
                if (i < n && t[i] == ',') {
                        i = page_ws(t, n, i + 1);
                        continue;
                }
                return i < n && t[i] == '}' ? i + 1 : 0;
        }
}

/* An integer size (or null) at t[i]: i after it, 0 when not in the shape. */
static size_t page_size(const char *t, size_t n, size_t i, struct page_spans *sp)
{
        uint64_t v = 0;
        size_t digits = 0;

        if (n - i >= 4 && memcmp(t + i, "null", 4) == 0) {
                sp->has_size = 0;
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
        sp->size = v;
        sp->has_size = 1;
        return i;
}

/* The record object at the start of t[0..n) (after whitespace), in one
 * pass: the offset just past its '}', 0 when it is not of the common
 * shape. What follows the object is not looked at. */
static size_t page_scan(const char *t, size_t n, struct page_spans *sp)
{
        unsigned seen = 0;
        size_t i, ks, ke;

        memset(sp, 0, sizeof(*sp));
        i = page_ws(t, n, 0);
        if (i >= n || t[i] != '{')
                return 0;
        i = page_ws(t, n, i + 1);
        for (;;) {
                unsigned bit;

                if (!(i = page_string(t, n, i, &ks, &ke)))
                        return 0;
                i = page_ws(t, n, i);
                if (i >= n || t[i] != ':')
                        return 0;
                i = page_ws(t, n, i + 1);
                if (page_key_is(t, ks, ke, "file_path", 9)) {
                        bit = 1;
                        i = page_value(t, n, i, sp, PAGE_PATH);
                } else if (page_key_is(t, ks, ke, "file_hash", 9)) {
                        bit = 2;
                        i = page_value(t, n, i, sp, PAGE_HASH);
                } else if (page_key_is(t, ks, ke, "type", 4)) {
                        bit = 4;
                        i = page_value(t, n, i, sp, PAGE_TYPE);
                } else if (page_key_is(t, ks, ke, "size", 4)) {
                        bit = 8;
                        i = seen & bit ? 0 : page_size(t, n, i, sp);
                } else if (page_key_is(t, ks, ke, "metadata", 8)) {
                        bit = 16;
                        i = seen & bit ? 0 : page_metadata(t, n, i, sp);
                } else {
                        return 0;
                }
                if (!i)
                        return 0;
                seen |= bit;
                i = page_ws(t, n, i);
                if (i < n && t[i] == ',') {
                        i = page_ws(t, n, i + 1);
                        continue;
                }
                if (i >= n || t[i] != '}')
                        return 0;
                break;
        }
        /* The three strings are required. */
        return (seen & 7) == 7 ? i + 1 : 0;
}

/* out's strings from the spans, each copied with its NUL to *dst. */
static void page_fill(const char *t, const struct page_spans *sp, char *dst,
                      struct nereid_file *out)
{
        char **slots[PAGE_STRINGS] = {&out->file_path, &out->file_hash, &out->type, &out->source,
                                      &out->last_modified};
        int k;

        for (k = 0; k < PAGE_STRINGS; k++) {
                size_t len = sp->end[k] - sp->start[k];

                if (!sp->start[k])
                        continue;
                memcpy(dst, t + sp->start[k], len);
                dst[len] = '\0';
                *slots[k] = dst;
                dst += len + 1;
        }
        out->size = sp->size;
        out->has_size = sp->has_size;
}

/* The bytes page_fill writes. */
static size_t page_fill_size(const struct page_spans *sp)
{
        size_t total = 0;
        int k;

        for (k = 0; k < PAGE_STRINGS; k++)
                if (sp->start[k])
                        total += sp->end[k] - sp->start[k] + 1;
        return total;
}

int nrd_http_page_record_decode(const char *t, size_t n, struct nereid_file *out)
{
        char **slots[PAGE_STRINGS] = {&out->file_path, &out->file_hash, &out->type, &out->source,
                                      &out->last_modified};
        struct page_spans sp;
        size_t end = page_scan(t, n, &sp);
        int k;

        memset(out, 0, sizeof(*out));
        /* Nothing may follow the object. */
        if (!end || page_ws(t, n, end) != n)
                return 0;
        for (k = 0; k < PAGE_STRINGS; k++) {
                if (sp.start[k] &&
                    !(*slots[k] = nrd_strndup(t + sp.start[k], sp.end[k] - sp.start[k]))) {
                        nrd_file_clear(out);
                        memset(out, 0, sizeof(*out));
                        return NEREID_ERROR;
                }
        }
        out->size = sp.size;
        out->has_size = sp.has_size;
        return 1;
}

int nrd_http_page_record_scan(const char *t, size_t n, nereid_buf *scratch, struct nereid_file *out,
                              size_t *end)
{
        struct page_spans sp;
        size_t at = page_scan(t, n, &sp), need;

        memset(out, 0, sizeof(*out));
        if (!at)
                return 0;
        need = page_fill_size(&sp);
        nrd_buf_clear(scratch);
        if (nrd_buf_grow(scratch, need) < 0)
                return NEREID_ERROR;
        page_fill(t, &sp, scratch->ptr, out);
        *end = at;
        return 1;
}

/* strlen(s) when every byte of s is plain, else (size_t)-1. The check is
 * one branch-free loop over the length strlen found. */
static size_t page_plain_len(const char *s)
{
        size_t n = strlen(s), k;
        unsigned bad = 0;

        for (k = 0; k < n; k++) {
                unsigned char c = (unsigned char)s[k];

                bad |= (unsigned)(c < 0x20) | (unsigned)(c >= 0x7f) | (unsigned)(c == '"') |
                       (unsigned)(c == '\\');
        }
        return bad ? (size_t)-1 : n;
}

static char *page_put(char *p, const char *s, size_t n)
{
        memcpy(p, s, n);
        return p + n;
}

/* "key":"value" at p (keys are literals: sizeof - 1 is their length). */
#define PAGE_MEMBER(p, key, value, len)                                                            \
        ((p) = page_put(                                                                           \
             page_put(page_put((p), "\"" key "\":\"", sizeof(key) + 3), (value), (len)), "\"", 1))

int nrd_http_page_record_encode(nereid_buf *buf, const struct nereid_file *file)
{
        size_t lp, lh, lt, ls = 0, lm = 0, need;
        char digits[24], *d = digits + sizeof(digits), *p;
        uint64_t v = file->size;

        if (!file->file_path || !file->file_hash || !file->type ||
            (file->has_size && file->size > (uint64_t)INT64_MAX) ||
            (lp = page_plain_len(file->file_path)) == (size_t)-1 ||
            (lh = page_plain_len(file->file_hash)) == (size_t)-1 ||
            (lt = page_plain_len(file->type)) == (size_t)-1 ||
            (file->source && (ls = page_plain_len(file->source)) == (size_t)-1) ||
            (file->last_modified && (lm = page_plain_len(file->last_modified)) == (size_t)-1))
                return nrd_json_record_append(buf, file); /* it says what is wrong */
        if (file->has_size) {
                do {
                        *--d = (char)('0' + v % 10);
                        v /= 10;
                } while (v);
        } else {
                d -= 4;
                memcpy(d, "null", 4);
        }
        /* Every literal byte of the record, at most, and the values. */
        need = 96 + lp + lh + lt + ls + lm + (size_t)(digits + sizeof(digits) - d);
        if (nrd_buf_grow(buf, need) < 0)
                return NEREID_ERROR;
        p = buf->ptr + buf->len;
        *p++ = '{';
        PAGE_MEMBER(p, "file_path", file->file_path, lp);
        *p++ = ',';
        PAGE_MEMBER(p, "file_hash", file->file_hash, lh);
        *p++ = ',';
        PAGE_MEMBER(p, "type", file->type, lt);
        p = page_put(p, ",\"size\":", 8);
        p = page_put(p, d, (size_t)(digits + sizeof(digits) - d));
        p = page_put(p, ",\"metadata\":{", 13);
        if (file->source)
                PAGE_MEMBER(p, "file_path", file->source, ls);
        if (file->last_modified) {
                if (file->source)
                        *p++ = ',';
                PAGE_MEMBER(p, "last_modified", file->last_modified, lm);
        }
        *p++ = '}';
        *p++ = '}';
        buf->len = (size_t)(p - buf->ptr);
        *p = '\0';
        return 0;
}
