/*
 * output.h - how the `nereid` command prints: tables for people, JSON for
 * programs. Only formatting; the data comes from libnereid. Every string
 * from user data goes through escape.h. Write errors are not checked here:
 * main.c checks stdout once at the end (and ls --json while it streams).
 */
#ifndef NEREID_CLI_OUTPUT_H
#define NEREID_CLI_OUTPUT_H

#include "nereid.h"

void output_files_table(const nereid_files *files);
/* One record as the JSON object of SPEC section 2. */
void output_file_json(const nereid_file *file);
/* Lines "added PATH" / "removed PATH" / "changed PATH", or with json one
 * object {"added":[...],"removed":[...],"changed":[...]}. */
void output_diff(const nereid_diff *diff, int json);
/* A FIELD / VALUE table, or with json one object {path: value}. */
void output_fields(const nereid_fields *fields, int json);
/* The runs table, ID leftmost, or with json an array of objects, printed
 * a page at a time: begin, one output_runs per page (before: the runs
 * printed by the pages before it), end. */
void output_runs_begin(int json);
void output_runs(const nereid_runs *runs, int json, size_t before);
void output_runs_end(int json);
/* The projects of the store: a table, or a JSON array of
 * {"name","key","runs"} (output_projects.c). */
int output_projects(const nereid_projects *projects, int json);
/* The fields of used-by / find-file: lines "RUN:FIELD[ FILE_PATH]", or a
 * JSON array of {"run","field"[,"file_path"]} (output_refs.c). */
void output_refs(const nereid_refs *refs, int json);

#endif
