/*
 * record_check.c - the one check of file records that come from outside
 * (nereid import, nereid_run_import_files, and any later path that stores
 * records it did not make): a record that SPEC section 2 says cannot exist
 * is refused, naming it and why. Not a parser (json.c reads the JSON) and
 * not the download containment (download.c checks again what it writes).
 *
 * What a record must be:
 * - file_path: relative, '/' separated, no empty, "." or ".." segment;
 *   file_path values distinct within a list;
 * - type: the type of a source driver ("Local", "S3"), whose
 *   check_record judges file_hash and metadata.file_path (Local: an MD5
 *   and a file:// URL, local_location.c; S3: an ETag and s3://bucket/key,
 *   s3_location.c);
 * - size: null or 0 .. 2^63-1;
 * - metadata.last_modified, when present: "YYYY-MM-DD HH:MM:SS", a real
 *   date and time.
 * A metadata key may be absent (unknown), as in SPEC's third test vector.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "buf.h"
#include "error.h"
#include "record.h"
#include "source/source.h"
#include "uri.h"

/* How much of a file_path a message quotes. */
#define CHECK_QUOTE_MAX 120

static int check_digits(const char *s, size_t n, int *value)
{
        size_t i;

        *value = 0;
        for (i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return 0;
                *value = *value * 10 + (s[i] - '0');
        }
        return 1;
}

/* "YYYY-MM-DD HH:MM:SS", a date of the Gregorian calendar, year 0001-9999. */
static int check_timestamp(const char *s)
{
        static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        int y, mo, d, h, mi, sec, leap, max;

        if (strlen(s) != 19 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' ||
            s[16] != ':')
                return 0;
        if (!check_digits(s, 4, &y) || !check_digits(s + 5, 2, &mo) ||
            !check_digits(s + 8, 2, &d) || !check_digits(s + 11, 2, &h) ||
            !check_digits(s + 14, 2, &mi) || !check_digits(s + 17, 2, &sec))
                return 0;
        if (y < 1 || mo < 1 || mo > 12 || h > 23 || mi > 59 || sec > 59)
                return 0;
        leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        max = days[mo - 1] + (mo == 2 && leap);
        return d >= 1 && d <= max;
}

/* The where of a message: "<where> (\"file_path\")". */
static void check_where(char *out, size_t size, const char *where, const char *file_path)
{
        if (file_path)
                snprintf(out, size, "%s (\"%.*s%s\")", where, CHECK_QUOTE_MAX, file_path,
                         strlen(file_path) > CHECK_QUOTE_MAX ? "..." : "");
        else
                snprintf(out, size, "%s", where);
}

/* The checks, with at the where of any message. */
static int check_record(const struct nereid_file *f, const char *at)
{
        int rc;

        if (!f->file_path || !nrd_uri_is_safe_relative(f->file_path))
                return nrd_error(NEREID_EINVALID,
                                 "%s: file_path must be a relative path without empty, \".\" "
                                 "or \"..\" segments",
                                 at);
        if ((rc = nrd_source_check_record(f, at)) < 0)
                return rc;
        if (f->has_size && f->size > (uint64_t)INT64_MAX)
                return nrd_error(NEREID_EINVALID, "%s: size is too large", at);
        if (f->last_modified && !check_timestamp(f->last_modified))
                return nrd_error(NEREID_EINVALID,
                                 "%s: metadata.last_modified \"%.40s\" is not a UTC time "
                                 "\"YYYY-MM-DD HH:MM:SS\"",
                                 at, f->last_modified);
        return 0;
}

int nrd_file_check(const struct nereid_file *f, const char *where)
{
        char at[512];

        /* The where naming the record is only written for a record that
         * fails (listings check every record they read): the checks run
         * again with it, to say why. */
        if (check_record(f, where) == 0)
                return 0;
        check_where(at, sizeof(at), where, f->file_path);
        return check_record(f, at);
}

/* Records by file_path, then by place in the list (the pointers point into
 * one array): a duplicate comes right after its first occurrence. */
static int check_compare(const void *a, const void *b)
{
        const struct nereid_file *fa = *(const struct nereid_file *const *)a;
        const struct nereid_file *fb = *(const struct nereid_file *const *)b;
        int cmp = strcmp(fa->file_path, fb->file_path);

        if (cmp)
                return cmp;
        return fa < fb ? -1 : fa > fb;
}

int nrd_files_check(const nereid_files *files, const char *label)
{
        const struct nereid_file **order = NULL;
        size_t i, n, bad = SIZE_MAX, dup = SIZE_MAX, first = 0;
        char where[160], at[512];

        for (i = 0; i < files->count && bad == SIZE_MAX; i++) {
                snprintf(where, sizeof(where), "%s: record %zu", label, i + 1);
                if (nrd_file_check(&files->items[i], where) < 0)
                        bad = i;
        }
        /* A duplicate among the records before the first bad one comes first. */
        n = bad == SIZE_MAX ? files->count : bad;
        if (n > 1) {
                if (!(order = nrd_calloc(n, sizeof(*order))))
                        return NEREID_ERROR;
                for (i = 0; i < n; i++)
                        order[i] = &files->items[i];
                qsort(order, n, sizeof(*order), check_compare);
                for (i = 1; i < n; i++) {
                        size_t later = (size_t)(order[i] - files->items);

                        if (strcmp(order[i - 1]->file_path, order[i]->file_path) == 0 &&
                            later < dup) {
                                dup = later;
                                first = (size_t)(order[i - 1] - files->items);
                        }
                }
                free(order);
        }
        if (dup != SIZE_MAX) {
                snprintf(where, sizeof(where), "%s: record %zu", label, dup + 1);
                check_where(at, sizeof(at), where, files->items[dup].file_path);
                return nrd_error(NEREID_EINVALID,
                                 "%s: file_path appears twice (first in record %zu)", at,
                                 first + 1);
        }
        return bad != SIZE_MAX ? NEREID_EINVALID : 0; /* nrd_file_check said why */
}
