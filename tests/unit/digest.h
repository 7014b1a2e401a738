/*
 * digest.h - the store as the public API reads it, as text to compare
 * before and after an operation: every run of a project and every field
 * with its value (sys/modification_time aside, which a refused write may
 * still have touched in memory). For the allocation-failure walks; not
 * for checking what a track records (test_local_scan.c).
 */
#ifndef NEREID_TEST_DIGEST_H
#define NEREID_TEST_DIGEST_H

#include <stdio.h>
#include <string.h>
#include "nereid.h"

/* Write the digest of project into out (cap bytes): 0, -1 when it does not
 * fit, or the library's code when a read fails. */
static int store_digest(const nereid_options *opts, const char *project_name, char *out, size_t cap)
{
        nereid_project *project = NULL;
        nereid_runs *runs = NULL;
        size_t i, j, len = 0;
        int rc;

        out[0] = '\0';
        if ((rc = nereid_project_open(&project, project_name, opts)) < 0)
                return rc;
        if ((rc = nereid_project_runs(&runs, project)) < 0)
                goto done;
        for (i = 0; i < nereid_runs_count(runs); i++) {
                nereid_run *run = NULL;
                nereid_fields *fields = NULL;

                if ((rc = nereid_run_open(&run, project, nereid_runs_id(runs, i), NULL)) < 0)
                        goto done;
                rc = nereid_run_fields(&fields, run);
                for (j = 0; rc == 0 && j < nereid_fields_count(fields); j++) {
                        if (strcmp(nereid_fields_path(fields, j), "sys/modification_time") == 0)
                                continue;
                        len +=
                            (size_t)snprintf(out + len, len < cap ? cap - len : 0, "%s %s=%s\n",
                                             nereid_runs_id(runs, i), nereid_fields_path(fields, j),
                                             nereid_fields_value(fields, j));
                }
                nereid_fields_free(fields);
                nereid_run_free(run);
                if (rc < 0)
                        goto done;
        }
        rc = len < cap ? 0 : -1;
done:
        nereid_runs_free(runs);
        nereid_project_free(project);
        return rc;
}

#endif
