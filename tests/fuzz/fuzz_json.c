/*
 * fuzz_json.c - libFuzzer target for the JSON records parsers: whatever
 * nrd_json_files_parse accepts must serialise, parse again, and serialise to
 * the same bytes (the canonical form of SPEC section 2 is a fixed point);
 * the streaming reader (nrd_json_files_read, through a pipe) must agree with
 * it on every input; and the record check (nrd_files_check) must hold on
 * whatever it accepts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "json.h"
#include "record.h"
#include "uri.h"

/* Small inputs fit the pipe's buffer: write them all, then read. */
#define FUZZ_PIPE_MAX 60000

/* nrd_json_files_read on data through a pipe; -2 when the pipe cannot be used. */
static int fuzz_stream(const uint8_t *data, size_t size, nereid_files **out)
{
        int fds[2], rc;

        *out = NULL;
        if (size > FUZZ_PIPE_MAX || pipe(fds) != 0)
                return -2;
        if (write(fds[1], data, size) != (ssize_t)size) {
                close(fds[0]);
                close(fds[1]);
                return -2;
        }
        close(fds[1]);
        rc = nrd_json_files_read(fds[0], "fuzz", out);
        close(fds[0]);
        return rc;
}

static void fuzz_check(const nereid_files *files)
{
        size_t i;

        if (nrd_files_check(files, "fuzz") != 0)
                return;
        for (i = 0; i < nereid_files_count(files); i++) {
                if (!nrd_uri_is_safe_relative(nereid_file_path(nereid_files_get(files, i))))
                        abort();
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        nereid_files *files = NULL, *again = NULL, *streamed = NULL;
        char *first = NULL, *second = NULL, *third = NULL;
        int parsed = nrd_json_files_parse((const char *)data, size, &files);
        int stream = fuzz_stream(data, size, &streamed);

        if (stream != -2 && (stream == 0) != (parsed == 0))
                abort();
        if (stream != 0 && streamed)
                abort();
        if (parsed != 0) {
                if (files)
                        abort();
                return 0;
        }
        fuzz_check(files);
        if (nereid_files_to_json(&first, files) != 0)
                abort();
        if (streamed && (nereid_files_to_json(&third, streamed) != 0 || strcmp(first, third) != 0))
                abort();
        if (nrd_json_files_parse(first, strlen(first), &again) != 0)
                abort();
        if (nereid_files_count(again) != nereid_files_count(files))
                abort();
        if (nereid_files_to_json(&second, again) != 0)
                abort();
        if (strcmp(first, second) != 0)
                abort();
        /* The single-record parser agrees with the list parser. */
        if (nereid_files_count(files) > 0) {
                nereid_buf buf = NEREID_BUF_INIT;
                struct nereid_file one;

                if (nrd_json_record_append(&buf, nereid_files_get(files, 0)) != 0)
                        abort();
                if (nrd_json_record_parse(buf.ptr, buf.len, &one) != 0)
                        abort();
                if (strcmp(one.file_path, nereid_files_get(files, 0)->file_path) != 0)
                        abort();
                nrd_file_clear(&one);
                nrd_buf_free(&buf);
        }
        free(first);
        free(second);
        free(third);
        nereid_files_free(files);
        nereid_files_free(again);
        nereid_files_free(streamed);
        return 0;
}
