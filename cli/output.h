/*
 * output.h - how the `nereid` command prints: tables for people, JSON for
 * programs. Only formatting; the data comes from libnereid.
 */
#ifndef NEREID_CLI_OUTPUT_H
#define NEREID_CLI_OUTPUT_H

#include "nereid.h"

int output_files_table(const nereid_files *files);
/* Lines "added PATH" / "removed PATH" / "changed PATH", or with json one
 * object {"added":[...],"removed":[...],"changed":[...]}. */
void output_diff(const nereid_diff *diff, int json);
/* fields is "path\tvalue\n" lines (nereid_run_fields). */
int output_fields(const char *fields, int json);
/* ids is newline-separated run IDs; each run's sys/ fields are read. */
int output_runs(nereid_project *project, const char *ids, int json);

#endif
