/*
 * fuzz_ref.c - libFuzzer target for RUN:FIELD references: nrd_uri_parse_ref in
 * both modes (run required or optional). On success the parts must be a
 * valid run ID and field that put back together give the input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "uri.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *text = malloc(size + 1);
        int require_run;

        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = '\0';

        for (require_run = 0; require_run <= 1; require_run++) {
                char *run = NULL, *field = NULL;

                if (nrd_uri_parse_ref(text, require_run, &run, &field) == 0) {
                        if (!field || nrd_uri_check_field(field) != 0)
                                abort();
                        if (run) {
                                size_t run_len = strlen(run);

                                if (nrd_uri_check_run_id(run) != 0 ||
                                    strncmp(text, run, run_len) != 0 || text[run_len] != ':' ||
                                    strcmp(text + run_len + 1, field) != 0)
                                        abort();
                        } else if (require_run || strcmp(text, field) != 0) {
                                abort();
                        }
                } else if (run || field) {
                        abort();
                }
                free(run);
                free(field);
        }
        free(text);
        return 0;
}
