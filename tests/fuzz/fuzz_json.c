/*
 * fuzz_json.c - libFuzzer target for the JSON records parser: whatever
 * json_files_parse accepts must serialise, parse again, and serialise to
 * the same bytes (the canonical form of SPEC section 2 is a fixed point).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        nereid_files *files = NULL, *again = NULL;
        char *first = NULL, *second = NULL;

        if (json_files_parse((const char *)data, size, &files) != 0) {
                if (files)
                        abort();
                return 0;
        }
        if (nereid_files_to_json(files, &first) != 0)
                abort();
        if (json_files_parse(first, strlen(first), &again) != 0)
                abort();
        if (nereid_files_count(again) != nereid_files_count(files))
                abort();
        if (nereid_files_to_json(again, &second) != 0)
                abort();
        if (strcmp(first, second) != 0)
                abort();
        /* The single-record parser agrees with the list parser. */
        if (nereid_files_count(files) > 0) {
                nereid_buf buf = NEREID_BUF_INIT;
                struct nereid_file one;

                if (json_record_append(&buf, nereid_files_get(files, 0)) != 0)
                        abort();
                if (json_record_parse(buf.ptr, buf.len, &one) != 0)
                        abort();
                if (strcmp(one.file_path, nereid_files_get(files, 0)->file_path) != 0)
                        abort();
                file_clear(&one);
                buf_free(&buf);
        }
        free(first);
        free(second);
        nereid_files_free(files);
        nereid_files_free(again);
        return 0;
}
