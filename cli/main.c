/*
 * main.c - the `nereid` command (SPEC section 7): parses arguments, calls
 * libnereid, prints results. Argument parsing and printing only: every
 * feature lives in the library. Commands and options are two tables
 * (cli_commands, cli_option_defs): a new option is a row there and a flag
 * in the rows of the commands it applies to. Errors are one line on stderr,
 * "nereid: <what failed>: <why>", with user data escaped (escape.c); the
 * exit code comes from the library status through one table (exitcode.c:
 * 1 failure, 2 usage, 3 not found, 4 access, 5 integrity; for status and
 * diff a general failure is 6, as 1 means "differs"). Every command checks
 * that its output was written.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ui.h"
#include "escape.h"
#include "exitcode.h"
#include "nereid.h"
#include "output.h"

#define CLI_MAX_ARGS 8
/* The most --tag options one command takes (a run has at most 100 distinct tags). */
#define CLI_MAX_TAGS 256

/* The options; each is a row of cli_option_defs and a bit in a command's row. */
enum cli_option_id {
        OPT_JSON,
        OPT_CONTENT,
        OPT_DESTINATION,
        OPT_COPY,
        OPT_FORCE,
        OPT_REPLACE,
        OPT_NAME,
        OPT_DESCRIPTION,
        OPT_TAG,
        OPT_CUSTOM_RUN_ID,
        OPT_KEY,
        OPT_PROJECT,
        OPT_MODE,
        OPT_WORKERS,
        OPT_API_TOKEN,
        OPT_STORE,
        OPT_RUN,
        OPT_STATUS,
        OPT_COUNT
};

#define OPT(id) (1u << (id))
/* Options every command takes (project new names its project otherwise). */
#define OPT_COMMON                                                                                 \
        (OPT(OPT_PROJECT) | OPT(OPT_MODE) | OPT(OPT_WORKERS) | OPT(OPT_API_TOKEN) | OPT(OPT_STORE))

typedef struct cli_option_def {
        const char *name; /* "--json" */
        const char *arg;  /* the value's name in usage ("D"), NULL for a switch */
        const char *help; /* one line for --help */
} cli_option_def;

/* Indexed by enum cli_option_id. */
static const cli_option_def cli_option_defs[OPT_COUNT] = {
    [OPT_JSON] = {"--json", NULL, "print JSON for programs instead of a table"},
    [OPT_CONTENT] = {"--content", NULL, "the content hash (same data anywhere, any time)"},
    [OPT_COPY] = {"--copy", NULL, "copy local files (verified by MD5) instead of linking"},
    [OPT_FORCE] = {"--force", NULL, "replace targets that hold other content"},
    [OPT_REPLACE] = {"--replace", NULL, "the field holds exactly what this track finds (no union)"},
    [OPT_NAME] = {"--name", "N", "the sys/name of the run it makes"},
    [OPT_DESCRIPTION] = {"--description", "D", "the sys/description of the run it makes"},
    [OPT_TAG] = {"--tag", "T", "a tag of the run it makes (again for more)"},
    [OPT_CUSTOM_RUN_ID] = {"--custom-run-id", "C",
                           "resume the run with this custom ID, or make it with this ID"},
    [OPT_DESTINATION] = {"--destination", "D", "a folder prefix (track) or target folder"},
    [OPT_KEY] = {"--key", "KEY", "the run-ID key of a new project (2-10 letters)"},
    [OPT_PROJECT] = {"--project", "WORKSPACE/PROJECT", "the project (else NEREID_PROJECT)"},
    [OPT_MODE] = {"--mode", "MODE", "async, sync, offline, read-only or debug"},
    [OPT_WORKERS] = {"--workers", "N", "threads for hashing and downloads (0: one per CPU)"},
    [OPT_API_TOKEN] = {"--api-token", "T",
                       "a server's token, nrd_... (else NEREID_API_TOKEN); without --store, its "
                       "server is the store"},
    [OPT_STORE] =
        {"--store", "LOCATION",
         "the store: a folder, sqlite:FOLDER or a server http(s)://host:port (else NEREID_STORE)"},
    [OPT_RUN] = {"--run", "ID", "only this queued run, offline/<uuid> (again for more)"},
    [OPT_STATUS] = {"--status", NULL, "show what is queued, per run; deliver nothing"},
};

typedef struct cli_command cli_command;

typedef struct cli_options {
        const cli_command *cmd;         /* the command being run */
        const char *value[OPT_COUNT];   /* option values; switches point to "" */
        const char *args[CLI_MAX_ARGS]; /* positional arguments after the command */
        const char *tags[CLI_MAX_TAGS]; /* every --tag, in order */
        int ntags;                      /* how many */
        const char *runs[CLI_MAX_TAGS]; /* every --run, in order */
        int nruns;                      /* how many */
        int nargs;                      /* how many */
        int mode;                       /* --mode parsed */
        unsigned workers;               /* --workers parsed */
} cli_options;

/* A command on one RUN:FIELD (its first argument), run and field open. */
typedef int (*cli_field_fn)(cli_options *o, nereid_run *run, const char *field);

struct cli_command {
        const char *name;           /* "ls", or "run new" for a subcommand */
        const char *args;           /* the positional arguments in usage */
        int nargs;                  /* how many positional arguments it needs */
        unsigned options;           /* OPT() bits of the options it takes */
        int differs;                /* 1 when exit 1 means "differs" (a failure is then 6) */
        int (*run)(cli_options *o); /* the command, or NULL when field is set */
        cli_field_fn field;         /* a command on RUN:FIELD, opened by cli_with_field */
        const char *summary;        /* one line for the usage */
};

/* Exit code of a general failure of the command being run. */
static int cli_general_failure = 1;

static int cli_has(const cli_options *o, int id)
{
        return o->value[id] != NULL;
}

/* "nereid: " prefix, then what (escaped), then ": " and why (not escaped). */
static void cli_error(const char *what, const char *why)
{
        fputs("nereid: ", stderr);
        escape_write(stderr, what);
        fprintf(stderr, ": %s\n", why);
}

/* A usage error (exit 2): "nereid: WHAT: WHY ARG (see nereid CMD --help)". */
static int cli_usage_error(const cli_command *cmd, const char *why, const char *arg)
{
        fprintf(stderr, "nereid: %s: %s", cmd ? cmd->name : "usage", why);
        if (arg)
                escape_write(stderr, arg);
        fprintf(stderr, " (see nereid %s%s--help)\n", cmd ? cmd->name : "", cmd ? " " : "");
        return 2;
}

/* Print the library's last error (escaped) and turn a status into an exit code. */
static int cli_fail(int rc)
{
        const char *msg = nereid_error_last();

        fputs("nereid: ", stderr);
        escape_write(stderr, *msg ? msg : "failed");
        putc('\n', stderr);
        return cli_exit_code(rc < 0 ? rc : NEREID_ERROR, cli_general_failure);
}

static void cli_usage_line(FILE *f, const cli_command *c)
{
        int id;

        fprintf(f, "nereid %s%s%s", c->name, *c->args ? " " : "", c->args);
        for (id = 0; id < OPT_COUNT; id++) {
                const cli_option_def *d = &cli_option_defs[id];

                if (!(c->options & OPT(id)) || (OPT_COMMON & OPT(id)))
                        continue;
                fprintf(f, " [%s%s%s]", d->name, d->arg ? " " : "", d->arg ? d->arg : "");
        }
}

static void cli_help(const cli_command *c)
{
        int id;

        fputs("usage: ", stdout);
        cli_usage_line(stdout, c);
        printf("\n\n%s\n\noptions:\n", c->summary);
        for (id = 0; id < OPT_COUNT; id++) {
                const cli_option_def *d = &cli_option_defs[id];
                char left[64];

                if (!(c->options & OPT(id)))
                        continue;
                snprintf(left, sizeof(left), "%s%s%s", d->name, d->arg ? " " : "",
                         d->arg ? d->arg : "");
                printf("  %-30s %s\n", left, d->help);
        }
        printf("  %-30s %s\n", "-h, --help", "print this help");
        if (c->differs)
                puts("\nexit: 0 nothing differs, 1 something differs, 2 usage, 3 not found,\n"
                     "4 access denied, 5 integrity, 6 other failure");
}

/* Split "RUN:FIELD" (RUN required unless optional_run). */
static int cli_ref(const cli_options *o, const char *text, int optional_run, char **run,
                   char **field)
{
        const char *colon = strchr(text, ':');

        *run = *field = NULL;
        if (!colon) {
                if (!optional_run) {
                        cli_error(text, "expected RUN:FIELD, e.g. CLS-45:data_versions/train");
                        return 2;
                }
                *field = strdup(text);
        } else {
                *run = strndup(text, (size_t)(colon - text));
                *field = strdup(colon + 1);
        }
        if (!*field || (colon && !*run)) {
                free(*run);
                free(*field);
                *run = *field = NULL;
                cli_error(o->cmd->name, "out of memory");
                return cli_general_failure;
        }
        if (nereid_field_path_check(*field) < 0) {
                free(*run);
                free(*field);
                *run = *field = NULL;
                return cli_fail(NEREID_EINVALID);
        }
        return 0;
}

typedef struct cli_progress {
        int tty;        /* stderr is a terminal: show progress */
        int shown;      /* a progress line is on the screen */
        int failures;   /* per-file failures already printed */
        int first_code; /* the code of the first of them */
        uint64_t files; /* the last "downloading" total: the files of a download */
} cli_progress;

static void cli_notify(int code, const char *message, void *payload)
{
        cli_progress *p = payload;

        if (p->shown) {
                fputs("\r\033[K", stderr);
                p->shown = 0;
        }
        fputs(code == 0 ? "nereid: warning: " : "nereid: ", stderr);
        escape_write(stderr, message);
        putc('\n', stderr);
        if (code != 0 && p->failures++ == 0)
                p->first_code = code;
}

/* Tests that kill things (docs/internals/queue.md): NEREID_TEST_KILL_AT
 * "STAGE" or "STAGE@N" makes the command kill itself (SIGKILL, as kill -9)
 * when the library reports that progress stage (with done == N);
 * NEREID_TEST_STOP_AT stops it there (SIGSTOP) until a SIGCONT, so a test
 * can act meanwhile (stop the server). Read by the command line only,
 * never by the library. */
static int cli_test_hook_at(const char *hook, const char *stage, uint64_t done)
{
        const char *at;
        size_t n;

        if (!hook || !*hook)
                return 0;
        at = strrchr(hook, '@');
        n = at ? (size_t)(at - hook) : strlen(hook);
        return strlen(stage) == n && strncmp(stage, hook, n) == 0 &&
               (!at || strtoull(at + 1, NULL, 10) == done);
}

static void cli_test_kill(const char *stage, uint64_t done)
{
        static const char *kill_at, *stop_at;
        static int read;

        if (!read) {
                kill_at = getenv("NEREID_TEST_KILL_AT");
                stop_at = getenv("NEREID_TEST_STOP_AT");
                read = 1;
        }
        if (cli_test_hook_at(kill_at, stage, done)) {
                fflush(stdout);
                raise(SIGKILL);
        }
        if (cli_test_hook_at(stop_at, stage, done)) {
                stop_at = NULL; /* once: a retry passes the stage again */
                fflush(stdout);
                raise(SIGSTOP);
        }
}

static int cli_show_progress(const char *stage, uint64_t done, uint64_t total, void *payload)
{
        cli_progress *p = payload;

        cli_test_kill(stage, done);
        if (strcmp(stage, "downloading") == 0)
                p->files = total;
        if (!p->tty)
                return 0;
        fputs("\r\033[K", stderr);
        escape_write(stderr, stage);
        if (total)
                fprintf(stderr, " %llu/%llu", (unsigned long long)done, (unsigned long long)total);
        else
                fprintf(stderr, " %llu", (unsigned long long)done);
        p->shown = 1;
        return 0;
}

static void cli_progress_end(cli_progress *p)
{
        if (p->shown)
                fputs("\r\033[K", stderr);
        p->shown = 0;
}

static cli_progress cli_progress_state;

/* The library's options: the environment (SPEC section 6), then the
 * command line over it. */
static nereid_options cli_lib_options = NEREID_OPTIONS_INIT;

static int cli_setup_options(const cli_options *o)
{
        nereid_options *opts = &cli_lib_options;

        /* Given before the environment is read, so that a token on the
         * command line, like one in the environment, picks its server over
         * NEREID_HOME's local store (SPEC section 8). */
        if (o->value[OPT_API_TOKEN])
                opts->api_token = o->value[OPT_API_TOKEN];
        if (nereid_options_from_env(opts) < 0)
                return cli_fail(NEREID_ERROR);
        if (o->value[OPT_PROJECT])
                opts->project = o->value[OPT_PROJECT];
        if (o->value[OPT_API_TOKEN])
                opts->api_token = o->value[OPT_API_TOKEN];
        if (o->value[OPT_STORE])
                opts->store = o->value[OPT_STORE];
        opts->mode = o->mode;
        opts->workers = o->workers;
        cli_progress_state.tty = isatty(STDERR_FILENO);
        opts->notify = cli_notify;
        opts->progress = cli_show_progress;
        opts->payload = &cli_progress_state;
        return 0;
}

static int cli_open_project(const cli_options *o, nereid_project **project)
{
        int rc = nereid_project_open(project, NULL, &cli_lib_options);

        (void)o;
        return rc < 0 ? cli_fail(rc) : 0;
}

/* Open the project and the run of a reference; a NULL run_id makes a new run. */
static int cli_open_run(const cli_options *o, const char *run_id, nereid_project **project,
                        nereid_run **run)
{
        int rc;

        *run = NULL;
        if ((rc = cli_open_project(o, project)) != 0)
                return rc;
        rc = nereid_run_open(run, *project, run_id, o->value[OPT_NAME]);
        if (rc < 0) {
                rc = cli_fail(rc);
                nereid_project_free(*project);
                *project = NULL;
                return rc;
        }
        return 0;
}

/* How long the end of a command waits for an async run's delivery:
 * NEREID_SYNC_TIMEOUT seconds, else CLI_WAIT_S (docs/cli/sync.md). */
#define CLI_WAIT_S 10

static unsigned cli_wait_ms(void)
{
        const char *v = getenv("NEREID_SYNC_TIMEOUT");
        char *end;
        unsigned long s;

        if (!v || !*v)
                return CLI_WAIT_S * 1000;
        s = strtoul(v, &end, 10);
        return *end || s > 3600 ? CLI_WAIT_S * 1000 : (unsigned)s * 1000;
}

static void cli_close(nereid_project *project, nereid_run *run)
{
        cli_progress_end(&cli_progress_state);
        if (run && nereid_run_wait(run, cli_wait_ms()) < 0) {
                cli_progress_end(&cli_progress_state);
                cli_error(nereid_run_id(run), nereid_error_last());
        }
        nereid_run_free(run);
        nereid_project_free(project);
}

/* A new run, or (--custom-run-id) the run with that ID: its ID on stdout. */
static int cmd_run_new(cli_options *o)
{
        nereid_run_options ro = NEREID_RUN_OPTIONS_INIT;
        nereid_project *project;
        nereid_run *run = NULL;
        int rc;

        if ((rc = cli_open_project(o, &project)) != 0)
                return rc;
        ro.name = o->value[OPT_NAME];
        ro.description = o->value[OPT_DESCRIPTION];
        ro.custom_run_id = o->value[OPT_CUSTOM_RUN_ID];
        ro.tags = o->tags;
        ro.ntags = (size_t)o->ntags;
        if ((rc = nereid_run_create(&run, project, &ro)) < 0) {
                rc = cli_fail(rc);
                nereid_project_free(project);
                return rc;
        }
        escape_write(stdout, nereid_run_id(run));
        putchar('\n');
        cli_close(project, run);
        return 0;
}

static int cmd_project_new(cli_options *o)
{
        nereid_project *project;
        int rc;

        if ((rc = nereid_project_create(&project, o->args[0], o->value[OPT_KEY],
                                        &cli_lib_options)) < 0)
                return cli_fail(rc);
        escape_write(stdout, nereid_project_name(project));
        putchar(' ');
        escape_write(stdout, nereid_project_key(project));
        putchar('\n');
        nereid_project_free(project);
        return 0;
}

/* "RUN-ID FIELD HASH", as track and import print it. */
static void cli_print_tracked(const nereid_run *run, const char *field, const char *hash)
{
        escape_write(stdout, nereid_run_id(run));
        putchar(' ');
        escape_write(stdout, field);
        printf(" %s\n", hash);
}

static int cmd_track(cli_options *o)
{
        nereid_project *project = NULL;
        nereid_run *run = NULL;
        char *run_id, *field, hash[NEREID_HASH_HEXLEN + 1];
        int rc;

        if ((rc = cli_ref(o, o->args[0], 1, &run_id, &field)) != 0)
                return rc;
        if (run_id && cli_has(o, OPT_NAME)) {
                rc = cli_usage_error(o->cmd, "--name names a new run; it does not apply to ",
                                     run_id);
                goto out;
        }
        if (run_id)
                rc = cli_open_run(o, run_id, &project, &run);
        else
                rc = cli_open_project(o, &project);
        if (rc == 0) {
                if (run_id && cli_has(o, OPT_REPLACE))
                        rc = nereid_run_track_files_replace(hash, run, field, o->args[1],
                                                            o->value[OPT_DESTINATION]);
                else if (run_id)
                        rc = nereid_run_track_files(hash, run, field, o->args[1],
                                                    o->value[OPT_DESTINATION]);
                else /* a new run: nothing to replace */
                        rc = nereid_run_track_new(&run, hash, project, o->value[OPT_NAME], field,
                                                  o->args[1], o->value[OPT_DESTINATION]);
                cli_progress_end(&cli_progress_state);
                if (rc < 0)
                        rc = cli_fail(rc);
                else
                        cli_print_tracked(run, field, hash);
                cli_close(project, run);
        }
out:
        free(run_id);
        free(field);
        return rc;
}

static int cli_with_field(cli_options *o, cli_field_fn fn)
{
        nereid_project *project;
        nereid_run *run;
        char *run_id, *field;
        int rc;

        if ((rc = cli_ref(o, o->args[0], 0, &run_id, &field)) != 0)
                return rc;
        if ((rc = cli_open_run(o, run_id, &project, &run)) == 0) {
                rc = fn(o, run, field);
                cli_close(project, run);
        }
        free(run_id);
        free(field);
        return rc;
}

static int do_hash(cli_options *o, nereid_run *run, const char *field)
{
        char hash[NEREID_HASH_BUFSIZE];
        int rc = nereid_run_fetch_hash(
            hash, run, field, cli_has(o, OPT_CONTENT) ? NEREID_HASH_CONTENT : NEREID_HASH_ARTIFACT);

        if (rc < 0)
                return cli_fail(rc);
        printf("%s\n", hash);
        return 0;
}

/* ls --json streams: one record at a time from the store to stdout. A
 * write error stops the walk (1); main reports it. */
static int cli_print_json_record(const nereid_file *file, void *payload)
{
        int *first = payload;

        putchar(*first ? '[' : ',');
        output_file_json(file);
        *first = 0;
        return ferror(stdout) ? 1 : 0;
}

static int do_ls(cli_options *o, nereid_run *run, const char *field)
{
        nereid_files *files;
        int rc, first = 1;

        if (cli_has(o, OPT_JSON)) {
                rc = nereid_run_each_file(run, field, cli_print_json_record, &first);
                if (rc < 0)
                        return cli_fail(rc);
                if (rc == 0)
                        puts(first ? "[]" : "]");
                return 0;
        }
        if ((rc = nereid_run_fetch_files_list(&files, run, field)) < 0)
                return cli_fail(rc);
        output_files_table(files);
        nereid_files_free(files);
        return 0;
}

/* SIGINT, SIGTERM during a download: remove its temporary files, then
 * die of the signal as if it had not been caught. */
static void cli_download_signal(int sig)
{
        nereid_download_abort();
        signal(sig, SIG_DFL);
        raise(sig);
}

/* Catch sig with sa, unless it was ignored when we started (nohup, a
 * background job of a shell): it stays ignored then. */
static void cli_catch(int sig, const struct sigaction *sa)
{
        struct sigaction old;

        if (sigaction(sig, NULL, &old) == 0 && old.sa_handler != SIG_IGN)
                sigaction(sig, sa, NULL);
}

static int do_download(cli_options *o, nereid_run *run, const char *field)
{
        struct sigaction sa;
        int rc;

        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = cli_download_signal;
        sigemptyset(&sa.sa_mask);
        cli_catch(SIGINT, &sa);
        cli_catch(SIGTERM, &sa);
        rc = nereid_run_download(run, field, o->value[OPT_DESTINATION],
                                 (cli_has(o, OPT_COPY) ? NEREID_DOWNLOAD_COPY : 0) |
                                     (cli_has(o, OPT_FORCE) ? NEREID_DOWNLOAD_FORCE : 0));

        cli_progress_end(&cli_progress_state);
        /* Each failed file has had its line, and the call fails with the
         * first one's code. With more than one file the library's summary
         * ("RUN:FIELD: N of M files could not be downloaded") ends the
         * output, so the last line tells whether anything was downloaded;
         * a download of one file needs none. Another ending (cancelled, the
         * store unreadable) is printed. */
        if (rc < 0 && cli_progress_state.failures && rc == cli_progress_state.first_code &&
            cli_progress_state.files <= 1)
                return cli_exit_code(rc, cli_general_failure);
        return rc < 0 ? cli_fail(rc) : 0;
}

static int do_assign(cli_options *o, nereid_run *run, const char *field)
{
        const char *src = o->args[1];
        char *src_run, *src_field;
        int rc;

        if (!strchr(src, ':')) {
                rc = nereid_run_assign_hash(run, field, src);
                return rc < 0 ? cli_fail(rc) : 0;
        }
        if ((rc = cli_ref(o, src, 0, &src_run, &src_field)) != 0)
                return rc;
        rc = nereid_run_assign_field(run, field, src_run, src_field);
        free(src_run);
        free(src_field);
        return rc < 0 ? cli_fail(rc) : 0;
}

static int do_import(cli_options *o, nereid_run *run, const char *field)
{
        const char *path = o->args[1];
        int from_stdin = strcmp(path, "-") == 0;
        int fd = from_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
        char hash[NEREID_HASH_HEXLEN + 1];
        int rc;

        if (fd < 0) {
                int err = errno;

                rc = cli_exit_code(err == ENOENT   ? NEREID_ENOTFOUND
                                   : err == EACCES ? NEREID_EACCESS
                                                   : NEREID_ERROR,
                                   cli_general_failure);
                fputs("nereid: ", stderr);
                escape_write(stderr, path);
                fprintf(stderr, ": cannot open: %s\n", strerror(err));
                return rc;
        }
        /* Read one record at a time: the JSON text is never held whole. */
        rc = nereid_run_import_json(hash, run, field, fd, from_stdin ? "stdin" : path);
        if (!from_stdin)
                close(fd);
        if (rc < 0)
                return cli_fail(rc);
        cli_print_tracked(run, field, hash);
        return 0;
}

static int do_rm(cli_options *o, nereid_run *run, const char *field)
{
        int rc = nereid_run_remove_field(run, field);

        (void)o;
        return rc < 0 ? cli_fail(rc) : 0;
}

static int cmd_project_list(cli_options *o)
{
        nereid_projects *projects;
        int rc;

        if ((rc = nereid_projects_list(&projects, &cli_lib_options)) < 0)
                return cli_fail(rc);
        rc = output_projects(projects, cli_has(o, OPT_JSON)) < 0 ? cli_fail(NEREID_ERROR) : 0;
        nereid_projects_free(projects);
        return rc;
}

static int do_status(cli_options *o, nereid_run *run, const char *field)
{
        nereid_diff *diff;
        int rc = nereid_run_status(&diff, run, field);

        cli_progress_end(&cli_progress_state);
        if (rc < 0)
                return cli_fail(rc);
        output_diff(diff, cli_has(o, OPT_JSON));
        rc = nereid_diff_count(diff) ? 1 : 0;
        nereid_diff_free(diff);
        return rc;
}

static int cmd_diff(cli_options *o)
{
        nereid_project *project;
        nereid_run *run_a = NULL, *run_b = NULL;
        nereid_files *a = NULL, *b = NULL;
        nereid_diff *diff = NULL;
        char *ra = NULL, *fa = NULL, *rb = NULL, *fb = NULL;
        int rc;

        if ((rc = cli_ref(o, o->args[0], 0, &ra, &fa)) != 0)
                return rc;
        if ((rc = cli_ref(o, o->args[1], 0, &rb, &fb)) != 0)
                goto out;
        if ((rc = cli_open_project(o, &project)) != 0)
                goto out;
        if ((rc = nereid_run_open(&run_a, project, ra, NULL)) < 0 ||
            (rc = nereid_run_open(&run_b, project, rb, NULL)) < 0 ||
            (rc = nereid_run_fetch_files_list(&a, run_a, fa)) < 0 ||
            (rc = nereid_run_fetch_files_list(&b, run_b, fb)) < 0 ||
            (rc = nereid_diff_files(&diff, a, b)) < 0) {
                rc = cli_fail(rc);
        } else {
                output_diff(diff, cli_has(o, OPT_JSON));
                rc = nereid_diff_count(diff) ? 1 : 0;
        }
        nereid_diff_free(diff);
        nereid_files_free(a);
        nereid_files_free(b);
        nereid_run_free(run_b);
        cli_close(project, run_a);
out:
        free(ra);
        free(fa);
        free(rb);
        free(fb);
        return rc;
}

static int cmd_show(cli_options *o)
{
        nereid_project *project;
        nereid_run *run;
        nereid_fields *fields = NULL;
        int rc;

        if ((rc = cli_open_run(o, o->args[0], &project, &run)) != 0)
                return rc;
        rc = nereid_run_fields(&fields, run);
        if (rc < 0)
                rc = cli_fail(rc);
        else
                output_fields(fields, cli_has(o, OPT_JSON));
        nereid_fields_free(fields);
        cli_close(project, run);
        return rc;
}

/* Runs read per page by `nereid runs`. */
#define CLI_RUNS_PAGE 1000

static int cmd_runs(cli_options *o)
{
        nereid_project *project;
        nereid_runs *runs = NULL;
        int json = cli_has(o, OPT_JSON), rc;
        size_t printed = 0;

        if ((rc = cli_open_project(o, &project)) != 0)
                return rc;
        /* A page at a time, so memory does not grow with the runs. */
        rc = nereid_project_runs_page(&runs, project, NULL, CLI_RUNS_PAGE);
        if (rc == 0)
                output_runs_begin(json);
        while (rc == 0) {
                size_t count = nereid_runs_count(runs);
                char last[32];

                output_runs(runs, json, printed);
                printed += count;
                if (count < CLI_RUNS_PAGE || ferror(stdout))
                        break;
                snprintf(last, sizeof(last), "%s", nereid_runs_id(runs, count - 1));
                nereid_runs_free(runs);
                runs = NULL;
                rc = nereid_project_runs_page(&runs, project, last, CLI_RUNS_PAGE);
        }
        if (rc < 0)
                rc = cli_fail(rc);
        else
                output_runs_end(json);
        nereid_runs_free(runs);
        nereid_project_free(project);
        return rc;
}

/* used-by (HASH | RUN:FIELD): the fields holding that artifact. */
static int cmd_used_by(cli_options *o)
{
        const char *arg = o->args[0];
        nereid_project *project = NULL;
        nereid_run *run = NULL;
        nereid_refs *refs = NULL;
        char hash[NEREID_HASH_HEXLEN + 1];
        char *run_id = NULL, *field = NULL;
        int rc;

        if (strchr(arg, ':')) {
                if ((rc = cli_ref(o, arg, 0, &run_id, &field)) != 0 ||
                    (rc = cli_open_run(o, run_id, &project, &run)) != 0)
                        goto out;
                rc = nereid_run_fetch_hash(hash, run, field, NEREID_HASH_ARTIFACT);
                arg = hash;
        } else {
                if ((rc = cli_open_project(o, &project)) != 0)
                        goto out;
                rc = 0;
        }
        if (rc == 0)
                rc = nereid_project_used_by(&refs, project, arg);
        if (rc < 0)
                rc = cli_fail(rc);
        else
                output_refs(refs, cli_has(o, OPT_JSON));
        nereid_refs_free(refs);
        cli_close(project, run);
out:
        free(run_id);
        free(field);
        return rc;
}

/* find-file MD5: the fields whose artifact has a file with this hash. */
static int cmd_find_file(cli_options *o)
{
        nereid_project *project;
        nereid_refs *refs = NULL;
        int rc;

        if ((rc = cli_open_project(o, &project)) != 0)
                return rc;
        rc = nereid_project_find_file(&refs, project, o->args[0]);
        if (rc < 0)
                rc = cli_fail(rc);
        else
                output_refs(refs, cli_has(o, OPT_JSON));
        nereid_refs_free(refs);
        cli_close(project, NULL);
        return rc;
}

/* One line per queued run: what sync did, or (--status) what is queued. */
struct cli_sync {
        int status; /* --status */
        int failed; /* runs that failed */
};

static int cli_sync_line(const char *queued_id, const char *project, const char *run_id,
                         uint64_t ops, uint64_t bytes, int live, int rc, const char *message,
                         void *payload)
{
        struct cli_sync *s = payload;

        cli_progress_end(&cli_progress_state);
        if (rc < 0) {
                s->failed++;
                cli_error(queued_id, message ? message : "failed");
                return 0;
        }
        escape_write(stdout, queued_id);
        if (s->status) {
                putchar(' ');
                escape_write(stdout, project);
                putchar(' ');
                escape_write(stdout, *run_id ? run_id : "-");
                printf(" %llu operation%s %llu bytes%s\n", (unsigned long long)ops,
                       ops == 1 ? "" : "s", (unsigned long long)bytes,
                       live ? " (still being written)" : "");
                return 0;
        }
        fputs(" -> ", stdout);
        escape_write(stdout, run_id);
        if (live)
                printf(" (still being written: %llu operations left, queue kept)",
                       (unsigned long long)ops);
        else if (ops)
                printf(" (%llu operations left)", (unsigned long long)ops);
        putchar('\n');
        return 0;
}

/* sync [--project P] [--run ID]... | sync --status */
static int cmd_sync(cli_options *o)
{
        struct cli_sync s = {cli_has(o, OPT_STATUS), 0};
        nereid_project *project;
        int rc;

        if (s.status && o->nruns)
                return cli_usage_error(o->cmd,
                                       "--status shows every queued run; --run does not "
                                       "apply to it",
                                       NULL);
        if ((rc = cli_open_project(o, &project)) != 0)
                return rc;
        if (s.status)
                rc = nereid_queue_status(project, o->value[OPT_PROJECT], cli_sync_line, &s);
        else
                rc = nereid_sync(project, o->value[OPT_PROJECT], o->runs, (size_t)o->nruns,
                                 cli_sync_line, &s);
        cli_progress_end(&cli_progress_state);
        if (rc < 0 && s.failed) {
                /* Each failure was named; one line says how many. */
                char why[96];

                snprintf(why, sizeof(why),
                         "%d queued run%s not delivered (kept for the next "
                         "sync)",
                         s.failed, s.failed == 1 ? "" : "s");
                cli_error("sync", why);
                rc = cli_exit_code(rc, cli_general_failure);
        } else if (rc < 0) {
                rc = cli_fail(rc);
        }
        nereid_project_free(project);
        return rc;
}

#define J OPT(OPT_JSON)
/* One row per command, in the order of the usage. */
static const cli_command cli_commands[] = {
    {"run new", "", 0,
     OPT_COMMON | OPT(OPT_NAME) | OPT(OPT_DESCRIPTION) | OPT(OPT_TAG) | OPT(OPT_CUSTOM_RUN_ID), 0,
     cmd_run_new, NULL, "create (or resume by custom ID) a run, print its ID"},
    {"track", "[RUN:]FIELD PATH", 2,
     OPT_COMMON | OPT(OPT_DESTINATION) | OPT(OPT_NAME) | OPT(OPT_REPLACE), 0, cmd_track, NULL,
     "track files; prints RUN-ID FIELD HASH"},
    {"hash", "RUN:FIELD", 1, OPT_COMMON | OPT(OPT_CONTENT), 0, NULL, do_hash,
     "print the artifact (or content) hash"},
    {"ls", "RUN:FIELD", 1, OPT_COMMON | J, 0, NULL, do_ls, "list the records of a field"},
    {"download", "RUN:FIELD", 1, OPT_COMMON | OPT(OPT_DESTINATION) | OPT(OPT_COPY) | OPT(OPT_FORCE),
     0, NULL, do_download, "recreate the files"},
    {"assign", "RUN:FIELD (RUN2:FIELD2 | HASH)", 2, OPT_COMMON, 0, NULL, do_assign,
     "set a field to an existing artifact"},
    {"import", "RUN:FIELD FILE.json", 2, OPT_COMMON, 0, NULL, do_import,
     "store records given as JSON (- reads stdin)"},
    {"show", "RUN", 1, OPT_COMMON | J, 0, cmd_show, NULL, "every field of a run"},
    {"runs", "", 0, OPT_COMMON | J, 0, cmd_runs, NULL, "the runs of the project"},
    {"diff", "RUN1:FIELD1 RUN2:FIELD2", 2, OPT_COMMON | J, 1, cmd_diff, NULL,
     "added / removed / changed files"},
    {"status", "RUN:FIELD", 1, OPT_COMMON | J, 1, NULL, do_status,
     "compare a field with its sources"},
    {"rm", "RUN:FIELD", 1, OPT_COMMON, 0, NULL, do_rm, "remove a field (or a namespace of fields)"},
    {"used-by", "(HASH | RUN:FIELD)", 1, OPT_COMMON | J, 0, cmd_used_by, NULL,
     "the fields holding an artifact"},
    {"find-file", "MD5", 1, OPT_COMMON | J, 0, cmd_find_file, NULL,
     "the fields with a file of this hash"},
    {"sync", "", 0, OPT_COMMON | OPT(OPT_RUN) | OPT(OPT_STATUS), 0, cmd_sync, NULL,
     "deliver queued runs; prints offline/<uuid> -> RUN-ID (--status: what is queued)"},
    {"project new", "WORKSPACE/PROJECT", 1,
     OPT(OPT_KEY) | OPT(OPT_MODE) | OPT(OPT_WORKERS) | OPT(OPT_API_TOKEN) | OPT(OPT_STORE), 0,
     cmd_project_new, NULL, "create a project with a chosen key"},
    {"project list", "", 0,
     OPT(OPT_MODE) | OPT(OPT_WORKERS) | OPT(OPT_API_TOKEN) | OPT(OPT_STORE) | J, 0,
     cmd_project_list, NULL, "the projects of the store"},
};
#undef J
#define CLI_NCOMMANDS (sizeof(cli_commands) / sizeof(cli_commands[0]))

static void cli_usage(FILE *f)
{
        size_t i;

        fputs("usage: nereid <command> [options] [--] [arguments]\n\n", f);
        for (i = 0; i < CLI_NCOMMANDS; i++) {
                char line[160];
                FILE *m = fmemopen(line, sizeof(line), "w");

                if (!m)
                        continue;
                cli_usage_line(m, &cli_commands[i]);
                fclose(m);
                line[sizeof(line) - 1] = '\0';
                fprintf(f, "  %-52s %s\n", line + strlen("nereid "), cli_commands[i].summary);
        }
        fprintf(f, "  %-52s %s\n", "ui [--listen 127.0.0.1:8642] [--store LOCATION]",
                "the web UI of this machine's store");
        fputs("\noptions of every command: --project WORKSPACE/PROJECT, --mode "
              "async|sync|offline|read-only|debug,\n"
              "  --workers N (threads for hashing and downloads), --api-token T (a server's "
              "token: without --store, its server is the store),\n"
              "  --store LOCATION (a folder, sqlite:FOLDER or http(s)://server)\n"
              "nereid <command> --help: that command's usage; nereid --version: the version\n",
              f);
}

/* The command named by argv[1] (and argv[2] for a subcommand); *used is
 * how many words it took. NULL when none. */
static const cli_command *cli_find(int argc, char **argv, int *used)
{
        size_t i, n = strlen(argv[1]);

        for (i = 0; i < CLI_NCOMMANDS; i++) {
                const char *name = cli_commands[i].name, *space = strchr(name, ' ');

                if (!space && strcmp(name, argv[1]) == 0) {
                        *used = 1;
                        return &cli_commands[i];
                }
                if (space && (size_t)(space - name) == n && strncmp(name, argv[1], n) == 0 &&
                    argc > 2 && strcmp(space + 1, argv[2]) == 0) {
                        *used = 2;
                        return &cli_commands[i];
                }
        }
        return NULL;
}

/* "run", "project": the first word of subcommands; print their list. */
static int cli_group(const char *word, FILE *f)
{
        size_t i, n = strlen(word);
        int found = 0;

        for (i = 0; i < CLI_NCOMMANDS; i++) {
                const char *name = cli_commands[i].name, *space = strchr(name, ' ');

                if (space && (size_t)(space - name) == n && strncmp(name, word, n) == 0) {
                        if (f) {
                                fputs(found ? ", " : "", f);
                                fputs(space + 1, f);
                        }
                        found = 1;
                }
        }
        return found;
}

static int cli_is_help(const char *a)
{
        return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0;
}

static int cli_find_option(const char *a, size_t len)
{
        int id;

        for (id = 0; id < OPT_COUNT; id++)
                if (strlen(cli_option_defs[id].name) == len &&
                    strncmp(cli_option_defs[id].name, a, len) == 0)
                        return id;
        return -1;
}

static int cli_parse(int argc, char **argv, int start, cli_options *o)
{
        const cli_command *c = o->cmd;
        int i, options_end = 0;

        for (i = start; i < argc; i++) {
                const char *a = argv[i], *eq;
                int id;

                if (options_end || a[0] != '-' || strcmp(a, "-") == 0) {
                        if (o->nargs == CLI_MAX_ARGS || o->nargs == c->nargs)
                                return cli_usage_error(c, "too many arguments at ", a);
                        o->args[o->nargs++] = a;
                        continue;
                }
                if (strcmp(a, "--") == 0) {
                        options_end = 1;
                        continue;
                }
                eq = strchr(a, '=');
                id = cli_find_option(a, eq ? (size_t)(eq - a) : strlen(a));
                if (id < 0)
                        return cli_usage_error(c, "unknown option ", a);
                if (!(c->options & OPT(id))) {
                        char why[128];

                        snprintf(why, sizeof(why), "option %s does not apply to %s",
                                 cli_option_defs[id].name, c->name);
                        return cli_usage_error(c, why, NULL);
                }
                if (!cli_option_defs[id].arg) {
                        if (eq)
                                return cli_usage_error(c, "this option takes no value: ", a);
                        o->value[id] = "";
                } else if (eq) {
                        o->value[id] = eq + 1;
                } else if (i + 1 < argc) {
                        o->value[id] = argv[++i];
                } else {
                        return cli_usage_error(c, "this option needs a value: ", a);
                }
                /* --tag may be given again: every one is kept. */
                if (id == OPT_TAG) {
                        if (o->ntags == CLI_MAX_TAGS)
                                return cli_usage_error(c, "too many --tag options at ", a);
                        o->tags[o->ntags++] = o->value[id];
                }
                if (id == OPT_RUN) {
                        if (o->nruns == CLI_MAX_TAGS)
                                return cli_usage_error(c, "too many --run options at ", a);
                        o->runs[o->nruns++] = o->value[id];
                }
        }
        if (o->nargs != c->nargs) {
                char form[256];

                snprintf(form, sizeof(form), "expected %s, got %d argument%s", c->args, o->nargs,
                         o->nargs == 1 ? "" : "s");
                return cli_usage_error(c, form, NULL);
        }
        if (o->value[OPT_MODE] && nereid_mode_parse(&o->mode, o->value[OPT_MODE]) < 0)
                return cli_fail(NEREID_EINVALID);
        if (o->value[OPT_WORKERS]) {
                const char *v = o->value[OPT_WORKERS];
                char *end;
                unsigned long n = strtoul(v, &end, 10);

                if (*end || !*v || *v == '-' || *v == '+' || n > 1024)
                        return cli_usage_error(c, "--workers: not a number from 0 to 1024: ", v);
                o->workers = (unsigned)n;
        }
        return 0;
}

/*
 * Flush and close stdout: a command whose output was not all written fails
 * ("nereid: writing output: ..."), whatever it did before. A command that
 * had already failed keeps its code; for status and diff, whose 1 means
 * "differs", the failure is the general one (6).
 */
static int cli_finish(int rc, int differs)
{
        int err = 0, failed = ferror(stdout);

        errno = 0;
        if (fflush(stdout) != 0) {
                err = errno;
                failed = 1;
        }
        if (fclose(stdout) != 0) {
                if (!err)
                        err = errno;
                failed = 1;
        }
        if (!failed)
                return rc;
        cli_error("writing output", err ? strerror(err) : "write error");
        if (rc == 0 || (differs && rc == 1))
                return cli_general_failure;
        return rc;
}

/*
 * Standard descriptors that are closed are opened on /dev/null, so no file
 * the library opens (a store, a file being hashed) can become stdout and
 * receive output. Returns 1 when stdout was closed.
 */
static int cli_sanitize_fds(void)
{
        int fd, stdout_closed = 0;

        for (fd = 0; fd <= 2; fd++) {
                if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
                        continue;
                if (fd == STDOUT_FILENO)
                        stdout_closed = 1;
                if (open("/dev/null", fd == STDIN_FILENO ? O_RDONLY : O_WRONLY) < 0)
                        abort(); /* nothing safe can be done */
        }
        return stdout_closed;
}

static int cli_main(int argc, char **argv, int *differs)
{
        cli_options o = {0};
        const cli_command *c;
        int i, used = 0;

        if (argc >= 2 && (c = cli_find(argc, argv, &used)) != NULL)
                cli_general_failure = c->differs ? 6 : 1;
        if (cli_sanitize_fds()) {
                /* Checked first: output that cannot go anywhere means nothing is done. */
                cli_error("writing output", "standard output is closed");
                return cli_general_failure;
        }
        used = 0;
        if (argc < 2) {
                /* As git does: the usage on stdout, and exit 1. */
                cli_usage(stdout);
                return 1;
        }
        if (cli_is_help(argv[1]) || strcmp(argv[1], "help") == 0) {
                if (argc > 2 && strcmp(argv[1], "help") == 0) {
                        if (!(c = cli_find(argc - 1, argv + 1, &used)))
                                return cli_usage_error(NULL, "unknown command ", argv[2]);
                        cli_help(c);
                        return 0;
                }
                cli_usage(stdout);
                return 0;
        }
        if (strcmp(argv[1], "--version") == 0) {
                printf("nereid %s\n", nereid_version());
                return 0;
        }
        if (!(c = cli_find(argc, argv, &used))) {
                if (argv[1][0] == '-')
                        return cli_usage_error(NULL, "options come after the command: ", argv[1]);
                if (!cli_group(argv[1], NULL))
                        return cli_usage_error(NULL, "unknown command ", argv[1]);
                if (argc > 2 && cli_is_help(argv[2])) {
                        printf("usage: nereid %s (", argv[1]);
                        cli_group(argv[1], stdout);
                        puts(") ...");
                        return 0;
                }
                fputs("nereid: ", stderr);
                escape_write(stderr, argv[1]);
                fputs(argc > 2 ? ": unknown subcommand " : ": a subcommand is needed", stderr);
                if (argc > 2)
                        escape_write(stderr, argv[2]);
                fputs(" (expected ", stderr);
                cli_group(argv[1], stderr);
                fputs(")\n", stderr);
                return 2;
        }
        o.cmd = c;
        *differs = c->differs;
        cli_general_failure = c->differs ? 6 : 1;
        /* --help anywhere before "--" wins over everything else. */
        for (i = 1 + used; i < argc && strcmp(argv[i], "--") != 0; i++) {
                if (cli_is_help(argv[i])) {
                        cli_help(c);
                        return 0;
                }
        }
        if ((i = cli_parse(argc, argv, 1 + used, &o)) != 0)
                return i;
        if ((i = cli_setup_options(&o)) != 0)
                return i;
        return c->field ? cli_with_field(&o, c->field) : c->run(&o);
}

int main(int argc, char **argv)
{
        int differs = 0, rc;

        if (argc > 1 && !strcmp(argv[1], "ui"))
                return cli_ui(argc, argv);
        if (argc == 3 && !strcmp(argv[1], "help") && !strcmp(argv[2], "ui")) {
                char *help[] = {argv[0], "ui", "--help", NULL};

                return cli_ui(3, help);
        }
        if (nereid_init() < 0) {
                cli_error("libnereid", nereid_error_last());
                return 1;
        }
        rc = cli_main(argc, argv, &differs);
        nereid_options_dispose(&cli_lib_options);
        nereid_shutdown();
        return cli_finish(rc, differs);
}
