/*
 * test_s3_lifetime.c - the per-thread libcurl handles of the S3 driver
 * across nereid_shutdown and a later nereid_init: shutdown cleans every
 * live handle before libcurl's global cleanup, and a thread that goes on
 * makes a new handle rather than reusing one made before (under ASan, a
 * reuse is a use after free). The requests go to a closed port on
 * 127.0.0.1, so they fail fast; what is checked is that each fails the
 * same clean way, in several rounds and from worker threads. Not for what
 * S3 requests do (the S3 end-to-end tests).
 */
#include <stdio.h>
#include <string.h>
#include "check.h"
#include "nereid.h"
#include "scratch.h"

/* One round: init, a failed S3 track (the handle is made and kept by this
 * thread), shutdown. */
static void round_trip(int round)
{
        nereid_options opts = NEREID_OPTIONS_INIT;
        nereid_project *project = NULL;
        nereid_run *run = NULL;
        char hash[NEREID_HASH_BUFSIZE];
        int rc;

        CHECK(nereid_init() == 1);
        opts.store = root;
        opts.workers = 2;
        opts.s3_access_key_id = "AKIDEXAMPLE";
        opts.s3_secret_access_key = "secret";
        opts.s3_endpoint = "http://127.0.0.1:1";
        CHECK(nereid_project_open(&project, "ws/s3", &opts) == 0);
        if (project) {
                rc = nereid_run_track_new(&run, hash, project, NULL, "data", "s3://bucket/key",
                                          NULL);
                if (rc == 0 || !strstr(nereid_error_last(), "127.0.0.1"))
                        fprintf(stderr, "round %d: rc %d: %s\n", round, rc, nereid_error_last());
                CHECK(rc < 0);
                CHECK(strstr(nereid_error_last(), "127.0.0.1") != NULL);
                CHECK(run == NULL);
        }
        nereid_run_free(run);
        nereid_project_free(project);
        CHECK(nereid_shutdown() == 0);
}

int main(void)
{
        int round;

        if (scratch_begin("s3-lifetime") < 0)
                return 1;
        for (round = 0; round < 3; round++)
                round_trip(round);
        return scratch_end(CHECK_DONE());
}
