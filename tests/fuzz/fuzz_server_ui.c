/*
 * fuzz_server_ui.c - libFuzzer target for route 19's cursor (server/ui.c):
 * the first byte picks the sort and order, the rest is the cursor text a
 * client sent. Whatever the input, the parser never crashes, a cursor it
 * accepts has a run number within int64 and a key with no NUL, and made
 * again from what was parsed, it parses to the same number and key.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        uint64_t number = 0, again_number = 0;
        char *text, *key = NULL, *again_key = NULL, *made;
        int sort, desc;

        if (!size)
                return 0;
        sort = data[0] % 5;
        desc = (data[0] / 5) & 1;
        if (!(text = malloc(size)))
                return 0;
        memcpy(text, data + 1, size - 1);
        text[size - 1] = '\0';
        if (srv_ui_cursor_parse(text, sort, desc, &number, &key) == 0) {
                if (number > INT64_MAX || !key)
                        abort();
                made = srv_ui_cursor_make(sort, desc, number, key);
                if (!made ||
                    srv_ui_cursor_parse(made, sort, desc, &again_number, &again_key) != 0 ||
                    again_number != number || strcmp(again_key, key) != 0)
                        abort();
                /* Another order never accepts it. */
                free(again_key);
                again_key = NULL;
                if (srv_ui_cursor_parse(made, sort, !desc, &again_number, &again_key) == 0)
                        abort();
                free(made);
        }
        free(again_key);
        free(key);
        free(text);
        return 0;
}
