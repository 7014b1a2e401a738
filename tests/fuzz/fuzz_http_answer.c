/*
 * fuzz_http_answer.c - libFuzzer target for src/store/http_json.c, the
 * reader of a nereid-server's answers: the input is parsed as an answer
 * body and handed to every reader (project, run, fields, roots, records,
 * references, cursor) and to the page reader that walks the text record
 * by record, and as an error body under a status its first byte
 * picks. A hostile server must get an error, never a crash or a leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "store/http_json.h"

static int fuzz_file(void *payload, const struct nereid_file *file)
{
        size_t *total = payload;

        *total += strlen(file->file_path);
        return 0;
}

static int fuzz_field(void *payload, const char *field, const char *hash)
{
        size_t *total = payload;

        *total += strlen(field) + strlen(hash);
        return 0;
}

static int fuzz_ref(void *payload, const char *run, const char *field, const char *path)
{
        size_t *total = payload;

        *total += strlen(run) + strlen(field) + (path ? strlen(path) : 0);
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const long statuses[] = {400, 401, 403, 404, 409, 413, 429, 500, 503, 302};
        char key[16], hash[NEREID_HASH_HEXLEN + 1], *last = NULL, *next = NULL;
        const char *text = (const char *)data + 1, *name;
        store_run_info info;
        store_root *roots = NULL;
        size_t total = 0, count = 0, nroots = 0;
        uint64_t runs;
        json_t *obj;

        if (size == 0)
                return 0;
        nrd_http_json_error(text, size - 1, statuses[data[0] % 10], "http://s", "GET /x");
        /* The same text as a page read record by record. */
        (void)nrd_http_json_files_page(text, size - 1, "c", &last, fuzz_file, &total, &count, &next,
                                       "fuzz");
        free(last);
        free(next);
        last = next = NULL;
        count = 0;
        obj = nrd_http_json_load(text, size - 1, "fuzz");
        if (!obj)
                return 0;
        nrd_http_json_project(obj, &name, key, &runs, "fuzz");
        if (nrd_http_json_run(obj, &info, "fuzz") == 0)
                nrd_store_run_info_clear(&info);
        nrd_http_json_hash(obj, "hash", hash, "fuzz");
        nrd_http_json_fields(obj, fuzz_field, &total, "fuzz");
        if (nrd_http_json_roots(obj, &roots, &nroots, "fuzz") == 0)
                nrd_store_roots_free(roots, nroots);
        nrd_http_json_files(obj, &last, fuzz_file, &total, &count, "fuzz");
        nrd_http_json_refs(obj, data[0] & 1, fuzz_ref, &total, "fuzz");
        nrd_http_json_next(obj, last, &next, "fuzz");
        free(last);
        free(next);
        json_decref(obj);
        return 0;
}
