/*
 * main.c - the `nereid` command (SPEC section 7): parses arguments, calls
 * libnereid, prints results. Argument parsing and printing only: every
 * feature lives in the library. Errors are one line on stderr,
 * "nereid: <what failed>: <why>", and the exit code is the negated
 * library status (1 failure, 2 usage, 3 not found, 4 access, 5 integrity).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "nereid.h"
#include "output.h"

#define CLI_MAX_ARGS 8

typedef struct cli_options {
        const char *project;
        const char *mode_name;
        const char *name;
        const char *destination;
        const char *key;
        unsigned workers;
        int json, content, copy;
        const char *args[CLI_MAX_ARGS]; /* positional arguments after the command */
        int nargs;
        int mode;
} cli_options;

static const char cli_usage_text[] =
    "usage: nereid <command> [options]\n"
    "\n"
    "  run new [--name N]                             create a run, print its ID\n"
    "  track [RUN:]FIELD PATH [--destination D]       track files; prints RUN-ID FIELD HASH\n"
    "  hash RUN:FIELD [--content]                     print the artifact (or content) hash\n"
    "  ls RUN:FIELD [--json]                          list the records of a field\n"
    "  download RUN:FIELD [--destination D] [--copy]  recreate the files\n"
    "  assign RUN:FIELD (RUN2:FIELD2 | HASH)          set a field to an existing artifact\n"
    "  import RUN:FIELD FILE.json                     store records given as JSON\n"
    "  show RUN [--json]                              every field of a run\n"
    "  runs [--json]                                  the runs of the project\n"
    "  diff RUN1:FIELD1 RUN2:FIELD2 [--json]          added / removed / changed files\n"
    "  status RUN:FIELD                               compare a field with its sources\n"
    "  project new WORKSPACE/PROJECT [--key KEY]      create a project with a chosen key\n"
    "\n"
    "options of every command: --project WORKSPACE/PROJECT, --mode "
    "async|sync|offline|read-only|debug,\n"
    "  --workers N (threads for hashing and downloads), --api-token T (for servers; unused "
    "by the local store)\n";

static int cli_usage(const char *fmt, const char *arg)
{
        fprintf(stderr, "nereid: usage: ");
        fprintf(stderr, fmt, arg);
        fprintf(stderr, " (see nereid --help)\n");
        return 2;
}

/* Print the library's last error and turn a status into an exit code. */
static int cli_fail(int rc)
{
        const char *msg = nereid_error_last();

        fprintf(stderr, "nereid: %s\n", *msg ? msg : "failed");
        return rc < 0 ? -rc : 1;
}

static int cli_parse(int argc, char **argv, int start, cli_options *o)
{
        int i;

        for (i = start; i < argc; i++) {
                const char *a = argv[i];
                const char **value = NULL;

                if (strcmp(a, "--json") == 0) {
                        o->json = 1;
                        continue;
                } else if (strcmp(a, "--content") == 0) {
                        o->content = 1;
                        continue;
                } else if (strcmp(a, "--copy") == 0) {
                        o->copy = 1;
                        continue;
                } else if (strcmp(a, "--project") == 0) {
                        value = &o->project;
                } else if (strcmp(a, "--mode") == 0) {
                        value = &o->mode_name;
                } else if (strcmp(a, "--name") == 0) {
                        value = &o->name;
                } else if (strcmp(a, "--destination") == 0) {
                        value = &o->destination;
                } else if (strcmp(a, "--key") == 0) {
                        value = &o->key;
                } else if (strcmp(a, "--api-token") == 0 || strcmp(a, "--workers") == 0) {
                        const char *v = NULL;

                        if (i + 1 >= argc)
                                return cli_usage("%s needs a value", a);
                        v = argv[++i];
                        if (strcmp(a, "--workers") == 0) {
                                char *end;
                                unsigned long n = strtoul(v, &end, 10);

                                if (*end || !*v || n > 1024)
                                        return cli_usage(
                                            "--workers %s: not a number from 0 to 1024", v);
                                o->workers = (unsigned)n;
                        }
                        continue;
                } else if (strncmp(a, "--", 2) == 0 && a[2]) {
                        return cli_usage("unknown option %s", a);
                } else {
                        if (o->nargs == CLI_MAX_ARGS)
                                return cli_usage("too many arguments at %s", a);
                        o->args[o->nargs++] = a;
                        continue;
                }
                if (i + 1 >= argc)
                        return cli_usage("%s needs a value", a);
                *value = argv[++i];
        }
        if (o->mode_name && nereid_mode_parse(o->mode_name, &o->mode) < 0)
                return cli_usage("%s", nereid_error_last());
        return 0;
}

static int cli_expect_args(const cli_options *o, int n, const char *form)
{
        if (o->nargs != n)
                return cli_usage("%s", form);
        return 0;
}

/* Split "RUN:FIELD" (RUN required unless optional_run). */
static int cli_ref(const char *text, int optional_run, char **run, char **field)
{
        const char *colon = strchr(text, ':');

        *run = *field = NULL;
        if (!colon) {
                if (!optional_run)
                        return cli_usage("%s: expected RUN:FIELD, e.g. CLS-45:data_versions/train",
                                         text);
                *field = strdup(text);
        } else {
                *run = strndup(text, (size_t)(colon - text));
                *field = strdup(colon + 1);
        }
        if (nereid_field_path_check(*field) < 0) {
                free(*run);
                free(*field);
                *run = *field = NULL;
                return cli_usage("%s", nereid_error_last());
        }
        return 0;
}

typedef struct cli_progress {
        int tty;
        int shown;
        int failures; /* per-file failures already printed */
} cli_progress;

static void cli_notify(void *payload, int code, const char *message)
{
        cli_progress *p = payload;

        if (p->shown) {
                fputs("\r\033[K", stderr);
                p->shown = 0;
        }
        if (code == 0) {
                fprintf(stderr, "nereid: warning: %s\n", message);
        } else {
                fprintf(stderr, "nereid: %s\n", message);
                p->failures++;
        }
}

static void cli_show_progress(void *payload, const char *stage, uint64_t done, uint64_t total)
{
        cli_progress *p = payload;

        if (!p->tty)
                return;
        if (total)
                fprintf(stderr, "\r\033[K%s %llu/%llu", stage, (unsigned long long)done,
                        (unsigned long long)total);
        else
                fprintf(stderr, "\r\033[K%s %llu", stage, (unsigned long long)done);
        p->shown = 1;
}

static void cli_progress_end(cli_progress *p)
{
        if (p->shown)
                fputs("\r\033[K", stderr);
        p->shown = 0;
}

static cli_progress cli_progress_state;

static int cli_open_project(const cli_options *o, nereid_project **project)
{
        int rc = nereid_project_open_with_key(project, o->project, o->key, o->mode);

        if (rc < 0)
                return cli_fail(rc);
        cli_progress_state.tty = isatty(STDERR_FILENO);
        nereid_project_set_callbacks(*project, cli_notify, cli_show_progress, &cli_progress_state);
        nereid_project_set_workers(*project, o->workers);
        return 0;
}

/* Open the project and the run of a reference; a NULL run_id makes a new run. */
static int cli_open_run(const cli_options *o, const char *run_id, nereid_project **project,
                        nereid_run **run)
{
        int rc;

        *run = NULL;
        if ((rc = cli_open_project(o, project)) != 0)
                return rc;
        rc = nereid_run_open(run, *project, run_id, o->name);
        if (rc < 0) {
                rc = cli_fail(rc);
                nereid_project_free(*project);
                *project = NULL;
                return rc;
        }
        return 0;
}

static void cli_close(nereid_project *project, nereid_run *run)
{
        cli_progress_end(&cli_progress_state);
        nereid_run_free(run);
        nereid_project_free(project);
}

static int cmd_run_new(cli_options *o)
{
        nereid_project *project;
        nereid_run *run;
        int rc;

        if ((rc = cli_expect_args(o, 0, "run new [--name N]")) != 0 ||
            (rc = cli_open_run(o, NULL, &project, &run)) != 0)
                return rc;
        printf("%s\n", nereid_run_id(run));
        cli_close(project, run);
        return 0;
}

static int cmd_project_new(cli_options *o)
{
        nereid_project *project;
        int rc;

        if ((rc = cli_expect_args(o, 1, "project new WORKSPACE/PROJECT [--key KEY]")) != 0)
                return rc;
        o->project = o->args[0];
        if ((rc = cli_open_project(o, &project)) != 0)
                return rc;
        printf("%s %s\n", nereid_project_name(project), nereid_project_key(project));
        nereid_project_free(project);
        return 0;
}

static int cmd_track(cli_options *o)
{
        nereid_project *project = NULL;
        nereid_run *run = NULL;
        char *run_id, *field, hash[NEREID_HASH_HEXLEN + 1];
        int rc;

        if ((rc = cli_expect_args(o, 2, "track [RUN:]FIELD PATH [--destination D]")) != 0 ||
            (rc = cli_ref(o->args[0], 1, &run_id, &field)) != 0)
                return rc;
        if (run_id)
                rc = cli_open_run(o, run_id, &project, &run);
        else
                rc = cli_open_project(o, &project);
        if (rc == 0) {
                if (run_id)
                        rc = nereid_run_track_files(run, field, o->args[1], o->destination, hash);
                else
                        rc = nereid_run_track_new(&run, project, o->name, field, o->args[1],
                                                  o->destination, hash);
                cli_progress_end(&cli_progress_state);
                if (rc < 0)
                        rc = cli_fail(rc);
                else
                        printf("%s %s %s\n", nereid_run_id(run), field, hash);
                cli_close(project, run);
        }
        free(run_id);
        free(field);
        return rc;
}

/* The commands that read one RUN:FIELD share their opening. */
typedef int (*cli_field_fn)(cli_options *o, nereid_run *run, const char *field);

static int cli_with_field(cli_options *o, int nargs, const char *form, cli_field_fn fn)
{
        nereid_project *project;
        nereid_run *run;
        char *run_id, *field;
        int rc;

        if ((rc = cli_expect_args(o, nargs, form)) != 0 ||
            (rc = cli_ref(o->args[0], 0, &run_id, &field)) != 0)
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
        char hash[NEREID_HASH_HEXLEN + 1];
        int rc = nereid_run_fetch_hash(run, field, o->content, hash);

        if (rc < 0)
                return cli_fail(rc);
        printf("%s\n", hash);
        return 0;
}

/* ls --json streams: one record at a time from the store to stdout. */
static int cli_print_json_record(void *payload, const nereid_file *file)
{
        int *first = payload;
        char *json = NULL;
        int rc = nereid_file_to_json(file, &json);

        if (rc < 0)
                return rc;
        fputs(*first ? "[" : ",", stdout);
        fputs(json, stdout);
        nereid_string_free(json);
        *first = 0;
        return 0;
}

static int do_ls(cli_options *o, nereid_run *run, const char *field)
{
        nereid_files *files;
        int rc, first = 1;

        if (o->json) {
                rc = nereid_run_each_file(run, field, cli_print_json_record, &first);
                if (rc < 0)
                        return cli_fail(rc);
                puts(first ? "[]" : "]");
                return 0;
        }
        if ((rc = nereid_run_fetch_files_list(run, field, &files)) < 0)
                return cli_fail(rc);
        rc = output_files_table(files);
        nereid_files_free(files);
        return rc < 0 ? cli_fail(rc) : 0;
}

static int do_download(cli_options *o, nereid_run *run, const char *field)
{
        int rc = nereid_run_download(run, field, o->destination, o->copy);

        (void)o;
        cli_progress_end(&cli_progress_state);
        /* Each failed file has had its line; the summary would repeat them. */
        if (rc < 0 && cli_progress_state.failures)
                return -rc;
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
        if ((rc = cli_ref(src, 0, &src_run, &src_field)) != 0)
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
                rc = errno == ENOENT ? 3 : errno == EACCES ? 4 : 1;
                fprintf(stderr, "nereid: %s: cannot open: %s\n", path, strerror(errno));
                return rc;
        }
        /* Read one record at a time: the JSON text is never held whole. */
        rc = nereid_run_import_json(run, field, fd, from_stdin ? "stdin" : path, hash);
        if (!from_stdin)
                close(fd);
        if (rc < 0)
                return cli_fail(rc);
        printf("%s %s %s\n", nereid_run_id(run), field, hash);
        return 0;
}

static int do_status(cli_options *o, nereid_run *run, const char *field)
{
        nereid_diff *diff;
        int rc = nereid_run_status(run, field, &diff);

        cli_progress_end(&cli_progress_state);
        if (rc < 0)
                return cli_fail(rc);
        output_diff(diff, o->json);
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

        if ((rc = cli_expect_args(o, 2, "diff RUN1:FIELD1 RUN2:FIELD2 [--json]")) != 0 ||
            (rc = cli_ref(o->args[0], 0, &ra, &fa)) != 0)
                return rc;
        if ((rc = cli_ref(o->args[1], 0, &rb, &fb)) != 0)
                goto out;
        if ((rc = cli_open_project(o, &project)) != 0)
                goto out;
        if ((rc = nereid_run_open(&run_a, project, ra, NULL)) < 0 ||
            (rc = nereid_run_open(&run_b, project, rb, NULL)) < 0 ||
            (rc = nereid_run_fetch_files_list(run_a, fa, &a)) < 0 ||
            (rc = nereid_run_fetch_files_list(run_b, fb, &b)) < 0 ||
            (rc = nereid_diff_files(a, b, &diff)) < 0) {
                rc = cli_fail(rc);
        } else {
                output_diff(diff, o->json);
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
        char *fields = NULL;
        int rc;

        if ((rc = cli_expect_args(o, 1, "show RUN [--json]")) != 0 ||
            (rc = cli_open_run(o, o->args[0], &project, &run)) != 0)
                return rc;
        rc = nereid_run_fields(run, &fields);
        if (rc < 0)
                rc = cli_fail(rc);
        else
                rc = output_fields(fields, o->json) < 0 ? cli_fail(NEREID_ERROR) : 0;
        nereid_string_free(fields);
        cli_close(project, run);
        return rc;
}

static int cmd_runs(cli_options *o)
{
        nereid_project *project;
        char *ids = NULL;
        int rc;

        if ((rc = cli_expect_args(o, 0, "runs [--json]")) != 0 ||
            (rc = cli_open_project(o, &project)) != 0)
                return rc;
        rc = nereid_project_runs(project, &ids);
        if (rc < 0)
                rc = cli_fail(rc);
        else
                rc = output_runs(project, ids, o->json) < 0 ? cli_fail(NEREID_ERROR) : 0;
        nereid_string_free(ids);
        nereid_project_free(project);
        return rc;
}

int main(int argc, char **argv)
{
        cli_options o = {0};
        const char *cmd;
        int rc, start = 2;

        if (argc < 2)
                return cli_usage("%s", "a command is needed");
        cmd = argv[1];
        if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
                fputs(cli_usage_text, stdout);
                return 0;
        }
        if (strcmp(cmd, "--version") == 0) {
                printf("nereid %s\n", nereid_version());
                return 0;
        }
        if ((strcmp(cmd, "run") == 0 || strcmp(cmd, "project") == 0) &&
            (argc < 3 || strcmp(argv[2], "new") != 0))
                return cli_usage("%s: expected \"new\"", cmd);
        if (strcmp(cmd, "run") == 0 || strcmp(cmd, "project") == 0)
                start = 3;
        if ((rc = cli_parse(argc, argv, start, &o)) != 0)
                return rc;

        if (strcmp(cmd, "run") == 0)
                return cmd_run_new(&o);
        if (strcmp(cmd, "project") == 0)
                return cmd_project_new(&o);
        if (strcmp(cmd, "track") == 0)
                return cmd_track(&o);
        if (strcmp(cmd, "hash") == 0)
                return cli_with_field(&o, 1, "hash RUN:FIELD [--content]", do_hash);
        if (strcmp(cmd, "ls") == 0)
                return cli_with_field(&o, 1, "ls RUN:FIELD [--json]", do_ls);
        if (strcmp(cmd, "download") == 0)
                return cli_with_field(&o, 1, "download RUN:FIELD [--destination D] [--copy]",
                                      do_download);
        if (strcmp(cmd, "assign") == 0)
                return cli_with_field(&o, 2, "assign RUN:FIELD (RUN2:FIELD2 | HASH)", do_assign);
        if (strcmp(cmd, "import") == 0)
                return cli_with_field(&o, 2, "import RUN:FIELD FILE.json", do_import);
        if (strcmp(cmd, "status") == 0)
                return cli_with_field(&o, 1, "status RUN:FIELD", do_status);
        if (strcmp(cmd, "diff") == 0)
                return cmd_diff(&o);
        if (strcmp(cmd, "show") == 0)
                return cmd_show(&o);
        if (strcmp(cmd, "runs") == 0)
                return cmd_runs(&o);
        return cli_usage("unknown command %s", cmd);
}
