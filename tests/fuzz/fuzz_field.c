/*
 * fuzz_field.c - libFuzzer target for the name checks: field paths
 * (nrd_uri_check_field, nrd_uri_field_writable), run IDs, project keys and names.
 * Checks that the answers agree: a writable field is a valid one, and a
 * valid field that is not writable is sys or under sys/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "nereid.h"
#include "uri.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *text = malloc(size + 1);
        int valid, writable;

        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = '\0';

        valid = nrd_uri_check_field(text);
        writable = nrd_uri_field_writable(text);
        if (valid != 0 && valid != NEREID_EINVALID)
                abort();
        if (nereid_field_path_check(text) != valid)
                abort();
        if (writable == 0 && valid != 0)
                abort();
        if (valid == 0 && writable != 0 && strcmp(text, "sys") != 0 &&
            strncmp(text, "sys/", 4) != 0)
                abort();
        if (valid == 0 && (strlen(text) > 1024 || strstr(text, "//") || text[0] == '/'))
                abort();

        if (nrd_uri_check_run_id(text) == 0 && (!strchr(text, '-') || strchr(text, '/')))
                abort();
        (void)nrd_uri_check_project_key(text);
        if (nrd_uri_check_project_name(text) == 0 && !strchr(text, '/'))
                abort();
        free(text);
        return 0;
}
