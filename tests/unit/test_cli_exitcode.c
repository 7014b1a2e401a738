/*
 * test_cli_exitcode.c - the nereid command's one table from status codes
 * to exit codes (cli/exitcode.c): every code of nereid.h has the exit code
 * SPEC section 7 gives it, and a code the table does not know (one added to
 * the library later) exits as a general failure, never as its negated
 * value.
 */
#include <limits.h>
#include "check.h"
#include "../../cli/exitcode.c"

int main(void)
{
        int code;

        CHECK(cli_exit_code(NEREID_OK, 1) == 0);
        CHECK(cli_exit_code(NEREID_ERROR, 1) == 1);
        CHECK(cli_exit_code(NEREID_ERROR, 6) == 6);
        CHECK(cli_exit_code(NEREID_EINVALID, 1) == 2);
        CHECK(cli_exit_code(NEREID_EINVALID, 6) == 2);
        CHECK(cli_exit_code(NEREID_ENOTFOUND, 1) == 3);
        CHECK(cli_exit_code(NEREID_EACCESS, 1) == 4);
        CHECK(cli_exit_code(NEREID_EINTEGRITY, 6) == 5);
        CHECK(cli_exit_code(NEREID_EEXISTS, 1) == 1);
        CHECK(cli_exit_code(NEREID_EEXISTS, 6) == 6);
        CHECK(cli_exit_code(NEREID_EREADONLY, 1) == 4);
        CHECK(cli_exit_code(NEREID_ECANCELLED, 1) == 130);
        /* Codes the table does not know: the general failure. */
        CHECK(cli_exit_code(-9, 1) == 1);
        CHECK(cli_exit_code(-9, 6) == 6);
        CHECK(cli_exit_code(-42, 1) == 1);
        CHECK(cli_exit_code(INT_MIN, 1) == 1);
        CHECK(cli_exit_code(7, 1) == 1);
        /* No status ever gives an exit code SPEC section 7 does not have. */
        for (code = -1000; code < 0; code++) {
                int e = cli_exit_code(code, 1);

                CHECK((e >= 1 && e <= 5) || e == 130);
        }
        return CHECK_DONE();
}
