/*
 * output.c - printing for the `nereid` command: aligned tables with a
 * header row for people, compact JSON for programs. Every string that
 * comes from user data is written through escape.c, so tables stay one
 * line per item and JSON stays valid whatever the bytes of a name.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "escape.h"
#include "output.h"

static size_t output_max(size_t current, size_t n)
{
        return n > current ? n : current;
}

/* Cells of a row, separated by two spaces; the last one is not padded. */
static void output_cell(const char *s, size_t width, int last)
{
        if (last) {
                escape_write(stdout, s);
                putchar('\n');
                return;
        }
        escape_write_padded(stdout, s, width);
        fputs("  ", stdout);
}

/* A number right-aligned in width columns. */
static void output_number_cell(const char *s, size_t width)
{
        size_t n = strlen(s);

        for (; n < width; n++)
                putchar(' ');
        fputs(s, stdout);
        fputs("  ", stdout);
}

static void output_size_text(const nereid_file *f, char size[32])
{
        if (nereid_file_has_size(f))
                snprintf(size, 32, "%llu", (unsigned long long)nereid_file_size(f));
        else
                snprintf(size, 32, "-");
}

void output_files_table(const nereid_files *files)
{
        size_t i, count = nereid_files_count(files);
        size_t wpath = strlen("FILE_PATH"), wsize = strlen("SIZE"), whash = 32, wtype = 5;
        size_t wlm = 19;
        char size[32];

        for (i = 0; i < count; i++) {
                const nereid_file *f = nereid_files_get(files, i);

                wpath = output_max(wpath, escape_width(nereid_file_path(f)));
                output_size_text(f, size);
                wsize = output_max(wsize, strlen(size));
        }
        output_cell("FILE_PATH", wpath, 0);
        output_number_cell("SIZE", wsize);
        output_cell("HASH", whash, 0);
        output_cell("TYPE", wtype, 0);
        output_cell("LAST_MODIFIED", wlm, 0);
        output_cell("SOURCE", 0, 1);
        for (i = 0; i < count; i++) {
                const nereid_file *f = nereid_files_get(files, i);
                const char *lm = nereid_file_last_modified(f), *src = nereid_file_source(f);

                output_size_text(f, size);
                output_cell(nereid_file_path(f), wpath, 0);
                output_number_cell(size, wsize);
                output_cell(nereid_file_hash(f), whash, 0);
                output_cell(nereid_file_type(f), wtype, 0);
                output_cell(lm ? lm : "-", wlm, 0);
                output_cell(src ? src : "-", 0, 1);
        }
}

void output_file_json(const nereid_file *file)
{
        const char *src = nereid_file_source(file), *lm = nereid_file_last_modified(file);

        fputs("{\"file_path\":", stdout);
        escape_json(stdout, nereid_file_path(file));
        fputs(",\"file_hash\":", stdout);
        escape_json(stdout, nereid_file_hash(file));
        fputs(",\"type\":", stdout);
        escape_json(stdout, nereid_file_type(file));
        if (nereid_file_has_size(file))
                printf(",\"size\":%llu", (unsigned long long)nereid_file_size(file));
        else
                fputs(",\"size\":null", stdout);
        fputs(",\"metadata\":{", stdout);
        if (src) {
                fputs("\"file_path\":", stdout);
                escape_json(stdout, src);
        }
        if (lm) {
                fputs(src ? ",\"last_modified\":" : "\"last_modified\":", stdout);
                escape_json(stdout, lm);
        }
        fputs("}}", stdout);
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
        static const int kinds[] = {NEREID_CHANGE_ADDED, NEREID_CHANGE_REMOVED,
                                    NEREID_CHANGE_CHANGED};
        size_t i, k, count = nereid_diff_count(diff);

        if (!json) {
                for (i = 0; i < count; i++) {
                        const char *path;
                        int kind = nereid_diff_get(&path, diff, i);

                        printf("%s ", output_change_word(kind));
                        escape_write(stdout, path);
                        putchar('\n');
                }
                return;
        }
        for (k = 0; k < 3; k++) {
                int first = 1;

                printf("%s\"%s\":[", k ? "," : "{", output_change_word(kinds[k]));
                for (i = 0; i < count; i++) {
                        const char *path;

                        if (nereid_diff_get(&path, diff, i) != kinds[k])
                                continue;
                        if (!first)
                                putchar(',');
                        escape_json(stdout, path);
                        first = 0;
                }
                putchar(']');
        }
        puts("}");
}

/* sys/tags for --json: an array of the tags, split at ',' (a tag holds
 * none, and is at most 128 bytes). */
static void output_tags_json(const char *tags)
{
        const char *p = tags, *comma;
        char tag[256];

        putchar('[');
        while (*tags && p) {
                comma = strchr(p, ',');
                snprintf(tag, sizeof(tag), "%.*s", (int)(comma ? (size_t)(comma - p) : strlen(p)),
                         p);
                if (p != tags)
                        putchar(',');
                escape_json(stdout, tag);
                p = comma ? comma + 1 : NULL;
        }
        putchar(']');
}

void output_fields(const nereid_fields *fields, int json)
{
        size_t i, count = nereid_fields_count(fields), width = strlen("FIELD");

        if (json) {
                putchar('{');
                for (i = 0; i < count; i++) {
                        if (i)
                                putchar(',');
                        escape_json(stdout, nereid_fields_path(fields, i));
                        putchar(':');
                        if (strcmp(nereid_fields_path(fields, i), "sys/tags") == 0)
                                output_tags_json(nereid_fields_value(fields, i));
                        else
                                escape_json(stdout, nereid_fields_value(fields, i));
                }
                puts("}");
                return;
        }
        for (i = 0; i < count; i++)
                width = output_max(width, escape_width(nereid_fields_path(fields, i)));
        output_cell("FIELD", width, 0);
        output_cell("VALUE", 0, 1);
        for (i = 0; i < count; i++) {
                output_cell(nereid_fields_path(fields, i), width, 0);
                output_cell(nereid_fields_value(fields, i), 0, 1);
        }
}

void output_runs_begin(int json)
{
        if (json) {
                putchar('[');
                return;
        }
        output_cell("ID", 12, 0);
        output_cell("NAME", 20, 0);
        output_cell("OWNER", 12, 0);
        output_cell("CREATED", 24, 0);
        output_cell("MODIFIED", 0, 1);
}

void output_runs_end(int json)
{
        if (json)
                puts("]");
}

void output_runs(const nereid_runs *runs, int json, size_t before)
{
        size_t i, count = nereid_runs_count(runs);

        if (json) {
                for (i = 0; i < count; i++) {
                        fputs(i + before ? ",{\"id\":" : "{\"id\":", stdout);
                        escape_json(stdout, nereid_runs_id(runs, i));
                        fputs(",\"name\":", stdout);
                        escape_json(stdout, nereid_runs_name(runs, i));
                        fputs(",\"owner\":", stdout);
                        escape_json(stdout, nereid_runs_owner(runs, i));
                        fputs(",\"creation_time\":", stdout);
                        escape_json(stdout, nereid_runs_creation_time(runs, i));
                        fputs(",\"modification_time\":", stdout);
                        escape_json(stdout, nereid_runs_modification_time(runs, i));
                        fputs(",\"uuid\":", stdout);
                        if (nereid_runs_uuid(runs, i))
                                escape_json(stdout, nereid_runs_uuid(runs, i));
                        else
                                fputs("null", stdout);
                        putchar('}');
                }
                return;
        }
        for (i = 0; i < count; i++) {
                const char *name = nereid_runs_name(runs, i);

                output_cell(nereid_runs_id(runs, i), 12, 0);
                output_cell(*name ? name : "-", 20, 0);
                output_cell(nereid_runs_owner(runs, i), 12, 0);
                output_cell(nereid_runs_creation_time(runs, i), 24, 0);
                output_cell(nereid_runs_modification_time(runs, i), 0, 1);
        }
}
