/*
 * lists.h - the typed lists the public API returns besides records:
 * nereid_runs (the runs table) and nereid_fields (the fields of a run).
 * Building them is internal; reading them is nereid.h. Not for records
 * (record.h) nor for differences (diff.c).
 */
#ifndef NEREID_LISTS_H
#define NEREID_LISTS_H

#include "nereid.h"
#include "store/store.h"

/* Empty lists; NULL on ENOMEM (message set). */
nereid_runs *nrd_runs_new(void);
nereid_fields *nrd_fields_new(void);
/* Append a deep copy of info. */
int nrd_runs_push(nereid_runs *runs, const store_run_info *info);
/* Append copies of path and value. */
int nrd_fields_push(nereid_fields *fields, const char *path, const char *value);

#endif
