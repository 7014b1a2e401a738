/*
 * fuzz_http_page.c - libFuzzer target for src/store/http_page.c, the fast
 * record codec of the HTTP API's pages, against jansson (json.c) as the
 * reference: whatever the fast decoder accepts, jansson must read as the
 * same record; whatever jansson reads, the fast encoder must write byte
 * for byte as nrd_json_record_append does. The one-pass scanner of a
 * page's records (nrd_http_page_record_scan) must read the same record as
 * the decoder wherever the decoder reads one, and whatever object it reads
 * at the start of the input must be what jansson reads of that object
 * alone. A difference aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "buf.h"
#include "json.h"
#include "record.h"
#include "store/http_page.h"
#include "../unit/same_records.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const char *text = (const char *)data;
        struct nereid_file fast, ref;
        nereid_buf a = NEREID_BUF_INIT, b = NEREID_BUF_INIT;
        int rf = nrd_http_page_record_decode(text, size, &fast);
        int rr = nrd_json_record_parse(text, size, &ref);

        if (rf < 0)
                abort(); /* no allocation fails here */
        if (rf == 1 && (rr != 0 || !same_file(&fast, &ref)))
                abort(); /* the fast path read what jansson reads otherwise */
        if (rr == 0) {
                int ea = nrd_http_page_record_encode(&a, &ref),
                    eb = nrd_json_record_append(&b, &ref);

                if (ea != eb || a.len != b.len || (a.len && memcmp(a.ptr, b.ptr, a.len) != 0))
                        abort(); /* the fast encoder writes jansson's bytes */
        }
        {
                nereid_buf scratch = NEREID_BUF_INIT;
                struct nereid_file scanned, alone;
                size_t end = 0, k;
                int rs = nrd_http_page_record_scan(text, size, &scratch, &scanned, &end);

                if (rs < 0)
                        abort();
                if (rf == 1 && (rs != 1 || !same_file(&scanned, &fast)))
                        abort(); /* the scanner reads what the decoder reads */
                if (rs == 1) {
                        if (end == 0 || end > size || text[end - 1] != '}')
                                abort(); /* it ends at the object's '}' */
                        if (nrd_json_record_parse(text, end, &alone) != 0 ||
                            !same_file(&scanned, &alone))
                                abort(); /* jansson reads the object alone the same */
                        nrd_file_clear(&alone);
                        for (k = end; k < size && strchr(" \t\r\n", text[k]) && text[k]; k++)
                                ;
                        if (k == size && rf != 1)
                                abort(); /* then the decoder reads it too */
                }
                nrd_buf_free(&scratch);
        }
        nrd_buf_free(&a);
        nrd_buf_free(&b);
        nrd_file_clear(&fast);
        nrd_file_clear(&ref);
        return 0;
}
