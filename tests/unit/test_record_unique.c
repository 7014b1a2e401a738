/*
 * test_record_unique.c - nrd_files_first_duplicate, the check every gathering
 * of records makes before they reach the store (one record per file_path):
 * it finds a file_path that comes twice wherever it is in the sorted list,
 * compares whole paths (not prefixes), and finds nothing in a list of
 * unique paths, an empty list or a list of one.
 */
#include "check.h"
#include "records.h"

#define H "9e107d9d372bb6826bd81d3542a419d6"

static size_t first_duplicate_of(const char *const *paths, size_t n)
{
        nereid_files *files = nrd_files_new();
        size_t i, dup;

        CHECK(files != NULL);
        if (!files)
                return (size_t)-1;
        for (i = 0; i < n; i++)
                push(files, paths[i], H, 1);
        nrd_files_sort(files);
        dup = nrd_files_first_duplicate(files);
        if (dup > 0)
                CHECK(strcmp(files->items[dup].file_path, files->items[dup - 1].file_path) == 0);
        nereid_files_free(files);
        return dup;
}

int main(void)
{
        static const char *const unique[] = {"b", "a", "a/b", "ab", "a\\b", "b/a"};
        static const char *const first[] = {"x", "x", "y"};
        static const char *const last[] = {"c", "a", "b", "d/e", "d/e"};
        static const char *const middle[] = {"m/1", "k", "m/1", "z", "k2"};
        nereid_files *files = nrd_files_new();

        CHECK(first_duplicate_of(unique, 6) == 0);
        CHECK(first_duplicate_of(first, 3) == 1);
        CHECK(first_duplicate_of(last, 5) == 4);
        CHECK(first_duplicate_of(middle, 5) == 3);
        CHECK(first_duplicate_of(first, 1) == 0);
        CHECK(files != NULL);
        if (files) {
                CHECK(nrd_files_first_duplicate(files) == 0);
                nereid_files_free(files);
        }
        return CHECK_DONE();
}
