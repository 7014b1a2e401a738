/*
 * output.c - printing for the `nereid` command: aligned tables with a
 * header row for people, JSON (through jansson, or the library's own
 * record serialiser) for programs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "output.h"

static int output_width(int current, const char *s)
{
        int n = (int)strlen(s);

        return n > current ? n : current;
}

int output_files_table(const nereid_files *files)
{
        size_t i, count = nereid_files_count(files);
        int wpath = (int)strlen("FILE_PATH"), wsize = (int)strlen("SIZE");
        char size[32];

        for (i = 0; i < count; i++) {
                const nereid_file *f = nereid_files_get(files, i);

                wpath = output_width(wpath, nereid_file_path(f));
                snprintf(size, sizeof(size), "%llu", (unsigned long long)nereid_file_size(f));
                wsize = output_width(wsize, size);
        }
        printf("%-*s  %*s  %-32s  %-5s  %-19s  %s\n", wpath, "FILE_PATH", wsize, "SIZE", "HASH",
               "TYPE", "LAST_MODIFIED", "SOURCE");
        for (i = 0; i < count; i++) {
                const nereid_file *f = nereid_files_get(files, i);
                const char *lm = nereid_file_last_modified(f), *src = nereid_file_source(f);

                if (nereid_file_has_size(f))
                        snprintf(size, sizeof(size), "%llu",
                                 (unsigned long long)nereid_file_size(f));
                else
                        snprintf(size, sizeof(size), "-");
                printf("%-*s  %*s  %-32s  %-5s  %-19s  %s\n", wpath, nereid_file_path(f), wsize,
                       size, nereid_file_hash(f), nereid_file_type(f), lm ? lm : "-",
                       src ? src : "-");
        }
        return 0;
}

static const char *output_change_word(int kind)
{
        switch (kind) {
        case NEREID_CHANGE_ADDED:
                return "added";
        case NEREID_CHANGE_REMOVED:
                return "removed";
        default:
                return "changed";
        }
}

void output_diff(const nereid_diff *diff, int json)
{
        size_t i, count = nereid_diff_count(diff);
        json_t *obj;
        char *text;

        if (!json) {
                for (i = 0; i < count; i++) {
                        const char *path;
                        int kind = nereid_diff_get(diff, i, &path);

                        printf("%s %s\n", output_change_word(kind), path);
                }
                return;
        }
        obj = json_pack("{s:[],s:[],s:[]}", "added", "removed", "changed");
        for (i = 0; obj && i < count; i++) {
                const char *path;
                int kind = nereid_diff_get(diff, i, &path);

                json_array_append_new(json_object_get(obj, output_change_word(kind)),
                                      json_string(path));
        }
        text = obj ? json_dumps(obj, JSON_PRESERVE_ORDER | JSON_COMPACT) : NULL;
        if (text)
                puts(text);
        free(text);
        json_decref(obj);
}

int output_fields(const char *fields, int json)
{
        json_t *obj = json ? json_object() : NULL;
        const char *line = fields;
        int width = 0;
        char *text;

        /* First pass: the width of the path column. */
        for (; *line; line = strchr(line, '\n') + 1) {
                const char *tab = strchr(line, '\t');

                if ((int)(tab - line) > width)
                        width = (int)(tab - line);
        }
        if (!json)
                printf("%-*s  %s\n", width, "FIELD", "VALUE");
        for (line = fields; *line; line = strchr(line, '\n') + 1) {
                const char *tab = strchr(line, '\t'), *end = strchr(line, '\n');
                char *key = strndup(line, (size_t)(tab - line));
                char *value = strndup(tab + 1, (size_t)(end - tab - 1));

                if (!key || !value) {
                        free(key);
                        free(value);
                        json_decref(obj);
                        return -1;
                }
                if (json)
                        json_object_set_new(obj, key, json_string(value));
                else
                        printf("%-*s  %s\n", width, key, value);
                free(key);
                free(value);
        }
        if (!json)
                return 0;
        text = json_dumps(obj, JSON_PRESERVE_ORDER | JSON_COMPACT);
        json_decref(obj);
        if (!text)
                return -1;
        puts(text);
        free(text);
        return 0;
}

static const char *const output_run_keys[] = {"sys/id", "sys/name", "sys/owner",
                                              "sys/creation_time", "sys/modification_time"};

int output_runs(nereid_project *project, const char *ids, int json)
{
        json_t *array = json ? json_array() : NULL;
        const char *line;
        int rc = 0;

        if (!json)
                printf("%-12s  %-20s  %-12s  %-24s  %s\n", "ID", "NAME", "OWNER", "CREATED",
                       "MODIFIED");
        for (line = ids; *line && rc == 0; line = strchr(line, '\n') + 1) {
                char *id = strndup(line, (size_t)(strchr(line, '\n') - line));
                char *values[5] = {0};
                nereid_run *run = NULL;
                size_t k;

                rc = id ? nereid_run_open(&run, project, id, NULL) : -1;
                for (k = 0; k < 5 && rc == 0; k++)
                        rc = nereid_run_sys(run, output_run_keys[k], &values[k]);
                if (rc == 0 && json) {
                        json_array_append_new(
                            array, json_pack("{s:s,s:s,s:s,s:s,s:s}", "id", values[0], "name",
                                             values[1], "owner", values[2], "creation_time",
                                             values[3], "modification_time", values[4]));
                } else if (rc == 0) {
                        printf("%-12s  %-20s  %-12s  %-24s  %s\n", values[0],
                               *values[1] ? values[1] : "-", values[2], values[3], values[4]);
                }
                for (k = 0; k < 5; k++)
                        nereid_string_free(values[k]);
                nereid_run_free(run);
                free(id);
        }
        if (json && rc == 0) {
                char *text = json_dumps(array, JSON_PRESERVE_ORDER | JSON_COMPACT);

                if (text)
                        puts(text);
                free(text);
        }
        json_decref(array);
        return rc;
}
