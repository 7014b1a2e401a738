/*
 * fuzz_token.c - libFuzzer target for the API token parser: every input,
 * as a NUL-terminated string, goes through nrd_token_server_url. Beyond
 * the sanitizers it checks token.h's promises: an accepted token starts
 * with "nrd_", its URL passes nrd_token_check_url, and a token made for
 * that URL names it again; a refused one leaves the output empty.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *text = malloc(size + 1);
        char url[NRD_TOKEN_URL_MAX + 1], again[NRD_TOKEN_URL_MAX + 1];
        char made[NRD_TOKEN_BUFSIZE], hex[NEREID_HASH_HEXLEN + 1];

        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = '\0';
        if (nrd_token_server_url(text, url) == 0) {
                if (strncmp(text, "nrd_", 4) != 0 || nrd_token_check_url(url) != 0)
                        abort();
                if (nrd_token_make(url, made) != 0 || nrd_token_server_url(made, again) != 0 ||
                    strcmp(url, again) != 0)
                        abort();
        } else if (url[0] != '\0') {
                abort();
        }
        if (nrd_token_check_url(text) == 0 && nrd_token_make(text, made) != 0)
                abort();
        if (nrd_token_hash(text, hex) != 0 || strlen(hex) != NEREID_HASH_HEXLEN)
                abort();
        free(text);
        return 0;
}
