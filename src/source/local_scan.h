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

/* Many single files at once, each locs[i] naming one file exactly (the
 * source of a record, for status): one pass, one hash cache, one worker
 * pool, the files hashed side by side in the SIMD lanes. got[i] is the
 * record of locs[i] (its file_path the file's base name), or left cleared
 * (file_path NULL) when no regular file is there now. Any other error
 * stops the whole scan and leaves every got[i] cleared: the caller may
 * then look at the files one by one to tell which one failed. */
int nrd_local_scan_files(nereid_project *project, const source_location *locs, size_t n,
                         struct nereid_file *got);

/* Tests only, NULL otherwise: called on the walking thread with a folder's
 * absolute path and an entry's name just before the entry, a file, is
 * handed to the hashing workers, or, a subfolder, is opened. A test
 * changes the tree there (swaps a folder for a link) to check that the
 * walk never leaves the tracked folder. */
extern void (*nrd_local_scan_hook)(const char *folder, const char *name);

#endif
