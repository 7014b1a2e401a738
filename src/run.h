/*
 * run.h - the inside of a nereid_run handle and the scan step shared by
 * track (run.c) and status (diff.c).
 */
#ifndef NEREID_RUN_H
#define NEREID_RUN_H

#include "nereid.h"
#include "project.h"
#include "source/source.h"

struct nereid_run {
        nereid_project *project; /* borrowed: the project outlives the run */
        char id[32];
        int resumed; /* 1 when nereid_run_create found an existing run */
};

/* Parse path, scan it with its source driver, and return the records sorted
 * by file_path; an empty result is ENOTFOUND ("nothing to track"). When
 * location_out is not NULL it receives the resolved location (caller frees). */
int nrd_run_scan(nereid_project *project, const char *path, const char *destination,
                 nereid_files **out, char **location_out);

/* nrd_run_scan for a location already parsed; label names it in messages. */
int nrd_run_scan_location(nereid_project *project, const source_location *loc, const char *label,
                          const char *destination, nereid_files **out, char **location_out);

#endif
