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
        nereid_project *project;   /* borrowed: the project outlives the run */
        char id[48];               /* KEY-N, or offline/<uuid> (44 bytes) */
        int resumed;               /* 1 when nereid_run_create found an existing run */
        struct nrd_queue *queue;   /* the run's durable queue (run_queue.c); NULL when none yet */
        int offline;               /* 1 while id is offline/<uuid>: the server has no ID for it */
        int warned;                /* the one warning naming `nereid sync` was given */
        int wrote;                 /* this handle queued an operation */
        struct nrd_bgsend *sender; /* async: the background sender, started by the first write */
        uint64_t last_seq;         /* the last operation this handle queued */
};

/* Parse path, scan it with its source driver, and return the records sorted
 * by file_path; an empty result is ENOTFOUND ("nothing to track"). When
 * location_out is not NULL it receives the resolved location (caller frees). */
int nrd_run_scan(nereid_project *project, const char *path, const char *destination,
                 nereid_files **out, char **location_out);

/* nrd_run_scan for a location already parsed; label names it in messages. */
int nrd_run_scan_location(nereid_project *project, const source_location *loc, const char *label,
                          const char *destination, nereid_files **out, char **location_out);

/* The queued modes (queue_run.c, SPEC section 9): with a server store, in
 * async and offline mode (project->queued), run.c hands writes, and offline
 * runs' reads, to these. */
int nrd_queue_run_is_offline_id(const char *run_id);
int nrd_queue_run_create(nereid_run **out, nereid_project *project, const store_run_spec *spec);
/* run_id: "offline/<uuid>". */
int nrd_queue_run_open(nereid_run **out, nereid_project *project, const char *run_id);
int nrd_queue_run_put(nereid_run *run, const char *field, const nereid_files *files,
                      const store_root *roots, size_t nroots, int replace, char *hash_out);
int nrd_queue_run_remove(nereid_run *run, const char *field);
int nrd_queue_run_hash(nereid_run *run, const char *field, int content, char *hash_out);
int nrd_queue_run_files(nereid_run *run, const char *field, nereid_files **out);
int nrd_queue_run_fields(nereid_run *run, nereid_fields *fields);
/* EINVALID: what cannot be read in offline mode. */
int nrd_queue_run_refuse(const char *what);
/* Async mode, before a read from the server: read your own writes. Waits
 * for what this handle queued to be delivered, or for a try of it to
 * fail (then the read goes on: the server answers what it has), and takes
 * the server's ID of a run a delivery made. 0, or the refusal of an
 * earlier write (reported once). */
int nrd_queue_run_settle(nereid_run *run);
/* Deliver what the run queued, up to timeout_ms: 0 when nothing is left,
 * 1 when some is left (one warning naming `nereid sync` given), or the
 * error that refused an operation. Offline mode: warns once, returns 0. */
int nrd_queue_run_wait(nereid_run *run, unsigned timeout_ms);
void nrd_queue_run_close(nereid_run *run);

#endif
