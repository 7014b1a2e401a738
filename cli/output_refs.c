/*
 * output_refs.c - how `nereid used-by` and `nereid find-file` print their
 * answer: one line per field, "RUN:FIELD" (find-file: "RUN:FIELD
 * FILE_PATH"), or a JSON array of objects {"run", "field"[, "file_path"]}.
 * Every string goes through escape.h. Only formatting; the list comes from
 * libnereid.
 */
#include <stdio.h>
#include "escape.h"
#include "output.h"

void output_refs(const nereid_refs *refs, int json)
{
        size_t i, count = nereid_refs_count(refs);

        if (json)
                putchar('[');
        for (i = 0; i < count; i++) {
                const char *file_path = nereid_refs_file_path(refs, i);

                if (!json) {
                        escape_write(stdout, nereid_refs_run(refs, i));
                        putchar(':');
                        escape_write(stdout, nereid_refs_field(refs, i));
                        if (file_path) {
                                putchar(' ');
                                escape_write(stdout, file_path);
                        }
                        putchar('\n');
                        continue;
                }
                fputs(i ? ",{\"run\":" : "{\"run\":", stdout);
                escape_json(stdout, nereid_refs_run(refs, i));
                fputs(",\"field\":", stdout);
                escape_json(stdout, nereid_refs_field(refs, i));
                if (file_path) {
                        fputs(",\"file_path\":", stdout);
                        escape_json(stdout, file_path);
                }
                putchar('}');
        }
        if (json)
                puts("]");
}
