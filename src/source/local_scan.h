/*
 * local_scan.h - the scan half of the local source driver (local_scan.c):
 * the folder walk and the hashing of what it finds. The driver table and
 * fetch are in local.c.
 */
#ifndef NEREID_LOCAL_SCAN_H
#define NEREID_LOCAL_SCAN_H

#include "source.h"

/* The scan operation of nrd_source_local (see source_driver.scan). */
int nrd_local_scan(nereid_project *project, const source_location *loc, const char *destination,
                   nereid_files *out);

/* Tests only, NULL otherwise: called on the walking thread with a folder's
 * absolute path and an entry's name just before the entry, a file, is
 * handed to the hashing workers, or, a subfolder, is opened. A test
 * changes the tree there (swaps a folder for a link) to check that the
 * walk never leaves the tracked folder. */
extern void (*nrd_local_scan_hook)(const char *folder, const char *name);

#endif
