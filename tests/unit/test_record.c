/*
 * test_record.c - lists of file records: push (taking ownership) and push
 * of a copy, the bytewise sort and lookup, the union of SPEC section 4
 * that leaves its inputs alone, the public accessors, and the comparison
 * of two lists (nereid_diff_files) that ignores metadata.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "records.h"
#include "error.h"
#include "nereid.h"
#include "record.h"

#define MD5_A "9e107d9d372bb6826bd81d3542a419d6"
#define MD5_B "d41d8cd98f00b204e9800998ecf8427e"
#define MD5_C "2f249230a8e7c2bf6005ccd2679259ec"

/* The paths of a list joined by ',' (into a static buffer). */
static const char *paths(const nereid_files *files)
{
        static char out[4096];
        size_t i, n = 0;

        out[0] = '\0';
        for (i = 0; i < nereid_files_count(files); i++) {
                const char *p = nereid_file_path(nereid_files_get(files, i));

                n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s", i ? "," : "", p);
                if (n >= sizeof(out))
                        break;
        }
        return out;
}

static void test_push_sort_find(void)
{
        nereid_files *files = nrd_files_new();
        struct nereid_file f, copy;
        const struct nereid_file *found;
        size_t i;

        CHECK(files != NULL);
        if (!files)
                return;
        CHECK(nereid_files_count(files) == 0);
        CHECK(nrd_files_find(files, "a") == NULL);
        nrd_files_sort(files);

        /* nrd_files_push takes the strings and clears the record. */
        f = make("\xC3\xA9", MD5_A, 1); /* "é" */
        CHECK(nrd_files_push(files, &f) == 0);
        CHECK(f.file_path == NULL && f.file_hash == NULL && f.type == NULL && f.source == NULL &&
              f.last_modified == NULL && f.size == 0 && f.has_size == 0);
        push(files, "a", MD5_B, 2);
        push(files, "B", MD5_C, 3);

        /* nrd_files_push_copy copies: the original stays with the caller. */
        copy = make("a/b", MD5_A, 4);
        CHECK(nrd_files_push_copy(files, &copy) == 0);
        CHECK_STR(copy.file_path, "a/b");
        found = nereid_files_get(files, 3);
        CHECK(found != NULL && found->file_path != copy.file_path && found->source != copy.source &&
              found->last_modified != copy.last_modified);
        nrd_file_clear(&copy);
        CHECK(copy.file_path == NULL && copy.source == NULL);
        /* Optional strings may be absent, and stay so in the copy. */
        copy = make("a0", MD5_B, 0);
        free(copy.source);
        free(copy.last_modified);
        copy.source = copy.last_modified = NULL;
        copy.has_size = 0;
        CHECK(nrd_files_push_copy(files, &copy) == 0);
        nrd_file_clear(&copy);
        CHECK(nereid_files_count(files) == 5);

        /* Bytewise: uppercase before lowercase before multi-byte UTF-8; a
         * '/' (0x2F) sorts before '0' (0x30). */
        nrd_files_sort(files);
        CHECK_STR(paths(files), "B,a,a/b,a0,\xC3\xA9");
        for (i = 0; i < nereid_files_count(files); i++)
                CHECK(nrd_files_find(files, nereid_file_path(nereid_files_get(files, i))) ==
                      nereid_files_get(files, i));
        found = nrd_files_find(files, "a");
        CHECK(found != NULL && strcmp(found->file_hash, MD5_B) == 0 && found->size == 2);
        found = nrd_files_find(files, "\xC3\xA9");
        CHECK(found != NULL && strcmp(found->file_hash, MD5_A) == 0);
        found = nrd_files_find(files, "a0");
        CHECK(found != NULL && found->source == NULL && found->last_modified == NULL &&
              !found->has_size);
        CHECK(nrd_files_find(files, "b") == NULL);
        CHECK(nrd_files_find(files, "A") == NULL);
        CHECK(nrd_files_find(files, "") == NULL);
        CHECK(nrd_files_find(files, "\xC3\xA9x") == NULL);
        CHECK(nrd_files_find(files, "zzz") == NULL);

        /* Growth past the first allocation keeps every record. */
        for (i = 0; i < 300; i++) {
                char name[32];

                snprintf(name, sizeof(name), "many/%03zu", 299 - i);
                push(files, name, MD5_C, i);
        }
        nrd_files_sort(files);
        CHECK(nereid_files_count(files) == 305);
        found = nrd_files_find(files, "many/000");
        CHECK(found != NULL && found->size == 299);
        found = nrd_files_find(files, "many/299");
        CHECK(found != NULL && found->size == 0);
        CHECK_STR(nereid_file_path(nereid_files_get(files, 3)), "a0");
        CHECK_STR(nereid_file_path(nereid_files_get(files, 4)), "many/000");
        CHECK_STR(nereid_file_path(nereid_files_get(files, 304)), "\xC3\xA9");
        nereid_files_free(files);
        nereid_files_free(NULL);
}

static void test_merge(void)
{
        nereid_files *older = nrd_files_new(), *newer = nrd_files_new(), *empty = nrd_files_new();
        nereid_files *merged = NULL;
        const nereid_file *f;

        CHECK(older && newer && empty);
        if (!older || !newer || !empty)
                goto cleanup;
        push(older, "a", MD5_A, 1);
        push(older, "b", MD5_A, 1);
        push(newer, "b", MD5_B, 2);
        push(newer, "c", MD5_B, 2);

        CHECK(nrd_files_merge(older, newer, &merged) == 0);
        CHECK_STR(paths(merged), "a,b,c");
        f = nereid_files_get(merged, 0);
        CHECK(f && strcmp(f->file_hash, MD5_A) == 0 && f->size == 1);
        f = nereid_files_get(merged, 1);
        CHECK(f && strcmp(f->file_hash, MD5_B) == 0 && f->size == 2);
        f = nereid_files_get(merged, 2);
        CHECK(f && strcmp(f->file_hash, MD5_B) == 0 && f->size == 2);
        /* Deep copies: the inputs still own theirs, unchanged. */
        CHECK(f && f->file_path != nereid_files_get(newer, 1)->file_path);
        CHECK_STR(paths(older), "a,b");
        CHECK_STR(paths(newer), "b,c");
        CHECK_STR(nereid_files_get(older, 1)->file_hash, MD5_A);
        CHECK(nereid_files_get(older, 1)->size == 1);
        nereid_files_free(merged);
        merged = NULL;

        /* The other way round, older wins nothing it shares. */
        CHECK(nrd_files_merge(newer, older, &merged) == 0);
        CHECK_STR(paths(merged), "a,b,c");
        f = nereid_files_get(merged, 1);
        CHECK(f && strcmp(f->file_hash, MD5_A) == 0);
        nereid_files_free(merged);
        merged = NULL;

        /* Interleaved paths, including a prefix and bytes above 0x7F. */
        push(older, "\xC3\xA9", MD5_C, 9);
        push(newer, "bb", MD5_C, 5);
        push(newer, "\xC3\xA9", MD5_A, 7);
        nrd_files_sort(older);
        nrd_files_sort(newer);
        CHECK(nrd_files_merge(older, newer, &merged) == 0);
        CHECK_STR(paths(merged), "a,b,bb,c,\xC3\xA9");
        f = nereid_files_get(merged, 4);
        CHECK(f && f->size == 7);
        nereid_files_free(merged);
        merged = NULL;

        /* With an empty list on either side: a copy of the other. */
        CHECK(nrd_files_merge(older, empty, &merged) == 0);
        CHECK_STR(paths(merged), paths(older));
        CHECK(nereid_files_count(merged) == 3);
        nereid_files_free(merged);
        merged = NULL;
        CHECK(nrd_files_merge(empty, newer, &merged) == 0);
        CHECK_STR(paths(merged), "b,bb,c,\xC3\xA9");
        CHECK_STR(nereid_files_get(merged, 3)->file_hash, MD5_A);
        nereid_files_free(merged);
        merged = NULL;
        CHECK(nrd_files_merge(empty, empty, &merged) == 0);
        CHECK(merged != NULL && nereid_files_count(merged) == 0);
cleanup:
        nereid_files_free(merged);
        nereid_files_free(older);
        nereid_files_free(newer);
        nereid_files_free(empty);
}

static void test_accessors(void)
{
        nereid_files *files = nrd_files_new();
        struct nereid_file f;
        const nereid_file *got;

        CHECK(files != NULL);
        if (!files)
                return;
        CHECK(nereid_files_count(NULL) == 0);
        CHECK(nereid_files_get(NULL, 0) == NULL);
        CHECK(nereid_files_get(files, 0) == NULL);

        push(files, "train/sample.csv", MD5_A, 43);
        f = make("s3/key", "0123456789abcdef0123456789abcdef-2", 0);
        free(f.type);
        f.type = xdup("S3");
        f.size = 12345; /* not to be shown: the size is null */
        f.has_size = 0;
        free(f.source);
        free(f.last_modified);
        f.source = f.last_modified = NULL;
        CHECK(nrd_files_push(files, &f) == 0);

        CHECK(nereid_files_count(files) == 2);
        CHECK(nereid_files_get(files, 2) == NULL);
        CHECK(nereid_files_get(files, (size_t)-1) == NULL);
        got = nereid_files_get(files, 0);
        CHECK(got != NULL);
        if (got) {
                CHECK_STR(nereid_file_path(got), "train/sample.csv");
                CHECK_STR(nereid_file_hash(got), MD5_A);
                CHECK_STR(nereid_file_type(got), "Local");
                CHECK(nereid_file_has_size(got) == 1);
                CHECK(nereid_file_size(got) == 43);
                CHECK_STR(nereid_file_source(got), "file:///x/train/sample.csv");
                CHECK_STR(nereid_file_last_modified(got), "2022-09-30 10:50:40");
        }
        got = nereid_files_get(files, 1);
        CHECK(got != NULL);
        if (got) {
                CHECK_STR(nereid_file_path(got), "s3/key");
                CHECK_STR(nereid_file_hash(got), "0123456789abcdef0123456789abcdef-2");
                CHECK_STR(nereid_file_type(got), "S3");
                CHECK(nereid_file_has_size(got) == 0);
                CHECK(nereid_file_size(got) == 0);
                CHECK(nereid_file_source(got) == NULL);
                CHECK(nereid_file_last_modified(got) == NULL);
        }
        nereid_files_free(files);
}

/* The kinds of a diff as "K:path" joined by ',' (K is A, R or C). */
static const char *changes(const nereid_diff *diff)
{
        static char out[4096];
        size_t i, n = 0;

        out[0] = '\0';
        for (i = 0; i < nereid_diff_count(diff); i++) {
                const char *path = NULL;
                int kind = nereid_diff_get(&path, diff, i);
                char k = kind == NEREID_CHANGE_ADDED     ? 'A'
                         : kind == NEREID_CHANGE_REMOVED ? 'R'
                         : kind == NEREID_CHANGE_CHANGED ? 'C'
                                                         : '?';

                n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%c:%s", i ? "," : "", k,
                                      path ? path : "(null)");
                if (n >= sizeof(out))
                        break;
        }
        return out;
}

/* Diff of a one-record list against a copy changed by tweak. */
static const char *diff_one(void (*tweak)(struct nereid_file *))
{
        nereid_files *a = nrd_files_new(), *b = nrd_files_new();
        nereid_diff *diff = NULL;
        struct nereid_file f = make("p", MD5_A, 10);
        const char *result = "(failed)";

        if (!a || !b)
                goto cleanup;
        CHECK(nrd_files_push_copy(a, &f) == 0);
        tweak(&f);
        CHECK(nrd_files_push(b, &f) == 0);
        CHECK(nereid_diff_files(&diff, a, b) == 0);
        if (diff)
                result = changes(diff);
cleanup:
        nrd_file_clear(&f);
        nereid_diff_free(diff);
        nereid_files_free(a);
        nereid_files_free(b);
        return result;
}

static void tweak_source(struct nereid_file *f)
{
        free(f->source);
        f->source = xdup("s3://bucket/elsewhere/p");
}

static void tweak_no_metadata(struct nereid_file *f)
{
        free(f->source);
        free(f->last_modified);
        f->source = f->last_modified = NULL;
}

static void tweak_time(struct nereid_file *f)
{
        free(f->last_modified);
        f->last_modified = xdup("2030-01-01 00:00:00");
}

static void tweak_hash(struct nereid_file *f)
{
        free(f->file_hash);
        f->file_hash = xdup(MD5_B);
}

static void tweak_size(struct nereid_file *f)
{
        f->size = 11;
}

static void tweak_has_size(struct nereid_file *f)
{
        f->has_size = 0;
}

static void tweak_type(struct nereid_file *f)
{
        free(f->type);
        f->type = xdup("S3");
}

static void tweak_nothing(struct nereid_file *f)
{
        (void)f;
}

static void test_diff(void)
{
        nereid_files *old_files = nrd_files_new(), *new_files = nrd_files_new(),
                     *empty = nrd_files_new();
        nereid_diff *diff = NULL;
        const char *path = (const char *)&path;

        CHECK(old_files && new_files && empty);
        if (!old_files || !new_files || !empty)
                goto cleanup;
        /* Metadata is not data: another source or time is no change. */
        CHECK_STR(diff_one(tweak_nothing), "");
        CHECK_STR(diff_one(tweak_source), "");
        CHECK_STR(diff_one(tweak_time), "");
        CHECK_STR(diff_one(tweak_no_metadata), "");
        /* The content is. */
        CHECK_STR(diff_one(tweak_hash), "C:p");
        CHECK_STR(diff_one(tweak_size), "C:p");
        CHECK_STR(diff_one(tweak_has_size), "C:p");
        CHECK_STR(diff_one(tweak_type), "C:p");

        push(old_files, "a", MD5_A, 1);
        push(old_files, "b", MD5_A, 1);
        push(old_files, "d", MD5_A, 1);
        push(old_files, "e", MD5_A, 1);
        push(new_files, "b", MD5_B, 1);
        push(new_files, "c", MD5_A, 1);
        push(new_files, "d", MD5_A, 1);
        push(new_files, "f", MD5_A, 1);
        CHECK(nereid_diff_files(&diff, old_files, new_files) == 0);
        CHECK_STR(changes(diff), "R:a,C:b,A:c,R:e,A:f");
        CHECK(nereid_diff_count(diff) == 5);
        CHECK(nereid_diff_get(&path, diff, 5) == 0);
        CHECK(nereid_diff_get(&path, diff, (size_t)-1) == 0);
        nereid_diff_free(diff);
        diff = NULL;

        /* Swapped: added and removed swap too. */
        CHECK(nereid_diff_files(&diff, new_files, old_files) == 0);
        CHECK_STR(changes(diff), "A:a,C:b,R:c,A:e,R:f");
        nereid_diff_free(diff);
        diff = NULL;

        /* The same list: nothing. */
        CHECK(nereid_diff_files(&diff, old_files, old_files) == 0);
        CHECK(diff != NULL && nereid_diff_count(diff) == 0);
        CHECK(nereid_diff_get(&path, diff, 0) == 0);
        nereid_diff_free(diff);
        diff = NULL;

        /* Against nothing: everything added, or everything removed. */
        CHECK(nereid_diff_files(&diff, empty, new_files) == 0);
        CHECK_STR(changes(diff), "A:b,A:c,A:d,A:f");
        nereid_diff_free(diff);
        diff = NULL;
        CHECK(nereid_diff_files(&diff, old_files, empty) == 0);
        CHECK_STR(changes(diff), "R:a,R:b,R:d,R:e");
        nereid_diff_free(diff);
        diff = NULL;
        CHECK(nereid_diff_files(&diff, empty, empty) == 0);
        CHECK(nereid_diff_count(diff) == 0);

        CHECK(nereid_diff_count(NULL) == 0);
        CHECK(nereid_diff_get(&path, NULL, 0) == 0);
        nereid_diff_free(NULL);
cleanup:
        nereid_diff_free(diff);
        nereid_files_free(old_files);
        nereid_files_free(new_files);
        nereid_files_free(empty);
}

int main(void)
{
        test_push_sort_find();
        test_merge();
        test_accessors();
        test_diff();
        return CHECK_DONE();
}
