/*
 * output_projects.c - how `nereid project list` prints the projects of the
 * store: an aligned table (PROJECT, KEY, RUNS), or a JSON array of objects
 * {"name", "key", "runs"}. Only formatting; the list comes from libnereid.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "output.h"

int output_projects(const nereid_projects *projects, int json)
{
        size_t i, count = nereid_projects_count(projects);
        int width = (int)strlen("PROJECT");
        json_t *array;
        char *text;

        if (!json) {
                for (i = 0; i < count; i++) {
                        int n = (int)strlen(nereid_projects_name(projects, i));

                        width = n > width ? n : width;
                }
                printf("%-*s  %-10s  %s\n", width, "PROJECT", "KEY", "RUNS");
                for (i = 0; i < count; i++)
                        printf("%-*s  %-10s  %llu\n", width, nereid_projects_name(projects, i),
                               nereid_projects_key(projects, i),
                               (unsigned long long)nereid_projects_runs(projects, i));
                return 0;
        }
        if (!(array = json_array()))
                return -1;
        for (i = 0; i < count; i++)
                if (json_array_append_new(
                        array, json_pack("{s:s,s:s,s:I}", "name", nereid_projects_name(projects, i),
                                         "key", nereid_projects_key(projects, i), "runs",
                                         (json_int_t)nereid_projects_runs(projects, i))) < 0) {
                        json_decref(array);
                        return -1;
                }
        text = json_dumps(array, JSON_PRESERVE_ORDER | JSON_COMPACT);
        json_decref(array);
        if (!text)
                return -1;
        puts(text);
        free(text);
        return 0;
}
