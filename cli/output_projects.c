/*
 * output_projects.c - how `nereid project list` prints the projects of the
 * store: an aligned table (PROJECT, KEY, RUNS), or a JSON array of objects
 * {"name", "key", "runs"}. Every string goes through escape.h (a store
 * written elsewhere is not trusted to hold only valid names). Only
 * formatting; the list comes from libnereid.
 */
#include <stdio.h>
#include "escape.h"
#include "output.h"

int output_projects(const nereid_projects *projects, int json)
{
        size_t i, count = nereid_projects_count(projects), width = 7 /* "PROJECT" */, n;

        if (!json) {
                for (i = 0; i < count; i++)
                        if ((n = escape_width(nereid_projects_name(projects, i))) > width)
                                width = n;
                escape_write_padded(stdout, "PROJECT", width + 2);
                escape_write_padded(stdout, "KEY", 12);
                puts("RUNS");
                for (i = 0; i < count; i++) {
                        escape_write_padded(stdout, nereid_projects_name(projects, i), width + 2);
                        escape_write_padded(stdout, nereid_projects_key(projects, i), 12);
                        printf("%llu\n", (unsigned long long)nereid_projects_runs(projects, i));
                }
                return 0;
        }
        putchar('[');
        for (i = 0; i < count; i++) {
                fputs(i ? ",{\"name\":" : "{\"name\":", stdout);
                escape_json(stdout, nereid_projects_name(projects, i));
                fputs(",\"key\":", stdout);
                escape_json(stdout, nereid_projects_key(projects, i));
                printf(",\"runs\":%llu}", (unsigned long long)nereid_projects_runs(projects, i));
        }
        puts("]");
        return 0;
}
