/*
 * same_records.h - whether two file records, or two lists of them, are the
 * same, metadata included (a NULL string equals only NULL). Shared by the
 * unit tests and fuzz targets that compare what two codecs or two stores
 * give back. Not a library function: the library never needs to ask.
 */
#ifndef NEREID_TEST_SAME_RECORDS_H
#define NEREID_TEST_SAME_RECORDS_H

#include <string.h>
#include "record.h"

static inline int same_str(const char *a, const char *b)
{
        return a == b || (a && b && strcmp(a, b) == 0);
}

static inline int same_file(const struct nereid_file *a, const struct nereid_file *b)
{
        return same_str(a->file_path, b->file_path) && same_str(a->file_hash, b->file_hash) &&
               same_str(a->type, b->type) && a->has_size == b->has_size &&
               (!a->has_size || a->size == b->size) && same_str(a->source, b->source) &&
               same_str(a->last_modified, b->last_modified);
}

static inline int same_records(const nereid_files *a, const nereid_files *b)
{
        if (!a || !b || a->count != b->count)
                return 0;
        for (size_t i = 0; i < a->count; i++)
                if (!same_file(&a->items[i], &b->items[i]))
                        return 0;
        return 1;
}

#endif
