/*
 * exitcode.c - the status-to-exit-code table of exitcode.h. A status code
 * added to the library gets a row here; until then it exits as a general
 * failure, never as its negated value. Not for printing messages.
 */
#include <stddef.h>
#include "exitcode.h"
#include "nereid.h"

/* Marks a row whose exit code is the command's general failure. */
#define CLI_EXIT_GENERAL (-1)

static const struct {
        int status; /* a NEREID_* status */
        int exit;   /* its exit code, or CLI_EXIT_GENERAL */
} cli_exit_table[] = {
    {NEREID_OK, CLI_EXIT_OK},
    {NEREID_ERROR, CLI_EXIT_GENERAL},
    {NEREID_EINVALID, CLI_EXIT_USAGE},
    {NEREID_ENOTFOUND, CLI_EXIT_NOTFOUND},
    {NEREID_EACCESS, CLI_EXIT_ACCESS},
    {NEREID_EINTEGRITY, CLI_EXIT_INTEGRITY},
    {NEREID_EEXISTS, CLI_EXIT_GENERAL},
    {NEREID_EREADONLY, CLI_EXIT_ACCESS},
    {NEREID_ECANCELLED, CLI_EXIT_CANCELLED},
};

int cli_exit_code(int status, int general)
{
        size_t i;

        for (i = 0; i < sizeof(cli_exit_table) / sizeof(cli_exit_table[0]); i++)
                if (cli_exit_table[i].status == status)
                        return cli_exit_table[i].exit == CLI_EXIT_GENERAL ? general
                                                                          : cli_exit_table[i].exit;
        return general;
}
