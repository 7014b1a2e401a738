/*
 * options.h - the library's copy of a caller's nereid_options: what a
 * project handle keeps of its configuration (store location, credentials,
 * callbacks...), and the user's name and home from the password database.
 * Not the place that opens stores (project.c) or reads S3 settings
 * (source/s3.c): they read this copy.
 */
#ifndef NEREID_OPTIONS_H
#define NEREID_OPTIONS_H

/* The most workers a project may have (nereid_options.workers). */
#define OPTIONS_WORKERS_MAX 1024

#include "nereid.h"

/* Every string is the handle's own copy, NULL when not given. */
struct options_config {
        char *project;               /* default project name */
        char *store;                 /* store location as given */
        char *api_token;             /* for a server store */
        int mode;                    /* enum nereid_mode, checked */
        unsigned workers;            /* 0: one per CPU */
        char *owner;                 /* sys/owner of new runs */
        char *home;                  /* what "~" stands for in tracked paths */
        char *cache;                 /* folder of the hash cache */
        char *s3_key_id;             /* AWS_ACCESS_KEY_ID */
        char *s3_secret;             /* AWS_SECRET_ACCESS_KEY */
        char *s3_token;              /* AWS_SESSION_TOKEN */
        char *s3_region;             /* AWS_REGION */
        char *s3_endpoint;           /* S3_ENDPOINT_URL */
        nereid_notify_cb notify;     /* may be NULL */
        nereid_progress_cb progress; /* may be NULL */
        void *payload;               /* for notify and progress */
        int md5;                     /* enum nereid_md5, resolved: never AUTO */
};

/* Check opts (version, mode) and copy it into out; opts NULL means
 * NEREID_OPTIONS_INIT. On failure out holds nothing to clear. */
int nrd_options_config_copy(struct options_config *out, const nereid_options *opts);
void nrd_options_config_clear(struct options_config *cfg);

/* The login name and the home folder of the user the process runs as
 * (nrd_os_user_name, nrd_os_user_home); caller frees; NULL when there is
 * no entry (no error is set) or out of memory (the error is set). */
char *nrd_options_user_name(void);
char *nrd_options_user_home(void);

/* 1 between nereid_init() and the matching nereid_shutdown(). */
int nrd_options_initialized(void);

#endif
