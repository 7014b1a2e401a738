/*
 * fuzz_s3xml.c - libFuzzer target for src/source/s3_xml.c: the input is
 * fed to the ListObjectsV2 parser in two chunks (the first byte chooses
 * where it is cut, as a network would), then parsed as an <Error> body,
 * and every key and time handed out is read through.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "source/s3_xml.h"

static int fuzz_object(void *payload, const s3_xml_object *object)
{
        char out[20];
        size_t *total = payload;

        *total += strlen(object->key) + strlen(object->etag);
        nrd_s3_xml_time_to_utc(object->last_modified, out);
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char code[64], message[256], out[20], *text;
        size_t total = 0, cut;
        s3_xml_list *list;

        if (size == 0)
                return 0;
        cut = size > 1 ? data[0] % size : 0;
        data++;
        size--;
        if (cut > size)
                cut = size;
        list = nrd_s3_xml_list_new(fuzz_object, &total);
        if (list) {
                if (nrd_s3_xml_list_feed(list, (const char *)data, cut, 0) == 0 &&
                    nrd_s3_xml_list_feed(list, (const char *)data + cut, size - cut, 1) == 0) {
                        const char *token = nrd_s3_xml_list_next_token(list);

                        total += token ? strlen(token) : 0;
                        total += (size_t)nrd_s3_xml_list_truncated(list);
                }
                nrd_s3_xml_list_free(list);
        }
        nrd_s3_xml_error((const char *)data, size, code, sizeof(code), message, sizeof(message));
        text = malloc(size + 1);
        if (text) {
                memcpy(text, data, size);
                text[size] = '\0';
                nrd_s3_xml_time_to_utc(text, out);
                free(text);
        }
        return 0;
}
