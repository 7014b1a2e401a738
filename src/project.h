/*
 * project.h - the inside of a nereid_project handle, shared by the modules
 * that work for a project: run.c, the source drivers, download.c. Holds
 * the store, the mode, the callbacks and the hash cache location.
 */
#ifndef NEREID_PROJECT_H
#define NEREID_PROJECT_H

#include <pthread.h>
#include <stdatomic.h>
#include "nereid.h"
#include "options.h"
#include "store/store.h"

struct nereid_project {
        char *name;
        char key[16];
        char *create_key; /* the key asked for a project made by this handle, or NULL */
        int exists;       /* the project is in the store (else the first run makes it) */
        int mode;
        char *home;  /* the embedded store's folder; NULL for other stores */
        char *cache; /* the hash cache's folder */
        nereid_store *store;
        struct options_config cfg;   /* the options it was opened with, copied */
        atomic_int cancelled;        /* the progress callback asked to stop */
        pthread_mutex_t notify_lock; /* notify may be called from pool threads */
        pthread_t background;        /* see nrd_project_background */
        int has_background;
};

/* Report a warning (code 0) or a per-file failure (negative) through the
 * callback; safe from any thread. */
void nrd_project_notify(nereid_project *project, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Report progress; only from the thread that called into the library.
 * Returns NEREID_ECANCELLED (and marks the project cancelled, see
 * nrd_project_cancelled) when the callback asks to stop, else 0. */
int nrd_project_progress(nereid_project *project, const char *stage, uint64_t done, uint64_t total);
/* 1 once the progress callback asked to stop the current operation; safe
 * from any thread, so workers stop taking new work. Long operations clear
 * it at their start (nrd_project_uncancel). */
int nrd_project_cancelled(nereid_project *project);
void nrd_project_uncancel(nereid_project *project);
/* NEREID_EREADONLY with a clear message when the mode forbids writes. */
int nrd_project_check_writable(const nereid_project *project, const char *what);
unsigned nrd_project_workers(const nereid_project *project);
/* Make the project in the store if it is not there yet (a write): the first
 * run of a project makes it. EREADONLY in read-only mode. */
int nrd_project_ensure(nereid_project *project);
/* Open the store a location names (SPEC section 8; NULL: HOME/.nereid,
 * HOME from home or the password database) through the store registry
 * (store/store.c). *folder_out (may be NULL) receives the folder
 * of an embedded store, the caller's to free. */
int nrd_project_store_open(nereid_store **out, const char *location, const char *home, int mode,
                           char **folder_out);
/* The same with an API token: without a location the token names its
 * server (SPEC section 8); a server store sends it (may be NULL). */
int nrd_project_store_open_token(nereid_store **out, const char *location, const char *home,
                                 int mode, const char *api_token, char **folder_out);
/* HOME/.nereid, HOME from home or the password database; caller frees;
 * NULL with the message set. */
char *nrd_project_default_folder(const char *home);

/* Run fn(arg) on a thread of its own, so that work that need not hold up
 * the caller (writing the hash cache) overlaps with what follows (writing
 * the store). fn reports its own failures through nrd_project_notify. One job
 * at a time: a second waits for the first. Public calls that start one
 * wait for it before they return (nrd_project_wait_background). */
void nrd_project_background(nereid_project *project, void *(*fn)(void *), void *arg);
void nrd_project_wait_background(nereid_project *project);

#endif
