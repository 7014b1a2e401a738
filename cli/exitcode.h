/*
 * exitcode.h - the one table that turns libnereid status codes into the
 * exit codes of SPEC section 7. Only the mapping: printing the message is
 * main.c's.
 */
#ifndef NEREID_CLI_EXITCODE_H
#define NEREID_CLI_EXITCODE_H

/* Exit codes of the nereid command (SPEC section 7). */
enum cli_exit {
        CLI_EXIT_OK = 0,
        CLI_EXIT_FAILURE = 1,         /* a general failure (also "differs" for diff, status) */
        CLI_EXIT_USAGE = 2,           /* a bad command line, name, path or record */
        CLI_EXIT_NOTFOUND = 3,        /* no such run, field, artifact, project or source */
        CLI_EXIT_ACCESS = 4,          /* access denied, credentials, a write in read-only mode */
        CLI_EXIT_INTEGRITY = 5,       /* data that does not match its recorded hash */
        CLI_EXIT_DIFFERS_FAILURE = 6, /* a general failure of diff and status */
        CLI_EXIT_CANCELLED = 130,     /* cancelled, as a shell reports SIGINT (128 + 2) */
};

/*
 * The exit code for a status (0 or a negative NEREID_E* code). general is
 * the exit code of a general failure for the command being run (1, or 6
 * for diff and status): NEREID_ERROR, NEREID_EEXISTS and any code this
 * table does not know get it, never a code of their own.
 */
int cli_exit_code(int status, int general);

#endif
