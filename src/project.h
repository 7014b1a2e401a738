/*
 * project.h - the inside of a nereid_project handle, shared by the modules
 * that work for a project: run.c, the source drivers, download.c. Holds
 * the store, the mode, the callbacks and the hash cache location.
 */
#ifndef NEREID_PROJECT_H
#define NEREID_PROJECT_H

#include <pthread.h>
#include "nereid.h"
#include "store/store.h"

struct nereid_project {
        char *name;
        char key[16];
        char *create_key; /* the key asked for a project made by this handle, or NULL */
        int exists;       /* the project is in the store (else the first run makes it) */
        int mode;
        char *home; /* NEREID_HOME resolved */
        nereid_store *store;
        unsigned workers;
        nereid_notify_cb notify;
        nereid_progress_cb progress;
        void *payload;
        pthread_mutex_t notify_lock; /* notify may be called from pool threads */
        pthread_t background;        /* see project_background */
        int has_background;
};

/* Report a warning (code 0) or a per-file failure (negative) through the
 * callback; safe from any thread. */
void project_notify(nereid_project *project, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Report progress; only from the thread that called into the library. */
void project_progress(nereid_project *project, const char *stage, uint64_t done, uint64_t total);
/* NEREID_EREADONLY with a clear message when the mode forbids writes. */
int project_check_writable(const nereid_project *project, const char *what);
unsigned project_workers(const nereid_project *project);
/* Make the project in the store if it is not there yet (a write): the first
 * run of a project makes it. EREADONLY in read-only mode. */
int project_ensure(nereid_project *project);
/* NEREID_HOME, else ~/.nereid; caller frees; NULL with the message set. */
char *project_resolve_home(void);

/* Run fn(arg) on a thread of its own, so that work that need not hold up
 * the caller (writing the hash cache) overlaps with what follows (writing
 * the store). fn reports its own failures through project_notify. One job
 * at a time: a second waits for the first. Public calls that start one
 * wait for it before they return (project_wait_background). */
void project_background(nereid_project *project, void *(*fn)(void *), void *arg);
void project_wait_background(nereid_project *project);

#endif
