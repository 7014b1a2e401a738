/*
 * nereid.h - the whole public API of libnereid, the artifact tracker.
 *
 * A project holds runs; a run holds artifact fields; a field holds the hash
 * of an artifact, an immutable list of file records (see SPEC section 2).
 * Every handle is opaque, created by nereid_*_open/new and released by
 * nereid_*_free. Every fallible function returns 0 or a negative NEREID_E*
 * code; the message of the last failure on this thread is read with
 * nereid_error_last(). Outputs come first; a hash is written into a
 * caller's buffer of NEREID_HASH_BUFSIZE bytes (the size is in the
 * prototype, so a compiler can catch a smaller one). No struct is passed
 * by value and every callback takes a void *payload, last, so the header
 * can be used through ctypes/FFI. The guide: docs/api/README.md.
 *
 * Lifetime and threads: call nereid_init() before anything else and
 * nereid_shutdown() after the last handle is freed. The library reads no
 * environment variable: a program passes its configuration in a
 * nereid_options (nereid_options_from_env() reads the environment for
 * programs that want to). A handle (a project, its runs) serves one thread
 * at a time; several handles, on one store or on several, may be used at
 * once from several threads. Lists (nereid_files, nereid_runs, ...) are
 * not changed after they are returned, so several threads may read one at
 * once. The library starts worker threads of its own for hashing and
 * downloads and joins them before the call returns; the progress callback
 * runs on the calling thread, the notify callback on any of them. One
 * thread outlives a call: an async run with a server (SPEC section 9)
 * delivers its queue from a background sender the run handle starts at
 * its first queued write and stops in nereid_run_free(). It works through
 * a store connection and a queue handle of its own and calls no callback,
 * so the handle's public calls stay one-thread-at-a-time as above while it
 * runs: the caller needs no lock of its own for it. The
 * last error is per thread. The library calls only reentrant libc
 * functions and installs no signal handler.
 */
#ifndef NEREID_H
#define NEREID_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The library is built with hidden symbols; only what is declared here is exported. */
#if defined(NEREID_BUILDING) && defined(__GNUC__)
#pragma GCC visibility push(default)
#endif

#define NEREID_VERSION_MAJOR 0
#define NEREID_VERSION_MINOR 1
#define NEREID_VERSION_PATCH 0

/** Length of a hash in hex, without the terminating NUL. */
#define NEREID_HASH_HEXLEN 64

/** Size of a buffer that receives a hash: the hex digits and the NUL. */
#define NEREID_HASH_BUFSIZE (NEREID_HASH_HEXLEN + 1)

/*
 * Status codes: 0 or one of these negative values. They are few, stable
 * and never renumbered: a new one only takes a new value. Bindings map
 * them to exceptions; nereid_error_name() gives each a stable name. The
 * nereid command maps them to its exit codes in one table (see
 * docs/api/errors.md); the values are not exit codes.
 */
enum nereid_status {
        NEREID_OK = 0,
        /** Any other failure ("error"). */
        NEREID_ERROR = -1,
        /** A bad argument, name, path or record ("invalid"). */
        NEREID_EINVALID = -2,
        /** The older name of NEREID_EINVALID. */
        NEREID_EUSAGE = -2,
        /** No such run, field, project, artifact or source ("not-found"). */
        NEREID_ENOTFOUND = -3,
        /** Access denied or credentials missing or refused ("access"). */
        NEREID_EACCESS = -4,
        /** Data that does not match its recorded hash ("integrity"). */
        NEREID_EINTEGRITY = -5,
        /** The thing to create exists already, differently ("exists"). */
        NEREID_EEXISTS = -6,
        /** A write refused because the handle is in read-only mode ("read-only"). */
        NEREID_EREADONLY = -7,
        /** The operation was cancelled before it finished ("cancelled"): the
         * progress callback returned non-zero, and nothing it would have
         * written was written. */
        NEREID_ECANCELLED = -8
};
/** Run modes, as the seed's init_run(mode=...). */
enum nereid_mode {
        NEREID_MODE_ASYNC = 0,
        NEREID_MODE_SYNC,
        NEREID_MODE_OFFLINE,
        NEREID_MODE_READ_ONLY,
        NEREID_MODE_DEBUG
};

/** Kinds of difference reported by nereid_diff_get(). */
enum nereid_change {
        NEREID_CHANGE_ADDED = 1,
        NEREID_CHANGE_REMOVED = 2,
        NEREID_CHANGE_CHANGED = 3
};

/** Which hash of an artifact (SPEC section 3). */
enum nereid_hash_kind {
        /** The artifact hash: records with their sources and times. */
        NEREID_HASH_ARTIFACT = 0,
        /** The content hash: the same data anywhere, any time. */
        NEREID_HASH_CONTENT = 1
};

typedef struct nereid_project nereid_project;
typedef struct nereid_run nereid_run;
typedef struct nereid_files nereid_files;
typedef struct nereid_file nereid_file;
typedef struct nereid_diff nereid_diff;
typedef struct nereid_runs nereid_runs;
typedef struct nereid_fields nereid_fields;

/**
 * Called for a warning (code 0: a skipped symlink, FIFO...) or a per-file
 * failure that does not stop the operation (negative code: a download that
 * failed while the others go on). message is one line, borrowed for the
 * duration of the call. May be called from any of the library's worker
 * threads as well as the calling thread, but never twice at once for one
 * project handle (the library serialises the calls).
 */
typedef void (*nereid_notify_cb)(int code, const char *message, void *payload);

/**
 * Called while long work goes on. stage is a short word ("hashing",
 * "listing", "downloading"); total is 0 when unknown. Called only from the
 * thread that called into the library, between units of work, never while
 * a library lock is held. Return 0 to go on; non-zero cancels the
 * operation, which then fails with NEREID_ECANCELLED and writes nothing
 * more: a cancelled track leaves the field as it was, a cancelled download
 * leaves every target either complete or untouched (no temporary file).
 */
typedef int (*nereid_progress_cb)(const char *stage, uint64_t done, uint64_t total, void *payload);

/** The library's version as "MAJOR.MINOR.PATCH"; a static string. */
const char *nereid_version(void);

/**
 * The message of the last failure on this thread, "what failed: why".
 * Every function that returns a status code (int) clears it when it is
 * called, so after a success it is "" and after a failure it says why
 * that call failed. Functions that cannot fail (accessors, setters,
 * nereid_*_free, nereid_error_name, nereid_download_abort) leave it as it
 * is, so handles may be freed before the message is read.
 * Borrowed, valid until the next call of a function that returns a status
 * on this thread; never NULL (an empty string when nothing failed).
 * Passing NULL for a handle (a project, run, list or record) to any
 * function that does not document NULL as accepted is a programming
 * error, caught by assert() in debug builds.
 */
const char *nereid_error_last(void);

/**
 * The stable name of a status code, like libuv's uv_err_name(): "ok",
 * "error", "invalid", "not-found", "access", "integrity", "exists",
 * "read-only", "cancelled"; "unknown" for any other value. A static
 * string; names are never changed.
 */
const char *nereid_error_name(int code);

/**
 * Start using the library: call it once before anything else, from any
 * thread; it is reference-counted (as git_libgit2_init), so every call must
 * be matched by one nereid_shutdown(). The first call initialises libcurl
 * (curl_global_init), which is not safe while another thread of the
 * process uses libcurl: call it early, before starting threads.
 * @return the number of nereid_init() calls not yet matched by a
 *         nereid_shutdown() (1 for the first), or NEREID_ERROR
 */
int nereid_init(void);

/**
 * Stop using the library. The call that matches the first nereid_init()
 * releases what it holds (curl_global_cleanup); every handle must have
 * been freed by then. Without a matching nereid_init() it does nothing.
 * @return the number of nereid_init() calls still not matched, or
 *         NEREID_ERROR when there was none
 */
int nereid_shutdown(void);

/** The version of struct nereid_options this header describes. */
#define NEREID_OPTIONS_VERSION 2

/**
 * The MD5 implementation that hashes local files (nereid_options.md5,
 * NEREID_MD5): every one gives the same digests; they differ in speed.
 */
enum nereid_md5 {
        /** The widest this CPU runs: AVX-512, else AVX2, else scalar. */
        NEREID_MD5_AUTO = 0,
        /** OpenSSL's MD5, one file at a time per worker. */
        NEREID_MD5_SCALAR = 1,
        /** Multi-buffer MD5 in AVX2 lanes (up to 8 files per worker). */
        NEREID_MD5_AVX2 = 2,
        /** Multi-buffer MD5 in AVX-512 lanes (up to 32 files per worker). */
        NEREID_MD5_AVX512 = 3
};

/**
 * Everything a project handle needs to know about its environment, given
 * by the program rather than read by the library, so that one process can
 * hold several projects on several stores with several sets of credentials.
 * Fill it with NEREID_OPTIONS_INIT or nereid_options_init(), then either
 * set the fields or call nereid_options_from_env() (the way the command
 * line works), and pass it to nereid_project_open(). Every string is
 * copied when the project is opened: the caller may free or change it
 * afterwards. NULL (or 0) means the default said for each field. Plain
 * pointers and ints only, so that ctypes can declare it; fields are only
 * ever appended, with NEREID_OPTIONS_VERSION raised.
 */
typedef struct nereid_options {
        /** NEREID_OPTIONS_VERSION of the header the caller was built with. */
        unsigned int version;
        /** "workspace/project" opened when nereid_project_open() is given
         * NULL; NULL: the built-in "local/sandbox". */
        const char *project;
        /** The store (SPEC section 8): a folder, or "sqlite:FOLDER", of the
         * embedded store; "http(s)://..." and "postgres://..." are refused
         * ("no store backend") until a backend exists. NULL: HOME/.nereid,
         * HOME being the home field or else the user's home folder. */
        const char *store;
        /** API token for a server store; unused by the embedded one. */
        const char *api_token;
        /** One of enum nereid_mode. */
        int mode;
        /** Threads that hash files and transfer downloads; 0: one per CPU;
         * at most 1024 (more is NEREID_EINVALID). */
        unsigned int workers;
        /** sys/owner of the runs this handle makes; NULL: the login name of
         * the user the process runs as, else "unknown". */
        const char *owner;
        /** The home folder that "~" and "~/" stand for in tracked paths;
         * NULL: such paths are refused. */
        const char *home;
        /** Folder of the hash cache (hashcache.db); NULL: the store's
         * folder (for a store that is not a folder, HOME/.nereid). */
        const char *cache;
        /** S3 credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
         * AWS_SESSION_TOKEN); without the first two, S3 fails with
         * NEREID_EACCESS. */
        const char *s3_access_key_id;
        const char *s3_secret_access_key;
        const char *s3_session_token;
        /** S3 region; NULL: "us-east-1". */
        const char *s3_region;
        /** An S3-compatible service ("http://127.0.0.1:9000"), addressed
         * path-style; NULL: AWS, virtual-host style. */
        const char *s3_endpoint;
        /** Warnings and per-file failures; may be NULL. */
        nereid_notify_cb notify;
        /** Progress, and cancellation; may be NULL. */
        nereid_progress_cb progress;
        /** Passed to notify and progress. */
        void *payload;
        /** The library's: what nereid_options_from_env() allocated, freed
         * by nereid_options_dispose(). NULL otherwise. */
        void *internal;
        /** One of enum nereid_md5 (version 2); an implementation this CPU
         * cannot run makes nereid_project_open() fail with
         * NEREID_EINVALID. */
        int md5;
} nereid_options;

/** Initialiser of a nereid_options: every field NULL or 0 (mode async). */
#define NEREID_OPTIONS_INIT                                                                        \
        {                                                                                          \
                NEREID_OPTIONS_VERSION, NULL, NULL, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL,      \
                    NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0                                    \
        }

/**
 * Set every field of opts to its default, as NEREID_OPTIONS_INIT does (for
 * bindings that cannot use the macro).
 * @param version NEREID_OPTIONS_VERSION
 * @return 0, or NEREID_EINVALID for a version this library does not know
 */
int nereid_options_init(nereid_options *opts, unsigned int version);

/**
 * Fill opts from the environment as SPEC section 6 says (a variable that
 * is empty counts as unset): project from NEREID_PROJECT, else
 * NEPTUNE_PROJECT; store from NEREID_STORE, else NEREID_HOME unless an
 * API token is set (from the environment or already in opts: the store is
 * then the server the token names, SPEC section 8); cache from
 * NEREID_HOME; api_token from NEREID_API_TOKEN, else NEPTUNE_API_TOKEN;
 * owner from USER; home from HOME; S3 from AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION (else
 * AWS_DEFAULT_REGION) and S3_ENDPOINT_URL; with options of version 2 or
 * later, md5 from NEREID_MD5 ("auto", "scalar", "avx2", "avx512"; another
 * value is NEREID_EINVALID naming it). Fields whose variables are
 * unset are left as they are; the others point into a copy that
 * nereid_options_dispose() frees. The only function of the library that
 * reads the environment; like getenv(), it must not run while another
 * thread changes the environment.
 * @param opts initialised options
 * @return 0, NEREID_EINVALID for options of an unknown version or a bad
 *         NEREID_MD5, or NEREID_ERROR (out of memory)
 */
int nereid_options_from_env(nereid_options *opts);

/**
 * Free what nereid_options_from_env() allocated and reset the fields that
 * pointed into it to NULL; the other fields are left as they are. Safe on
 * options that own nothing, and twice.
 */
void nereid_options_dispose(nereid_options *opts);

/**
 * Parse a mode name ("async", "sync", "offline", "read-only", "debug").
 * @param out receives the mode (enum nereid_mode)
 * @param name the name
 * @return 0, or NEREID_EINVALID for an unknown name
 */
int nereid_mode_parse(int *out, const char *name);

/**
 * Open a project. Opening only reads: the store and the project are
 * created by the first run made in them (never in read-only mode); until
 * then reads of the project fail with NEREID_ENOTFOUND, except that the
 * built-in project reads as empty. A store this user may only read is
 * read; writes to it fail with NEREID_EACCESS. Needs nereid_init().
 * The handle serves one thread at a time; two handles (on the same store
 * or on others) may be used at once from two threads.
 * @param out receives the handle; caller frees with nereid_project_free()
 * @param name "workspace/project" (each part [A-Za-z0-9_.-]+, not "." or
 *        ".."), or NULL for opts->project, then the built-in local project
 * @param opts the configuration, copied; NULL for NEREID_OPTIONS_INIT
 * @return 0, NEREID_EINVALID for a bad name, mode, store location or options
 *         version, NEREID_ERROR for a store scheme without a backend, a
 *         store that is another program's database or of a newer Nereid,
 *         or without nereid_init()
 */
int nereid_project_open(nereid_project **out, const char *name, const nereid_options *opts);

/**
 * Create a project now (nothing is written in debug mode), or open it
 * when it exists already with that key.
 * @param out receives the handle; caller frees with nereid_project_free()
 * @param key 2-10 uppercase letters, or NULL to derive it from the name
 * @param opts as nereid_project_open()
 * @return 0, NEREID_EINVALID for a bad name or key, NEREID_EREADONLY in
 *         read-only mode, NEREID_EACCESS for a store this user cannot
 *         write, NEREID_EEXISTS naming the existing key when the project
 *         exists with another key
 */
int nereid_project_create(nereid_project **out, const char *name, const char *key,
                          const nereid_options *opts);

/** The projects of the store, as nereid_projects_list() returns them. */
typedef struct nereid_projects nereid_projects;

/**
 * List the projects of the store opts names, sorted by name. Reads only:
 * a missing store has no projects.
 * @param out receives the list; caller frees with nereid_projects_free()
 * @param opts as nereid_project_open() (store and mode are used)
 */
int nereid_projects_list(nereid_projects **out, const nereid_options *opts);

/** Number of projects in a list. */
size_t nereid_projects_count(const nereid_projects *projects);

/** Project i's "workspace/project" name; borrowed, valid until the list is
 * freed; NULL out of range. */
const char *nereid_projects_name(const nereid_projects *projects, size_t i);

/** Project i's run-ID key; borrowed as the name; NULL out of range. */
const char *nereid_projects_key(const nereid_projects *projects, size_t i);

/** Project i's number of runs; 0 out of range. */
uint64_t nereid_projects_runs(const nereid_projects *projects, size_t i);

/** Release a list of projects; NULL is accepted. */
void nereid_projects_free(nereid_projects *projects);

/** Release a project handle; NULL is accepted. */
void nereid_project_free(nereid_project *project);

/** The project's "workspace/project" name; borrowed, valid until freed. */
const char *nereid_project_name(const nereid_project *project);

/** The project's run-ID key, e.g. "CLS"; borrowed, valid until freed. */
const char *nereid_project_key(const nereid_project *project);

/**
 * List the runs of the project with their sys/ values, oldest first, read
 * in one store query.
 * @param out receives the list; caller frees with nereid_runs_free()
 * @param project the project
 * @return 0 or an error code
 */
int nereid_project_runs(nereid_runs **out, nereid_project *project);

/**
 * One page of the runs of the project, oldest first, read in one store
 * query: the runs after run after_id, at most limit of them. Pagination
 * is by run number (keyset), so every page costs the same wherever it
 * starts and runs made meanwhile are neither skipped nor repeated. Pass
 * NULL for the first page, then the ID of the last run of each page; an
 * empty list (or one shorter than limit) is the last page.
 * @param out receives the list; caller frees with nereid_runs_free()
 * @param project the project
 * @param after_id a run ID of this project ("KEY-N"; the run need not
 *        exist), or NULL to start at the first run
 * @param limit the most runs to return; 0 for no limit
 * @return 0, NEREID_EINVALID for an after_id that is not a run ID of this
 *         project, or an error code
 */
int nereid_project_runs_page(nereid_runs **out, nereid_project *project, const char *after_id,
                             size_t limit);

/** Number of runs in a list; 0 for NULL. */
size_t nereid_runs_count(const nereid_runs *runs);

/*
 * sys/ values of run i of a list: sys/id, sys/name ("" when none was given),
 * sys/owner, sys/creation_time, sys/modification_time. Borrowed, valid until
 * the list is freed; NULL when i is out of range. Names and owners are
 * returned as they were stored: they may hold any byte but NUL (control
 * characters, invalid UTF-8), so escape them before printing.
 */
const char *nereid_runs_id(const nereid_runs *runs, size_t i);
const char *nereid_runs_name(const nereid_runs *runs, size_t i);
const char *nereid_runs_owner(const nereid_runs *runs, size_t i);
const char *nereid_runs_creation_time(const nereid_runs *runs, size_t i);
const char *nereid_runs_modification_time(const nereid_runs *runs, size_t i);
/** sys/uuid of run i: the UUID its client made when creating it (36
 * lowercase characters); borrowed as above; NULL out of range, or for a
 * store that does not tell it. */
const char *nereid_runs_uuid(const nereid_runs *runs, size_t i);
/** Run metadata of run i (see nereid_run_create()); borrowed, valid until
 * the list is freed. custom_run_id is NULL when the run has none (or i is
 * out of range); description is "" when none (NULL out of range). */
const char *nereid_runs_custom_run_id(const nereid_runs *runs, size_t i);
const char *nereid_runs_description(const nereid_runs *runs, size_t i);
/** Number of tags of run i (0 out of range). */
size_t nereid_runs_tag_count(const nereid_runs *runs, size_t i);
/** Tag j of run i, the tags sorted bytewise; borrowed as above; NULL out of range. */
const char *nereid_runs_tag(const nereid_runs *runs, size_t i, size_t j);

/** Release a list of runs; NULL is accepted. */
void nereid_runs_free(nereid_runs *runs);

/**
 * Find whether an artifact with this hash exists in the project.
 * @return 0 when it exists, NEREID_ENOTFOUND otherwise
 */
int nereid_project_artifact_exists(nereid_project *project, const char *hash);

/**
 * List the records of an artifact of the project, sorted by file_path.
 * @param out receives the list; caller frees with nereid_files_free()
 * @param hash the artifact hash (64 lowercase hex digits)
 * @return 0, NEREID_ENOTFOUND when the project has no such artifact
 */
int nereid_project_artifact_files(nereid_files **out, nereid_project *project, const char *hash);

/** Release a string returned by the library; NULL is accepted. */
void nereid_string_free(char *s);

/**
 * Open a run: an existing one by ID, or a new one.
 * @param out receives the handle; caller frees with nereid_run_free()
 * @param project the project; must outlive the run
 * @param run_id "KEY-N", or NULL to create a new run (and the project and
 *        the store, when this is their first run)
 * @param name the new run's sys/name, or NULL; ignored for existing runs
 * @return 0, NEREID_ENOTFOUND for an unknown run (or project),
 *         NEREID_EREADONLY when a new run is asked for in read-only mode,
 *         NEREID_EACCESS in a store this user cannot write
 */
int nereid_run_open(nereid_run **out, nereid_project *project, const char *run_id,
                    const char *name);

/** The version of struct nereid_run_options this header describes. */
#define NEREID_RUN_OPTIONS_VERSION 1

/**
 * What nereid_run_create() makes: Neptune's init_run() arguments. Plain
 * pointers and ints only (ctypes can declare it); fields are only ever
 * appended, with NEREID_RUN_OPTIONS_VERSION raised. Every string is
 * borrowed for the call. NULL (or 0) means the default said for each.
 */
typedef struct nereid_run_options {
        /** NEREID_RUN_OPTIONS_VERSION of the header the caller was built with. */
        unsigned int version;
        /** The run's UUID, made by the client so that a retried create
         * finds the run it made (8-4-4-4-12 hex digits, any case, kept
         * lowercase); NULL: a random version-4 UUID (OpenSSL RAND_bytes). */
        const char *uuid;
        /** Neptune's custom_run_id: a run of the project with this ID is
         * resumed instead of a new one made. 1-128 bytes of valid UTF-8
         * without control characters; NULL: none. */
        const char *custom_run_id;
        /** sys/name; any byte but NUL; NULL: "". */
        const char *name;
        /** sys/description; at most 16384 bytes, any byte but NUL; NULL: "". */
        const char *description;
        /** sys/tags, a set: kept sorted (bytewise) without duplicates. Each
         * tag is 1-128 bytes of valid UTF-8 with no control character, no
         * ',' and no leading or trailing space; at most 100 distinct. */
        const char *const *tags;
        /** Number of entries in tags. */
        size_t ntags;
} nereid_run_options;

/** Initialiser of a nereid_run_options: every field NULL or 0. */
#define NEREID_RUN_OPTIONS_INIT                                                                    \
        {                                                                                          \
                NEREID_RUN_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL, 0                        \
        }

/**
 * Set every field of opts to its default, as NEREID_RUN_OPTIONS_INIT does
 * (for bindings that cannot use the macro).
 * @param version NEREID_RUN_OPTIONS_VERSION
 * @return 0, or NEREID_EINVALID for a version this library does not know
 */
int nereid_run_options_init(nereid_run_options *opts, unsigned int version);

/**
 * Create a run, or find the one a retried create or a resume names: when
 * the project has a run with opts->uuid (a retry), or, with
 * opts->custom_run_id set, a run with that custom_run_id (Neptune's
 * resume), that run is opened and nothing is created or changed (its name,
 * description and tags stay as they were); nereid_run_resumed() tells
 * which happened. Atomic, also against concurrent creators with the same
 * uuid or custom_run_id: they all get one run. Creates the project and the
 * store with their first run. sys/owner comes from the project's options.
 * In read-only mode (as Neptune's), a run named by opts->uuid or
 * opts->custom_run_id is opened (found by walking the project's runs) and
 * anything else is NEREID_EREADONLY.
 * @param out receives the handle; caller frees with nereid_run_free()
 * @param project the project; must outlive the run
 * @param opts what to make; NULL for NEREID_RUN_OPTIONS_INIT
 * @return 0, NEREID_EINVALID for a bad uuid, custom_run_id, description or
 *         tag (the message names it; nothing is created),
 *         NEREID_EREADONLY in read-only mode (unless an existing run is
 *         named), NEREID_EACCESS in a store this user cannot write
 */
int nereid_run_create(nereid_run **out, nereid_project *project, const nereid_run_options *opts);

/**
 * 1 when the run was opened by nereid_run_create() finding an existing run
 * (by uuid or custom_run_id), 0 otherwise (a new run, or nereid_run_open()).
 */
int nereid_run_resumed(const nereid_run *run);

/**
 * How long nereid_run_free() waits for a queued run's delivery (ms), and
 * the longest a read of an async run waits for its own writes: long enough
 * for a slow server to take a run's last writes at the end of a job, short
 * enough that a job whose server is gone ends within a minute (what is left
 * stays queued for `nereid sync`).
 */
#define NEREID_WAIT_DEFAULT_MS 30000

/**
 * Stop the run and release the handle; NULL is accepted. With a server in
 * async mode, first waits up to NEREID_WAIT_DEFAULT_MS for what the run
 * queued to be delivered (nereid_run_wait()); what is left stays queued for
 * `nereid sync`, with one warning through the notify callback (a refused
 * operation is told there too, with its negative code). Then the
 * background sender is stopped after the request it has in flight, if any
 * (bounded by the HTTP store's timeouts).
 */
void nereid_run_free(nereid_run *run);

/**
 * Wait for the delivery of what this handle queued (SPEC section 9: async
 * mode with a server) by the run's background sender, which retries an
 * unreachable or unavailable server (5xx, 429: the HTTP store honours
 * Retry-After) with exponential backoff and full jitter, up to timeout_ms
 * (0: only look). Without a queue (the embedded store, sync mode) there is
 * nothing to wait for. In offline mode nothing is delivered: one warning
 * names `nereid sync`. In async mode a write returns once its operation is
 * on disk in the queue, without waiting on the server, unless it asks for
 * the field's new hash (hash_out not NULL): the server makes a merge, so
 * the call then waits for the operation's delivery, or for a try of it to
 * fail (the hash is then that of the queue's records). A refusal the
 * sender met (the server will never take that operation: it is dropped
 * from the queue) is returned once, by the next wait, read or free. Reads
 * of an async run first wait for the handle's own writes likewise.
 * @return 0 when nothing is left queued; 1 when some is left (one warning
 *         naming `nereid sync` was given through the notify callback);
 *         a negative code when the server refused an operation
 */
int nereid_run_wait(nereid_run *run, unsigned int timeout_ms);

/**
 * What nereid_sync() did with one queued run, or what nereid_queue_status()
 * found: queued_id is "offline/<uuid>"; run_id the server's ID ("" when it
 * has none yet); ops the operations still queued; bytes the queue's size on
 * disk; live 1 while a process still writes into it (then sync delivers it
 * up to where it is and keeps it); rc 0, or the failure whose message is
 * message (NULL when rc is 0). Strings are borrowed for the call.
 */
typedef int (*nereid_queue_cb)(const char *queued_id, const char *project, const char *run_id,
                               uint64_t ops, uint64_t bytes, int live, int rc, const char *message,
                               void *payload);

/**
 * Deliver the queued runs (SPEC section 9) through the project's store:
 * every queue under NEREID_HOME (the options' cache folder), or those of
 * project only (NULL: every project), or only the runs named in ids
 * ("offline/<uuid>"; n of them, 0: all). Each run is created by its UUID
 * (a rerun after a crash finds the same run), each operation applied once
 * and removed only once acknowledged; a queue is deleted after its last
 * acknowledgement unless a process still writes into it. A run that fails
 * does not stop the others: cb hears of every run.
 * @return 0 when every run was delivered, else the first failure's code
 */
int nereid_sync(nereid_project *via, const char *project, const char *const *ids, size_t n,
                nereid_queue_cb cb, void *payload);

/**
 * What is queued, per run, oldest first (cb's rc is 0 and message NULL).
 * @return 0, or a failure reading the queues
 */
int nereid_queue_status(nereid_project *via, const char *project, nereid_queue_cb cb,
                        void *payload);

/** The run's ID, e.g. "CLS-45"; borrowed, valid until the run is freed. */
const char *nereid_run_id(const nereid_run *run);

/**
 * Read a sys/ field: sys/id, sys/name, sys/owner, sys/creation_time,
 * sys/modification_time, sys/description ("" when none), sys/tags (the
 * tags sorted bytewise and joined by ',', "" when none; a tag holds no
 * ','), sys/custom_run_id (NEREID_ENOTFOUND when the run has none),
 * sys/uuid (the UUID the client made when creating the run, 36 lowercase
 * characters; NEREID_ENOTFOUND for a store that does not tell it).
 * @param out receives the value; caller frees with nereid_string_free()
 * @return 0 or NEREID_ENOTFOUND for another name
 */
int nereid_run_sys(char **out, nereid_run *run, const char *field);

/**
 * List every field of the run: sys/ first (sorted by path), then the
 * artifact fields sorted by path, each with its value (a sys/ value, or an
 * artifact field's hash). sys/custom_run_id, sys/description, sys/tags
 * and sys/uuid are listed only when they are not empty (values as
 * nereid_run_sys()).
 * @param out receives the list; caller frees with nereid_fields_free()
 * @param run the run
 * @return 0 or an error code
 */
int nereid_run_fields(nereid_fields **out, nereid_run *run);

/** Number of fields in a list; 0 for NULL. */
size_t nereid_fields_count(const nereid_fields *fields);

/** Path of field i ("sys/name", "data_versions/train"); borrowed, valid
 * until the list is freed; NULL out of range. */
const char *nereid_fields_path(const nereid_fields *fields, size_t i);

/** Value of field i; borrowed, valid until the list is freed; NULL out of
 * range. A sys/ value may hold any byte but NUL: escape it before printing. */
const char *nereid_fields_value(const nereid_fields *fields, size_t i);

/** Release a list of fields; NULL is accepted. */
void nereid_fields_free(nereid_fields *fields);

/**
 * Track files into an artifact field (SPEC section 4): record every file
 * at path, add the records to what the field holds, store the result.
 * @param hash_out receives the field's new artifact hash, NUL-terminated
 *        (NEREID_HASH_BUFSIZE bytes); may be NULL
 * @param run the run
 * @param field a field path such as "data_versions/train"
 * @param path a local path, ~/..., file:// URI or s3://bucket/prefix
 * @param destination prefix of every recorded file_path, or NULL
 * @return 0 or an error code; on error the field is unchanged
 */
int nereid_run_track_files(char hash_out[NEREID_HASH_BUFSIZE], nereid_run *run, const char *field,
                           const char *path, const char *destination);

/**
 * Like nereid_run_track_files(), but the field then holds exactly the
 * records of this track (no union with what it held) and status re-scans
 * only this path. Atomic: on error the field is unchanged.
 */
int nereid_run_track_files_replace(char hash_out[NEREID_HASH_BUFSIZE], nereid_run *run,
                                   const char *field, const char *path, const char *destination);

/**
 * Remove a field, or every field below a namespace (Neptune's
 * del run[path]), in one transaction. The artifacts stay in the project, so
 * nereid_run_assign_hash() can bring one back.
 * @return 0, NEREID_EINVALID for a sys/ field or a bad path,
 *         NEREID_ENOTFOUND when there is no such field, NEREID_EREADONLY in
 *         read-only mode
 */
int nereid_run_remove_field(nereid_run *run, const char *field);

/**
 * Track files into a new run, which is created only once the files have
 * been scanned: a track that fails while listing or hashing leaves no run
 * behind. (A store that fails to write the field just after making the
 * run, a full disk say, leaves that run empty.)
 * @param out receives the new run on success, NULL on any failure; caller
 *        frees with nereid_run_free()
 * @param hash_out as nereid_run_track_files()
 * @param project the project
 * @param name the new run's sys/name, or NULL
 * Other parameters and the return value as nereid_run_track_files().
 */
int nereid_run_track_new(nereid_run **out, char hash_out[NEREID_HASH_BUFSIZE],
                         nereid_project *project, const char *name, const char *field,
                         const char *path, const char *destination);

/**
 * Store records into an artifact field, with the union rule of track (for
 * imports from other trackers' exports). Every record is checked first
 * (SPEC section 2: a relative file_path without ".", ".." or empty
 * segments, type "Local" or "S3", a Local file_hash of 32 lowercase hex, a
 * file:// or s3:// source, a "YYYY-MM-DD HH:MM:SS" last_modified, distinct
 * file_path values); the first bad one fails the whole import and nothing
 * is stored.
 * @param hash_out NEREID_HASH_BUFSIZE bytes, or NULL
 * @param files the records; left as they are
 * @return 0, NEREID_EINVALID naming the first bad record ("import: record N
 *         (\"file_path\"): why", N counted from 1)
 */
int nereid_run_import_files(char hash_out[NEREID_HASH_BUFSIZE], nereid_run *run, const char *field,
                            const nereid_files *files);

/**
 * nereid_run_import_files for the JSON array of SPEC section 2 read from
 * fd to its end, one record at a time: memory grows with the records, not
 * with the size of the JSON text. When fd is a regular file whose records
 * are sorted by file_path and the field holds no artifact, the file is
 * read twice and the records streamed to the store: memory does not grow
 * at all. A record of more than 1 MiB of JSON is refused.
 * @param hash_out NEREID_HASH_BUFSIZE bytes, or NULL
 * @param fd an open file descriptor (a file, a pipe); read, never closed
 * @param label names the input in error messages (a file name), or NULL
 * @return 0, NEREID_EINVALID naming the first bad record ("LABEL: record N
 *         (\"file_path\"): why") or JSON error (with its byte offset), or
 *         the error of a failed read; nothing is stored on failure
 */
int nereid_run_import_json(char hash_out[NEREID_HASH_BUFSIZE], nereid_run *run, const char *field,
                           int fd, const char *label);

/**
 * Read the hash of an artifact field.
 * @param hash_out receives the hash (NEREID_HASH_BUFSIZE bytes)
 * @param kind NEREID_HASH_ARTIFACT or NEREID_HASH_CONTENT
 * @return 0, NEREID_ENOTFOUND when the field does not exist,
 *         NEREID_EINVALID for another kind
 */
int nereid_run_fetch_hash(char hash_out[NEREID_HASH_BUFSIZE], nereid_run *run, const char *field,
                          enum nereid_hash_kind kind);

/**
 * Read the records of an artifact field, sorted by file_path.
 * @param out receives the list; caller frees with nereid_files_free()
 * @return 0, NEREID_ENOTFOUND when the field does not exist
 */
int nereid_run_fetch_files_list(nereid_files **out, nereid_run *run, const char *field);

/** Called with each record in turn, on the thread that called
 * nereid_run_each_file(); file is borrowed for the call. A non-zero return
 * stops the walk and is returned by the caller. */
typedef int (*nereid_file_cb)(const nereid_file *file, void *payload);

/**
 * Call cb for every record of an artifact field, sorted by file_path,
 * one at a time: memory does not grow with the number of records.
 * @return 0, NEREID_ENOTFOUND when the field does not exist, or what cb
 *         returned when it stopped the walk
 */
int nereid_run_each_file(nereid_run *run, const char *field, nereid_file_cb cb, void *payload);

/** Flags of nereid_run_download(), or-ed together. */
enum nereid_download_flag {
        /** Copy local sources (verified against their MD5, keeping the
         * source's permission bits and modification time) rather than
         * making symbolic links to them. */
        NEREID_DOWNLOAD_COPY = 1,
        /** Replace a target that exists with other content (it is
         * otherwise reported and left as it is). A target that is the
         * source file itself is never replaced, even so. */
        NEREID_DOWNLOAD_FORCE = 2
};

/**
 * Recreate every file of the field under destination (SPEC section 5).
 * A target already holding the recorded file is left alone; one holding
 * anything else is left as it is and reported (NEREID_ERROR) unless
 * NEREID_DOWNLOAD_FORCE is given; a target that is the source file itself
 * is never replaced by a link to itself. Copies and S3 objects are written
 * to a temporary file ".NAME.nereid-XXXXXX" beside the target and renamed
 * into place; stale temporaries that a killed download left in a folder
 * written into are removed.
 * Failures of single files are reported through the notify callback and
 * the others still go on; the call then fails with the message
 * "RUN:FIELD: N of M files could not be downloaded".
 * @param destination a folder, created if needed; NULL means "."
 * @param flags 0 (symbolic links to local sources, existing targets with
 *        other content kept) or enum nereid_download_flag values or-ed
 * @return 0 when every file is in place, else the code of the failed
 *         file whose file_path sorts first (whichever failed first in
 *         time, the code is the same); NEREID_EINVALID for unknown flags
 */
int nereid_run_download(nereid_run *run, const char *field, const char *destination, int flags);

/**
 * Remove the temporary files of every download in progress in this
 * process; from then on no new one is made (the downloads still running
 * fail). Async-signal-safe:
 * the library installs no signal handler, so a program that wants
 * SIGINT/SIGTERM to leave nothing behind calls this from its handler and
 * then ends the process (e.g. restores the default action and raises the
 * signal again). A temporary left anyway (SIGKILL, a crash) is removed by
 * the next download into the same folder.
 */
void nereid_download_abort(void);

/**
 * Set a field to the artifact that another run's field holds.
 * @param src_run_id the other run's ID (may be this run's)
 */
int nereid_run_assign_field(nereid_run *run, const char *field, const char *src_run_id,
                            const char *src_field);

/**
 * Set a field to an artifact of the project given by its hash.
 * @return 0, NEREID_ENOTFOUND when no such artifact exists in the project
 */
int nereid_run_assign_hash(nereid_run *run, const char *field, const char *hash);

/**
 * Re-scan the sources the field was tracked from and compare them with
 * what is recorded.
 * @param out receives the differences, recorded as "old" and scanned as
 *        "new"; caller frees with nereid_diff_free()
 * @return 0 (whether or not anything differs), NEREID_ENOTFOUND when the
 *         field does not exist, or the error of a failed scan
 */
int nereid_run_status(nereid_diff **out, nereid_run *run, const char *field);

/** Number of records in a list. */
size_t nereid_files_count(const nereid_files *files);

/** Record i of a list; borrowed, valid until the list is freed; NULL out of range. */
const nereid_file *nereid_files_get(const nereid_files *files, size_t i);

/** Release a list of records; NULL is accepted. */
void nereid_files_free(nereid_files *files);

/**
 * Serialise a list as the JSON array of SPEC section 2 (NULL: "[]").
 * @param out receives the text; caller frees with nereid_string_free()
 * @return 0, NEREID_EINVALID for a record that cannot be written
 */
int nereid_files_to_json(char **out, const nereid_files *files);

/**
 * Serialise one record as the JSON object of SPEC section 2.
 * @param out receives the text; caller frees with nereid_string_free()
 * @return 0, NEREID_EINVALID for a record that cannot be written
 */
int nereid_file_to_json(char **out, const nereid_file *file);

/**
 * Parse a JSON array of records (SPEC section 2).
 * @param out receives the list; caller frees with nereid_files_free()
 * @param json NUL-terminated text
 * @return 0 or NEREID_EINVALID naming what is wrong
 */
int nereid_files_from_json(nereid_files **out, const char *json);

/**
 * Compute the artifact hash or the content hash of a list of records, as
 * SPEC section 3 defines.
 * @param hash_out receives the hash (NEREID_HASH_BUFSIZE bytes)
 * @param kind NEREID_HASH_ARTIFACT or NEREID_HASH_CONTENT
 * @return 0, NEREID_EINVALID for a bad record or another kind
 */
int nereid_files_hash(char hash_out[NEREID_HASH_BUFSIZE], const nereid_files *files,
                      enum nereid_hash_kind kind);

/* Accessors of one record; strings are borrowed, valid until the list is freed. */
const char *nereid_file_path(const nereid_file *file);
const char *nereid_file_hash(const nereid_file *file);
const char *nereid_file_type(const nereid_file *file);
/** 1 when the size is known, 0 when it is null. */
int nereid_file_has_size(const nereid_file *file);
uint64_t nereid_file_size(const nereid_file *file);
/** metadata.file_path, or NULL when absent. */
const char *nereid_file_source(const nereid_file *file);
/** metadata.last_modified, or NULL when absent. */
const char *nereid_file_last_modified(const nereid_file *file);

/**
 * Compare two lists by file_path: a record only in new is added, only in
 * old removed, in both with another file_hash, size or type changed.
 * @param out receives the differences; caller frees with nereid_diff_free()
 * @return 0 (whether or not anything differs) or an error code
 */
int nereid_diff_files(nereid_diff **out, const nereid_files *old_files,
                      const nereid_files *new_files);

/** Number of differences; 0 when the lists hold the same files. */
size_t nereid_diff_count(const nereid_diff *diff);

/**
 * Difference i: its kind (enum nereid_change) and file_path.
 * @param path_out receives the file_path, borrowed, valid until the diff
 *        is freed (NULL out of range)
 * @return the kind, or 0 out of range
 */
int nereid_diff_get(const char **path_out, const nereid_diff *diff, size_t i);

/** Release a diff; NULL is accepted. */
void nereid_diff_free(nereid_diff *diff);

/**
 * Check a field path (SPEC section 1): segments of [A-Za-z0-9_.-]+ joined
 * by '/', none of them "." or "..", at most 1024 bytes.
 * @return 0, or NEREID_EINVALID with a message saying what is wrong
 */
int nereid_field_path_check(const char *field);

/*
 * Reverse lookups (SPEC section 7: `nereid used-by`, `nereid find-file`),
 * answered from the store's indexes. A nereid_refs is a list of fields,
 * each a run ID and a field path, and for find-file the file_path of the
 * matching record, sorted by run (oldest first), field, file_path.
 */
typedef struct nereid_refs nereid_refs;

/**
 * Every field of the project that holds the artifact with this hash.
 * @param out receives the list (possibly empty); caller frees with nereid_refs_free()
 * @return 0; NEREID_EINVALID for a hash that is not 64 lowercase hex digits;
 *         NEREID_ENOTFOUND when the project has no such artifact
 */
int nereid_project_used_by(nereid_refs **out, nereid_project *project, const char *hash);

/**
 * Every field of the project whose artifact has a record with this
 * file_hash (an MD5 as 32 hex digits, any case, or an S3 multipart ETag
 * "MD5-N"), with that record's file_path.
 * @param out receives the list (possibly empty); caller frees with nereid_refs_free()
 * @return 0, or NEREID_EINVALID for a malformed hash
 */
int nereid_project_find_file(nereid_refs **out, nereid_project *project, const char *file_hash);

/** Number of entries of a list; 0 for NULL. */
size_t nereid_refs_count(const nereid_refs *refs);

/*
 * Entry i: its run ID, field path, and file_path (NULL for used-by).
 * Borrowed, valid until the list is freed; NULL when i is out of range.
 * Paths may hold any byte but NUL: escape them before printing.
 */
const char *nereid_refs_run(const nereid_refs *refs, size_t i);
const char *nereid_refs_field(const nereid_refs *refs, size_t i);
const char *nereid_refs_file_path(const nereid_refs *refs, size_t i);

/** Release a list; NULL is accepted. */
void nereid_refs_free(nereid_refs *refs);

#if defined(NEREID_BUILDING) && defined(__GNUC__)
#pragma GCC visibility pop
#endif

#ifdef __cplusplus
}
#endif

#endif
