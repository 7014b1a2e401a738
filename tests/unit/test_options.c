/*
 * test_options.c - how a program configures the library: nereid_init and
 * nereid_shutdown, nereid_options (versions, the environment read only by
 * nereid_options_from_env, copies made at open), store locations, the
 * owner, home and cache options, S3 settings that travel with their
 * project, and cancelling a track or a download from the progress
 * callback. Not for what a track records (test_local_scan.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "check.h"
#include "nereid.h"
#include "scratch.h"

/* Files of the folder the cancellation tests track: enough that the
 * progress callback is called while the work goes on. */
#define MANY_FILES 1300

static char *xdup(const char *s)
{
        char *d = strdup(s);

        if (!d)
                abort();
        return d;
}

static int exists(const char *path)
{
        struct stat st;

        return lstat(path, &st) == 0;
}

static void write_file(const char *path, const char *text)
{
        FILE *f = fopen(path, "w");

        CHECK(f != NULL);
        if (!f)
                return;
        fputs(text, f);
        CHECK(fclose(f) == 0);
}

static void test_init_shutdown(void)
{
        nereid_project *project = NULL;
        nereid_options opts = NEREID_OPTIONS_INIT;

        opts.store = path_in(root, "never");
        CHECK(nereid_shutdown() == NEREID_ERROR);
        CHECK(nereid_project_open(&project, NULL, &opts) == NEREID_ERROR);
        CHECK(project == NULL);
        CHECK(strstr(nereid_error_last(), "nereid_init") != NULL);
        CHECK(nereid_init() == 1);
        CHECK(nereid_init() == 2);
        CHECK(nereid_shutdown() == 1);
        CHECK(nereid_project_open(&project, NULL, &opts) == 0);
        nereid_project_free(project);
        CHECK(nereid_shutdown() == 0);
        CHECK(nereid_shutdown() == NEREID_ERROR);
        CHECK(!exists(path_in(root, "never")));
}

static void test_versions(void)
{
        nereid_options opts;
        nereid_project *project = NULL;

        memset(&opts, 0x55, sizeof(opts));
        CHECK(nereid_options_init(&opts, 0) == NEREID_EINVALID);
        CHECK(nereid_options_init(&opts, NEREID_OPTIONS_VERSION + 1) == NEREID_EINVALID);
        CHECK(nereid_options_init(&opts, NEREID_OPTIONS_VERSION) == 0);
        CHECK(opts.version == NEREID_OPTIONS_VERSION && opts.store == NULL && opts.mode == 0 &&
              opts.workers == 0 && opts.progress == NULL && opts.internal == NULL);
        opts.store = path_in(root, "never");
        opts.version = 0; /* options never initialised */
        CHECK(nereid_project_open(&project, NULL, &opts) == NEREID_EINVALID);
        CHECK(strstr(nereid_error_last(), "options: version 0") != NULL);
        CHECK(nereid_options_from_env(&opts) == NEREID_EINVALID);
        opts.version = NEREID_OPTIONS_VERSION;
        opts.mode = 42;
        CHECK(nereid_project_open(&project, NULL, &opts) == NEREID_EINVALID);
        CHECK(strstr(nereid_error_last(), "mode 42") != NULL);
        opts.mode = -1;
        {
                nereid_projects *list = NULL;

                CHECK(nereid_projects_list(&list, &opts) == NEREID_EINVALID);
                CHECK(list == NULL);
        }
        CHECK(!exists(path_in(root, "never")));
}

static void test_from_env(void)
{
        static const char *const vars[] = {"NEREID_PROJECT",
                                           "NEPTUNE_PROJECT",
                                           "NEREID_STORE",
                                           "NEREID_HOME",
                                           "NEREID_API_TOKEN",
                                           "NEPTUNE_API_TOKEN",
                                           "USER",
                                           "HOME",
                                           "AWS_ACCESS_KEY_ID",
                                           "AWS_SECRET_ACCESS_KEY",
                                           "AWS_SESSION_TOKEN",
                                           "AWS_REGION",
                                           "AWS_DEFAULT_REGION",
                                           "S3_ENDPOINT_URL"};
        nereid_options opts = NEREID_OPTIONS_INIT;
        size_t i;

        for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
                unsetenv(vars[i]);
        /* Nothing set: nothing changes, nothing is allocated. */
        opts.owner = "kept";
        CHECK(nereid_options_from_env(&opts) == 0);
        CHECK(opts.internal == NULL && opts.project == NULL && opts.store == NULL &&
              opts.home == NULL && opts.s3_region == NULL);
        CHECK_STR(opts.owner, "kept");

        setenv("NEPTUNE_PROJECT", "ws/neptune", 1);
        setenv("NEREID_HOME", "/h/nereid", 1);
        setenv("NEPTUNE_API_TOKEN", "nrd_tok-neptune", 1);
        setenv("USER", "", 1); /* empty: unset */
        setenv("HOME", "/home/ana", 1);
        setenv("AWS_ACCESS_KEY_ID", "AKIA1", 1);
        setenv("AWS_SECRET_ACCESS_KEY", "secret1", 1);
        setenv("AWS_DEFAULT_REGION", "eu-west-3", 1);
        setenv("S3_ENDPOINT_URL", "http://127.0.0.1:9000", 1);
        CHECK(nereid_options_from_env(&opts) == 0);
        CHECK(opts.internal != NULL);
        CHECK_STR(opts.project, "ws/neptune");
        /* A token and no NEREID_STORE: the token's server is the store
         * (SPEC section 8), NEREID_HOME keeps the cache. */
        CHECK(opts.store == NULL);
        CHECK_STR(opts.cache, "/h/nereid");
        CHECK_STR(opts.api_token, "nrd_tok-neptune");
        CHECK_STR(opts.owner, "kept");
        CHECK_STR(opts.home, "/home/ana");
        CHECK_STR(opts.s3_access_key_id, "AKIA1");
        CHECK_STR(opts.s3_secret_access_key, "secret1");
        CHECK(opts.s3_session_token == NULL);
        CHECK_STR(opts.s3_region, "eu-west-3");
        CHECK_STR(opts.s3_endpoint, "http://127.0.0.1:9000");

        /* A token that is not Nereid's (a Neptune token, as the seeds
         * export) names no server: NEREID_HOME's embedded store stays. */
        {
                nereid_options o2;

                setenv("NEPTUNE_API_TOKEN", "h0dHBzOi8aHR0cHM6Lkc78ghs74kl0jvYh3Kb8", 1);
                CHECK(nereid_options_init(&o2, NEREID_OPTIONS_VERSION) == 0);
                CHECK(nereid_options_from_env(&o2) == 0);
                CHECK_STR(o2.store, "/h/nereid");
                CHECK_STR(o2.api_token, "h0dHBzOi8aHR0cHM6Lkc78ghs74kl0jvYh3Kb8");
                nereid_options_dispose(&o2);
                setenv("NEPTUNE_API_TOKEN", "nrd_tok-neptune", 1);
        }

        /* The first variable of each pair wins; a second call on the same
         * options keeps what the first one gave that is not replaced. */
        setenv("NEREID_PROJECT", "ws/nereid", 1);
        setenv("NEREID_STORE", "sqlite:/s/store", 1);
        setenv("NEREID_API_TOKEN", "tok-nereid", 1);
        setenv("AWS_REGION", "us-west-2", 1);
        setenv("USER", "bo", 1);
        unsetenv("S3_ENDPOINT_URL");
        CHECK(nereid_options_from_env(&opts) == 0);
        CHECK_STR(opts.project, "ws/nereid");
        CHECK_STR(opts.store, "sqlite:/s/store");
        CHECK_STR(opts.cache, "/h/nereid");
        CHECK_STR(opts.api_token, "tok-nereid");
        CHECK_STR(opts.owner, "bo");
        CHECK_STR(opts.s3_region, "us-west-2");
        CHECK_STR(opts.s3_endpoint, "http://127.0.0.1:9000");
        /* The values are copies: changing the environment changes nothing. */
        setenv("NEREID_PROJECT", "ws/changed", 1);
        CHECK_STR(opts.project, "ws/nereid");

        /* A field the caller set after the call is the caller's. */
        opts.home = "/mine";
        nereid_options_dispose(&opts);

        /* The token that counts is the one the options end with: a
         * Neptune token in the environment replaces a server's token the
         * caller set, so it names no server either. */
        {
                nereid_options foreign = NEREID_OPTIONS_INIT;

                unsetenv("NEREID_STORE");
                unsetenv("NEREID_API_TOKEN");
                setenv("NEPTUNE_API_TOKEN", "h0dHBzOi8aHR0cHM6Lkc78ghs74kl0jvYh3Kb8", 1);
                foreign.api_token = "nrd_set-by-the-caller";
                CHECK(nereid_options_from_env(&foreign) == 0);
                CHECK_STR(foreign.store, "/h/nereid");
                CHECK_STR(foreign.api_token, "h0dHBzOi8aHR0cHM6Lkc78ghs74kl0jvYh3Kb8");
                nereid_options_dispose(&foreign);
        }
        CHECK(opts.internal == NULL && opts.project == NULL && opts.store == NULL &&
              opts.cache == NULL && opts.owner == NULL && opts.s3_region == NULL &&
              opts.s3_endpoint == NULL && opts.s3_secret_access_key == NULL);
        CHECK_STR(opts.home, "/mine");
        nereid_options_dispose(&opts);
        CHECK_STR(opts.home, "/mine");
        for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
                unsetenv(vars[i]);
}

/* The environment is never read by the library: what the options say wins,
 * and what they leave out is the default, whatever the variables hold. */
static void test_no_environment(void)
{
        nereid_options opts = NEREID_OPTIONS_INIT;
        nereid_project *project = NULL;
        nereid_run *run = NULL;
        char *store = xdup(path_in(root, "opts-store"));
        char *data = xdup(path_in(root, "env-data"));
        char *owner = NULL;

        setenv("NEREID_HOME", path_in(root, "env-home"), 1);
        setenv("NEREID_STORE", path_in(root, "env-store"), 1);
        setenv("NEREID_PROJECT", "ws/from-env", 1);
        setenv("USER", "env-user", 1);
        setenv("HOME", root, 1);
        setenv("AWS_ACCESS_KEY_ID", "AKIAENV", 1);
        setenv("AWS_SECRET_ACCESS_KEY", "env-secret", 1);
        CHECK(mkdir(data, 0755) == 0);
        write_file(path_in(data, "a.txt"), "a\n");
        opts.store = store;
        CHECK(nereid_project_open(&project, NULL, &opts) == 0);
        if (!project)
                goto cleanup;
        CHECK_STR(nereid_project_name(project), "local/sandbox");
        CHECK(nereid_run_open(&run, project, NULL, NULL) == 0);
        if (!run)
                goto cleanup;
        CHECK(nereid_run_sys(&owner, run, "sys/owner") == 0);
        CHECK(owner && strcmp(owner, "env-user") != 0 && *owner);
        /* "~" is the home option's, and there is none. */
        CHECK(nereid_run_track_files(NULL, run, "d", "~/env-data", NULL) == NEREID_EINVALID);
        CHECK(strstr(nereid_error_last(), "HOME is not set") != NULL);
        /* No S3 credentials in the options: refused, whatever AWS_* say. */
        CHECK(nereid_run_track_files(NULL, run, "s", "s3://bucket/key", NULL) == NEREID_EACCESS);
        CHECK(strstr(nereid_error_last(), "S3 credentials") != NULL);
        CHECK(nereid_run_track_files(NULL, run, "d", data, NULL) == 0);
        CHECK(exists(path_in(store, "store.db")));
        CHECK(exists(path_in(store, "hashcache.db")));
        CHECK(!exists(path_in(root, "env-home")));
        CHECK(!exists(path_in(root, "env-store")));
cleanup:
        nereid_string_free(owner);
        nereid_run_free(run);
        nereid_project_free(project);
        unsetenv("NEREID_HOME");
        unsetenv("NEREID_STORE");
        unsetenv("NEREID_PROJECT");
        unsetenv("AWS_ACCESS_KEY_ID");
        unsetenv("AWS_SECRET_ACCESS_KEY");
        free(store);
        free(data);
}

/* Every string is copied at open: the caller may free or reuse its own. */
static void test_copied_at_open(void)
{
        nereid_options opts = NEREID_OPTIONS_INIT;
        nereid_project *project = NULL;
        nereid_run *run = NULL;
        char *store = xdup(path_in(root, "copy-store"));
        char *cache = xdup(path_in(root, "copy-cache"));
        char *home = xdup(path_in(root, "copy-home"));
        char *name = xdup("ws/copied");
        char *owner = xdup("ana");
        char *data, *got = NULL, hash[NEREID_HASH_HEXLEN + 1];

        CHECK(mkdir(home, 0755) == 0);
        data = xdup(path_in(home, "data"));
        CHECK(mkdir(data, 0755) == 0);
        write_file(path_in(data, "x.txt"), "x\n");
        opts.store = store;
        opts.cache = cache;
        opts.home = home;
        opts.project = name;
        opts.owner = owner;
        CHECK(nereid_project_open(&project, NULL, &opts) == 0);
        /* The caller's strings are gone, the handle still knows its own. */
        memset(store, 'Z', strlen(store));
        memset(cache, 'Z', strlen(cache));
        memset(home, 'Z', strlen(home));
        memset(name, 'Z', strlen(name));
        memset(owner, 'Z', strlen(owner));
        free(store);
        free(cache);
        free(home);
        free(name);
        free(owner);
        if (!project)
                goto cleanup;
        CHECK_STR(nereid_project_name(project), "ws/copied");
        CHECK(nereid_run_open(&run, project, NULL, NULL) == 0);
        if (!run)
                goto cleanup;
        CHECK(nereid_run_sys(&got, run, "sys/owner") == 0);
        CHECK_STR(got, "ana");
        CHECK(nereid_run_track_files(hash, run, "d", "~/data", NULL) == 0);
        CHECK(exists(path_in(path_in(root, "copy-store"), "store.db")));
        /* The hash cache goes where the cache option says. */
        CHECK(exists(path_in(path_in(root, "copy-cache"), "hashcache.db")));
        CHECK(!exists(path_in(path_in(root, "copy-store"), "hashcache.db")));
cleanup:
        nereid_string_free(got);
        nereid_run_free(run);
        nereid_project_free(project);
        free(data);
}

static void test_store_locations(void)
{
        nereid_options opts = NEREID_OPTIONS_INIT;
        nereid_project *project = NULL;
        nereid_run *run = NULL;
        char location[4200];

        snprintf(location, sizeof(location), "sqlite:%s", path_in(root, "sqlite-store"));
        opts.store = location;
        CHECK(nereid_project_open(&project, "ws/sq", &opts) == 0);
        if (project)
                CHECK(nereid_run_open(&run, project, NULL, NULL) == 0);
        nereid_run_free(run);
        nereid_project_free(project);
        CHECK(exists(path_in(path_in(root, "sqlite-store"), "store.db")));

        opts.store = "sqlite:";
        CHECK(nereid_project_open(&project, "ws/sq", &opts) == NEREID_EINVALID);
        opts.store = "";
        CHECK(nereid_project_open(&project, "ws/sq", &opts) == NEREID_EINVALID);
        CHECK(strstr(nereid_error_last(), "empty location") != NULL);
        /* Workers are bounded: each is a thread with its own buffer. */
        {
                nereid_options many = opts;

                many.store = path_in(root, "sqlite-store");
                many.workers = 1025;
                CHECK(nereid_project_open(&project, "ws/sq", &many) == NEREID_EINVALID);
                CHECK(strstr(nereid_error_last(), "workers 1025") != NULL);
                CHECK(project == NULL);
                many.workers = 1024;
                CHECK(nereid_project_open(&project, "ws/sq", &many) == 0);
                nereid_project_free(project);
                project = NULL;
        }
        /* A server store: opening the project asks the server for it (in
         * sync mode; async degrades to queuing, SPEC section 9). */
        opts.store = "http://127.0.0.1:1";
        opts.mode = NEREID_MODE_SYNC;
        CHECK(nereid_project_open(&project, "ws/sq", &opts) == NEREID_ERROR);
        CHECK(strstr(nereid_error_last(), "cannot reach http://127.0.0.1:1") != NULL);
        /* A PostgreSQL store: opening the project connects (refused here). */
        opts.store = "postgres://127.0.0.1:1/nereid";
        CHECK(nereid_project_open(&project, "ws/sq", &opts) == NEREID_ERROR);
        CHECK(strstr(nereid_error_last(), "store postgres://127.0.0.1:1/nereid: cannot connect") !=
              NULL);
        CHECK(project == NULL);
        {
                nereid_projects *list = NULL;

                CHECK(nereid_projects_list(&list, &opts) == NEREID_ERROR);
                CHECK(list == NULL);
        }
}

/* Two projects of one process, each with its own S3 settings: the driver
 * sees the settings of the project it works for. */
static void test_s3_per_project(void)
{
        nereid_options a = NEREID_OPTIONS_INIT, b = NEREID_OPTIONS_INIT;
        nereid_project *pa = NULL, *pb = NULL;
        nereid_run *ra = NULL, *rb = NULL;

        a.store = path_in(root, "s3-a");
        b.store = path_in(root, "s3-b");
        b.s3_access_key_id = "AKIAB";
        b.s3_secret_access_key = "secret-b";
        b.s3_endpoint = "ftp://not-http";
        CHECK(nereid_project_open(&pa, "ws/a", &a) == 0);
        CHECK(nereid_project_open(&pb, "ws/b", &b) == 0);
        if (pa)
                CHECK(nereid_run_open(&ra, pa, NULL, NULL) == 0);
        if (pb)
                CHECK(nereid_run_open(&rb, pb, NULL, NULL) == 0);
        if (ra && rb) {
                CHECK(nereid_run_track_files(NULL, ra, "s", "s3://bucket/k", NULL) ==
                      NEREID_EACCESS);
                CHECK(nereid_run_track_files(NULL, rb, "s", "s3://bucket/k", NULL) ==
                      NEREID_EINVALID);
                CHECK(strstr(nereid_error_last(), "ftp://not-http") != NULL);
                CHECK(nereid_run_track_files(NULL, ra, "s", "s3://bucket/k", NULL) ==
                      NEREID_EACCESS);
        }
        nereid_run_free(ra);
        nereid_run_free(rb);
        nereid_project_free(pa);
        nereid_project_free(pb);
}

/* Counts progress calls and stops at the stop-th. */
struct canceller {
        int calls;
        int stop;
};

static int cancel_progress(const char *stage, uint64_t done, uint64_t total, void *payload)
{
        struct canceller *c = payload;

        (void)stage;
        (void)done;
        (void)total;
        return ++c->calls >= c->stop;
}

static int count_temporaries(const char *dir)
{
        DIR *d = opendir(dir);
        struct dirent *e;
        int n = 0;

        if (!d)
                return -1;
        while ((e = readdir(d)) != NULL)
                n += strstr(e->d_name, ".nereid-") != NULL;
        closedir(d);
        return n;
}

static void test_cancel(void)
{
        nereid_options opts = NEREID_OPTIONS_INIT;
        struct canceller c = {0, 1};
        nereid_project *project = NULL;
        nereid_run *run = NULL;
        char *data = xdup(path_in(root, "many")), *dest = xdup(path_in(root, "dest"));
        char hash[NEREID_HASH_HEXLEN + 1], name[64];
        int i;

        CHECK(mkdir(data, 0755) == 0);
        for (i = 0; i < MANY_FILES; i++) {
                snprintf(name, sizeof(name), "f%04d.txt", i);
                write_file(path_in(data, name), name);
        }
        opts.store = path_in(root, "cancel-store");
        opts.progress = cancel_progress;
        opts.payload = &c;
        opts.workers = 2;
        CHECK(nereid_project_open(&project, NULL, &opts) == 0);
        if (project)
                CHECK(nereid_run_open(&run, project, NULL, NULL) == 0);
        if (!run)
                goto cleanup;
        /* A track stopped by the callback fails and leaves the field as it was. */
        CHECK(nereid_run_track_files(hash, run, "data", data, NULL) == NEREID_ECANCELLED);
        CHECK(strstr(nereid_error_last(), "cancelled") != NULL);
        CHECK(c.calls == 1);
        CHECK(nereid_run_fetch_hash(hash, run, "data", NEREID_HASH_ARTIFACT) == NEREID_ENOTFOUND);
        /* The same handle works again once the callback lets it. */
        c.stop = 1 << 30;
        CHECK(nereid_run_track_files(hash, run, "data", data, NULL) == 0);
        CHECK(c.calls > 1);
        /* A download stopped by the callback: every target is complete or
         * absent, and no temporary file is left. */
        c.calls = 0;
        c.stop = 1;
        CHECK(nereid_run_download(run, "data", dest, NEREID_DOWNLOAD_COPY) == NEREID_ECANCELLED);
        CHECK(strstr(nereid_error_last(), "cancelled") != NULL);
        CHECK(count_temporaries(dest) == 0);
        CHECK(count_entries(dest) < MANY_FILES);
        for (i = 0; i < MANY_FILES; i++) {
                char text[64] = "";
                FILE *f;

                snprintf(name, sizeof(name), "f%04d.txt", i);
                if (!(f = fopen(path_in(dest, name), "r")))
                        continue;
                if (!fgets(text, sizeof(text), f))
                        text[0] = '\0';
                fclose(f);
                CHECK_STR(text, name);
        }
        c.stop = 1 << 30;
        CHECK(nereid_run_download(run, "data", dest, NEREID_DOWNLOAD_COPY) == 0);
        CHECK(count_entries(dest) == MANY_FILES);
cleanup:
        nereid_run_free(run);
        nereid_project_free(project);
        free(data);
        free(dest);
}

int main(void)
{
        if (scratch_begin("options") < 0)
                return 1;
        test_init_shutdown();
        test_from_env();
        CHECK(nereid_init() == 1);
        test_versions();
        test_no_environment();
        test_copied_at_open();
        test_store_locations();
        test_s3_per_project();
        test_cancel();
        CHECK(nereid_shutdown() == 0);
        return scratch_end(CHECK_DONE());
}
